/*
 * Far control transfers: SDM Vol. 2 JMP/CALL/RET (far forms) and IRET, to
 * code segments in the same or (RET, IRET) an outer privilege level.  JMP
 * and CALL through call gates are in call_gate.c, to task gates and TSSs
 * (hardware task switching) in task_switch.c.
 */
#include <string.h>

#include "sim/cpu/branch.h"
#include "sim/cpu/call_gate.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/far_return.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/segmentation.h"
#include "sim/cpu/stack.h"
#include "sim/cpu/task_switch.h"

/* The far pointer of a JMP/CALL: ptr16:16/32 immediate or m16:16/32/64. */
static SimStatus far_pointer(CpuState *cpu, const DecodedInsn *d, uint16_t *sel, uint64_t *off)
{
    if (d->op[0].kind == OPK_FAR) {
        *sel = d->aux;
        *off = d->imm;
        return SIM_OK;
    }
    uint64_t ea = insn_ea(cpu, d), s;
    unsigned size = d->opsize;
    if (cpu_mem_read(cpu, d->seg, ea, size, off) != SIM_OK ||
        cpu_mem_read(cpu, d->seg, (ea + size) & size_mask(d->addrsize), 2, &s) != SIM_OK)
        return SIM_FAULT;
    *sel = (uint16_t)s;
    return SIM_OK;
}

/* SDM Vol. 2 JMP/CALL far, CONFORMING- and NONCONFORMING-CODE-SEGMENT: a
 * code segment of the current privilege (conforming: DPL <= CPL), not
 * L = D = 1 in IA-32e mode; #GP(selector), then #NP(selector). */
static SimStatus check_code_target(CpuState *cpu, uint16_t sel, const Segment *s)
{
    unsigned dpl = seg_dpl(s), rpl = sel & 3;
    bool conforming = s->ar & 0x4;
    if ((cpu->efer & EFER_LMA) && (s->ar & AR_L) && (s->ar & AR_DB))
        return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if ((conforming && dpl > cpu->cpl) || (!conforming && (rpl > cpu->cpl || dpl != cpu->cpl)))
        return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (!(s->ar & AR_P))
        return cpu_raise(cpu, EXC_NP, sel & 0xfffc);
    return SIM_OK;
}

/* Offset check against the new CS: canonical in 64-bit code, limit otherwise. */
static SimStatus check_offset(CpuState *cpu, const Segment *cs, uint64_t off)
{
    bool code64 = (cpu->efer & EFER_LMA) && (cs->ar & AR_L);
    if (code64 ? !cpu_is_canonical(cpu, off) : off > cs->limit)
        return cpu_raise_gp0(cpu);
    return SIM_OK;
}

/* A far JMP/CALL to a code segment: target checks, then (CALL) room for
 * CS and the return address (#SS(0)), the offset (#GP(0)); the pushes and
 * the load come last. */
static SimStatus far_to_code(CpuState *cpu, uint16_t sel, const Descriptor *desc, uint64_t off,
                             unsigned opsize, bool call)
{
    Segment cs = cpu_descriptor_to_segment(desc, sel, false);
    StackRef st = cpu_current_stack(cpu);
    if (check_code_target(cpu, sel, &cs) != SIM_OK)
        return SIM_FAULT;
    if (!((cpu->efer & EFER_LMA) && (cs.ar & AR_L)))
        off &= size_mask(opsize);
    if ((call && cpu_stack_ref_room(cpu, &st, 2 * opsize) != SIM_OK) ||
        check_offset(cpu, &cs, off) != SIM_OK || cpu_set_descriptor_accessed(cpu, sel) != SIM_OK)
        return SIM_FAULT;
    if (call && (cpu_stack_ref_push(cpu, &st, opsize, cpu->seg[SEG_CS].selector) != SIM_OK ||
                 cpu_stack_ref_push(cpu, &st, opsize, cpu->RIP) != SIM_OK))
        return SIM_FAULT;
    cpu->gpr[GPR_RSP] = st.sp;
    cpu_load_code_segment(cpu, desc, sel, cpu->cpl);
    cpu->RIP = off;
    return SIM_OK;
}

/* SDM Vol. 2 JMP/CALL far in protected and IA-32e mode: a null selector is
 * #GP(0), one outside its table #GP(selector).  Code segments are handled
 * here; call gates (5.8.3), task gates and TSSs (7.3) elsewhere; in IA-32e
 * mode only 64-bit call gates are allowed (7.7 "Task Management in 64-bit
 * Mode"); any other descriptor is #GP(selector). */
static SimStatus far_protected(CpuState *cpu, uint16_t sel, uint64_t off, unsigned opsize,
                               bool call)
{
    Descriptor desc;
    if ((sel & 0xfffc) == 0)
        return cpu_raise_gp0(cpu);
    if (cpu_read_descriptor(cpu, sel, false, &desc) != SIM_OK)
        return SIM_FAULT;
    unsigned type = (desc.lo >> 40) & 0xf;
    bool lma = (cpu->efer & EFER_LMA) != 0;
    if (desc.lo & (UINT64_C(1) << 44))
        return (type & AR_TYPE_CODE) ? far_to_code(cpu, sel, &desc, off, opsize, call)
                                     : cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (type == DESC_CALL_GATE32 || (!lma && type == DESC_CALL_GATE16))
        return cpu_call_gate(cpu, sel, &desc, call);
    bool task = type == DESC_TASK_GATE || type == DESC_TSS16_AVAIL || type == DESC_TSS16_BUSY ||
                type == DESC_TSS32_AVAIL || type == DESC_TSS32_BUSY;
    if (!lma && task)
        return cpu_task_far(cpu, sel, &desc, call);
    return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
}

/* Real-address and virtual-8086 mode: CS = selector (base selector * 16). */
static SimStatus far_real(CpuState *cpu, uint16_t sel, uint64_t off, unsigned opsize, bool call)
{
    uint64_t old_rsp = cpu->gpr[GPR_RSP];
    if (call && (cpu_push(cpu, opsize, cpu->seg[SEG_CS].selector) != SIM_OK ||
                 cpu_push(cpu, opsize, cpu->RIP) != SIM_OK)) {
        cpu->gpr[GPR_RSP] = old_rsp;
        return SIM_FAULT;
    }
    cpu_load_real_segment(cpu, SEG_CS, sel);
    cpu->RIP = off & size_mask(opsize);
    return SIM_OK;
}

static SimStatus far_jmp_call(CpuState *cpu, const DecodedInsn *d, bool call)
{
    uint16_t sel;
    uint64_t off;
    if (far_pointer(cpu, d, &sel, &off) != SIM_OK)
        return SIM_FAULT;
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86)
        return far_real(cpu, sel, off, d->opsize, call);
    return far_protected(cpu, sel, off, d->opsize, call);
}

SimStatus exec_jmp_far(CpuState *cpu, const DecodedInsn *d) { return far_jmp_call(cpu, d, false); }

/* SDM Vol. 2 CALL far: push CS then the return offset. */
SimStatus exec_call_far(CpuState *cpu, const DecodedInsn *d) { return far_jmp_call(cpu, d, true); }

/* Return to an outer privilege level: load SS:RSP from the stack frame and
 * null data segments the new CPL may not use (SDM Vol. 2 RET "RETURN-TO-OUTER-PRIVILEGE-LEVEL").
 * This is also the return from an inter-privilege call through a call gate
 * (SDM 5.8.6 "Returning from a Called Procedure"; RET imm16 releases the
 * copied parameters on both stacks). */
static SimStatus load_outer_stack(CpuState *cpu, uint16_t ss_sel, uint64_t rsp, unsigned cpl,
                                  bool code64)
{
    bool long_mode = (cpu->efer & EFER_LMA) != 0;
    if ((ss_sel & 0xfffc) == 0) {
        /* SDM: a null SS only for returns to 64-bit code at CPL < 3 */
        if (!long_mode || !code64 || cpl == 3)
            return cpu_raise_gp0(cpu);
        cpu->seg[SEG_SS] = (Segment){ss_sel, 0, AR_UNUSABLE | (cpl << AR_DPL_SHIFT), 0};
    } else {
        Descriptor sd;
        if ((ss_sel & 3) != cpl || cpu_read_descriptor(cpu, ss_sel, false, &sd) != SIM_OK)
            return (ss_sel & 3) != cpl ? cpu_raise(cpu, EXC_GP, ss_sel & 0xfffc) : SIM_FAULT;
        Segment ss = cpu_descriptor_to_segment(&sd, ss_sel, false);
        if (!(ss.ar & AR_S) || (ss.ar & AR_TYPE_CODE) || !(ss.ar & AR_TYPE_WRITABLE) ||
            seg_dpl(&ss) != cpl)
            return cpu_raise(cpu, EXC_GP, ss_sel & 0xfffc);
        if (!(ss.ar & AR_P))
            return cpu_raise(cpu, EXC_SS, ss_sel & 0xfffc);
        cpu->seg[SEG_SS] = ss;
    }
    cpu->gpr[GPR_RSP] = rsp;
    for (unsigned s = SEG_ES; s <= SEG_GS; s++) {
        Segment *seg = &cpu->seg[s];
        bool data_or_nonconforming = !(seg->ar & AR_TYPE_CODE) || !(seg->ar & 0x4);
        if (s != SEG_CS && s != SEG_SS && data_or_nonconforming && seg_dpl(seg) < cpl &&
            !(seg->ar & AR_UNUSABLE))
            *seg = (Segment){0, 0, AR_UNUSABLE, long_mode ? seg->base : 0};
    }
    return SIM_OK;
}

/* SDM Vol. 2 RET/IRET: the return CS checks, shared by both (far_return.h). */
SimStatus cpu_far_return_cs(CpuState *cpu, uint16_t sel, Descriptor *desc)
{
    unsigned rpl = sel & 3;
    if ((sel & 0xfffc) == 0)
        return cpu_raise_gp0(cpu);
    if (rpl < cpu->cpl)
        return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (cpu_read_descriptor(cpu, sel, false, desc) != SIM_OK)
        return SIM_FAULT;
    Segment cs = cpu_descriptor_to_segment(desc, sel, false);
    bool conforming = cs.ar & 0x4;
    if (!(cs.ar & AR_S) || !(cs.ar & AR_TYPE_CODE) || (conforming && seg_dpl(&cs) > rpl) ||
        (!conforming && seg_dpl(&cs) != rpl))
        return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (!(cs.ar & AR_P))
        return cpu_raise(cpu, EXC_NP, sel & 0xfffc);
    return SIM_OK;
}

/* Common tail of far RET and IRET in protected and IA-32e mode: RIP, CS (and
 * for outer returns RSP, SS) already read from the stack. */
SimStatus cpu_far_return(CpuState *cpu, uint64_t rip, uint16_t sel, unsigned opsize,
                            bool outer, uint64_t rsp, uint16_t ss_sel)
{
    Descriptor desc;
    unsigned rpl = sel & 3;
    if (cpu_far_return_cs(cpu, sel, &desc) != SIM_OK)
        return SIM_FAULT;
    Segment cs = cpu_descriptor_to_segment(&desc, sel, false);
    if (!((cpu->efer & EFER_LMA) && (cs.ar & AR_L)))
        rip &= size_mask(opsize);
    if (check_offset(cpu, &cs, rip) != SIM_OK)
        return SIM_FAULT;
    bool code64 = (cpu->efer & EFER_LMA) && (cs.ar & AR_L);
    if (outer && load_outer_stack(cpu, ss_sel, rsp, rpl, code64) != SIM_OK)
        return SIM_FAULT;
    cpu_load_code_segment(cpu, &desc, sel, rpl);
    cpu->RIP = rip;
    return SIM_OK;
}

/* SDM Vol. 2 RET (far), with the optional imm16.  The CS slot is read
 * before the RIP slot, as the Intel core does (the SDM does not order the
 * reads; docs/differential-testing.md). */
SimStatus exec_ret_far(CpuState *cpu, const DecodedInsn *d)
{
    unsigned sz = d->opsize;
    uint64_t rip, cs, rsp = 0, ss = 0, imm = d->op_count ? (d->imm & 0xffff) : 0;
    if (cpu_stack_peek(cpu, sz, 2, &cs) != SIM_OK || cpu_stack_peek(cpu, 0, sz, &rip) != SIM_OK)
        return SIM_FAULT;
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86) {
        cpu_stack_adjust(cpu, 2 * sz + imm);
        cpu_load_real_segment(cpu, SEG_CS, (uint16_t)cs);
        cpu->RIP = rip & size_mask(sz);
        return SIM_OK;
    }
    bool outer = (cs & 3) > cpu->cpl;
    if (outer && (cpu_stack_peek(cpu, 2 * sz + imm, sz, &rsp) != SIM_OK ||
                  cpu_stack_peek(cpu, 3 * sz + imm, 2, &ss) != SIM_OK))
        return SIM_FAULT;
    Segment saved[SEG_COUNT];
    uint64_t old_rsp = cpu->gpr[GPR_RSP];
    memcpy(saved, cpu->seg, sizeof(saved));
    cpu_stack_adjust(cpu, 2 * sz + imm);
    if (cpu_far_return(cpu, rip, (uint16_t)cs, sz, outer, rsp + imm, (uint16_t)ss) != SIM_OK) {
        memcpy(cpu->seg, saved, sizeof(saved));
        cpu->gpr[GPR_RSP] = old_rsp;
        cpu_update_mode(cpu);
        return SIM_FAULT;
    }
    return SIM_OK;
}
