/*
 * Unit tests for sim/cpu/exec_shift.c: SHL SHR SAR ROL ROR RCL RCR SHLD SHRD.
 * Hand-computed cases from SDM Vol. 2 (undefined flags: the values in
 * docs/flags.md), plus a comparison of the SDM-defined results with the host.
 */
#include "check_main.h"
#include "handler_support.h"


/* SHL..RCR r, CL: op[0] = RAX-family, op[1] = CL. */
static DecodedInsn insn_shift_cl(InsnHandler h, unsigned size) {
    DecodedInsn d;
    memset(&d, 0, sizeof(d));
    d.handler = h;
    d.opsize = (uint8_t)size;
    d.addrsize = 8;
    d.op_count = 2;
    d.op[0] = opnd_reg(GPR_RAX, size);
    d.op[1] = opnd_reg(GPR_RCX, 1);
    return d;
}

/* SHLD/SHRD r, r, CL: op[0] = RAX-family, op[1] = RDX-family, op[2] = CL. */
static DecodedInsn insn_double_cl(InsnHandler h, unsigned size) {
    DecodedInsn d = insn_shift_cl(h, size);
    d.op_count = 3;
    d.op[1] = opnd_reg(GPR_RDX, size);
    d.op[2] = opnd_reg(GPR_RCX, 1);
    return d;
}

typedef struct ShiftCase {
    InsnHandler h;
    unsigned size;
    uint64_t v, src; /* src: SHLD/SHRD only */
    unsigned count;
    uint64_t fin;    /* arithmetic flags before */
    uint64_t want;   /* result, destination-sized */
    uint64_t wflags; /* all six arithmetic flags after */
} ShiftCase;

/* (doc) marks a value the SDM leaves undefined: the docs/flags.md choice. */
static const ShiftCase shift_cases[] = {
    /* SHL: CF = last bit out; OF (count 1) = MSB(result) ^ CF; AF = 0 (doc) */
    {exec_shl, 1, 0x40, 0, 1, AF, 0x80, OF | SF},
    {exec_shl, 1, 0xc0, 0, 1, 0, 0x80, CF | SF},
    {exec_shl, 4, 0x80000001, 0, 1, 0, 0x2, CF | OF},
    {exec_shl, 8, 1, 0, 63, 0, 0x8000000000000000, SF | PF},       /* OF = 0 (doc) */
    {exec_shl, 4, 0x40000000, 0, 33, 0, 0x80000000, OF | SF | PF}, /* count & 31 = 1 */
    {exec_shl, 8, 1, 0, 65, OF, 2, 0},                             /* count & 63 = 1 */
    {exec_shl, 8, 1, 0, 33, 0, 0x200000000, PF},
    {exec_shl, 1, 0x01, 0, 8, 0, 0, CF | ZF | PF},            /* CF = bit 0 (doc) */
    {exec_shl, 1, 0xff, 0, 9, CF, 0, ZF | PF},                /* CF = 0 (doc) */
    {exec_shl, 2, 0x8001, 0, 16, 0, 0, CF | OF | ZF | PF},    /* CF, OF (doc) */
    {exec_shl, 4, 0x40000000, 0, 2, 0, 0, CF | OF | ZF | PF}, /* OF = b31 ^ b30 (doc) */
    /* SHR: OF (count 1) = MSB(original) */
    {exec_shr, 1, 0x81, 0, 1, AF | ZF, 0x40, CF | OF},
    {exec_shr, 1, 0x01, 0, 1, 0, 0, CF | ZF | PF},
    {exec_shr, 4, 0xffffffff, 0, 4, 0, 0x0fffffff, CF | OF | PF}, /* OF (doc) */
    {exec_shr, 2, 0x8000, 0, 16, 0, 0, CF | OF | ZF | PF},        /* CF, OF (doc) */
    {exec_shr, 1, 0xff, 0, 9, 0, 0, OF | ZF | PF},                /* CF = 0 (doc) */
    {exec_shr, 8, 0x8000000000000000, 0, 63, 0, 1, OF},           /* OF (doc) */
    /* SAR: OF (count 1) = 0; CF = last bit out, the sign beyond the width */
    {exec_sar, 1, 0x81, 0, 1, OF, 0xc0, CF | SF | PF},
    {exec_sar, 1, 0x80, 0, 9, 0, 0xff, CF | SF | PF},
    {exec_sar, 8, 0x8000000000000000, 0, 63, 0, 0xffffffffffffffff, SF | PF},
    {exec_sar, 4, 0x40000000, 0, 31, 0, 0, CF | ZF | PF},
    /* ROL: CF = LSB(result); OF (count 1) = MSB(result) ^ CF; SF ZF AF PF kept */
    {exec_rol, 1, 0x81, 0, 1, SF | ZF | AF | PF, 0x03, CF | OF | SF | ZF | AF | PF},
    {exec_rol, 1, 0x40, 0, 1, 0, 0x80, OF},
    {exec_rol, 1, 0x81, 0, 8, 0, 0x81, CF | OF}, /* count & 7 = 0 but CF set; OF (doc) */
    {exec_rol, 4, 0x12345678, 0, 4, OF, 0x23456781, CF},
    {exec_rol, 8, 1, 0, 63, CF | OF, 0x8000000000000000, 0},
    /* ROR: CF = MSB(result); OF (count 1) = MSB(result) ^ MSB-1(result) */
    {exec_ror, 1, 0x01, 0, 1, 0, 0x80, CF | OF},
    {exec_ror, 1, 0x02, 0, 1, CF | OF, 0x01, 0},
    {exec_ror, 2, 0x1234, 0, 4, ZF, 0x4123, ZF},
    {exec_ror, 8, 1, 0, 1, PF, 0x8000000000000000, CF | OF | PF},
    /* RCL: through CF; 8-bit count mod 9, 16-bit mod 17 */
    {exec_rcl, 1, 0x80, 0, 1, CF, 0x01, CF | OF},
    {exec_rcl, 1, 0x40, 0, 1, 0, 0x80, OF},
    {exec_rcl, 1, 0x81, 0, 9, CF | ZF, 0x81, CF | ZF}, /* no change at all (doc) */
    {exec_rcl, 1, 0x81, 0, 10, 0, 0x02, CF | OF},      /* 10 mod 9 = 1; OF (doc) */
    {exec_rcl, 2, 0x8001, 0, 17, CF, 0x8001, CF},      /* no change at all (doc) */
    {exec_rcl, 2, 0x8001, 0, 18, 0, 0x0002, CF | OF},
    {exec_rcl, 4, 0x00000001, 0, 31, CF, 0xc0000000, 0},
    {exec_rcl, 8, 0x8000000000000000, 0, 1, 0, 0, CF | OF},
    /* RCR: OF (count 1) = MSB(DEST) ^ CF, both before */
    {exec_rcr, 1, 0x01, 0, 1, CF, 0x80, CF | OF},
    {exec_rcr, 1, 0x80, 0, 1, 0, 0x40, OF},
    {exec_rcr, 8, 0x8000000000000001, 0, 1, CF, 0xc000000000000000, CF},
    {exec_rcr, 2, 0x8001, 0, 17, OF, 0x8001, OF},       /* no change at all (doc) */
    {exec_rcr, 4, 0x80000000, 0, 32, 0, 0x80000000, 0}, /* count & 31 = 0 */
    /* SHLD: DEST:SRC << count, upper half */
    {exec_shld, 4, 0x12345678, 0x9abcdef0, 4, 0, 0x23456789, CF},
    {exec_shld, 2, 0x4000, 0x8000, 1, 0, 0x8001, OF | SF},
    {exec_shld, 8, 0x8000000000000000, 0xffffffffffffffff, 1, 0, 0x1, CF | OF},
    {exec_shld, 2, 0xa5c3, 0x9617, 16, 0, 0x9617, CF | OF | SF | PF}, /* count = size */
    {exec_shld, 2, 0xa5c3, 0x9617, 20, 0, 0x617a, CF | OF},           /* count > size (doc) */
    /* SHRD: SRC:DEST >> count, lower half */
    {exec_shrd, 4, 0x12345678, 0x9abcdef0, 4, 0, 0x01234567, CF},
    {exec_shrd, 8, 1, 1, 1, 0, 0x8000000000000000, CF | OF | SF | PF},
    {exec_shrd, 2, 0xa5c3, 0x9617, 16, 0, 0x9617, CF | SF | PF},
    {exec_shrd, 2, 0xa5c3, 0x9617, 17, 0, 0xcb0b, CF | SF}, /* count > size (doc) */
};

START_TEST(test_shift_case_matches_hand_value) {
    const ShiftCase *c = &shift_cases[_i];
    bool dbl = c->h == exec_shld || c->h == exec_shrd;
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | RFLAGS_IF | c->fin;
    cpu.gpr[GPR_RAX] = c->v;
    cpu.gpr[GPR_RCX] = c->count;
    cpu.gpr[GPR_RDX] = c->src;
    DecodedInsn d = dbl ? insn_double_cl(c->h, c->size) : insn_shift_cl(c->h, c->size);
    ck_assert_int_eq(c->h(&cpu, &d), SIM_OK);
    ck_assert_msg(cpu.gpr[GPR_RAX] == c->want, "case %d: result %#llx want %#llx", _i,
                  (unsigned long long)cpu.gpr[GPR_RAX], (unsigned long long)c->want);
    ck_assert_msg(arith(&cpu) == c->wflags, "case %d: flags %#llx want %#llx", _i,
                  (unsigned long long)arith(&cpu), (unsigned long long)c->wflags);
    ck_assert(cpu_get_rflags(&cpu) & RFLAGS_IF);
}
END_TEST

static InsnHandler const all_shifts[] = {exec_shl, exec_shr, exec_sar, exec_rol,
                                         exec_ror, exec_rcl, exec_rcr};

/* SDM: "If the count is 0, the flags are not affected" — even lazy ones. */
START_TEST(test_shift_count_zero_leaves_lazy_flags) {
    static const unsigned sizes[4] = {1, 2, 4, 8};
    for (unsigned si = 0; si < 4; si++) {
        CpuState cpu;
        cpu_setup(&cpu);
        cpu.gpr[GPR_RAX] = 0x8123456789abcdef;
        cpu.gpr[GPR_RCX] = sizes[si] == 8 ? 64 : 32;      /* masks to 0 */
        flags_set_lazy(&cpu, LAZY_SUB, 1, 0x80, 1, 0x7f); /* OF AF */
        DecodedInsn d = insn_shift_cl(all_shifts[_i], sizes[si]);
        ck_assert_int_eq(all_shifts[_i](&cpu, &d), SIM_OK);
        ck_assert_uint_eq(arith(&cpu), OF | AF);
        uint64_t want = sizes[si] == 4 ? 0x89abcdef : 0x8123456789abcdef;
        ck_assert_uint_eq(cpu.gpr[GPR_RAX], want); /* 32-bit: zero-extended (doc) */
    }
}
END_TEST

START_TEST(test_shift_double_count_zero_leaves_flags_and_value) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.rflags = 2 | CF | ZF;
    cpu.gpr[GPR_RAX] = 0x1234;
    cpu.gpr[GPR_RDX] = 0xffff;
    cpu.gpr[GPR_RCX] = 32;
    DecodedInsn d = insn_double_cl(exec_shld, 2);
    ck_assert_int_eq(exec_shld(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1234);
    ck_assert_uint_eq(arith(&cpu), CF | ZF);
    d = insn_double_cl(exec_shrd, 8);
    cpu.gpr[GPR_RCX] = 64;
    ck_assert_int_eq(exec_shrd(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x1234);
    ck_assert_uint_eq(arith(&cpu), CF | ZF);
}
END_TEST

/* OF is defined only for count 1: count 1 gives the SDM value, count 2
 * gives the documented choice (OF of the first 1-bit step). */
START_TEST(test_shift_of_count_one_defined_count_two_first_step) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x60; /* 0110 0000 */
    cpu.gpr[GPR_RCX] = 1;
    DecodedInsn d = insn_shift_cl(exec_shl, 1);
    ck_assert_int_eq(exec_shl(&cpu, &d), SIM_OK); /* 0xc0: CF 0, MSB 1 -> OF 1 */
    ck_assert(arith(&cpu) & OF);
    cpu.gpr[GPR_RAX] = 0x60;
    cpu.gpr[GPR_RCX] = 2;
    ck_assert_int_eq(exec_shl(&cpu, &d), SIM_OK); /* 0x80: b7 ^ b6 of 0x60 = 1 (doc) */
    ck_assert(arith(&cpu) & OF);
    cpu.gpr[GPR_RAX] = 0x20;
    ck_assert_int_eq(exec_shl(&cpu, &d), SIM_OK); /* 0x80: b7 ^ b6 of 0x20 = 0 (doc) */
    ck_assert(!(arith(&cpu) & OF));
}
END_TEST

START_TEST(test_shift_imm_count_operand) {
    CpuState cpu;
    cpu_setup(&cpu);
    cpu.gpr[GPR_RAX] = 0x1;
    DecodedInsn d = insn_shift_cl(exec_shl, 8);
    d.op[1].kind = OPK_IMM;
    d.op[1].reg = 0;
    d.imm = 4;
    ck_assert_int_eq(exec_shl(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x10);
}
END_TEST

/* ROL/ROR of a register by an immediate count > 1 leave OF unchanged; by
 * CL they set the first-step OF (docs/flags.md, both Intel, measured). */
START_TEST(test_shift_rol_ror_reg_imm_keeps_of) {
    static InsnHandler const rotates[2] = {exec_rol, exec_ror};
    for (unsigned r = 0; r < 2; r++) {
        for (uint64_t of_in = 0; of_in <= OF; of_in += OF) {
            CpuState cpu;
            cpu_setup(&cpu);
            cpu.rflags = 2 | of_in;
            cpu.gpr[GPR_RAX] = 0x40000001; /* first step: ROL OF 1, ROR OF 1 */
            DecodedInsn d = insn_shift_cl(rotates[r], 4);
            d.op[1].kind = OPK_IMM;
            d.imm = 3;
            ck_assert_int_eq(rotates[r](&cpu, &d), SIM_OK);
            ck_assert_uint_eq(arith(&cpu) & OF, of_in);
            cpu.rflags = 2 | of_in;
            cpu.gpr[GPR_RAX] = 0x40000001;
            cpu.gpr[GPR_RCX] = 3;
            d = insn_shift_cl(rotates[r], 4);
            ck_assert_int_eq(rotates[r](&cpu, &d), SIM_OK);
            ck_assert_uint_eq(arith(&cpu) & OF, OF);
        }
    }
}
END_TEST

START_TEST(test_shift_rotate_keeps_lazy_sf_zf_af_pf) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_SUB, 1, 0, 1, 0xff); /* CF SF AF PF */
    cpu.gpr[GPR_RAX] = 0x1;
    cpu.gpr[GPR_RCX] = 1;
    DecodedInsn d = insn_shift_cl(exec_ror, 4);
    ck_assert_int_eq(exec_ror(&cpu, &d), SIM_OK); /* 0x80000000: CF 1, OF 1 */
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 0x80000000);
    ck_assert_uint_eq(arith(&cpu), CF | OF | SF | AF | PF);
}
END_TEST

START_TEST(test_shift_rcl_uses_lazy_cf) {
    CpuState cpu;
    cpu_setup(&cpu);
    flags_set_lazy(&cpu, LAZY_ADD, 8, 0xffffffffffffffff, 1, 0); /* CF */
    cpu.gpr[GPR_RAX] = 0;
    cpu.gpr[GPR_RCX] = 1;
    DecodedInsn d = insn_shift_cl(exec_rcl, 8);
    ck_assert_int_eq(exec_rcl(&cpu, &d), SIM_OK);
    ck_assert_uint_eq(cpu.gpr[GPR_RAX], 1);
    ck_assert(!flags_cf(&cpu));
}
END_TEST

/* ---- host oracle ---- */

#define HOST_SH(insn, dst, cnt, fl)                                                                \
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" insn                       \
                     "\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"                             \
                     : [d] "+r"(dst), [f] "+r"(fl)                                                 \
                     : [c] "c"(cnt)                                                                \
                     : "cc", "memory")

typedef uint64_t (*HostShFn)(uint64_t *d, uint64_t count, uint64_t f);

#define DEF_HOST_SH_SIZE(name, sz, text)                                                              \
    static uint64_t host_##name##_##sz(uint64_t *d, uint64_t c, uint64_t f) {                      \
        HOST_SH(text, *d, c, f);                                                                   \
        return f;                                                                                  \
    }
#define DEF_HOST(name, m)                                                                          \
    DEF_HOST_SH_SIZE(name, 1, m "b %%cl, %b[d]")                                                      \
    DEF_HOST_SH_SIZE(name, 2, m "w %%cl, %w[d]")                                                      \
    DEF_HOST_SH_SIZE(name, 4, m "l %%cl, %k[d]")                                                      \
    DEF_HOST_SH_SIZE(name, 8, m "q %%cl, %q[d]")

DEF_HOST(shl, "shl")
DEF_HOST(shr, "shr")
DEF_HOST(sar, "sar")
DEF_HOST(rol, "rol")
DEF_HOST(ror, "ror")
DEF_HOST(rcl, "rcl")
DEF_HOST(rcr, "rcr")

typedef struct HostShift {
    InsnHandler h;
    bool rotate;
    HostShFn fn[4];
} HostShift;

#define HOST_FNS(name)                                                                             \
    { host_##name##_1, host_##name##_2, host_##name##_4, host_##name##_8 }

static const HostShift host_shifts[] = {
    {exec_shl, false, HOST_FNS(shl)}, {exec_shr, false, HOST_FNS(shr)},
    {exec_sar, false, HOST_FNS(sar)}, {exec_rol, true, HOST_FNS(rol)},
    {exec_ror, true, HOST_FNS(ror)},  {exec_rcl, true, HOST_FNS(rcl)},
    {exec_rcr, true, HOST_FNS(rcr)},
};

/* Flags the SDM defines for this shift/rotate and masked count. */
static uint64_t defined_flags(InsnHandler h, bool rotate, unsigned bits, unsigned masked) {
    if (masked == 0) return RFLAGS_ARITH; /* all unchanged */
    uint64_t m = rotate ? CF | SF | ZF | AF | PF : SF | ZF | PF;
    if (masked == 1) m |= OF;
    if (!rotate && (h == exec_sar || masked < bits)) m |= CF;
    return m;
}

static const uint64_t host_values[] = {
    0,
    1,
    0x7f,
    0x80,
    0x81,
    0xff,
    0x7fff,
    0x8000,
    0x8001,
    0xffff,
    0x80000000,
    0xc0000001,
    0xffffffff,
    0x8000000000000000,
    0xffffffffffffffff,
    0x0123456789abcdef,
};

/* All values, counts 0..70, CF in 0 and 1: results and defined flags equal
 * the host's. */
START_TEST(test_shift_matches_host_cpu) {
    const HostShift *h = &host_shifts[_i];
    static const unsigned sizes[4] = {1, 2, 4, 8};
    for (unsigned si = 0; si < 4; si++) {
        unsigned bits = sizes[si] * 8;
        for (size_t x = 0; x < SIM_ARRAY_SIZE(host_values); x++) {
            for (unsigned count = 0; count <= 70; count++) {
                uint64_t fin = 2 | ((count + x) & 1 ? CF | ZF : OF | PF | AF);
                uint64_t hd = host_values[x];
                uint64_t hf = h->fn[si](&hd, count, fin);
                CpuState cpu;
                cpu_setup(&cpu);
                cpu.rflags = fin;
                cpu.gpr[GPR_RAX] = host_values[x];
                cpu.gpr[GPR_RCX] = count;
                DecodedInsn d = insn_shift_cl(h->h, sizes[si]);
                ck_assert_int_eq(h->h(&cpu, &d), SIM_OK);
                unsigned masked = count & (bits == 64 ? 63 : 31);
                uint64_t m = defined_flags(h->h, h->rotate, bits, masked);
                ck_assert_msg(cpu.gpr[GPR_RAX] == hd && (arith(&cpu) & m) == (hf & m),
                              "insn %d size %u v %#llx count %u", _i, sizes[si],
                              (unsigned long long)host_values[x], count);
            }
        }
    }
}
END_TEST

#define HOST_SHD(insn, dst, src, cnt, fl)                                                          \
    __asm__ volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopfq\n\t" insn                       \
                     "\n\tpushfq\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"                             \
                     : [d] "+r"(dst), [f] "+r"(fl)                                                 \
                     : [s] "r"(src), [c] "c"(cnt)                                                  \
                     : "cc", "memory")

static uint64_t host_shld(unsigned size, uint64_t *d, uint64_t s, uint64_t c, uint64_t f) {
    if (size == 2)
        HOST_SHD("shldw %%cl, %w[s], %w[d]", *d, s, c, f);
    else if (size == 4)
        HOST_SHD("shldl %%cl, %k[s], %k[d]", *d, s, c, f);
    else
        HOST_SHD("shldq %%cl, %q[s], %q[d]", *d, s, c, f);
    return f;
}

static uint64_t host_shrd(unsigned size, uint64_t *d, uint64_t s, uint64_t c, uint64_t f) {
    if (size == 2)
        HOST_SHD("shrdw %%cl, %w[s], %w[d]", *d, s, c, f);
    else if (size == 4)
        HOST_SHD("shrdl %%cl, %k[s], %k[d]", *d, s, c, f);
    else
        HOST_SHD("shrdq %%cl, %q[s], %q[d]", *d, s, c, f);
    return f;
}

/* SHLD/SHRD for counts up to the operand size (beyond it the SDM defines
 * nothing): results, CF, SF, ZF, PF, and OF for count 1, equal the host's. */
START_TEST(test_shift_double_matches_host_cpu) {
    static const unsigned sizes[3] = {2, 4, 8};
    bool left = _i == 0;
    for (unsigned si = 0; si < 3; si++) {
        unsigned bits = sizes[si] * 8;
        for (size_t x = 0; x < SIM_ARRAY_SIZE(host_values); x++) {
            for (unsigned count = 0; count <= bits && count < 64; count++) {
                uint64_t v = host_values[x], s = host_values[SIM_ARRAY_SIZE(host_values) - 1 - x];
                uint64_t fin = 2 | (count & 1 ? CF | OF : ZF);
                uint64_t hd = v;
                uint64_t hf = left ? host_shld(sizes[si], &hd, s, count, fin)
                                   : host_shrd(sizes[si], &hd, s, count, fin);
                CpuState cpu;
                cpu_setup(&cpu);
                cpu.rflags = fin;
                cpu.gpr[GPR_RAX] = v;
                cpu.gpr[GPR_RDX] = s;
                cpu.gpr[GPR_RCX] = count;
                InsnHandler h = left ? exec_shld : exec_shrd;
                DecodedInsn d = insn_double_cl(h, sizes[si]);
                ck_assert_int_eq(h(&cpu, &d), SIM_OK);
                unsigned masked = count & (bits == 64 ? 63 : 31);
                uint64_t m =
                    masked == 0 ? RFLAGS_ARITH : CF | SF | ZF | PF | (masked == 1 ? OF : 0);
                ck_assert_msg(cpu.gpr[GPR_RAX] == hd && (arith(&cpu) & m) == (hf & m),
                              "%s size %u v %#llx count %u", left ? "shld" : "shrd", sizes[si],
                              (unsigned long long)v, count);
            }
        }
    }
}
END_TEST

static Suite *shift_suite(void) {
    Suite *s = suite_create("shift");
    TCase *tc = tcase_create("cases");
    tcase_add_loop_test(tc, test_shift_case_matches_hand_value, 0,
                        (int)SIM_ARRAY_SIZE(shift_cases));
    tcase_add_loop_test(tc, test_shift_count_zero_leaves_lazy_flags, 0,
                        (int)SIM_ARRAY_SIZE(all_shifts));
    tcase_add_test(tc, test_shift_double_count_zero_leaves_flags_and_value);
    tcase_add_test(tc, test_shift_of_count_one_defined_count_two_first_step);
    tcase_add_test(tc, test_shift_imm_count_operand);
    tcase_add_test(tc, test_shift_rol_ror_reg_imm_keeps_of);
    tcase_add_test(tc, test_shift_rotate_keeps_lazy_sf_zf_af_pf);
    tcase_add_test(tc, test_shift_rcl_uses_lazy_cf);
    suite_add_tcase(s, tc);

    tc = tcase_create("host");
    tcase_add_loop_test(tc, test_shift_matches_host_cpu, 0, (int)SIM_ARRAY_SIZE(host_shifts));
    tcase_add_loop_test(tc, test_shift_double_matches_host_cpu, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(shift_suite)
