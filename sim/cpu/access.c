/* Segmentation checks and the slow paths of guest memory access. */
#include "sim/cpu/access.h"

#include "sim/cpu/branch.h"
#include "sim/cpu/debug_regs.h"
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

uint64_t cpu_seg_linear_unchecked(const CpuState *cpu, unsigned seg, uint64_t offset)
{
    if (cpu->mode == MODE_LONG64)
        return offset + ((seg == SEG_FS || seg == SEG_GS) ? cpu->seg[seg].base : 0);
    return (cpu->seg[seg].base + offset) & 0xffffffffu;
}

SimStatus cpu_check_alignment(CpuState *cpu, uint64_t lin, unsigned align)
{
    if (!(cpu->ev.checks & CHECK_AC) || !(lin & (align - 1)))
        return SIM_OK;
    return cpu_raise(cpu, EXC_AC, 0);
}

/* SDM 6.15 Table 6-7: a word, doubleword or quadword operand must be
 * aligned on its size; other sizes are checked by their instructions. */
static SimStatus check_operand_alignment(CpuState *cpu, unsigned seg, uint64_t offset,
                                         unsigned size)
{
    if (size != 2 && size != 4 && size != 8)
        return SIM_OK;
    return cpu_check_alignment(cpu, cpu_seg_linear_unchecked(cpu, seg, offset), size);
}

SimStatus cpu_seg_check_base(CpuState *cpu, unsigned seg, uint64_t offset)
{
    uint64_t a = cpu_seg_linear_unchecked(cpu, seg, offset);
    if (cpu->mode == MODE_LONG64 && !cpu_is_canonical(cpu, a))
        return seg_fault(cpu, seg);
    return SIM_OK;
}

SimStatus cpu_seg_linear(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                         AccessKind kind, uint64_t *lin)
{
    const Segment *s = &cpu->seg[seg];
    if (SIM_LIKELY(cpu->mode == MODE_LONG64)) {
        /* SDM 3.4.4: only FS and GS bases apply; SDM 3.3.7.1: the address
         * must be canonical, its first byte checked before the alignment,
         * its last byte after. */
        uint64_t a = cpu_seg_linear_unchecked(cpu, seg, offset);
        if (SIM_UNLIKELY(!cpu_is_canonical(cpu, a)))
            return seg_fault(cpu, seg);
        if (SIM_UNLIKELY(cpu->ev.checks) &&
            check_operand_alignment(cpu, seg, offset, size) != SIM_OK)
            return SIM_FAULT;
        if (SIM_UNLIKELY(!cpu_is_canonical(cpu, a + size - 1)))
            return seg_fault(cpu, seg);
        *lin = a;
        return SIM_OK;
    }
    bool protected_mode = cpu->mode != MODE_REAL && cpu->mode != MODE_V86;
    if (protected_mode && ((s->ar & AR_UNUSABLE) || !type_allows(s, kind)))
        return seg_fault(cpu, seg);
    if (SIM_UNLIKELY(cpu->ev.checks) &&
        check_operand_alignment(cpu, seg, offset, size) != SIM_OK)
        return SIM_FAULT;
    if (!within_limit(s, offset, size))
        return seg_fault(cpu, seg);
    *lin = (s->base + offset) & 0xffffffffu;
    return SIM_OK;
}

/* SDM 4.7: the #PF error code and CR2 (written only when delivered).  I/D is
 * set for a fetch with CR4.SMEP = 1, or with IA32_EFER.NXE = 1 under PAE,
 * 4-level or 5-level paging (CR4.PAE = 1): not under 32-bit paging. */
static SimStatus raise_pf(CpuState *cpu, uint64_t lin, uint32_t bits, AccessKind kind, bool user)
{
    uint32_t err = bits;
    bool nx_paging = (cpu->efer & EFER_NXE) && (cpu->cr4 & CR4_PAE);
    if (kind == ACC_WRITE)
        err |= PF_W;
    if (user)
        err |= PF_U;
    if (kind == ACC_EXEC && (nx_paging || (cpu->cr4 & CR4_SMEP)))
        err |= PF_I;
    SimStatus st = cpu_raise(cpu, EXC_PF, err);
    cpu->fault.address = lin;
    return st;
}

/* SDM 4.6.1 "Determination of Access Rights" without protection keys:
 * true when the access is allowed. */
static bool paging_allows(const CpuState *cpu, const PageWalk *w, AccessKind kind, bool user)
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

/* PKRU bits of protection key i (SDM 4.6.2): AD_i = bit 2i, WD_i = 2i + 1. */
enum { PKRU_AD = 1, PKRU_WD = 2 };

/* SDM 4.6.2 "Protection Keys": with IA-32e paging and CR4.PKE = 1, the
 * PKRU bits of a user-mode address's key (0 when keys do not apply). */
static unsigned pkru_bits(const CpuState *cpu, const PageWalk *w)
{
    if (!w->user || !(cpu->cr4 & CR4_PKE) || !(cpu->efer & EFER_LMA))
        return 0;
    return (cpu->pkru >> (2 * w->pkey)) & 3;
}

/* SDM 4.6.2 / 4.6.1: a data access to a user-mode address is denied when
 * AD_i = 1; a write also when WD_i = 1, if it is a user-mode access or
 * CR0.WP = 1.  Instruction fetches are not subject to protection keys. */
static bool pkey_denies(const CpuState *cpu, const PageWalk *w, AccessKind kind, bool user)
{
    unsigned bits = pkru_bits(cpu, w);
    if (kind == ACC_EXEC || !bits)
        return false;
    if (bits & PKRU_AD)
        return true;
    return kind == ACC_WRITE && (bits & PKRU_WD) && (user || (cpu->cr0 & CR0_WP));
}

/* SDM 4.6 "Access Rights": 0 when the access is allowed, else the #PF
 * error-code bits: P, and PK when protection keys deny it (SDM 4.7: PK is
 * set by the key check whatever the other access rights say). */
static uint32_t access_fault(const CpuState *cpu, const PageWalk *w, AccessKind kind, bool user)
{
    bool pk = pkey_denies(cpu, w, kind, user);
    if (!pk && paging_allows(cpu, w, kind, user))
        return 0;
    return PF_P | (pk ? PF_PK : 0);
}

/* TLB data permissions protection keys withdraw from a user-mode page:
 * the TLB is flushed on WRPKRU and on MOV to CR0/CR4, so it never grants
 * what the current PKRU denies (SDM 4.6.2). */
static uint32_t tlb_pkey_denied(const CpuState *cpu, const PageWalk *w)
{
    unsigned bits = pkru_bits(cpu, w);
    uint32_t deny = 0;
    if (bits & PKRU_AD)
        deny |= TLB_READ_SUP | TLB_WRITE_SUP | TLB_READ_USER | TLB_WRITE_USER;
    if (bits & PKRU_WD)
        deny |= TLB_WRITE_USER | ((cpu->cr0 & CR0_WP) ? TLB_WRITE_SUP : 0);
    return deny;
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
    p &= ~tlb_pkey_denied(cpu, w);
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
        if (dirty && !mem_page_watched(cpu->mem, page))
            perm |= TLB_HOST_WRITE;
    }
    mem_tlb_fill(&cpu->tlb, lin, page, host, perm);
}

SimStatus cpu_translate(CpuState *cpu, uint64_t lin, AccessKind kind, bool supervisor,
                        uint64_t *phys)
{
    PagingRegs regs = {cpu->cr0, cpu->cr3, cpu->cr4, cpu->efer, cpu->pdpte};
    PageWalk w;
    bool user = !supervisor && cpu->cpl == 3;
    if (!mem_page_walk(cpu->mem, &regs, lin, &w))
        return raise_pf(cpu, lin, w.fault == PF_RSVD ? (PF_P | PF_RSVD) : 0, kind, user);
    uint32_t fault = access_fault(cpu, &w, kind, user);
    if (fault)
        return raise_pf(cpu, lin, fault, kind, user);
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

/* SDM 17.3.1.2 "Data Memory and I/O Breakpoint Exception Conditions": an
 * access that was made meets the data breakpoints; the trap follows the
 * instruction (events.c). */
static void note_data_access(CpuState *cpu, uint64_t lin, unsigned size, bool write)
{
    if (cpu->ev.checks & CHECK_DATA)
        cpu->ev.dr_hits |= cpu_dr_match_data(cpu, lin, size, write);
}

/* A read, or with ACC_WRITE the read of a read-modify-write destination. */
static SimStatus lin_read_slow(CpuState *cpu, uint64_t lin, unsigned size, uint64_t *value,
                               bool supervisor, AccessKind kind)
{
    uint64_t p1, p2 = 0;
    unsigned first = (unsigned)(PAGE_SIZE - (lin & (PAGE_SIZE - 1)));
    if (cpu_translate(cpu, lin, kind, supervisor, &p1) != SIM_OK)
        return SIM_FAULT;
    if (first < size &&
        cpu_translate(cpu, next_page_lin(cpu, lin), kind, supervisor, &p2) != SIM_OK)
        return SIM_FAULT;
    if (first >= size) {
        *value = mem_phys_read(cpu->mem, p1, size);
    } else {
        uint64_t lo = mem_phys_read(cpu->mem, p1, first);
        uint64_t hi = mem_phys_read(cpu->mem, p2, size - first);
        *value = lo | (hi << (8 * first));
    }
    note_data_access(cpu, lin, size, false);
    return SIM_OK;
}

SimStatus cpu_lin_read_slow(CpuState *cpu, uint64_t lin, unsigned size, uint64_t *value,
                            bool supervisor)
{
    return lin_read_slow(cpu, lin, size, value, supervisor, ACC_READ);
}

SimStatus cpu_lin_read_rmw_slow(CpuState *cpu, uint64_t lin, unsigned size, uint64_t *value)
{
    return lin_read_slow(cpu, lin, size, value, false, ACC_WRITE);
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
    note_data_access(cpu, lin, size, true);
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

/* 64-bit mode misses of cpu_mem_read/cpu_mem_write: cpu_seg_linear checks
 * the last byte too (SDM 3.3.7.1 "Canonical Addressing": an access that
 * crosses the end of the lower half is #GP, or #SS through SS, before any
 * page walk). */
SimStatus cpu_mem_read_slow(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                            uint64_t *value, AccessKind kind)
{
    uint64_t lin;
    if (cpu_seg_linear(cpu, seg, offset, size, kind, &lin) != SIM_OK)
        return SIM_FAULT;
    return lin_read_slow(cpu, lin, size, value, false, kind);
}

SimStatus cpu_mem_write_slow(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                             uint64_t value)
{
    uint64_t lin;
    if (cpu_seg_linear(cpu, seg, offset, size, ACC_WRITE, &lin) != SIM_OK)
        return SIM_FAULT;
    return cpu_lin_write_slow(cpu, lin, size, value, false);
}

/* `size` bytes (at most a page) of a probe: the segment checks, then the
 * page walk of each page, a fault on the second page reporting its first
 * byte (SDM 4.7). */
static SimStatus probe_part(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                            AccessKind kind)
{
    uint64_t lin, phys;
    if (cpu_seg_linear(cpu, seg, offset, size, kind, &lin) != SIM_OK)
        return SIM_FAULT;
    if (!(cpu->cr0 & CR0_PG))
        return SIM_OK;
    if (cpu_translate(cpu, lin, kind, false, &phys) != SIM_OK)
        return SIM_FAULT;
    if ((lin & (PAGE_SIZE - 1)) + size <= PAGE_SIZE)
        return SIM_OK;
    return cpu_translate(cpu, next_page_lin(cpu, lin), kind, false, &phys);
}

SimStatus cpu_mem_probe_image(CpuState *cpu, unsigned seg, uint64_t offset, unsigned size,
                              unsigned first, AccessKind kind)
{
    if (probe_part(cpu, seg, offset, first, kind) != SIM_OK)
        return SIM_FAULT;
    return probe_part(cpu, seg, offset + size - 1, 1, kind);
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
