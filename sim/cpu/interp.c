/* The interpreter loop (design.md "Speed architecture"). */
#include "sim/cpu/interp.h"

#include "sim/cpu/decode_cache.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/timing.h"

/* Deliver the pending exception, unless a front-end asked to stop before it
 * (debugger exception breakpoints, the differential tests). */
static SimStatus deliver_or_stop(CpuState *cpu)
{
    if (SIM_UNLIKELY(cpu->exception_stop_mask & (UINT32_C(1) << (cpu->fault.vector & 31))))
        return SIM_EXCEPTION;
    cpu->cycles += TIMING_EXCEPTION;
    return cpu_deliver_fault(cpu);
}

/* A handler returned something other than SIM_OK: finish that instruction. */
static SimStatus after_handler(CpuState *cpu, const DecodedInsn *d, uint64_t rip, SimStatus st)
{
    switch (st) {
    case SIM_FAULT:
        cpu->RIP = rip; /* faults report the faulting instruction */
        return deliver_or_stop(cpu);
    case SIM_REPEAT:
        cpu->RIP = rip; /* REP string: more iterations remain */
        cpu->cycles += d->cycles;
        return SIM_OK;
    case SIM_HALT:
        cpu->insns++;
        cpu->cycles += d->cycles;
        cpu->activity = ACTIVITY_HLT;
        return SIM_HALT;
    default:
        cpu->insns++;
        cpu->cycles += d->cycles;
        return st;
    }
}

static SimStatus run_block(CpuState *cpu, const Block *b, uint64_t budget)
{
    const DecodedInsn *d = cpu_block_insns(cpu, b);
    unsigned n = b->count < budget ? b->count : (unsigned)budget;
    for (unsigned i = 0; i < n; i++, d++) {
        uint64_t rip = cpu->RIP;
        cpu->RIP = rip + d->len;
        SimStatus st = d->handler(cpu, d);
        if (SIM_UNLIKELY(st != SIM_OK))
            return after_handler(cpu, d, rip, st);
        cpu->insns++;
        cpu->cycles += d->cycles;
        if (SIM_UNLIKELY(cpu->signals->pending))
            break;
    }
    return SIM_OK;
}

SimStatus cpu_run(CpuState *cpu, uint64_t budget)
{
    uint64_t end = cpu->insns + budget;
    while (cpu->insns < end) {
        if (SIM_UNLIKELY(cpu->activity != ACTIVITY_ACTIVE))
            return cpu->activity == ACTIVITY_HLT ? SIM_HALT : SIM_SHUTDOWN;
        const Block *b;
        SimStatus st = cpu_cache_lookup(cpu, &b);
        if (SIM_UNLIKELY(st != SIM_OK)) {
            st = deliver_or_stop(cpu);
        } else {
            st = run_block(cpu, b, end - cpu->insns);
        }
        if (SIM_UNLIKELY(st != SIM_OK))
            return st;
        if (SIM_UNLIKELY(cpu->signals->pending)) {
            cpu->signals->pending &= ~(uint32_t)SIGNAL_CODE_WRITE;
            if (cpu->signals->pending & SIGNAL_STOP)
                return SIM_STOP;
        }
    }
    return SIM_OK;
}
