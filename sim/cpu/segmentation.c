/* Segment descriptors and segment-register loads. */
#include "sim/cpu/segmentation.h"

#include "sim/cpu/access.h"
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
    s->selector = selector;
    s->base = (uint64_t)selector << 4;
    if (cpu->mode == MODE_V86) {
        s->limit = 0xffff;
        s->ar = AR_P | AR_S | (3u << AR_DPL_SHIFT) | 0x3 | (seg == SEG_CS ? AR_TYPE_CODE : 0);
    }
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
