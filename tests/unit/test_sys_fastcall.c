/*
 * Fast system calls (SDM Vol. 2 SYSCALL, SYSRET, SYSENTER, SYSEXIT, SWAPGS;
 * SDM Vol. 3A 5.8.7, 5.8.8): real machine code on paged 64-bit, compatibility
 * and flat 32-bit machines.  Every rule is tested on both sides: the fault
 * happens, and the same instruction succeeds when the condition is absent.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/v86.h"

#define PTE_U UINT64_C(0x4)
#define USER_CODE 0x4000u
#define KERNEL_ENTRY 0x2000u
/* IA32_STAR: SYSCALL CS = 0x10, SS = 0x18; SYSRET base 0x23 (64-bit CS 0x33,
 * compatibility CS 0x23, SS 0x2b), the Linux layout. */
#define STAR ((UINT64_C(0x23) << 48) | (UINT64_C(0x10) << 32))
#define FMASK UINT64_C(0x47700) /* TF DF IF IOPL NT AC */

/* Access rights the fixed descriptor caches must hold (SDM Vol. 2 SYSCALL,
 * SYSRET, SYSENTER, SYSEXIT "Operation"). */
#define AR_CODE64_DPL0 (0xbu | AR_S | AR_P | AR_L | AR_G)
#define AR_CODE32_DPL0 (0xbu | AR_S | AR_P | AR_DB | AR_G)
#define AR_STACK_DPL0 (0x3u | AR_S | AR_P | AR_DB | AR_G)
#define AR_CODE64_DPL3 (AR_CODE64_DPL0 | (3u << AR_DPL_SHIFT))
#define AR_CODE32_DPL3 (AR_CODE32_DPL0 | (3u << AR_DPL_SHIFT))
#define AR_STACK_DPL3 (AR_STACK_DPL0 | (3u << AR_DPL_SHIFT))

/* Make 0..2 MiB user-accessible (U = 1 at every level) so CPL 3 can fetch. */
static void user_pages(Machine *m) {
    uint64_t e[3] = {(GP_PML4 + 0x1000) | PTE_P | PTE_W | PTE_U,
                     (GP_PML4 + 0x2000) | PTE_P | PTE_W | PTE_U, GP_PT | PTE_P | PTE_W | PTE_U};
    for (unsigned i = 0; i < 3; i++)
        gp_poke64(m, GP_PML4 + 0x1000 * i, e[i]);
    for (uint64_t i = 0; i < 512; i++)
        gp_poke64(m, GP_PT + 8 * i, (i << 12) | PTE_P | PTE_W | PTE_U);
    mem_tlb_flush_all(&m->cpu.tlb);
}

/* 64-bit mode at CPL 0 with SYSCALL enabled and user-accessible low memory. */
static Machine *long64(void) {
    Machine *m = gp_long64();
    user_pages(m);
    m->cpu.efer |= EFER_SCE;
    m->cpu.msr[MSR_SLOT_IA32_STAR] = STAR;
    m->cpu.msr[MSR_SLOT_IA32_LSTAR] = KERNEL_ENTRY;
    m->cpu.msr[MSR_SLOT_IA32_FMASK] = FMASK;
    return m;
}

/* Current code at CPL 3: CS and SS caches with DPL 3 (64-bit or 32-bit code). */
static void enter_cpl3(Machine *m, bool code64) {
    CpuState *c = &m->cpu;
    uint32_t ar = code64 ? AR_CODE64_DPL3 : AR_CODE32_DPL3;
    c->seg[SEG_CS] = (Segment){code64 ? 0x33 : 0x1b, 0xffffffffu, ar, 0};
    c->seg[SEG_SS] = (Segment){code64 ? 0x2b : 0x23, 0xffffffffu, AR_STACK_DPL3, 0};
    cpu_update_mode(c);
}

/* Compatibility mode at CPL 0: IA-32e active, a 32-bit code segment. */
static void enter_compat(Machine *m) {
    m->cpu.seg[SEG_CS] = test_flat_segment(0x08, true);
    cpu_update_mode(&m->cpu);
}

static void assert_seg(const Segment *s, uint16_t sel, uint32_t ar) {
    ck_assert_uint_eq(s->selector, sel);
    ck_assert_uint_eq(s->ar, ar);
    ck_assert_uint_eq(s->base, 0);
    ck_assert_uint_eq(s->limit, 0xffffffffu);
}

static const uint8_t syscall_insn[] = {0x0f, 0x05};
static const uint8_t sysret64_insn[] = {0x48, 0x0f, 0x07};
static const uint8_t sysret32_insn[] = {0x0f, 0x07};

/* ---- SYSCALL / SYSRET ---- */

/* CPL 0 -> SYSRET -> CPL 3 -> SYSCALL -> CPL 0, end to end. */
START_TEST(test_sys_syscall_sysret_round_trip_64bit) {
    Machine *m = long64();
    static const uint8_t kernel[] = {0xb9, 0x00, 0x40, 0,    0,      /* mov ecx, USER_CODE */
                                     0x41, 0xbb, 0x03, 0x02, 0, 0,   /* mov r11d, 0x203 */
                                     0x48, 0x0f, 0x07};              /* sysretq */
    static const uint8_t user[] = {0xb8, 0x55, 0, 0, 0, 0x0f, 0x05}; /* mov eax, 0x55; syscall */
    static const uint8_t entry[] = {0xf4};                           /* hlt */
    test_poke(m, USER_CODE, user, sizeof(user));
    test_poke(m, KERNEL_ENTRY, entry, sizeof(entry));
    CpuState *c = &m->cpu;
    ck_assert_int_eq(gp_run(m, kernel, sizeof(kernel), 3), STOP_BUDGET);
    ck_assert_uint_eq(c->cpl, 3);
    ck_assert_int_eq(c->mode, MODE_LONG64);
    ck_assert_uint_eq(c->RIP, USER_CODE);
    ck_assert_uint_eq(cpu_get_rflags(c), 0x203);
    assert_seg(&c->seg[SEG_CS], 0x33, AR_CODE64_DPL3);
    assert_seg(&c->seg[SEG_SS], 0x2b, AR_STACK_DPL3);
    ck_assert_int_eq(machine_run(m, 10), STOP_HALTED);
    ck_assert_uint_eq(c->cpl, 0);
    ck_assert_int_eq(c->mode, MODE_LONG64);
    ck_assert_uint_eq(c->RIP, KERNEL_ENTRY + 1);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0x55);
    ck_assert_uint_eq(c->gpr[GPR_RCX], USER_CODE + sizeof(user)); /* next RIP */
    ck_assert_uint_eq(c->gpr[GPR_R11], 0x203);                    /* RFLAGS before */
    ck_assert_uint_eq(cpu_get_rflags(c), 0x203 & ~FMASK);         /* IF masked */
    assert_seg(&c->seg[SEG_CS], 0x10, AR_CODE64_DPL0);
    assert_seg(&c->seg[SEG_SS], 0x18, AR_STACK_DPL0);
    machine_destroy(m);
}
END_TEST

/* SDM: the caches get fixed values, never the GDT's descriptors; CS RPL is
 * forced to 0 while SS = STAR[47:32] + 8 keeps the RPL bits. */
START_TEST(test_sys_syscall_caches_fixed_not_from_gdt) {
    Machine *m = long64();
    m->cpu.msr[MSR_SLOT_IA32_STAR] = UINT64_C(0x13) << 32; /* RPL 3 in the selector */
    m->cpu.gdtr = (DescTable){0, 0};                       /* no GDT at all */
    ck_assert_int_eq(gp_run(m, syscall_insn, sizeof(syscall_insn), 1), STOP_BUDGET);
    assert_seg(&m->cpu.seg[SEG_CS], 0x10, AR_CODE64_DPL0);
    assert_seg(&m->cpu.seg[SEG_SS], 0x1b, AR_STACK_DPL0);
    ck_assert_uint_eq(m->cpu.RIP, KERNEL_ENTRY);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_syscall_fmask_clears_only_masked_flags) {
    Machine *m = long64();
    m->cpu.msr[MSR_SLOT_IA32_FMASK] = RFLAGS_DF | RFLAGS_AC | RFLAGS_FIXED1;
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_DF | RFLAGS_AC | RFLAGS_IF);
    ck_assert_int_eq(gp_run(m, syscall_insn, sizeof(syscall_insn), 1), STOP_BUDGET);
    ck_assert_uint_eq(cpu_get_rflags(&m->cpu), RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_IF);
    ck_assert_uint_eq(m->cpu.gpr[GPR_R11],
                      RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_DF | RFLAGS_AC | RFLAGS_IF);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_syscall_sce_clear_ud) {
    Machine *m = long64();
    m->cpu.efer &= ~EFER_SCE;
    gp_assert_fault(m, gp_run(m, syscall_insn, sizeof(syscall_insn), 1), EXC_UD, 0);
    ck_assert_uint_eq(m->cpu.cpl, 0);
    machine_destroy(m);
}
END_TEST

/* Intel: SYSCALL is #UD outside 64-bit mode (IA32_CSTAR is never used). */
START_TEST(test_sys_syscall_compat_mode_ud) {
    Machine *m = long64();
    enter_compat(m);
    gp_assert_fault(m, gp_run(m, syscall_insn, sizeof(syscall_insn), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_syscall_protected_mode_ud) {
    Machine *m = gp_flat32();
    m->cpu.efer |= EFER_SCE;
    gp_assert_fault(m, gp_run(m, syscall_insn, sizeof(syscall_insn), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_syscall_without_feature_ud) {
    Machine *m = long64();
    m->cpu.model = gp_model_none();
    gp_assert_fault(m, gp_run(m, syscall_insn, sizeof(syscall_insn), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysret_at_cpl3_gp0) {
    Machine *m = long64();
    enter_cpl3(m, true);
    m->cpu.gpr[GPR_RCX] = USER_CODE;
    gp_assert_fault(m, gp_run(m, sysret64_insn, sizeof(sysret64_insn), 1), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysret_sce_clear_ud) {
    Machine *m = long64();
    m->cpu.efer &= ~EFER_SCE;
    m->cpu.gpr[GPR_RCX] = USER_CODE;
    gp_assert_fault(m, gp_run(m, sysret64_insn, sizeof(sysret64_insn), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

/* SDM SYSRET: a non-canonical RCX is #GP(0) taken at CPL 0 with nothing
 * changed (RSP is already the user's: the OS must guard against it). */
START_TEST(test_sys_sysret_noncanonical_rcx_gp0_at_cpl0) {
    Machine *m = long64();
    CpuState *c = &m->cpu;
    c->gpr[GPR_RCX] = UINT64_C(0x0000800000000000);
    c->gpr[GPR_R11] = 0x202;
    c->gpr[GPR_RSP] = 0x7ff0;
    gp_assert_fault(m, gp_run(m, sysret64_insn, sizeof(sysret64_insn), 1), EXC_GP, 0);
    ck_assert_uint_eq(c->cpl, 0);
    ck_assert_uint_eq(c->seg[SEG_CS].selector, 0x20);
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0x7ff0);
    ck_assert_uint_eq(cpu_get_rflags(c), RFLAGS_FIXED1);
    machine_destroy(m);
}
END_TEST

/* Without REX.W SYSRET returns to compatibility mode: RIP := ECX (no
 * canonical check on RCX), CS := STAR[63:48] | 3 with L = 0, D = 1. */
START_TEST(test_sys_sysret32_to_compat_mode) {
    Machine *m = long64();
    CpuState *c = &m->cpu;
    c->gpr[GPR_RCX] = UINT64_C(0xdeadbeef00000000) | USER_CODE;
    c->gpr[GPR_R11] = 0x2;
    ck_assert_int_eq(gp_run(m, sysret32_insn, sizeof(sysret32_insn), 1), STOP_BUDGET);
    ck_assert_int_eq(c->mode, MODE_COMPAT32);
    ck_assert_uint_eq(c->cpl, 3);
    ck_assert_uint_eq(c->RIP, USER_CODE);
    assert_seg(&c->seg[SEG_CS], 0x23, AR_CODE32_DPL3);
    assert_seg(&c->seg[SEG_SS], 0x2b, AR_STACK_DPL3);
    machine_destroy(m);
}
END_TEST

/* RFLAGS := (R11 & 3C7FD7H) | 2: RF, VM and reserved bits cleared. */
START_TEST(test_sys_sysret_rflags_from_r11_masked) {
    Machine *m = long64();
    m->cpu.gpr[GPR_RCX] = USER_CODE;
    m->cpu.gpr[GPR_R11] = UINT64_MAX;
    ck_assert_int_eq(gp_run(m, sysret64_insn, sizeof(sysret64_insn), 1), STOP_BUDGET);
    ck_assert_uint_eq(cpu_get_rflags(&m->cpu), 0x3c7fd7);
    ck_assert_int_eq(m->cpu.mode, MODE_LONG64); /* VM not set from R11 */
    machine_destroy(m);
}
END_TEST

/* ---- SYSENTER / SYSEXIT ---- */

static const uint8_t sysenter_insn[] = {0x0f, 0x34};
static const uint8_t sysexit32_insn[] = {0x0f, 0x35};
static const uint8_t sysexit64_insn[] = {0x48, 0x0f, 0x35};

static void sysenter_msrs(Machine *m, uint64_t cs, uint64_t esp, uint64_t eip) {
    m->cpu.msr[MSR_SLOT_IA32_SYSENTER_CS] = cs;
    m->cpu.msr[MSR_SLOT_IA32_SYSENTER_ESP] = esp;
    m->cpu.msr[MSR_SLOT_IA32_SYSENTER_EIP] = eip;
}

START_TEST(test_sys_sysenter_protected_mode_from_cpl3) {
    Machine *m = gp_flat32();
    CpuState *c = &m->cpu;
    enter_cpl3(m, false);
    cpu_set_rflags(c, RFLAGS_FIXED1 | RFLAGS_IF | RFLAGS_CF);
    sysenter_msrs(m, 0x0b, UINT64_C(0x1234567812345678), UINT64_C(0xaaaa000000002000));
    ck_assert_int_eq(gp_run(m, sysenter_insn, sizeof(sysenter_insn), 1), STOP_BUDGET);
    ck_assert_uint_eq(c->cpl, 0);
    ck_assert_int_eq(c->mode, MODE_PROT32);
    ck_assert_uint_eq(c->RIP, 0x2000);                               /* EIP[31:0] */
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0x12345678);                  /* ESP[31:0] */
    ck_assert_uint_eq(cpu_get_rflags(c), RFLAGS_FIXED1 | RFLAGS_CF); /* IF cleared */
    assert_seg(&c->seg[SEG_CS], 0x08, AR_CODE32_DPL0);               /* RPL forced to 0 */
    assert_seg(&c->seg[SEG_SS], 0x10, AR_STACK_DPL0);                /* CS + 8 */
    machine_destroy(m);
}
END_TEST

/* SDM SYSENTER: #GP(0) if IA32_SYSENTER_CS[15:2] = 0 (RPL bits alone do
 * not count). */
START_TEST(test_sys_sysenter_null_cs_gp0) {
    for (uint64_t cs = 0; cs < 4; cs++) {
        Machine *m = gp_flat32();
        sysenter_msrs(m, cs, 0x8000, 0x2000);
        gp_assert_fault(m, gp_run(m, sysenter_insn, sizeof(sysenter_insn), 1), EXC_GP, 0);
        ck_assert_uint_eq(m->cpu.seg[SEG_CS].selector, 0x08);
        machine_destroy(m);
    }
}
END_TEST

START_TEST(test_sys_sysenter_ia32e_enters_64bit_mode) {
    Machine *m = long64();
    CpuState *c = &m->cpu;
    enter_compat(m); /* from compatibility mode */
    sysenter_msrs(m, 0x10, UINT64_C(0xffff800000008000), UINT64_C(0xffff800000002000));
    ck_assert_int_eq(gp_run(m, sysenter_insn, sizeof(sysenter_insn), 1), STOP_BUDGET);
    ck_assert_int_eq(c->mode, MODE_LONG64);
    ck_assert_uint_eq(c->RIP, UINT64_C(0xffff800000002000));
    ck_assert_uint_eq(c->gpr[GPR_RSP], UINT64_C(0xffff800000008000));
    assert_seg(&c->seg[SEG_CS], 0x10, AR_CODE64_DPL0);
    assert_seg(&c->seg[SEG_SS], 0x18, AR_STACK_DPL0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysenter_without_sep_ud) {
    Machine *m = gp_flat32();
    m->cpu.model = gp_model_none();
    sysenter_msrs(m, 0x08, 0x8000, 0x2000);
    gp_assert_fault(m, gp_run(m, sysenter_insn, sizeof(sysenter_insn), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysexit_without_sep_ud) {
    Machine *m = gp_flat32();
    m->cpu.model = gp_model_none();
    sysenter_msrs(m, 0x08, 0, 0);
    gp_assert_fault(m, gp_run(m, sysexit32_insn, sizeof(sysexit32_insn), 1), EXC_UD, 0);
    ck_assert_uint_eq(m->cpu.cpl, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysexit32_to_cpl3) {
    Machine *m = gp_flat32();
    CpuState *c = &m->cpu;
    sysenter_msrs(m, 0x08, 0, 0);
    c->gpr[GPR_RCX] = 0x7000;
    c->gpr[GPR_RDX] = USER_CODE;
    ck_assert_int_eq(gp_run(m, sysexit32_insn, sizeof(sysexit32_insn), 1), STOP_BUDGET);
    ck_assert_uint_eq(c->cpl, 3);
    ck_assert_int_eq(c->mode, MODE_PROT32);
    ck_assert_uint_eq(c->RIP, USER_CODE);
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0x7000);
    assert_seg(&c->seg[SEG_CS], 0x1b, AR_CODE32_DPL3); /* SYSENTER_CS + 16, RPL 3 */
    assert_seg(&c->seg[SEG_SS], 0x23, AR_STACK_DPL3);  /* CS + 8 */
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysexit_at_cpl3_gp0) {
    Machine *m = gp_flat32();
    enter_cpl3(m, false);
    sysenter_msrs(m, 0x08, 0, 0);
    gp_assert_fault(m, gp_run(m, sysexit32_insn, sizeof(sysexit32_insn), 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.seg[SEG_CS].selector, 0x1b);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysexit_null_cs_gp0) {
    Machine *m = gp_flat32();
    sysenter_msrs(m, 0x03, 0, 0);
    gp_assert_fault(m, gp_run(m, sysexit32_insn, sizeof(sysexit32_insn), 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cpl, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysexit64_to_64bit_mode) {
    Machine *m = long64();
    CpuState *c = &m->cpu;
    sysenter_msrs(m, 0x10, 0, 0);
    c->gpr[GPR_RCX] = UINT64_C(0x00007fff00007000);
    c->gpr[GPR_RDX] = UINT64_C(0x00007fff00004000);
    ck_assert_int_eq(gp_run(m, sysexit64_insn, sizeof(sysexit64_insn), 1), STOP_BUDGET);
    ck_assert_int_eq(c->mode, MODE_LONG64);
    ck_assert_uint_eq(c->cpl, 3);
    ck_assert_uint_eq(c->RIP, UINT64_C(0x00007fff00004000));
    ck_assert_uint_eq(c->gpr[GPR_RSP], UINT64_C(0x00007fff00007000));
    assert_seg(&c->seg[SEG_CS], 0x33, AR_CODE64_DPL3); /* SYSENTER_CS + 32, RPL 3 */
    assert_seg(&c->seg[SEG_SS], 0x3b, AR_STACK_DPL3);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_sysexit64_noncanonical_rdx_gp0) {
    Machine *m = long64();
    sysenter_msrs(m, 0x10, 0, 0);
    m->cpu.gpr[GPR_RCX] = 0x7000;
    m->cpu.gpr[GPR_RDX] = UINT64_C(0x0000800000000000);
    gp_assert_fault(m, gp_run(m, sysexit64_insn, sizeof(sysexit64_insn), 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cpl, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000);
    machine_destroy(m);
}
END_TEST

/* Without REX.W in 64-bit mode: compatibility mode, EIP := EDX (the upper
 * half of RDX is neither checked nor used). */
START_TEST(test_sys_sysexit32_from_64bit_to_compat) {
    Machine *m = long64();
    CpuState *c = &m->cpu;
    sysenter_msrs(m, 0x10, 0, 0);
    c->gpr[GPR_RCX] = UINT64_C(0x0000800000007000);
    c->gpr[GPR_RDX] = UINT64_C(0x0000800000004000);
    ck_assert_int_eq(gp_run(m, sysexit32_insn, sizeof(sysexit32_insn), 1), STOP_BUDGET);
    ck_assert_int_eq(c->mode, MODE_COMPAT32);
    ck_assert_uint_eq(c->RIP, 0x4000);
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0x7000);
    assert_seg(&c->seg[SEG_CS], 0x23, AR_CODE32_DPL3);
    machine_destroy(m);
}
END_TEST

/* Virtual-8086 mode over the flat 32-bit machine: every selector 0 (base
 * 0, so the code stays at GP_CODE), CPL 3. */
static void enter_v86(Machine *m) {
    static const uint16_t sel[6] = {0, 0, 0, 0, 0, 0};
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_VM | RFLAGS_IF);
    cpu_v86_load_segments(&m->cpu, sel);
    cpu_update_mode(&m->cpu);
    ck_assert_int_eq(m->cpu.mode, MODE_V86);
}

/* SDM Vol. 2 SYSENTER: it works from virtual-8086 mode (VM and IF cleared,
 * protected mode at CPL 0; decode.c decodes 0F 34 there although Zydis's
 * real-mode tables do not). */
START_TEST(test_sys_sysenter_from_v86_mode) {
    Machine *m = gp_flat32();
    CpuState *c = &m->cpu;
    enter_v86(m);
    sysenter_msrs(m, 0x08, 0x7000, 0x2000);
    ck_assert_int_eq(gp_run(m, sysenter_insn, sizeof(sysenter_insn), 1), STOP_BUDGET);
    ck_assert_int_eq(c->mode, MODE_PROT32);
    ck_assert_uint_eq(c->cpl, 0);
    ck_assert_uint_eq(c->RIP, 0x2000);
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0x7000);
    ck_assert_uint_eq(cpu_get_rflags(c), RFLAGS_FIXED1);
    assert_seg(&c->seg[SEG_CS], 0x08, AR_CODE32_DPL0);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 SYSENTER/SYSEXIT "Real-Address Mode Exceptions": #GP (CR0.PE
 * = 0); SYSEXIT "Virtual-8086 Mode Exceptions": #GP(0) (CPL 3). */
START_TEST(test_sys_sysenter_sysexit_real_and_v86_gp0) {
    Machine *m = gp_real16();
    sysenter_msrs(m, 0x08, 0x7000, 0x2000);
    gp_assert_fault(m, gp_run(m, sysenter_insn, sizeof(sysenter_insn), 1), EXC_GP, 0);
    gp_assert_fault(m, gp_run(m, sysexit32_insn, sizeof(sysexit32_insn), 1), EXC_GP, 0);
    ck_assert_int_eq(m->cpu.mode, MODE_REAL);
    machine_destroy(m);
    m = gp_flat32();
    enter_v86(m);
    sysenter_msrs(m, 0x08, 0x7000, 0x2000);
    gp_assert_fault(m, gp_run(m, sysexit32_insn, sizeof(sysexit32_insn), 1), EXC_GP, 0);
    ck_assert_int_eq(m->cpu.mode, MODE_V86);
    machine_destroy(m);
}
END_TEST

/* ---- SWAPGS ---- */

static const uint8_t swapgs_insn[] = {0x0f, 0x01, 0xf8};

START_TEST(test_sys_swapgs_exchanges_gs_base) {
    Machine *m = long64();
    m->cpu.seg[SEG_GS].base = 0x1111;
    m->cpu.msr[MSR_SLOT_IA32_KERNEL_GS_BASE] = UINT64_C(0xffff800000002222);
    ck_assert_int_eq(gp_run(m, swapgs_insn, sizeof(swapgs_insn), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.seg[SEG_GS].base, UINT64_C(0xffff800000002222));
    ck_assert_uint_eq(m->cpu.msr[MSR_SLOT_IA32_KERNEL_GS_BASE], 0x1111);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_swapgs_at_cpl3_gp0) {
    Machine *m = long64();
    enter_cpl3(m, true);
    m->cpu.seg[SEG_GS].base = 0x1111;
    m->cpu.msr[MSR_SLOT_IA32_KERNEL_GS_BASE] = 0x2222;
    gp_assert_fault(m, gp_run(m, swapgs_insn, sizeof(swapgs_insn), 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.seg[SEG_GS].base, 0x1111);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_swapgs_outside_64bit_mode_ud) {
    Machine *m = long64();
    enter_compat(m);
    gp_assert_fault(m, gp_run(m, swapgs_insn, sizeof(swapgs_insn), 1), EXC_UD, 0);
    machine_destroy(m);
    m = gp_flat32();
    gp_assert_fault(m, gp_run(m, swapgs_insn, sizeof(swapgs_insn), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

static Suite *sys_fastcall_suite(void) {
    Suite *s = suite_create("sys_fastcall");
    TCase *sc = tcase_create("syscall_sysret");
    tcase_add_test(sc, test_sys_syscall_sysret_round_trip_64bit);
    tcase_add_test(sc, test_sys_syscall_caches_fixed_not_from_gdt);
    tcase_add_test(sc, test_sys_syscall_fmask_clears_only_masked_flags);
    tcase_add_test(sc, test_sys_syscall_sce_clear_ud);
    tcase_add_test(sc, test_sys_syscall_compat_mode_ud);
    tcase_add_test(sc, test_sys_syscall_protected_mode_ud);
    tcase_add_test(sc, test_sys_syscall_without_feature_ud);
    tcase_add_test(sc, test_sys_sysret_at_cpl3_gp0);
    tcase_add_test(sc, test_sys_sysret_sce_clear_ud);
    tcase_add_test(sc, test_sys_sysret_noncanonical_rcx_gp0_at_cpl0);
    tcase_add_test(sc, test_sys_sysret32_to_compat_mode);
    tcase_add_test(sc, test_sys_sysret_rflags_from_r11_masked);
    suite_add_tcase(s, sc);
    TCase *se = tcase_create("sysenter_sysexit");
    tcase_add_test(se, test_sys_sysenter_protected_mode_from_cpl3);
    tcase_add_test(se, test_sys_sysenter_null_cs_gp0);
    tcase_add_test(se, test_sys_sysenter_ia32e_enters_64bit_mode);
    tcase_add_test(se, test_sys_sysenter_without_sep_ud);
    tcase_add_test(se, test_sys_sysexit_without_sep_ud);
    tcase_add_test(se, test_sys_sysexit32_to_cpl3);
    tcase_add_test(se, test_sys_sysexit_at_cpl3_gp0);
    tcase_add_test(se, test_sys_sysexit_null_cs_gp0);
    tcase_add_test(se, test_sys_sysexit64_to_64bit_mode);
    tcase_add_test(se, test_sys_sysexit64_noncanonical_rdx_gp0);
    tcase_add_test(se, test_sys_sysexit32_from_64bit_to_compat);
    tcase_add_test(se, test_sys_sysenter_from_v86_mode);
    tcase_add_test(se, test_sys_sysenter_sysexit_real_and_v86_gp0);
    suite_add_tcase(s, se);
    TCase *gs = tcase_create("swapgs");
    tcase_add_test(gs, test_sys_swapgs_exchanges_gs_base);
    tcase_add_test(gs, test_sys_swapgs_at_cpl3_gp0);
    tcase_add_test(gs, test_sys_swapgs_outside_64bit_mode_ud);
    suite_add_tcase(s, gs);
    return s;
}

CHECK_MAIN(sys_fastcall_suite)
