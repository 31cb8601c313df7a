/* The identity map of direct boot (SDM 4.5, 2 MiB pages). */
#include "sim/boot/page_tables.h"

#include "sim/boot/guest_ram.h"

/* SDM 4.5 (4-level paging) entry bits: P, R/W, and PS in a PDE that maps 2 MiB. */
#define PTE_P UINT64_C(0x1)
#define PTE_RW UINT64_C(0x2)
#define PTE_PS UINT64_C(0x80)
#define TABLE_ENTRIES 512u

static uint64_t div_round_up(uint64_t a, uint64_t b) {
    return a / b + (a % b != 0);
}

bool boot_identity_map_shape(uint64_t min_bytes, IdentityMap *map) {
    map->pdes = div_round_up(min_bytes, BOOT_LARGE_PAGE);
    map->bytes = map->pdes * BOOT_LARGE_PAGE;
    map->pds = div_round_up(map->pdes, TABLE_ENTRIES);
    map->pdpts = div_round_up(map->pds, TABLE_ENTRIES);
    return map->pdes > 0 && map->pdpts <= TABLE_ENTRIES;
}

uint64_t boot_identity_map_table_bytes(const IdentityMap *map) {
    return (1 + map->pdpts + map->pds) * PAGE_SIZE;
}

/* Writes one table page: entries [first, first + 512) of a level whose entry
 * n (n < count) is (addr0 + n * step) | flags; the rest not present. */
static void write_table(Memory *mem, uint64_t page, uint64_t first, uint64_t count, uint64_t addr0,
                        uint64_t step, uint64_t flags) {
    uint64_t e[TABLE_ENTRIES] = {0};
    for (uint64_t i = 0; i < TABLE_ENTRIES && first + i < count; i++)
        e[i] = (addr0 + (first + i) * step) | flags;
    boot_ram_copy(mem, page, e, sizeof(e));
}

void boot_identity_map_write(Memory *mem, uint64_t base, const IdentityMap *map) {
    uint64_t pdpt0 = base + PAGE_SIZE;
    uint64_t pd0 = pdpt0 + map->pdpts * PAGE_SIZE;
    write_table(mem, base, 0, map->pdpts, pdpt0, PAGE_SIZE, PTE_P | PTE_RW);
    for (uint64_t p = 0; p < map->pdpts; p++)
        write_table(mem, pdpt0 + p * PAGE_SIZE, p * TABLE_ENTRIES, map->pds, pd0, PAGE_SIZE,
                    PTE_P | PTE_RW);
    for (uint64_t p = 0; p < map->pds; p++)
        write_table(mem, pd0 + p * PAGE_SIZE, p * TABLE_ENTRIES, map->pdes, 0, BOOT_LARGE_PAGE,
                    PTE_P | PTE_RW | PTE_PS);
}
