/* The interpreter loop (design.md "Speed architecture", "Events at boundaries by flag"). */
#include "sim/cpu/interp.h"

#include "sim/cpu/debug_regs.h"
#include "sim/cpu/decode_cache.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/timing.h"

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
        return cpu_events_deliver_fault(cpu);
    case SIM_REPEAT:
        cpu->RIP = rip; /* REP string: more iterations remain */
        /* SDM 17.3.1.1: an event taken now pushes RF = 1 (also after a
         * fast-path chunk; careful_needed() then finishes it carefully). */
        cpu->ev.mid_string = true;
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

/*
 * The careful path (events.h) is taken while single-stepping (TF), while RF
 * is set, while a DR7 enable is set, under an interrupt shadow, and while an
 * event waits that could be taken (a debug trap, an NMI unless NMIs are
 * blocked, INTR with IF = 1: EV_INTR is RFLAGS.IF's bit).  A REP string
 * instruction left unfinished by a fast-path chunk keeps ev.mid_string set
 * until next_block, so such an event is delivered with RF = 1 (SDM
 * 17.3.1.1); without one it continues on the fast path.  Alignment
 * checking needs no careful path: its accesses leave the TLB fast path
 * (tlb_need) and fault in the slow path like any other.
 */
static bool careful_needed(const CpuState *cpu)
{
    uint64_t f = cpu->rflags;
    uint64_t if_bit = f | (cpu->intr_ignores_if ? RFLAGS_IF : 0);
    uint32_t waiting = cpu->ev.force & (uint32_t)(if_bit | ~(uint64_t)RFLAGS_IF);
    if (cpu->nmi_blocked)
        waiting &= ~(uint32_t)EV_NMI; /* until the IRET, which ends its block */
    if (cpu->vmx_mode == VMX_MODE_ROOT)
        waiting &= ~(uint32_t)EV_INIT; /* until VMXOFF or VM entry (SDM 23.8) */
    return waiting || (f & (RFLAGS_TF | RFLAGS_RF)) || (cpu->dr[7] & DR7_ENABLE_MASK) ||
           cpu->sti_shadow || cpu->movss_shadow;
}

/*
 * Can d change an input of careful_needed() or of cpu_events_refresh()
 * (RFLAGS.TF/RF/IF/AC, a shadow, DR7, CPL, CR0.AM)?  Near branches and ordinary
 * instructions cannot; instructions that end a block (POPF, IRET, STI, MOV
 * SS, POP SS, INT n, SYSCALL, far transfers, MOV CR, MOV DR ...) may, and
 * so may STAC/CLAC, which end no block: they change RFLAGS.AC, which
 * cpu_events_refresh() reads only at CPL 3, where they are #UD, so the rest
 * of their block runs with the same checks either way.  A new instruction
 * that changes such an input and ends no block must be listed here.
 */
static bool insn_changes_event_inputs(const DecodedInsn *d)
{
    if (d->mnemonic == ZYDIS_MNEMONIC_STAC || d->mnemonic == ZYDIS_MNEMONIC_CLAC)
        return true;
    if (!(d->flags & DI_ENDS_BLOCK))
        return false;
    bool far = d->handler == exec_jmp_far || d->handler == exec_call_far || d->handler == exec_ret_far;
    switch (d->mnemonic) {
    case ZYDIS_MNEMONIC_CALL: case ZYDIS_MNEMONIC_RET: case ZYDIS_MNEMONIC_LOOP:
    case ZYDIS_MNEMONIC_LOOPE: case ZYDIS_MNEMONIC_LOOPNE:
        return far;
    case ZYDIS_MNEMONIC_POP: /* to a segment register: only SS makes a shadow */
        return d->op[0].kind == OPK_SREG && d->op[0].reg == SEG_SS;
    case ZYDIS_MNEMONIC_MOV:
        return d->handler != exec_mov_to_sreg || d->op[0].reg == SEG_SS; /* or MOV CR */
    case ZYDIS_MNEMONIC_CLI: /* can only make the careful condition false */
    case ZYDIS_MNEMONIC_CPUID:
        return false;
    default: /* JB .. JZ are the conditional jumps, JMP and J(E/R)CXZ */
        return !(d->mnemonic >= ZYDIS_MNEMONIC_JB && d->mnemonic <= ZYDIS_MNEMONIC_JZ) || far;
    }
}

/*
 * design.md "Events at boundaries by flag", with no test on the linked path:
 * a block is linked to its successor only when none of its instructions can
 * change what careful_needed() and cpu_events_refresh() read, so those can
 * only have changed when no link is followed (after such a block, after an
 * event or a signal, on entry), and they are evaluated there.
 */
static bool block_keeps_events(const CpuState *cpu, const Block *b)
{
    const DecodedInsn *d = cpu_block_insns(cpu, b);
    for (unsigned i = 0; i < b->count; i++) {
        if (insn_changes_event_inputs(&d[i]))
            return false;
    }
    return true;
}

/* The next block: through the previous block's link when it has one.
 * *b = NULL: take the careful path. */
static SimStatus next_block(CpuState *cpu, const Block *prev, const Block **b)
{
    if (prev && (*b = cpu_cache_follow(cpu, prev)) != NULL)
        return SIM_OK;
    *b = NULL;
    cpu_events_refresh(cpu); /* RFLAGS.AC or DR7 may have changed: see block_keeps_events */
    if (careful_needed(cpu))
        return SIM_OK; /* an event between REP iterations sees mid_string (RF = 1) */
    cpu->ev.mid_string = false; /* no event: the REP string goes on at full speed */
    if (cpu_cache_lookup(cpu, b) != SIM_OK)
        return SIM_FAULT;
    if (prev && block_keeps_events(cpu, prev))
        cpu_cache_link(cpu, prev, *b);
    return SIM_OK;
}

typedef enum StringKind { STRING_NONE, STRING_PLAIN, STRING_COMPARE, STRING_IO } StringKind;

static StringKind string_kind(const DecodedInsn *d)
{
    switch (d->mnemonic) {
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSD:
    case ZYDIS_MNEMONIC_MOVSQ: case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW:
    case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ: case ZYDIS_MNEMONIC_LODSB:
    case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_LODSQ:
        return STRING_PLAIN;
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSD:
    case ZYDIS_MNEMONIC_CMPSQ: case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW:
    case ZYDIS_MNEMONIC_SCASD: case ZYDIS_MNEMONIC_SCASQ:
        return STRING_COMPARE;
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
        return STRING_IO;
    default:
        return STRING_NONE;
    }
}

/*
 * One iteration of a REP string instruction (SDM 17.3.1.4: single-step traps
 * after each iteration; 17.3.1.2: data breakpoints after the iteration that
 * made the access, I/O breakpoints of REP INS/OUTS after the first).  The REP
 * loop (string_repeat.h) runs while the count is nonzero, so a count of 1
 * runs exactly one iteration; the real count, less one, is put back after.
 * The termination rules are those of SDM Vol. 2 REP/REPE/REPNE.
 */
static SimStatus string_once(CpuState *cpu, const DecodedInsn *d, StringKind kind, bool *iterated)
{
    uint64_t mask = size_mask(d->addrsize), rcx = cpu->gpr[GPR_RCX], count = rcx & mask;
    *iterated = count != 0;
    if (count <= 1)
        return d->handler(cpu, d);
    cpu->gpr[GPR_RCX] = (rcx & ~mask) | 1;
    SimStatus st = d->handler(cpu, d);
    if (st != SIM_OK) { /* a faulting iteration leaves the count as it was (string_repeat.h) */
        cpu->gpr[GPR_RCX] = d->addrsize == 4 ? (uint32_t)rcx : rcx;
        return st;
    }
    count -= 1;
    cpu->gpr[GPR_RCX] = d->addrsize == 4 ? count : ((rcx & ~mask) | count);
    if (kind == STRING_COMPARE && flags_zf(cpu) != ((d->prefix & PFX_REP) != 0))
        return SIM_OK; /* REPE stops on ZF = 0, REPNE on ZF = 1 */
    return SIM_REPEAT;
}

static SimStatus execute_once(CpuState *cpu, const DecodedInsn *d)
{
    StringKind kind = string_kind(d);
    bool iterated = true;
    if (kind == STRING_NONE)
        return d->handler(cpu, d);
    SimStatus st = (d->prefix & (PFX_REP | PFX_REPNE)) ? string_once(cpu, d, kind, &iterated)
                                                        : d->handler(cpu, d);
    /* SDM 17.3.1.2: INS and OUTS meet I/O breakpoints at port DX. */
    if (kind == STRING_IO && iterated && (st == SIM_OK || st == SIM_REPEAT))
        cpu_dr_note_io(cpu, (uint16_t)cpu->gpr[GPR_RDX], d->opsize);
    return st;
}

/* One instruction with the boundary bookkeeping around it (events.h).
 * *go_on: the instruction completed or did one iteration, so the block goes
 * on (after a fault was delivered, RIP is the handler's). */
static SimStatus careful_insn(CpuState *cpu, const DecodedInsn *d, bool *go_on)
{
    uint64_t rip = cpu->RIP;
    InsnEntry e = cpu_events_before(cpu);
    cpu->RIP = rip + d->len;
    SimStatus st = execute_once(cpu, d);
    cpu_events_after(cpu, d, &e, st);
    *go_on = st == SIM_OK || st == SIM_REPEAT;
    if (SIM_LIKELY(st == SIM_OK)) {
        cpu->insns++;
        cpu->cycles += d->cycles;
        return SIM_OK;
    }
    return after_handler(cpu, d, rip, st);
}

/*
 * Run a block one instruction at a time, the boundary events (SDM 6.9 Table
 * 6-2, classes 4-7) evaluated before each; they come before the fetch of the
 * next instruction (class 8), so before the block lookup.  Returns after an
 * event is delivered, after the block, or when a signal is pending.
 */
static SimStatus run_careful(CpuState *cpu, uint64_t budget)
{
    const Block *b;
    bool taken;
    SimStatus st = cpu->activity != ACTIVITY_ACTIVE ? cpu_events_halted(cpu) : SIM_OK;
    if (st != SIM_OK)
        return st;
    st = cpu_events_boundary(cpu, &taken);
    if (st != SIM_OK || taken)
        return st;
    if (cpu_cache_lookup(cpu, &b) != SIM_OK)
        return cpu_events_deliver_fault(cpu);
    const DecodedInsn *d = cpu_block_insns(cpu, b);
    unsigned n = b->count < budget ? b->count : (unsigned)budget;
    for (unsigned i = 0;;) {
        bool go_on;
        st = careful_insn(cpu, d + i, &go_on);
        if (st != SIM_OK || !go_on || cpu->signals->pending)
            return st;
        if (!cpu->ev.mid_string && ++i == n)
            return SIM_OK;
        st = cpu_events_boundary(cpu, &taken);
        if (st != SIM_OK || taken)
            return st;
    }
}

/* Signals raised during the last block (sim/devices/signals.h). */
static SimStatus take_signals(CpuState *cpu)
{
    Signals *s = cpu->signals;
    s->pending &= ~(uint32_t)SIGNAL_CODE_WRITE;
    if (s->pending & SIGNAL_INTR) {
        s->pending &= ~(uint32_t)SIGNAL_INTR;
        cpu_events_sample(cpu);
    }
    return (s->pending & (SIGNAL_STOP | SIGNAL_DEBUG | SIGNAL_CLOCK)) ? SIM_STOP : SIM_OK;
}

SimStatus cpu_run(CpuState *cpu, uint64_t budget)
{
    uint64_t end = cpu->insns + budget;
    const Block *prev = NULL;
    if (SIM_UNLIKELY(cpu->signals->pending & SIGNAL_INTR)) {
        cpu->signals->pending &= ~(uint32_t)SIGNAL_INTR;
        cpu_events_sample(cpu); /* lines that changed between runs */
    }
    while (cpu->insns < end) {
        const Block *b = NULL;
        SimStatus st = SIM_OK;
        if (SIM_LIKELY(cpu->activity == ACTIVITY_ACTIVE))
            st = next_block(cpu, prev, &b);
        prev = NULL;
        if (SIM_UNLIKELY(st != SIM_OK)) {
            st = cpu_events_deliver_fault(cpu);
        } else if (SIM_UNLIKELY(!b) || SIM_UNLIKELY(cpu->cycles + b->cycles > cpu->deadline)) {
            /* also a halted CPU, and a block during which a timer falls due (cpu.h deadline) */
            st = run_careful(cpu, end - cpu->insns);
        } else {
            uint64_t before = cpu->insns;
            st = run_block(cpu, b, end - cpu->insns);
            /* Link only after a block that ran to its end without an event. */
            if (st == SIM_OK && cpu->insns - before == b->count && !cpu->signals->pending)
                prev = b;
        }
        if (SIM_UNLIKELY(st != SIM_OK))
            return st;
        if (SIM_UNLIKELY(cpu->signals->pending) && take_signals(cpu) == SIM_STOP)
            return SIM_STOP;
    }
    return SIM_OK;
}
