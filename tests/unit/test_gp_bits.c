/*
 * CMPXCHG8B/CMPXCHG16B, MOVBE, CRC32, POPCNT, LZCNT, TZCNT and BMI1/BMI2 run
 * as machine code in 64-bit mode (SDM Vol. 2, each instruction's
 * "Operation", "Flags Affected" and exceptions), the CPUID feature gating of
 * each, and a differential comparison of the register forms against the
 * host CPU: the same instruction bytes run natively (in an executable page)
 * and in the simulator, from the same registers and flags.  Rows whose
 * feature the host lacks are skipped; undefined flags are compared only on
 * a GenuineIntel host (docs/flags.md records the Intel values).
 */
#include "check_main.h"
#include <cpuid.h>
#include <sys/mman.h>

#include "gp_support.h"

/* ---- CMPXCHG8B / CMPXCHG16B ---- */

START_TEST(test_gp_cmpxchg8b_equal_stores_ecx_ebx) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0xf0, 0x0f, 0xc7, 0x0d, 0x00, 0x30, 0x00, 0x00};
    gp_poke64(m, GP_DATA, 0x1111111122222222ull);
    m->cpu.gpr[GPR_RDX] = 0x11111111;
    m->cpu.gpr[GPR_RAX] = 0x22222222;
    m->cpu.gpr[GPR_RCX] = 0x33333333;
    m->cpu.gpr[GPR_RBX] = 0x44444444;
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_SF | RFLAGS_OF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), 0x3333333344444444ull);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x22222222);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_CF | RFLAGS_SF | RFLAGS_OF | RFLAGS_ZF);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_cmpxchg8b_unequal_loads_edx_eax) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0x0f, 0xc7, 0x0d, 0x00, 0x30, 0x00, 0x00};
    gp_poke64(m, GP_DATA, 0x5555555566666666ull);
    m->cpu.gpr[GPR_RDX] = 0x11111111;
    m->cpu.gpr[GPR_RAX] = 0x22222222;
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_ZF | RFLAGS_PF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), 0x5555555566666666ull);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x55555555);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x66666666);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_PF);
    machine_destroy(m);
}
END_TEST

/* 64-bit mode: EDX:EAX loads zero-extend; on success RAX and RDX are kept. */
START_TEST(test_gp_cmpxchg8b_64bit_register_widths) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x0f, 0xc7, 0x0e}; /* cmpxchg8b [rsi] */
    gp_poke64(m, GP_DATA, 0x1111111122222222ull);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = 0xaaaaaaaa22222222ull;
    m->cpu.gpr[GPR_RDX] = 0xbbbbbbbb11111111ull;
    m->cpu.gpr[GPR_RCX] = 0xcccccccc00000007ull;
    m->cpu.gpr[GPR_RBX] = 0xdddddddd00000008ull;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), 0x0000000700000008ull);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xaaaaaaaa22222222ull);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0xbbbbbbbb11111111ull);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET); /* now unequal */
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x00000008);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x00000007);
    ck_assert(!(gp_arith(m) & RFLAGS_ZF));
    machine_destroy(m);
}
END_TEST

/* The operand is written whatever the comparison: a read-only page is a
 * #PF with W = 1 even when unequal, and nothing changes. */
START_TEST(test_gp_cmpxchg8b_read_only_page_pf_write) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x0f, 0xc7, 0x0e};
    gp_poke64(m, GP_DATA, 0x5555555566666666ull);
    gp_set_pte(m, GP_DATA, PTE_P);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = 1;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 14, 3 /* P | W */);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 1);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), 0x5555555566666666ull);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_cmpxchg16b_equal_and_unequal) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0xf0, 0x48, 0x0f, 0xc7, 0x0e}; /* lock cmpxchg16b [rsi] */
    gp_poke64(m, GP_DATA, 1);
    gp_poke64(m, GP_DATA + 8, 2);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = 1;
    m->cpu.gpr[GPR_RDX] = 2;
    m->cpu.gpr[GPR_RBX] = 0x3333333333333333ull;
    m->cpu.gpr[GPR_RCX] = 0x4444444444444444ull;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), 0x3333333333333333ull);
    ck_assert_uint_eq(gp_peek(m, GP_DATA + 8, 8), 0x4444444444444444ull);
    ck_assert(gp_arith(m) & RFLAGS_ZF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x3333333333333333ull);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0x4444444444444444ull);
    ck_assert(!(gp_arith(m) & RFLAGS_ZF));
    machine_destroy(m);
}
END_TEST

/* SDM CMPXCHG16B "64-Bit Mode Exceptions": #GP(0) for a misaligned operand
 * and for CPUID.01H:ECX.CMPXCHG16B[bit 13] = 0. */
START_TEST(test_gp_cmpxchg16b_misaligned_gp0) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x48, 0x0f, 0xc7, 0x0e};
    m->cpu.gpr[GPR_RSI] = GP_DATA + 8;
    m->cpu.gpr[GPR_RAX] = 5;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 13, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 5);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_cmpxchg16b_without_cx16_gp0) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x48, 0x0f, 0xc7, 0x0e};
    m->cpu.model = gp_model_none();
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 13, 0);
    machine_destroy(m);
}
END_TEST

/* ---- MOVBE ---- */

START_TEST(test_gp_movbe_loads_and_stores_swapped) {
    Machine *m = gp_long64();
    /* movbe eax,[rsi]; movbe ax,[rsi]; movbe [rsi+8],rcx (48 0f 38 f1 4e 08) */
    static const uint8_t code[] = {0x0f, 0x38, 0xf0, 0x06, 0x66, 0x0f, 0x38, 0xf0,
                                   0x06, 0x48, 0x0f, 0x38, 0xf1, 0x4e, 0x08};
    gp_poke64(m, GP_DATA, 0x11223344);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = UINT64_MAX;
    m->cpu.gpr[GPR_RCX] = 0x0102030405060708ull;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x44332211); /* zero-extended */
    m->cpu.gpr[GPR_RAX] = 0xffffffffffff0000ull;
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xffffffffffff4433ull); /* word: upper kept */
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, GP_DATA + 8, 8), 0x0807060504030201ull);
    machine_destroy(m);
}
END_TEST

/* ---- CRC32: the CRC-32C check value of "123456789" is E3069283H ---- */

START_TEST(test_gp_crc32_check_value) {
    Machine *m = gp_long64();
    /* crc32 eax, byte [rsi]; inc rsi; loop back */
    static const uint8_t code[] = {0xf2, 0x0f, 0x38, 0xf0, 0x06, 0x48, 0xff, 0xc6, 0xe2, 0xf6};
    test_poke(m, GP_DATA, "123456789", 9);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RCX] = 9;
    m->cpu.gpr[GPR_RAX] = 0xffffffff;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 27), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX] ^ 0xffffffffu, 0xe3069283u);
    machine_destroy(m);
}
END_TEST

/* CRC32 r64, r/m64 over "12345678" then r32, r/m8 over "9": same value, and
 * the 64-bit destination holds it zero-extended. */
START_TEST(test_gp_crc32_qword_then_byte) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0xf2, 0x48, 0x0f, 0x38, 0xf1, 0x06, /* crc32 rax,[rsi] */
                                   0xf2, 0x48, 0x0f, 0x38, 0xf0, 0x46,
                                   0x08}; /* crc32 rax,[rsi+8] */
    test_poke(m, GP_DATA, "123456789", 9);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = 0xabcdef00ffffffffull;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xe3069283u ^ 0xffffffffu);
    machine_destroy(m);
}
END_TEST

/* ---- BMI with a memory operand ---- */

START_TEST(test_gp_andn_and_bextr_memory_operand) {
    Machine *m = gp_long64();
    /* andn eax, ecx, [rsi]; bextr rdx, [rsi], rbx (c4 e2 e0 f7 16) */
    static const uint8_t code[] = {0xc4, 0xe2, 0x70, 0xf2, 0x06, 0xc4, 0xe2, 0xe0, 0xf7, 0x16};
    gp_poke64(m, GP_DATA, 0xf0f0f0f0ff00ff00ull);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RCX] = 0x0ff00ff0;
    m->cpu.gpr[GPR_RBX] = 0x0c24; /* start 36, length 12 */
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xf000f000u);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 0xf0fu);
    machine_destroy(m);
}
END_TEST

/* ---- CPUID gating ---- */

typedef struct GateCase {
    uint8_t code[6];
    unsigned len;
    unsigned vector;
} GateCase;

static const GateCase gate_cases[] = {
    {{0xf3, 0x0f, 0xb8, 0xc1}, 4, 6},             /* popcnt: POPCNT */
    {{0x0f, 0x38, 0xf0, 0x06}, 4, 6},             /* movbe: MOVBE */
    {{0xf2, 0x0f, 0x38, 0xf1, 0xc1}, 5, 6},       /* crc32: SSE4.2 */
    {{0x0f, 0xc7, 0x0e}, 3, 6},                   /* cmpxchg8b: CX8 */
    {{0x48, 0x0f, 0xc7, 0x0e}, 4, 13},            /* cmpxchg16b: CX16, #GP(0) by the SDM */
    {{0x0f, 0x01, 0xf9}, 3, 6},                   /* rdtscp: RDTSCP */
    {{0xc4, 0xe2, 0x70, 0xf2, 0xc2}, 5, 6},       /* andn: BMI1 */
    {{0xc4, 0xe2, 0x68, 0xf7, 0xc1}, 5, 6},       /* bextr */
    {{0xc4, 0xe2, 0x78, 0xf3, 0xd9}, 5, 6},       /* blsi */
    {{0xc4, 0xe2, 0x78, 0xf3, 0xd1}, 5, 6},       /* blsmsk */
    {{0xc4, 0xe2, 0x78, 0xf3, 0xc9}, 5, 6},       /* blsr */
    {{0xc4, 0xe2, 0x68, 0xf5, 0xc1}, 5, 6},       /* bzhi: BMI2 */
    {{0xc4, 0xe2, 0x73, 0xf6, 0xc3}, 5, 6},       /* mulx */
    {{0xc4, 0xe2, 0x73, 0xf5, 0xc2}, 5, 6},       /* pdep */
    {{0xc4, 0xe2, 0x72, 0xf5, 0xc2}, 5, 6},       /* pext */
    {{0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x05}, 6, 6}, /* rorx */
    {{0xc4, 0xe2, 0x6a, 0xf7, 0xc1}, 5, 6},       /* sarx */
    {{0xc4, 0xe2, 0x69, 0xf7, 0xc1}, 5, 6},       /* shlx */
    {{0xc4, 0xe2, 0x6b, 0xf7, 0xc1}, 5, 6},       /* shrx */
};

START_TEST(test_gp_gated_instruction_without_feature_faults) {
    const GateCase *c = &gate_cases[_i];
    Machine *m = gp_long64();
    m->cpu.model = gp_model_none();
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = 0x1234;
    gp_assert_fault(m, gp_run(m, c->code, c->len, 1), c->vector, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x1234);
    machine_destroy(m);
}
END_TEST

/* SDM LZCNT/TZCNT: without the feature the encoding executes as BSR/BSF. */
START_TEST(test_gp_lzcnt_without_abm_is_bsr) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0xf3, 0x0f, 0xbd, 0xc1}; /* lzcnt eax, ecx */
    m->cpu.model = gp_model_none();
    m->cpu.gpr[GPR_RCX] = 0x10;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 4);
    m->cpu.model = gp_model_all();
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 27);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_tzcnt_without_bmi1_is_bsf) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0xf3, 0x0f, 0xbc, 0xc1}; /* tzcnt eax, ecx */
    m->cpu.model = gp_model_none();
    m->cpu.gpr[GPR_RCX] = 0;
    m->cpu.gpr[GPR_RAX] = 0xffffffff00000055ull;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xffffffff00000055ull); /* BSF: DEST unchanged */
    ck_assert_uint_eq(gp_arith(m), RFLAGS_ZF | RFLAGS_PF);
    m->cpu.model = gp_model_all();
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 32);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_CF);
    machine_destroy(m);
}
END_TEST

/* ---- differential comparison with the host CPU ---- */

typedef struct HostRegs {
    uint64_t rax, rcx, rdx, rbx, rflags;
} HostRegs;

/* push rbx; push r15; mov r15, rdi; load rax, rcx, rdx, rbx, rflags from [r15] */
static const uint8_t stub_head[] = {0x53, 0x41, 0x57, 0x49, 0x89, 0xff, 0x49, 0x8b, 0x07,
                                    0x49, 0x8b, 0x4f, 0x08, 0x49, 0x8b, 0x57, 0x10, 0x49,
                                    0x8b, 0x5f, 0x18, 0x41, 0xff, 0x77, 0x20, 0x9d};
/* pushfq; store rflags, rax, rcx, rdx, rbx to [r15]; pop r15; pop rbx; ret */
static const uint8_t stub_tail[] = {0x9c, 0x41, 0x8f, 0x47, 0x20, 0x49, 0x89, 0x07,
                                    0x49, 0x89, 0x4f, 0x08, 0x49, 0x89, 0x57, 0x10,
                                    0x49, 0x89, 0x5f, 0x18, 0x41, 0x5f, 0x5b, 0xc3};

typedef struct DiffCase {
    const char *name;
    uint8_t code[6];
    unsigned len;
    CpuFeature feature;
    uint64_t defined; /* flags the SDM defines (written or unaffected) */
} DiffCase;

#define ALL RFLAGS_ARITH
#define CZ (RFLAGS_CF | RFLAGS_ZF)
#define SZCO (RFLAGS_SF | RFLAGS_ZF | RFLAGS_CF | RFLAGS_OF)
#define ZCO (RFLAGS_ZF | RFLAGS_CF | RFLAGS_OF)

static const DiffCase diff_cases[] = {
    {"popcnt ax,cx", {0x66, 0xf3, 0x0f, 0xb8, 0xc1}, 5, FEAT_POPCNT, ALL},
    {"popcnt eax,ecx", {0xf3, 0x0f, 0xb8, 0xc1}, 4, FEAT_POPCNT, ALL},
    {"popcnt rax,rcx", {0xf3, 0x48, 0x0f, 0xb8, 0xc1}, 5, FEAT_POPCNT, ALL},
    {"lzcnt ax,cx", {0x66, 0xf3, 0x0f, 0xbd, 0xc1}, 5, FEAT_ABM, CZ},
    {"lzcnt eax,ecx", {0xf3, 0x0f, 0xbd, 0xc1}, 4, FEAT_ABM, CZ},
    {"lzcnt rax,rcx", {0xf3, 0x48, 0x0f, 0xbd, 0xc1}, 5, FEAT_ABM, CZ},
    {"tzcnt ax,cx", {0x66, 0xf3, 0x0f, 0xbc, 0xc1}, 5, FEAT_BMI1, CZ},
    {"tzcnt eax,ecx", {0xf3, 0x0f, 0xbc, 0xc1}, 4, FEAT_BMI1, CZ},
    {"tzcnt rax,rcx", {0xf3, 0x48, 0x0f, 0xbc, 0xc1}, 5, FEAT_BMI1, CZ},
    {"crc32 eax,cl", {0xf2, 0x0f, 0x38, 0xf0, 0xc1}, 5, FEAT_SSE42, ALL},
    {"crc32 eax,ch", {0xf2, 0x0f, 0x38, 0xf0, 0xc5}, 5, FEAT_SSE42, ALL},
    {"crc32 eax,cx", {0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xc1}, 6, FEAT_SSE42, ALL},
    {"crc32 eax,ecx", {0xf2, 0x0f, 0x38, 0xf1, 0xc1}, 5, FEAT_SSE42, ALL},
    {"crc32 rax,cl", {0xf2, 0x48, 0x0f, 0x38, 0xf0, 0xc1}, 6, FEAT_SSE42, ALL},
    {"crc32 rax,rcx", {0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc1}, 6, FEAT_SSE42, ALL},
    {"andn eax,ecx,edx", {0xc4, 0xe2, 0x70, 0xf2, 0xc2}, 5, FEAT_BMI1, SZCO},
    {"andn rax,rcx,rdx", {0xc4, 0xe2, 0xf0, 0xf2, 0xc2}, 5, FEAT_BMI1, SZCO},
    {"bextr eax,ecx,edx", {0xc4, 0xe2, 0x68, 0xf7, 0xc1}, 5, FEAT_BMI1, ZCO},
    {"bextr rax,rcx,rdx", {0xc4, 0xe2, 0xe8, 0xf7, 0xc1}, 5, FEAT_BMI1, ZCO},
    {"blsi eax,ecx", {0xc4, 0xe2, 0x78, 0xf3, 0xd9}, 5, FEAT_BMI1, SZCO},
    {"blsi rax,rcx", {0xc4, 0xe2, 0xf8, 0xf3, 0xd9}, 5, FEAT_BMI1, SZCO},
    {"blsmsk eax,ecx", {0xc4, 0xe2, 0x78, 0xf3, 0xd1}, 5, FEAT_BMI1, SZCO},
    {"blsmsk rax,rcx", {0xc4, 0xe2, 0xf8, 0xf3, 0xd1}, 5, FEAT_BMI1, SZCO},
    {"blsr eax,ecx", {0xc4, 0xe2, 0x78, 0xf3, 0xc9}, 5, FEAT_BMI1, SZCO},
    {"blsr rax,rcx", {0xc4, 0xe2, 0xf8, 0xf3, 0xc9}, 5, FEAT_BMI1, SZCO},
    {"bzhi eax,ecx,edx", {0xc4, 0xe2, 0x68, 0xf5, 0xc1}, 5, FEAT_BMI2, SZCO},
    {"bzhi rax,rcx,rdx", {0xc4, 0xe2, 0xe8, 0xf5, 0xc1}, 5, FEAT_BMI2, SZCO},
    {"mulx eax,ecx,ebx", {0xc4, 0xe2, 0x73, 0xf6, 0xc3}, 5, FEAT_BMI2, ALL},
    {"mulx rax,rcx,rbx", {0xc4, 0xe2, 0xf3, 0xf6, 0xc3}, 5, FEAT_BMI2, ALL},
    {"mulx rax,rax,rbx", {0xc4, 0xe2, 0xfb, 0xf6, 0xc3}, 5, FEAT_BMI2, ALL},
    {"pdep eax,ecx,edx", {0xc4, 0xe2, 0x73, 0xf5, 0xc2}, 5, FEAT_BMI2, ALL},
    {"pdep rax,rcx,rdx", {0xc4, 0xe2, 0xf3, 0xf5, 0xc2}, 5, FEAT_BMI2, ALL},
    {"pext eax,ecx,edx", {0xc4, 0xe2, 0x72, 0xf5, 0xc2}, 5, FEAT_BMI2, ALL},
    {"pext rax,rcx,rdx", {0xc4, 0xe2, 0xf2, 0xf5, 0xc2}, 5, FEAT_BMI2, ALL},
    {"rorx eax,ecx,5", {0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x05}, 6, FEAT_BMI2, ALL},
    {"rorx rax,rcx,45", {0xc4, 0xe3, 0xfb, 0xf0, 0xc1, 0x2d}, 6, FEAT_BMI2, ALL},
    {"rorx eax,ecx,0", {0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x00}, 6, FEAT_BMI2, ALL},
    {"sarx eax,ecx,edx", {0xc4, 0xe2, 0x6a, 0xf7, 0xc1}, 5, FEAT_BMI2, ALL},
    {"sarx rax,rcx,rdx", {0xc4, 0xe2, 0xea, 0xf7, 0xc1}, 5, FEAT_BMI2, ALL},
    {"shlx eax,ecx,edx", {0xc4, 0xe2, 0x69, 0xf7, 0xc1}, 5, FEAT_BMI2, ALL},
    {"shlx rax,rcx,rdx", {0xc4, 0xe2, 0xe9, 0xf7, 0xc1}, 5, FEAT_BMI2, ALL},
    {"shrx eax,ecx,edx", {0xc4, 0xe2, 0x6b, 0xf7, 0xc1}, 5, FEAT_BMI2, ALL},
    {"shrx rax,rcx,rdx", {0xc4, 0xe2, 0xeb, 0xf7, 0xc1}, 5, FEAT_BMI2, ALL},
};

enum { EAX, EBX, ECX, EDX };

/* The host has the feature: the CPUID bit cpu_features.def names for it. */
static bool host_has(CpuFeature f) {
    static const struct {
        uint32_t leaf, subleaf, reg, bit;
    } where[FEAT_COUNT] = {
#define X(name, l, sl, r, b) [FEAT_##name] = {l, sl, r, b},
#include "sim/cpu/cpu_features.def"
#undef X
    };
    unsigned r[4];
    if (!__get_cpuid_count(where[f].leaf, where[f].subleaf, &r[0], &r[1], &r[2], &r[3]))
        return false;
    return (r[where[f].reg] >> where[f].bit) & 1;
}

static bool host_is_intel(void) {
    unsigned a, b, c, d;
    return __get_cpuid(0, &a, &b, &c, &d) && b == 0x756e6547u && d == 0x49656e69u &&
           c == 0x6c65746eu;
}

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random operands biased towards the edges: 0, single bits, all-ones, short
 * values (BEXTR/BZHI controls and shift counts). */
static uint64_t rng_operand(uint64_t *s) {
    uint64_t v = rng_next(s);
    switch (v & 7) {
    case 0:
        return 0;
    case 1:
        return UINT64_C(1) << (rng_next(s) & 63);
    case 2:
        return UINT64_MAX >> (rng_next(s) & 63);
    case 3:
        return rng_next(s) & 0x4f4f;
    case 4:
        return rng_next(s) & 0xffffffffu;
    default:
        return rng_next(s);
    }
}

typedef void (*HostFn)(HostRegs *r);

static HostFn host_stub(void *page, const DiffCase *c) {
    uint8_t *p = page;
    memcpy(p, stub_head, sizeof(stub_head));
    memcpy(p + sizeof(stub_head), c->code, c->len);
    memcpy(p + sizeof(stub_head) + c->len, stub_tail, sizeof(stub_tail));
    union {
        void *data;
        HostFn fn;
    } u = {page};
    return u.fn;
}

static void sim_run(Machine *m, HostRegs *r) {
    CpuState *c = &m->cpu;
    c->gpr[GPR_RAX] = r->rax;
    c->gpr[GPR_RCX] = r->rcx;
    c->gpr[GPR_RDX] = r->rdx;
    c->gpr[GPR_RBX] = r->rbx;
    cpu_set_rflags(c, r->rflags);
    c->RIP = GP_CODE;
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    *r = (HostRegs){c->gpr[GPR_RAX], c->gpr[GPR_RCX], c->gpr[GPR_RDX], c->gpr[GPR_RBX],
                    cpu_get_rflags(c)};
}

START_TEST(test_gp_register_form_matches_host) {
    const DiffCase *c = &diff_cases[_i];
    if (!host_has(c->feature)) return; /* the host cannot be the oracle for this row */
    uint64_t compare = host_is_intel() ? RFLAGS_ARITH : c->defined;
    void *page =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(page != MAP_FAILED);
    HostFn host = host_stub(page, c);
    Machine *m = gp_long64();
    test_poke(m, GP_CODE, c->code, c->len);
    uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)_i;
    for (int i = 0; i < 3000; i++) {
        uint64_t flags = RFLAGS_FIXED1 | (rng_next(&seed) & RFLAGS_ARITH);
        HostRegs in = {rng_operand(&seed), rng_operand(&seed), rng_operand(&seed),
                       rng_operand(&seed), flags};
        HostRegs hw = in, sim = in;
        host(&hw);
        sim_run(m, &sim);
        ck_assert_msg(
            hw.rax == sim.rax && hw.rcx == sim.rcx && hw.rdx == sim.rdx && hw.rbx == sim.rbx,
            "%s: in rax %#llx rcx %#llx rdx %#llx rbx %#llx: host rax %#llx rcx %#llx, "
            "sim rax %#llx rcx %#llx",
            c->name, (unsigned long long)in.rax, (unsigned long long)in.rcx,
            (unsigned long long)in.rdx, (unsigned long long)in.rbx, (unsigned long long)hw.rax,
            (unsigned long long)hw.rcx, (unsigned long long)sim.rax, (unsigned long long)sim.rcx);
        ck_assert_msg((hw.rflags & compare) == (sim.rflags & compare),
                      "%s: in rcx %#llx rdx %#llx flags %#llx: host flags %#llx sim %#llx", c->name,
                      (unsigned long long)in.rcx, (unsigned long long)in.rdx,
                      (unsigned long long)flags, (unsigned long long)(hw.rflags & RFLAGS_ARITH),
                      (unsigned long long)(sim.rflags & RFLAGS_ARITH));
    }
    machine_destroy(m);
    munmap(page, 4096);
}
END_TEST

static Suite *gp_bits_suite(void) {
    Suite *s = suite_create("gp_bits");
    TCase *cx = tcase_create("cmpxchg8b_16b");
    tcase_add_test(cx, test_gp_cmpxchg8b_equal_stores_ecx_ebx);
    tcase_add_test(cx, test_gp_cmpxchg8b_unequal_loads_edx_eax);
    tcase_add_test(cx, test_gp_cmpxchg8b_64bit_register_widths);
    tcase_add_test(cx, test_gp_cmpxchg8b_read_only_page_pf_write);
    tcase_add_test(cx, test_gp_cmpxchg16b_equal_and_unequal);
    tcase_add_test(cx, test_gp_cmpxchg16b_misaligned_gp0);
    tcase_add_test(cx, test_gp_cmpxchg16b_without_cx16_gp0);
    suite_add_tcase(s, cx);
    TCase *data = tcase_create("movbe_crc32_bmi_memory");
    tcase_add_test(data, test_gp_movbe_loads_and_stores_swapped);
    tcase_add_test(data, test_gp_crc32_check_value);
    tcase_add_test(data, test_gp_crc32_qword_then_byte);
    tcase_add_test(data, test_gp_andn_and_bextr_memory_operand);
    suite_add_tcase(s, data);
    TCase *gate = tcase_create("cpuid_gating");
    tcase_add_loop_test(gate, test_gp_gated_instruction_without_feature_faults, 0,
                        (int)SIM_ARRAY_SIZE(gate_cases));
    tcase_add_test(gate, test_gp_lzcnt_without_abm_is_bsr);
    tcase_add_test(gate, test_gp_tzcnt_without_bmi1_is_bsf);
    suite_add_tcase(s, gate);
    TCase *host = tcase_create("host_oracle");
    tcase_add_loop_test(host, test_gp_register_form_matches_host, 0,
                        (int)SIM_ARRAY_SIZE(diff_cases));
    suite_add_tcase(s, host);
    return s;
}

CHECK_MAIN(gp_bits_suite)
