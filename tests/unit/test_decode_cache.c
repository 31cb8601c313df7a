/* Decoded-instruction cache: self-modifying code, cross-page instructions,
 * invalidation by page generation (design.md "Fast path first"). */
#include "check_main.h"
#include "test_support.h"

#include "sim/cpu/decode_cache.h"

/* mov byte [0x1008], 7 ; mov al, 1 ; out 0xf4, al: the first instruction
 * rewrites the immediate of the second, inside the same decoded block. */
static const uint8_t smc_same_block[] = {0xc6, 0x05, 0x08, 0x10, 0x00, 0x00, 0x07,
                                         0xb0, 0x01, 0xe6, 0xf4};

START_TEST(test_cache_smc_same_block_sees_new_bytes)
{
    Machine *m = test_machine();
    test_poke(m, 0x1000, smc_same_block, sizeof(smc_same_block));
    test_enter_flat32(m, 0x1000);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), (7 << 1) | 1);
    machine_destroy(m);
}
END_TEST

/* The same code without the store: the original immediate is used. */
START_TEST(test_cache_no_write_keeps_original_bytes)
{
    Machine *m = test_machine();
    test_poke(m, 0x1007, smc_same_block + 7, 4);
    test_enter_flat32(m, 0x1007);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), (1 << 1) | 1);
    machine_destroy(m);
}
END_TEST

/* A block already cached is re-decoded after a DMA-style write to its page. */
START_TEST(test_cache_external_write_invalidates_cached_block)
{
    static const uint8_t code[] = {0xb0, 0x05, 0xe6, 0xf4}; /* mov al, 5 ; out 0xf4, al */
    Machine *m = test_machine();
    test_poke(m, 0x3000, code, sizeof(code));
    test_enter_flat32(m, 0x3000);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 11);
    uint64_t misses = m->cpu.cache->misses;
    uint8_t nine = 9;
    test_poke(m, 0x3001, &nine, 1);
    test_enter_flat32(m, 0x3000);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 19);
    ck_assert_uint_eq(m->cpu.cache->misses, misses + 1);
    machine_destroy(m);
}
END_TEST

/* Running the same block twice without writes hits the cache. */
START_TEST(test_cache_unchanged_block_hits)
{
    static const uint8_t code[] = {0xb0, 0x05, 0xe6, 0xf4};
    Machine *m = test_machine();
    test_poke(m, 0x3000, code, sizeof(code));
    test_enter_flat32(m, 0x3000);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    uint64_t hits = m->cpu.cache->hits, misses = m->cpu.cache->misses;
    test_enter_flat32(m, 0x3000);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.cache->hits, hits + 1);
    ck_assert_uint_eq(m->cpu.cache->misses, misses);
    machine_destroy(m);
}
END_TEST

/* mov eax, imm32 straddling 0x1fff/0x2000, then out 0xf4, al; then the byte
 * on the second page is rewritten and the instruction must see it. */
START_TEST(test_cache_cross_page_instruction_invalidated_by_second_page)
{
    static const uint8_t code[] = {0xb8, 0x03, 0x00, 0x00, 0x00, 0xe6, 0xf4};
    Machine *m = test_machine();
    test_poke(m, 0x1ffe, code, sizeof(code));
    test_enter_flat32(m, 0x1ffe);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 7);
    uint8_t four = 4; /* 0x1fff is the first immediate byte: on the first page */
    test_poke(m, 0x1fff, &four, 1);
    test_enter_flat32(m, 0x1ffe);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 9);
    uint8_t two = 2; /* 0x2000 is the second immediate byte: rewrite it to 0x02 -> eax 0x204 */
    test_poke(m, 0x2000, &two, 1);
    test_enter_flat32(m, 0x1ffe);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x204);
    machine_destroy(m);
}
END_TEST

/* A store to a data line of a page that also holds code leaves the code valid. */
START_TEST(test_cache_write_to_other_line_keeps_block)
{
    /* mov byte [0x1800], 1 ; mov al, 6 ; out 0xf4, al.  The block decoder reads
     * on past the OUT (up to 64 instructions of zero bytes, 128 bytes), so the
     * data is placed well clear of every decoded line. */
    static const uint8_t code[] = {0xc6, 0x05, 0x00, 0x18, 0x00, 0x00, 0x01, 0xb0, 0x06, 0xe6, 0xf4};
    Machine *m = test_machine();
    test_poke(m, 0x1000, code, sizeof(code));
    test_enter_flat32(m, 0x1000);
    uint32_t gen = mem_page_gen(&m->mem, 0x1000);
    ck_assert_int_eq(machine_run(m, 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 13);
    ck_assert_uint_eq(mem_page_gen(&m->mem, 0x1000), gen);
    machine_destroy(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("decode_cache");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cache_smc_same_block_sees_new_bytes);
    tcase_add_test(tc, test_cache_no_write_keeps_original_bytes);
    tcase_add_test(tc, test_cache_external_write_invalidates_cached_block);
    tcase_add_test(tc, test_cache_unchanged_block_hits);
    tcase_add_test(tc, test_cache_cross_page_instruction_invalidated_by_second_page);
    tcase_add_test(tc, test_cache_write_to_other_line_keeps_block);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(suite)
