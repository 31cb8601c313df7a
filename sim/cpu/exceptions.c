/* Exception and interrupt delivery, SDM Vol. 3A chapter 6, 20.1.4 (real
 * mode) and 20.3 (out of virtual-8086 mode); task gates go to task_switch.c. */
#include "sim/cpu/exceptions.h"

#include "sim/cpu/access.h"
#include "sim/cpu/branch.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/segmentation.h"
#include "sim/cpu/task_switch.h"
#include "sim/cpu/vmx_hooks.h"

/* Where the delivery is going: gate contents and the frame to push. */
typedef struct Delivery {
    unsigned vector;
    EventKind kind;
    bool has_error;
    uint32_t error;
    uint32_t ext; /* EXT bit for error codes of faults during delivery (SDM 6.13) */
    bool committed; /* out: a task gate's switch passed its commit point */
} Delivery;

static SimStatus idt_fault(CpuState *cpu, const Delivery *v)
{
    /* SDM 6.13: IDT bit (1) set, EXT from the event being delivered. */
    return cpu_raise(cpu, EXC_GP, v->vector * 8 + 2 + v->ext);
}

/* SDM 20.1.4 "Interrupt and Exception Handling" in real-address mode. */
static SimStatus deliver_real(CpuState *cpu, const Delivery *v)
{
    uint64_t entry;
    if (v->vector * 4 + 3 > cpu->idtr.limit)
        return cpu_raise(cpu, EXC_GP, 0);
    if (cpu_lin_read_slow(cpu, cpu->idtr.base + v->vector * 4, 4, &entry, true) != SIM_OK)
        return SIM_FAULT;
    StackRef st = cpu_current_stack(cpu);
    uint64_t flags = cpu_get_rflags(cpu);
    if (cpu_stack_ref_push(cpu, &st, 2, flags) != SIM_OK ||
        cpu_stack_ref_push(cpu, &st, 2, cpu->seg[SEG_CS].selector) != SIM_OK ||
        cpu_stack_ref_push(cpu, &st, 2, cpu->RIP) != SIM_OK)
        return SIM_FAULT;
    cpu->gpr[GPR_RSP] = st.sp;
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
                           type == DESC_INT_GATE16 || type == DESC_TRAP_GATE16 ||
                           type == DESC_TASK_GATE);
    if (!ok || (gate & (UINT64_C(1) << 44)))
        return idt_fault(cpu, v); /* SDM 6.14.1: IA-32e mode has no task gates */
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
static SimStatus tss_read(CpuState *cpu, const Delivery *v, unsigned offset, unsigned size,
                          uint64_t *value)
{
    const Segment *tr = &cpu->seg[SEG_TR];
    if (offset + size - 1 > tr->limit)
        return cpu_raise(cpu, EXC_TS, (tr->selector & 0xfffcu) | v->ext);
    return cpu_lin_read_slow(cpu, tr->base + offset, size, value, true);
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
    uint64_t rsp = cpu->gpr[GPR_RSP];
    bool switch_stack = dpl < cpu->cpl;
    if (ist && tss_read(cpu, v, 36 + 8 * (ist - 1), 8, &rsp) != SIM_OK)
        return SIM_FAULT;
    if (!ist && switch_stack && tss_read(cpu, v, 4 + 8 * dpl, 8, &rsp) != SIM_OK)
        return SIM_FAULT;
    if (!cpu_is_canonical(cpu, target))
        return cpu_raise(cpu, EXC_GP, v->ext);
    uint64_t flags = cpu_get_rflags(cpu), frame[6];
    Segment new_ss = {(uint16_t)dpl, 0, AR_UNUSABLE | (dpl << AR_DPL_SHIFT), 0};
    StackRef st = {new_ss, rsp & ~UINT64_C(0xf), true, 0};
    unsigned n = 0;
    frame[n++] = cpu->seg[SEG_SS].selector;
    frame[n++] = cpu->gpr[GPR_RSP];
    frame[n++] = flags;
    frame[n++] = cpu->seg[SEG_CS].selector;
    frame[n++] = cpu->RIP;
    if (v->has_error)
        frame[n++] = v->error;
    for (unsigned i = 0; i < n; i++) {
        if (cpu_stack_ref_push(cpu, &st, 8, frame[i]) != SIM_OK)
            return SIM_FAULT;
    }
    if (switch_stack) /* SDM 6.14.4: SS is loaded with a null selector, RPL = new CPL */
        cpu->seg[SEG_SS] = new_ss;
    cpu->gpr[GPR_RSP] = st.sp;
    bool intr_gate = ((gate->lo >> 40) & 0xf) == DESC_INT_GATE32;
    cpu_set_rflags(cpu, flags & ~(uint64_t)(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM |
                                           (intr_gate ? RFLAGS_IF : 0)));
    cpu_load_code_segment(cpu, &cd, sel, dpl);
    cpu->RIP = target;
    return SIM_OK;
}

/* The protected-mode frame (SDM 6.12.1 Figure 6-4 "Stack Usage on
 * Transfers to Interrupt and Exception-Handling Routines"; 20.3.1.1 Figure
 * 20-4 from virtual-8086 mode): GS, FS, DS, ES when leaving virtual-8086
 * mode, SS and ESP on a stack switch, then EFLAGS, CS, EIP, the error code;
 * each slot is the gate's size. */
static SimStatus push_protected_frame(CpuState *cpu, const Delivery *v, StackRef *st,
                                      unsigned size, bool switched, uint64_t flags)
{
    uint64_t frame[10];
    unsigned n = 0;
    if (cpu->mode == MODE_V86) {
        frame[n++] = cpu->seg[SEG_GS].selector;
        frame[n++] = cpu->seg[SEG_FS].selector;
        frame[n++] = cpu->seg[SEG_DS].selector;
        frame[n++] = cpu->seg[SEG_ES].selector;
    }
    if (switched) {
        frame[n++] = cpu->seg[SEG_SS].selector;
        frame[n++] = cpu->gpr[GPR_RSP];
    }
    frame[n++] = flags;
    frame[n++] = cpu->seg[SEG_CS].selector;
    frame[n++] = cpu->RIP;
    if (v->has_error)
        frame[n++] = v->error;
    for (unsigned i = 0; i < n; i++) {
        if (cpu_stack_ref_push(cpu, st, size, frame[i]) != SIM_OK)
            return SIM_FAULT;
    }
    return SIM_OK;
}

/* Leaving virtual-8086 mode: "GS <- 0; FS <- 0; DS <- 0; ES <- 0" (SDM
 * Vol. 2 INT n), null selectors, unusable in protected mode. */
static void null_data_segments(CpuState *cpu)
{
    static const unsigned data[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(data); i++)
        cpu->seg[data[i]] = (Segment){0, 0, AR_UNUSABLE, 0};
}

/* SDM 6.12.1 "Exception- or Interrupt-Handler Procedures": a more
 * privileged nonconforming handler runs on the stack for its privilege
 * from the TSS (cpu_inner_stack: #TS/#SS with EXT); the entry point must be
 * within the CS limit (#GP(EXT)).  From virtual-8086 mode (SDM 20.3.1.1 and
 * Vol. 2 INT n "INTERRUPT-FROM-VIRTUAL-8086-MODE") the handler must be
 * nonconforming with DPL 0, else #GP(selector + EXT); ES, DS, FS and GS
 * are pushed, then loaded with null selectors. */
static SimStatus deliver_protected(CpuState *cpu, const Delivery *v, const Descriptor *gate)
{
    Descriptor cd;
    unsigned dpl, type = (gate->lo >> 40) & 0xf, size = (type & 8) ? 4 : 2;
    uint16_t sel = (uint16_t)(gate->lo >> 16);
    uint64_t target = (gate->lo & 0xffff) | ((gate->lo >> 32) & 0xffff0000u);
    uint64_t flags = cpu_get_rflags(cpu);
    bool v86 = cpu->mode == MODE_V86;
    if (size == 2)
        target &= 0xffff;
    if (gate_target(cpu, v, sel, false, &cd, &dpl) != SIM_OK)
        return SIM_FAULT;
    if (v86 && dpl != 0)
        return cpu_raise(cpu, EXC_GP, (sel & 0xfffcu) | v->ext);
    bool switched = dpl < cpu->cpl;
    StackRef st = cpu_current_stack(cpu);
    if (switched && cpu_inner_stack(cpu, dpl, v->ext, &st) != SIM_OK)
        return SIM_FAULT;
    if (target > cpu_descriptor_to_segment(&cd, sel, false).limit)
        return cpu_raise(cpu, EXC_GP, v->ext);
    if (push_protected_frame(cpu, v, &st, size, switched, flags) != SIM_OK)
        return SIM_FAULT;
    if (v86)
        null_data_segments(cpu);
    cpu->seg[SEG_SS] = st.ss;
    cpu->gpr[GPR_RSP] = st.sp;
    bool intr_gate = type == DESC_INT_GATE32 || type == DESC_INT_GATE16;
    cpu_set_rflags(cpu, flags & ~(uint64_t)(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM |
                                           (intr_gate ? RFLAGS_IF : 0)));
    cpu_load_code_segment(cpu, &cd, sel, dpl);
    cpu->RIP = target;
    return SIM_OK;
}

/* SDM 6.12.2 "Interrupt Tasks": a task gate switches to the handler task
 * with nesting; the error code goes on the new task's stack. */
static SimStatus deliver_task_gate(CpuState *cpu, Delivery *v, const Descriptor *gate)
{
    return cpu_task_gate_event(cpu, (uint16_t)(gate->lo >> 16), v->ext, v->has_error, v->error,
                               &v->committed);
}

static SimStatus deliver(CpuState *cpu, Delivery *v)
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
    if (long_mode)
        return deliver_long(cpu, v, &gate);
    if (((gate.lo >> 40) & 0xf) == DESC_TASK_GATE)
        return deliver_task_gate(cpu, v, &gate);
    return deliver_protected(cpu, v, &gate);
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

/* SDM 25.2 "Other Causes of VM Exits": in VMX non-root operation an
 * exception may cause a VM exit (the exception bitmap) instead of its
 * delivery, and a triple fault always does.  SIM_OK: deliver as usual. */
static SimStatus vmx_event(CpuState *cpu, VmxEventType type, const Delivery *v,
                           const Delivery *during)
{
    if (SIM_LIKELY(!cpu_vmx_nonroot(cpu)))
        return SIM_OK;
    VmxEvent e = {(uint8_t)type, (uint8_t)v->vector, v->has_error, v->error, 0}, first;
    if (during)
        first = (VmxEvent){VMX_EVENT_EXCEPTION, (uint8_t)during->vector, during->has_error,
                           during->error, 0};
    return cpu->vmx_ops->event(cpu, &e, during ? &first : NULL);
}

/* The end of a double-fault chain: SDM 6.15 "Interrupt 8": shutdown; in VMX
 * non-root operation a VM exit (SDM 25.2). */
static SimStatus triple_fault(CpuState *cpu, const Delivery *v)
{
    if (vmx_event(cpu, VMX_EVENT_TRIPLE_FAULT, v, NULL) == SIM_VMEXIT)
        return SIM_VMEXIT;
    cpu->activity = ACTIVITY_SHUTDOWN;
    return SIM_SHUTDOWN;
}

SimStatus cpu_deliver_fault(CpuState *cpu)
{
    /* SDM 6.13 "Error Code": EXT is set for faults during the delivery of an
     * event external to the program, "such as an interrupt or an earlier
     * exception"; only INT n / INT3 / INTO deliver with EXT = 0. */
    Delivery v = {cpu->fault.vector, EVENT_FAULT, cpu->fault.has_error, cpu->fault.error, 1, false};
    /* Delivery can only raise contributory faults and #PF, so the chain ends in
     * #DF and then shutdown within a few steps; the bound is a safety net. */
    Delivery prev = v;
    for (unsigned attempt = 0; attempt < 8; attempt++) {
        SimStatus st = vmx_event(cpu, VMX_EVENT_EXCEPTION, &v, attempt ? &prev : NULL);
        if (st != SIM_OK)
            return st;
        if (v.vector == EXC_PF)
            cpu->cr2 = cpu->fault.address; /* SDM 6.15 "#PF": CR2 holds the faulting address */
        if (deliver(cpu, &v) == SIM_OK)
            return SIM_OK;
        PendingFault second = cpu->fault;
        if (v.vector == EXC_DF) /* SDM 6.15 "#DF": a fault during #DF delivery */
            return triple_fault(cpu, &v);
        prev = v;
        if (causes_double_fault(v.vector, second.vector)) {
            v = (Delivery){EXC_DF, EVENT_FAULT, true, 0, 1, false};
            cpu->fault = (PendingFault){EXC_DF, true, 0, 0};
        } else {
            /* The second exception is handled serially (SDM 6.15 Table 6-5). */
            v = (Delivery){second.vector, EVENT_FAULT, second.has_error, second.error, 1, false};
        }
    }
    return triple_fault(cpu, &v);
}

SimStatus cpu_deliver_event(CpuState *cpu, unsigned vector, EventKind kind)
{
    Delivery v = {vector, kind, false, 0, kind == EVENT_EXTERNAL, false};
    if (deliver(cpu, &v) == SIM_OK)
        return SIM_OK;
    /* A fault after a task switch's commit point belongs to the new task
     * (SDM 7.3).  INT n's handler would have the loop restore RIP to the
     * INT, so it is delivered here, in the new task; for every other fault
     * (and for external events, whose caller does not touch RIP) the
     * caller delivers cpu->fault. */
    if (v.committed && kind == EVENT_SOFT_INT)
        return cpu_events_deliver_fault(cpu);
    return SIM_FAULT;
}
