/* Segment descriptors and segment-register loads. */
#include "sim/cpu/segmentation.h"

#include "sim/cpu/access.h"
#include "sim/cpu/branch.h"
#include "sim/cpu/exceptions.h"

/* Implicit supervisor-mode read of a descriptor table (SDM 4.6: accesses to
 * the GDT, LDT, IDT and TSS are supervisor-mode accesses). */
static SimStatus read_table(CpuState *cpu, uint64_t lin, uint64_t *v)
{
    return cpu_lin_read_slow(cpu, lin, 8, v, true);
}

static SimStatus table_entry(CpuState *cpu, uint16_t selector, unsigned size, uint64_t *lin)
{
    uint64_t base = cpu->gdtr.base, limit = cpu->gdtr.limit;
    if (selector & 4) { /* TI = 1: LDT */
        const Segment *ldt = &cpu->seg[SEG_LDTR];
        if (ldt->ar & AR_UNUSABLE)
            return cpu_raise(cpu, EXC_GP, selector & 0xfffc);
        base = ldt->base;
        limit = ldt->limit;
    }
    uint64_t offset = selector & 0xfff8u;
    if (offset + size - 1 > limit)
        return cpu_raise(cpu, EXC_GP, selector & 0xfffc);
    *lin = base + offset;
    if (cpu->mode != MODE_LONG64 && !(cpu->efer & EFER_LMA))
        *lin &= 0xffffffffu;
    return SIM_OK;
}

SimStatus cpu_read_descriptor(CpuState *cpu, uint16_t selector, bool wide, Descriptor *d)
{
    uint64_t lin;
    d->hi = 0;
    if (table_entry(cpu, selector, wide ? 16 : 8, &lin) != SIM_OK ||
        read_table(cpu, lin, &d->lo) != SIM_OK)
        return SIM_FAULT;
    if (wide && read_table(cpu, lin + 8, &d->hi) != SIM_OK)
        return SIM_FAULT;
    return SIM_OK;
}

Segment cpu_descriptor_to_segment(const Descriptor *d, uint16_t selector, bool wide)
{
    uint64_t lo = d->lo;
    Segment s;
    s.selector = selector;
    s.base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24);
    if (wide)
        s.base |= (d->hi & 0xffffffffu) << 32;
    uint32_t limit = (uint32_t)((lo & 0xffff) | (((lo >> 48) & 0xf) << 16));
    s.ar = (uint32_t)((lo >> 40) & 0xf0ff); /* type, S, DPL, P, AVL, L, D/B, G */
    s.limit = (s.ar & AR_G) ? (limit << 12) | 0xfff : limit;
    return s;
}

SimStatus cpu_set_descriptor_accessed(CpuState *cpu, uint16_t selector)
{
    uint64_t lin, lo;
    if (table_entry(cpu, selector, 8, &lin) != SIM_OK || read_table(cpu, lin, &lo) != SIM_OK)
        return SIM_FAULT;
    if (lo & (UINT64_C(1) << 40))
        return SIM_OK;
    return cpu_lin_write_slow(cpu, lin + 5, 1, (uint8_t)((lo >> 40) | 1), true);
}

void cpu_load_real_segment(CpuState *cpu, unsigned seg, uint16_t selector)
{
    Segment *s = &cpu->seg[seg];
    if (cpu->mode == MODE_V86) {
        *s = cpu_v86_segment(selector);
        return;
    }
    s->selector = selector;
    s->base = (uint64_t)selector << 4;
}

Segment cpu_v86_segment(uint16_t selector)
{
    uint32_t ar = AR_P | AR_S | (3u << AR_DPL_SHIFT) | AR_TYPE_WRITABLE | AR_TYPE_ACCESSED;
    return (Segment){selector, 0xffff, ar, (uint64_t)selector << 4};
}

/* SDM Vol. 2 MOV "Operation": SS needs a writable data segment with
 * RPL = DPL = CPL; others a data or readable code segment. */
static SimStatus check_data_descriptor(CpuState *cpu, unsigned seg, uint16_t sel, const Segment *s)
{
    unsigned rpl = sel & 3, dpl = seg_dpl(s);
    bool code = s->ar & AR_TYPE_CODE, conforming = code && (s->ar & 0x4);
    if (!(s->ar & AR_S))
        return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (seg == SEG_SS) {
        if (rpl != cpu->cpl || dpl != cpu->cpl || code || !(s->ar & AR_TYPE_WRITABLE))
            return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
        if (!(s->ar & AR_P))
            return cpu_raise(cpu, EXC_SS, sel & 0xfffc);
        return SIM_OK;
    }
    if ((code && !(s->ar & AR_TYPE_WRITABLE)) ||
        (!conforming && (rpl > dpl || cpu->cpl > dpl)))
        return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (!(s->ar & AR_P))
        return cpu_raise(cpu, EXC_NP, sel & 0xfffc);
    return SIM_OK;
}

/* SDM 3.4.2: a null selector may be loaded into DS/ES/FS/GS (and into SS at
 * CPL < 3 in 64-bit mode); the register becomes unusable. */
static SimStatus load_null(CpuState *cpu, unsigned seg, uint16_t selector)
{
    if (seg == SEG_SS && !(cpu->mode == MODE_LONG64 && cpu->cpl < 3 && (selector & 3) == cpu->cpl))
        return cpu_raise(cpu, EXC_GP, 0);
    Segment *s = &cpu->seg[seg];
    s->selector = selector;
    s->ar = AR_UNUSABLE | (seg == SEG_SS ? ((uint32_t)cpu->cpl << AR_DPL_SHIFT) : 0);
    if (cpu->mode != MODE_LONG64 || (seg != SEG_FS && seg != SEG_GS))
        s->base = 0;
    s->limit = 0;
    return SIM_OK;
}

SimStatus cpu_load_data_segment(CpuState *cpu, unsigned seg, uint16_t selector)
{
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86) {
        cpu_load_real_segment(cpu, seg, selector);
        return SIM_OK;
    }
    if ((selector & 0xfffc) == 0)
        return load_null(cpu, seg, selector);
    Descriptor d;
    if (cpu_read_descriptor(cpu, selector, false, &d) != SIM_OK)
        return SIM_FAULT;
    Segment s = cpu_descriptor_to_segment(&d, selector, false);
    if (check_data_descriptor(cpu, seg, selector, &s) != SIM_OK ||
        cpu_set_descriptor_accessed(cpu, selector) != SIM_OK)
        return SIM_FAULT;
    s.ar |= AR_TYPE_ACCESSED;
    cpu->seg[seg] = s;
    if (seg == SEG_SS)
        cpu_update_mode(cpu);
    return SIM_OK;
}

void cpu_load_code_segment(CpuState *cpu, const Descriptor *d, uint16_t selector, unsigned cpl)
{
    Segment s = cpu_descriptor_to_segment(d, (uint16_t)((selector & 0xfffc) | cpl), false);
    s.ar |= AR_TYPE_ACCESSED;
    cpu->seg[SEG_CS] = s;
    cpu_update_mode(cpu);
}

bool cpu_selector_in_table(const CpuState *cpu, uint16_t selector, unsigned size)
{
    uint64_t limit = cpu->gdtr.limit;
    if (selector & 4) {
        const Segment *ldt = &cpu->seg[SEG_LDTR];
        if (ldt->ar & AR_UNUSABLE)
            return false;
        limit = ldt->limit;
    }
    return (uint64_t)(selector & 0xfff8u) + size - 1 <= limit;
}

SimStatus cpu_set_tss_busy(CpuState *cpu, uint16_t selector, bool busy)
{
    uint64_t lin = cpu->gdtr.base + (selector & 0xfff8u) + 5, type;
    if (!(cpu->efer & EFER_LMA))
        lin &= 0xffffffffu;
    if (cpu_lin_read_slow(cpu, lin, 1, &type, true) != SIM_OK)
        return SIM_FAULT;
    type = busy ? (type | 2) : (type & ~UINT64_C(2));
    return cpu_lin_write_slow(cpu, lin, 1, type, true);
}

StackRef cpu_current_stack(const CpuState *cpu)
{
    bool wide = cpu->mode == MODE_LONG64;
    return (StackRef){cpu->seg[SEG_SS], cpu->gpr[GPR_RSP], wide, 0};
}

/* Read `size` bytes of the current TSS at `offset` (implicit supervisor
 * access, SDM 4.6); beyond the TSS limit is #TS(TR selector + ext). */
static SimStatus tss_stack_field(CpuState *cpu, unsigned offset, unsigned size, uint32_t ext,
                                 uint64_t *v)
{
    const Segment *tr = &cpu->seg[SEG_TR];
    uint64_t lin = tr->base + offset;
    if (offset + size - 1 > tr->limit)
        return cpu_raise(cpu, EXC_TS, (tr->selector & 0xfffcu) | ext);
    if (!(cpu->efer & EFER_LMA))
        lin &= 0xffffffffu;
    return cpu_lin_read_slow(cpu, lin, size, v, true);
}

/* SDM Vol. 2 CALL "MORE-PRIVILEGE" and INT n "INTER-PRIVILEGE-LEVEL-INTERRUPT":
 * the new SS named by the TSS, checked against the new privilege level. */
static SimStatus check_inner_ss(CpuState *cpu, uint16_t sel, unsigned dpl, uint32_t ext,
                                Segment *ss)
{
    uint32_t err = (sel & 0xfffcu) | ext;
    Descriptor d;
    if ((sel & 0xfffc) == 0)
        return cpu_raise(cpu, EXC_TS, ext);
    if (!cpu_selector_in_table(cpu, sel, 8) || (sel & 3) != dpl)
        return cpu_raise(cpu, EXC_TS, err);
    if (cpu_read_descriptor(cpu, sel, false, &d) != SIM_OK)
        return SIM_FAULT;
    *ss = cpu_descriptor_to_segment(&d, sel, false);
    if (!(ss->ar & AR_S) || (ss->ar & AR_TYPE_CODE) || !(ss->ar & AR_TYPE_WRITABLE) ||
        seg_dpl(ss) != dpl)
        return cpu_raise(cpu, EXC_TS, err);
    if (!(ss->ar & AR_P))
        return cpu_raise(cpu, EXC_SS, err);
    ss->ar |= AR_TYPE_ACCESSED;
    return cpu_set_descriptor_accessed(cpu, sel);
}

SimStatus cpu_inner_stack(CpuState *cpu, unsigned dpl, uint32_t ext, StackRef *st)
{
    uint64_t sp, sel;
    if (cpu->efer & EFER_LMA) { /* SDM 5.8.5.1 / 6.14.4: RSPn from the 64-bit TSS */
        if (tss_stack_field(cpu, 4 + 8 * dpl, 8, ext, &sp) != SIM_OK)
            return SIM_FAULT;
        Segment null_ss = {(uint16_t)dpl, 0, AR_UNUSABLE | (dpl << AR_DPL_SHIFT), 0};
        *st = (StackRef){null_ss, sp, true, 0};
        return SIM_OK;
    }
    /* SDM 7.2.1 Figure 7-2 (ESPn at 4 + 8n, SSn at 8 + 8n) and 7.6 Figure
     * 7-10 (SPn at 2 + 4n, SSn at 4 + 4n). */
    bool tss16 = !(cpu->seg[SEG_TR].ar & 0x8);
    unsigned at = tss16 ? 2 + 4 * dpl : 4 + 8 * dpl, size = tss16 ? 2 : 4;
    if (tss_stack_field(cpu, at, size, ext, &sp) != SIM_OK ||
        tss_stack_field(cpu, at + size, 2, ext, &sel) != SIM_OK)
        return SIM_FAULT;
    st->sp = sp;
    st->wide = false;
    st->error = ((uint32_t)sel & 0xfffcu) | ext;
    return check_inner_ss(cpu, (uint16_t)sel, dpl, ext, &st->ss);
}

/* SDM 5.3 "Limit Checking": [off, off + size) inside an expand-up segment,
 * or above the limit of an expand-down one (upper bound from B). */
static bool stack_within_limit(const Segment *ss, uint64_t off, unsigned size)
{
    uint64_t last = off + size - 1;
    if (!(ss->ar & 0x4))
        return last <= ss->limit && last >= off;
    uint64_t upper = (ss->ar & AR_DB) ? 0xffffffffu : 0xffffu;
    return off > ss->limit && last <= upper && last >= off;
}

/* The stack pointer after pushing `bytes`, wrapped at the stack-address size. */
static uint64_t stack_ref_next(const StackRef *st, unsigned bytes)
{
    if (st->wide)
        return st->sp - bytes;
    uint64_t mask = (st->ss.ar & AR_DB) ? 0xffffffffu : 0xffffu;
    return (st->sp - bytes) & mask;
}

SimStatus cpu_stack_ref_room(CpuState *cpu, const StackRef *st, unsigned bytes)
{
    uint64_t low = stack_ref_next(st, bytes);
    bool ok = st->wide ? cpu_is_canonical(cpu, low) && cpu_is_canonical(cpu, st->sp - 1)
                       : stack_within_limit(&st->ss, low, bytes);
    return ok ? SIM_OK : cpu_raise(cpu, EXC_SS, st->error);
}

SimStatus cpu_stack_ref_push(CpuState *cpu, StackRef *st, unsigned size, uint64_t value)
{
    uint64_t next = stack_ref_next(st, size);
    uint64_t lin = st->wide ? next : (st->ss.base + next) & 0xffffffffu;
    bool supervisor = seg_dpl(&st->ss) < 3;
    /* #AC (a push on a CPL-3 stack), #SS, #PF: cpu_seg_linear's order */
    if ((!supervisor && cpu_check_alignment(cpu, lin, size) != SIM_OK) ||
        cpu_stack_ref_room(cpu, st, size) != SIM_OK ||
        cpu_lin_write_slow(cpu, lin, size, value, supervisor) != SIM_OK)
        return SIM_FAULT;
    uint64_t mask = st->wide ? UINT64_MAX : ((st->ss.ar & AR_DB) ? 0xffffffffu : 0xffffu);
    st->sp = (st->sp & ~mask) | next;
    return SIM_OK;
}
