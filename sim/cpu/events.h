/*
 * Events at instruction boundaries (SDM Vol. 3A chapter 6 "Interrupt and
 * Exception Handling", Vol. 3B 17.3 "Debug Exceptions"): single-step and
 * breakpoint traps, NMI, maskable interrupts from the machine's interrupt
 * controller, the interrupt shadows of STI and MOV SS, the resume flag, and
 * the access checks (#AC, data breakpoints) that force memory accesses off
 * the TLB fast path.
 *
 * Speed (design.md "Events at boundaries by flag"): none of this runs while
 * the CPU is in the common state.  The interpreter tests a "careful"
 * condition when it enters a block without following a link (interp.c: only
 * blocks that cannot change the condition's inputs are linked); only when it
 * holds does it run instructions one at a time through cpu_events_boundary()
 * and cpu_events_before()/cpu_events_after().  docs/events.md has the rules.
 *
 * This header only needs the CPU as an incomplete type, so cpu.h includes it
 * for the state struct.
 */
#ifndef VMXSIM_CPU_EVENTS_H
#define VMXSIM_CPU_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

struct CpuState;
struct DecodedInsn;

/*
 * The CPU's view of the interrupt controller the machine wires to its INTR
 * and NMI inputs.  Devices never call the CPU (design.md): when what these
 * functions would answer changes, the device raises SIGNAL_INTR
 * (sim/devices/signals.h) and the CPU samples them at the next boundary.
 */
typedef struct IntrController {
    void *opaque;
    /* Is INTR asserted? */
    bool (*intr)(void *opaque);
    /* The interrupt-acknowledge cycle: the vector (0-255), or -1 when the
     * request went away in the meantime (nothing is delivered). */
    int (*acknowledge)(void *opaque);
    /* Take a latched NMI edge: true once per NMI.  NULL: no NMI source. */
    bool (*nmi)(void *opaque);
    /* Could the controller ever assert INTR or NMI again without the CPU
     * doing something (a timer armed, a device busy)?  NULL: assume yes. */
    bool (*may_request)(void *opaque);
    /* Take a latched INIT (SDM 10.6.1 delivery mode 101B): true once per
     * INIT.  NULL: no INIT source. */
    bool (*init)(void *opaque);
    /* Take a latched start-up IPI (delivery mode 110B): its vector, or -1. */
    int (*sipi)(void *opaque);
} IntrController;

/* Bits of CpuEvents.force: reasons to stay on the careful path. */
enum {
    EV_NMI = 1u << 0,     /* an NMI is pending (held while NMIs are blocked) */
    EV_DEBUG = 1u << 1,   /* debug traps are pending (dr6_pending) */
    EV_EXACT = 1u << 2,   /* a front-end wants instruction-exact counts when the VMX layer
                           * reports an event (sim/debug); cleared by RESET/INIT */
    EV_VMX = 1u << 3,     /* VMX non-root operation with a VM exit checked at every boundary
                           * (window exiting, monitor trap flag): vmx_hooks.h boundary() */
    EV_INIT = 1u << 4,    /* an INIT is pending (held while blocked: VMX root operation,
                           * wait-for-SIPI in non-root operation) */
    EV_SIPI = 1u << 5,    /* a SIPI arrived in the wait-for-SIPI state (sipi_vector) */
    EV_INTR = 1u << 9,    /* INTR was seen asserted; the same bit as RFLAGS.IF, so
                           * it counts only while IF = 1 */
};

/* Bits of CpuEvents.checks: what the slow access path checks. */
enum {
    CHECK_AC = 1u << 0,   /* SDM 6.15 "Interrupt 17—Alignment Check Exception (#AC)" */
    CHECK_DATA = 1u << 1, /* SDM 17.3.1.2: data breakpoints armed */
};

typedef struct CpuEvents {
    IntrController intc;   /* intc.intr == NULL: no controller attached */
    uint32_t force;        /* EV_* */
    uint32_t dr6_pending;  /* debug trap conditions (DR6 layout) for the next boundary */
    uint32_t dr_hits;      /* breakpoint conditions met by the current instruction */
    uint8_t checks;        /* CHECK_* */
    uint8_t tlb_row;       /* tlb_need()'s row: bit 0 user (CPL 3), bit 1 checked */
    bool mid_string;       /* the last step left a REP string instruction unfinished */
    /* Blocking by STI (1) / MOV SS (2) when the instruction now executing on
     * the careful path began (cpu_events_before clears the shadows first):
     * VMLAUNCH's MOV-SS check and the interruptibility a VM exit saves. */
    uint8_t blocking_at_start;
    uint8_t sipi_vector;   /* with EV_SIPI */
} CpuEvents;

/* What cpu_events_before() saw, for cpu_events_after(). */
typedef struct InsnEntry {
    uint64_t rflags;         /* RFLAGS.TF and RF before the instruction */
    bool sti_shadow, movss_shadow;
    uint8_t vmx_mode; /* a VM entry or exit happened when it changed */
} InsnEntry;

/* Clear the event state (RESET, INIT); the attached controller stays. */
void cpu_events_reset(struct CpuState *cpu);
/* Recompute checks and tlb_row from CR0.AM, RFLAGS.AC, CPL and DR7: by
 * cpu_update_mode(), at every careful boundary, and by the interpreter
 * whenever it enters a block without following a link (interp.c). */
void cpu_events_refresh(struct CpuState *cpu);
/* Sample INTR and NMI from the controller (after SIGNAL_INTR). */
void cpu_events_sample(struct CpuState *cpu);
/* An NMI from outside the controller (front-end, tests). */
void cpu_events_raise_nmi(struct CpuState *cpu);
/* INIT and SIPI from outside the controller (the INIT# pin, tests): the
 * same as a latched INIT or start-up IPI. */
void cpu_events_raise_init(struct CpuState *cpu);
void cpu_events_raise_sipi(struct CpuState *cpu, uint8_t vector);

/* At a boundary before the next instruction: deliver the highest-priority
 * pending event of SDM 6.9 Table 6-2 that is not blocked.  *taken tells
 * whether one was delivered (the caller then evaluates the boundary again
 * at the new RIP).  Returns SIM_SHUTDOWN, SIM_EXCEPTION (stopped before
 * delivering an exception in exception_stop_mask), or SIM_OK. */
SimStatus cpu_events_boundary(struct CpuState *cpu, bool *taken) SIM_MUST_CHECK;
/* A halted CPU: SIM_OK when an event is pending (the boundary then
 * delivers it, which leaves HLT), else SIM_HALT. */
SimStatus cpu_events_halted(struct CpuState *cpu) SIM_MUST_CHECK;
/* Would an event wake the halted CPU now, or could one ever (an armed
 * cpu.h deadline counts: time passes to it in HLT, machine.c)? */
bool cpu_events_wake_pending(struct CpuState *cpu);
bool cpu_events_may_wake(struct CpuState *cpu);

/* Around one instruction on the careful path. */
InsnEntry cpu_events_before(struct CpuState *cpu);
/* st is the handler's status; faults discard the instruction's breakpoint
 * matches and restore what cpu_events_before() cleared. */
void cpu_events_after(struct CpuState *cpu, const struct DecodedInsn *d, const InsnEntry *e,
                      SimStatus st);

/* Deliver cpu->fault unless the front-end stops at its vector (exceptions
 * only: interrupts are never stopped at).  Fault-class exceptions push RF = 1
 * (SDM 17.3.1.1). */
SimStatus cpu_events_deliver_fault(struct CpuState *cpu) SIM_MUST_CHECK;

#endif
