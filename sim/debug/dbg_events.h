/*
 * One VMX tracer, many listeners: the VMX layer reports to a single tracer
 * (vmx_set_tracer); the debugger's breakpoints, the VMWRITE history, the
 * text and JSON traces all want the events.  The hub is that tracer and
 * calls each listener in the order they were added.
 */
#ifndef VMXSIM_DEBUG_DBG_EVENTS_H
#define VMXSIM_DEBUG_DBG_EVENTS_H

#include "sim/vmx/vmx.h"

#define DBG_EVENT_LISTENERS 6

typedef struct DbgEvents {
    struct {
        VmxTraceFn fn;
        void *opaque;
    } listener[DBG_EVENT_LISTENERS];
    unsigned count;
} DbgEvents;

/* Install the hub as the CPU's VMX tracer (no-op without VMX). */
void dbg_events_attach(DbgEvents *e, CpuState *cpu);
void dbg_events_detach(CpuState *cpu);
/* Add a listener; false when the hub is full (a programming error). */
bool dbg_events_listen(DbgEvents *e, VmxTraceFn fn, void *opaque) SIM_MUST_CHECK;

#endif
