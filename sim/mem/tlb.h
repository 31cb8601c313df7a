/*
 * Software TLB: a direct-mapped cache of linear-to-physical translations.
 * An entry holds the permissions the page walk granted and, for ordinary RAM,
 * the host address of the page, so a guest load is a tag compare and a host
 * load.  Direct writes are granted only when the walk found the page dirty
 * and the page holds no decoded code (design.md "Speed architecture").
 *
 * Flushing all entries is O(1): a tag is the linear page address with the
 * TLB's current epoch (1..TLB_EPOCH_MAX) in its low 12 bits, and a flush
 * moves to the next epoch, so older entries no longer match.
 */
#ifndef VMXSIM_MEM_TLB_H
#define VMXSIM_MEM_TLB_H

#include "sim/sim.h"

#define TLB_BITS 12
#define TLB_ENTRIES (1u << TLB_BITS)
#define TLB_EPOCH_MAX 0xffeu /* epoch 0 and 0xfff are never current */

/* Permission bits of an entry: what an access of each kind may do. */
enum {
    TLB_READ_SUP = 1u << 0,
    TLB_WRITE_SUP = 1u << 1,
    TLB_EXEC_SUP = 1u << 2,
    TLB_READ_USER = 1u << 3,
    TLB_WRITE_USER = 1u << 4,
    TLB_EXEC_USER = 1u << 5,
    TLB_HOST_READ = 1u << 6,  /* host points at plain RAM */
    TLB_HOST_WRITE = 1u << 7, /* dirty and no decoded code: write through host */
    TLB_GLOBAL = 1u << 8,
    TLB_LARGE = 1u << 9, /* from a 2 MiB / 4 MiB / 1 GiB page */
};

typedef struct TlbEntry {
    uint64_t tag;   /* linear page address | epoch */
    uint64_t phys;  /* physical page address */
    uint8_t *host;  /* host address of the page when TLB_HOST_READ */
    uint32_t perm;
    uint32_t pad;
} TlbEntry;

typedef struct Tlb {
    TlbEntry entry[TLB_ENTRIES];
    uint64_t epoch;   /* current epoch, in 1..TLB_EPOCH_MAX */
    bool has_global;  /* a global entry was filled in the current epoch */
    bool carried;     /* global entries of an earlier epoch (another CR3) were carried over */
} Tlb;

static inline TlbEntry *mem_tlb_slot(Tlb *t, uint64_t lin)
{
    return &t->entry[(lin >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
}

/* The tag an entry for lin has in the current epoch. */
static inline uint64_t mem_tlb_tag(const Tlb *t, uint64_t lin) { return (lin & PAGE_MASK) | t->epoch; }

static inline bool mem_tlb_entry_valid(const Tlb *t, const TlbEntry *e)
{
    return (e->tag & (PAGE_SIZE - 1)) == t->epoch;
}

/* The valid entry for lin, or NULL. */
static inline TlbEntry *mem_tlb_lookup(Tlb *t, uint64_t lin)
{
    TlbEntry *e = mem_tlb_slot(t, lin);
    return e->tag == mem_tlb_tag(t, lin) ? e : NULL;
}

void mem_tlb_init(Tlb *t);
TlbEntry *mem_tlb_fill(Tlb *t, uint64_t lin, uint64_t phys, uint8_t *host, uint32_t perm);
void mem_tlb_flush_all(Tlb *t);
void mem_tlb_flush_nonglobal(Tlb *t);
void mem_tlb_flush_page(Tlb *t, uint64_t lin);
/* Withdraw direct-write permission from entries mapping physical page pa. */
void mem_tlb_revoke_host_write(Tlb *t, uint64_t pa);

#endif
