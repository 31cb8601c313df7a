/* Unit tests for page walks (sim/mem/paging.c), SDM Vol. 3A chapter 4 "Paging":
 * 4.3 32-bit paging, 4.4 PAE paging, 4.5 4-level and 5-level paging, 4.8
 * accessed and dirty flags.  Page tables are built in a Memory with
 * mem_phys_write; w->fault is PF_P for a not-present entry and PF_RSVD for a
 * reserved bit (paging.h). */
#include "check_main.h"
#include <stdlib.h>

#include "sim/cpu/cpu.h"
#include "sim/mem/paging.h"

/* Paging-structure entry bits (SDM 4.3 Table 4-4..4-6, 4.4.2, 4.5.4). */
#define PTE_P (UINT64_C(1) << 0)
#define PTE_W (UINT64_C(1) << 1)
#define PTE_U (UINT64_C(1) << 2)
#define PTE_A (UINT64_C(1) << 5)
#define PTE_D (UINT64_C(1) << 6)
#define PTE_PS (UINT64_C(1) << 7)
#define PTE_G (UINT64_C(1) << 8)
#define PTE_XD (UINT64_C(1) << 63)
#define PWU (PTE_P | PTE_W | PTE_U)
#define BIT(n) (UINT64_C(1) << (n))

#define KIB4 UINT64_C(0x1000)
#define MIB2 UINT64_C(0x200000)
#define MIB4 UINT64_C(0x400000)
#define GIB1 UINT64_C(0x40000000)

static Memory mem;

static void setup(void) {
    ck_assert(mem_init(&mem, UINT64_C(64) << 20));
}

static void teardown(void) {
    mem_destroy(&mem);
}

static void put64(uint64_t pa, uint64_t v) {
    (void)mem_phys_write(&mem, pa, 8, v);
}

static uint64_t get64(uint64_t pa) {
    return mem_phys_read(&mem, pa, 8);
}

static void put32(uint64_t pa, uint32_t v) {
    (void)mem_phys_write(&mem, pa, 4, v);
}

static uint32_t get32(uint64_t pa) {
    return (uint32_t)mem_phys_read(&mem, pa, 4);
}

/* ---- 4-level and 5-level paging (SDM 4.5) ---------------------------------- */

/* Level 0 is the PML5 table, 1 the PML4 table, 2 the PDPT, 3 the PD, 4 the PT. */
static const uint64_t table[5] = {0x5000, 0x1000, 0x2000, 0x3000, 0x4000};
#define LIN4 UINT64_C(0xffff9abcdef12abc) /* canonical with 48 bits */
#define LIN5 UINT64_C(0x00abcdef12345abc) /* canonical with 57 bits, PML5 index 0xab */
#define FRAME_4K UINT64_C(0x7f12345000)   /* bit 38 = MAXPHYADDR - 1 */
#define FRAME_2M UINT64_C(0x7f12400000)
#define FRAME_1G UINT64_C(0x7fc0000000)

static unsigned level_shift(unsigned lvl) {
    return 48 - 9 * lvl;
}

static uint64_t entry_pa(unsigned lvl, uint64_t lin) {
    return table[lvl] + ((lin >> level_shift(lvl)) & 0x1ff) * 8;
}

static uint64_t frame_of_leaf(unsigned leaf) {
    return leaf == 4 ? FRAME_4K : leaf == 3 ? FRAME_2M : FRAME_1G;
}

static uint64_t size_of_leaf(unsigned leaf) {
    return leaf == 4 ? KIB4 : leaf == 3 ? MIB2 : GIB1;
}

/* Map lin through levels first..leaf (first 0: 5-level, 1: 4-level); every
 * entry gets `flags`, the leaf maps its frame (PS set above the PT). */
static void map_long(unsigned first, unsigned leaf, uint64_t lin, uint64_t flags) {
    for (unsigned l = first; l < leaf; l++)
        put64(entry_pa(l, lin), table[l + 1] | flags);
    put64(entry_pa(leaf, lin), frame_of_leaf(leaf) | flags | (leaf < 4 ? PTE_PS : 0));
}

static PagingRegs regs_long(bool la57, bool nxe) {
    return (PagingRegs){
        .cr0 = CR0_PG | CR0_PE,
        .cr3 = la57 ? table[0] : table[1],
        .cr4 = CR4_PAE | (la57 ? CR4_LA57 : 0),
        .efer = EFER_LME | EFER_LMA | (nxe ? EFER_NXE : 0),
    };
}

static const uint64_t identity_lins[] = {0, 0x1234, UINT64_C(0xfffff000), UINT64_C(0x123456789)};

START_TEST(test_paging_off_linear_is_physical) {
    PagingRegs r = {.cr0 = CR0_PE, .cr3 = table[1], .cr4 = CR4_PAE};
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, identity_lins[_i], &w));
    ck_assert_uint_eq(w.phys, identity_lins[_i]);
    ck_assert_uint_eq(w.fault, 0);
    ck_assert_uint_eq(w.levels, 0);
}
END_TEST

/* The other side: with CR0.PG = 1 and empty tables nothing is mapped. */
START_TEST(test_paging_on_empty_tables_not_present) {
    PagingRegs r = regs_long(false, false);
    PageWalk w;
    ck_assert(!mem_page_walk(&mem, &r, identity_lins[_i], &w));
    ck_assert_uint_eq(w.fault, PF_P);
}
END_TEST

/* Leaf at the PT (4 KiB), PD (2 MiB) or PDPT (1 GiB), 4-level and 5-level. */
static const struct {
    unsigned first, leaf;
} layouts[] = {{1, 4}, {1, 3}, {1, 2}, {0, 4}, {0, 3}, {0, 2}};

START_TEST(test_paging_long_mapped_page_translates_to_frame) {
    unsigned first = layouts[_i].first, leaf = layouts[_i].leaf;
    uint64_t lin = first == 0 ? LIN5 : LIN4, size = size_of_leaf(leaf);
    map_long(first, leaf, lin, PWU);
    PagingRegs r = regs_long(first == 0, false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, lin, &w));
    ck_assert_uint_eq(w.fault, 0);
    ck_assert_uint_eq(w.phys, frame_of_leaf(leaf) | (lin & (size - 1)));
    ck_assert_uint_eq(w.page_size, size);
    ck_assert_uint_eq(w.levels, leaf - first + 1);
    ck_assert_uint_eq(w.entry_size, 8);
    for (unsigned l = first; l <= leaf; l++)
        ck_assert_uint_eq(w.entry_addr[l - first], entry_pa(l, lin));
}
END_TEST

/* A not-present entry at each level of a 5-level walk; its other bits
 * (all set, reserved ones included) are ignored (SDM 4.5.4). */
START_TEST(test_paging_long_not_present_entry_faults_not_present) {
    unsigned lvl = (unsigned)_i;
    map_long(0, 4, LIN5, PWU);
    PagingRegs r = regs_long(true, false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN5, &w));
    put64(entry_pa(lvl, LIN5), ~PTE_P);
    ck_assert(!mem_page_walk(&mem, &r, LIN5, &w));
    ck_assert_uint_eq(w.fault, PF_P);
    ck_assert_uint_eq(w.levels, lvl + 1);
}
END_TEST

/* SDM 4.5.4: reserved bits.  Each row ORs `bits` into the entry at `lvl` of a
 * walk that succeeds without them. */
static const struct {
    unsigned first, leaf, lvl;
    uint64_t bits;
    bool nxe;
    uint32_t fault;
} long_rsvd[] = {
    {1, 4, 1, BIT(PAGING_MAXPHYADDR), false, PF_RSVD}, /* PML4E address above MAXPHYADDR */
    {1, 4, 2, BIT(PAGING_MAXPHYADDR), false, PF_RSVD},
    {1, 4, 3, BIT(PAGING_MAXPHYADDR), false, PF_RSVD},
    {1, 4, 4, BIT(PAGING_MAXPHYADDR), false, PF_RSVD},
    {1, 4, 4, BIT(51), false, PF_RSVD},
    {1, 3, 3, BIT(PAGING_MAXPHYADDR), false, PF_RSVD}, /* 2 MiB leaf */
    {1, 2, 2, BIT(51), false, PF_RSVD},                /* 1 GiB leaf */
    {0, 4, 0, BIT(PAGING_MAXPHYADDR), false, PF_RSVD}, /* PML5E */
    {1, 4, 1, PTE_XD, false, PF_RSVD},                 /* XD with EFER.NXE = 0 */
    {1, 4, 4, PTE_XD, false, PF_RSVD},
    {1, 3, 3, PTE_XD, false, PF_RSVD},
    {1, 4, 1, PTE_PS, false, PF_RSVD},  /* PS in a PML4E */
    {0, 4, 0, PTE_PS, false, PF_RSVD},  /* PS in a PML5E */
    {1, 3, 3, BIT(13), false, PF_RSVD}, /* 2 MiB frame bits 20:13 */
    {1, 3, 3, BIT(20), false, PF_RSVD},
    {1, 2, 2, BIT(13), false, PF_RSVD}, /* 1 GiB frame bits 29:13 */
    {1, 2, 2, BIT(29), false, PF_RSVD},
    /* The same entries without a reserved bit. */
    {1, 4, 1, PTE_XD, true, 0},
    {1, 4, 4, PTE_XD, true, 0},
    {1, 4, 4, BIT(52), false, 0}, /* bits 58:52 are ignored */
    {1, 4, 1, BIT(58), false, 0},
    {1, 4, 4, PTE_PS, false, 0},  /* bit 7 of a PTE is PAT */
    {1, 3, 3, BIT(12), false, 0}, /* bit 12 of a 2 MiB PDE is PAT */
    {1, 2, 2, BIT(12), false, 0},
    {1, 4, 3, PTE_G, false, 0}, /* ignored in a non-leaf entry */
};

START_TEST(test_paging_long_reserved_bit_faults_rsvd) {
    unsigned first = long_rsvd[_i].first, leaf = long_rsvd[_i].leaf, lvl = long_rsvd[_i].lvl;
    uint64_t lin = first == 0 ? LIN5 : LIN4;
    map_long(first, leaf, lin, PWU);
    PagingRegs r = regs_long(first == 0, long_rsvd[_i].nxe);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, lin, &w));
    put64(entry_pa(lvl, lin), get64(entry_pa(lvl, lin)) | long_rsvd[_i].bits);
    bool ok = mem_page_walk(&mem, &r, lin, &w), expect_ok = long_rsvd[_i].fault == 0;
    ck_assert_uint_eq(w.fault, long_rsvd[_i].fault);
    ck_assert_int_eq(ok, expect_ok);
    if (!ok)
        ck_assert_uint_eq(w.levels, lvl - first + 1);
    else
        ck_assert_uint_eq(w.phys, frame_of_leaf(leaf) | (lin & (size_of_leaf(leaf) - 1)));
}
END_TEST

/* SDM 4.6.1: U/S and R/W are ANDed over every level, XD ORed (EFER.NXE = 1). */
static const struct {
    unsigned first, leaf;
    uint64_t flags[5];
    bool user, writable, nx;
} access_rights[] = {
    {1, 4, {0, PWU, PWU, PWU, PWU}, true, true, false},
    {1, 4, {0, PTE_P | PTE_W, PWU, PWU, PWU}, false, true, false},
    {1, 4, {0, PWU, PWU, PWU, PTE_P | PTE_W}, false, true, false},
    {1, 4, {0, PWU, PTE_P | PTE_U, PWU, PWU}, true, false, false},
    {1, 4, {0, PWU, PWU, PWU, PTE_P | PTE_U}, true, false, false},
    {1, 4, {0, PTE_P, PWU, PWU, PWU}, false, false, false},
    {1, 4, {0, PWU | PTE_XD, PWU, PWU, PWU}, true, true, true},
    {1, 4, {0, PWU, PWU, PWU | PTE_XD, PWU}, true, true, true},
    {1, 4, {0, PWU, PWU, PWU, PWU | PTE_XD}, true, true, true},
    {1, 3, {0, PWU, PWU, PTE_P | PTE_U | PTE_XD, 0}, true, false, true}, /* 2 MiB leaf */
    {1, 2, {0, PWU, PTE_P | PTE_W, 0, 0}, false, true, false},           /* 1 GiB leaf */
    {0, 4, {PTE_P | PTE_W, PWU, PWU, PWU, PWU}, false, true, false},     /* PML5E */
    {0, 4, {PWU | PTE_XD, PWU, PWU, PWU, PWU}, true, true, true},
};

START_TEST(test_paging_long_access_rights_accumulate_over_levels) {
    unsigned first = access_rights[_i].first, leaf = access_rights[_i].leaf;
    uint64_t lin = first == 0 ? LIN5 : LIN4;
    map_long(first, leaf, lin, 0);
    for (unsigned l = first; l <= leaf; l++)
        put64(entry_pa(l, lin), get64(entry_pa(l, lin)) | access_rights[_i].flags[l]);
    PagingRegs r = regs_long(first == 0, true);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, lin, &w));
    ck_assert_int_eq(w.user, access_rights[_i].user);
    ck_assert_int_eq(w.writable, access_rights[_i].writable);
    ck_assert_int_eq(w.nx, access_rights[_i].nx);
}
END_TEST

/* G and D come from the leaf only; in a non-leaf entry bits 8 and 6 are ignored. */
static const struct {
    unsigned leaf, lvl;
    uint64_t bits;
    bool global, dirty;
} leaf_bits[] = {
    {4, 4, PTE_G | PTE_D, true, true},
    {4, 4, PTE_G, true, false},
    {4, 4, PTE_D, false, true},
    {4, 3, PTE_G | PTE_D, false, false},
    {4, 1, PTE_G | PTE_D, false, false},
    {3, 3, PTE_G | PTE_D, true, true},
    {3, 2, PTE_G | PTE_D, false, false},
    {2, 2, PTE_G | PTE_D, true, true},
    {4, 4, 0, false, false},
};

START_TEST(test_paging_long_global_dirty_reported_from_leaf) {
    map_long(1, leaf_bits[_i].leaf, LIN4, PWU);
    put64(entry_pa(leaf_bits[_i].lvl, LIN4),
          get64(entry_pa(leaf_bits[_i].lvl, LIN4)) | leaf_bits[_i].bits);
    PagingRegs r = regs_long(false, false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN4, &w));
    ck_assert_int_eq(w.global, leaf_bits[_i].global);
    ck_assert_int_eq(w.dirty, leaf_bits[_i].dirty);
}
END_TEST

/* SDM 4.8: A on every entry used, D on the leaf for a write only.  Loop index:
 * layout * 2 + write. */
START_TEST(test_paging_long_commit_sets_accessed_everywhere_dirty_on_leaf_write) {
    unsigned first = layouts[_i / 2].first, leaf = layouts[_i / 2].leaf;
    bool write = _i & 1;
    uint64_t lin = first == 0 ? LIN5 : LIN4;
    map_long(first, leaf, lin, PWU);
    PagingRegs r = regs_long(first == 0, false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, lin, &w));
    uint64_t before[5];
    for (unsigned l = first; l <= leaf; l++)
        before[l] = get64(entry_pa(l, lin));
    mem_page_walk_commit(&mem, &w, write);
    for (unsigned l = first; l <= leaf; l++) {
        uint64_t d = (write && l == leaf) ? PTE_D : 0;
        ck_assert_uint_eq(get64(entry_pa(l, lin)), before[l] | PTE_A | d);
    }
    ck_assert(mem_page_walk(&mem, &r, lin, &w));
    ck_assert_int_eq(w.dirty, write);
}
END_TEST

/* ---- 32-bit paging (SDM 4.3) ----------------------------------------------- */

#define PD32 UINT64_C(0x1000)
#define PT32 UINT64_C(0x2000)
#define LIN32 UINT64_C(0xc0345abc) /* PDE 0x300, PTE 0x345, offset 0xabc */
#define PDE32 (PD32 + 0x300 * 4)
#define PTE32 (PT32 + 0x345 * 4)

static PagingRegs regs_32(bool pse) {
    return (PagingRegs){.cr0 = CR0_PG | CR0_PE, .cr3 = PD32, .cr4 = pse ? CR4_PSE : 0};
}

static void map_32_4k(void) {
    put32(PDE32, (uint32_t)(PT32 | PWU));
    put32(PTE32, (uint32_t)(0xfedcb000u | PWU));
}

START_TEST(test_paging_32bit_4k_page_translates_to_frame) {
    map_32_4k();
    PagingRegs r = regs_32(_i != 0);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, 0xfedcbabc);
    ck_assert_uint_eq(w.page_size, KIB4);
    ck_assert_uint_eq(w.levels, 2);
    ck_assert_uint_eq(w.entry_size, 4);
    ck_assert_uint_eq(w.entry_addr[0], PDE32);
    ck_assert_uint_eq(w.entry_addr[1], PTE32);
}
END_TEST

START_TEST(test_paging_32bit_not_present_entry_faults_not_present) {
    map_32_4k();
    put32(_i == 0 ? PDE32 : PTE32, 0xfffffffe);
    PagingRegs r = regs_32(true);
    PageWalk w;
    ck_assert(!mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.fault, PF_P);
    ck_assert_uint_eq(w.levels, (unsigned)_i + 1);
}
END_TEST

START_TEST(test_paging_32bit_4m_page_with_pse_translates_to_frame) {
    put32(PDE32, (uint32_t)(0xff800000u | PTE_PS | PWU));
    PagingRegs r = regs_32(true);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, 0xff800000u | (LIN32 & (MIB4 - 1)));
    ck_assert_uint_eq(w.page_size, MIB4);
    ck_assert_uint_eq(w.levels, 1);
}
END_TEST

/* PSE-36: bits 39:32 of a 4 MiB page come from PDE bits 20:13 (here 19:13,
 * MAXPHYADDR 39); bit 12 is PAT, not an address bit. */
START_TEST(test_paging_32bit_4m_page_pse36_bits_translate_above_4g) {
    put32(PDE32, (uint32_t)(0xff800000u | (0x7fu << 13) | BIT(12) | PTE_PS | PWU));
    PagingRegs r = regs_32(true);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, (UINT64_C(0x7f) << 32) | 0xff800000u | (LIN32 & (MIB4 - 1)));
}
END_TEST

/* With CR4.PSE = 0 the PS bit is ignored and the PDE points to a page table. */
START_TEST(test_paging_32bit_ps_without_pse_uses_page_table) {
    map_32_4k();
    put32(PDE32, (uint32_t)(PT32 | PTE_PS | PWU));
    PagingRegs r = regs_32(false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, 0xfedcbabc);
    ck_assert_uint_eq(w.levels, 2);
    r = regs_32(true); /* the same PDE maps a 4 MiB page at 4 GiB (PDE bit 13) */
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, (UINT64_C(1) << 32) | (LIN32 & (MIB4 - 1)));
    ck_assert_uint_eq(w.levels, 1);
}
END_TEST

/* SDM 4.3 Table 4-4: in a 4 MiB PDE bits 21:(M-19) are reserved, M =
 * min(MAXPHYADDR, 40): bits 21:20 with MAXPHYADDR 39. */
static const unsigned pse_rsvd_bits[] = {21, PAGING_MAXPHYADDR - 19};

START_TEST(test_paging_32bit_4m_reserved_bit_faults_rsvd) {
    uint32_t pde = (uint32_t)(0xff800000u | PTE_PS | PWU);
    put32(PDE32, pde);
    PagingRegs r = regs_32(true);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    put32(PDE32, pde | (uint32_t)BIT(pse_rsvd_bits[_i]));
    bool ok = mem_page_walk(&mem, &r, LIN32, &w);
    ck_assert_msg(!ok, "PDE bit %u accepted: phys %#llx", pse_rsvd_bits[_i],
                  (unsigned long long)w.phys);
    ck_assert_uint_eq(w.fault, PF_RSVD);
}
END_TEST

/* The other side: bit 21 of a PDE that references a page table is an address bit. */
START_TEST(test_paging_32bit_page_table_pde_bit21_is_address) {
    put32(PDE32, (uint32_t)(0x202000u | PWU));
    put32(0x202000 + 0x345 * 4, (uint32_t)(0xfedcb000u | PWU));
    PagingRegs r = regs_32(true);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, 0xfedcbabc);
}
END_TEST

static const struct {
    uint32_t pde, pte;
    bool user, writable;
} rights_32[] = {
    {PWU, PWU, true, true},
    {PTE_P | PTE_W, PWU, false, true},
    {PWU, PTE_P | PTE_U, true, false},
    {PTE_P | PTE_U, PTE_P | PTE_W, false, false},
};

START_TEST(test_paging_32bit_access_rights_accumulate_over_levels) {
    put32(PDE32, (uint32_t)PT32 | rights_32[_i].pde);
    put32(PTE32, 0xfedcb000u | rights_32[_i].pte);
    PagingRegs r = regs_32(false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_int_eq(w.user, rights_32[_i].user);
    ck_assert_int_eq(w.writable, rights_32[_i].writable);
    ck_assert(!w.nx);
}
END_TEST

/* Entries are 4 bytes: the neighbouring entries are not touched. */
START_TEST(test_paging_32bit_commit_sets_accessed_everywhere_dirty_on_leaf_write) {
    bool write = _i != 0;
    map_32_4k();
    put32(PDE32 + 4, 0x11111111u);
    put32(PTE32 + 4, 0x22222222u);
    PagingRegs r = regs_32(false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    mem_page_walk_commit(&mem, &w, write);
    ck_assert_uint_eq(get32(PDE32), PT32 | PWU | PTE_A);
    ck_assert_uint_eq(get32(PTE32), 0xfedcb000u | PWU | PTE_A | (write ? PTE_D : 0));
    ck_assert_uint_eq(get32(PDE32 + 4), 0x11111111u);
    ck_assert_uint_eq(get32(PTE32 + 4), 0x22222222u);
}
END_TEST

START_TEST(test_paging_32bit_commit_4m_page_write_sets_dirty_on_pde) {
    bool write = _i != 0;
    put32(PDE32, (uint32_t)(0xff800000u | PTE_PS | PWU));
    PagingRegs r = regs_32(true);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    mem_page_walk_commit(&mem, &w, write);
    ck_assert_uint_eq(get32(PDE32), 0xff800000u | PTE_PS | PWU | PTE_A | (write ? PTE_D : 0));
}
END_TEST

/* ---- PAE paging (SDM 4.4) -------------------------------------------------- */

#define PDPT_PAE UINT64_C(0x1020) /* CR3 bits 31:5 */
#define PD_PAE UINT64_C(0x2000)
#define PT_PAE UINT64_C(0x3000)
#define PDPTE_PAE (PDPT_PAE + 3 * 8)                   /* LIN32 bits 31:30 */
#define PDE_PAE (PD_PAE + ((LIN32 >> 21) & 0x1ff) * 8) /* bits 29:21 */
#define PTE_PAE (PT_PAE + ((LIN32 >> 12) & 0x1ff) * 8) /* bits 20:12 */
#define FRAME_PAE UINT64_C(0x7f12345000)

static PagingRegs regs_pae(bool nxe) {
    return (PagingRegs){
        .cr0 = CR0_PG | CR0_PE, .cr3 = PDPT_PAE, .cr4 = CR4_PAE, .efer = nxe ? EFER_NXE : 0};
}

static void map_pae(bool large) {
    put64(PDPTE_PAE, PD_PAE | PTE_P);
    if (large) {
        put64(PDE_PAE, (FRAME_PAE & ~(MIB2 - 1)) | PTE_PS | PWU);
        return;
    }
    put64(PDE_PAE, PT_PAE | PWU);
    put64(PTE_PAE, FRAME_PAE | PWU);
}

START_TEST(test_paging_pae_4k_page_translates_to_frame) {
    map_pae(false);
    PagingRegs r = regs_pae(false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, FRAME_PAE | 0xabc);
    ck_assert_uint_eq(w.page_size, KIB4);
    ck_assert_uint_eq(w.levels, 3);
    ck_assert_uint_eq(w.entry_size, 8);
    ck_assert_uint_eq(w.entry_addr[0], PDPTE_PAE);
    ck_assert_uint_eq(w.entry_addr[1], PDE_PAE);
    ck_assert_uint_eq(w.entry_addr[2], PTE_PAE);
}
END_TEST

START_TEST(test_paging_pae_2m_page_translates_to_frame) {
    map_pae(true);
    PagingRegs r = regs_pae(false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, (FRAME_PAE & ~(MIB2 - 1)) | (LIN32 & (MIB2 - 1)));
    ck_assert_uint_eq(w.page_size, MIB2);
    ck_assert_uint_eq(w.levels, 2);
}
END_TEST

static const uint64_t pae_entries[] = {PDPTE_PAE, PDE_PAE, PTE_PAE};

START_TEST(test_paging_pae_not_present_entry_faults_not_present) {
    map_pae(false);
    put64(pae_entries[_i], ~PTE_P);
    PagingRegs r = regs_pae(false);
    PageWalk w;
    ck_assert(!mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.fault, PF_P);
    ck_assert_uint_eq(w.levels, (unsigned)_i + 1);
}
END_TEST

/* SDM 4.4.1 Table 4-8: PDPTE bits 2:1, 8:5 and 63:MAXPHYADDR are reserved. */
static const unsigned pdpte_rsvd_bits[] = {1, 2, 5, 6, 7, 8, PAGING_MAXPHYADDR, 51, 52, 62, 63};

START_TEST(test_paging_pae_pdpte_reserved_bit_faults_rsvd) {
    map_pae(false);
    PagingRegs r = regs_pae(true);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    put64(PDPTE_PAE, PD_PAE | PTE_P | BIT(pdpte_rsvd_bits[_i]));
    bool ok = mem_page_walk(&mem, &r, LIN32, &w);
    ck_assert_uint_eq(w.fault, PF_RSVD);
    ck_assert(!ok);
    ck_assert_uint_eq(w.levels, 1);
}
END_TEST

/* The other side: PWT, PCD and the ignored bits 11:9. */
static const unsigned pdpte_free_bits[] = {3, 4, 9, 10, 11};

START_TEST(test_paging_pae_pdpte_non_reserved_bit_accepted) {
    map_pae(false);
    put64(PDPTE_PAE, PD_PAE | PTE_P | BIT(pdpte_free_bits[_i]));
    PagingRegs r = regs_pae(false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    ck_assert_uint_eq(w.phys, FRAME_PAE | 0xabc);
}
END_TEST

/* SDM 4.4.2: in a PDE or PTE bits 62:MAXPHYADDR are reserved, XD when
 * EFER.NXE = 0, and bits 20:13 of a 2 MiB PDE. */
static const struct {
    bool large;
    uint64_t entry, bits;
    bool nxe;
    uint32_t fault;
} pae_rsvd[] = {
    {false, PDE_PAE, BIT(PAGING_MAXPHYADDR), false, PF_RSVD},
    {false, PTE_PAE, BIT(PAGING_MAXPHYADDR), false, PF_RSVD},
    {false, PDE_PAE, BIT(52), false, PF_RSVD},
    {false, PTE_PAE, BIT(62), false, PF_RSVD},
    {true, PDE_PAE, BIT(58), false, PF_RSVD},
    {false, PTE_PAE, PTE_XD, false, PF_RSVD},
    {true, PDE_PAE, PTE_XD, false, PF_RSVD},
    {true, PDE_PAE, BIT(13), false, PF_RSVD},
    {true, PDE_PAE, BIT(20), false, PF_RSVD},
    {false, PTE_PAE, PTE_XD, true, 0},
    {true, PDE_PAE, PTE_XD, true, 0},
    {true, PDE_PAE, BIT(12), false, 0}, /* PAT */
    {false, PTE_PAE, PTE_PS, false, 0}, /* PAT */
};

START_TEST(test_paging_pae_entry_reserved_bit_faults_rsvd) {
    map_pae(pae_rsvd[_i].large);
    PagingRegs r = regs_pae(pae_rsvd[_i].nxe);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    put64(pae_rsvd[_i].entry, get64(pae_rsvd[_i].entry) | pae_rsvd[_i].bits);
    bool ok = mem_page_walk(&mem, &r, LIN32, &w), expect_ok = pae_rsvd[_i].fault == 0;
    ck_assert_uint_eq(w.fault, pae_rsvd[_i].fault);
    ck_assert_int_eq(ok, expect_ok);
    if (ok) ck_assert_int_eq(w.nx, (pae_rsvd[_i].bits & PTE_XD) != 0);
}
END_TEST

/* SDM 4.8: PDPTEs have no accessed flag (bit 5 is reserved); A goes on the
 * PDE and PTE, D on the PTE for a write, and the walk still succeeds after. */
START_TEST(test_paging_pae_commit_leaves_pdpte_and_walks_again) {
    bool write = _i != 0;
    map_pae(false);
    PagingRegs r = regs_pae(false);
    PageWalk w;
    ck_assert(mem_page_walk(&mem, &r, LIN32, &w));
    mem_page_walk_commit(&mem, &w, write);
    ck_assert_uint_eq(get64(PDE_PAE), PT_PAE | PWU | PTE_A);
    ck_assert_uint_eq(get64(PTE_PAE), FRAME_PAE | PWU | PTE_A | (write ? PTE_D : 0));
    bool ok = mem_page_walk(&mem, &r, LIN32, &w);
    ck_assert_uint_eq(w.fault, 0);
    ck_assert(ok);
    ck_assert_uint_eq(get64(PDPTE_PAE), PD_PAE | PTE_P);
}
END_TEST

static Suite *paging_suite(void) {
    Suite *s = suite_create("paging");
    TCase *lm = tcase_create("long");
    tcase_add_checked_fixture(lm, setup, teardown);
    tcase_add_loop_test(lm, test_paging_off_linear_is_physical, 0,
                        (int)SIM_ARRAY_SIZE(identity_lins));
    tcase_add_loop_test(lm, test_paging_on_empty_tables_not_present, 0,
                        (int)SIM_ARRAY_SIZE(identity_lins));
    tcase_add_loop_test(lm, test_paging_long_mapped_page_translates_to_frame, 0,
                        (int)SIM_ARRAY_SIZE(layouts));
    tcase_add_loop_test(lm, test_paging_long_not_present_entry_faults_not_present, 0, 5);
    tcase_add_loop_test(lm, test_paging_long_reserved_bit_faults_rsvd, 0,
                        (int)SIM_ARRAY_SIZE(long_rsvd));
    tcase_add_loop_test(lm, test_paging_long_access_rights_accumulate_over_levels, 0,
                        (int)SIM_ARRAY_SIZE(access_rights));
    tcase_add_loop_test(lm, test_paging_long_global_dirty_reported_from_leaf, 0,
                        (int)SIM_ARRAY_SIZE(leaf_bits));
    tcase_add_loop_test(lm, test_paging_long_commit_sets_accessed_everywhere_dirty_on_leaf_write, 0,
                        2 * (int)SIM_ARRAY_SIZE(layouts));
    suite_add_tcase(s, lm);

    TCase *p32 = tcase_create("32bit");
    tcase_add_checked_fixture(p32, setup, teardown);
    tcase_add_loop_test(p32, test_paging_32bit_4k_page_translates_to_frame, 0, 2);
    tcase_add_loop_test(p32, test_paging_32bit_not_present_entry_faults_not_present, 0, 2);
    tcase_add_test(p32, test_paging_32bit_4m_page_with_pse_translates_to_frame);
    tcase_add_test(p32, test_paging_32bit_4m_page_pse36_bits_translate_above_4g);
    tcase_add_test(p32, test_paging_32bit_ps_without_pse_uses_page_table);
    tcase_add_loop_test(p32, test_paging_32bit_4m_reserved_bit_faults_rsvd, 0,
                        (int)SIM_ARRAY_SIZE(pse_rsvd_bits));
    tcase_add_test(p32, test_paging_32bit_page_table_pde_bit21_is_address);
    tcase_add_loop_test(p32, test_paging_32bit_access_rights_accumulate_over_levels, 0,
                        (int)SIM_ARRAY_SIZE(rights_32));
    tcase_add_loop_test(p32, test_paging_32bit_commit_sets_accessed_everywhere_dirty_on_leaf_write,
                        0, 2);
    tcase_add_loop_test(p32, test_paging_32bit_commit_4m_page_write_sets_dirty_on_pde, 0, 2);
    suite_add_tcase(s, p32);

    TCase *pae = tcase_create("pae");
    tcase_add_checked_fixture(pae, setup, teardown);
    tcase_add_test(pae, test_paging_pae_4k_page_translates_to_frame);
    tcase_add_test(pae, test_paging_pae_2m_page_translates_to_frame);
    tcase_add_loop_test(pae, test_paging_pae_not_present_entry_faults_not_present, 0,
                        (int)SIM_ARRAY_SIZE(pae_entries));
    tcase_add_loop_test(pae, test_paging_pae_pdpte_reserved_bit_faults_rsvd, 0,
                        (int)SIM_ARRAY_SIZE(pdpte_rsvd_bits));
    tcase_add_loop_test(pae, test_paging_pae_pdpte_non_reserved_bit_accepted, 0,
                        (int)SIM_ARRAY_SIZE(pdpte_free_bits));
    tcase_add_loop_test(pae, test_paging_pae_entry_reserved_bit_faults_rsvd, 0,
                        (int)SIM_ARRAY_SIZE(pae_rsvd));
    tcase_add_loop_test(pae, test_paging_pae_commit_leaves_pdpte_and_walks_again, 0, 2);
    suite_add_tcase(s, pae);
    return s;
}

CHECK_MAIN(paging_suite)
