/* SDM Vol. 2 IRET/IRETD/IRETQ: real mode, protected mode and IA-32e mode
 * returns to the same or an outer privilege level.  IRET in and to
 * virtual-8086 mode is in v86.c, the nested-task return (NT = 1) in
 * task_switch.c. */
#include <string.h>

#include "sim/cpu/exceptions.h"
#include "sim/cpu/far_return.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/segmentation.h"
#include "sim/cpu/stack.h"
#include "sim/cpu/task_switch.h"
#include "sim/cpu/v86.h"
#include "sim/cpu/vmx_hooks.h"

/* Which RFLAGS bits IRET loads (SDM Vol. 2 IRET "Operation", by CPL and IOPL
 * before the return). */
static uint64_t iret_flags_mask(const CpuState *cpu, unsigned size)
{
    uint64_t mask = RFLAGS_ARITH | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT;
    unsigned iopl = (unsigned)((cpu->rflags & RFLAGS_IOPL) >> 12);
    if (size >= 4)
        mask |= RFLAGS_RF | RFLAGS_AC | RFLAGS_ID;
    if (cpu->cpl <= iopl || cpu->mode == MODE_REAL)
        mask |= RFLAGS_IF;
    if (cpu->cpl == 0 || cpu->mode == MODE_REAL) {
        mask |= RFLAGS_IOPL;
        if (size >= 4 && cpu->mode != MODE_REAL)
            mask |= RFLAGS_VIF | RFLAGS_VIP;
    }
    return mask;
}

static void load_iret_flags(CpuState *cpu, uint64_t mask, uint64_t value)
{
    cpu_set_rflags(cpu, (cpu_get_rflags(cpu) & ~mask) | (value & mask) | RFLAGS_FIXED1);
}

static SimStatus iret_real(CpuState *cpu, const DecodedInsn *d)
{
    unsigned sz = d->opsize;
    uint64_t ip, cs, fl;
    if (cpu_stack_peek(cpu, 0, sz, &ip) != SIM_OK || cpu_stack_peek(cpu, sz, 2, &cs) != SIM_OK ||
        cpu_stack_peek(cpu, 2 * sz, sz, &fl) != SIM_OK)
        return SIM_FAULT;
    if (ip > cpu->seg[SEG_CS].limit && sz == 2)
        return cpu_raise_gp0(cpu);
    uint64_t mask = iret_flags_mask(cpu, sz) & size_mask(sz);
    cpu_stack_adjust(cpu, 3 * sz);
    load_iret_flags(cpu, mask, fl);
    cpu_load_real_segment(cpu, SEG_CS, (uint16_t)cs);
    cpu->RIP = ip & size_mask(sz);
    return SIM_OK;
}

/* SDM Vol. 2 IRET "TASK-RETURN": NT = 1 returns to the previous task
 * (7.4 "Task Linking"); in IA-32e mode that is #GP(0) (7.7 "Task
 * Management in 64-bit Mode").  NMI blocking ends once the switch is
 * committed (SDM 6.7.1). */
static SimStatus iret_task(CpuState *cpu)
{
    if (cpu->efer & EFER_LMA)
        return cpu_raise_gp0(cpu);
    SimStatus st = cpu_task_return(cpu);
    if (st != SIM_FAULT)
        cpu->nmi_blocked = false;
    return st;
}

/* SDM Vol. 2 IRET "PROTECTED-MODE-RETURN" and "IA-32e-MODE-RETURN" with the
 * frame's first three slots already read. */
static SimStatus iret_protected(CpuState *cpu, unsigned sz, uint64_t rip, uint64_t cs, uint64_t fl)
{
    uint64_t rsp = 0, ss = 0;
    /* SDM: IRETQ in 64-bit mode always pops SS:RSP; otherwise only on a privilege change. */
    bool outer = (cs & 3) > cpu->cpl;
    bool pop_stack = outer || cpu->mode == MODE_LONG64;
    Descriptor desc;
    /* The return CS is checked before SS, then RSP, are read (the Intel
     * core's order; the SDM pops all five first: docs/differential-testing.md). */
    if (pop_stack && (cpu_far_return_cs(cpu, (uint16_t)cs, &desc) != SIM_OK ||
                      cpu_stack_peek(cpu, 4 * sz, 2, &ss) != SIM_OK ||
                      cpu_stack_peek(cpu, 3 * sz, sz, &rsp) != SIM_OK))
        return SIM_FAULT;
    uint64_t mask = iret_flags_mask(cpu, sz) & size_mask(sz);
    Segment saved[SEG_COUNT];
    uint64_t old_rsp = cpu->gpr[GPR_RSP];
    memcpy(saved, cpu->seg, sizeof(saved));
    cpu_stack_adjust(cpu, (pop_stack ? 5 : 3) * sz);
    if (cpu_far_return(cpu, rip, (uint16_t)cs, sz, pop_stack, rsp, (uint16_t)ss) != SIM_OK) {
        memcpy(cpu->seg, saved, sizeof(saved));
        cpu->gpr[GPR_RSP] = old_rsp;
        cpu_update_mode(cpu);
        return SIM_FAULT;
    }
    load_iret_flags(cpu, mask, fl);
    return SIM_OK;
}

static SimStatus iret(CpuState *cpu, const DecodedInsn *d)
{
    unsigned sz = d->opsize;
    uint64_t rip, cs, fl;
    if (cpu->mode == MODE_REAL)
        return iret_real(cpu, d);
    if (cpu->mode == MODE_V86)
        return cpu_v86_iret(cpu, sz);
    if (cpu->rflags & RFLAGS_NT)
        return iret_task(cpu);
    /* RFLAGS, CS, then RIP: the Intel core's order (the SDM pops RIP
     * first; docs/differential-testing.md). */
    if (cpu_stack_peek(cpu, 2 * sz, sz, &fl) != SIM_OK ||
        cpu_stack_peek(cpu, sz, 2, &cs) != SIM_OK || cpu_stack_peek(cpu, 0, sz, &rip) != SIM_OK)
        return SIM_FAULT;
    /* RETURN-TO-VIRTUAL-8086-MODE: an IRETD at CPL 0 outside IA-32e mode
     * whose EFLAGS image has VM = 1 (SDM 20.2.5). */
    bool to_v86 = sz == 4 && (fl & RFLAGS_VM) && cpu->cpl == 0 && !(cpu->efer & EFER_LMA);
    if ((to_v86 ? cpu_v86_enter_by_iret(cpu, rip, (uint16_t)cs, fl)
                : iret_protected(cpu, sz, rip, cs, fl)) != SIM_OK)
        return SIM_FAULT;
    cpu->nmi_blocked = false; /* SDM 6.7.1: IRET ends NMI blocking */
    return SIM_OK;
}

/* SDM 25.3 "Changes to Instruction Behavior in VMX Non-Root Operation",
 * IRET: the "NMI exiting" and "virtual NMIs" controls decide what IRET does
 * to blocking by NMI and to virtual-NMI blocking, also when it faults. */
SimStatus exec_iret(CpuState *cpu, const DecodedInsn *d)
{
    if (SIM_LIKELY(!cpu_vmx_nonroot(cpu)))
        return iret(cpu, d);
    uint64_t state = cpu->nmi_blocked ? 1 : 0;
    SimStatus st = iret(cpu, d);
    state |= st == SIM_FAULT ? 2 : 0;
    SimStatus vmx = cpu_vmx_intercept(cpu, d, VMX_ICPT_IRET, &state);
    return vmx != SIM_OK ? vmx : st;
}
