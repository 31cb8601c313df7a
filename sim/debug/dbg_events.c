/* The VMX event hub (dbg_events.h). */
#include "sim/debug/dbg_events.h"

static void dispatch(void *opaque, const CpuState *cpu, const VmxTrace *t) {
    const DbgEvents *e = opaque;
    for (unsigned i = 0; i < e->count; i++)
        e->listener[i].fn(e->listener[i].opaque, cpu, t);
}

void dbg_events_attach(DbgEvents *e, CpuState *cpu) {
    vmx_set_tracer(cpu, dispatch, e);
}

void dbg_events_detach(CpuState *cpu) {
    vmx_set_tracer(cpu, NULL, NULL);
}

bool dbg_events_listen(DbgEvents *e, VmxTraceFn fn, void *opaque) {
    if (e->count == DBG_EVENT_LISTENERS) return false;
    e->listener[e->count].fn = fn;
    e->listener[e->count].opaque = opaque;
    e->count++;
    return true;
}
