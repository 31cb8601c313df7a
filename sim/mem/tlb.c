/* Software TLB maintenance (design.md "Speed architecture"). */
#include "sim/mem/tlb.h"

#include <string.h>

void mem_tlb_init(Tlb *t)
{
    memset(t->entry, 0, sizeof(t->entry)); /* epoch 0 is never current */
    t->epoch = 1;
    t->has_global = t->carried = false;
}

TlbEntry *mem_tlb_fill(Tlb *t, uint64_t lin, uint64_t phys, uint8_t *host, uint32_t perm)
{
    TlbEntry *e = mem_tlb_slot(t, lin);
    *e = (TlbEntry){mem_tlb_tag(t, lin), phys & PAGE_MASK, host, perm, 0};
    if (perm & TLB_GLOBAL)
        t->has_global = true;
    return e;
}

static void invalidate(TlbEntry *e)
{
    e->tag = 0;
    e->perm = 0;
}

/* Every entry: the next epoch (a real sweep only when the epochs wrap). */
void mem_tlb_flush_all(Tlb *t)
{
    if (t->epoch >= TLB_EPOCH_MAX) {
        mem_tlb_init(t);
        return;
    }
    t->epoch++;
    t->has_global = false;
    t->carried = false;
}

/* SDM 4.10.4.1: MOV to CR3 invalidates non-global translations.  Global
 * entries of the current epoch are carried into the next one. */
void mem_tlb_flush_nonglobal(Tlb *t)
{
    if (!t->has_global) {
        mem_tlb_flush_all(t);
        return;
    }
    uint64_t old = t->epoch;
    mem_tlb_flush_all(t);
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        TlbEntry *e = &t->entry[i];
        if ((e->tag & (PAGE_SIZE - 1)) == old && (e->perm & TLB_GLOBAL)) {
            e->tag = (e->tag & PAGE_MASK) | t->epoch;
            t->has_global = t->carried = true;
        }
    }
}

/* SDM 4.10.4.1: INVLPG invalidates the translation of the page holding lin,
 * whatever its size.  Entries filled from large pages are 4 KiB pieces, so
 * they are all dropped (rare, and over-invalidation is always allowed). */
void mem_tlb_flush_page(Tlb *t, uint64_t lin)
{
    TlbEntry *e = mem_tlb_lookup(t, lin);
    if (e)
        invalidate(e);
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        if (t->entry[i].perm & TLB_LARGE)
            invalidate(&t->entry[i]);
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
