/* Software TLB maintenance (design.md "Speed architecture"). */
#include "sim/mem/tlb.h"

void mem_tlb_flush_all(Tlb *t)
{
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        t->entry[i].tag = TLB_INVALID_TAG;
        t->entry[i].perm = 0;
    }
}

/* SDM 4.10.4.1: MOV to CR3 invalidates non-global translations. */
void mem_tlb_flush_nonglobal(Tlb *t)
{
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        if (!(t->entry[i].perm & TLB_GLOBAL)) {
            t->entry[i].tag = TLB_INVALID_TAG;
            t->entry[i].perm = 0;
        }
    }
}

/* SDM 4.10.4.1: INVLPG invalidates the translation of the page holding lin,
 * whatever its size.  Entries filled from large pages are 4 KiB pieces, so
 * they are all dropped (rare, and over-invalidation is always allowed). */
void mem_tlb_flush_page(Tlb *t, uint64_t lin)
{
    TlbEntry *e = mem_tlb_slot(t, lin);
    if (e->tag == (lin & PAGE_MASK)) {
        e->tag = TLB_INVALID_TAG;
        e->perm = 0;
    }
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        if (t->entry[i].perm & TLB_LARGE) {
            t->entry[i].tag = TLB_INVALID_TAG;
            t->entry[i].perm = 0;
        }
    }
}

void mem_tlb_revoke_host_write(Tlb *t, uint64_t pa)
{
    uint64_t page = pa & PAGE_MASK;
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        if (t->entry[i].phys == page)
            t->entry[i].perm &= ~(uint32_t)TLB_HOST_WRITE;
    }
}
