/*
 * Helpers for the general-purpose instruction tests (test_gp_*.c): CPU
 * models with and without the optional features, machines in real-address
 * mode, flat 32-bit protected mode and 64-bit mode (identity-mapped with
 * 4-level paging: 4 KiB pages below 2 MiB, 2 MiB pages up to 16 MiB), and a
 * way to run a few instructions and stop at the first exception.
 */
#ifndef VMXSIM_TEST_GP_SUPPORT_H
#define VMXSIM_TEST_GP_SUPPORT_H

#include "sim/cpu/cpu_model.h"
#include "test_support.h"

#define GP_CODE 0x1000u /* code is poked here; CS base is 0 in every setup */
#define GP_DATA 0x3000u /* a free page for operands */
#define GP_GDT 0x6000u
#define GP_PML4 0x20000u
#define GP_PT 0x23000u /* the 4 KiB page table for 0..2 MiB */

#define PTE_P UINT64_C(0x1)
#define PTE_W UINT64_C(0x2)
#define PTE_PS UINT64_C(0x80)

/* Every feature vmxsim knows, so each instruction is available. */
static inline const CpuModel *gp_model_all(void) {
    static const CpuModel m = {"gp-all", "test: every feature", 0x000906a0, "vmxsim test CPU",
                               (UINT64_C(1) << FEAT_COUNT) - 1};
    return &m;
}

/* None of the optional features: the gated instructions raise #UD. */
static inline const CpuModel *gp_model_none(void) {
    static const CpuModel m = {"gp-none", "test: no features", 0x000906a0, "vmxsim test CPU", 0};
    return &m;
}

/* GDT: 0x08 flat code32, 0x10 flat data, 0x18 data with base 0x100000 and
 * limit 0xffff, 0x20 code64, 0x28 flat data DPL 3, 0x30 code16. */
static inline void gp_install_gdt(Machine *m) {
    static const uint64_t gdt[] = {0,
                                   0x00cf9b000000ffffull,
                                   0x00cf93000000ffffull,
                                   0x000093100000ffffull,
                                   0x00af9b000000ffffull,
                                   0x00cff3000000ffffull,
                                   0x00009b000000ffffull};
    test_poke(m, GP_GDT, gdt, sizeof(gdt));
    m->cpu.gdtr = (DescTable){GP_GDT, sizeof(gdt) - 1};
}

/* Every feature, and every exception stops the run undelivered. */
static inline Machine *gp_prepare(Machine *m) {
    m->cpu.model = gp_model_all();
    m->cpu.exception_stop_mask = ~0u;
    return m;
}

static inline Machine *gp_machine(void) {
    return gp_prepare(test_machine());
}

/* Flat 32-bit protected mode at CPL 0, ESP = 0x8000, with the GDT above. */
static inline Machine *gp_enter_flat32(Machine *m) {
    gp_install_gdt(m);
    test_enter_flat32(m, GP_CODE);
    return m;
}

static inline Machine *gp_flat32(void) {
    return gp_enter_flat32(gp_machine());
}

/* Real-address mode, every segment base 0, SP = 0x8000. */
static inline Machine *gp_real16(void) {
    Machine *m = gp_machine();
    CpuState *c = &m->cpu;
    c->cr0 = CR0_ET;
    for (unsigned s = 0; s < 6; s++) {
        uint32_t type = s == SEG_CS ? AR_TYPE_CODE | AR_TYPE_WRITABLE : AR_TYPE_WRITABLE;
        c->seg[s] = (Segment){0, 0xffff, type | AR_TYPE_ACCESSED | AR_S | AR_P, 0};
    }
    c->RIP = GP_CODE;
    c->gpr[GPR_RSP] = 0x8000;
    cpu_set_rflags(c, RFLAGS_FIXED1);
    mem_tlb_flush_all(&c->tlb);
    cpu_update_mode(c);
    return m;
}

/* Identity map of 0..16 MiB: PML4 -> PDPT -> PD; PD[0] -> a 4 KiB table. */
static inline void gp_identity_map(Machine *m) {
    uint64_t e;
    e = (GP_PML4 + 0x1000) | PTE_P | PTE_W;
    test_poke(m, GP_PML4, &e, 8);
    e = (GP_PML4 + 0x2000) | PTE_P | PTE_W;
    test_poke(m, GP_PML4 + 0x1000, &e, 8);
    e = GP_PT | PTE_P | PTE_W;
    test_poke(m, GP_PML4 + 0x2000, &e, 8);
    for (uint64_t i = 1; i < 8; i++) {
        e = (i << 21) | PTE_P | PTE_W | PTE_PS;
        test_poke(m, GP_PML4 + 0x2000 + 8 * i, &e, 8);
    }
    for (uint64_t i = 0; i < 512; i++) {
        e = (i << 12) | PTE_P | PTE_W;
        test_poke(m, GP_PT + 8 * i, &e, 8);
    }
}

/* Change the flags of the 4 KiB page at `va` (< 2 MiB). */
static inline void gp_set_pte(Machine *m, uint64_t va, uint64_t flags) {
    uint64_t e = (va & ~UINT64_C(0xfff)) | flags;
    test_poke(m, GP_PT + 8 * (va >> 12), &e, 8);
    mem_tlb_flush_all(&m->cpu.tlb);
}

/* 64-bit mode at CPL 0: CR0.PG|PE, CR4.PAE, EFER.LME|LMA, CS.L; RSP = 0x8000. */
static inline Machine *gp_long64(void) {
    Machine *m = gp_flat32();
    CpuState *c = &m->cpu;
    gp_identity_map(m);
    c->cr3 = GP_PML4;
    c->cr4 |= CR4_PAE;
    c->efer |= EFER_LME | EFER_LMA;
    c->cr0 |= CR0_PG | CR0_WP;
    c->seg[SEG_CS] = (Segment){
        0x20, 0xffffffffu,
        AR_TYPE_CODE | AR_TYPE_WRITABLE | AR_TYPE_ACCESSED | AR_S | AR_P | AR_L | AR_G, 0};
    mem_tlb_flush_all(&c->tlb);
    cpu_update_mode(c);
    return m;
}

/* Poke `code` at GP_CODE and run `count` instructions from there. */
static inline MachineStop gp_run(Machine *m, const void *code, size_t n, uint64_t count) {
    test_poke(m, GP_CODE, code, n);
    m->cpu.RIP = GP_CODE;
    return machine_run(m, count);
}

/* The run stopped at an exception that was not delivered. */
static inline void gp_assert_fault(Machine *m, MachineStop st, unsigned vector, uint32_t error) {
    ck_assert_int_eq(st, STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, vector);
    ck_assert_uint_eq(m->cpu.fault.error, error);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE); /* faults report the faulting instruction */
}

static inline uint64_t gp_arith(const Machine *m) {
    return cpu_get_rflags(&m->cpu) & RFLAGS_ARITH;
}

static inline uint64_t gp_peek(Machine *m, uint64_t pa, unsigned size) {
    return mem_phys_read(&m->mem, pa, size);
}

static inline void gp_poke64(Machine *m, uint64_t pa, uint64_t v) {
    test_poke(m, pa, &v, 8);
}

#endif
