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

/* Retire the first n instructions of a block: count them and charge their cycles. */
static void retire(CpuState *cpu, const Block *b, const DecodedInsn *first, unsigned n)
{
    cpu->insns += n;
    if (n == b->count) {
        cpu->cycles += b->cycles;
        return;
    }
    for (unsigned i = 0; i < n; i++)
        cpu->cycles += first[i].cycles;
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

/* Execute a block; instructions are counted once for the whole block. */
static SimStatus run_block(CpuState *cpu, const Block *b, uint64_t budget)
{
    const DecodedInsn *first = cpu_block_insns(cpu, b), *d = first;
    unsigned n = b->count < budget ? b->count : (unsigned)budget, i;
    for (i = 0; i < n; i++, d++) {
        uint64_t rip = cpu->RIP;
        cpu->RIP = rip + d->len;
        SimStatus st = d->handler(cpu, d);
        if (SIM_UNLIKELY(st != SIM_OK)) {
            retire(cpu, b, first, i);
            return after_handler(cpu, d, rip, st);
        }
        if ((d->flags & DI_CHECK_SIGNALS) && SIM_UNLIKELY(cpu->signals->pending)) {
            i++;
            break;
        }
    }
    retire(cpu, b, first, i);
    return SIM_OK;
}

/* The next block: through the previous block's link when it has one. */
static SimStatus next_block(CpuState *cpu, const Block *prev, const Block **b)
{
    if (prev && (*b = cpu_cache_follow(cpu, prev)) != NULL)
        return SIM_OK;
    if (cpu_cache_lookup(cpu, b) != SIM_OK)
        return SIM_FAULT;
    if (prev)
        cpu_cache_link(cpu, prev, *b);
    return SIM_OK;
}

SimStatus cpu_run(CpuState *cpu, uint64_t budget)
{
    uint64_t end = cpu->insns + budget;
    const Block *prev = NULL;
    while (cpu->insns < end) {
        if (SIM_UNLIKELY(cpu->activity != ACTIVITY_ACTIVE))
            return cpu->activity == ACTIVITY_HLT ? SIM_HALT : SIM_SHUTDOWN;
        const Block *b;
        SimStatus st = next_block(cpu, prev, &b);
        prev = NULL;
        if (SIM_UNLIKELY(st != SIM_OK)) {
            st = deliver_or_stop(cpu);
        } else {
            uint64_t before = cpu->insns;
            st = run_block(cpu, b, end - cpu->insns);
            /* Link only after a block that ran to its end without an event. */
            if (st == SIM_OK && cpu->insns - before == b->count && !cpu->signals->pending)
                prev = b;
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
