/* Page walks: SDM Vol. 3A 4.3 (32-bit), 4.4 (PAE), 4.5 (4-level and 5-level). */
#include "sim/mem/paging.h"

#include <string.h>

#define CR0_PG_BIT (UINT64_C(1) << 31)
#define CR4_PSE_BIT (UINT64_C(1) << 4)
#define CR4_PAE_BIT (UINT64_C(1) << 5)
#define CR4_LA57_BIT (UINT64_C(1) << 12)
#define EFER_LMA_BIT (UINT64_C(1) << 10)
#define EFER_NXE_BIT (UINT64_C(1) << 11)

#define PTE_P (UINT64_C(1) << 0)
#define PTE_W (UINT64_C(1) << 1)
#define PTE_U (UINT64_C(1) << 2)
#define PTE_A (UINT64_C(1) << 5)
#define PTE_D (UINT64_C(1) << 6)
#define PTE_PS (UINT64_C(1) << 7)
#define PTE_G (UINT64_C(1) << 8)
#define PTE_XD (UINT64_C(1) << 63)

/* Physical-address bits 51:MAXPHYADDR of an entry are reserved (SDM 4.4.2, 4.5.4). */
#define PHYS_RSVD (((UINT64_C(1) << 52) - 1) & ~((UINT64_C(1) << PAGING_MAXPHYADDR) - 1))
#define ADDR_MASK (((UINT64_C(1) << PAGING_MAXPHYADDR) - 1) & ~UINT64_C(0xfff))

static void accumulate(PageWalk *w, uint64_t e, bool nx_ok)
{
    w->user = w->user && (e & PTE_U);
    w->writable = w->writable && (e & PTE_W);
    if (nx_ok && (e & PTE_XD))
        w->nx = true;
}

static bool walk_fail(PageWalk *w, uint32_t fault)
{
    w->fault = fault;
    return false;
}

static uint64_t read_entry(Memory *m, PageWalk *w, uint64_t addr, unsigned size)
{
    w->entry_addr[w->levels++] = addr;
    mem_mark_paging_structure(m, addr);
    return mem_phys_read(m, addr, size);
}

/* Leaf: a page of `size` bytes whose frame is in e's address bits. */
static bool walk_leaf(PageWalk *w, uint64_t e, uint64_t frame, uint64_t lin, uint64_t size)
{
    w->page_size = size;
    w->phys = (frame & ~(size - 1)) | (lin & (size - 1));
    w->global = (e & PTE_G) != 0;
    w->dirty = (e & PTE_D) != 0;
    /* SDM 4.6.2 "Protection Keys": bits 62:59 of the leaf (reserved in PAE
     * entries, absent in 32-bit ones, so 0 for any successful such walk). */
    w->pkey = (uint8_t)((e >> 59) & 0xf);
    return true;
}

/* SDM 4.3 "32-Bit Paging", with 4-MByte pages when CR4.PSE = 1 (PSE-36 bits 20:13). */
static bool walk_32bit(Memory *m, const PagingRegs *r, uint32_t lin, PageWalk *w)
{
    w->entry_size = 4;
    uint64_t pde = read_entry(m, w, (r->cr3 & 0xfffff000u) + ((lin >> 22) << 2), 4);
    if (!(pde & PTE_P))
        return walk_fail(w, PF_P);
    accumulate(w, pde, false);
    if ((pde & PTE_PS) && (r->cr4 & CR4_PSE_BIT)) {
        /* SDM 4.3 Table 4-4: bits 20:13 hold physical-address bits 39:32 up to
         * M = min(MAXPHYADDR, 40); bits 21:(M-19) are reserved. */
        unsigned high_bits = (PAGING_MAXPHYADDR < 40 ? PAGING_MAXPHYADDR : 40) - 32;
        uint64_t rsvd = ((UINT64_C(1) << 22) - 1) & ~((UINT64_C(1) << (13 + high_bits)) - 1);
        if (pde & rsvd)
            return walk_fail(w, PF_RSVD);
        uint64_t high = (pde >> 13) & ((UINT64_C(1) << high_bits) - 1);
        uint64_t frame = (pde & 0xffc00000u) | (high << 32);
        return walk_leaf(w, pde, frame, lin, UINT64_C(4) << 20);
    }
    uint64_t pte = read_entry(m, w, (pde & 0xfffff000u) + (((lin >> 12) & 0x3ff) << 2), 4);
    if (!(pte & PTE_P))
        return walk_fail(w, PF_P);
    accumulate(w, pte, false);
    return walk_leaf(w, pte, pte & 0xfffff000u, lin, PAGE_SIZE);
}

/* Bits 62:MAXPHYADDR of PAE-paging entries are reserved (SDM 4.4.2 Tables
 * 4-9..4-11); 4-level and 5-level paging ignore bits 62:52 (SDM 4.5.4). */
#define PAE_RSVD (((UINT64_C(1) << 63) - 1) & ~((UINT64_C(1) << PAGING_MAXPHYADDR) - 1))

/* One level of a 64-bit-entry walk; true when the entry maps a leaf. */
static bool walk_level(Memory *m, const PagingRegs *r, uint64_t table, unsigned shift,
                       uint64_t lin, PageWalk *w, uint64_t *e, bool large_ok)
{
    bool nxe = (r->efer & EFER_NXE_BIT) != 0;
    bool pae = !(r->efer & EFER_LMA_BIT);
    *e = read_entry(m, w, (table & ADDR_MASK) + (((lin >> shift) & 0x1ff) << 3), 8);
    if (!(*e & PTE_P))
        return walk_fail(w, PF_P), false;
    uint64_t rsvd = (pae ? PAE_RSVD : PHYS_RSVD) | (nxe ? 0 : PTE_XD);
    if (!large_ok && shift > 12)
        rsvd |= PTE_PS;
    if (large_ok && (*e & PTE_PS)) /* SDM 4.5.4: frame bits below the page size are reserved */
        rsvd |= ((UINT64_C(1) << shift) - 1) & ~UINT64_C(0x1fff);
    if (*e & rsvd)
        return walk_fail(w, PF_RSVD), false;
    accumulate(w, *e, nxe);
    return shift == 12 || (large_ok && (*e & PTE_PS));
}

/* SDM 4.4.1 Table 4-8: bits 63:MAXPHYADDR, 8:5 and 2:1 of a PDPTE are reserved. */
#define PDPTE_RSVD (~((UINT64_C(1) << PAGING_MAXPHYADDR) - 1) | 0x1e6)

bool mem_pae_read_pdptes(Memory *m, uint64_t cr3, uint64_t pdpte[4])
{
    uint64_t e[4];
    for (unsigned i = 0; i < 4; i++) {
        e[i] = mem_phys_read(m, (cr3 & 0xffffffe0u) + 8 * i, 8);
        if ((e[i] & PTE_P) && (e[i] & PDPTE_RSVD))
            return false;
    }
    memcpy(pdpte, e, sizeof(e));
    return true;
}

/* SDM 4.4.2: linear-address bits 31:30 select PDPTE register i; without
 * loaded registers, the PDPTE in memory (which has no accessed flag, SDM
 * 4.8: commit starts after it). */
static uint64_t pae_pdpte(Memory *m, const PagingRegs *r, uint32_t lin, PageWalk *w)
{
    if (r->pdpte)
        return r->pdpte[lin >> 30];
    w->first_commit = 1;
    return read_entry(m, w, (r->cr3 & 0xffffffe0u) + ((lin >> 30) << 3), 8);
}

/* SDM 4.4 "PAE Paging". */
static bool walk_pae(Memory *m, const PagingRegs *r, uint32_t lin, PageWalk *w)
{
    w->entry_size = 8;
    uint64_t pdpte = pae_pdpte(m, r, lin, w);
    if (!(pdpte & PTE_P))
        return walk_fail(w, PF_P);
    if (pdpte & PDPTE_RSVD) /* never for registers: MOV to CR checked them */
        return walk_fail(w, PF_RSVD);
    uint64_t e;
    if (walk_level(m, r, pdpte, 21, lin, w, &e, true))
        return walk_leaf(w, e, e & ADDR_MASK, lin, UINT64_C(2) << 20);
    if (w->fault)
        return false;
    if (walk_level(m, r, e, 12, lin, w, &e, false))
        return walk_leaf(w, e, e & ADDR_MASK, lin, PAGE_SIZE);
    return false;
}

/* SDM 4.5 "4-Level Paging and 5-Level Paging". */
static bool walk_long(Memory *m, const PagingRegs *r, uint64_t lin, PageWalk *w)
{
    w->entry_size = 8;
    uint64_t table = r->cr3;
    unsigned top = (r->cr4 & CR4_LA57_BIT) ? 48 : 39;
    for (unsigned shift = top; shift >= 12; shift -= 9) {
        uint64_t e;
        bool large_ok = shift == 30 || shift == 21;
        if (walk_level(m, r, table, shift, lin, w, &e, large_ok))
            return walk_leaf(w, e, e & ADDR_MASK, lin, UINT64_C(1) << shift);
        if (w->fault)
            return false;
        table = e;
    }
    return false;
}

bool mem_page_walk(Memory *m, const PagingRegs *r, uint64_t lin, PageWalk *w)
{
    *w = (PageWalk){.user = true, .writable = true};
    if (!(r->cr0 & CR0_PG_BIT)) {
        w->page_size = PAGE_SIZE;
        w->phys = lin;
        w->dirty = true;
        return true;
    }
    if (r->efer & EFER_LMA_BIT)
        return walk_long(m, r, lin, w);
    if (r->cr4 & CR4_PAE_BIT)
        return walk_pae(m, r, (uint32_t)lin, w);
    return walk_32bit(m, r, (uint32_t)lin, w);
}

void mem_page_walk_commit(Memory *m, const PageWalk *w, bool write)
{
    for (unsigned i = w->first_commit; i < w->levels; i++) {
        uint64_t e = mem_phys_read(m, w->entry_addr[i], w->entry_size);
        uint64_t set = PTE_A | ((write && i + 1 == w->levels) ? PTE_D : 0);
        if ((e & set) != set) {
            /* Setting A/D changes no translation: not a paging-structure
             * write for the TLB's bookkeeping (memory.h). */
            uint64_t writes = m->paging_writes;
            (void)mem_phys_write(m, w->entry_addr[i], w->entry_size, e | set);
            m->paging_writes = writes;
        }
    }
}
