/* Segmentation checks and the slow paths of guest memory access. */
#include "sim/cpu/access.h"

#include "sim/cpu/branch.h"
#include "sim/cpu/exceptions.h"
#include "sim/mem/paging.h"

static SimStatus seg_fault(CpuState *cpu, unsigned seg)
{
    /* SDM 6.15 "#SS": stack-segment references fault with #SS, others #GP. */
    return cpu_raise(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
}

/* SDM 3.4.5.1 / 5.3 "Limit Checking": expand-up and expand-down data segments. */
static bool within_limit(const Segment *s, uint64_t offset, unsigned size)
{
    uint64_t last = offset + size - 1;
    bool expand_down = !(s->ar & AR_TYPE_CODE) && (s->ar & 0x4);
    if (!expand_down)
        return last <= s->limit && last >= offset;
    uint64_t upper = (s->ar & AR_DB) ? 0xffffffffu : 0xffffu;
    return offset > s->limit && last <= upper;
}

/* SDM 5.4.1 / 5.5: a data access needs a readable (or writable) segment. */
static bool type_allows(const Segment *s, AccessKind kind)
{
    bool code = (s->ar & AR_TYPE_CODE) != 0;
    if (kind == ACC_WRITE)
        return !code && (s->ar & AR_TYPE_WRITABLE);
    return !code || (s->ar & AR_TYPE_WRITABLE); /* code: readable bit */
}

SimStatus cpu_seg_linear(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                         AccessKind kind, uint64_t *lin)
{
    const Segment *s = &cpu->seg[seg];
    if (SIM_LIKELY(cpu->mode == MODE_LONG64)) {
        /* SDM 3.4.4: only FS and GS bases apply; the address must be canonical. */
        uint64_t a = offset + ((seg == SEG_FS || seg == SEG_GS) ? s->base : 0);
        if (SIM_UNLIKELY(!cpu_is_canonical(cpu, a) || !cpu_is_canonical(cpu, a + size - 1)))
            return seg_fault(cpu, seg);
        *lin = a;
        return SIM_OK;
    }
    bool protected_mode = cpu->mode != MODE_REAL && cpu->mode != MODE_V86;
    if (protected_mode && ((s->ar & AR_UNUSABLE) || !type_allows(s, kind)))
        return seg_fault(cpu, seg);
    if (!within_limit(s, offset, size))
        return seg_fault(cpu, seg);
    *lin = (s->base + offset) & 0xffffffffu;
    return SIM_OK;
}

/* SDM 4.7: the #PF error code and CR2 (written only when delivered). */
static SimStatus raise_pf(CpuState *cpu, uint64_t lin, uint32_t bits, AccessKind kind, bool user)
{
    uint32_t err = bits;
    if (kind == ACC_WRITE)
        err |= PF_W;
    if (user)
        err |= PF_U;
    if (kind == ACC_EXEC && ((cpu->efer & EFER_NXE) || (cpu->cr4 & CR4_SMEP)))
        err |= PF_I;
    SimStatus st = cpu_raise(cpu, EXC_PF, err);
    cpu->fault.address = lin;
    return st;
}

/* SDM 4.6 "Access Rights": true when the access is allowed. */
static bool access_allowed(const CpuState *cpu, const PageWalk *w, AccessKind kind, bool user)
{
    if (kind == ACC_EXEC && w->nx)
        return false;
    if (user)
        return w->user && (kind != ACC_WRITE || w->writable);
    if (kind == ACC_WRITE && !w->writable && (cpu->cr0 & CR0_WP))
        return false;
    if (w->user && kind == ACC_EXEC && (cpu->cr4 & CR4_SMEP))
        return false;
    if (w->user && kind != ACC_EXEC && (cpu->cr4 & CR4_SMAP) && !(cpu->rflags & RFLAGS_AC))
        return false;
    return true;
}

/* Permissions a TLB entry may grant without another walk. */
static uint32_t tlb_perms(const CpuState *cpu, const PageWalk *w, bool dirty)
{
    bool smap = w->user && (cpu->cr4 & CR4_SMAP);
    uint32_t p = 0;
    if (!smap)
        p |= TLB_READ_SUP;
    if (!smap && (w->writable || !(cpu->cr0 & CR0_WP)))
        p |= TLB_WRITE_SUP;
    if (!w->nx && !(w->user && (cpu->cr4 & CR4_SMEP)))
        p |= TLB_EXEC_SUP;
    if (w->user)
        p |= TLB_READ_USER | (w->writable ? TLB_WRITE_USER : 0) | (w->nx ? 0 : TLB_EXEC_USER);
    if (!dirty)
        p &= ~(uint32_t)(TLB_WRITE_SUP | TLB_WRITE_USER);
    if (w->global && (cpu->cr4 & CR4_PGE))
        p |= TLB_GLOBAL;
    if (w->page_size > PAGE_SIZE)
        p |= TLB_LARGE;
    return p;
}

static void tlb_fill(CpuState *cpu, uint64_t lin, const PageWalk *w, bool dirty)
{
    uint64_t page = w->phys & PAGE_MASK;
    uint8_t *host = mem_ram_page(cpu->mem, page);
    uint32_t perm = tlb_perms(cpu, w, dirty);
    if (host) {
        perm |= TLB_HOST_READ;
        if (dirty && !mem_page_has_code(cpu->mem, page))
            perm |= TLB_HOST_WRITE;
    }
    mem_tlb_fill(&cpu->tlb, lin, page, host, perm);
}

SimStatus cpu_translate(CpuState *cpu, uint64_t lin, AccessKind kind, bool supervisor,
                        uint64_t *phys)
{
    PagingRegs regs = {cpu->cr0, cpu->cr3, cpu->cr4, cpu->efer};
    PageWalk w;
    bool user = !supervisor && cpu->cpl == 3;
    if (!mem_page_walk(cpu->mem, &regs, lin, &w))
        return raise_pf(cpu, lin, w.fault == PF_RSVD ? (PF_P | PF_RSVD) : 0, kind, user);
    if (!access_allowed(cpu, &w, kind, user))
        return raise_pf(cpu, lin, PF_P, kind, user);
    mem_page_walk_commit(cpu->mem, &w, kind == ACC_WRITE);
    tlb_fill(cpu, lin, &w, w.dirty || kind == ACC_WRITE);
    *phys = w.phys;
    return SIM_OK;
}

/* Linear address of the second part of a page-crossing access. */
static uint64_t next_page_lin(const CpuState *cpu, uint64_t lin)
{
    uint64_t next = (lin & PAGE_MASK) + PAGE_SIZE;
    return cpu->mode == MODE_LONG64 ? next : (next & 0xffffffffu);
}

SimStatus cpu_lin_read_slow(CpuState *cpu, uint64_t lin, unsigned size, uint64_t *value,
                            bool supervisor)
{
    uint64_t p1, p2;
    unsigned first = (unsigned)(PAGE_SIZE - (lin & (PAGE_SIZE - 1)));
    if (cpu_translate(cpu, lin, ACC_READ, supervisor, &p1) != SIM_OK)
        return SIM_FAULT;
    if (first >= size) {
        *value = mem_phys_read(cpu->mem, p1, size);
        return SIM_OK;
    }
    if (cpu_translate(cpu, next_page_lin(cpu, lin), ACC_READ, supervisor, &p2) != SIM_OK)
        return SIM_FAULT;
    uint64_t lo = mem_phys_read(cpu->mem, p1, first);
    uint64_t hi = mem_phys_read(cpu->mem, p2, size - first);
    *value = lo | (hi << (8 * first));
    return SIM_OK;
}

SimStatus cpu_lin_write_slow(CpuState *cpu, uint64_t lin, unsigned size, uint64_t value,
                             bool supervisor)
{
    uint64_t p1, p2 = 0;
    unsigned first = (unsigned)(PAGE_SIZE - (lin & (PAGE_SIZE - 1)));
    if (cpu_translate(cpu, lin, ACC_WRITE, supervisor, &p1) != SIM_OK)
        return SIM_FAULT;
    /* Both pages are checked before either is written (no partial writes). */
    if (first < size &&
        cpu_translate(cpu, next_page_lin(cpu, lin), ACC_WRITE, supervisor, &p2) != SIM_OK)
        return SIM_FAULT;
    bool hit;
    if (first >= size) {
        hit = mem_phys_write(cpu->mem, p1, size, value);
    } else {
        hit = mem_phys_write(cpu->mem, p1, first, value);
        hit |= mem_phys_write(cpu->mem, p2, size - first, value >> (8 * first));
    }
    if (hit)
        signals_raise(cpu->signals, SIGNAL_CODE_WRITE);
    return SIM_OK;
}

/* Translate every page of [lin, lin+size) for `kind` before touching memory. */
static SimStatus translate_block(CpuState *cpu, uint64_t lin, unsigned size, AccessKind kind)
{
    uint64_t phys, end = lin + size - 1;
    for (uint64_t page = lin & PAGE_MASK;; page += PAGE_SIZE) {
        uint64_t at = page < lin ? lin : page;
        if (cpu->mode != MODE_LONG64)
            at &= 0xffffffffu;
        if (cpu_translate(cpu, at, kind, false, &phys) != SIM_OK)
            return SIM_FAULT;
        if ((end & PAGE_MASK) == page)
            return SIM_OK;
    }
}

SimStatus cpu_mem_read_block(CpuState *cpu, unsigned seg, uint64_t offset, void *buf, unsigned size)
{
    uint64_t lin, v;
    uint8_t *out = buf;
    if (cpu_seg_linear(cpu, seg, offset, size, ACC_READ, &lin) != SIM_OK ||
        translate_block(cpu, lin, size, ACC_READ) != SIM_OK)
        return SIM_FAULT;
    for (unsigned i = 0; i < size; i += 8) {
        unsigned n = size - i < 8 ? size - i : 8;
        uint64_t at = cpu->mode == MODE_LONG64 ? lin + i : ((lin + i) & 0xffffffffu);
        if (cpu_lin_read(cpu, at, n, &v) != SIM_OK)
            return SIM_FAULT;
        memcpy(out + i, &v, n);
    }
    return SIM_OK;
}

SimStatus cpu_mem_write_block(CpuState *cpu, unsigned seg, uint64_t offset, const void *buf,
                              unsigned size)
{
    uint64_t lin, v = 0;
    const uint8_t *in = buf;
    if (cpu_seg_linear(cpu, seg, offset, size, ACC_WRITE, &lin) != SIM_OK ||
        translate_block(cpu, lin, size, ACC_WRITE) != SIM_OK)
        return SIM_FAULT;
    for (unsigned i = 0; i < size; i += 8) {
        unsigned n = size - i < 8 ? size - i : 8;
        uint64_t at = cpu->mode == MODE_LONG64 ? lin + i : ((lin + i) & 0xffffffffu);
        memcpy(&v, in + i, n);
        if (cpu_lin_write(cpu, at, n, v) != SIM_OK)
            return SIM_FAULT;
    }
    return SIM_OK;
}
