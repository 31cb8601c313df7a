/*
 * Guest-physical memory: one host mapping of RAM from address 0, MMIO
 * regions laid over it, and per-page tracking of decoded code so that every
 * guest write (CPU or DMA) invalidates stale decoded instructions.
 *
 * Unbacked physical addresses read all-ones and drop writes, as on a PC.
 */
#ifndef VMXSIM_MEM_MEMORY_H
#define VMXSIM_MEM_MEMORY_H

#include "sim/sim.h"

#define MEM_MAX_MMIO 16
#define MEM_MAX_TLBS 16
#define MEM_CODE_LINE_SHIFT 6 /* code is tracked in 64-byte lines: 64 per page */

typedef struct MmioOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
} MmioOps;

typedef struct MmioRegion {
    uint64_t base, size;
    const MmioOps *ops;
    void *opaque;
} MmioRegion;

struct Tlb;

typedef struct Memory {
    uint8_t *ram;
    uint64_t ram_size; /* bytes, a multiple of PAGE_SIZE */
    uint64_t ram_pages;
    uint64_t *code_lines; /* per RAM page: 64-byte lines that hold decoded code */
    uint32_t *page_gen;   /* per RAM page: bumped when decoded code on it is overwritten */
    uint8_t *page_mmio;   /* per RAM page: 1 when an MMIO region overlays it */
    uint8_t *page_paging; /* per RAM page: 1 once a page walk read a paging structure there */
    MmioRegion mmio[MEM_MAX_MMIO];
    unsigned mmio_count;
    struct Tlb *tlbs[MEM_MAX_TLBS]; /* every TLB that may hold direct-write entries */
    unsigned tlb_count;
    uint64_t code_invalidations; /* bumped whenever any decoded code is invalidated */
    uint64_t paging_writes;      /* bumped by every write to a page_paging page */
} Memory;

/* ram_size is rounded up to a page; false (and errno) when the host mapping fails. */
bool mem_init(Memory *m, uint64_t ram_size) SIM_MUST_CHECK;
void mem_destroy(Memory *m);
bool mem_add_mmio(Memory *m, uint64_t base, uint64_t size, const MmioOps *ops, void *opaque)
    SIM_MUST_CHECK;
/* Move the region added with `opaque` to [base, base+size) (a relocatable
 * device: the local APIC); size 0 stops decoding it.  False, and the region
 * not decoded, when the new place overlaps another region. */
bool mem_move_mmio(Memory *m, const void *opaque, uint64_t base, uint64_t size);
bool mem_register_tlb(Memory *m, struct Tlb *tlb) SIM_MUST_CHECK;

/* Physical accesses of 1, 2, 4 or 8 bytes at any alignment.  An access that
 * straddles RAM and MMIO or leaves RAM is split into bytes. */
uint64_t mem_phys_read(Memory *m, uint64_t pa, unsigned size);
/* Returns true when the write overwrote decoded code (the caller leaves its block). */
bool mem_phys_write(Memory *m, uint64_t pa, unsigned size, uint64_t value);
void mem_phys_read_bytes(Memory *m, uint64_t pa, void *dst, size_t len);
bool mem_phys_write_bytes(Memory *m, uint64_t pa, const void *src, size_t len);

/* True when [pa, pa+len) is plain RAM with no MMIO overlay. */
bool mem_is_plain_ram(const Memory *m, uint64_t pa, uint64_t len);

/* Decoded-code tracking (design.md "Fast path first"). */
void mem_mark_code(Memory *m, uint64_t pa, unsigned len);
static inline uint32_t mem_page_gen(const Memory *m, uint64_t pa)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    return pfn < m->ram_pages ? m->page_gen[pfn] : 0;
}

/* Host pointer to RAM page containing pa, for the TLB; NULL unless plain RAM. */
uint8_t *mem_ram_page(Memory *m, uint64_t pa);
/*
 * Paging-structure tracking: a page walk marks the pages it reads entries
 * from, and every later write to such a page counts in paging_writes, so
 * the CPU can tell whether its cached translations still equal what a walk
 * would give (cpu/tlb_context.h).  Marked pages get no direct-write TLB
 * entries, so no write escapes the count.
 */
void mem_mark_paging_structure(Memory *m, uint64_t pa);

/* No direct-write TLB entry for this page: it holds decoded code or paging structures. */
static inline bool mem_page_watched(const Memory *m, uint64_t pa)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    return pfn < m->ram_pages && (m->code_lines[pfn] != 0 || m->page_paging[pfn]);
}

#endif
