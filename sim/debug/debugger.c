/* The debugger's state and its VMX event listener (debugger.h). */
#include "sim/debug/debugger.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/vmx/vmx_state.h"

static void snapshot_vmcs(const CpuState *cpu, uint64_t *vmcs, uint64_t *fields) {
    *vmcs = cpu->vmx->current_vmcs;
    memcpy(fields, cpu->vmx->field, sizeof(cpu->vmx->field));
}

/* Every VMX event: history, snapshot, `trace on`, and the breakpoints. */
static void on_vmx_event(void *opaque, const CpuState *cpu, const VmxTrace *t) {
    Debugger *d = opaque;
    if (t->kind == VMX_TRACE_VMWRITE) dbg_history_record(&d->history, cpu, t);
    if (t->kind == VMX_TRACE_ENTRY) {
        snapshot_vmcs(cpu, &d->entry_snap_vmcs, d->entry_snap);
        d->have_entry_snap = true;
    }
    if (d->trace_on) dbg_trace_text(d->out, cpu, t);
    DbgBreakpoint *b = d->stop_pending ? NULL : dbg_bp_match_vmx(&d->bps, t);
    if (b) {
        b->hits++;
        d->stop_pending = true;
        d->stop_event = *t;
        d->stop_bp = b->id;
        signals_raise(cpu->signals, SIGNAL_DEBUG);
    }
}

static void on_trace(void *opaque, const CpuState *cpu, const VmxTrace *t) {
    dbg_trace_text(opaque, cpu, t);
}

static bool listen_all(Debugger *d, const DbgOptions *o) {
    bool ok = dbg_events_listen(&d->events, on_vmx_event, d);
    if (o->trace) ok = ok && dbg_events_listen(&d->events, on_trace, o->trace);
    if (d->json.f) ok = ok && dbg_events_listen(&d->events, dbg_trace_json_event, &d->json);
    return ok;
}

Debugger *dbg_create(Machine *m, const DbgOptions *o, char *err, size_t errlen) {
    Debugger *d = calloc(1, sizeof(*d));
    if (!d || !dbg_history_init(&d->history)) {
        snprintf(err, errlen, "out of host memory");
        free(d);
        return NULL;
    }
    d->m = m;
    d->out = o->out;
    d->trace = o->trace;
    d->max_insns = o->max_insns;
    if (o->trace_json && !dbg_trace_json_open(&d->json, o->trace_json, &m->cpu)) {
        snprintf(err, errlen, "cannot create --trace-json %s: %s", o->trace_json, strerror(errno));
        dbg_history_free(&d->history);
        free(d);
        return NULL;
    }
    if (!listen_all(d, o)) {
        snprintf(err, errlen, "too many VMX event listeners");
        (void)dbg_destroy(d);
        return NULL;
    }
    dbg_symbols_load(&d->syms, o->image_path);
    dbg_events_attach(&d->events, &m->cpu);
    return d;
}

bool dbg_destroy(Debugger *d) {
    if (!d) return true;
    dbg_events_detach(&d->m->cpu);
    d->m->cpu.exception_stop_mask = 0;
    d->m->cpu.ev.force &= ~(uint32_t)EV_EXACT;
    bool ok = dbg_trace_json_close(&d->json, &d->m->cpu);
    if (d->trace) ok = fflush(d->trace) == 0 && ok;
    dbg_bp_free(&d->bps);
    dbg_history_free(&d->history);
    dbg_symbols_free(&d->syms);
    free(d);
    return ok;
}

bool dbg_can_run(const Debugger *d) {
    return !d->exited && !d->dead;
}

void dbg_arm(Debugger *d) {
    d->m->cpu.ev.force |= EV_EXACT;
}

void dbg_breakpoints_changed(Debugger *d) {
    d->m->cpu.exception_stop_mask = dbg_bp_exception_mask(&d->bps);
}
