/* Call gates; see call_gate.h. */
#include "sim/cpu/call_gate.h"

#include "sim/cpu/access.h"
#include "sim/cpu/branch.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/stack.h"

/* The fields of a call gate (SDM 5.8.3 Figure 5-8 "Call-Gate Descriptor",
 * 5.8.3.1 Figure 5-9 "Call-Gate Descriptor in IA-32e Mode"). */
typedef struct CallGate {
    uint16_t sel;    /* the gate's own selector */
    uint16_t cs_sel; /* the target code segment */
    uint64_t offset; /* the entry point */
    unsigned size;   /* 2, 4 or 8: the gate's width, the size of every push */
    unsigned params; /* parameter count (16- and 32-bit gates) */
    unsigned dpl;
    bool present;
} CallGate;

/* The target code segment: its descriptor and segment cache. */
typedef struct GateTarget {
    Descriptor desc;
    Segment cs;
} GateTarget;

/* In IA-32e mode the gate is 16 bytes: both halves within the table
 * (#GP(gate)) and the upper half's type field 0 (#GP(gate), 5.8.3.1). */
static SimStatus read_gate(CpuState *cpu, uint16_t sel, const Descriptor *d, CallGate *g)
{
    uint64_t lo = d->lo;
    bool gate16 = ((lo >> 40) & 0xf) == DESC_CALL_GATE16;
    *g = (CallGate){sel, (uint16_t)(lo >> 16), (lo & 0xffff) | ((lo >> 32) & 0xffff0000u),
                    gate16 ? 2u : 4u, (unsigned)(lo >> 32) & 0x1f, (unsigned)(lo >> 45) & 3,
                    (lo >> 47) & 1};
    if (gate16)
        g->offset &= 0xffff;
    if (!(cpu->efer & EFER_LMA))
        return SIM_OK;
    Descriptor wide;
    if (cpu_read_descriptor(cpu, sel, true, &wide) != SIM_OK)
        return SIM_FAULT;
    if ((wide.hi >> 40) & 0x1f)
        return cpu_raise(cpu, EXC_GP, sel & 0xfffcu);
    g->offset |= (wide.hi & 0xffffffffu) << 32;
    g->size = 8;
    g->params = 0; /* 5.8.3.1: no parameter copying */
    return SIM_OK;
}

/* 5.8.4 Table 5-1 "Privilege Check Rules for Call Gates": CPL <= gate DPL
 * and RPL <= gate DPL (#GP(gate)); the gate present (#NP(gate)). */
static SimStatus check_gate(CpuState *cpu, const CallGate *g)
{
    if (g->dpl < cpu->cpl || g->dpl < (g->sel & 3u))
        return cpu_raise(cpu, EXC_GP, g->sel & 0xfffcu);
    if (!g->present)
        return cpu_raise(cpu, EXC_NP, g->sel & 0xfffcu);
    return SIM_OK;
}

/* The gate's code segment: a null selector is #GP(0); then a code segment
 * with DPL <= CPL (for JMP a nonconforming one needs DPL = CPL, Table 5-1),
 * 64-bit (L = 1, D = 0) in IA-32e mode (5.8.3.1), else #GP(selector);
 * present, else #NP(selector). */
static SimStatus check_target(CpuState *cpu, const CallGate *g, bool call, GateTarget *t)
{
    uint32_t err = g->cs_sel & 0xfffcu;
    if (err == 0)
        return cpu_raise_gp0(cpu);
    if (cpu_read_descriptor(cpu, g->cs_sel, false, &t->desc) != SIM_OK)
        return SIM_FAULT;
    t->cs = cpu_descriptor_to_segment(&t->desc, g->cs_sel, false);
    unsigned dpl = seg_dpl(&t->cs);
    bool conforming = t->cs.ar & 0x4;
    if (!(t->cs.ar & AR_S) || !(t->cs.ar & AR_TYPE_CODE) || dpl > cpu->cpl ||
        (!call && !conforming && dpl != cpu->cpl))
        return cpu_raise(cpu, EXC_GP, err);
    if ((cpu->efer & EFER_LMA) && (!(t->cs.ar & AR_L) || (t->cs.ar & AR_DB)))
        return cpu_raise(cpu, EXC_GP, err);
    if (!(t->cs.ar & AR_P))
        return cpu_raise(cpu, EXC_NP, err);
    return SIM_OK;
}

/* The entry point: canonical for a 64-bit gate, within the CS limit
 * otherwise; #GP(0) if not. */
static SimStatus check_entry(CpuState *cpu, const CallGate *g, const GateTarget *t)
{
    bool ok = g->size == 8 ? cpu_is_canonical(cpu, g->offset) : g->offset <= t->cs.limit;
    return ok ? SIM_OK : cpu_raise_gp0(cpu);
}

/* Load CS (RPL = the new CPL, SDM Vol. 2 "CS(RPL) <- CPL") and the entry point. */
static void enter(CpuState *cpu, const CallGate *g, const GateTarget *t, unsigned cpl)
{
    cpu_load_code_segment(cpu, &t->desc, g->cs_sel, cpl);
    cpu->RIP = g->offset;
}

/* JMP through a call gate: no stack change, CPL unchanged. */
static SimStatus jump_gate(CpuState *cpu, const CallGate *g, const GateTarget *t)
{
    if (check_entry(cpu, g, t) != SIM_OK || cpu_set_descriptor_accessed(cpu, g->cs_sel) != SIM_OK)
        return SIM_FAULT;
    enter(cpu, g, t, cpu->cpl);
    return SIM_OK;
}

/* Vol. 2 CALL "SAME-PRIVILEGE": CS and the return address pushed with the
 * gate's size on the current stack (#SS(0) without room), then the entry
 * point is checked. */
static SimStatus call_same(CpuState *cpu, const CallGate *g, const GateTarget *t)
{
    StackRef st = cpu_current_stack(cpu);
    if (cpu_stack_ref_room(cpu, &st, 2 * g->size) != SIM_OK || check_entry(cpu, g, t) != SIM_OK ||
        cpu_set_descriptor_accessed(cpu, g->cs_sel) != SIM_OK)
        return SIM_FAULT;
    if (cpu_stack_ref_push(cpu, &st, g->size, cpu->seg[SEG_CS].selector) != SIM_OK ||
        cpu_stack_ref_push(cpu, &st, g->size, cpu->RIP) != SIM_OK)
        return SIM_FAULT;
    cpu->gpr[GPR_RSP] = st.sp;
    enter(cpu, g, t, cpu->cpl);
    return SIM_OK;
}

/* 5.8.5 Figure 5-13 "Stack Switching During an Interprivilege-Level
 * Call": the parameters, read from the caller's stack at the caller's
 * privilege. */
static SimStatus read_params(CpuState *cpu, const CallGate *g, uint64_t *param)
{
    uint64_t mask = size_mask(stack_addr_size(cpu));
    for (unsigned i = 0; i < g->params; i++) {
        uint64_t at = (cpu->gpr[GPR_RSP] + i * g->size) & mask;
        if (cpu_mem_read(cpu, SEG_SS, at, g->size, &param[i]) != SIM_OK)
            return SIM_FAULT;
    }
    return SIM_OK;
}

/* The new stack gets the caller's SS and (E/R)SP, the parameters in their
 * original order, then CS and the return address. */
static SimStatus push_frame(CpuState *cpu, const CallGate *g, StackRef *st, const uint64_t *param)
{
    unsigned z = g->size;
    if (cpu_stack_ref_push(cpu, st, z, cpu->seg[SEG_SS].selector) != SIM_OK ||
        cpu_stack_ref_push(cpu, st, z, cpu->gpr[GPR_RSP]) != SIM_OK)
        return SIM_FAULT;
    for (unsigned i = g->params; i-- > 0;) {
        if (cpu_stack_ref_push(cpu, st, z, param[i]) != SIM_OK)
            return SIM_FAULT;
    }
    if (cpu_stack_ref_push(cpu, st, z, cpu->seg[SEG_CS].selector) != SIM_OK ||
        cpu_stack_ref_push(cpu, st, z, cpu->RIP) != SIM_OK)
        return SIM_FAULT;
    return SIM_OK;
}

/* Vol. 2 CALL "MORE-PRIVILEGE" (5.8.5): the stack for the new CPL from the
 * TSS (cpu_inner_stack: #TS/#SS), room for the parameters plus four slots
 * (#SS(SS)), the entry point (#GP(0)); only then SS:ESP and CS:EIP change.
 * 5.8.5.1 "Stack Switching in 64-bit Mode": RSP from the TSS, SS null. */
static SimStatus call_inner(CpuState *cpu, const CallGate *g, const GateTarget *t)
{
    unsigned dpl = seg_dpl(&t->cs);
    uint64_t param[32];
    StackRef st;
    if (cpu_inner_stack(cpu, dpl, 0, &st) != SIM_OK ||
        cpu_stack_ref_room(cpu, &st, (g->params + 4) * g->size) != SIM_OK ||
        check_entry(cpu, g, t) != SIM_OK || read_params(cpu, g, param) != SIM_OK ||
        cpu_set_descriptor_accessed(cpu, g->cs_sel) != SIM_OK ||
        push_frame(cpu, g, &st, param) != SIM_OK)
        return SIM_FAULT;
    cpu->seg[SEG_SS] = st.ss;
    cpu->gpr[GPR_RSP] = st.sp;
    enter(cpu, g, t, dpl);
    return SIM_OK;
}

SimStatus cpu_call_gate(CpuState *cpu, uint16_t sel, const Descriptor *desc, bool call)
{
    CallGate g;
    GateTarget t;
    if (read_gate(cpu, sel, desc, &g) != SIM_OK || check_gate(cpu, &g) != SIM_OK ||
        check_target(cpu, &g, call, &t) != SIM_OK)
        return SIM_FAULT;
    if (!call)
        return jump_gate(cpu, &g, &t);
    /* 5.8.5: only CALL to a more privileged nonconforming segment switches stacks. */
    if (!(t.cs.ar & 0x4) && seg_dpl(&t.cs) < cpu->cpl)
        return call_inner(cpu, &g, &t);
    return call_same(cpu, &g, &t);
}
