/*
 * Legacy general-purpose instructions run as machine code on a Machine:
 * DAA DAS AAA AAS AAM AAD, ENTER, PUSHA/PUSHAD/POPA/POPAD, BOUND, INTO, XLAT,
 * LDS LES LFS LGS LSS, INS/OUTS with REP, RDTSCP (SDM Vol. 2, each
 * instruction's "Operation", "Flags Affected" and exception lists).
 * Undefined flags follow docs/flags.md; cases that pin such a value are
 * marked (doc).
 */
#include "check_main.h"
#include "gp_support.h"

#define CF RFLAGS_CF
#define PF RFLAGS_PF
#define AF RFLAGS_AF
#define ZF RFLAGS_ZF
#define SF RFLAGS_SF
#define OF RFLAGS_OF

/* ---- DAA DAS AAA AAS AAM AAD (32-bit protected mode) ---- */

typedef struct BcdCase {
    uint8_t code[2];
    uint16_t ax_in;
    uint64_t flags_in;
    uint16_t ax_out;
    uint64_t flags_out;
} BcdCase;

static const BcdCase bcd_cases[] = {
    /* DAA: SDM example ADD 79H+35H = AEH -> 14H with CF AF */
    {{0x27, 0x90}, 0x00ae, 0, 0x0014, CF | AF | PF},
    {{0x27, 0x90}, 0x009a, 0, 0x0000, CF | AF | ZF | PF},
    {{0x27, 0x90}, 0x0012, CF | AF | OF, 0x0078, CF | AF | PF}, /* OF := 0 (doc) */
    {{0x27, 0x90}, 0x0045, OF | SF | ZF, 0x0045, 0},
    /* DAS: SDM example SUB 35H-47H = EEH -> 88H with CF AF */
    {{0x2f, 0x90}, 0x00ee, SF | AF | PF | CF, 0x0088, SF | AF | PF | CF},
    {{0x2f, 0x90}, 0x0003, AF, 0x00fd, CF | AF | SF}, /* CF := borrow of AL - 6 */
    {{0x2f, 0x90}, 0x009a, OF, 0x0034, CF | AF},
    /* AAA: AX := AX + 106H, so a carry out of AL reaches AH (SDM Operation) */
    {{0x37, 0x90}, 0x000f, 0, 0x0105, CF | AF | PF},
    {{0x37, 0x90}, 0x00fa, 0, 0x0200, CF | AF | ZF | PF}, /* ZF PF of AL (doc) */
    {{0x37, 0x90}, 0x0105, OF | SF, 0x0105, PF},          /* OF SF := 0 (doc) */
    /* AAS: AX := AX - 6; AH := AH - 1 */
    {{0x3f, 0x90}, 0x02ff, 0, 0x0109, CF | AF | PF},
    {{0x3f, 0x90}, 0x0203, AF, 0x000d, CF | AF}, /* the borrow of AL - 6 reaches AH */
    {{0x3f, 0x90}, 0x0309, CF | ZF, 0x0309, PF},
    /* AAM imm8: AH := AL / imm8; AL := AL MOD imm8; OF AF CF := 0 (doc) */
    {{0xd4, 0x0a}, 0x004f, CF | AF | OF, 0x0709, PF},
    {{0xd4, 0x07}, 0x12ff, 0, 0x2403, PF},
    {{0xd4, 0x10}, 0x0000, 0, 0x0000, ZF | PF},
    /* AAD imm8: AL := AL + AH * imm8; AH := 0 */
    {{0xd5, 0x0a}, 0x0709, CF | OF, 0x004f, 0},
    {{0xd5, 0xff}, 0xffff, 0, 0x0000, CF | AF | ZF | PF}, /* OF AF CF of FFH + 01H (doc) */
    {{0xd5, 0x00}, 0x1280, 0, 0x0080, SF},
};

START_TEST(test_gp_bcd_case_matches_sdm_operation) {
    const BcdCase *c = &bcd_cases[_i];
    Machine *m = gp_flat32();
    m->cpu.gpr[GPR_RAX] = 0xdead0000u | c->ax_in;
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | c->flags_in);
    ck_assert_int_eq(gp_run(m, c->code, sizeof(c->code), 1), STOP_BUDGET);
    ck_assert_msg(m->cpu.gpr[GPR_RAX] == (0xdead0000u | c->ax_out), "case %d: eax %#llx", _i,
                  (unsigned long long)m->cpu.gpr[GPR_RAX]);
    ck_assert_msg(gp_arith(m) == c->flags_out, "case %d: flags %#llx", _i,
                  (unsigned long long)gp_arith(m));
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_aam_zero_divisor_raises_de_state_unchanged) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0xd4, 0x00};
    m->cpu.gpr[GPR_RAX] = 0x1234;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 0 /* #DE */, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x1234);
    machine_destroy(m);
}
END_TEST

/* SDM: DAA, DAS, AAA, AAS, AAM, AAD are #UD in 64-bit mode. */
static const uint8_t bcd_opcodes[][2] = {{0x27, 0x90}, {0x2f, 0x90}, {0x37, 0x90},
                                         {0x3f, 0x90}, {0xd4, 0x0a}, {0xd5, 0x0a}};

START_TEST(test_gp_bcd_in_64bit_mode_ud) {
    Machine *m = gp_long64();
    gp_assert_fault(m, gp_run(m, bcd_opcodes[_i], 2, 1), 6, 0);
    machine_destroy(m);
}
END_TEST

/* ---- ENTER ---- */

START_TEST(test_gp_enter_level0_pushes_ebp_and_allocates) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0xc8, 0x10, 0x00, 0x00}; /* enter 16, 0 */
    m->cpu.gpr[GPR_RBP] = 0x1234;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, 0x7ffc, 4), 0x1234);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], 0x7ffc);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7ffc - 16);
    machine_destroy(m);
}
END_TEST

/* Level 3: two frame pointers copied from [EBP-4], [EBP-8], then FrameTemp. */
START_TEST(test_gp_enter_level3_copies_display) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0xc8, 0x08, 0x00, 0x03}; /* enter 8, 3 */
    uint32_t outer[2] = {0xbbbb0002, 0xaaaa0001};           /* at 0x6ff8, 0x6ffc */
    test_poke(m, 0x6ff8, outer, sizeof(outer));
    m->cpu.gpr[GPR_RBP] = 0x7000;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, 0x7ffc, 4), 0x7000);
    ck_assert_uint_eq(gp_peek(m, 0x7ff8, 4), 0xaaaa0001);
    ck_assert_uint_eq(gp_peek(m, 0x7ff4, 4), 0xbbbb0002);
    ck_assert_uint_eq(gp_peek(m, 0x7ff0, 4), 0x7ffc);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], 0x7ffc);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7ff0 - 8);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_enter_level_taken_mod_32) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0xc8, 0x00, 0x00, 0x21}; /* enter 0, 33 = level 1 */
    m->cpu.gpr[GPR_RBP] = 0x5000;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, 0x7ffc, 4), 0x5000);
    ck_assert_uint_eq(gp_peek(m, 0x7ff8, 4), 0x7ffc);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7ff8);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], 0x7ffc);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_enter_64bit_quadword_frames) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0xc8, 0x20, 0x00, 0x02}; /* enter 0x20, 2 */
    gp_poke64(m, 0x6ff8, 0x1122334455667788ull);
    m->cpu.gpr[GPR_RBP] = 0x7000;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, 0x7ff8, 8), 0x7000);
    ck_assert_uint_eq(gp_peek(m, 0x7ff0, 8), 0x1122334455667788ull);
    ck_assert_uint_eq(gp_peek(m, 0x7fe8, 8), 0x7ff8);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], 0x7ff8);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7fe8 - 0x20);
    machine_destroy(m);
}
END_TEST

/* 66H in 64-bit mode: word pushes; only BP receives FrameTemp[15:0]. */
START_TEST(test_gp_enter_64bit_opsize16_writes_bp_only) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x66, 0xc8, 0x04, 0x00, 0x01}; /* enter 4, 1 (o16) */
    m->cpu.gpr[GPR_RBP] = 0x1234000000005678ull;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, 0x7ffe, 2), 0x5678);
    ck_assert_uint_eq(gp_peek(m, 0x7ffc, 2), 0x7ffe);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7ffc - 4);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], 0x1234000000007ffeull);
    machine_destroy(m);
}
END_TEST

/* 16-bit stack in real-address mode: SP and BP wrap at 16 bits, the upper
 * halves of ESP and EBP are kept. */
START_TEST(test_gp_enter_real_mode_16bit_frames) {
    Machine *m = gp_real16();
    static const uint8_t code[] = {0xc8, 0x06, 0x00, 0x02}; /* enter 6, 2 */
    uint16_t outer = 0xbeef;
    test_poke(m, 0x6ffe, &outer, 2);
    m->cpu.gpr[GPR_RSP] = 0x00ab8000;
    m->cpu.gpr[GPR_RBP] = 0x00cd7000;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, 0x7ffe, 2), 0x7000);
    ck_assert_uint_eq(gp_peek(m, 0x7ffc, 2), 0xbeef);
    ck_assert_uint_eq(gp_peek(m, 0x7ffa, 2), 0x7ffe);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x00ab7ff4);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], 0x00cd7ffe);
    machine_destroy(m);
}
END_TEST

/* SDM ENTER: #PF "if a write using the final value of the stack pointer
 * would cause a page fault"; RSP and RBP keep their values. */
START_TEST(test_gp_enter_final_rsp_not_present_pf_state_unchanged) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0xc8, 0x00, 0x10, 0x00}; /* enter 0x1000, 0 */
    gp_set_pte(m, 0x7000, 0);
    m->cpu.gpr[GPR_RSP] = 0x8800;
    m->cpu.gpr[GPR_RBP] = 0x4444;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 14, 2 /* W, not present */);
    ck_assert_uint_eq(m->cpu.fault.address, 0x77f8);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8800);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], 0x4444);
    machine_destroy(m);
}
END_TEST

/* ---- PUSHA / POPA ---- */

static void set_eight(Machine *m) {
    static const uint8_t regs[] = {GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RBP, GPR_RSI, GPR_RDI};
    for (unsigned i = 0; i < sizeof(regs); i++)
        m->cpu.gpr[regs[i]] = 0x11110000u * (i + 1) + 0x100 + i;
}

START_TEST(test_gp_pushad_popad_round_trip) {
    Machine *m = gp_flat32();
    /* pushad; xor eax,eax; xor ecx,ecx; xor edx,edx; xor ebx,ebx; xor ebp,ebp;
     * xor esi,esi; xor edi,edi; popad */
    static const uint8_t code[] = {0x60, 0x31, 0xc0, 0x31, 0xc9, 0x31, 0xd2, 0x31,
                                   0xdb, 0x31, 0xed, 0x31, 0xf6, 0x31, 0xff, 0x61};
    set_eight(m);
    CpuState saved = m->cpu;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000 - 32);
    ck_assert_uint_eq(gp_peek(m, 0x7ffc, 4), saved.gpr[GPR_RAX]);
    ck_assert_uint_eq(gp_peek(m, 0x7fec, 4), 0x8000); /* the original ESP */
    ck_assert_uint_eq(gp_peek(m, 0x7fe0, 4), saved.gpr[GPR_RDI]);
    ck_assert_int_eq(machine_run(m, 8), STOP_BUDGET);
    for (unsigned r = GPR_RAX; r <= GPR_RDI; r++)
        ck_assert_uint_eq(m->cpu.gpr[r], saved.gpr[r]);
    machine_destroy(m);
}
END_TEST

/* 66H: PUSHA/POPA move words; POPA keeps the upper halves and skips SP. */
START_TEST(test_gp_pusha_popa_16bit_words) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0x66, 0x60, 0x66, 0x61};
    uint16_t image[8] = {0x0707, 0x0606, 0x0505, 0x0404, 0x0303, 0x0202, 0x0101, 0x0000};
    set_eight(m);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000 - 16);
    ck_assert_uint_eq(gp_peek(m, 0x7ffe, 2), (uint16_t)m->cpu.gpr[GPR_RAX]);
    ck_assert_uint_eq(gp_peek(m, 0x7ff6, 2), 0x8000);
    test_poke(m, 0x7ff0, image, sizeof(image));
    uint64_t eax = m->cpu.gpr[GPR_RAX], edi = m->cpu.gpr[GPR_RDI], ebp = m->cpu.gpr[GPR_RBP];
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], eax & ~0xffffull);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], (edi & ~0xffffull) | 0x0707);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], (ebp & ~0xffffull) | 0x0505);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000);
    machine_destroy(m);
}
END_TEST

/* POPAD whose EAX slot is beyond the SS limit: the registers popped before
 * it (EDI, ESI, EBP, EBX, EDX, ECX) hold their new values, EAX and ESP do
 * not change (the Intel core's behaviour: exec_pusha.c). */
START_TEST(test_gp_popad_fault_keeps_registers_popped_before) {
    Machine *m = gp_flat32();
    static const uint8_t popad[] = {0x61};
    uint32_t image[7] = {0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}; /* EDI .. ECX */
    test_poke(m, 0x7000, image, sizeof(image));
    set_eight(m);
    uint64_t eax = m->cpu.gpr[GPR_RAX];
    m->cpu.gpr[GPR_RSP] = 0x7000;
    m->cpu.seg[SEG_SS].limit = 0x7000 + 28 - 1; /* the EAX slot is outside */
    m->cpu.seg[SEG_SS].ar &= ~(uint32_t)AR_G;
    gp_assert_fault(m, gp_run(m, popad, sizeof(popad), 1), 12 /* #SS */, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], 0x77);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBP], 0x55);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0x11);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], eax);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7000);
    m->cpu.seg[SEG_SS].limit = 0x7000 + 32 - 1; /* the whole frame inside: EAX popped */
    ck_assert_int_eq(gp_run(m, popad, sizeof(popad), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7000 + 32);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_pusha_in_64bit_mode_ud) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x60};
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 6, 0);
    machine_destroy(m);
}
END_TEST

/* ---- BOUND ---- */

typedef struct BoundCase {
    uint8_t code[7];
    uint32_t index;
    bool in_range;
} BoundCase;

/* Bounds at GP_DATA: dwords -2 and 5, or words 0xfffe (-2) and 5. */
static const BoundCase bound_cases[] = {
    {{0x62, 0x05, 0x00, 0x30, 0x00, 0x00, 0x90}, 5, true},
    {{0x62, 0x05, 0x00, 0x30, 0x00, 0x00, 0x90}, 6, false},
    {{0x62, 0x05, 0x00, 0x30, 0x00, 0x00, 0x90}, 0xfffffffe, true},
    {{0x62, 0x05, 0x00, 0x30, 0x00, 0x00, 0x90}, 0xfffffffd, false},
    {{0x66, 0x62, 0x05, 0x00, 0x30, 0x00, 0x00}, 0xabcd0005, true}, /* index AX = 5 */
    {{0x66, 0x62, 0x05, 0x00, 0x30, 0x00, 0x00}, 0x0000fffe, true}, /* -2 */
    {{0x66, 0x62, 0x05, 0x00, 0x30, 0x00, 0x00}, 0x00000006, false},
};

START_TEST(test_gp_bound_case_signed_inclusive) {
    const BoundCase *c = &bound_cases[_i];
    Machine *m = gp_flat32();
    bool word = c->code[0] == 0x66;
    if (word) {
        uint16_t b[2] = {0xfffe, 5};
        test_poke(m, GP_DATA, b, sizeof(b));
    } else {
        uint32_t b[2] = {0xfffffffe, 5};
        test_poke(m, GP_DATA, b, sizeof(b));
    }
    m->cpu.gpr[GPR_RAX] = c->index;
    MachineStop st = gp_run(m, c->code, word ? 7 : 6, 1);
    if (c->in_range)
        ck_assert_int_eq(st, STOP_BUDGET);
    else
        gp_assert_fault(m, st, 5 /* #BR */, 0);
    machine_destroy(m);
}
END_TEST

/* An index below the lower bound is #BR before the upper bound is read:
 * here the upper bound is beyond the DS limit, which is #GP(0) only for an
 * index that passes the lower bound (the Intel core's order: exec_bound.c). */
START_TEST(test_gp_bound_lower_bound_checked_before_upper_read) {
    static const uint8_t bound[] = {0x62, 0x05, 0x00, 0x30, 0x00, 0x00}; /* bound eax, [0x3000] */
    for (unsigned below = 0; below < 2; below++) {
        Machine *m = gp_flat32();
        uint32_t lower = 10;
        test_poke(m, GP_DATA, &lower, sizeof(lower));
        m->cpu.seg[SEG_DS].limit = GP_DATA + 3;
        m->cpu.seg[SEG_DS].ar &= ~(uint32_t)AR_G;
        m->cpu.gpr[GPR_RAX] = below ? 9 : 10;
        gp_assert_fault(m, gp_run(m, bound, sizeof(bound), 1), below ? 5 /* #BR */ : 13, 0);
        machine_destroy(m);
    }
}
END_TEST

/* ---- INTO (delivered through a 32-bit IDT) ---- */

#define IDT_BASE 0x5000u
#define HANDLER 0x2000u

static Machine *machine_with_of_gate(void) {
    Machine *m = gp_flat32();
    m->cpu.exception_stop_mask = 0;
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 8 - 1};
    uint64_t gate = (HANDLER & 0xffffu) | (UINT64_C(0x08) << 16) | (UINT64_C(0x8e) << 40);
    test_poke(m, IDT_BASE + 4 * 8, &gate, 8);
    static const uint8_t handler[] = {0xb0, 0x31, 0xe6, 0xf4}; /* mov al, 0x31; out 0xf4, al */
    test_poke(m, HANDLER, handler, sizeof(handler));
    return m;
}

START_TEST(test_gp_into_with_of_traps_with_next_eip) {
    Machine *m = machine_with_of_gate();
    static const uint8_t code[] = {0xb0, 0x7f, 0x04, 0x01, 0xce}; /* mov al,7f; add al,1; into */
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 0x63);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000 - 12);
    ck_assert_uint_eq(gp_peek(m, 0x8000 - 12, 4), GP_CODE + 5); /* trap: next EIP */
    machine_destroy(m);
}
END_TEST

/* #OF is an exception: a front-end that stops at vector 4 stops at INTO
 * with OF = 1, undelivered, RIP at the next instruction (a trap). */
START_TEST(test_gp_into_stops_when_vector_4_is_stopped_at) {
    Machine *m = machine_with_of_gate();
    static const uint8_t code[] = {0xb0, 0x7f, 0x04, 0x01, 0xce}; /* mov al,7f; add al,1; into */
    m->cpu.exception_stop_mask = 1u << 4;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 100), STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, 4);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE + 5);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000); /* nothing pushed */
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_into_without_of_does_nothing) {
    Machine *m = machine_with_of_gate();
    /* mov al,0; add al,1; into; mov al,0x11; out 0xf4,al */
    static const uint8_t code[] = {0xb0, 0x00, 0x04, 0x01, 0xce, 0xb0, 0x11, 0xe6, 0xf4};
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 100), STOP_GUEST_EXIT);
    ck_assert_int_eq(machine_exit_code(m), 0x23);
    machine_destroy(m);
}
END_TEST

/* ---- XLAT ---- */

START_TEST(test_gp_xlat_32bit_and_16bit_address) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0xd7, 0x67, 0xd7}; /* xlat; xlat with a16 */
    uint8_t table[256];
    for (unsigned i = 0; i < 256; i++)
        table[i] = (uint8_t)(i ^ 0x5a);
    test_poke(m, GP_DATA, table, sizeof(table));
    uint8_t low = 0x77;
    test_poke(m, 0x0008, &low, 1);
    m->cpu.gpr[GPR_RBX] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = 0x12345610;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x12345600 | (0x10 ^ 0x5a));
    m->cpu.gpr[GPR_RBX] = 0x0001fff8; /* BX + AL wraps at 16 bits to 0x0008 */
    m->cpu.gpr[GPR_RAX] = 0x10;
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x77);
    machine_destroy(m);
}
END_TEST

/* ---- LDS LES LFS LGS LSS ---- */

static void poke_far(Machine *m, uint32_t offset, uint16_t selector) {
    test_poke(m, GP_DATA, &offset, 4);
    test_poke(m, GP_DATA + 4, &selector, 2);
}

typedef struct FarCase {
    uint8_t code[7];
    unsigned seg, reg;
} FarCase;

static const FarCase far_cases[] = {
    {{0xc5, 0x1d, 0x00, 0x30, 0x00, 0x00, 0x90}, SEG_DS, GPR_RBX}, /* lds ebx */
    {{0xc4, 0x1d, 0x00, 0x30, 0x00, 0x00, 0x90}, SEG_ES, GPR_RBX}, /* les ebx */
    {{0x0f, 0xb4, 0x1d, 0x00, 0x30, 0x00, 0x00}, SEG_FS, GPR_RBX}, /* lfs ebx */
    {{0x0f, 0xb5, 0x1d, 0x00, 0x30, 0x00, 0x00}, SEG_GS, GPR_RBX}, /* lgs ebx */
    {{0x0f, 0xb2, 0x25, 0x00, 0x30, 0x00, 0x00}, SEG_SS, GPR_RSP}, /* lss esp */
};

START_TEST(test_gp_far_pointer_load_case) {
    const FarCase *c = &far_cases[_i];
    Machine *m = gp_flat32();
    poke_far(m, 0x12345678, 0x18);
    ck_assert_int_eq(gp_run(m, c->code, sizeof(c->code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[c->reg], 0x12345678);
    ck_assert_uint_eq(m->cpu.seg[c->seg].selector, 0x18);
    ck_assert_uint_eq(m->cpu.seg[c->seg].base, 0x100000);
    ck_assert_uint_eq(m->cpu.seg[c->seg].limit, 0xffff);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_lds_16bit_offset_keeps_upper_half) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0x66, 0xc5, 0x1d, 0x00, 0x30, 0x00, 0x00}; /* lds bx, m16:16 */
    uint16_t ptr[2] = {0x5678, 0x18};
    test_poke(m, GP_DATA, ptr, sizeof(ptr));
    m->cpu.gpr[GPR_RBX] = 0xaaaa0000;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 0xaaaa5678);
    ck_assert_uint_eq(m->cpu.seg[SEG_DS].selector, 0x18);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_les_null_selector_makes_es_unusable) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0xc4, 0x1d, 0x00, 0x30, 0x00, 0x00};
    poke_far(m, 0x1000, 0);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 0x1000);
    ck_assert(m->cpu.seg[SEG_ES].ar & AR_UNUSABLE);
    machine_destroy(m);
}
END_TEST

/* Faulting loads leave the destination register and the segment alone. */
START_TEST(test_gp_lss_null_selector_gp0_esp_unchanged) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0x0f, 0xb2, 0x25, 0x00, 0x30, 0x00, 0x00};
    poke_far(m, 0x1000, 0);
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 13, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000);
    ck_assert_uint_eq(m->cpu.seg[SEG_SS].selector, 0x10);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_lfs_selector_beyond_gdt_gp_selector) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0x0f, 0xb4, 0x1d, 0x00, 0x30, 0x00, 0x00};
    poke_far(m, 0x1000, 0x43);
    m->cpu.gpr[GPR_RBX] = 0x77;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 13, 0x40);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 0x77);
    ck_assert_uint_eq(m->cpu.seg[SEG_FS].selector, 0x10);
    machine_destroy(m);
}
END_TEST

/* REX.W LSS: an m16:64 pointer (offset quadword, then the selector). */
START_TEST(test_gp_lss_64bit_m16_64) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x48, 0x0f, 0xb2, 0x1e}; /* lss rbx, [rsi] */
    uint16_t sel = 0x10;
    gp_poke64(m, GP_DATA, 0x8877665544332211ull);
    test_poke(m, GP_DATA + 8, &sel, 2);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 0x8877665544332211ull);
    ck_assert_uint_eq(m->cpu.seg[SEG_SS].selector, 0x10);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_lds_real_mode_base_is_selector_times_16) {
    Machine *m = gp_real16();
    static const uint8_t code[] = {0xc5, 0x1e, 0x00, 0x30}; /* lds bx, [0x3000] */
    uint16_t ptr[2] = {0x1234, 0x5678};
    test_poke(m, GP_DATA, ptr, sizeof(ptr));
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX] & 0xffff, 0x1234);
    ck_assert_uint_eq(m->cpu.seg[SEG_DS].selector, 0x5678);
    ck_assert_uint_eq(m->cpu.seg[SEG_DS].base, 0x56780);
    machine_destroy(m);
}
END_TEST

/* ---- INS / OUTS ---- */

typedef struct Serial {
    uint8_t buf[64];
    unsigned n;
} Serial;

static void serial_collect(void *opaque, uint8_t byte) {
    Serial *s = opaque;
    if (s->n < sizeof(s->buf)) s->buf[s->n++] = byte;
}

static Machine *machine_with_serial(Serial *s) {
    char err[256];
    MachineConfig cfg = {.mem_size = 16u << 20, .serial_tx = serial_collect, .serial_opaque = s};
    Machine *m = machine_create(&cfg, err, sizeof(err));
    ck_assert_msg(m != NULL, "%s", err);
    return gp_enter_flat32(gp_prepare(m));
}

START_TEST(test_gp_rep_outsb_to_uart_forward_and_backward) {
    Serial s = {{0}, 0};
    Machine *m = machine_with_serial(&s);
    static const uint8_t code[] = {0xf3, 0x6e}; /* rep outsb */
    test_poke(m, GP_DATA, "hello", 5);
    m->cpu.gpr[GPR_RDX] = 0x3f8;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RCX] = 5;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(s.n, 5);
    ck_assert(memcmp(s.buf, "hello", 5) == 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], GP_DATA + 5);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_DF);
    m->cpu.gpr[GPR_RSI] = GP_DATA + 4;
    m->cpu.gpr[GPR_RCX] = 5;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert(memcmp(s.buf + 5, "olleh", 5) == 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], GP_DATA - 1);
    machine_destroy(m);
}
END_TEST

/* 67H: SI and CX are used and wrap at 16 bits; the upper halves stay. */
START_TEST(test_gp_rep_outsb_16bit_address_uses_si_cx) {
    Serial s = {{0}, 0};
    Machine *m = machine_with_serial(&s);
    static const uint8_t code[] = {0x67, 0xf3, 0x6e};
    test_poke(m, GP_DATA, "abc", 3);
    m->cpu.gpr[GPR_RDX] = 0x3f8;
    m->cpu.gpr[GPR_RSI] = 0x00010000 | GP_DATA;
    m->cpu.gpr[GPR_RCX] = 0x00070003;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert(s.n == 3 && memcmp(s.buf, "abc", 3) == 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], 0x00010000 | (GP_DATA + 3));
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0x00070000);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_rep_insb_reads_port_into_es_edi) {
    Machine *m = gp_flat32();
    /* mov al, 0x5a; mov dx, 0x3ff; out dx, al; rep insb; insw (port 0x1234, unmapped) */
    static const uint8_t code[] = {0xb0, 0x5a, 0x66, 0xba, 0xff, 0x03, 0xee, 0xf3,
                                   0x6c, 0x66, 0xba, 0x34, 0x12, 0x66, 0x6d};
    m->cpu.gpr[GPR_RDI] = 0x3100;
    m->cpu.gpr[GPR_RCX] = 3;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 6), STOP_BUDGET);
    ck_assert_uint_eq(gp_peek(m, 0x3100, 3), 0x5a5a5a);
    ck_assert_uint_eq(gp_peek(m, 0x3103, 2), 0xffff);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], 0x3105);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0);
    machine_destroy(m);
}
END_TEST

/* A destination beyond the ES limit faults before the port is read; EDI and
 * ECX are unchanged. */
START_TEST(test_gp_ins_es_limit_gp_before_port_read) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0xf3, 0x6c};
    m->cpu.seg[SEG_ES].limit = 0xfff;
    m->cpu.seg[SEG_ES].ar &= ~(uint32_t)AR_G;
    m->cpu.gpr[GPR_RDX] = 0x3ff;
    m->cpu.gpr[GPR_RDI] = 0x2000;
    m->cpu.gpr[GPR_RCX] = 2;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 13, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], 0x2000);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 2);
    machine_destroy(m);
}
END_TEST

/* CPL 3 > IOPL 0: the TSS bit map allows port 0x3ff and denies 0x3f8. */
static Machine *machine_cpl3_with_io_bitmap(void) {
    Machine *m = gp_flat32();
    uint8_t tss[0x68 + 0x81] = {0};
    tss[102] = 0x68;
    tss[0x68 + 0x3f8 / 8] = 0x01;
    tss[0x68 + 0x80] = 0xff;
    test_poke(m, 0x7000, tss, sizeof(tss));
    m->cpu.seg[SEG_TR] = (Segment){0x18, sizeof(tss) - 1, 0xb | AR_P, 0x7000};
    m->cpu.seg[SEG_SS].ar |= 3u << AR_DPL_SHIFT;
    cpu_update_mode(&m->cpu);
    return m;
}

START_TEST(test_gp_outs_denied_by_bitmap_gp0) {
    Machine *m = machine_cpl3_with_io_bitmap();
    static const uint8_t code[] = {0xf3, 0x6e};
    m->cpu.gpr[GPR_RDX] = 0x3f8;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.gpr[GPR_RCX] = 1;
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 13, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], GP_DATA);
    machine_destroy(m);
}
END_TEST

/* The I/O permission check comes before the REP count, as on the Intel
 * core (exec_io_string.c): a zero count to a denied port is #GP(0), to an
 * allowed port a no-op. */
START_TEST(test_gp_rep_outs_zero_count_checks_permission) {
    static const uint8_t code[] = {0xf3, 0x6e};
    for (unsigned allowed = 0; allowed < 2; allowed++) {
        Machine *m = machine_cpl3_with_io_bitmap();
        m->cpu.gpr[GPR_RDX] = allowed ? 0x3ff : 0x3f8;
        m->cpu.gpr[GPR_RSI] = GP_DATA;
        m->cpu.gpr[GPR_RCX] = 0;
        MachineStop st = gp_run(m, code, sizeof(code), 1);
        if (allowed)
            ck_assert_int_eq(st, STOP_BUDGET);
        else
            gp_assert_fault(m, st, 13, 0);
        ck_assert_uint_eq(m->cpu.gpr[GPR_RSI], GP_DATA);
        machine_destroy(m);
    }
}
END_TEST

START_TEST(test_gp_ins_allowed_by_bitmap) {
    Machine *m = machine_cpl3_with_io_bitmap();
    static const uint8_t code[] = {0x6c}; /* insb */
    m->cpu.gpr[GPR_RDX] = 0x3ff;
    m->cpu.gpr[GPR_RDI] = 0x3100;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], 0x3101);
    machine_destroy(m);
}
END_TEST

/* ---- RDTSCP ---- */

START_TEST(test_gp_rdtscp_reads_tsc_and_tsc_aux) {
    Machine *m = gp_long64();
    static const uint8_t code[] = {0x0f, 0x01, 0xf9};
    m->cpu.msr[MSR_SLOT_IA32_TSC_AUX] = 0x9abcdef0;
    m->cpu.tsc_adjust = UINT64_C(1) << 32;
    m->cpu.gpr[GPR_RCX] = UINT64_MAX;
    m->cpu.gpr[GPR_RAX] = UINT64_MAX;
    uint64_t before = m->cpu.cycles;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    uint64_t tsc = (m->cpu.gpr[GPR_RDX] << 32) | m->cpu.gpr[GPR_RAX];
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0x9abcdef0);
    ck_assert_uint_le(m->cpu.gpr[GPR_RAX], 0xffffffffu);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 1 + (before >> 32));
    ck_assert(tsc >= before + m->cpu.tsc_adjust && tsc <= m->cpu.cycles + m->cpu.tsc_adjust);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_rdtscp_tsd_at_cpl3_gp0) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0x0f, 0x01, 0xf9};
    m->cpu.cr4 |= CR4_TSD;
    m->cpu.seg[SEG_SS].ar |= 3u << AR_DPL_SHIFT;
    cpu_update_mode(&m->cpu);
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 13, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_gp_rdtscp_without_feature_ud) {
    Machine *m = gp_flat32();
    static const uint8_t code[] = {0x0f, 0x01, 0xf9};
    m->cpu.model = gp_model_none();
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), 6, 0);
    machine_destroy(m);
}
END_TEST

static Suite *gp_extra_suite(void) {
    Suite *s = suite_create("gp_extra");
    TCase *bcd = tcase_create("bcd");
    tcase_add_loop_test(bcd, test_gp_bcd_case_matches_sdm_operation, 0,
                        (int)SIM_ARRAY_SIZE(bcd_cases));
    tcase_add_test(bcd, test_gp_aam_zero_divisor_raises_de_state_unchanged);
    tcase_add_loop_test(bcd, test_gp_bcd_in_64bit_mode_ud, 0, (int)SIM_ARRAY_SIZE(bcd_opcodes));
    suite_add_tcase(s, bcd);
    TCase *stack = tcase_create("stack");
    tcase_add_test(stack, test_gp_enter_level0_pushes_ebp_and_allocates);
    tcase_add_test(stack, test_gp_enter_level3_copies_display);
    tcase_add_test(stack, test_gp_enter_level_taken_mod_32);
    tcase_add_test(stack, test_gp_enter_64bit_quadword_frames);
    tcase_add_test(stack, test_gp_enter_64bit_opsize16_writes_bp_only);
    tcase_add_test(stack, test_gp_enter_real_mode_16bit_frames);
    tcase_add_test(stack, test_gp_enter_final_rsp_not_present_pf_state_unchanged);
    tcase_add_test(stack, test_gp_pushad_popad_round_trip);
    tcase_add_test(stack, test_gp_pusha_popa_16bit_words);
    tcase_add_test(stack, test_gp_popad_fault_keeps_registers_popped_before);
    tcase_add_test(stack, test_gp_pusha_in_64bit_mode_ud);
    suite_add_tcase(s, stack);
    TCase *checks = tcase_create("bound_into_xlat");
    tcase_add_loop_test(checks, test_gp_bound_case_signed_inclusive, 0,
                        (int)SIM_ARRAY_SIZE(bound_cases));
    tcase_add_test(checks, test_gp_bound_lower_bound_checked_before_upper_read);
    tcase_add_test(checks, test_gp_into_with_of_traps_with_next_eip);
    tcase_add_test(checks, test_gp_into_stops_when_vector_4_is_stopped_at);
    tcase_add_test(checks, test_gp_into_without_of_does_nothing);
    tcase_add_test(checks, test_gp_xlat_32bit_and_16bit_address);
    suite_add_tcase(s, checks);
    TCase *far = tcase_create("far_pointer");
    tcase_add_loop_test(far, test_gp_far_pointer_load_case, 0, (int)SIM_ARRAY_SIZE(far_cases));
    tcase_add_test(far, test_gp_lds_16bit_offset_keeps_upper_half);
    tcase_add_test(far, test_gp_les_null_selector_makes_es_unusable);
    tcase_add_test(far, test_gp_lss_null_selector_gp0_esp_unchanged);
    tcase_add_test(far, test_gp_lfs_selector_beyond_gdt_gp_selector);
    tcase_add_test(far, test_gp_lss_64bit_m16_64);
    tcase_add_test(far, test_gp_lds_real_mode_base_is_selector_times_16);
    suite_add_tcase(s, far);
    TCase *io = tcase_create("io_string");
    tcase_add_test(io, test_gp_rep_outsb_to_uart_forward_and_backward);
    tcase_add_test(io, test_gp_rep_outsb_16bit_address_uses_si_cx);
    tcase_add_test(io, test_gp_rep_insb_reads_port_into_es_edi);
    tcase_add_test(io, test_gp_ins_es_limit_gp_before_port_read);
    tcase_add_test(io, test_gp_outs_denied_by_bitmap_gp0);
    tcase_add_test(io, test_gp_rep_outs_zero_count_checks_permission);
    tcase_add_test(io, test_gp_ins_allowed_by_bitmap);
    suite_add_tcase(s, io);
    TCase *tsc = tcase_create("rdtscp");
    tcase_add_test(tsc, test_gp_rdtscp_reads_tsc_and_tsc_aux);
    tcase_add_test(tsc, test_gp_rdtscp_tsd_at_cpl3_gp0);
    tcase_add_test(tsc, test_gp_rdtscp_without_feature_ud);
    suite_add_tcase(s, tsc);
    return s;
}

CHECK_MAIN(gp_extra_suite)
