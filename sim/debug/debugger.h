/*
 * The debugger (docs/debugger.md): breakpoints on code, memory and VMX
 * events, the VMWRITE history, VMCS snapshots, the transition traces, and
 * the run control that drives machine_run() for `vmxsim debug` and the GDB
 * stub alike (design.md "One binary, many front-ends").
 *
 * Exactness: while a debugger is attached the CPU runs every instruction on
 * the interpreter's careful path (events.h EV_EXACT), so the instruction
 * and cycle counts that VMX events report are exact.  A VMX event the user
 * stops at raises SIGNAL_DEBUG and machine_run() returns STOP_DEBUG right
 * after the instruction (or event) that caused it.  Code breakpoints,
 * watchpoints and VMWRITE/VMREAD breakpoints make the run go one
 * instruction at a time (machine_run(m, 1)), checking after each.
 */
#ifndef VMXSIM_DEBUG_DEBUGGER_H
#define VMXSIM_DEBUG_DEBUGGER_H

#include <signal.h>
#include <stdio.h>

#include "sim/debug/breakpoints.h"
#include "sim/debug/dbg_events.h"
#include "sim/debug/trace.h"
#include "sim/debug/vmcs_history.h"
#include "sim/machine.h"
#include "sim/vmx/vmcs.h"

typedef struct DbgOptions {
    const char *image_path; /* for symbols; may be NULL */
    uint64_t max_insns;     /* 0: no limit */
    FILE *out;              /* command output */
    FILE *trace;            /* --trace vmx: text lines here; NULL: none */
    const char *trace_json; /* --trace-json FILE, or NULL */
} DbgOptions;

typedef enum DbgStopKind {
    DBG_STOP_STEP,      /* the steps asked for are done */
    DBG_STOP_BREAK,     /* a code breakpoint (stop.bp) */
    DBG_STOP_WATCH,     /* a watchpoint (stop.bp) */
    DBG_STOP_VMX,       /* a VMX event breakpoint (stop.bp, stop.event) */
    DBG_STOP_EXCEPTION, /* an exception breakpoint: the exception is pending, undelivered */
    DBG_STOP_INTERRUPT, /* Ctrl-C, or a GDB interrupt */
    DBG_STOP_EXITED,    /* the guest wrote the debug-exit port */
    DBG_STOP_SHUTDOWN,  /* triple fault */
    DBG_STOP_HALTED,    /* HLT with nothing that can wake the CPU */
    DBG_STOP_LIMIT,     /* --max-insns */
} DbgStopKind;

typedef struct DbgStop {
    DbgStopKind kind;
    unsigned bp;    /* the breakpoint's id, 0 for none */
    VmxTrace event; /* DBG_STOP_VMX */
} DbgStop;

typedef enum DbgRunMode { DBG_CONTINUE, DBG_STEP, DBG_NEXT } DbgRunMode;

typedef struct Debugger {
    Machine *m;
    FILE *out;
    uint64_t max_insns;
    DbgEvents events;
    DbgBreakpoints bps;
    VmcsHistory history;
    DbgSymbols syms;
    FILE *trace;       /* --trace vmx */
    DbgTraceJson json; /* --trace-json (json.f NULL: off) */
    bool trace_on;     /* `trace on`: VMX transitions on out */
    /* The VMX event that stops the run, set by the listener. */
    bool stop_pending;
    VmxTrace stop_event;
    unsigned stop_bp;
    /* VMCS snapshots for `vmcs diff`: at the last VM entry, and `vmcs snapshot`. */
    bool have_entry_snap, have_user_snap;
    uint64_t entry_snap_vmcs, user_snap_vmcs;
    uint64_t entry_snap[VMCS_FIELD_COUNT], user_snap[VMCS_FIELD_COUNT];
    /* Run state. */
    bool exception_pending; /* stopped before delivering cpu.fault */
    bool exited, dead;      /* the guest exited / the CPU shut down */
    int exit_status;
    bool until_active; /* `next`: run to until_rip with RSP >= until_rsp */
    uint64_t until_rip, until_rsp;
    volatile sig_atomic_t *interrupt; /* set from a signal handler: stop the run */
    bool (*poll)(void *opaque);       /* asked now and then while running: stop? */
    void *poll_opaque;
} Debugger;

/* NULL with a message in err on failure (out of memory, --trace-json file). */
Debugger *dbg_create(Machine *m, const DbgOptions *o, char *err, size_t errlen);
/* Detach from the machine, close the traces (false: a trace write failed). */
bool dbg_destroy(Debugger *d);

/* Run, step N instructions or step over a call; stops early at breakpoints. */
DbgStop dbg_run(Debugger *d, DbgRunMode mode, uint64_t count);
/* Why the run stopped, and where, in one or two lines. */
void dbg_print_stop(Debugger *d, const DbgStop *s, FILE *out);
/* Before the machine runs with the debugger attached (dbg_run does it;
 * a front-end calling machine_run() itself does it before each call):
 * counts exact (EV_EXACT, which RESET and INIT clear). */
void dbg_arm(Debugger *d);
/* Deliver the exception the last stop left pending, before another
 * front-end takes the CPU over (the GDB client detached). */
void dbg_settle(Debugger *d);
/* Can the CPU run (the guest has not exited, no shutdown)? */
bool dbg_can_run(const Debugger *d);
/* Breakpoints changed: recompute the exception stop mask. */
void dbg_breakpoints_changed(Debugger *d);

#endif
