/*
 * Lines from devices to the CPUs.  Devices never call the CPU (design.md):
 * they set bits here, and the CPU samples the word at instruction
 * boundaries.  One word, so the interpreter's per-instruction test is a
 * single load and compare.
 */
#ifndef VMXSIM_DEVICES_SIGNALS_H
#define VMXSIM_DEVICES_SIGNALS_H

#include <stdint.h>

enum {
    SIGNAL_STOP = 1u << 0,     /* a device ended the run (debug-exit port) */
    SIGNAL_CODE_WRITE = 1u << 1, /* decoded code was overwritten: leave the block */
    SIGNAL_INTR = 1u << 2,     /* an interrupt line changed */
    SIGNAL_LIMIT = 1u << 3,    /* the front-end's instruction budget ran out */
    SIGNAL_DEBUG = 1u << 4,    /* the debugger ended the run (a VMX event it stops at, sim/debug) */
    SIGNAL_CLOCK = 1u << 5,    /* a timed device was reprogrammed: the machine ends its run
                                * chunk to reschedule (dev_clock.h) */
};

typedef struct Signals {
    uint32_t pending;  /* SIGNAL_* bits */
    int exit_code;     /* valid with SIGNAL_STOP */
} Signals;

static inline void signals_raise(Signals *s, uint32_t bits) { s->pending |= bits; }

#endif
