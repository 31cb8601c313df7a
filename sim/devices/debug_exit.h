/*
 * Debug-exit port (QEMU isa-debug-exit convention), at
 * VMXSIM_DEBUG_EXIT_PORT (0xf4) on the vmxsim machine.  Writing V of any
 * size to any of its four ports ends the run with exit code (V << 1) | 1:
 * the device stores the code in Signals.exit_code and raises SIGNAL_STOP.
 * Reads return all-ones.
 */
#ifndef VMXSIM_DEVICES_DEBUG_EXIT_H
#define VMXSIM_DEVICES_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/io_bus.h"
#include "sim/devices/signals.h"

#define DEBUG_EXIT_PORT_COUNT 4u

typedef struct DebugExit {
    Signals *signals; /* where the stop is raised */
    uint16_t port;    /* first of the four claimed ports */
} DebugExit;

/* Claims port..port+3, so 2- and 4-byte accesses land on the device; false if
 * the bus refuses the range. */
bool dev_debug_exit_attach(DebugExit *dev, IoBus *bus, uint16_t port, Signals *signals);
/* The exit code for a written value: (V << 1) | 1, computed in 64 bits; the
 * int keeps its low 32 bits (two's complement). */
int dev_debug_exit_code(uint32_t value);

#endif
