/*
 * The Bochs/QEMU "Shutdown" port (0x8900): writing the eight bytes of the
 * string "Shutdown" in order powers the machine off.  vmxsim ends the run
 * as a guest exit with code 0 (the debug-exit port's codes are all odd:
 * debug_exit.h), raising SIGNAL_STOP.
 */
#ifndef VMXSIM_DEVICES_SHUTDOWN_PORT_H
#define VMXSIM_DEVICES_SHUTDOWN_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/io_bus.h"
#include "sim/devices/signals.h"

#define SHUTDOWN_PORT 0x8900u

typedef struct ShutdownPort {
    Signals *signals;
    unsigned matched; /* bytes of "Shutdown" written so far in order */
} ShutdownPort;

bool dev_shutdown_port_attach(ShutdownPort *dev, IoBus *bus, Signals *signals);

#endif
