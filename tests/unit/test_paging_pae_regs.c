/*
 * Paging registers set by MOV to CR: the PAE PDPTE registers (SDM 4.4.1
 * "PDPTE Registers": loaded on MOV to CR3 under PAE paging and on the MOV to
 * CR0/CR4 that enters or modifies PAE paging, #GP(0) on a reserved bit of a
 * present PDPTE, then used by the walk instead of memory), and CR4.PCIDE
 * with CR3 bit 63 (SDM 4.10.1 "Process-Context Identifiers (PCIDs)", 4.10.4.1
 * "Operations that Invalidate TLBs and Paging-Structure Caches").
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/mem/paging.h"

#define PDPT_A 0x20000u  /* PDPTE0 -> PD_LOW, PDPTE1 -> PD_HIGH */
#define PDPT_B 0x20100u  /* a second table, 32-byte aligned */
#define PD_LOW 0x21000u  /* 0..4 MiB identity, 2 MiB pages */
#define PD_HIGH 0x22000u /* 1 GiB..: 2 MiB page at physical 0 */
#define PD32 0x24000u    /* 32-bit paging page directory */
#define PT32 0x25000u
#define HIGH_DATA (0x40000000u + GP_DATA) /* linear via PDPTE1 */
#define PG_PS UINT64_C(0x80)

static const uint8_t MOV_CR0_EAX[] = {0x0f, 0x22, 0xc0};
static const uint8_t MOV_CR3_EBX[] = {0x0f, 0x22, 0xdb};
static const uint8_t MOV_CR4_EAX[] = {0x0f, 0x22, 0xe0};
static const uint8_t LOAD_EAX_ESI[] = {0x8b, 0x06};

static uint64_t pdpte_mem(Machine *m, uint64_t table, unsigned i) {
    return gp_peek(m, table + 8 * i, 8);
}

/* Flat 32-bit protected mode, CR4.PAE = 1, CR3 = PDPT_A, paging off. */
static Machine *pae_machine(void) {
    Machine *m = gp_flat32();
    gp_poke64(m, PDPT_A, PD_LOW | PTE_P);
    gp_poke64(m, PDPT_A + 8, PD_HIGH | PTE_P);
    gp_poke64(m, PD_LOW, PTE_P | PTE_W | PG_PS);
    gp_poke64(m, PD_LOW + 8, (UINT64_C(2) << 20) | PTE_P | PTE_W | PG_PS);
    gp_poke64(m, PD_HIGH, PTE_P | PTE_W | PG_PS);
    gp_poke64(m, GP_DATA, 0x600dcafe);
    m->cpu.cr4 = CR4_PAE;
    m->cpu.cr3 = PDPT_A;
    return m;
}

static MachineStop run1(Machine *m, const uint8_t *code, size_t n, uint64_t eax) {
    m->cpu.gpr[GPR_RAX] = eax;
    return gp_run(m, code, n, 1);
}

/* MOV to CR0 setting PG: PAE paging from here on. */
static void enable_paging(Machine *m) {
    ck_assert_int_eq(run1(m, MOV_CR0_EAX, 3, m->cpu.cr0 | CR0_PG), STOP_BUDGET);
}

static void assert_regs_match(Machine *m, uint64_t table) {
    for (unsigned i = 0; i < 4; i++)
        ck_assert_uint_eq(m->cpu.pdpte[i], pdpte_mem(m, table, i));
}

static MachineStop load_high(Machine *m) {
    m->cpu.gpr[GPR_RSI] = HIGH_DATA;
    m->cpu.gpr[GPR_RAX] = 0;
    return gp_run(m, LOAD_EAX_ESI, sizeof(LOAD_EAX_ESI), 1);
}

/* ---- loading ---- */

START_TEST(test_pae_regs_mov_cr0_entering_pae_paging_loads_pdptes) {
    Machine *m = pae_machine();
    enable_paging(m);
    assert_regs_match(m, PDPT_A);
    ck_assert_int_eq(load_high(m), STOP_BUDGET);
    ck_assert_uint_eq((uint32_t)m->cpu.gpr[GPR_RAX], 0x600dcafe);
    machine_destroy(m);
}
END_TEST

/* The walk uses the registers: a PDPTE changed in memory has no effect
 * until the next load (here MOV to CR3 with the same value). */
START_TEST(test_pae_regs_walk_uses_registers_until_reload) {
    Machine *m = pae_machine();
    enable_paging(m);
    gp_poke64(m, PDPT_A + 8, 0);
    mem_tlb_flush_all(&m->cpu.tlb); /* a TLB may drop entries at any time */
    ck_assert_int_eq(load_high(m), STOP_BUDGET);
    ck_assert_uint_eq((uint32_t)m->cpu.gpr[GPR_RAX], 0x600dcafe);
    m->cpu.gpr[GPR_RBX] = PDPT_A;
    ck_assert_int_eq(gp_run(m, MOV_CR3_EBX, 3, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pdpte[1], 0);
    MachineStop st = load_high(m);
    gp_assert_fault(m, st, EXC_PF, 0); /* PDPTE1 not present: P = 0 */
    ck_assert_uint_eq(m->cpu.fault.address, HIGH_DATA);
    machine_destroy(m);
}
END_TEST

/* SDM 4.4.1 Table 4-8: bits 2:1, 8:5 and 63:MAXPHYADDR are reserved. */
static const unsigned reserved_bits[] = {1, 2, 5, 6, 7, 8, PAGING_MAXPHYADDR, 51, 52, 62, 63};
static const unsigned free_bits[] = {3, 4, 9, 10, 11};

START_TEST(test_pae_regs_mov_cr3_reserved_bit_gp_nothing_loaded) {
    Machine *m = pae_machine();
    enable_paging(m);
    uint64_t before[4];
    memcpy(before, m->cpu.pdpte, sizeof(before));
    gp_poke64(m, PDPT_B, PD_LOW | PTE_P);
    gp_poke64(m, PDPT_B + 16, PD_HIGH | PTE_P | (UINT64_C(1) << reserved_bits[_i]));
    m->cpu.gpr[GPR_RBX] = PDPT_B;
    gp_assert_fault(m, gp_run(m, MOV_CR3_EBX, 3, 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cr3, PDPT_A);
    ck_assert_mem_eq(m->cpu.pdpte, before, sizeof(before));
    machine_destroy(m);
}
END_TEST

START_TEST(test_pae_regs_mov_cr3_other_bits_accepted) {
    Machine *m = pae_machine();
    enable_paging(m);
    gp_poke64(m, PDPT_B, PD_LOW | PTE_P);
    gp_poke64(m, PDPT_B + 16, PD_HIGH | PTE_P | (UINT64_C(1) << free_bits[_i]));
    m->cpu.gpr[GPR_RBX] = PDPT_B;
    ck_assert_int_eq(gp_run(m, MOV_CR3_EBX, 3, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr3, PDPT_B);
    assert_regs_match(m, PDPT_B);
    machine_destroy(m);
}
END_TEST

/* Reserved bits matter only in a present PDPTE (SDM 4.4.1). */
START_TEST(test_pae_regs_not_present_pdpte_bits_ignored) {
    Machine *m = pae_machine();
    enable_paging(m);
    gp_poke64(m, PDPT_B, PD_LOW | PTE_P);
    gp_poke64(m, PDPT_B + 24, UINT64_C(0x80000000000001e6));
    m->cpu.gpr[GPR_RBX] = PDPT_B;
    ck_assert_int_eq(gp_run(m, MOV_CR3_EBX, 3, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pdpte[3], UINT64_C(0x80000000000001e6));
    machine_destroy(m);
}
END_TEST

START_TEST(test_pae_regs_mov_cr0_reserved_bit_gp_paging_stays_off) {
    Machine *m = pae_machine();
    gp_poke64(m, PDPT_A + 24, PTE_P | (UINT64_C(1) << reserved_bits[_i]));
    uint64_t cr0 = m->cpu.cr0;
    gp_assert_fault(m, run1(m, MOV_CR0_EAX, 3, cr0 | CR0_PG), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cr0, cr0);
    ck_assert_uint_eq(m->cpu.pdpte[0] | m->cpu.pdpte[1], 0);
    machine_destroy(m);
}
END_TEST

/* MOV to CR4 reloads only when it modifies PAE, PGE, PSE or SMEP. */
START_TEST(test_pae_regs_mov_cr4_reloads_on_listed_bits_only) {
    Machine *m = pae_machine();
    enable_paging(m);
    uint64_t fresh = PD_HIGH | PTE_P | 0x18; /* PWT | PCD */
    gp_poke64(m, PDPT_A + 24, fresh);
    ck_assert_int_eq(run1(m, MOV_CR4_EAX, 3, m->cpu.cr4 | CR4_TSD), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pdpte[3], 0);
    ck_assert_int_eq(run1(m, MOV_CR4_EAX, 3, m->cpu.cr4 | CR4_PGE), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pdpte[3], fresh);
    gp_poke64(m, PDPT_A + 24, fresh | 0x20);
    uint64_t cr4 = m->cpu.cr4;
    gp_assert_fault(m, run1(m, MOV_CR4_EAX, 3, cr4 & ~CR4_PGE), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cr4, cr4);
    ck_assert_uint_eq(m->cpu.pdpte[3], fresh);
    machine_destroy(m);
}
END_TEST

/* MOV to CR0 reloads only when it modifies CD, NW or PG. */
START_TEST(test_pae_regs_mov_cr0_reloads_on_listed_bits_only) {
    Machine *m = pae_machine();
    enable_paging(m);
    uint64_t fresh = PD_HIGH | PTE_P | 0x8;
    gp_poke64(m, PDPT_A + 16, fresh);
    ck_assert_int_eq(run1(m, MOV_CR0_EAX, 3, m->cpu.cr0 | CR0_TS), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pdpte[2], 0);
    ck_assert_int_eq(run1(m, MOV_CR0_EAX, 3, m->cpu.cr0 | CR0_CD), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pdpte[2], fresh);
    machine_destroy(m);
}
END_TEST

/* From 32-bit paging, MOV to CR4 setting PAE loads the PDPTEs from CR3.
 * 32-bit paging takes the directory from CR3[31:12], PAE the PDPTEs from
 * CR3[31:5]: with CR3 = PD32 + 20H they are directory entries 8-15, which
 * the fetch (entry 0, whose accessed bit 5 would be reserved in a PDPTE)
 * does not use. */
static Machine *paging32_machine(uint64_t pdpte0) {
    Machine *m = gp_flat32();
    gp_poke64(m, PD32, PT32 | PTE_P | PTE_W);
    gp_poke64(m, PT32 + 4, GP_CODE | PTE_P);
    gp_poke64(m, PD32 + 0x20, pdpte0);
    m->cpu.cr3 = PD32 + 0x20;
    m->cpu.cr0 |= CR0_PG;
    mem_tlb_flush_all(&m->cpu.tlb);
    return m;
}

START_TEST(test_pae_regs_mov_cr4_entering_pae_loads_from_cr3) {
    Machine *m = paging32_machine(PD_LOW | PTE_P);
    ck_assert_int_eq(run1(m, MOV_CR4_EAX, 3, CR4_PAE), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pdpte[0], PD_LOW | PTE_P);
    ck_assert_uint_eq(m->cpu.cr4, CR4_PAE);
    machine_destroy(m);
    /* R/W = 1: bit 1 is reserved in a PDPTE. */
    m = paging32_machine(PD_LOW | PTE_P | PTE_W);
    gp_assert_fault(m, run1(m, MOV_CR4_EAX, 3, CR4_PAE), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cr4, 0);
    ck_assert_uint_eq(m->cpu.pdpte[0], 0);
    machine_destroy(m);
}
END_TEST

/* Entering IA-32e mode is not PAE paging: no PDPTE load, so PML4 entries
 * with R/W = 1 (reserved in a PDPTE) do not fault. */
START_TEST(test_pae_regs_long_mode_entry_loads_nothing) {
    Machine *m = gp_flat32();
    gp_identity_map(m);
    m->cpu.cr4 = CR4_PAE;
    m->cpu.cr3 = GP_PML4;
    m->cpu.efer = EFER_LME;
    ck_assert_int_eq(run1(m, MOV_CR0_EAX, 3, m->cpu.cr0 | CR0_PG), STOP_BUDGET);
    ck_assert(m->cpu.efer & EFER_LMA);
    ck_assert_uint_eq(m->cpu.pdpte[0], 0);
    machine_destroy(m);
}
END_TEST

/* The walker with registers reads no PDPTE from memory. */
START_TEST(test_pae_regs_page_walk_with_registers) {
    Machine *m = pae_machine();
    uint64_t regs[4] = {0, PD_HIGH | PTE_P, 0, 0};
    PagingRegs r = {.cr0 = CR0_PE | CR0_PG, .cr3 = 0xfff000, .cr4 = CR4_PAE, .pdpte = regs};
    PageWalk w;
    ck_assert(mem_page_walk(&m->mem, &r, HIGH_DATA, &w));
    ck_assert_uint_eq(w.phys, GP_DATA);
    ck_assert_uint_eq(w.levels, 1);
    ck_assert_uint_eq(w.entry_addr[0], PD_HIGH);
    ck_assert_uint_eq(w.first_commit, 0);
    ck_assert(!mem_page_walk(&m->mem, &r, GP_DATA, &w));
    ck_assert_uint_eq(w.fault, PF_P);
    ck_assert_uint_eq(w.levels, 0);
    machine_destroy(m);
}
END_TEST

/* ---- PCID (SDM 4.10.1) ---- */

static const uint8_t MOV_CR3_RAX[] = {0x0f, 0x22, 0xd8};

START_TEST(test_pcid_pcide_only_in_ia32e_mode_with_cr3_low_bits_zero) {
    Machine *m = gp_flat32();
    gp_assert_fault(m, run1(m, MOV_CR4_EAX, 3, CR4_PCIDE), EXC_GP, 0);
    machine_destroy(m);
    m = gp_long64();
    m->cpu.cr3 = GP_PML4 | 0x8; /* PWT */
    gp_assert_fault(m, run1(m, MOV_CR4_EAX, 3, m->cpu.cr4 | CR4_PCIDE), EXC_GP, 0);
    ck_assert(!(m->cpu.cr4 & CR4_PCIDE));
    m->cpu.cr3 = GP_PML4;
    ck_assert_int_eq(run1(m, MOV_CR4_EAX, 3, m->cpu.cr4 | CR4_PCIDE), STOP_BUDGET);
    ck_assert(m->cpu.cr4 & CR4_PCIDE);
    machine_destroy(m);
}
END_TEST

/* CR3 bit 63 with PCIDE = 1: not written to CR3; vmxsim's untagged TLB is
 * flushed anyway (more invalidation is allowed).  With PCIDE = 0 it is a
 * reserved bit. */
START_TEST(test_pcid_cr3_bit63_not_stored_tlb_still_flushed) {
    Machine *m = gp_long64();
    uint64_t v = UINT64_C(0x8000000000000000) | GP_PML4;
    gp_assert_fault(m, run1(m, MOV_CR3_RAX, 3, v), EXC_GP, 0);
    m->cpu.cr4 |= CR4_PCIDE;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    ck_assert_int_eq(gp_run(m, LOAD_EAX_ESI, 2, 1), STOP_BUDGET);
    ck_assert_ptr_nonnull(mem_tlb_lookup(&m->cpu.tlb, GP_DATA));
    ck_assert_int_eq(run1(m, MOV_CR3_RAX, 3, v | 0x5), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr3, GP_PML4 | 0x5);
    ck_assert_ptr_null(mem_tlb_lookup(&m->cpu.tlb, GP_DATA));
    gp_assert_fault(m, run1(m, MOV_CR3_RAX, 3, v | (UINT64_C(1) << PAGING_MAXPHYADDR)), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 MOV CR: clearing CR0.PG while CR4.PCIDE = 1 is #GP(0); from
 * compatibility mode with PCIDE = 0 it leaves IA-32e mode. */
START_TEST(test_pcid_clear_pg_with_pcide_gp) {
    Machine *m = gp_long64();
    m->cpu.seg[SEG_CS] = test_flat_segment(0x08, true);
    cpu_update_mode(&m->cpu);
    ck_assert_int_eq(m->cpu.mode, MODE_COMPAT32);
    m->cpu.cr4 |= CR4_PCIDE;
    uint64_t cr0 = m->cpu.cr0;
    gp_assert_fault(m, run1(m, MOV_CR0_EAX, 3, cr0 & ~CR0_PG), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cr0, cr0);
    m->cpu.cr4 &= ~CR4_PCIDE;
    ck_assert_int_eq(run1(m, MOV_CR0_EAX, 3, cr0 & ~CR0_PG), STOP_BUDGET);
    ck_assert(!(m->cpu.efer & EFER_LMA));
    machine_destroy(m);
}
END_TEST

/* ---- CR4.LA57 (SDM 4.1.2 "Paging-Mode Enabling") ---- */

#define PML5 0x2f000u /* PML5E 0 -> the 4-level tables of gp_long64 */

/* 5-level paging: the same identity map one level deeper. */
static Machine *long64_la57(void) {
    Machine *m = gp_long64();
    gp_poke64(m, PML5, GP_PML4 | PTE_P | PTE_W);
    m->cpu.cr3 = PML5;
    m->cpu.cr4 |= CR4_LA57;
    mem_tlb_flush_all(&m->cpu.tlb);
    return m;
}

/* CR4.LA57 cannot be modified while IA-32e mode is active: MOV to CR4 that
 * sets or clears it is #GP(0); one that changes another bit and keeps LA57
 * succeeds, in 4-level and in 5-level paging. */
START_TEST(test_la57_change_in_ia32e_mode_gp) {
    for (unsigned five = 0; five < 2; five++) {
        Machine *m = five ? long64_la57() : gp_long64();
        uint64_t cr4 = m->cpu.cr4;
        gp_assert_fault(m, run1(m, MOV_CR4_EAX, 3, cr4 ^ CR4_LA57), EXC_GP, 0);
        ck_assert_uint_eq(m->cpu.cr4, cr4);
        ck_assert_int_eq(run1(m, MOV_CR4_EAX, 3, cr4 ^ CR4_PGE), STOP_BUDGET);
        ck_assert_uint_eq(m->cpu.cr4, cr4 ^ CR4_PGE);
        machine_destroy(m);
    }
}
END_TEST

/* Outside IA-32e mode MOV to CR4 may set and clear LA57 (it takes effect
 * when IA-32e mode is next activated). */
START_TEST(test_la57_change_outside_ia32e_mode_allowed) {
    Machine *m = gp_flat32();
    ck_assert_int_eq(run1(m, MOV_CR4_EAX, 3, CR4_PAE | CR4_LA57), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr4, CR4_PAE | CR4_LA57);
    ck_assert_int_eq(run1(m, MOV_CR4_EAX, 3, CR4_PAE), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr4, CR4_PAE);
    machine_destroy(m);
}
END_TEST

static Suite *pae_regs_suite(void) {
    Suite *s = suite_create("paging_registers");
    TCase *pdpte = tcase_create("pdpte");
    tcase_add_test(pdpte, test_pae_regs_mov_cr0_entering_pae_paging_loads_pdptes);
    tcase_add_test(pdpte, test_pae_regs_walk_uses_registers_until_reload);
    tcase_add_loop_test(pdpte, test_pae_regs_mov_cr3_reserved_bit_gp_nothing_loaded, 0,
                        (int)SIM_ARRAY_SIZE(reserved_bits));
    tcase_add_loop_test(pdpte, test_pae_regs_mov_cr3_other_bits_accepted, 0,
                        (int)SIM_ARRAY_SIZE(free_bits));
    tcase_add_test(pdpte, test_pae_regs_not_present_pdpte_bits_ignored);
    tcase_add_loop_test(pdpte, test_pae_regs_mov_cr0_reserved_bit_gp_paging_stays_off, 0,
                        (int)SIM_ARRAY_SIZE(reserved_bits));
    tcase_add_test(pdpte, test_pae_regs_mov_cr4_reloads_on_listed_bits_only);
    tcase_add_test(pdpte, test_pae_regs_mov_cr0_reloads_on_listed_bits_only);
    tcase_add_test(pdpte, test_pae_regs_mov_cr4_entering_pae_loads_from_cr3);
    tcase_add_test(pdpte, test_pae_regs_long_mode_entry_loads_nothing);
    tcase_add_test(pdpte, test_pae_regs_page_walk_with_registers);
    suite_add_tcase(s, pdpte);
    TCase *pcid = tcase_create("pcid");
    tcase_add_test(pcid, test_pcid_pcide_only_in_ia32e_mode_with_cr3_low_bits_zero);
    tcase_add_test(pcid, test_pcid_cr3_bit63_not_stored_tlb_still_flushed);
    tcase_add_test(pcid, test_pcid_clear_pg_with_pcide_gp);
    suite_add_tcase(s, pcid);
    TCase *la57 = tcase_create("la57");
    tcase_add_test(la57, test_la57_change_in_ia32e_mode_gp);
    tcase_add_test(la57, test_la57_change_outside_ia32e_mode_allowed);
    suite_add_tcase(s, la57);
    return s;
}

CHECK_MAIN(pae_regs_suite)
