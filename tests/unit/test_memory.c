/* Unit tests for guest-physical memory (sim/mem/memory.c): RAM, unbacked
 * addresses, the MMIO overlay, and decoded-code tracking. */
#include "check_main.h"
#include <stdlib.h>

#include "sim/mem/memory.h"
#include "sim/mem/tlb.h"
#include "sim/sim.h"

#define RAM_SIZE (UINT64_C(1) << 20)
#define MMIO_BASE UINT64_C(0x40000) /* a RAM page the MMIO tests overlay */
#define CODE UINT64_C(0x6000)       /* a RAM page the code-tracking tests mark */

static Memory mem;

/* A device that records every access.  Byte i of a read at offset o is
 * 0xa0 + o + i, so a whole read and a byte-split read of the same bytes agree. */
typedef struct MmioAccess {
    bool write;
    uint64_t offset;
    unsigned size;
    uint64_t value;
} MmioAccess;

typedef struct MmioLog {
    unsigned count;
    MmioAccess acc[32];
    bool wide; /* answer 8 bytes whatever the access size */
} MmioLog;

static MmioLog dev, dev2;

static uint64_t dev_pattern(uint64_t offset, unsigned size) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)((0xa0 + offset + i) & 0xff) << (8 * i);
    return v;
}

static void dev_record(MmioLog *l, bool write, uint64_t offset, unsigned size, uint64_t value) {
    ck_assert_uint_lt(l->count, SIM_ARRAY_SIZE(l->acc));
    l->acc[l->count++] = (MmioAccess){write, offset, size, value};
}

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned size) {
    MmioLog *l = opaque;
    dev_record(l, false, offset, size, 0);
    return dev_pattern(offset, l->wide ? 8 : size);
}

static void dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t value) {
    dev_record(opaque, true, offset, size, value);
}

static const MmioOps dev_ops = {dev_read, dev_write};

static void ck_access(const MmioLog *l, unsigned i, bool write, uint64_t offset, unsigned size) {
    ck_assert_uint_gt(l->count, i);
    ck_assert_int_eq(l->acc[i].write, write);
    ck_assert_uint_eq(l->acc[i].offset, offset);
    ck_assert_uint_eq(l->acc[i].size, size);
}

static void setup(void) {
    ck_assert(mem_init(&mem, RAM_SIZE));
    dev = (MmioLog){0};
    dev2 = (MmioLog){0};
}

static void teardown(void) {
    mem_destroy(&mem);
}

static void add_dev(uint64_t base, uint64_t size) {
    ck_assert(mem_add_mmio(&mem, base, size, &dev_ops, &dev));
}

static uint64_t size_mask(unsigned size) {
    return size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

static void fill_tlb_entry(Tlb *t, uint64_t lin, uint64_t phys, uint32_t perm) {
    mem_tlb_fill(t, lin, phys, mem_ram_page(&mem, phys), perm);
}

static const unsigned sizes[4] = {1, 2, 4, 8};
static const uint64_t pattern = UINT64_C(0x8877665544332211);

/* ---- RAM ---------------------------------------------------------------- */

/* Aligned, unaligned and page-crossing accesses of every size. */
static const struct {
    uint64_t pa;
    unsigned size;
} ram_cases[] = {
    {0x1000, 1}, {0x1000, 2}, {0x1000, 4}, {0x1000, 8}, {0x1101, 2},
    {0x1203, 4}, {0x1305, 8}, {0x1ffd, 4}, {0x1ffb, 8}, {0x1fff, 2},
};

START_TEST(test_mem_ram_write_then_read_returns_value_little_endian) {
    uint64_t pa = ram_cases[_i].pa;
    unsigned size = ram_cases[_i].size;
    ck_assert(!mem_phys_write(&mem, pa, size, pattern));
    ck_assert_uint_eq(mem_phys_read(&mem, pa, size), pattern & size_mask(size));
    for (unsigned i = 0; i < size; i++)
        ck_assert_uint_eq(mem_phys_read(&mem, pa + i, 1), (pattern >> (8 * i)) & 0xff);
    /* Only `size` bytes are stored: the neighbours are still zero. */
    ck_assert_uint_eq(mem_phys_read(&mem, pa - 1, 1), 0);
    ck_assert_uint_eq(mem_phys_read(&mem, pa + size, 1), 0);
}
END_TEST

START_TEST(test_mem_ram_unaligned_read_assembles_little_endian) {
    static const uint8_t bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ck_assert(!mem_phys_write_bytes(&mem, 0x3001, bytes, sizeof(bytes)));
    ck_assert_uint_eq(mem_phys_read(&mem, 0x3001, 8), UINT64_C(0x0807060504030201));
    ck_assert_uint_eq(mem_phys_read(&mem, 0x3002, 2), 0x0302);
    ck_assert_uint_eq(mem_phys_read(&mem, 0x3003, 4), 0x06050403);
    uint8_t back[8];
    mem_phys_read_bytes(&mem, 0x3001, back, sizeof(back));
    ck_assert_mem_eq(back, bytes, sizeof(bytes));
}
END_TEST

/* ---- Unbacked physical addresses ----------------------------------------- */

static const uint64_t unbacked[] = {RAM_SIZE, RAM_SIZE + 0x1235, UINT64_C(1) << 40, UINT64_MAX - 7};

START_TEST(test_mem_unbacked_read_returns_all_ones) {
    unsigned size = sizes[_i % 4];
    uint64_t pa = unbacked[_i / 4];
    ck_assert_uint_eq(mem_phys_read(&mem, pa, size), size_mask(size));
}
END_TEST

/* The other side: the last bytes of RAM are RAM, not all-ones. */
START_TEST(test_mem_last_ram_bytes_read_stored_value) {
    unsigned size = sizes[_i];
    ck_assert_uint_eq(mem_phys_read(&mem, RAM_SIZE - size, size), 0);
    ck_assert(!mem_phys_write(&mem, RAM_SIZE - size, size, pattern));
    ck_assert_uint_eq(mem_phys_read(&mem, RAM_SIZE - size, size), pattern & size_mask(size));
}
END_TEST

START_TEST(test_mem_unbacked_write_is_dropped) {
    unsigned size = sizes[_i];
    ck_assert(!mem_phys_write(&mem, RAM_SIZE + 0x10, size, 0));
    ck_assert_uint_eq(mem_phys_read(&mem, RAM_SIZE + 0x10, size), size_mask(size));
    /* Nothing wrapped around into RAM. */
    ck_assert_uint_eq(mem_phys_read(&mem, 0x10, 8), 0);
}
END_TEST

START_TEST(test_mem_unbacked_write_bytes_is_dropped) {
    static const uint8_t zeros[16];
    ck_assert(!mem_phys_write_bytes(&mem, RAM_SIZE + 0x20, zeros, sizeof(zeros)));
    uint8_t back[16];
    mem_phys_read_bytes(&mem, RAM_SIZE + 0x20, back, sizeof(back));
    for (unsigned i = 0; i < sizeof(back); i++)
        ck_assert_uint_eq(back[i], 0xff);
    ck_assert_uint_eq(mem_phys_read(&mem, 0x20, 8), 0);
}
END_TEST

/* An 8-byte read whose first k bytes are the last k bytes of RAM (k = 1..7). */
START_TEST(test_mem_read_straddling_ram_end_splits_ram_and_ones) {
    unsigned k = (unsigned)_i;
    ck_assert(!mem_phys_write(&mem, RAM_SIZE - 8, 8, pattern));
    uint64_t ram_part = (pattern >> (8 * (8 - k))) & size_mask(k);
    uint64_t expect = ram_part | ~size_mask(k);
    ck_assert_uint_eq(mem_phys_read(&mem, RAM_SIZE - k, 8), expect);
}
END_TEST

START_TEST(test_mem_write_straddling_ram_end_stores_ram_bytes_only) {
    unsigned k = (unsigned)_i;
    ck_assert(!mem_phys_write(&mem, RAM_SIZE - k, 8, pattern));
    for (unsigned i = 0; i < k; i++)
        ck_assert_uint_eq(mem_phys_read(&mem, RAM_SIZE - k + i, 1), (pattern >> (8 * i)) & 0xff);
    ck_assert_uint_eq(mem_phys_read(&mem, RAM_SIZE - k - 1, 1), 0);
    ck_assert_uint_eq(mem_phys_read(&mem, RAM_SIZE - k, 8),
                      (pattern & size_mask(k)) | ~size_mask(k));
}
END_TEST

/* ---- MMIO ------------------------------------------------------------------ */

START_TEST(test_mem_mmio_read_is_one_access_with_offset_and_size) {
    unsigned size = sizes[_i];
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE + 0x123, size), dev_pattern(0x123, size));
    ck_assert_uint_eq(dev.count, 1);
    ck_access(&dev, 0, false, 0x123, size);
}
END_TEST

START_TEST(test_mem_mmio_write_is_one_access_with_offset_size_value) {
    unsigned size = sizes[_i];
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert(!mem_phys_write(&mem, MMIO_BASE + 0x7f9, size, pattern & size_mask(size)));
    ck_assert_uint_eq(dev.count, 1);
    ck_access(&dev, 0, true, 0x7f9, size);
    ck_assert_uint_eq(dev.acc[0].value, pattern & size_mask(size));
}
END_TEST

/* Only `size` bytes of a device's answer are the access's value, as for RAM
 * and for a byte-split access. */
START_TEST(test_mem_mmio_read_wider_answer_masked_to_size) {
    unsigned size = sizes[_i];
    add_dev(MMIO_BASE, PAGE_SIZE);
    dev.wide = true;
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE + 0x10, size), dev_pattern(0x10, size));
}
END_TEST

/* A write of `size` bytes hands the device only those bytes (the IoBus does
 * the same; cpu access.c passes the unshifted value for a page-split write). */
START_TEST(test_mem_mmio_write_value_masked_to_size) {
    unsigned size = sizes[_i];
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert(!mem_phys_write(&mem, MMIO_BASE + 0x10, size, pattern));
    ck_assert_uint_eq(dev.count, 1);
    ck_assert_uint_eq(dev.acc[0].value, pattern & size_mask(size));
}
END_TEST

START_TEST(test_mem_mmio_over_ram_leaves_ram_untouched) {
    static const uint8_t fill[16] = {0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
                                     0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};
    ck_assert(!mem_phys_write_bytes(&mem, MMIO_BASE, fill, sizeof(fill)));
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE, 8), dev_pattern(0, 8));
    ck_assert(!mem_phys_write(&mem, MMIO_BASE + 8, 8, 0));
    uint8_t zeros[16] = {0};
    ck_assert(!mem_phys_write_bytes(&mem, MMIO_BASE, zeros, sizeof(zeros)));
    ck_assert_uint_eq(dev.count, 1 + 1 + 16);
    ck_assert_mem_eq(mem.ram + MMIO_BASE, fill, sizeof(fill));
}
END_TEST

/* The other side: RAM next to the region (same page and next page) is RAM. */
START_TEST(test_mem_ram_beside_mmio_region_stays_ram) {
    add_dev(MMIO_BASE + 0x800, 0x10);
    static const uint64_t ram_pa[] = {MMIO_BASE, MMIO_BASE + 0x7f8, MMIO_BASE + 0x810,
                                      MMIO_BASE + PAGE_SIZE};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(ram_pa); i++) {
        ck_assert(!mem_phys_write(&mem, ram_pa[i], 8, pattern + i));
        ck_assert_uint_eq(mem_phys_read(&mem, ram_pa[i], 8), pattern + i);
    }
    ck_assert_uint_eq(dev.count, 0);
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE + 0x808, 4), dev_pattern(8, 4));
    ck_access(&dev, 0, false, 8, 4);
}
END_TEST

START_TEST(test_mem_mmio_above_ram_reaches_device) {
    add_dev(UINT64_C(0xfee00000), PAGE_SIZE);
    ck_assert_uint_eq(mem_phys_read(&mem, UINT64_C(0xfee00020), 4), dev_pattern(0x20, 4));
    ck_assert(!mem_phys_write(&mem, UINT64_C(0xfee000b0), 4, 0x1234));
    ck_assert_uint_eq(dev.count, 2);
    ck_access(&dev, 0, false, 0x20, 4);
    ck_access(&dev, 1, true, 0xb0, 4);
    ck_assert_uint_eq(dev.acc[1].value, 0x1234);
}
END_TEST

static const struct {
    uint64_t base, size;
} overlapping[] = {
    {MMIO_BASE, PAGE_SIZE},    {MMIO_BASE - 0x1000, 0x1001}, {MMIO_BASE + 0xfff, 1},
    {MMIO_BASE + 0x800, 0x10}, {MMIO_BASE - 0x1000, 0x3000},
};

START_TEST(test_mem_mmio_overlapping_region_rejected) {
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert(!mem_add_mmio(&mem, overlapping[_i].base, overlapping[_i].size, &dev_ops, &dev2));
    ck_assert_uint_eq(mem.mmio_count, 1);
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE + 0xfff, 1), dev_pattern(0xfff, 1));
    ck_assert_uint_eq(dev2.count, 0);
}
END_TEST

static const struct {
    uint64_t base, size;
} adjacent[] = {
    {MMIO_BASE - 0x1000, 0x1000},
    {MMIO_BASE + 0x1000, 0x1000},
    {MMIO_BASE + 0x1000, 1},
};

START_TEST(test_mem_mmio_adjacent_region_accepted) {
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert(mem_add_mmio(&mem, adjacent[_i].base, adjacent[_i].size, &dev_ops, &dev2));
    ck_assert_uint_eq(mem.mmio_count, 2);
    (void)mem_phys_read(&mem, adjacent[_i].base, 1);
    ck_assert_uint_eq(dev2.count, 1);
    ck_assert_uint_eq(dev.count, 0);
}
END_TEST

START_TEST(test_mem_mmio_full_table_rejected) {
    for (unsigned i = 0; i < MEM_MAX_MMIO; i++)
        ck_assert(mem_add_mmio(&mem, MMIO_BASE + i * PAGE_SIZE, PAGE_SIZE, &dev_ops, &dev));
    uint64_t extra = MMIO_BASE + MEM_MAX_MMIO * PAGE_SIZE;
    ck_assert(!mem_add_mmio(&mem, extra, PAGE_SIZE, &dev_ops, &dev2));
    ck_assert_uint_eq(mem.mmio_count, MEM_MAX_MMIO);
    /* The rejected range is still RAM. */
    ck_assert(!mem_phys_write(&mem, extra, 4, 0x12345678));
    ck_assert_uint_eq(mem_phys_read(&mem, extra, 4), 0x12345678);
    ck_assert_uint_eq(dev2.count, 0);
}
END_TEST

START_TEST(test_mem_mmio_empty_region_rejected) {
    ck_assert(!mem_add_mmio(&mem, MMIO_BASE, 0, &dev_ops, &dev));
    ck_assert_uint_eq(mem.mmio_count, 0);
    ck_assert(mem_add_mmio(&mem, MMIO_BASE, 1, &dev_ops, &dev));
    ck_assert_uint_eq(mem.mmio_count, 1);
}
END_TEST

START_TEST(test_mem_mmio_wrapping_region_rejected) {
    ck_assert(!mem_add_mmio(&mem, UINT64_MAX - 0xfff, 0x2000, &dev_ops, &dev));
    ck_assert_uint_eq(mem.mmio_count, 0);
    ck_assert(mem_add_mmio(&mem, UINT64_MAX - 0x1fff, 0x1000, &dev_ops, &dev));
    ck_assert_uint_eq(mem.mmio_count, 1);
}
END_TEST

START_TEST(test_mem_read_straddling_ram_into_mmio_splits_into_bytes) {
    ck_assert(!mem_phys_write(&mem, MMIO_BASE - 2, 2, 0x2211));
    add_dev(MMIO_BASE, PAGE_SIZE);
    uint64_t expect = 0x2211 | dev_pattern(0, 1) << 16 | dev_pattern(1, 1) << 24;
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE - 2, 4), expect);
    ck_assert_uint_eq(dev.count, 2);
    ck_access(&dev, 0, false, 0, 1);
    ck_access(&dev, 1, false, 1, 1);
}
END_TEST

START_TEST(test_mem_read_straddling_mmio_into_ram_splits_into_bytes) {
    ck_assert(!mem_phys_write(&mem, MMIO_BASE + PAGE_SIZE, 2, 0x2211));
    add_dev(MMIO_BASE, PAGE_SIZE);
    uint64_t expect = dev_pattern(0xffe, 1) | dev_pattern(0xfff, 1) << 8 | 0x2211 << 16;
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE + PAGE_SIZE - 2, 4), expect);
    ck_assert_uint_eq(dev.count, 2);
    ck_access(&dev, 0, false, 0xffe, 1);
    ck_access(&dev, 1, false, 0xfff, 1);
}
END_TEST

START_TEST(test_mem_write_straddling_ram_and_mmio_splits_into_bytes) {
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert(!mem_phys_write(&mem, MMIO_BASE - 2, 4, 0x44332211));
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE - 2, 2), 0x2211);
    ck_assert_uint_eq(dev.count, 2);
    ck_access(&dev, 0, true, 0, 1);
    ck_assert_uint_eq(dev.acc[0].value, 0x33);
    ck_access(&dev, 1, true, 1, 1);
    ck_assert_uint_eq(dev.acc[1].value, 0x44);
}
END_TEST

START_TEST(test_mem_access_straddling_two_mmio_regions_splits_into_bytes) {
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert(mem_add_mmio(&mem, MMIO_BASE + PAGE_SIZE, PAGE_SIZE, &dev_ops, &dev2));
    uint64_t expect = dev_pattern(0xfff, 1) | dev_pattern(0, 1) << 8;
    ck_assert_uint_eq(mem_phys_read(&mem, MMIO_BASE + PAGE_SIZE - 1, 2), expect);
    ck_assert_uint_eq(dev.count, 1);
    ck_access(&dev, 0, false, 0xfff, 1);
    ck_assert_uint_eq(dev2.count, 1);
    ck_access(&dev2, 0, false, 0, 1);
}
END_TEST

/* With an MMIO region at MMIO_BASE + 0x800 (16 bytes). */
static const struct {
    uint64_t pa, len;
    bool plain;
} plain_cases[] = {
    {0, RAM_SIZE, false},                     /* covers the MMIO page */
    {0, MMIO_BASE, true},                     /* everything below it */
    {MMIO_BASE - PAGE_SIZE, PAGE_SIZE, true}, /* the page before */
    {MMIO_BASE - PAGE_SIZE, PAGE_SIZE + 1, false},
    {MMIO_BASE, 1, false}, /* same page as the region, outside it */
    {MMIO_BASE + 0x800, 4, false},
    {MMIO_BASE + PAGE_SIZE, 8, true},
    {RAM_SIZE - 1, 1, true},
    {RAM_SIZE - 1, 2, false},
    {RAM_SIZE, 1, false},
    {0x1000, 0, false},
    {UINT64_MAX, 2, false},
    {8, UINT64_MAX, false},
};

START_TEST(test_mem_is_plain_ram_matches_table) {
    add_dev(MMIO_BASE + 0x800, 0x10);
    ck_assert_int_eq(mem_is_plain_ram(&mem, plain_cases[_i].pa, plain_cases[_i].len),
                     plain_cases[_i].plain);
}
END_TEST

START_TEST(test_mem_ram_page_plain_ram_returns_host_page) {
    ck_assert_ptr_eq(mem_ram_page(&mem, 0x5abc), mem.ram + 0x5000);
    ck_assert_ptr_eq(mem_ram_page(&mem, RAM_SIZE - 1), mem.ram + RAM_SIZE - PAGE_SIZE);
}
END_TEST

START_TEST(test_mem_ram_page_mmio_or_unbacked_returns_null) {
    add_dev(MMIO_BASE + 0x800, 0x10);
    ck_assert_ptr_null(mem_ram_page(&mem, MMIO_BASE));
    ck_assert_ptr_null(mem_ram_page(&mem, RAM_SIZE));
}
END_TEST

/* ---- Decoded-code tracking ------------------------------------------------- */

/* Code marked on CODE+0x30..CODE+0x4f: lines 0 and 1 of the page. */
static const struct {
    uint64_t pa;
    unsigned size;
    bool hit;
} code_writes[] = {
    {CODE + 0x80, 8, false},  /* line 2 */
    {CODE + 0x80, 1, false},  /* first byte of line 2 */
    {CODE + 0xfff, 1, false}, /* last line */
    {CODE + 0x7f8, 8, false},
    {CODE - 8, 8, false},         /* previous page, up to its end */
    {CODE + PAGE_SIZE, 8, false}, /* next page */
    {CODE, 1, true},              /* line 0, not a marked byte */
    {CODE + 0x30, 1, true},
    {CODE + 0x70, 8, true}, /* line 1, not a marked byte */
    {CODE + 0x7c, 8, true}, /* lines 1 and 2 */
    {CODE - 4, 8, true},    /* previous page into line 0 */
};

START_TEST(test_mem_write_after_mark_code_invalidates_by_line) {
    mem_mark_code(&mem, CODE + 0x30, 0x20);
    uint32_t gen = mem_page_gen(&mem, CODE), gen_before = mem_page_gen(&mem, CODE - PAGE_SIZE);
    bool hit = mem_phys_write(&mem, code_writes[_i].pa, code_writes[_i].size, pattern);
    ck_assert_int_eq(hit, code_writes[_i].hit);
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen + (code_writes[_i].hit ? 1 : 0));
    ck_assert_int_eq(mem_page_watched(&mem, CODE), !code_writes[_i].hit);
    ck_assert_uint_eq(mem_page_gen(&mem, CODE - PAGE_SIZE), gen_before);
}
END_TEST

START_TEST(test_mem_second_write_to_code_line_bumps_generation_once) {
    mem_mark_code(&mem, CODE + 0x30, 0x20);
    uint32_t gen = mem_page_gen(&mem, CODE);
    ck_assert(mem_phys_write(&mem, CODE + 0x40, 4, 1));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen + 1);
    ck_assert(!mem_page_watched(&mem, CODE));
    ck_assert(!mem_phys_write(&mem, CODE + 0x30, 4, 2));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen + 1);
}
END_TEST

/* The other side of "cleared": code decoded again is tracked again. */
START_TEST(test_mem_mark_code_after_invalidation_rearms_tracking) {
    mem_mark_code(&mem, CODE + 0x30, 0x20);
    uint32_t gen = mem_page_gen(&mem, CODE);
    ck_assert(mem_phys_write(&mem, CODE + 0x40, 4, 1));
    mem_mark_code(&mem, CODE + 0x30, 0x20);
    ck_assert(mem_phys_write(&mem, CODE + 0x30, 4, 2));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen + 2);
}
END_TEST

START_TEST(test_mem_write_bytes_over_code_line_invalidates) {
    static const uint8_t bytes[3] = {1, 2, 3};
    mem_mark_code(&mem, CODE + 0x30, 0x20);
    uint32_t gen = mem_page_gen(&mem, CODE);
    ck_assert(mem_phys_write_bytes(&mem, CODE + 0x4e, bytes, sizeof(bytes)));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen + 1);
    ck_assert(!mem_page_watched(&mem, CODE));
}
END_TEST

START_TEST(test_mem_write_bytes_other_page_keeps_generation) {
    static const uint8_t bytes[16] = {1, 2, 3};
    mem_mark_code(&mem, CODE + 0x30, 0x20);
    uint32_t gen = mem_page_gen(&mem, CODE);
    ck_assert(!mem_phys_write_bytes(&mem, CODE - sizeof(bytes), bytes, sizeof(bytes)));
    ck_assert(!mem_phys_write_bytes(&mem, CODE + PAGE_SIZE, bytes, sizeof(bytes)));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen);
    ck_assert(mem_page_watched(&mem, CODE));
}
END_TEST

/* DMA follows the same per-line rule as a CPU write: a data line next to code
 * does not make the code stale. */
START_TEST(test_mem_write_bytes_other_line_same_page_keeps_generation) {
    static const uint8_t bytes[16] = {1, 2, 3};
    mem_mark_code(&mem, CODE + 0x30, 0x20);
    uint32_t gen = mem_page_gen(&mem, CODE);
    ck_assert(!mem_phys_write_bytes(&mem, CODE + 0x800, bytes, sizeof(bytes)));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen);
    ck_assert(mem_page_watched(&mem, CODE));
}
END_TEST

START_TEST(test_mem_write_straddling_pages_invalidates_code_on_second_page) {
    mem_mark_code(&mem, CODE, 4);
    uint32_t gen = mem_page_gen(&mem, CODE), gen_first = mem_page_gen(&mem, CODE - PAGE_SIZE);
    ck_assert(!mem_phys_write(&mem, CODE - 4, 4, pattern)); /* ends at the page boundary */
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen);
    ck_assert(mem_phys_write(&mem, CODE - 1, 2, pattern));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen + 1);
    ck_assert_uint_eq(mem_page_gen(&mem, CODE - PAGE_SIZE), gen_first);
}
END_TEST

START_TEST(test_mem_write_bytes_straddling_pages_invalidates_code_on_second_page) {
    static const uint8_t bytes[16] = {1, 2, 3};
    mem_mark_code(&mem, CODE, 4);
    uint32_t gen = mem_page_gen(&mem, CODE);
    ck_assert(!mem_phys_write_bytes(&mem, CODE - sizeof(bytes), bytes, sizeof(bytes)));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen);
    ck_assert(mem_phys_write_bytes(&mem, CODE - 8, bytes, sizeof(bytes)));
    ck_assert_uint_eq(mem_page_gen(&mem, CODE), gen + 1);
}
END_TEST

/* A page with an MMIO overlay takes the byte path; its RAM code is still tracked. */
START_TEST(test_mem_write_on_mmio_page_invalidates_code) {
    add_dev(MMIO_BASE + 0x800, 0x10);
    mem_mark_code(&mem, MMIO_BASE, 8);
    uint32_t gen = mem_page_gen(&mem, MMIO_BASE);
    ck_assert(!mem_phys_write(&mem, MMIO_BASE + 0x100, 4, 1));
    ck_assert_uint_eq(mem_page_gen(&mem, MMIO_BASE), gen);
    ck_assert(mem_phys_write(&mem, MMIO_BASE + 4, 4, 1));
    ck_assert_uint_eq(mem_page_gen(&mem, MMIO_BASE), gen + 1);
}
END_TEST

START_TEST(test_mem_mark_code_straddling_pages_marks_both) {
    ck_assert(!mem_page_watched(&mem, CODE));
    ck_assert(!mem_page_watched(&mem, CODE + PAGE_SIZE));
    mem_mark_code(&mem, CODE + PAGE_SIZE - 8, 16);
    ck_assert(mem_page_watched(&mem, CODE));
    ck_assert(mem_page_watched(&mem, CODE + PAGE_SIZE));
    ck_assert(!mem_page_watched(&mem, CODE + 2 * PAGE_SIZE));
    ck_assert(mem_phys_write(&mem, CODE + PAGE_SIZE + 7, 1, 0));
    ck_assert(mem_phys_write(&mem, CODE + PAGE_SIZE - 64, 1, 0));
}
END_TEST

#define HOST_RW (TLB_READ_SUP | TLB_WRITE_SUP | TLB_HOST_READ | TLB_HOST_WRITE)

START_TEST(test_mem_mark_code_revokes_host_write_for_that_page_only) {
    static Tlb tlb;
    mem_tlb_init(&tlb);
    fill_tlb_entry(&tlb, 0x10000, CODE, HOST_RW);
    fill_tlb_entry(&tlb, 0x23000, CODE, HOST_RW | TLB_GLOBAL); /* alias of the same page */
    fill_tlb_entry(&tlb, 0x11000, CODE + PAGE_SIZE, HOST_RW);
    ck_assert(mem_register_tlb(&mem, &tlb));
    mem_mark_code(&mem, CODE + 0xabc, 4);
    ck_assert_uint_eq(mem_tlb_slot(&tlb, 0x10000)->perm, HOST_RW & ~TLB_HOST_WRITE);
    ck_assert_uint_eq(mem_tlb_slot(&tlb, 0x23000)->perm, (HOST_RW | TLB_GLOBAL) & ~TLB_HOST_WRITE);
    ck_assert_uint_eq(mem_tlb_slot(&tlb, 0x11000)->perm, HOST_RW);
    ck_assert_ptr_nonnull(mem_tlb_lookup(&tlb, 0x10000));
}
END_TEST

START_TEST(test_mem_mark_code_revokes_host_write_in_every_registered_tlb) {
    static Tlb a, b;
    mem_tlb_init(&a);
    mem_tlb_init(&b);
    fill_tlb_entry(&a, 0x10000, CODE, HOST_RW);
    fill_tlb_entry(&b, 0x20000, CODE, HOST_RW);
    ck_assert(mem_register_tlb(&mem, &a));
    ck_assert(mem_register_tlb(&mem, &b));
    mem_mark_code(&mem, CODE, 1);
    ck_assert_uint_eq(mem_tlb_slot(&a, 0x10000)->perm, HOST_RW & ~TLB_HOST_WRITE);
    ck_assert_uint_eq(mem_tlb_slot(&b, 0x20000)->perm, HOST_RW & ~TLB_HOST_WRITE);
}
END_TEST

START_TEST(test_mem_register_tlb_full_table_rejected) {
    static Tlb tlbs[MEM_MAX_TLBS + 1];
    for (unsigned i = 0; i < MEM_MAX_TLBS; i++)
        ck_assert(mem_register_tlb(&mem, &tlbs[i]));
    ck_assert(!mem_register_tlb(&mem, &tlbs[MEM_MAX_TLBS]));
    ck_assert_uint_eq(mem.tlb_count, MEM_MAX_TLBS);
}
END_TEST

/* A new overlay must not leave a host pointer to the RAM under it in a TLB. */
START_TEST(test_mem_add_mmio_over_ram_flushes_registered_tlbs) {
    static Tlb tlb;
    mem_tlb_init(&tlb);
    fill_tlb_entry(&tlb, 0x10000, MMIO_BASE, HOST_RW);
    ck_assert(mem_register_tlb(&mem, &tlb));
    add_dev(MMIO_BASE, PAGE_SIZE);
    ck_assert_ptr_null(mem_tlb_lookup(&tlb, 0x10000));
}
END_TEST

START_TEST(test_mem_add_mmio_rejected_keeps_tlb_entries) {
    static Tlb tlb;
    mem_tlb_init(&tlb);
    add_dev(MMIO_BASE, PAGE_SIZE);
    fill_tlb_entry(&tlb, 0x10000, CODE, HOST_RW);
    ck_assert(mem_register_tlb(&mem, &tlb));
    ck_assert(!mem_add_mmio(&mem, MMIO_BASE, PAGE_SIZE, &dev_ops, &dev2));
    ck_assert_ptr_nonnull(mem_tlb_lookup(&tlb, 0x10000));
    ck_assert_uint_eq(mem_tlb_slot(&tlb, 0x10000)->perm, HOST_RW);
}
END_TEST

/* Paging-structure tracking: a marked page counts every write to it and
 * loses direct-write TLB entries; an unmarked page counts none. */
START_TEST(test_mem_paging_structure_writes_counted) {
    uint64_t before = mem.paging_writes;
    (void)mem_phys_write(&mem, CODE + 8, 8, pattern);
    ck_assert_uint_eq(mem.paging_writes, before);
    ck_assert(!mem_page_watched(&mem, CODE));
    mem_mark_paging_structure(&mem, CODE + 0x800);
    ck_assert(mem_page_watched(&mem, CODE));
    (void)mem_phys_write(&mem, CODE + 8, 8, pattern);
    ck_assert_uint_eq(mem.paging_writes, before + 1);
    uint8_t bytes[16] = {0};
    (void)mem_phys_write_bytes(&mem, CODE + 0xff8, bytes, sizeof(bytes)); /* into the next page too */
    ck_assert_uint_eq(mem.paging_writes, before + 2);
}
END_TEST

START_TEST(test_mem_mark_paging_structure_revokes_direct_writes) {
    Tlb tlb;
    mem_tlb_init(&tlb);
    ck_assert(mem_register_tlb(&mem, &tlb));
    mem_tlb_fill(&tlb, 0x400000, CODE, mem_ram_page(&mem, CODE), TLB_HOST_READ | TLB_HOST_WRITE);
    mem_mark_paging_structure(&mem, CODE);
    ck_assert_uint_eq(mem_tlb_lookup(&tlb, 0x400000)->perm & TLB_HOST_WRITE, 0);
}
END_TEST

static Suite *memory_suite(void) {
    Suite *s = suite_create("memory");
    TCase *ram = tcase_create("ram");
    tcase_add_checked_fixture(ram, setup, teardown);
    tcase_add_loop_test(ram, test_mem_ram_write_then_read_returns_value_little_endian, 0,
                        (int)SIM_ARRAY_SIZE(ram_cases));
    tcase_add_test(ram, test_mem_ram_unaligned_read_assembles_little_endian);
    tcase_add_loop_test(ram, test_mem_unbacked_read_returns_all_ones, 0,
                        4 * (int)SIM_ARRAY_SIZE(unbacked));
    tcase_add_loop_test(ram, test_mem_last_ram_bytes_read_stored_value, 0, 4);
    tcase_add_loop_test(ram, test_mem_unbacked_write_is_dropped, 0, 4);
    tcase_add_test(ram, test_mem_unbacked_write_bytes_is_dropped);
    tcase_add_loop_test(ram, test_mem_read_straddling_ram_end_splits_ram_and_ones, 1, 8);
    tcase_add_loop_test(ram, test_mem_write_straddling_ram_end_stores_ram_bytes_only, 1, 8);
    tcase_add_loop_test(ram, test_mem_is_plain_ram_matches_table, 0,
                        (int)SIM_ARRAY_SIZE(plain_cases));
    tcase_add_test(ram, test_mem_ram_page_plain_ram_returns_host_page);
    tcase_add_test(ram, test_mem_ram_page_mmio_or_unbacked_returns_null);
    suite_add_tcase(s, ram);

    TCase *mmio = tcase_create("mmio");
    tcase_add_checked_fixture(mmio, setup, teardown);
    tcase_add_loop_test(mmio, test_mem_mmio_read_is_one_access_with_offset_and_size, 0, 4);
    tcase_add_loop_test(mmio, test_mem_mmio_write_is_one_access_with_offset_size_value, 0, 4);
    tcase_add_loop_test(mmio, test_mem_mmio_read_wider_answer_masked_to_size, 0, 4);
    tcase_add_loop_test(mmio, test_mem_mmio_write_value_masked_to_size, 0, 4);
    tcase_add_test(mmio, test_mem_mmio_over_ram_leaves_ram_untouched);
    tcase_add_test(mmio, test_mem_ram_beside_mmio_region_stays_ram);
    tcase_add_test(mmio, test_mem_mmio_above_ram_reaches_device);
    tcase_add_loop_test(mmio, test_mem_mmio_overlapping_region_rejected, 0,
                        (int)SIM_ARRAY_SIZE(overlapping));
    tcase_add_loop_test(mmio, test_mem_mmio_adjacent_region_accepted, 0,
                        (int)SIM_ARRAY_SIZE(adjacent));
    tcase_add_test(mmio, test_mem_mmio_full_table_rejected);
    tcase_add_test(mmio, test_mem_mmio_empty_region_rejected);
    tcase_add_test(mmio, test_mem_mmio_wrapping_region_rejected);
    tcase_add_test(mmio, test_mem_read_straddling_ram_into_mmio_splits_into_bytes);
    tcase_add_test(mmio, test_mem_read_straddling_mmio_into_ram_splits_into_bytes);
    tcase_add_test(mmio, test_mem_write_straddling_ram_and_mmio_splits_into_bytes);
    tcase_add_test(mmio, test_mem_access_straddling_two_mmio_regions_splits_into_bytes);
    suite_add_tcase(s, mmio);

    TCase *code = tcase_create("code");
    tcase_add_checked_fixture(code, setup, teardown);
    tcase_add_loop_test(code, test_mem_write_after_mark_code_invalidates_by_line, 0,
                        (int)SIM_ARRAY_SIZE(code_writes));
    tcase_add_test(code, test_mem_second_write_to_code_line_bumps_generation_once);
    tcase_add_test(code, test_mem_mark_code_after_invalidation_rearms_tracking);
    tcase_add_test(code, test_mem_write_bytes_over_code_line_invalidates);
    tcase_add_test(code, test_mem_write_bytes_other_page_keeps_generation);
    tcase_add_test(code, test_mem_write_bytes_other_line_same_page_keeps_generation);
    tcase_add_test(code, test_mem_write_straddling_pages_invalidates_code_on_second_page);
    tcase_add_test(code, test_mem_write_bytes_straddling_pages_invalidates_code_on_second_page);
    tcase_add_test(code, test_mem_write_on_mmio_page_invalidates_code);
    tcase_add_test(code, test_mem_mark_code_straddling_pages_marks_both);
    tcase_add_test(code, test_mem_mark_code_revokes_host_write_for_that_page_only);
    tcase_add_test(code, test_mem_mark_code_revokes_host_write_in_every_registered_tlb);
    tcase_add_test(code, test_mem_register_tlb_full_table_rejected);
    tcase_add_test(code, test_mem_add_mmio_over_ram_flushes_registered_tlbs);
    tcase_add_test(code, test_mem_add_mmio_rejected_keeps_tlb_entries);
    tcase_add_test(code, test_mem_paging_structure_writes_counted);
    tcase_add_test(code, test_mem_mark_paging_structure_revokes_direct_writes);
    suite_add_tcase(s, code);
    return s;
}

CHECK_MAIN(memory_suite)
