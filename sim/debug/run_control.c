/* Run control: continue, step, next over machine_run() (debugger.h). */
#include <inttypes.h>

#include "sim/cpu/access.h"
#include "sim/debug/debugger.h"
#include "sim/debug/disas.h"
#include "sim/debug/watch.h"

#define DBG_CHUNK 100000u    /* instructions per machine_run() when none is checked */
#define DBG_POLL_EVERY 4096u /* single steps between two polls for an interrupt */

static DbgStop stop(DbgStopKind kind) {
    return (DbgStop){.kind = kind};
}

static bool interrupted(Debugger *d) {
    if (d->interrupt && *d->interrupt) {
        *d->interrupt = 0;
        return true;
    }
    return d->poll && d->poll(d->poll_opaque);
}

static uint64_t linear_rip(const CpuState *cpu) {
    return cpu_seg_linear_unchecked(cpu, SEG_CS, cpu->RIP);
}

/* `next` over a CALL: run to the instruction after it, in the same frame. */
static bool setup_next(Debugger *d) {
    const CpuState *cpu = &d->m->cpu;
    DbgInsn insn;
    DbgAddr rip = {linear_rip(cpu), false};
    if (!dbg_decode(cpu, rip, &insn) || insn.zi.mnemonic != ZYDIS_MNEMONIC_CALL) return false;
    d->until_active = true;
    d->until_rip = rip.addr + insn.zi.length;
    d->until_rsp = cpu->gpr[GPR_RSP];
    return true;
}

static DbgStop vmx_stop(Debugger *d) {
    d->m->signals.pending &= ~(uint32_t)SIGNAL_DEBUG;
    return (DbgStop){DBG_STOP_VMX, d->stop_bp, d->stop_event};
}

static unsigned exception_bp(Debugger *d) {
    unsigned vector = d->m->cpu.fault.vector;
    for (size_t i = 0; i < d->bps.count; i++) {
        DbgBreakpoint *b = &d->bps.bp[i];
        if (b->kind == BP_EXCEPTION && (b->vector < 0 || (unsigned)b->vector == vector)) {
            b->hits++;
            return b->id;
        }
    }
    return 0;
}

/* The run ended for a reason of the machine's: *s says which. */
static bool machine_stopped(Debugger *d, MachineStop ms, DbgStop *s) {
    switch (ms) {
    case STOP_GUEST_EXIT:
        d->exited = true;
        d->exit_status = machine_exit_code(d->m);
        *s = stop(DBG_STOP_EXITED);
        return true;
    case STOP_SHUTDOWN:
        d->dead = true;
        *s = stop(DBG_STOP_SHUTDOWN);
        return true;
    case STOP_HALTED:
        *s = stop(DBG_STOP_HALTED);
        return true;
    case STOP_EXCEPTION:
        d->exception_pending = true;
        *s = (DbgStop){DBG_STOP_EXCEPTION, exception_bp(d), {0}};
        return true;
    case STOP_DEBUG:
        *s = vmx_stop(d);
        return true;
    case STOP_BUDGET:
        break;
    }
    return false;
}

/* SDM: the exception the run stopped before is still pending; deliver it
 * now, as the CPU would have (a nested stop or a VMX event may follow). */
static bool deliver_pending(Debugger *d, DbgStop *s) {
    CpuState *cpu = &d->m->cpu;
    uint32_t mask = cpu->exception_stop_mask;
    d->exception_pending = false;
    cpu->exception_stop_mask &= ~(UINT32_C(1) << (cpu->fault.vector & 31));
    SimStatus st = cpu_events_deliver_fault(cpu);
    cpu->exception_stop_mask = mask;
    if (st == SIM_SHUTDOWN) return machine_stopped(d, STOP_SHUTDOWN, s);
    if (st == SIM_EXCEPTION) return machine_stopped(d, STOP_EXCEPTION, s);
    if (d->stop_pending) *s = vmx_stop(d);
    return d->stop_pending;
}

/* After one instruction: watchpoints, `next`, code breakpoints, steps. */
static bool check_step(Debugger *d, DbgRunMode mode, uint64_t *count, const DbgAccesses *acc,
                       uint64_t insns_before, uint64_t rip_before, DbgStop *s) {
    const CpuState *cpu = &d->m->cpu;
    bool moved = cpu->insns != insns_before || linear_rip(cpu) != rip_before;
    DbgBreakpoint *b = dbg_watch_after(&d->bps, cpu, acc);
    if (!b && moved) b = dbg_bp_match_code(&d->bps, cpu);
    if (b) {
        b->hits++;
        *s = (DbgStop){b->kind == BP_WATCH ? DBG_STOP_WATCH : DBG_STOP_BREAK, b->id, {0}};
        return true;
    }
    if (d->until_active && linear_rip(cpu) == d->until_rip && cpu->gpr[GPR_RSP] >= d->until_rsp) {
        *s = stop(DBG_STOP_STEP);
        return true;
    }
    if (mode == DBG_STEP && cpu->insns != insns_before && --*count == 0) {
        *s = stop(DBG_STOP_STEP);
        return true;
    }
    return false;
}

static bool run_once(Debugger *d, DbgRunMode mode, uint64_t *count, DbgStop *s) {
    CpuState *cpu = &d->m->cpu;
    bool single = mode == DBG_STEP || d->until_active || dbg_bp_need_steps(&d->bps);
    uint64_t budget = single ? 1 : DBG_CHUNK;
    if (d->max_insns && d->max_insns - cpu->insns < budget) budget = d->max_insns - cpu->insns;
    DbgAccesses acc = {.count = 0};
    if (single) dbg_watch_before(&d->bps, cpu, &acc);
    uint64_t insns = cpu->insns, rip = linear_rip(cpu);
    dbg_arm(d);
    if (machine_stopped(d, machine_run(d->m, budget), s)) return true;
    return single && check_step(d, mode, count, &acc, insns, rip, s);
}

void dbg_settle(Debugger *d) {
    DbgStop s;
    if (d->exception_pending) (void)deliver_pending(d, &s);
    d->m->signals.pending &= ~(uint32_t)SIGNAL_DEBUG;
}

static DbgStop finish(Debugger *d, DbgStop s) {
    d->until_active = false;
    d->stop_pending = false;
    return s;
}

DbgStop dbg_run(Debugger *d, DbgRunMode mode, uint64_t count) {
    CpuState *cpu = &d->m->cpu;
    DbgStop s;
    d->stop_pending = false;
    d->m->signals.pending &= ~(uint32_t)SIGNAL_DEBUG;
    dbg_breakpoints_changed(d);
    if (mode == DBG_NEXT) {
        mode = setup_next(d) ? DBG_CONTINUE : DBG_STEP;
        count = 1;
    }
    if (d->exception_pending) {
        if (deliver_pending(d, &s)) return finish(d, s);
        if (mode == DBG_STEP && --count == 0) /* the step took the CPU into the handler */
            return finish(d, stop(DBG_STOP_STEP));
    }
    for (uint64_t n = 0;; n++) {
        bool single = mode == DBG_STEP || d->until_active || dbg_bp_need_steps(&d->bps);
        if ((!single || n % DBG_POLL_EVERY == 0) && interrupted(d))
            return finish(d, stop(DBG_STOP_INTERRUPT));
        if (d->max_insns && cpu->insns >= d->max_insns) return finish(d, stop(DBG_STOP_LIMIT));
        if (run_once(d, mode, &count, &s)) return finish(d, s);
    }
}
