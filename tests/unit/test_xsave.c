/*
 * x87/MMX/SSE state management run as machine code (sim/cpu/exec_xsave.c):
 * the FXSAVE image layout in both formats (SDM Vol. 2 FXSAVE Tables 3-53 and
 * 3-56), the abridged tag word both ways, FXRSTOR round trips, alignment
 * and MXCSR #GP(0), #UD/#NM, and the XSAVE feature set for XCR0 = x87|SSE
 * (SDM Vol. 1 chapter 13): XSETBV/XGETBV rules, XSAVE header handling,
 * XRSTOR's init of components and its #GP(0) checks.
 */
#include "gp_support.h"
#include "sim/cpu/sse.h"
#include "sim/mem/paging.h"

#define F(name) (UINT64_C(1) << FEAT_##name)
#define AREA 0x3000u

static const CpuModel *xsave_model(void)
{
    static const CpuModel m = {"xsave-test", "test: FPU MMX FXSR SSE SSE2 XSAVE", 0x000906a0,
                               "vmxsim test CPU",
                               F(FPU) | F(MMX) | F(FXSR) | F(SSE) | F(SSE2) | F(XSAVE)};
    return &m;
}

static Machine *xs_setup(Machine *m)
{
    m->cpu.model = xsave_model();
    m->cpu.cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
    return m;
}

static Machine *xs_flat32(void) { return xs_setup(gp_flat32()); }
static Machine *xs_long64(void) { return xs_setup(gp_long64()); }

/* 0F AE /reg with an absolute address: disp32 in legacy modes, SIB with no
 * base in 64-bit mode (ModRM 05 would be RIP-relative there). */
static size_t enc_0fae(uint8_t *buf, unsigned reg, uint32_t addr, bool long64, bool rexw)
{
    size_t n = 0;
    if (rexw)
        buf[n++] = 0x48;
    buf[n++] = 0x0f;
    buf[n++] = 0xae;
    buf[n++] = (uint8_t)((reg << 3) | (long64 ? 4 : 5));
    if (long64)
        buf[n++] = 0x25;
    memcpy(buf + n, &addr, 4);
    return n + 4;
}

enum { OP_FXSAVE = 0, OP_FXRSTOR = 1, OP_XSAVE = 4, OP_XRSTOR = 5 };

static MachineStop xs_exec(Machine *m, unsigned reg, uint32_t addr, bool rexw)
{
    uint8_t code[16];
    size_t n = enc_0fae(code, reg, addr, m->cpu.mode == MODE_LONG64, rexw);
    return gp_run(m, code, n, 1);
}

static void xs_ok(Machine *m, unsigned reg, uint32_t addr, bool rexw)
{
    ck_assert_int_eq(xs_exec(m, reg, addr, rexw), STOP_BUDGET);
}

static void xs_fault(Machine *m, unsigned reg, uint32_t addr, unsigned vector)
{
    gp_assert_fault(m, xs_exec(m, reg, addr, false), vector, 0);
}

static void fill(Machine *m, uint64_t pa, unsigned n, uint8_t byte)
{
    uint8_t buf[1024];
    memset(buf, byte, n);
    test_poke(m, pa, buf, n);
}

static bool untouched(Machine *m, uint64_t pa, unsigned n, uint8_t byte)
{
    for (unsigned i = 0; i < n; i++) {
        if (gp_peek(m, pa + i, 1) != byte)
            return false;
    }
    return true;
}

/* TOP = 2; R0 empty, R1 valid, R2 zero, R3 special (NaN), R4-R7 empty. */
static void known_state(FpuState *f)
{
    memset(f, 0, sizeof(*f));
    f->fcw = 0x027f;
    f->fsw = (2u << 11) | 0x0020;
    f->ftw = 0xff93;
    f->fop = 0x05d9;
    f->fip = 0x12345678;
    f->fcs = 0x0008;
    f->fdp = 0x9abcdef0;
    f->fds = 0x0010;
    f->mxcsr = MXCSR_RESET | MXCSR_PE;
    for (unsigned i = 0; i < 8; i++)
        f->r[i] = (X87Reg){0x1111111111111111ull * (i + 1), (uint16_t)(0x4000 + i)};
    f->r[1] = (X87Reg){0x8000000000000000ull, 0x3fff};
    f->r[2] = (X87Reg){0, 0};
    f->r[3] = (X87Reg){0xc000000000000000ull, 0x7fff};
    for (unsigned i = 0; i < 16; i++) {
        f->xmm[i][0] = 0x0101010101010101ull * i;
        f->xmm[i][1] = 0x1000 + i;
    }
}

/* ---- FXSAVE / FXRSTOR ---- */

START_TEST(test_fxsave_32bit_layout)
{
    Machine *m = xs_flat32();
    known_state(&m->cpu.fpu);
    fill(m, AREA, 512, 0xee);
    xs_ok(m, OP_FXSAVE, AREA, false);
    ck_assert_uint_eq(gp_peek(m, AREA + 0, 2), 0x027f);
    ck_assert_uint_eq(gp_peek(m, AREA + 2, 2), 0x1020);
    ck_assert_uint_eq(gp_peek(m, AREA + 4, 1), 0x0e); /* abridged: R1, R2, R3 not empty */
    ck_assert_uint_eq(gp_peek(m, AREA + 6, 2), 0x05d9);
    ck_assert_uint_eq(gp_peek(m, AREA + 8, 4), 0x12345678);
    ck_assert_uint_eq(gp_peek(m, AREA + 12, 2), 0x0008);
    ck_assert_uint_eq(gp_peek(m, AREA + 16, 4), 0x9abcdef0);
    ck_assert_uint_eq(gp_peek(m, AREA + 20, 2), 0x0010);
    ck_assert_uint_eq(gp_peek(m, AREA + 24, 4), MXCSR_RESET | MXCSR_PE);
    ck_assert_uint_eq(gp_peek(m, AREA + 28, 4), 0xffff); /* MXCSR_MASK */
    /* ST(i) is physical register (TOP + i) mod 8: slot 0 holds R2, slot 6 R0. */
    ck_assert_uint_eq(gp_peek(m, AREA + 32, 8), 0);
    ck_assert_uint_eq(gp_peek(m, AREA + 32 + 16 * 1, 8), 0xc000000000000000ull);
    ck_assert_uint_eq(gp_peek(m, AREA + 32 + 16 * 1 + 8, 2), 0x7fff);
    ck_assert_uint_eq(gp_peek(m, AREA + 32 + 16 * 6, 8), 0x1111111111111111ull);
    ck_assert_uint_eq(gp_peek(m, AREA + 32 + 16 * 6 + 8, 2), 0x4000);
    ck_assert_uint_eq(gp_peek(m, AREA + 160, 8), 0);
    ck_assert_uint_eq(gp_peek(m, AREA + 160 + 16 * 7, 8), 0x0707070707070707ull);
    ck_assert_uint_eq(gp_peek(m, AREA + 160 + 16 * 7 + 8, 8), 0x1007);
    /* XMM8-15 are not saved outside 64-bit mode; bytes 464-511 never. */
    ck_assert(untouched(m, AREA + 288, 512 - 288, 0xee));
    machine_destroy(m);
}
END_TEST

START_TEST(test_fxsave64_layout_and_default_format_in_64bit_mode)
{
    Machine *m = xs_long64();
    known_state(&m->cpu.fpu);
    m->cpu.fpu.fip = 0xffff800012345678ull;
    m->cpu.fpu.fdp = 0x00007fff9abcdef0ull;
    fill(m, AREA, 512, 0xee);
    xs_ok(m, OP_FXSAVE, AREA, true);
    ck_assert_uint_eq(gp_peek(m, AREA + 8, 8), 0xffff800012345678ull);
    ck_assert_uint_eq(gp_peek(m, AREA + 16, 8), 0x00007fff9abcdef0ull);
    ck_assert_uint_eq(gp_peek(m, AREA + 160 + 16 * 15, 8), 0x0f0f0f0f0f0f0f0full);
    ck_assert_uint_eq(gp_peek(m, AREA + 160 + 16 * 15 + 8, 8), 0x100f);
    ck_assert(untouched(m, AREA + 416, 512 - 416, 0xee));
    /* Without REX.W: the 32-bit format (FIP offset and FCS), still XMM0-15. */
    fill(m, AREA, 512, 0xee);
    xs_ok(m, OP_FXSAVE, AREA, false);
    ck_assert_uint_eq(gp_peek(m, AREA + 8, 4), 0x12345678);
    ck_assert_uint_eq(gp_peek(m, AREA + 12, 2), 0x0008);
    ck_assert_uint_eq(gp_peek(m, AREA + 160 + 16 * 15 + 8, 8), 0x100f);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 FXRSTOR: the full tag word is rebuilt from the abridged one
 * and the register contents (valid, zero, special). */
START_TEST(test_fxrstor_round_trip_rebuilds_tags)
{
    Machine *m = xs_flat32();
    FpuState want;
    known_state(&want);
    m->cpu.fpu = want;
    xs_ok(m, OP_FXSAVE, AREA, false);
    memset(&m->cpu.fpu, 0x5a, sizeof(m->cpu.fpu));
    xs_ok(m, OP_FXRSTOR, AREA, false);
    const FpuState *f = &m->cpu.fpu;
    ck_assert_uint_eq(f->fcw, want.fcw);
    ck_assert_uint_eq(f->fsw, want.fsw);
    ck_assert_uint_eq(f->ftw, 0xff93);
    ck_assert_uint_eq(f->fop, want.fop);
    ck_assert_uint_eq(f->fip, want.fip);
    ck_assert_uint_eq(f->fcs, want.fcs);
    ck_assert_uint_eq(f->fdp, want.fdp);
    ck_assert_uint_eq(f->fds, want.fds);
    ck_assert_uint_eq(f->mxcsr, want.mxcsr);
    for (unsigned i = 0; i < 8; i++) {
        ck_assert_uint_eq(f->r[i].significand, want.r[i].significand);
        ck_assert_uint_eq(f->r[i].sign_exponent, want.r[i].sign_exponent);
        ck_assert_uint_eq(f->xmm[i][0], want.xmm[i][0]);
        ck_assert_uint_eq(f->xmm[i][1], want.xmm[i][1]);
    }
    ck_assert_uint_eq(f->xmm[8][0], 0x5a5a5a5a5a5a5a5aull); /* not in the 32-bit image */
    machine_destroy(m);
}
END_TEST

/* Unnormal (J clear) and denormal registers are special (10). */
START_TEST(test_fxrstor_unnormal_and_denormal_are_special)
{
    Machine *m = xs_flat32();
    known_state(&m->cpu.fpu);
    m->cpu.fpu.fsw = 0;
    m->cpu.fpu.ftw = 0xfff0; /* R0, R1 not empty */
    m->cpu.fpu.r[0] = (X87Reg){0x4000000000000000ull, 0x3fff};
    m->cpu.fpu.r[1] = (X87Reg){0x0000000000000001ull, 0x8000};
    xs_ok(m, OP_FXSAVE, AREA, false);
    xs_ok(m, OP_FXRSTOR, AREA, false);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xfffa);
    machine_destroy(m);
}
END_TEST

START_TEST(test_fxsave_fxrstor_misaligned_raise_gp)
{
    Machine *m = xs_flat32();
    fill(m, AREA, 1024, 0xee);
    xs_fault(m, OP_FXSAVE, AREA + 8, EXC_GP);
    ck_assert(untouched(m, AREA, 1024, 0xee));
    xs_fault(m, OP_FXRSTOR, AREA + 8, EXC_GP);
    xs_ok(m, OP_FXSAVE, AREA + 16, false);
    machine_destroy(m);
}
END_TEST

START_TEST(test_fxrstor_reserved_mxcsr_raises_gp_state_unchanged)
{
    Machine *m = xs_flat32();
    known_state(&m->cpu.fpu);
    xs_ok(m, OP_FXSAVE, AREA, false);
    uint32_t bad = 0x00021f80;
    test_poke(m, AREA + 24, &bad, 4);
    m->cpu.fpu.fcw = 0x037f;
    xs_fault(m, OP_FXRSTOR, AREA, EXC_GP);
    ck_assert_uint_eq(m->cpu.fpu.fcw, 0x037f);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr, MXCSR_RESET | MXCSR_PE);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 FXSAVE: #NM with CR0.TS, #UD with CR0.EM; CR4.OSFXSR = 0 is
 * no fault (the choice: XMM and MXCSR saved anyway). */
START_TEST(test_fxsave_ts_raises_nm_em_raises_ud)
{
    Machine *m = xs_flat32();
    m->cpu.cr0 |= CR0_TS;
    xs_fault(m, OP_FXSAVE, AREA, EXC_NM);
    m->cpu.cr0 = (m->cpu.cr0 & ~CR0_TS) | CR0_EM;
    xs_fault(m, OP_FXRSTOR, AREA, EXC_UD);
    m->cpu.cr0 &= ~CR0_EM;
    m->cpu.cr4 &= ~CR4_OSFXSR;
    m->cpu.fpu.xmm[3][0] = 0x77;
    xs_ok(m, OP_FXSAVE, AREA, false);
    ck_assert_uint_eq(gp_peek(m, AREA + 160 + 16 * 3, 8), 0x77);
    machine_destroy(m);
}
END_TEST

/* The whole 512-byte area is checked before anything is written. */
START_TEST(test_fxsave_page_fault_in_last_bytes_writes_nothing)
{
    Machine *m = xs_long64();
    uint32_t at = 0x4000 - 0x1d0; /* bytes 464-511 on the next page */
    fill(m, at, 0x1d0, 0xee);
    gp_set_pte(m, 0x4000, 0);
    gp_assert_fault(m, xs_exec(m, OP_FXSAVE, at, true), EXC_PF, PF_W);
    ck_assert(untouched(m, at, 0x1d0, 0xee));
    gp_set_pte(m, 0x4000, PTE_P | PTE_W);
    xs_ok(m, OP_FXSAVE, at, true);
    machine_destroy(m);
}
END_TEST

/* ---- XSETBV / XGETBV: SDM Vol. 2, Vol. 1 13.3 ---- */

static const uint8_t XSETBV[] = {0x0f, 0x01, 0xd1};
static const uint8_t XGETBV[] = {0x0f, 0x01, 0xd0};

static MachineStop xsetbv(Machine *m, uint32_t ecx, uint32_t edx, uint32_t eax)
{
    m->cpu.gpr[GPR_RCX] = ecx;
    m->cpu.gpr[GPR_RDX] = edx;
    m->cpu.gpr[GPR_RAX] = eax;
    return gp_run(m, XSETBV, sizeof(XSETBV), 1);
}

START_TEST(test_xsetbv_osxsave_clear_raises_ud)
{
    Machine *m = xs_flat32();
    m->cpu.cr4 &= ~CR4_OSXSAVE;
    gp_assert_fault(m, xsetbv(m, 0, 0, 3), EXC_UD, 0);
    gp_assert_fault(m, gp_run(m, XGETBV, sizeof(XGETBV), 1), EXC_UD, 0);
    xs_fault(m, OP_XSAVE, AREA, EXC_UD);
    machine_destroy(m);
}
END_TEST

START_TEST(test_xsetbv_valid_values_load_xcr0)
{
    Machine *m = xs_flat32();
    ck_assert_int_eq(xsetbv(m, 0, 0, 3), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.xcr0, 3);
    m->cpu.gpr[GPR_RCX] = 0xffffffff00000000ull; /* only ECX counts */
    m->cpu.gpr[GPR_RAX] = m->cpu.gpr[GPR_RDX] = ~0ull;
    ck_assert_int_eq(gp_run(m, XGETBV, sizeof(XGETBV), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 3);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0);
    ck_assert_int_eq(xsetbv(m, 0, 0, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.xcr0, 1);
    machine_destroy(m);
}
END_TEST

/* #GP(0): bit 0 clear, a reserved bit (bit 2 and up: no AVX), EDX bits,
 * ECX other than 0. */
START_TEST(test_xsetbv_invalid_values_raise_gp)
{
    static const uint32_t bad[][3] = {{0, 0, 2}, {0, 0, 0}, {0, 0, 7}, {0, 1, 3}, {1, 0, 3}};
    Machine *m = xs_flat32();
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(bad); i++) {
        gp_assert_fault(m, xsetbv(m, bad[i][0], bad[i][1], bad[i][2]), EXC_GP, 0);
        ck_assert_uint_eq(m->cpu.xcr0, 1);
    }
    m->cpu.gpr[GPR_RCX] = 1;
    gp_assert_fault(m, gp_run(m, XGETBV, sizeof(XGETBV), 1), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_xsetbv_cpl3_raises_gp_xgetbv_allowed)
{
    Machine *m = xs_flat32();
    m->cpu.seg[SEG_CS].ar |= 3u << AR_DPL_SHIFT;
    m->cpu.seg[SEG_SS].ar |= 3u << AR_DPL_SHIFT;
    cpu_update_mode(&m->cpu);
    ck_assert_uint_eq(m->cpu.cpl, 3);
    gp_assert_fault(m, xsetbv(m, 0, 0, 3), EXC_GP, 0);
    m->cpu.gpr[GPR_RCX] = 0;
    ck_assert_int_eq(gp_run(m, XGETBV, sizeof(XGETBV), 1), STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

/* ---- XSAVE / XRSTOR: SDM Vol. 1 13.7, 13.8 ---- */

static void set_rfbm(Machine *m, uint64_t mask)
{
    m->cpu.gpr[GPR_RAX] = (uint32_t)mask;
    m->cpu.gpr[GPR_RDX] = mask >> 32;
}

START_TEST(test_xsave_misaligned_raises_gp_ts_raises_nm)
{
    Machine *m = xs_flat32();
    m->cpu.xcr0 = 3;
    set_rfbm(m, ~0ull);
    xs_fault(m, OP_XSAVE, AREA + 0x20, EXC_GP);
    xs_fault(m, OP_XRSTOR, AREA + 0x20, EXC_GP);
    m->cpu.cr0 |= CR0_TS;
    xs_fault(m, OP_XSAVE, AREA, EXC_NM);
    machine_destroy(m);
}
END_TEST

/* Only the requested components are written; in the header only
 * XSTATE_BV's RFBM bits change. */
START_TEST(test_xsave_writes_requested_components_only)
{
    Machine *m = xs_flat32();
    known_state(&m->cpu.fpu);
    m->cpu.xcr0 = 3;
    fill(m, AREA, 576, 0xee);
    uint64_t bv = 0x2ull;
    test_poke(m, AREA + 512, &bv, 8);
    set_rfbm(m, 1); /* x87 only */
    xs_ok(m, OP_XSAVE, AREA, false);
    ck_assert_uint_eq(gp_peek(m, AREA + 0, 2), 0x027f);
    ck_assert_uint_eq(gp_peek(m, AREA + 32 + 16, 8), 0xc000000000000000ull);
    ck_assert(untouched(m, AREA + 24, 8, 0xee));   /* MXCSR, MXCSR_MASK */
    ck_assert(untouched(m, AREA + 160, 352, 0xee)); /* XMM and the rest */
    ck_assert_uint_eq(gp_peek(m, AREA + 512, 8), 0x3);
    ck_assert(untouched(m, AREA + 520, 56, 0xee));
    set_rfbm(m, ~0ull);
    m->cpu.xcr0 = 1; /* RFBM = EDX:EAX AND XCR0 */
    xs_ok(m, OP_XSAVE, AREA, false);
    ck_assert(untouched(m, AREA + 160, 128, 0xee));
    m->cpu.xcr0 = 3;
    xs_ok(m, OP_XSAVE, AREA, false);
    ck_assert_uint_eq(gp_peek(m, AREA + 24, 4), MXCSR_RESET | MXCSR_PE);
    ck_assert_uint_eq(gp_peek(m, AREA + 28, 4), 0xffff);
    ck_assert_uint_eq(gp_peek(m, AREA + 160 + 16 * 7 + 8, 8), 0x1007);
    machine_destroy(m);
}
END_TEST

START_TEST(test_xrstor_round_trip_64bit)
{
    Machine *m = xs_long64();
    FpuState want;
    known_state(&want);
    m->cpu.fpu = want;
    m->cpu.xcr0 = 3;
    fill(m, AREA, 576, 0);
    set_rfbm(m, 3);
    xs_ok(m, OP_XSAVE, AREA, true);
    memset(&m->cpu.fpu, 0x5a, sizeof(m->cpu.fpu));
    xs_ok(m, OP_XRSTOR, AREA, true);
    ck_assert_uint_eq(m->cpu.fpu.fcw, want.fcw);
    ck_assert_uint_eq(m->cpu.fpu.ftw, want.ftw);
    ck_assert_uint_eq(m->cpu.fpu.fip, want.fip);
    ck_assert_uint_eq(m->cpu.fpu.mxcsr, want.mxcsr);
    ck_assert_uint_eq(m->cpu.fpu.xmm[15][1], want.xmm[15][1]);
    ck_assert_uint_eq(m->cpu.fpu.r[3].significand, want.r[3].significand);
    machine_destroy(m);
}
END_TEST

/* XSTATE_BV[i] = 0 initializes component i; MXCSR is loaded whenever
 * RFBM[1] is set; components outside RFBM are left alone. */
START_TEST(test_xrstor_initializes_components_not_in_xstate_bv)
{
    Machine *m = xs_flat32();
    known_state(&m->cpu.fpu);
    m->cpu.xcr0 = 3;
    fill(m, AREA, 576, 0);
    uint32_t mxcsr = 0x1f81;
    test_poke(m, AREA + 24, &mxcsr, 4);
    set_rfbm(m, 2); /* SSE only, XSTATE_BV = 0 */
    xs_ok(m, OP_XRSTOR, AREA, false);
    ck_assert_uint_eq(m->cpu.fpu.xmm[7][1], 0);
    ck_assert_uint_eq(m->cpu.fpu.xmm[8][1], 0x1008); /* XMM8-15 only in 64-bit mode */
    ck_assert_uint_eq(m->cpu.fpu.mxcsr, 0x1f81);
    ck_assert_uint_eq(m->cpu.fpu.fcw, 0x027f); /* x87 not requested */
    set_rfbm(m, 1);
    xs_ok(m, OP_XRSTOR, AREA, false);
    ck_assert_uint_eq(m->cpu.fpu.fcw, 0x037f);
    ck_assert_uint_eq(m->cpu.fpu.fsw, 0);
    ck_assert_uint_eq(m->cpu.fpu.ftw, 0xffff);
    ck_assert_uint_eq(m->cpu.fpu.fip, 0);
    ck_assert_uint_eq(m->cpu.fpu.r[1].significand, 0);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 1 13.8.1: #GP(0) for an XSTATE_BV bit outside XCR0, a non-zero
 * XCOMP_BV or header bytes 23:16, and a reserved MXCSR bit when MXCSR is
 * loaded; the state is unchanged. */
START_TEST(test_xrstor_header_and_mxcsr_checks)
{
    static const struct {
        unsigned offset;
        uint64_t value;
        uint64_t rfbm;
        bool faults;
    } cases[] = {
        {512, 0x4, 3, true},                     /* XSTATE_BV bit 2 */
        {512, 0x2, 3, true},                     /* XCR0 = 1 below */
        {520, 1ull << 63, 3, true},              /* compacted form */
        {528, 1, 3, true},                       /* bytes 23:16 */
        {536, 1, 3, false},                      /* bytes 63:24 are not checked */
        {24, 0x10000, 3, true},                  /* reserved MXCSR bit */
        {24, 0x10000, 1, false},                 /* MXCSR not loaded */
    };
    Machine *m = xs_flat32();
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(cases); i++) {
        known_state(&m->cpu.fpu);
        m->cpu.xcr0 = i == 1 ? 1 : 3;
        fill(m, AREA, 576, 0);
        test_poke(m, AREA + cases[i].offset, &cases[i].value, 8);
        set_rfbm(m, cases[i].rfbm);
        MachineStop st = xs_exec(m, OP_XRSTOR, AREA, false);
        if (cases[i].faults) {
            gp_assert_fault(m, st, EXC_GP, 0);
            ck_assert_uint_eq(m->cpu.fpu.fcw, 0x027f);
        } else {
            ck_assert_int_eq(st, STOP_BUDGET);
        }
    }
    machine_destroy(m);
}
END_TEST

static Suite *xsave_suite(void)
{
    Suite *s = suite_create("xsave");
    TCase *t = tcase_create("fxsave");
    tcase_add_test(t, test_fxsave_32bit_layout);
    tcase_add_test(t, test_fxsave64_layout_and_default_format_in_64bit_mode);
    tcase_add_test(t, test_fxrstor_round_trip_rebuilds_tags);
    tcase_add_test(t, test_fxrstor_unnormal_and_denormal_are_special);
    tcase_add_test(t, test_fxsave_fxrstor_misaligned_raise_gp);
    tcase_add_test(t, test_fxrstor_reserved_mxcsr_raises_gp_state_unchanged);
    tcase_add_test(t, test_fxsave_ts_raises_nm_em_raises_ud);
    tcase_add_test(t, test_fxsave_page_fault_in_last_bytes_writes_nothing);
    suite_add_tcase(s, t);
    t = tcase_create("xsetbv");
    tcase_add_test(t, test_xsetbv_osxsave_clear_raises_ud);
    tcase_add_test(t, test_xsetbv_valid_values_load_xcr0);
    tcase_add_test(t, test_xsetbv_invalid_values_raise_gp);
    tcase_add_test(t, test_xsetbv_cpl3_raises_gp_xgetbv_allowed);
    suite_add_tcase(s, t);
    t = tcase_create("xsave");
    tcase_add_test(t, test_xsave_misaligned_raises_gp_ts_raises_nm);
    tcase_add_test(t, test_xsave_writes_requested_components_only);
    tcase_add_test(t, test_xrstor_round_trip_64bit);
    tcase_add_test(t, test_xrstor_initializes_components_not_in_xstate_bv);
    tcase_add_test(t, test_xrstor_header_and_mxcsr_checks);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(xsave_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
