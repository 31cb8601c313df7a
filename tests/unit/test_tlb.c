/* Unit tests for software TLB maintenance (sim/mem/tlb.c). */
#include "check_main.h"
#include <stdlib.h>

#include "sim/mem/tlb.h"
#include "sim/sim.h"

#define PERM_RW (TLB_READ_SUP | TLB_WRITE_SUP | TLB_READ_USER | TLB_WRITE_USER | TLB_HOST_READ)
#define PERM_HOST (PERM_RW | TLB_HOST_WRITE)

static Tlb tlb;
static uint8_t host_page[PAGE_SIZE];

static void setup(void) {
    mem_tlb_init(&tlb);
}

static TlbEntry *fill(uint64_t lin, uint64_t phys, uint32_t perm) {
    return mem_tlb_fill(&tlb, lin, phys, host_page, perm);
}

static void ck_valid(const TlbEntry *e, uint64_t lin, uint64_t phys, uint32_t perm) {
    ck_assert_ptr_eq(mem_tlb_lookup(&tlb, lin), e);
    ck_assert_uint_eq(e->phys, phys & PAGE_MASK);
    ck_assert_ptr_eq(e->host, host_page);
    ck_assert_uint_eq(e->perm, perm);
}

static void ck_invalid(const TlbEntry *e) {
    ck_assert(!mem_tlb_entry_valid(&tlb, e));
}

/* The slot is chosen by the low TLB_BITS bits of the linear page number. */
START_TEST(test_tlb_slot_low_page_bits_select_entry) {
    ck_assert_ptr_eq(mem_tlb_slot(&tlb, 0x5abc), &tlb.entry[5]);
    ck_assert_ptr_eq(mem_tlb_slot(&tlb, ((uint64_t)TLB_ENTRIES + 5) << PAGE_SHIFT), &tlb.entry[5]);
    ck_assert_ptr_eq(mem_tlb_slot(&tlb, 0x6000), &tlb.entry[6]);
    ck_assert_ptr_eq(mem_tlb_slot(&tlb, UINT64_C(0xffffffffffffffff)), &tlb.entry[TLB_ENTRIES - 1]);
}
END_TEST

START_TEST(test_tlb_flush_all_invalidates_every_entry) {
    for (unsigned i = 0; i < TLB_ENTRIES; i++)
        fill((uint64_t)i << PAGE_SHIFT, 0x100000 + ((uint64_t)i << PAGE_SHIFT),
             PERM_HOST | (i & 1 ? TLB_GLOBAL : 0) | (i & 2 ? TLB_LARGE : 0));
    mem_tlb_flush_all(&tlb);
    for (unsigned i = 0; i < TLB_ENTRIES; i++)
        ck_invalid(&tlb.entry[i]);
}
END_TEST

START_TEST(test_tlb_flush_nonglobal_nonglobal_entries_dropped) {
    TlbEntry *a = fill(0x1000, 0x9000, PERM_HOST);
    TlbEntry *b = fill(0x7ff000, 0xa000, PERM_RW | TLB_LARGE);
    mem_tlb_flush_nonglobal(&tlb);
    ck_invalid(a);
    ck_invalid(b);
}
END_TEST

START_TEST(test_tlb_flush_nonglobal_global_entries_kept) {
    TlbEntry *g = fill(0x3000, 0x9000, PERM_HOST | TLB_GLOBAL);
    TlbEntry *gl = fill(0x804000, 0xa000, PERM_RW | TLB_GLOBAL | TLB_LARGE);
    TlbEntry *n = fill(0x5000, 0xb000, PERM_HOST);
    mem_tlb_flush_nonglobal(&tlb);
    ck_valid(g, 0x3000, 0x9000, PERM_HOST | TLB_GLOBAL);
    ck_valid(gl, 0x804000, 0xa000, PERM_RW | TLB_GLOBAL | TLB_LARGE);
    ck_invalid(n);
}
END_TEST

START_TEST(test_tlb_flush_page_matching_entry_dropped) {
    TlbEntry *e = fill(0x5000, 0x9000, PERM_HOST | TLB_GLOBAL);
    mem_tlb_flush_page(&tlb, 0x5abc);
    ck_invalid(e);
}
END_TEST

/* Same slot, different linear page: not the page being invalidated. */
START_TEST(test_tlb_flush_page_other_page_in_same_slot_kept) {
    uint64_t alias = ((uint64_t)TLB_ENTRIES + 5) << PAGE_SHIFT;
    TlbEntry *e = fill(alias, 0x9000, PERM_HOST);
    mem_tlb_flush_page(&tlb, 0x5000);
    ck_valid(e, alias, 0x9000, PERM_HOST);
}
END_TEST

START_TEST(test_tlb_flush_page_unrelated_entry_in_other_slot_kept) {
    TlbEntry *e = fill(0x6000, 0x9000, PERM_HOST);
    fill(0x5000, 0xa000, PERM_HOST);
    mem_tlb_flush_page(&tlb, 0x5000);
    ck_valid(e, 0x6000, 0x9000, PERM_HOST);
}
END_TEST

/* INVLPG of one 4 KiB piece of a 2 MiB page must drop the other pieces,
 * which sit in other slots. */
START_TEST(test_tlb_flush_page_large_page_entries_dropped) {
    TlbEntry *l0 = fill(0x200000, 0x400000, PERM_RW | TLB_LARGE);
    TlbEntry *l1 = fill(0x3fd000, 0x5fd000, PERM_RW | TLB_LARGE | TLB_GLOBAL);
    TlbEntry *small = fill(0x7000, 0x9000, PERM_HOST);
    mem_tlb_flush_page(&tlb, 0x2fe123);
    ck_invalid(l0);
    ck_invalid(l1);
    ck_valid(small, 0x7000, 0x9000, PERM_HOST);
}
END_TEST

START_TEST(test_tlb_revoke_host_write_entries_for_page_lose_host_write) {
    TlbEntry *a = fill(0x5000, 0x9000, PERM_HOST);
    TlbEntry *b = fill(0x23000, 0x9000, PERM_HOST | TLB_GLOBAL);
    mem_tlb_revoke_host_write(&tlb, 0x9abc);
    ck_valid(a, 0x5000, 0x9000, PERM_RW);
    ck_valid(b, 0x23000, 0x9000, PERM_RW | TLB_GLOBAL);
}
END_TEST

START_TEST(test_tlb_revoke_host_write_other_page_keeps_host_write) {
    TlbEntry *a = fill(0x5000, 0x9000, PERM_HOST);
    TlbEntry *b = fill(0x6000, 0xa000, PERM_HOST);
    TlbEntry *c = fill(0x7000, 0x8000, PERM_HOST);
    mem_tlb_revoke_host_write(&tlb, 0x9000);
    ck_valid(a, 0x5000, 0x9000, PERM_RW);
    ck_valid(b, 0x6000, 0xa000, PERM_HOST);
    ck_valid(c, 0x7000, 0x8000, PERM_HOST);
}
END_TEST

/* Flushes are epochs: after the epochs wrap, old entries still never match. */
START_TEST(test_tlb_epoch_wrap_old_entries_stay_invalid) {
    TlbEntry *e = fill(0x5000, 0x9000, PERM_HOST);
    for (unsigned i = 0; i < 2 * TLB_EPOCH_MAX + 3; i++) {
        mem_tlb_flush_all(&tlb);
        ck_assert_ptr_null(mem_tlb_lookup(&tlb, 0x5000));
        ck_assert_uint_ge(tlb.epoch, 1);
        ck_assert_uint_le(tlb.epoch, TLB_EPOCH_MAX);
    }
    (void)e;
}
END_TEST

/* A global entry survives several CR3 flushes in a row. */
START_TEST(test_tlb_flush_nonglobal_twice_global_entry_kept) {
    TlbEntry *g = fill(0x3000, 0x9000, PERM_HOST | TLB_GLOBAL);
    mem_tlb_flush_nonglobal(&tlb);
    mem_tlb_flush_nonglobal(&tlb);
    ck_valid(g, 0x3000, 0x9000, PERM_HOST | TLB_GLOBAL);
    mem_tlb_flush_all(&tlb);
    ck_invalid(g);
}
END_TEST

static Suite *tlb_suite(void) {
    Suite *s = suite_create("tlb");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_tlb_slot_low_page_bits_select_entry);
    tcase_add_test(tc, test_tlb_epoch_wrap_old_entries_stay_invalid);
    tcase_add_test(tc, test_tlb_flush_nonglobal_twice_global_entry_kept);
    tcase_add_test(tc, test_tlb_flush_all_invalidates_every_entry);
    tcase_add_test(tc, test_tlb_flush_nonglobal_nonglobal_entries_dropped);
    tcase_add_test(tc, test_tlb_flush_nonglobal_global_entries_kept);
    tcase_add_test(tc, test_tlb_flush_page_matching_entry_dropped);
    tcase_add_test(tc, test_tlb_flush_page_other_page_in_same_slot_kept);
    tcase_add_test(tc, test_tlb_flush_page_unrelated_entry_in_other_slot_kept);
    tcase_add_test(tc, test_tlb_flush_page_large_page_entries_dropped);
    tcase_add_test(tc, test_tlb_revoke_host_write_entries_for_page_lose_host_write);
    tcase_add_test(tc, test_tlb_revoke_host_write_other_page_keeps_host_write);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(tlb_suite)
