/*
 * VM-transition TLB invalidation (sim/cpu/tlb_context.h): SDM 28.3.3.1
 * requires every VM entry and exit without VPIDs to invalidate all linear
 * mappings; vmxsim skips the flush only when the cached translations are
 * exactly what fresh walks would give.
 */
#include <check.h>

#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/access.h"
#include "sim/cpu/tlb_context.h"

#define LIN 0x5000u

static Machine *filled(void)
{
    Machine *m = gp_long64();
    uint64_t pa;
    cpu_tlb_vmx_transition(&m->cpu); /* the first transition always flushes */
    ck_assert(cpu_translate(&m->cpu, LIN, ACC_READ, true, &pa) == SIM_OK);
    ck_assert_ptr_nonnull(mem_tlb_lookup(&m->cpu.tlb, LIN));
    return m;
}

START_TEST(test_transition_same_context_keeps_translations)
{
    Machine *m = filled();
    uint64_t epoch = m->cpu.tlb.epoch;
    cpu_tlb_vmx_transition(&m->cpu);
    ck_assert_uint_eq(m->cpu.tlb.epoch, epoch);
    ck_assert_ptr_nonnull(mem_tlb_lookup(&m->cpu.tlb, LIN));
    machine_destroy(m);
}
END_TEST

/* A write to a paging structure since: the guest must see the new entry. */
START_TEST(test_transition_after_pte_write_flushes)
{
    Machine *m = filled();
    gp_set_pte(m, LIN, 0); /* not through a flush: mem_phys_write only */
    mem_tlb_fill(&m->cpu.tlb, LIN, LIN, NULL, TLB_READ_SUP); /* as if still cached */
    cpu_tlb_vmx_transition(&m->cpu);
    ck_assert_ptr_null(mem_tlb_lookup(&m->cpu.tlb, LIN));
    machine_destroy(m);
}
END_TEST

static void change_cr3(Machine *m) { m->cpu.cr3 += 0x1000; }
static void change_cr4(Machine *m) { m->cpu.cr4 ^= CR4_PGE; }
static void change_efer(Machine *m) { m->cpu.efer ^= EFER_NXE; }
static void change_pdpte(Machine *m) { m->cpu.pdpte[1] ^= 1; }
static void carry_globals(Machine *m) { m->cpu.tlb.carried = true; }

static void (*const changes[])(Machine *) = {change_cr3, change_cr4, change_efer, change_pdpte,
                                              carry_globals};

/* Another translation context (or entries of one) at the transition: flush. */
START_TEST(test_transition_other_context_flushes)
{
    Machine *m = filled();
    changes[_i](m);
    cpu_tlb_vmx_transition(&m->cpu);
    ck_assert_ptr_null(mem_tlb_lookup(&m->cpu.tlb, LIN));
    machine_destroy(m);
}
END_TEST

static Suite *tlb_context_suite(void)
{
    Suite *s = suite_create("tlb_context");
    TCase *t = tcase_create("vmx_transition");
    tcase_add_test(t, test_transition_same_context_keeps_translations);
    tcase_add_test(t, test_transition_after_pte_write_flushes);
    tcase_add_loop_test(t, test_transition_other_context_flushes, 0, SIM_ARRAY_SIZE(changes));
    suite_add_tcase(s, t);
    return s;
}

CHECK_MAIN(tlb_context_suite)
