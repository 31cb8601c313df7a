/*
 * Debug-exit port (debug_exit.h).  Every write stores its code and raises
 * SIGNAL_STOP; the CPU stops at the next instruction boundary, so only a
 * REP OUTS to the port can write twice before the stop, and its last write
 * gives the code.
 */
#include "sim/devices/debug_exit.h"

#include <limits.h>

int dev_debug_exit_code(uint32_t value) {
    uint64_t code = ((uint64_t)value << 1) | 1u;
    uint32_t low = (uint32_t)code;
    if (low <= (uint32_t)INT_MAX) return (int)low;
    return -(int)(UINT32_MAX - low) - 1; /* two's complement without overflow */
}

static uint32_t debug_exit_io_read(void *opaque, uint16_t port, unsigned size) {
    return UINT32_MAX;
}

static void debug_exit_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    DebugExit *dev = opaque;
    dev->signals->exit_code = dev_debug_exit_code(value);
    signals_raise(dev->signals, SIGNAL_STOP);
}

bool dev_debug_exit_attach(DebugExit *dev, IoBus *bus, uint16_t port, Signals *signals) {
    if (port > UINT16_MAX - (DEBUG_EXIT_PORT_COUNT - 1)) return false;
    uint16_t last = (uint16_t)(port + DEBUG_EXIT_PORT_COUNT - 1);
    dev->signals = signals;
    dev->port = port;
    return dev_io_bus_claim(bus, port, last, debug_exit_io_read, debug_exit_io_write, dev);
}
