/* The "Shutdown" string port (shutdown_port.h). */
#include "sim/devices/shutdown_port.h"

#include <stddef.h>

static const char shutdown_word[] = "Shutdown";

/* A byte that does not continue the word starts it again ('S') or resets. */
static void shutdown_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    ShutdownPort *dev = opaque;
    char c = (char)value;
    if (c != shutdown_word[dev->matched]) dev->matched = 0;
    if (c != shutdown_word[dev->matched]) return;
    if (++dev->matched < sizeof(shutdown_word) - 1) return;
    dev->matched = 0;
    dev->signals->exit_code = 0;
    signals_raise(dev->signals, SIGNAL_STOP);
}

bool dev_shutdown_port_attach(ShutdownPort *dev, IoBus *bus, Signals *signals) {
    *dev = (ShutdownPort){.signals = signals};
    return dev_io_bus_claim(bus, SHUTDOWN_PORT, SHUTDOWN_PORT, NULL, shutdown_io_write, dev);
}
