/*
 * Page walks (SDM Vol. 3A chapter 4 "Paging"): 32-bit, PAE, 4-level and
 * 5-level.  The walk is split in two so the CPU layer can check permissions
 * (which depend on CPL, CR0.WP, SMEP, SMAP, RFLAGS.AC) between reading the
 * entries and setting their accessed/dirty bits: A/D are set only when the
 * access succeeds (SDM 4.8).
 */
#ifndef VMXSIM_MEM_PAGING_H
#define VMXSIM_MEM_PAGING_H

#include "sim/mem/memory.h"

#define PAGING_MAX_LEVELS 5
#define PAGING_MAXPHYADDR 39 /* must match CPUID.80000008H:EAX[7:0] */

typedef struct PagingRegs {
    uint64_t cr0, cr3, cr4, efer;
    /* PAE paging: the four PDPTE registers (SDM 4.4.1 "PDPTE Registers"),
     * which the walk uses instead of memory.  NULL: read the PDPTEs from
     * memory at CR3 (a walker with no loaded registers, e.g. unit tests). */
    const uint64_t *pdpte;
} PagingRegs;

/* #PF error-code bits (SDM 4.7 "Page-Fault Exceptions"). */
enum {
    PF_P = 1u << 0,
    PF_W = 1u << 1,
    PF_U = 1u << 2,
    PF_RSVD = 1u << 3,
    PF_I = 1u << 4,
    PF_PK = 1u << 5,
};

typedef struct PageWalk {
    uint64_t phys;         /* translated physical address of the linear address */
    uint64_t page_size;    /* 4 KiB, 2 MiB, 4 MiB or 1 GiB */
    bool user, writable, nx, global;
    uint8_t pkey;          /* protection key, leaf bits 62:59 (SDM 4.6.2; 0 unless 4/5-level) */
    bool dirty;            /* leaf D bit already set */
    unsigned levels;       /* entries read, outermost first */
    uint64_t entry_addr[PAGING_MAX_LEVELS];
    unsigned entry_size;   /* 4 (32-bit paging) or 8 */
    unsigned first_commit; /* entries before this one get no A/D bits (PAE PDPTEs) */
    uint32_t fault;        /* 0, or PF_P / PF_RSVD when the walk itself failed */
} PageWalk;

/* Read the paging structures for lin.  Returns false with w->fault set when
 * an entry is not present or has reserved bits set. */
bool mem_page_walk(Memory *m, const PagingRegs *regs, uint64_t lin, PageWalk *w) SIM_MUST_CHECK;
/* SDM 4.4.1 "PDPTE Registers": read the four PDPTEs of the table at
 * cr3[31:5] into pdpte[].  False, pdpte[] untouched, when a present PDPTE
 * sets a reserved bit (Table 4-8: 63:MAXPHYADDR, 8:5, 2:1); the MOV to CR
 * that loads them then raises #GP(0). */
bool mem_pae_read_pdptes(Memory *m, uint64_t cr3, uint64_t pdpte[4]) SIM_MUST_CHECK;
/* Set accessed bits on every entry used, and the dirty bit for a write (SDM 4.8). */
void mem_page_walk_commit(Memory *m, const PageWalk *w, bool write);

#endif
