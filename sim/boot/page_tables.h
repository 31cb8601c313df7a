/*
 * The identity map of direct boot: 4-level paging (SDM Vol. 3A, 4.5 "IA-32e
 * Paging", titled "4-Level Paging and 5-Level Paging" in later revisions)
 * with 2 MiB pages, present and
 * writable, supervisor, NX clear, accessed/dirty clear.  Layout from a
 * page-aligned base: one PML4 page, then the PDPT pages, then the page
 * directories, each table filled in order.
 */
#ifndef VMXSIM_BOOT_PAGE_TABLES_H
#define VMXSIM_BOOT_PAGE_TABLES_H

#include "sim/mem/memory.h"
#include "sim/sim.h"

#define BOOT_LARGE_PAGE (UINT64_C(1) << 21)

typedef struct IdentityMap {
    uint64_t bytes; /* mapped from address 0: a multiple of 2 MiB */
    uint64_t pdes;  /* 2 MiB mappings */
    uint64_t pds;   /* page-directory pages */
    uint64_t pdpts; /* page-directory-pointer-table pages = PML4 entries */
} IdentityMap;

/* The shape of a map of at least min_bytes (rounded up to 2 MiB); false
 * when it needs more than the 512 PML4 entries. */
bool boot_identity_map_shape(uint64_t min_bytes, IdentityMap *map) SIM_MUST_CHECK;
/* Size of the tables: (1 + pdpts + pds) pages. */
uint64_t boot_identity_map_table_bytes(const IdentityMap *map);
/* Writes the tables at base (page-aligned, checked RAM); the PML4 is at base. */
void boot_identity_map_write(Memory *mem, uint64_t base, const IdentityMap *map);

#endif
