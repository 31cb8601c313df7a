/* Far CALL and JMP through call gates (SDM Vol. 3A 5.8.3-5.8.6, Vol. 2
 * CALL/JMP "CALL-GATE"): every check on both sides, the stack switch from
 * the TSS with parameter copying, the far RET back to the outer level, and
 * 64-bit call gates in IA-32e mode.  Real machine code runs; a fault stops
 * the run undelivered (gp_support.h). */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/segmentation.h"

#define TSS_BASE 0x7000u
#define HANDLER 0x2000u
#define ESP0 0x9000u

/* A code/data descriptor: `access` is the P/DPL/S/type byte, `flags` the
 * G/D/L/AVL nibble (SDM 3.4.5 Figure 3-8). */
static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)flags << 52) |
           ((uint64_t)(base >> 24) << 56);
}

/* A call gate (SDM 5.8.3 Figure 5-8); `access` is P/DPL/type. */
static uint64_t gate_desc(uint16_t sel, uint32_t off, unsigned access, unsigned params)
{
    return (off & 0xffffu) | ((uint64_t)sel << 16) | ((uint64_t)(params & 0x1f) << 32) |
           ((uint64_t)access << 40) | ((uint64_t)(off >> 16) << 48);
}

/* Protected-mode GDT of these tests. */
enum {
    CODE0 = 0x08, DATA0 = 0x10, CODE3 = 0x18, DATA3 = 0x20, TSS_SEL = 0x28,
    GATE_INNER = 0x30,  /* DPL 3, -> CODE0:HANDLER, 2 parameters */
    CONF0 = 0x38,       /* conforming code, DPL 0 */
    GATE_CONF = 0x40,   /* DPL 3, -> CONF0:HANDLER */
    SHORT0 = 0x48,      /* code DPL 0, limit 1FFFH */
    GATE_SHORT = 0x50,  /* DPL 3, -> SHORT0:HANDLER */
    CODE16 = 0x58,      /* 16-bit code DPL 0 */
    GATE16 = 0x60,      /* 16-bit gate DPL 3, -> CODE16:HANDLER, 2 parameters */
    SMALL0 = 0x68,      /* data DPL 0, limit FFFFFH, byte granular */
    NP_DATA0 = 0x78,    /* data DPL 0, not present */
    GATE_DPL0 = 0x80,   /* DPL 0, -> CODE0:HANDLER */
    GATE_NP = 0x88,     /* not present */
    GATE_NULL = 0x90,   /* DPL 3, -> null selector */
    GATE_DATA = 0x98,   /* DPL 3, -> DATA0 */
    GATE_CS_NP = 0xa0,  /* DPL 3, -> NP_CODE0 */
    NP_CODE0 = 0xa8,
    GATE_CODE3 = 0xb0,  /* DPL 3, -> CODE3:0x3000 */
    GDT_ENTRIES = 23
};

static void install_gdt32(Machine *m)
{
    uint64_t g[GDT_ENTRIES] = {0};
    g[CODE0 >> 3] = seg_desc(0, 0xfffff, 0x9b, 0xc);
    g[DATA0 >> 3] = seg_desc(0, 0xfffff, 0x93, 0xc);
    g[CODE3 >> 3] = seg_desc(0, 0xfffff, 0xfb, 0xc);
    g[DATA3 >> 3] = seg_desc(0, 0xfffff, 0xf3, 0xc);
    g[TSS_SEL >> 3] = seg_desc(TSS_BASE, 0x67, 0x8b, 0);
    g[GATE_INNER >> 3] = gate_desc(CODE0, HANDLER, 0xec, 2);
    g[CONF0 >> 3] = seg_desc(0, 0xfffff, 0x9f, 0xc);
    g[GATE_CONF >> 3] = gate_desc(CONF0, HANDLER, 0xec, 0);
    g[SHORT0 >> 3] = seg_desc(0, 0x1fff, 0x9b, 0x4);
    g[GATE_SHORT >> 3] = gate_desc(SHORT0, HANDLER, 0xec, 0);
    g[CODE16 >> 3] = seg_desc(0, 0xffff, 0x9b, 0);
    g[GATE16 >> 3] = gate_desc(CODE16, HANDLER, 0xe4, 2);
    g[SMALL0 >> 3] = seg_desc(0, 0xfffff, 0x93, 0x4);
    g[NP_DATA0 >> 3] = seg_desc(0, 0xfffff, 0x13, 0xc);
    g[GATE_DPL0 >> 3] = gate_desc(CODE0, HANDLER, 0x8c, 0);
    g[GATE_NP >> 3] = gate_desc(CODE0, HANDLER, 0x6c, 0);
    g[GATE_NULL >> 3] = gate_desc(0, HANDLER, 0xec, 0);
    g[GATE_DATA >> 3] = gate_desc(DATA0, HANDLER, 0xec, 0);
    g[GATE_CS_NP >> 3] = gate_desc(NP_CODE0, HANDLER, 0xec, 0);
    g[NP_CODE0 >> 3] = seg_desc(0, 0xfffff, 0x1b, 0xc);
    g[GATE_CODE3 >> 3] = gate_desc(CODE3, 0x3000, 0xec, 0);
    test_poke(m, GP_GDT, g, sizeof(g));
    m->cpu.gdtr = (DescTable){GP_GDT, sizeof(g) - 1};
}

/* Load a segment register from the GDT in memory, as the processor would. */
static void load_seg(Machine *m, unsigned seg, uint16_t sel)
{
    Descriptor d = {mem_phys_read(&m->mem, m->cpu.gdtr.base + (sel & 0xfff8u), 8),
                    mem_phys_read(&m->mem, m->cpu.gdtr.base + (sel & 0xfff8u) + 8, 8)};
    m->cpu.seg[seg] = cpu_descriptor_to_segment(&d, sel, seg == SEG_TR && (m->cpu.efer & EFER_LMA));
    cpu_update_mode(&m->cpu);
}

/* The 32-bit TSS: SS0:ESP0 for the inner stack. */
static void set_tss_stack0(Machine *m, uint16_t ss0, uint32_t esp0)
{
    uint32_t v[2] = {esp0, ss0};
    test_poke(m, TSS_BASE + 4, v, sizeof(v));
}

/* 32-bit protected mode at CPL `cpl` (CS/SS/DS/ES of that level), ESP 8000H. */
static Machine *machine32(unsigned cpl)
{
    Machine *m = gp_machine();
    install_gdt32(m);
    test_enter_flat32(m, GP_CODE);
    set_tss_stack0(m, DATA0, ESP0);
    load_seg(m, SEG_TR, TSS_SEL);
    uint16_t code = cpl ? CODE3 | 3 : CODE0, data = cpl ? DATA3 | 3 : DATA0;
    load_seg(m, SEG_CS, code);
    for (unsigned s = SEG_ES; s <= SEG_GS; s++) {
        if (s != SEG_CS)
            load_seg(m, s, data);
    }
    return m;
}

static uint32_t mem32(Machine *m, uint64_t pa) { return (uint32_t)mem_phys_read(&m->mem, pa, 4); }
static uint16_t mem16(Machine *m, uint64_t pa) { return (uint16_t)mem_phys_read(&m->mem, pa, 2); }

/* call far sel:0 (9A ptr16:32) */
static MachineStop call_far(Machine *m, uint16_t sel)
{
    uint8_t code[] = {0x9a, 0, 0, 0, 0, (uint8_t)sel, (uint8_t)(sel >> 8)};
    return gp_run(m, code, sizeof(code), 1);
}

/* jmp far sel:0 (EA ptr16:32) */
static MachineStop jmp_far(Machine *m, uint16_t sel)
{
    uint8_t code[] = {0xea, 0, 0, 0, 0, (uint8_t)sel, (uint8_t)(sel >> 8)};
    return gp_run(m, code, sizeof(code), 1);
}

/* A fault leaves CS, SS, ESP and CPL as they were. */
static void assert_fault_unchanged(Machine *m, MachineStop st, unsigned vector, uint32_t error,
                                   unsigned cpl)
{
    gp_assert_fault(m, st, vector, error);
    ck_assert_uint_eq(m->cpu.cpl, cpl);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000);
    ck_assert_uint_eq(m->cpu.seg[SEG_CS].selector, cpl ? CODE3 | 3 : CODE0);
    ck_assert_uint_eq(m->cpu.seg[SEG_SS].selector, cpl ? DATA3 | 3 : DATA0);
}

/* SDM 5.8.5 Figure 5-13: CALL from CPL 3 to a DPL-0 nonconforming segment
 * through a call gate switches to SS0:ESP0 and copies the gate's count of
 * parameters; RET imm16 (5.8.6) returns to CPL 3, releasing them on both
 * stacks, and nulls DS, which the outer level may not use. */
START_TEST(test_call_gate_call_inner_switches_stack_copies_params)
{
    Machine *m = machine32(3);
    static const uint8_t code[] = {0x68, 0x11, 0x11, 0x11, 0x11, 0x68, 0x22, 0x22, 0x22, 0x22,
                                   0x9a, 0, 0, 0, 0, GATE_INNER | 3, 0};
    static const uint8_t handler[] = {0x66, 0xb8, DATA0, 0x00, 0x8e, 0xd8, 0xca, 0x08, 0x00};
    test_poke(m, HANDLER, handler, sizeof(handler));
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 3), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->cpl, 0);
    ck_assert_uint_eq(c->seg[SEG_CS].selector, CODE0);
    ck_assert_uint_eq(c->RIP, HANDLER);
    ck_assert_uint_eq(c->seg[SEG_SS].selector, DATA0);
    ck_assert_uint_eq(c->gpr[GPR_RSP], ESP0 - 24);
    static const uint32_t frame[] = {GP_CODE + 17, CODE3 | 3, 0x22222222, 0x11111111, 0x7ff8,
                                     DATA3 | 3};
    for (unsigned i = 0; i < 6; i++)
        ck_assert_uint_eq(mem32(m, ESP0 - 24 + 4 * i), frame[i]);
    ck_assert_int_eq(machine_run(m, 3), STOP_BUDGET); /* mov ax, DATA0; mov ds, ax; retf 8 */
    ck_assert_uint_eq(c->cpl, 3);
    ck_assert_uint_eq(c->seg[SEG_CS].selector, CODE3 | 3);
    ck_assert_uint_eq(c->RIP, GP_CODE + 17);
    ck_assert_uint_eq(c->seg[SEG_SS].selector, DATA3 | 3);
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0x8000);
    ck_assert(c->seg[SEG_DS].ar & AR_UNUSABLE); /* DPL 0 < CPL 3: nulled */
    ck_assert_uint_eq(c->seg[SEG_ES].selector, DATA3 | 3);
    machine_destroy(m);
}
END_TEST

/* A 16-bit call gate pushes words: SS, SP, the parameters, CS, IP. */
START_TEST(test_call_gate_16bit_gate_pushes_words)
{
    Machine *m = machine32(3);
    static const uint8_t code[] = {0x66, 0x68, 0x11, 0x11, 0x66, 0x68, 0x22, 0x22,
                                   0x9a, 0, 0, 0, 0, GATE16 | 3, 0};
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 3), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->mode, MODE_PROT16);
    ck_assert_uint_eq(c->cpl, 0);
    ck_assert_uint_eq(c->gpr[GPR_RSP], ESP0 - 12);
    static const uint16_t frame[] = {GP_CODE + 15, CODE3 | 3, 0x2222, 0x1111, 0x7ffc, DATA3 | 3};
    for (unsigned i = 0; i < 6; i++)
        ck_assert_uint_eq(mem16(m, ESP0 - 12 + 2 * i), frame[i]);
    machine_destroy(m);
}
END_TEST

/* Table 5-1: CPL <= gate DPL, else #GP(gate selector). */
START_TEST(test_call_gate_dpl_below_cpl_gp)
{
    Machine *m = machine32(3);
    assert_fault_unchanged(m, call_far(m, GATE_DPL0 | 3), EXC_GP, GATE_DPL0, 3);
    machine_destroy(m);
}
END_TEST

/* Table 5-1: RPL <= gate DPL, else #GP(gate selector); with RPL 0 the same
 * gate works at CPL 0 (a same-privilege call: no stack switch). */
START_TEST(test_call_gate_rpl_above_dpl_gp)
{
    Machine *m = machine32(0);
    assert_fault_unchanged(m, call_far(m, GATE_DPL0 | 3), EXC_GP, GATE_DPL0, 0);
    ck_assert_int_eq(call_far(m, GATE_DPL0), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.RIP, HANDLER);
    ck_assert_uint_eq(m->cpu.seg[SEG_SS].selector, DATA0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000 - 8);
    ck_assert_uint_eq(mem32(m, 0x8000 - 8), GP_CODE + 7);
    ck_assert_uint_eq(mem32(m, 0x8000 - 4), CODE0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_call_gate_not_present_np)
{
    Machine *m = machine32(3);
    assert_fault_unchanged(m, call_far(m, GATE_NP | 3), EXC_NP, GATE_NP, 3);
    machine_destroy(m);
}
END_TEST

/* Vol. 2 CALL "CALL-GATE": a null code-segment selector is #GP(0), a
 * non-code target #GP(selector), a not-present one #NP(selector). */
START_TEST(test_call_gate_bad_target_faults)
{
    Machine *m = machine32(3);
    assert_fault_unchanged(m, call_far(m, GATE_NULL | 3), EXC_GP, 0, 3);
    assert_fault_unchanged(m, call_far(m, GATE_DATA | 3), EXC_GP, DATA0, 3);
    assert_fault_unchanged(m, call_far(m, GATE_CS_NP | 3), EXC_NP, NP_CODE0, 3);
    machine_destroy(m);
}
END_TEST

/* The target's DPL may not exceed CPL: #GP(code selector). */
START_TEST(test_call_gate_target_less_privileged_gp)
{
    Machine *m = machine32(0);
    assert_fault_unchanged(m, call_far(m, GATE_CODE3), EXC_GP, CODE3, 0);
    machine_destroy(m);
}
END_TEST

/* The entry point must lie within the target's limit: #GP(0). */
START_TEST(test_call_gate_entry_beyond_limit_gp0)
{
    Machine *m = machine32(3);
    assert_fault_unchanged(m, call_far(m, GATE_SHORT | 3), EXC_GP, 0, 3);
    machine_destroy(m);
}
END_TEST

/* Table 5-1: JMP through a gate only to a nonconforming segment with
 * DPL = CPL (#GP(code selector) otherwise); to a conforming one it works
 * and CPL stays. */
START_TEST(test_call_gate_jmp_rules)
{
    Machine *m = machine32(3);
    assert_fault_unchanged(m, jmp_far(m, GATE_INNER | 3), EXC_GP, CODE0, 3);
    ck_assert_int_eq(jmp_far(m, GATE_CONF | 3), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cpl, 3);
    ck_assert_uint_eq(m->cpu.seg[SEG_CS].selector, CONF0 | 3);
    ck_assert_uint_eq(m->cpu.RIP, HANDLER);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000);
    machine_destroy(m);
}
END_TEST

START_TEST(test_call_gate_jmp_same_privilege)
{
    Machine *m = machine32(0);
    ck_assert_int_eq(jmp_far(m, GATE_INNER), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.seg[SEG_CS].selector, CODE0);
    ck_assert_uint_eq(m->cpu.RIP, HANDLER);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000);
    machine_destroy(m);
}
END_TEST

/* A CALL to a conforming segment keeps CPL and the stack (5.8.5). */
START_TEST(test_call_gate_conforming_no_stack_switch)
{
    Machine *m = machine32(3);
    ck_assert_int_eq(call_far(m, GATE_CONF | 3), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cpl, 3);
    ck_assert_uint_eq(m->cpu.seg[SEG_CS].selector, CONF0 | 3);
    ck_assert_uint_eq(m->cpu.seg[SEG_SS].selector, DATA3 | 3);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000 - 8);
    ck_assert_uint_eq(mem32(m, 0x8000 - 4), CODE3 | 3);
    machine_destroy(m);
}
END_TEST

/* The stack from the TSS (Vol. 2 CALL "MORE-PRIVILEGE"), one rule each. */
typedef struct TssStackCase {
    uint16_t ss0;
    uint32_t esp0, tr_limit;
    unsigned vector;
    uint32_t error;
} TssStackCase;

static const TssStackCase tss_cases[] = {
    {0, ESP0, 0x67, EXC_TS, 0},               /* null SS */
    {DATA0 | 3, ESP0, 0x67, EXC_TS, DATA0},   /* RPL != new CPL */
    {DATA3, ESP0, 0x67, EXC_TS, DATA3},       /* DPL != new CPL */
    {CODE0, ESP0, 0x67, EXC_TS, CODE0},       /* not a writable data segment */
    {0x1000, ESP0, 0x67, EXC_TS, 0x1000},     /* outside the GDT */
    {NP_DATA0, ESP0, 0x67, EXC_SS, NP_DATA0}, /* not present */
    {SMALL0, 0x10, 0x67, EXC_SS, SMALL0},     /* no room for 2 parameters + 16 bytes */
    {DATA0, ESP0, 0x8, EXC_TS, TSS_SEL},      /* TSS too short for SS0:ESP0 */
};

START_TEST(test_call_gate_inner_stack_checks)
{
    const TssStackCase *t = &tss_cases[_i];
    Machine *m = machine32(3);
    set_tss_stack0(m, t->ss0, t->esp0);
    m->cpu.seg[SEG_TR].limit = t->tr_limit;
    assert_fault_unchanged(m, call_far(m, GATE_INNER | 3), t->vector, t->error, 3);
    machine_destroy(m);
}
END_TEST

/* The legal side of the room check: 24 bytes fit exactly. */
START_TEST(test_call_gate_inner_stack_exact_room)
{
    Machine *m = machine32(3);
    set_tss_stack0(m, SMALL0, 0x18);
    ck_assert_int_eq(call_far(m, GATE_INNER | 3), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.seg[SEG_SS].selector, SMALL0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0);
    machine_destroy(m);
}
END_TEST

/* --- IA-32e mode: 64-bit call gates (SDM 5.8.3.1, 5.8.5.1) --- */

enum {
    L_CODE32 = 0x08, L_DATA0 = 0x10, L_CODE64 = 0x20, L_DATA3 = 0x28, L_CODE64_3 = 0x30,
    L_TSS = 0x38,       /* 16 bytes */
    L_GATE = 0x48,      /* 16 bytes, DPL 3 -> L_CODE64:HANDLER */
    L_GATE_TYPE = 0x58, /* 16 bytes, upper type field not 0 */
    L_GATE_32 = 0x68,   /* 16 bytes, -> 32-bit code */
    L_GATE16 = 0x78,    /* a 16-bit gate type: not allowed in IA-32e mode */
    L_ENTRIES = 17
};

#define L_TSS_BASE 0x5000u
#define L_RSP0 0x9000u
#define FAR_PTR 0x3000u

static void install_gdt64(Machine *m)
{
    uint64_t g[L_ENTRIES] = {0};
    g[L_CODE32 >> 3] = seg_desc(0, 0xfffff, 0x9b, 0xc);
    g[L_DATA0 >> 3] = seg_desc(0, 0xfffff, 0x93, 0xc);
    g[L_CODE64 >> 3] = seg_desc(0, 0xfffff, 0x9b, 0xa);
    g[L_DATA3 >> 3] = seg_desc(0, 0xfffff, 0xf3, 0xc);
    g[L_CODE64_3 >> 3] = seg_desc(0, 0xfffff, 0xfb, 0xa);
    g[L_TSS >> 3] = seg_desc(L_TSS_BASE, 0x67, 0x8b, 0);
    g[L_GATE >> 3] = gate_desc(L_CODE64, HANDLER, 0xec, 0);
    g[L_GATE_TYPE >> 3] = gate_desc(L_CODE64, HANDLER, 0xec, 0);
    g[(L_GATE_TYPE >> 3) + 1] = UINT64_C(0x0c) << 40;
    g[L_GATE_32 >> 3] = gate_desc(L_CODE32, HANDLER, 0xec, 0);
    g[L_GATE16 >> 3] = gate_desc(L_CODE64, HANDLER, 0xe4, 0);
    test_poke(m, GP_GDT, g, sizeof(g));
    m->cpu.gdtr = (DescTable){GP_GDT, sizeof(g) - 1};
}

/* 64-bit mode at CPL 3 on user pages (code, data, stack), RSP0 in the TSS. */
static Machine *machine64_user(void)
{
    Machine *m = gp_long64();
    install_gdt64(m);
    uint64_t u = 4;
    for (uint64_t at = GP_PML4; at <= GP_PML4 + 0x2000; at += 0x1000)
        test_poke(m, at, &(uint64_t){mem_phys_read(&m->mem, at, 8) | u}, 8);
    gp_set_pte(m, GP_CODE, PTE_P | PTE_W | u);
    gp_set_pte(m, FAR_PTR, PTE_P | PTE_W | u);
    gp_set_pte(m, 0x7000, PTE_P | PTE_W | u);
    uint64_t rsp0 = L_RSP0;
    test_poke(m, L_TSS_BASE + 4, &rsp0, 8);
    load_seg(m, SEG_TR, L_TSS);
    load_seg(m, SEG_SS, L_DATA3 | 3);
    load_seg(m, SEG_CS, L_CODE64_3 | 3);
    return m;
}

/* call far [rip + disp] (FF /3, m16:32) with the pointer at FAR_PTR. */
static MachineStop call_far64(Machine *m, uint16_t sel)
{
    uint8_t ptr[6] = {0x78, 0x56, 0x34, 0x12, (uint8_t)sel, (uint8_t)(sel >> 8)};
    uint32_t disp = FAR_PTR - (GP_CODE + 6);
    uint8_t code[] = {0xff, 0x1d, (uint8_t)disp, (uint8_t)(disp >> 8), 0, 0};
    test_poke(m, FAR_PTR, ptr, sizeof(ptr));
    return gp_run(m, code, sizeof(code), 1);
}

/* 5.8.5.1: RSP from the 64-bit TSS, SS a null selector with RPL = the new
 * CPL, four 8-byte pushes (SS, RSP, CS, RIP), the far pointer's offset
 * ignored; RETFQ (48 CB) goes back to CPL 3. */
START_TEST(test_call_gate_64bit_call_to_ring0)
{
    Machine *m = machine64_user();
    static const uint8_t retfq[] = {0x48, 0xcb};
    test_poke(m, HANDLER, retfq, sizeof(retfq));
    ck_assert_int_eq(call_far64(m, L_GATE | 3), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->mode, MODE_LONG64);
    ck_assert_uint_eq(c->cpl, 0);
    ck_assert_uint_eq(c->RIP, HANDLER);
    ck_assert_uint_eq(c->seg[SEG_SS].selector, 0);
    ck_assert(c->seg[SEG_SS].ar & AR_UNUSABLE);
    ck_assert_uint_eq(c->gpr[GPR_RSP], L_RSP0 - 32);
    static const uint64_t frame[] = {GP_CODE + 6, L_CODE64_3 | 3, 0x8000, L_DATA3 | 3};
    for (unsigned i = 0; i < 4; i++)
        ck_assert_uint_eq(mem_phys_read(&m->mem, L_RSP0 - 32 + 8 * i, 8), frame[i]);
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(c->cpl, 3);
    ck_assert_uint_eq(c->RIP, GP_CODE + 6);
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0x8000);
    ck_assert_uint_eq(c->seg[SEG_SS].selector, L_DATA3 | 3);
    machine_destroy(m);
}
END_TEST

/* 5.8.3.1: the upper type field must be 0, the target 64-bit code (else
 * #GP(selector)); a 16-bit gate type does not exist in IA-32e mode. */
START_TEST(test_call_gate_64bit_rules)
{
    Machine *m = machine64_user();
    gp_assert_fault(m, call_far64(m, L_GATE_TYPE | 3), EXC_GP, L_GATE_TYPE);
    gp_assert_fault(m, call_far64(m, L_GATE_32 | 3), EXC_GP, L_CODE32);
    gp_assert_fault(m, call_far64(m, L_GATE16 | 3), EXC_GP, L_GATE16);
    ck_assert_uint_eq(m->cpu.cpl, 3);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000);
    machine_destroy(m);
}
END_TEST

/* 5.8.5.1: a non-canonical RSP0 cannot take the pushes: #SS(0). */
START_TEST(test_call_gate_64bit_noncanonical_stack_ss)
{
    Machine *m = machine64_user();
    uint64_t rsp0 = UINT64_C(0x0000800000000010);
    test_poke(m, L_TSS_BASE + 4, &rsp0, 8);
    gp_assert_fault(m, call_far64(m, L_GATE | 3), EXC_SS, 0);
    ck_assert_uint_eq(m->cpu.cpl, 3);
    machine_destroy(m);
}
END_TEST

/* The shared outer-return path (exec_far.c load_outer_stack, used by far
 * RET and IRET): a null SS is loaded only for a return to 64-bit code at
 * CPL < 3; returning to compatibility mode with it is #GP(0). */
START_TEST(test_call_gate_return_null_ss_only_to_64bit_code)
{
    Machine *m = gp_long64();
    install_gdt64(m);
    uint64_t frame[5] = {0x1800, L_CODE32, RFLAGS_FIXED1, 0x7000, 0};
    test_poke(m, 0x8000 - 40, frame, sizeof(frame));
    m->cpu.gpr[GPR_RSP] = 0x8000 - 40;
    static const uint8_t iretq[] = {0x48, 0xcf};
    gp_assert_fault(m, gp_run(m, iretq, sizeof(iretq), 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x8000 - 40);
    frame[1] = L_CODE64;
    test_poke(m, 0x8000 - 40, frame, sizeof(frame));
    ck_assert_int_eq(gp_run(m, iretq, sizeof(iretq), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.RIP, 0x1800);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], 0x7000);
    ck_assert(m->cpu.seg[SEG_SS].ar & AR_UNUSABLE);
    ck_assert_uint_eq(m->cpu.mode, MODE_LONG64);
    machine_destroy(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("call_gate");
    TCase *tc = tcase_create("protected");
    tcase_add_test(tc, test_call_gate_call_inner_switches_stack_copies_params);
    tcase_add_test(tc, test_call_gate_16bit_gate_pushes_words);
    tcase_add_test(tc, test_call_gate_dpl_below_cpl_gp);
    tcase_add_test(tc, test_call_gate_rpl_above_dpl_gp);
    tcase_add_test(tc, test_call_gate_not_present_np);
    tcase_add_test(tc, test_call_gate_bad_target_faults);
    tcase_add_test(tc, test_call_gate_target_less_privileged_gp);
    tcase_add_test(tc, test_call_gate_entry_beyond_limit_gp0);
    tcase_add_test(tc, test_call_gate_jmp_rules);
    tcase_add_test(tc, test_call_gate_jmp_same_privilege);
    tcase_add_test(tc, test_call_gate_conforming_no_stack_switch);
    tcase_add_loop_test(tc, test_call_gate_inner_stack_checks, 0, SIM_ARRAY_SIZE(tss_cases));
    tcase_add_test(tc, test_call_gate_inner_stack_exact_room);
    suite_add_tcase(s, tc);
    TCase *tl = tcase_create("ia32e");
    tcase_add_test(tl, test_call_gate_64bit_call_to_ring0);
    tcase_add_test(tl, test_call_gate_64bit_rules);
    tcase_add_test(tl, test_call_gate_64bit_noncanonical_stack_ss);
    tcase_add_test(tl, test_call_gate_return_null_ss_only_to_64bit_code);
    suite_add_tcase(s, tl);
    return s;
}

CHECK_MAIN(suite)
