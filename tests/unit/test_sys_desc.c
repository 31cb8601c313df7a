/*
 * Descriptor queries and loads (SDM Vol. 2 LAR, LSL, VERR, VERW, ARPL, LLDT;
 * LTR's IA-32e type rule): the descriptor types each accepts in protected
 * and IA-32e mode, the CPL/RPL/DPL visibility rule, null and out-of-limit
 * selectors (ZF = 0, no fault), and the faults of LLDT, each on both sides.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/segmentation.h"

#define ZF RFLAGS_ZF
#define LDT_BASE 0x9000u

/* An 8-byte segment descriptor (SDM Vol. 3A 3.4.5, Figure 3-8). */
static uint64_t desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
    return (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)(flags & 0xf) << 52) |
           ((uint64_t)(base >> 24) << 56);
}

/* GDT rows after gp_install_gdt's 0x00-0x30 (selector = index * 8). */
static const struct {
    uint16_t sel;
    uint32_t base, limit;
    uint8_t access, flags;
} extra_gdt[] = {
    {0x38, 0x12345, 0x1234, 0x93, 0x4}, /* data RW DPL 0, byte-granular limit */
    {0x40, 0, 0xfffff, 0xf3, 0xc},      /* data RW DPL 3, page-granular limit */
    {0x48, 0, 0xfffff, 0x9a, 0xc},      /* code execute/read DPL 0 */
    {0x50, 0, 0xfffff, 0x9e, 0xc},      /* code execute/read DPL 0, conforming */
    {0x58, 0, 0xfffff, 0x98, 0xc},      /* code execute-only DPL 0 */
    {0x60, 0, 0xfffff, 0x90, 0xc},      /* data read-only DPL 0 */
    {0x68, LDT_BASE, 0x27, 0x82, 0x0},  /* LDT */
    {0x70, 0x7000, 0x67, 0x89, 0x0},    /* available 32-bit TSS */
    {0x78, 0, 0x50000, 0x8c, 0x0},      /* 32-bit call gate (bits 19:16 = 5) */
    {0x80, 0, 0x10000, 0x8e, 0x0},      /* 32-bit interrupt gate */
    {0x88, 0x700000, 0, 0x85, 0x0},     /* task gate */
    {0x90, 0x7000, 0x2b, 0x81, 0x0},    /* available 16-bit TSS */
    {0x98, 0, 0xffff, 0x13, 0x4},       /* data RW DPL 0, not present */
    {0xa0, 0, 0xffff, 0x88, 0x0},       /* reserved system type 8 */
    {0xa8, 0, 0xffff, 0xb3, 0x4},       /* data RW DPL 1 */
    {0xb0, 0, 0x55, 0x00, 0x0},         /* type 0 (IA-32e: upper half of a 16-byte one) */
    {0xb8, LDT_BASE, 0x27, 0x02, 0x0},  /* LDT, not present */
};

static void install_extra_gdt(Machine *m) {
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(extra_gdt); i++)
        gp_poke64(
            m, GP_GDT + extra_gdt[i].sel,
            desc(extra_gdt[i].base, extra_gdt[i].limit, extra_gdt[i].access, extra_gdt[i].flags));
    m->cpu.gdtr.limit = extra_gdt[SIM_ARRAY_SIZE(extra_gdt) - 1].sel + 7;
    /* LDT entry 1 (selector 0x0c): data RW DPL 0 with byte limit 0x777. */
    gp_poke64(m, LDT_BASE + 8, desc(0, 0x777, 0x93, 0x4));
}

/* Run at CPL `cpl` (the SS and CS caches' DPL) in flat 32-bit protected mode. */
static void set_cpl(Machine *m, unsigned cpl) {
    CpuState *c = &m->cpu;
    c->seg[SEG_CS].ar = (c->seg[SEG_CS].ar & ~(3u << AR_DPL_SHIFT)) | (cpl << AR_DPL_SHIFT);
    c->seg[SEG_SS].ar = (c->seg[SEG_SS].ar & ~(3u << AR_DPL_SHIFT)) | (cpl << AR_DPL_SHIFT);
    cpu_update_mode(c);
}

static Machine *prot32(unsigned cpl) {
    Machine *m = gp_flat32();
    install_extra_gdt(m);
    m->cpu.seg[SEG_LDTR] = (Segment){0, 0, AR_UNUSABLE, 0}; /* no LDT */
    set_cpl(m, cpl);
    return m;
}

static Machine *long64(void) {
    Machine *m = gp_long64();
    install_extra_gdt(m);
    return m;
}

/* ---- LAR / LSL ---- */

enum { Q_LAR, Q_LSL };

/* One query: selector in ECX, destination EAX (32-bit operand). */
typedef struct QueryCase {
    unsigned insn;
    bool ia32e;
    unsigned cpl;
    uint16_t sel;
    bool zf;
    uint32_t value;
} QueryCase;

static const QueryCase query_cases[] = {
    /* LAR, protected mode: code/data always; access rights & 00FxFF00H */
    {Q_LAR, false, 0, 0x38, true, 0x00409300},
    {Q_LAR, false, 3, 0x40, true, 0x00cff300},
    {Q_LAR, false, 3, 0x38, false, 0},         /* CPL > DPL */
    {Q_LAR, false, 0, 0x3b, false, 0},         /* RPL > DPL */
    {Q_LAR, false, 1, 0xa9, true, 0x0040b300}, /* CPL = RPL = DPL = 1 */
    {Q_LAR, false, 3, 0x50, true, 0x00cf9e00}, /* conforming: DPL not checked */
    {Q_LAR, false, 3, 0x48, false, 0},         /* non-conforming DPL 0 at CPL 3 */
    {Q_LAR, false, 0, 0x58, true, 0x00cf9800}, /* execute-only code */
    {Q_LAR, false, 0, 0x98, true, 0x00401300}, /* P is not checked */
    {Q_LAR, false, 0, 0x68, true, 0x00008200}, /* LDT */
    {Q_LAR, false, 0, 0x70, true, 0x00008900}, /* 32-bit TSS */
    {Q_LAR, false, 0, 0x78, true, 0x00058c00}, /* call gate; 19:16 passed */
    {Q_LAR, false, 0, 0x80, false, 0},         /* interrupt gate: not valid */
    {Q_LAR, false, 0, 0x88, true, 0x00008500}, /* task gate */
    {Q_LAR, false, 0, 0x90, true, 0x00008100}, /* 16-bit TSS */
    {Q_LAR, false, 0, 0xa0, false, 0},         /* reserved type */
    {Q_LAR, false, 0, 0xb0, false, 0},         /* type 0 is reserved */
    {Q_LAR, false, 0, 0x00, false, 0},         /* null selector */
    {Q_LAR, false, 0, 0x03, false, 0},         /* null selector with RPL 3 */
    {Q_LAR, false, 0, 0x1000, false, 0},       /* beyond the GDT limit */
    {Q_LAR, false, 0, 0x0c, false, 0},         /* TI = 1 with LDTR unusable */
    /* LAR, IA-32e mode column */
    {Q_LAR, true, 0, 0x38, true, 0x00409300},
    {Q_LAR, true, 0, 0x68, false, 0}, /* LDT: "No" in IA-32e mode */
    {Q_LAR, true, 0, 0x70, true, 0x00008900},
    {Q_LAR, true, 0, 0x78, true, 0x00058c00},
    {Q_LAR, true, 0, 0x88, false, 0}, /* task gate: reserved */
    {Q_LAR, true, 0, 0x90, false, 0}, /* 16-bit TSS: reserved */
    /* LSL, protected mode: byte-granular limit */
    {Q_LSL, false, 0, 0x38, true, 0x1234},
    {Q_LSL, false, 3, 0x40, true, 0xffffffff}, /* G = 1: (limit << 12) | FFFH */
    {Q_LSL, false, 3, 0x38, false, 0},
    {Q_LSL, false, 3, 0x50, true, 0xffffffff},
    {Q_LSL, false, 0, 0x68, true, 0x27},
    {Q_LSL, false, 0, 0x70, true, 0x67},
    {Q_LSL, false, 0, 0x90, true, 0x2b},
    {Q_LSL, false, 0, 0x78, false, 0}, /* gates: not valid for LSL */
    {Q_LSL, false, 0, 0x88, false, 0},
    {Q_LSL, false, 0, 0x80, false, 0},
    {Q_LSL, false, 0, 0xb0, false, 0},
    {Q_LSL, false, 0, 0x00, false, 0},
    {Q_LSL, false, 0, 0x1000, false, 0},
    /* LSL, IA-32e mode column */
    {Q_LSL, true, 0, 0x68, true, 0x27}, /* LDT valid */
    {Q_LSL, true, 0, 0x70, true, 0x67},
    {Q_LSL, true, 0, 0xb0, true, 0x55}, /* type 0: "Yes" in the table */
    {Q_LSL, true, 0, 0x90, false, 0},
    {Q_LSL, true, 0, 0x78, false, 0},
};

START_TEST(test_sys_query_case_matches_sdm_table) {
    const QueryCase *k = &query_cases[_i];
    Machine *m = k->ia32e ? long64() : prot32(k->cpl);
    CpuState *c = &m->cpu;
    static const uint8_t lar[] = {0x0f, 0x02, 0xc1}, lsl[] = {0x0f, 0x03, 0xc1};
    uint64_t before = k->ia32e ? UINT64_C(0xdeadbeefcafef00d) : 0xcafef00d;
    c->gpr[GPR_RAX] = before;
    c->gpr[GPR_RCX] = k->sel;
    cpu_set_rflags(c, RFLAGS_FIXED1 | (k->zf ? 0 : ZF));
    const uint8_t *code = k->insn == Q_LAR ? lar : lsl;
    ck_assert_int_eq(gp_run(m, code, 3, 1), STOP_BUDGET);
    ck_assert_uint_eq(gp_arith(m) & ZF, k->zf ? ZF : 0);
    ck_assert_uint_eq(c->gpr[GPR_RAX], k->zf ? k->value : before);
    machine_destroy(m);
}
END_TEST

/* LAR r16: FF00H of the access rights, the register's upper bits kept;
 * LSL r16 truncates; LSL r64 zero-extends. */
START_TEST(test_sys_lar_lsl_operand_sizes) {
    Machine *m = long64();
    CpuState *c = &m->cpu;
    static const uint8_t code[] = {0x66, 0x0f, 0x02, 0xc1,  /* lar ax, cx */
                                   0x66, 0x0f, 0x03, 0xd1,  /* lsl dx, cx */
                                   0x48, 0x0f, 0x03, 0xd9}; /* lsl rbx, rcx */
    c->gpr[GPR_RAX] = UINT64_C(0x1111111111111111);
    c->gpr[GPR_RDX] = UINT64_C(0x2222222222222222);
    c->gpr[GPR_RBX] = UINT64_MAX;
    c->gpr[GPR_RCX] = 0x40;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 3), STOP_BUDGET);
    ck_assert_uint_eq(c->gpr[GPR_RAX], UINT64_C(0x111111111111f300));
    ck_assert_uint_eq(c->gpr[GPR_RDX], UINT64_C(0x222222222222ffff));
    ck_assert_uint_eq(c->gpr[GPR_RBX], UINT64_C(0x00000000ffffffff));
    machine_destroy(m);
}
END_TEST

/* TI = 1 reads the LDT once LDTR names one. */
START_TEST(test_sys_lar_reads_ldt_after_lldt) {
    Machine *m = prot32(0);
    CpuState *c = &m->cpu;
    static const uint8_t code[] = {0x0f, 0x00, 0xd3,  /* lldt bx */
                                   0x0f, 0x03, 0xc1}; /* lsl eax, ecx */
    c->gpr[GPR_RBX] = 0x68;
    c->gpr[GPR_RCX] = 0x0c;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_BUDGET);
    ck_assert_uint_eq(gp_arith(m) & ZF, ZF);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0x777);
    machine_destroy(m);
}
END_TEST

/* TI = 1 with LDTR unusable names no descriptor (ZF = 0), whatever the
 * stale base and limit; the same LDT made usable gives ZF = 1. */
START_TEST(test_sys_lar_ti1_with_unusable_ldtr_zf0) {
    static const uint8_t lar[] = {0x0f, 0x02, 0xc1};
    for (unsigned usable = 0; usable < 2; usable++) {
        Machine *m = prot32(0);
        gp_poke64(m, 0x8, desc(0, 0xffff, 0x93, 0x4)); /* LDT entry 1 at linear 8 */
        m->cpu.seg[SEG_LDTR] = (Segment){0x68, 0xffff, DESC_LDT | AR_P, 0};
        if (!usable) m->cpu.seg[SEG_LDTR].ar |= AR_UNUSABLE;
        m->cpu.gpr[GPR_RCX] = 0x0c;
        ck_assert_int_eq(gp_run(m, lar, sizeof(lar), 1), STOP_BUDGET);
        ck_assert_uint_eq(gp_arith(m) & ZF, usable ? ZF : 0);
        machine_destroy(m);
    }
}
END_TEST

/* The selector operand from memory faults as a read; the descriptor-table
 * read itself raises #PF (a supervisor access, SDM 4.6). */
START_TEST(test_sys_lar_memory_operand_and_table_page_faults) {
    Machine *m = long64();
    CpuState *c = &m->cpu;
    static const uint8_t code[] = {0x0f, 0x02, 0x03}; /* lar eax, [rbx] */
    c->gpr[GPR_RBX] = GP_DATA;
    gp_poke64(m, GP_DATA, 0x38);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0x00409300);
    gp_set_pte(m, GP_DATA, 0); /* operand page not present */
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), EXC_PF, 0);
    gp_set_pte(m, GP_DATA, PTE_P | PTE_W);
    gp_set_pte(m, GP_GDT, 0); /* GDT page not present */
    gp_assert_fault(m, gp_run(m, code, sizeof(code), 1), EXC_PF, 0);
    ck_assert_uint_eq(c->fault.address, GP_GDT + 0x38);
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_lar_lsl_verr_real_mode_ud) {
    static const uint8_t codes[][3] = {{0x0f, 0x02, 0xc1}, {0x0f, 0x03, 0xc1}, {0x0f, 0x00, 0xe1}};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(codes); i++) {
        Machine *m = gp_real16();
        gp_assert_fault(m, gp_run(m, codes[i], 3, 1), EXC_UD, 0);
        machine_destroy(m);
    }
}
END_TEST

/* ---- VERR / VERW ---- */

typedef struct VerifyCase {
    unsigned cpl;
    uint16_t sel;
    bool readable, writable;
} VerifyCase;

static const VerifyCase verify_cases[] = {
    {0, 0x38, true, true},     /* read/write data */
    {0, 0x60, true, false},    /* read-only data */
    {0, 0x48, true, false},    /* readable code: never writable */
    {0, 0x58, false, false},   /* execute-only code */
    {3, 0x50, true, false},    /* conforming readable code at any CPL */
    {3, 0x48, false, false},   /* non-conforming code, CPL > DPL */
    {3, 0x38, false, false},   /* data, CPL > DPL */
    {3, 0x43, true, true},     /* DPL 3 data, RPL 3 */
    {0, 0x3b, false, false},   /* RPL > DPL */
    {0, 0x98, true, true},     /* not present: the Operation does not check P */
    {0, 0x70, false, false},   /* system descriptor (TSS) */
    {0, 0x68, false, false},   /* system descriptor (LDT) */
    {0, 0x00, false, false},   /* null selector */
    {0, 0x1000, false, false}, /* beyond the GDT limit */
};

START_TEST(test_sys_verify_case_matches_sdm) {
    const VerifyCase *k = &verify_cases[_i];
    static const uint8_t verr[] = {0x0f, 0x00, 0xe1}, verw[] = {0x0f, 0x00, 0xe9};
    for (unsigned w = 0; w < 2; w++) {
        Machine *m = prot32(k->cpl);
        bool expect = w ? k->writable : k->readable;
        m->cpu.gpr[GPR_RCX] = k->sel;
        cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | (expect ? 0 : ZF));
        ck_assert_int_eq(gp_run(m, w ? verw : verr, 3, 1), STOP_BUDGET);
        ck_assert_uint_eq(gp_arith(m) & ZF, expect ? ZF : 0);
        machine_destroy(m);
    }
}
END_TEST

/* ---- ARPL ---- */

START_TEST(test_sys_arpl_raises_rpl_sets_zf) {
    Machine *m = prot32(0);
    CpuState *c = &m->cpu;
    static const uint8_t arpl[] = {0x63, 0xc8}; /* arpl ax, cx */
    c->gpr[GPR_RAX] = 0xabcd0010;
    c->gpr[GPR_RCX] = 0x0003;
    ck_assert_int_eq(gp_run(m, arpl, sizeof(arpl), 1), STOP_BUDGET);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0xabcd0013);
    ck_assert_uint_eq(gp_arith(m) & ZF, ZF);
    c->gpr[GPR_RCX] = 0x0001; /* DEST.RPL >= SRC.RPL: unchanged, ZF = 0 */
    ck_assert_int_eq(gp_run(m, arpl, sizeof(arpl), 1), STOP_BUDGET);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0xabcd0013);
    ck_assert_uint_eq(gp_arith(m) & ZF, 0);
    machine_destroy(m);
}
END_TEST

/* A memory destination in a non-writable segment is #GP(0) only when ARPL
 * writes it (DEST.RPL < SRC.RPL): without an adjustment the destination is
 * only read, as on the Intel core (exec_desc_query.c). */
START_TEST(test_sys_arpl_readonly_memory_gp0_only_when_adjusting) {
    static const uint8_t arpl[] = {0x63, 0x0b}; /* arpl [ebx], cx */
    for (unsigned adjust = 0; adjust < 2; adjust++) {
        Machine *m = prot32(0);
        CpuState *c = &m->cpu;
        c->seg[SEG_DS].ar &= ~AR_TYPE_WRITABLE;
        c->gpr[GPR_RBX] = GP_DATA;
        c->gpr[GPR_RCX] = adjust ? 3 : 0;
        gp_poke64(m, GP_DATA, 0x11);
        MachineStop st = gp_run(m, arpl, sizeof(arpl), 1);
        if (adjust) {
            gp_assert_fault(m, st, EXC_GP, 0);
        } else {
            ck_assert_int_eq(st, STOP_BUDGET);
            ck_assert_uint_eq(gp_arith(m) & ZF, 0);
        }
        ck_assert_uint_eq(gp_peek(m, GP_DATA, 2), 0x11);
        machine_destroy(m);
    }
}
END_TEST

/* In 64-bit mode opcode 63 is MOVSXD, never ARPL. */
START_TEST(test_sys_opcode63_in_64bit_mode_is_movsxd) {
    Machine *m = long64();
    static const uint8_t code[] = {0x48, 0x63, 0xc8}; /* movsxd rcx, eax */
    m->cpu.gpr[GPR_RAX] = 0x80000000;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], UINT64_C(0xffffffff80000000));
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_arpl_real_mode_ud) {
    Machine *m = gp_real16();
    static const uint8_t arpl[] = {0x63, 0xc8};
    gp_assert_fault(m, gp_run(m, arpl, sizeof(arpl), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

/* ---- LLDT ---- */

static const uint8_t lldt_cx[] = {0x0f, 0x00, 0xd1};

START_TEST(test_sys_lldt_loads_ldtr_from_gdt) {
    Machine *m = prot32(0);
    m->cpu.gpr[GPR_RCX] = 0x68;
    ck_assert_int_eq(gp_run(m, lldt_cx, sizeof(lldt_cx), 1), STOP_BUDGET);
    const Segment *l = &m->cpu.seg[SEG_LDTR];
    ck_assert_uint_eq(l->selector, 0x68);
    ck_assert_uint_eq(l->base, LDT_BASE);
    ck_assert_uint_eq(l->limit, 0x27);
    ck_assert_uint_eq(l->ar, DESC_LDT | AR_P);
    machine_destroy(m);
}
END_TEST

/* Bits 15:2 = 0: LDTR marked invalid, no fault. */
START_TEST(test_sys_lldt_null_marks_ldtr_unusable) {
    Machine *m = prot32(0);
    m->cpu.gpr[GPR_RCX] = 0x0003;
    ck_assert_int_eq(gp_run(m, lldt_cx, sizeof(lldt_cx), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.seg[SEG_LDTR].selector, 3);
    ck_assert(m->cpu.seg[SEG_LDTR].ar & AR_UNUSABLE);
    machine_destroy(m);
}
END_TEST

typedef struct LldtFault {
    unsigned cpl;
    uint16_t sel;
    unsigned vector;
    uint32_t error;
} LldtFault;

static const LldtFault lldt_faults[] = {
    {3, 0x68, EXC_GP, 0},        /* CPL > 0 */
    {0, 0x6c, EXC_GP, 0x6c},     /* TI = 1: not in the GDT */
    {0, 0x1000, EXC_GP, 0x1000}, /* beyond the GDT limit */
    {0, 0x3b, EXC_GP, 0x38},     /* not an LDT descriptor */
    {0, 0x70, EXC_GP, 0x70},     /* a TSS is not an LDT either */
    {0, 0xb8, EXC_NP, 0xb8},     /* LDT not present */
};

START_TEST(test_sys_lldt_fault_case) {
    const LldtFault *k = &lldt_faults[_i];
    Machine *m = prot32(k->cpl);
    m->cpu.gpr[GPR_RCX] = k->sel;
    gp_assert_fault(m, gp_run(m, lldt_cx, sizeof(lldt_cx), 1), k->vector, k->error);
    ck_assert_uint_eq(m->cpu.seg[SEG_LDTR].selector, 0); /* unchanged */
    machine_destroy(m);
}
END_TEST

START_TEST(test_sys_lldt_real_mode_ud) {
    Machine *m = gp_real16();
    gp_assert_fault(m, gp_run(m, lldt_cx, sizeof(lldt_cx), 1), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

/* IA-32e mode: a 16-byte LDT descriptor supplies base bits 63:32; one whose
 * upper half lies beyond the GDT limit is #GP(selector). */
START_TEST(test_sys_lldt_ia32e_16byte_descriptor) {
    Machine *m = long64();
    gp_poke64(m, GP_GDT + 0xc0, desc(LDT_BASE, 0x27, 0x82, 0));
    gp_poke64(m, GP_GDT + 0xc8, 0x1);
    m->cpu.gdtr.limit = 0xcf;
    m->cpu.gpr[GPR_RCX] = 0xc0;
    ck_assert_int_eq(gp_run(m, lldt_cx, sizeof(lldt_cx), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.seg[SEG_LDTR].base, UINT64_C(0x100000000) | LDT_BASE);
    m->cpu.seg[SEG_LDTR] = (Segment){0, 0, AR_UNUSABLE, 0};
    m->cpu.gdtr.limit = 0xc7;
    gp_assert_fault(m, gp_run(m, lldt_cx, sizeof(lldt_cx), 1), EXC_GP, 0xc0);
    machine_destroy(m);
}
END_TEST

/* ---- LTR (exec_system.c): 16-bit TSS types are reserved in IA-32e mode ---- */

START_TEST(test_sys_ltr_16bit_tss_legacy_ok_ia32e_gp) {
    static const uint8_t ltr_cx[] = {0x0f, 0x00, 0xd9};
    Machine *m = prot32(0);
    m->cpu.gpr[GPR_RCX] = 0x90;
    ck_assert_int_eq(gp_run(m, ltr_cx, sizeof(ltr_cx), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.seg[SEG_TR].ar & AR_TYPE_MASK, 0x3); /* busy 16-bit TSS */
    machine_destroy(m);
    m = long64();
    m->cpu.gpr[GPR_RCX] = 0x90;
    gp_assert_fault(m, gp_run(m, ltr_cx, sizeof(ltr_cx), 1), EXC_GP, 0x90);
    machine_destroy(m);
}
END_TEST

static Suite *sys_desc_suite(void) {
    Suite *s = suite_create("sys_desc");
    TCase *q = tcase_create("lar_lsl");
    tcase_add_loop_test(q, test_sys_query_case_matches_sdm_table, 0,
                        (int)SIM_ARRAY_SIZE(query_cases));
    tcase_add_test(q, test_sys_lar_lsl_operand_sizes);
    tcase_add_test(q, test_sys_lar_reads_ldt_after_lldt);
    tcase_add_test(q, test_sys_lar_ti1_with_unusable_ldtr_zf0);
    tcase_add_test(q, test_sys_lar_memory_operand_and_table_page_faults);
    tcase_add_test(q, test_sys_lar_lsl_verr_real_mode_ud);
    suite_add_tcase(s, q);
    TCase *v = tcase_create("verr_verw");
    tcase_add_loop_test(v, test_sys_verify_case_matches_sdm, 0, (int)SIM_ARRAY_SIZE(verify_cases));
    suite_add_tcase(s, v);
    TCase *a = tcase_create("arpl");
    tcase_add_test(a, test_sys_arpl_raises_rpl_sets_zf);
    tcase_add_test(a, test_sys_arpl_readonly_memory_gp0_only_when_adjusting);
    tcase_add_test(a, test_sys_opcode63_in_64bit_mode_is_movsxd);
    tcase_add_test(a, test_sys_arpl_real_mode_ud);
    suite_add_tcase(s, a);
    TCase *l = tcase_create("lldt_ltr");
    tcase_add_test(l, test_sys_lldt_loads_ldtr_from_gdt);
    tcase_add_test(l, test_sys_lldt_null_marks_ldtr_unusable);
    tcase_add_loop_test(l, test_sys_lldt_fault_case, 0, (int)SIM_ARRAY_SIZE(lldt_faults));
    tcase_add_test(l, test_sys_lldt_real_mode_ud);
    tcase_add_test(l, test_sys_lldt_ia32e_16byte_descriptor);
    tcase_add_test(l, test_sys_ltr_16bit_tss_legacy_ok_ia32e_gp);
    suite_add_tcase(s, l);
    return s;
}

CHECK_MAIN(sys_desc_suite)
