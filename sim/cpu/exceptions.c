/* Exception and interrupt delivery, SDM Vol. 3A chapter 6 and 20.1.4 (real mode). */
#include "sim/cpu/exceptions.h"

#include "sim/cpu/access.h"
#include "sim/cpu/branch.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/segmentation.h"

/* Where the delivery is going: gate contents and the frame to push. */
typedef struct Delivery {
    unsigned vector;
    EventKind kind;
    bool has_error;
    uint32_t error;
    uint32_t ext; /* EXT bit for error codes of faults during delivery (SDM 6.13) */
} Delivery;

static SimStatus idt_fault(CpuState *cpu, const Delivery *v)
{
    /* SDM 6.13: IDT bit (1) set, EXT from the event being delivered. */
    return cpu_raise(cpu, EXC_GP, v->vector * 8 + 2 + v->ext);
}

/* Push for a delivery frame: implicit supervisor access on the new stack. */
static SimStatus push_frame(CpuState *cpu, uint64_t *sp, unsigned size, uint64_t value,
                            const Segment *ss, bool long_mode)
{
    *sp -= size;
    if (!long_mode) {
        *sp &= (ss->ar & AR_DB) ? 0xffffffffu : 0xffffu;
        if (*sp > ss->limit || *sp + size - 1 > ss->limit) /* expand-up stacks only */
            return cpu_raise(cpu, EXC_SS, 0);
        return cpu_lin_write_slow(cpu, (ss->base + *sp) & 0xffffffffu, size, value, true);
    }
    if (!cpu_is_canonical(cpu, *sp))
        return cpu_raise(cpu, EXC_SS, 0);
    return cpu_lin_write_slow(cpu, *sp, size, value, true);
}

/* SDM 20.1.4 "Interrupt and Exception Handling" in real-address mode. */
static SimStatus deliver_real(CpuState *cpu, const Delivery *v)
{
    uint64_t entry;
    if (v->vector * 4 + 3 > cpu->idtr.limit)
        return cpu_raise(cpu, EXC_GP, 0);
    if (cpu_lin_read_slow(cpu, cpu->idtr.base + v->vector * 4, 4, &entry, true) != SIM_OK)
        return SIM_FAULT;
    Segment *ss = &cpu->seg[SEG_SS];
    uint64_t sp = cpu->gpr[REG_RSP] & 0xffff;
    uint64_t flags = cpu_get_rflags(cpu);
    if (push_frame(cpu, &sp, 2, flags, ss, false) != SIM_OK ||
        push_frame(cpu, &sp, 2, cpu->seg[SEG_CS].selector, ss, false) != SIM_OK ||
        push_frame(cpu, &sp, 2, cpu->RIP, ss, false) != SIM_OK)
        return SIM_FAULT;
    cpu->gpr[REG_RSP] = (cpu->gpr[REG_RSP] & ~UINT64_C(0xffff)) | sp;
    cpu_set_rflags(cpu, flags & ~(uint64_t)(RFLAGS_IF | RFLAGS_TF | RFLAGS_AC));
    cpu_load_real_segment(cpu, SEG_CS, (uint16_t)(entry >> 16));
    cpu->RIP = entry & 0xffff;
    return SIM_OK;
}

/* Gate checks common to protected and IA-32e mode (SDM 6.12.1.1, 6.14.1). */
static SimStatus check_gate(CpuState *cpu, const Delivery *v, uint64_t gate, bool long_mode)
{
    unsigned type = (gate >> 40) & 0xf, dpl = (gate >> 45) & 3;
    bool ok = long_mode ? (type == DESC_INT_GATE32 || type == DESC_TRAP_GATE32)
                        : (type == DESC_INT_GATE32 || type == DESC_TRAP_GATE32 ||
                           type == DESC_INT_GATE16 || type == DESC_TRAP_GATE16);
    if (!ok || (gate & (UINT64_C(1) << 44)))
        return idt_fault(cpu, v); /* task gates: see docs (hardware task switching) */
    if (v->kind == EVENT_SOFT_INT && dpl < cpu->cpl)
        return cpu_raise(cpu, EXC_GP, v->vector * 8 + 2);
    if (!(gate & (UINT64_C(1) << 47)))
        return cpu_raise(cpu, EXC_NP, v->vector * 8 + 2 + v->ext);
    return SIM_OK;
}

/* The handler's code segment: present, code, DPL <= CPL (SDM 6.12.1.1). */
static SimStatus gate_target(CpuState *cpu, const Delivery *v, uint16_t sel, bool long_mode,
                             Descriptor *d, unsigned *dpl)
{
    if ((sel & 0xfffc) == 0)
        return cpu_raise(cpu, EXC_GP, v->ext);
    if (cpu_read_descriptor(cpu, sel, false, d) != SIM_OK)
        return SIM_FAULT;
    Segment cs = cpu_descriptor_to_segment(d, sel, false);
    *dpl = seg_dpl(&cs);
    bool conforming = cs.ar & 0x4;
    if (!(cs.ar & AR_S) || !(cs.ar & AR_TYPE_CODE) || *dpl > cpu->cpl ||
        (long_mode && (!(cs.ar & AR_L) || (cs.ar & AR_DB))))
        return cpu_raise(cpu, EXC_GP, (sel & 0xfffc) + v->ext);
    if (!(cs.ar & AR_P))
        return cpu_raise(cpu, EXC_NP, (sel & 0xfffc) + v->ext);
    if (conforming)
        *dpl = cpu->cpl;
    return SIM_OK;
}

/* Read a stack pointer from the current TSS at `offset`. */
static SimStatus tss_read(CpuState *cpu, unsigned offset, unsigned size, uint64_t *v)
{
    const Segment *tr = &cpu->seg[SEG_TR];
    if (offset + size - 1 > tr->limit)
        return cpu_raise(cpu, EXC_TS, tr->selector & 0xfffc);
    return cpu_lin_read_slow(cpu, tr->base + offset, size, v, true);
}

/* SDM 6.14.2-6.14.5: 64-bit frame, stack switch by privilege or IST, 16-byte alignment. */
static SimStatus deliver_long(CpuState *cpu, const Delivery *v, Descriptor *gate)
{
    Descriptor cd;
    unsigned dpl, ist = gate->lo >> 32 & 7;
    uint16_t sel = (uint16_t)(gate->lo >> 16);
    uint64_t target = (gate->lo & 0xffff) | ((gate->lo >> 32) & 0xffff0000u) | (gate->hi << 32);
    if (gate_target(cpu, v, sel, true, &cd, &dpl) != SIM_OK)
        return SIM_FAULT;
    uint64_t rsp = cpu->gpr[REG_RSP];
    bool switch_stack = dpl < cpu->cpl;
    if (ist && tss_read(cpu, 36 + 8 * (ist - 1), 8, &rsp) != SIM_OK)
        return SIM_FAULT;
    if (!ist && switch_stack && tss_read(cpu, 4 + 8 * dpl, 8, &rsp) != SIM_OK)
        return SIM_FAULT;
    if (!cpu_is_canonical(cpu, target))
        return cpu_raise(cpu, EXC_GP, v->ext);
    rsp &= ~UINT64_C(0xf);
    uint64_t flags = cpu_get_rflags(cpu), frame[6];
    unsigned n = 0;
    frame[n++] = cpu->seg[SEG_SS].selector;
    frame[n++] = cpu->gpr[REG_RSP];
    frame[n++] = flags;
    frame[n++] = cpu->seg[SEG_CS].selector;
    frame[n++] = cpu->RIP;
    if (v->has_error)
        frame[n++] = v->error;
    const Segment *ss = &cpu->seg[SEG_SS];
    for (unsigned i = 0; i < n; i++) {
        if (push_frame(cpu, &rsp, 8, frame[i], ss, true) != SIM_OK)
            return SIM_FAULT;
    }
    if (switch_stack) { /* SDM 6.14.4: SS is loaded with a null selector, RPL = new CPL */
        Segment *nss = &cpu->seg[SEG_SS];
        nss->selector = (uint16_t)dpl;
        nss->ar = AR_UNUSABLE | (dpl << AR_DPL_SHIFT);
        nss->base = 0;
        nss->limit = 0;
    }
    cpu->gpr[REG_RSP] = rsp;
    bool intr_gate = ((gate->lo >> 40) & 0xf) == DESC_INT_GATE32;
    cpu_set_rflags(cpu, flags & ~(uint64_t)(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM |
                                           (intr_gate ? RFLAGS_IF : 0)));
    cpu_load_code_segment(cpu, &cd, sel, dpl);
    cpu->RIP = target;
    return SIM_OK;
}

/* SDM 6.12.1: protected-mode frame, stack switch from the 32-bit TSS. */
static SimStatus deliver_protected(CpuState *cpu, const Delivery *v, const Descriptor *gate)
{
    Descriptor cd;
    unsigned dpl, type = (gate->lo >> 40) & 0xf, size = (type & 8) ? 4 : 2;
    uint16_t sel = (uint16_t)(gate->lo >> 16);
    uint64_t target = (gate->lo & 0xffff) | ((gate->lo >> 32) & 0xffff0000u);
    if (size == 2)
        target &= 0xffff;
    if (cpu->mode == MODE_V86)
        return cpu_raise(cpu, EXC_GP, v->ext); /* virtual-8086 delivery: system issue */
    if (gate_target(cpu, v, sel, false, &cd, &dpl) != SIM_OK)
        return SIM_FAULT;
    Segment ss = cpu->seg[SEG_SS];
    uint64_t sp = cpu->gpr[REG_RSP], old_sp = sp;
    uint16_t ss_sel = ss.selector;
    if (dpl < cpu->cpl) {
        uint64_t nsp, nss;
        Descriptor sd;
        if (tss_read(cpu, 4 + 8 * dpl, 4, &nsp) != SIM_OK ||
            tss_read(cpu, 8 + 8 * dpl, 2, &nss) != SIM_OK ||
            cpu_read_descriptor(cpu, (uint16_t)nss, false, &sd) != SIM_OK)
            return SIM_FAULT;
        ss = cpu_descriptor_to_segment(&sd, (uint16_t)nss, false);
        sp = nsp;
    }
    uint64_t flags = cpu_get_rflags(cpu);
    if (dpl < cpu->cpl && (push_frame(cpu, &sp, size, ss_sel, &ss, false) != SIM_OK ||
                           push_frame(cpu, &sp, size, old_sp, &ss, false) != SIM_OK))
        return SIM_FAULT;
    if (push_frame(cpu, &sp, size, flags, &ss, false) != SIM_OK ||
        push_frame(cpu, &sp, size, cpu->seg[SEG_CS].selector, &ss, false) != SIM_OK ||
        push_frame(cpu, &sp, size, cpu->RIP, &ss, false) != SIM_OK ||
        (v->has_error && push_frame(cpu, &sp, size, v->error, &ss, false) != SIM_OK))
        return SIM_FAULT;
    cpu->seg[SEG_SS] = ss;
    cpu->gpr[REG_RSP] = (ss.ar & AR_DB) ? (uint32_t)sp : ((old_sp & ~UINT64_C(0xffff)) | (sp & 0xffff));
    bool intr_gate = type == DESC_INT_GATE32 || type == DESC_INT_GATE16;
    cpu_set_rflags(cpu, flags & ~(uint64_t)(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM |
                                           (intr_gate ? RFLAGS_IF : 0)));
    cpu_load_code_segment(cpu, &cd, sel, dpl);
    cpu->RIP = target;
    return SIM_OK;
}

static SimStatus deliver(CpuState *cpu, const Delivery *v)
{
    if (cpu->mode == MODE_REAL)
        return deliver_real(cpu, v);
    bool long_mode = (cpu->efer & EFER_LMA) != 0;
    unsigned esize = long_mode ? 16 : 8;
    Descriptor gate = {0, 0};
    if (v->vector * esize + esize - 1 > cpu->idtr.limit)
        return idt_fault(cpu, v);
    uint64_t base = cpu->idtr.base + v->vector * esize;
    if (cpu_lin_read_slow(cpu, base, 8, &gate.lo, true) != SIM_OK ||
        (long_mode && cpu_lin_read_slow(cpu, base + 8, 8, &gate.hi, true) != SIM_OK))
        return SIM_FAULT;
    if (check_gate(cpu, v, gate.lo, long_mode) != SIM_OK)
        return SIM_FAULT;
    return long_mode ? deliver_long(cpu, v, &gate) : deliver_protected(cpu, v, &gate);
}

/* SDM 6.15 Table 6-4/6-5: exception classes for the double-fault rule. */
static int exc_class(unsigned vector)
{
    if (vector == EXC_PF)
        return 2;
    if (vector == EXC_DE || (vector >= EXC_TS && vector <= EXC_GP))
        return 1;
    return 0;
}

static bool causes_double_fault(unsigned first, unsigned second)
{
    int a = exc_class(first), b = exc_class(second);
    return (a == 1 && b == 1) || (a == 2 && b >= 1);
}

SimStatus cpu_deliver_fault(CpuState *cpu)
{
    Delivery v = {cpu->fault.vector, EVENT_FAULT, cpu->fault.has_error, cpu->fault.error, 0};
    /* Delivery can only raise contributory faults and #PF, so the chain ends in
     * #DF and then shutdown within a few steps; the bound is a safety net. */
    for (unsigned attempt = 0; attempt < 8; attempt++) {
        if (v.vector == EXC_PF)
            cpu->cr2 = cpu->fault.address; /* SDM 6.15 "#PF": CR2 holds the faulting address */
        if (deliver(cpu, &v) == SIM_OK)
            return SIM_OK;
        PendingFault second = cpu->fault;
        if (v.vector == EXC_DF) { /* SDM 6.15 "#DF": a fault during #DF delivery */
            cpu->activity = ACTIVITY_SHUTDOWN;
            return SIM_SHUTDOWN;
        }
        if (causes_double_fault(v.vector, second.vector)) {
            v = (Delivery){EXC_DF, EVENT_FAULT, true, 0, 1};
            cpu->fault = (PendingFault){EXC_DF, true, 0, 0};
        } else {
            /* The second exception is handled serially (SDM 6.15 Table 6-5). */
            v = (Delivery){second.vector, EVENT_FAULT, second.has_error, second.error, 1};
        }
    }
    cpu->activity = ACTIVITY_SHUTDOWN;
    return SIM_SHUTDOWN;
}

SimStatus cpu_deliver_event(CpuState *cpu, unsigned vector, EventKind kind)
{
    Delivery v = {vector, kind, false, 0, kind == EVENT_EXTERNAL};
    if (deliver(cpu, &v) == SIM_OK)
        return SIM_OK;
    return SIM_FAULT; /* the caller delivers cpu->fault */
}
