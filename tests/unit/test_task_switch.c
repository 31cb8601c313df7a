/* Hardware task switching (SDM Vol. 3A 7.3 "Task Switching", Table 7-1,
 * 7.4 "Task Linking", 7.6 16-bit TSS, 7.7 IA-32e mode; Vol. 2 JMP/CALL/IRET/
 * INT n): JMP, CALL, IRET, INT n and exceptions through task gates; the
 * checks before the commit point (old task untouched) and after it (the
 * fault belongs to the new task). */
#include "check_main.h"
#include "fake_intc.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/segmentation.h"
#include "sim/cpu/string_repeat.h"

#define TSS_A 0x7000u /* the current task */
#define TSS_B 0x7100u
#define TSS_D 0x7200u
#define TSS_S 0x7300u
#define TSS_16 0x7400u
#define TSS_V 0x7500u
#define LDT_BASE 0x7600u
#define TSS_FAR 0x30000u /* on its own page */
#define IDT_BASE 0x5000u
#define B_EIP 0x2000u
#define B_ESP 0x9000u
#define HANDLER 0x3000u

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)flags << 52) |
           ((uint64_t)(base >> 24) << 56);
}

/* Task gate (SDM 7.2.5 Figure 7-6) or interrupt gate (6.11 Figure 6-2). */
static uint64_t gate_desc(uint16_t sel, uint32_t off, unsigned access)
{
    return (off & 0xffffu) | ((uint64_t)sel << 16) | ((uint64_t)access << 40) |
           ((uint64_t)(off >> 16) << 48);
}

enum {
    CODE0 = 0x08, DATA0 = 0x10, CODE3 = 0x18, DATA3 = 0x20,
    SEL_A = 0x28,     /* busy, DPL 0 */
    SEL_B = 0x30,     /* available, DPL 3 */
    GATE_B = 0x38,    /* task gate DPL 3 -> SEL_B */
    SEL_D0 = 0x40,    /* available, DPL 0 */
    SEL_SHORT = 0x48, /* limit 60H */
    SEL_NP = 0x50,    /* not present */
    SEL_16 = 0x58,    /* 16-bit TSS */
    SEL_LDT = 0x60,
    GATE_NP = 0x68, GATE_DPL0 = 0x70, GATE_BUSY = 0x78, GATE_LDT = 0x80,
    CODE0_NP = 0x88, CODE0_XO = 0x90, DATA0_NP = 0x98,
    CODE0_SHORT = 0xa0, /* limit FFFH */
    SEL_V86 = 0xa8,
    SEL_FAR = 0xb0,    /* TSS on a page of its own */
    SEL_BUSY_NP = 0xb8,
    CONF0 = 0xc0,
    GDT_ENTRIES = 25
};

static void install_gdt(Machine *m)
{
    uint64_t g[GDT_ENTRIES] = {0};
    g[CODE0 >> 3] = seg_desc(0, 0xfffff, 0x9b, 0xc);
    g[DATA0 >> 3] = seg_desc(0, 0xfffff, 0x93, 0xc);
    g[CODE3 >> 3] = seg_desc(0, 0xfffff, 0xfb, 0xc);
    g[DATA3 >> 3] = seg_desc(0, 0xfffff, 0xf3, 0xc);
    g[SEL_A >> 3] = seg_desc(TSS_A, 0x67, 0x8b, 0);
    g[SEL_B >> 3] = seg_desc(TSS_B, 0x67, 0xe9, 0);
    g[GATE_B >> 3] = gate_desc(SEL_B, 0, 0xe5);
    g[SEL_D0 >> 3] = seg_desc(TSS_D, 0x67, 0x89, 0);
    g[SEL_SHORT >> 3] = seg_desc(TSS_S, 0x60, 0x89, 0);
    g[SEL_NP >> 3] = seg_desc(TSS_S, 0x67, 0x09, 0);
    g[SEL_16 >> 3] = seg_desc(TSS_16, 0x2b, 0x81, 0);
    g[SEL_LDT >> 3] = seg_desc(LDT_BASE, 0xf, 0x82, 0);
    g[GATE_NP >> 3] = gate_desc(SEL_B, 0, 0x65);
    g[GATE_DPL0 >> 3] = gate_desc(SEL_B, 0, 0x85);
    g[GATE_BUSY >> 3] = gate_desc(SEL_A, 0, 0xe5);
    g[GATE_LDT >> 3] = gate_desc(0x04, 0, 0xe5);
    g[CODE0_NP >> 3] = seg_desc(0, 0xfffff, 0x1b, 0xc);
    g[CODE0_XO >> 3] = seg_desc(0, 0xfffff, 0x99, 0xc);
    g[DATA0_NP >> 3] = seg_desc(0, 0xfffff, 0x13, 0xc);
    g[CODE0_SHORT >> 3] = seg_desc(0, 0xfff, 0x9b, 0x4);
    g[SEL_V86 >> 3] = seg_desc(TSS_V, 0x67, 0x89, 0);
    g[SEL_FAR >> 3] = seg_desc(TSS_FAR, 0x67, 0x89, 0);
    g[SEL_BUSY_NP >> 3] = seg_desc(TSS_S, 0x67, 0x0b, 0);
    g[CONF0 >> 3] = seg_desc(0, 0xfffff, 0x9f, 0xc);
    test_poke(m, GP_GDT, g, sizeof(g));
    m->cpu.gdtr = (DescTable){GP_GDT, sizeof(g) - 1};
    uint64_t ldt[2] = {seg_desc(TSS_B, 0x67, 0xe9, 0), seg_desc(0, 0xfffff, 0x93, 0xc)};
    test_poke(m, LDT_BASE, ldt, sizeof(ldt));
}

static uint8_t gdt_access(Machine *m, uint16_t sel)
{
    return (uint8_t)mem_phys_read(&m->mem, GP_GDT + (sel & 0xfff8u) + 5, 1);
}

static void load_seg(Machine *m, unsigned seg, uint16_t sel)
{
    Descriptor d = {mem_phys_read(&m->mem, m->cpu.gdtr.base + (sel & 0xfff8u), 8), 0};
    m->cpu.seg[seg] = cpu_descriptor_to_segment(&d, sel, false);
    cpu_update_mode(&m->cpu);
}

/* A 32-bit task image (SDM 7.2.1 Figure 7-2). */
typedef struct Task {
    uint32_t eip, eflags, gpr[8], cr3;
    uint16_t seg[6], ldt, trap;
} Task;

static Task task_b(void)
{
    Task t = {B_EIP, 0x203, {0xb0, 0xb1, 0xb2, 0xb3, B_ESP, 0xb5, 0xb6, 0xb7}, 0,
              {DATA0, CODE0, DATA0, DATA0, DATA0, DATA0}, 0, 0};
    return t;
}

static void write_tss32(Machine *m, uint32_t base, const Task *t)
{
    uint32_t v[26] = {0};
    v[7] = t->cr3;
    v[8] = t->eip;
    v[9] = t->eflags;
    for (unsigned i = 0; i < 8; i++)
        v[10 + i] = t->gpr[i];
    for (unsigned s = 0; s < 6; s++)
        v[18 + s] = t->seg[s];
    v[24] = t->ldt;
    v[25] = t->trap | (0x68u << 16);
    test_poke(m, base, v, sizeof(v));
}

static uint32_t mem32(Machine *m, uint64_t pa) { return (uint32_t)mem_phys_read(&m->mem, pa, 4); }
static uint16_t mem16(Machine *m, uint64_t pa) { return (uint16_t)mem_phys_read(&m->mem, pa, 2); }

/* Task A at CPL `cpl` runs at GP_CODE; task B is ready in TSS_B. */
static Machine *machine_tasks(unsigned cpl)
{
    Machine *m = gp_machine();
    install_gdt(m);
    test_enter_flat32(m, GP_CODE);
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 8 - 1};
    load_seg(m, SEG_TR, SEL_A);
    load_seg(m, SEG_CS, cpl ? CODE3 | 3 : CODE0);
    for (unsigned s = SEG_ES; s <= SEG_GS; s++) {
        if (s != SEG_CS)
            load_seg(m, s, cpl ? DATA3 | 3 : DATA0);
    }
    for (unsigned i = 0; i < 8; i++) {
        if (i != GPR_RSP)
            m->cpu.gpr[i] = 0xa0 + i;
    }
    Task b = task_b();
    write_tss32(m, TSS_B, &b);
    return m;
}

static MachineStop far_insn(Machine *m, uint8_t opcode, uint16_t sel)
{
    uint8_t code[] = {opcode, 0, 0, 0, 0, (uint8_t)sel, (uint8_t)(sel >> 8)};
    return gp_run(m, code, sizeof(code), 1);
}

static MachineStop jmp_far(Machine *m, uint16_t sel) { return far_insn(m, 0xea, sel); }
static MachineStop call_far(Machine *m, uint16_t sel) { return far_insn(m, 0x9a, sel); }

/* Task B's registers are in place (SDM 7.3 step 12). */
static void assert_in_task_b(Machine *m)
{
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->seg[SEG_TR].selector, SEL_B);
    ck_assert_uint_eq(c->seg[SEG_TR].ar & AR_TYPE_MASK, DESC_TSS32_BUSY);
    ck_assert_uint_eq(gdt_access(m, SEL_B) & 0xf, DESC_TSS32_BUSY);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0xb0);
    ck_assert_uint_eq(c->gpr[GPR_RDI], 0xb7);
    ck_assert(c->cr0 & CR0_TS);
}

/* Task A's state was saved into its TSS (7.3 step 8). */
static void assert_a_saved(Machine *m, uint32_t eip)
{
    ck_assert_uint_eq(mem32(m, TSS_A + 0x20), eip);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x28), 0xa0);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x38), 0x8000);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x44), 0xa7);
    ck_assert_uint_eq(mem16(m, TSS_A + 0x4c), CODE0);
    ck_assert_uint_eq(mem16(m, TSS_A + 0x50), DATA0);
}

/* A fault before the commit point: nothing of task A changed. */
static void assert_still_a(Machine *m, MachineStop st, unsigned vector, uint32_t error)
{
    gp_assert_fault(m, st, vector, error);
    ck_assert_uint_eq(m->cpu.seg[SEG_TR].selector, SEL_A);
    ck_assert_uint_eq(gdt_access(m, SEL_A) & 0xf, DESC_TSS32_BUSY);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0xa0);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x20), 0);
    ck_assert(!(m->cpu.cr0 & CR0_TS));
}

/* JMP to an available TSS: A's busy flag cleared, no link, NT unchanged. */
START_TEST(test_task_jmp_to_tss_switches)
{
    Machine *m = machine_tasks(0);
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    assert_in_task_b(m);
    assert_a_saved(m, GP_CODE + 7);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->RIP, B_EIP);
    ck_assert_uint_eq(c->gpr[GPR_RSP], B_ESP);
    ck_assert_uint_eq(cpu_get_rflags(c), 0x203);
    ck_assert_uint_eq(gdt_access(m, SEL_A), 0x89);
    ck_assert_uint_eq(mem16(m, TSS_B), 0);
    ck_assert_uint_eq(c->seg[SEG_CS].selector, CODE0);
    ck_assert_uint_eq(c->seg[SEG_DS].selector, DATA0);
    ck_assert(!(c->seg[SEG_DS].ar & AR_UNUSABLE));
    machine_destroy(m);
}
END_TEST

/* CALL nests (7.4): link = A, NT = 1, A stays busy; IRET returns to A,
 * clears B's busy flag and saves B's EFLAGS with NT = 0. */
START_TEST(test_task_call_nests_iret_returns)
{
    Machine *m = machine_tasks(0);
    static const uint8_t iretd = 0xcf;
    test_poke(m, B_EIP, &iretd, 1);
    ck_assert_int_eq(call_far(m, SEL_B), STOP_BUDGET);
    assert_in_task_b(m);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(mem16(m, TSS_B), SEL_A);
    ck_assert(c->rflags & RFLAGS_NT);
    ck_assert_uint_eq(gdt_access(m, SEL_A), 0x8b);
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(c->seg[SEG_TR].selector, SEL_A);
    ck_assert_uint_eq(c->RIP, GP_CODE + 7);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0xa0);
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0x8000);
    ck_assert_uint_eq(gdt_access(m, SEL_B), 0xe9);
    ck_assert_uint_eq(mem32(m, TSS_B + 0x20), B_EIP + 1);
    ck_assert_uint_eq(mem32(m, TSS_B + 0x24) & RFLAGS_NT, 0);
    ck_assert_uint_eq(c->rflags & RFLAGS_NT, 0);
    machine_destroy(m);
}
END_TEST

/* 7.3 step 2: through a task gate, its DPL is checked (not the TSS's):
 * CPL 3 reaches B, and the new task's CPL comes from its CS. */
START_TEST(test_task_call_through_gate_from_cpl3)
{
    Machine *m = machine_tasks(3);
    ck_assert_int_eq(call_far(m, GATE_B | 3), STOP_BUDGET);
    assert_in_task_b(m);
    ck_assert_uint_eq(m->cpu.cpl, 0);
    ck_assert_uint_eq(mem16(m, TSS_B), SEL_A);
    machine_destroy(m);
}
END_TEST

/* SDM 6.12.2: INT n through a task gate nests like CALL, saving the EIP
 * after the INT. */
START_TEST(test_task_int_through_task_gate)
{
    Machine *m = machine_tasks(0);
    uint64_t gate = gate_desc(SEL_B, 0, 0xe5);
    test_poke(m, IDT_BASE + 0x40 * 8, &gate, 8);
    static const uint8_t code[] = {0xcd, 0x40};
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    assert_in_task_b(m);
    assert_a_saved(m, GP_CODE + 2);
    ck_assert_uint_eq(mem16(m, TSS_B), SEL_A);
    ck_assert(m->cpu.rflags & RFLAGS_NT);
    machine_destroy(m);
}
END_TEST

/* An exception through a task gate pushes its error code on the new
 * task's stack (Vol. 2 INT n "TASK-GATE"); the saved EIP is the faulting
 * instruction's. */
START_TEST(test_task_exception_error_code_on_new_stack)
{
    Machine *m = machine_tasks(0);
    m->cpu.exception_stop_mask = ~(UINT32_C(1) << EXC_GP);
    uint64_t gate = gate_desc(SEL_B, 0, 0xe5);
    test_poke(m, IDT_BASE + EXC_GP * 8, &gate, 8);
    static const uint8_t hlt = 0xf4;
    test_poke(m, B_EIP, &hlt, 1);
    static const uint8_t code[] = {0x66, 0xb8, 0xf8, 0x0f, 0x8e, 0xd8}; /* mov ds, 0xff8 */
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_HALTED);
    assert_in_task_b(m);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x20), GP_CODE + 4);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], B_ESP - 4);
    ck_assert_uint_eq(mem32(m, B_ESP - 4), 0xff8);
    machine_destroy(m);
}
END_TEST

/* The double-fault handler as a task (SDM 6.15 "Interrupt 8"): #GP through
 * an invalid gate is contributory twice; #DF reaches B with error code 0. */
START_TEST(test_task_double_fault_task_gate)
{
    Machine *m = machine_tasks(0);
    m->cpu.exception_stop_mask = 0;
    uint64_t gate = gate_desc(SEL_B, 0, 0xe5);
    test_poke(m, IDT_BASE + EXC_DF * 8, &gate, 8);
    static const uint8_t hlt = 0xf4;
    test_poke(m, B_EIP, &hlt, 1);
    static const uint8_t code[] = {0x66, 0xb8, 0xf8, 0x0f, 0x8e, 0xd8};
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_HALTED);
    assert_in_task_b(m);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], B_ESP - 4);
    ck_assert_uint_eq(mem32(m, B_ESP - 4), 0);
    ck_assert_uint_eq(mem16(m, TSS_B), SEL_A);
    machine_destroy(m);
}
END_TEST

/* Table 7-1 "TSS descriptor is not busy": JMP to the running task's TSS. */
START_TEST(test_task_jmp_busy_tss_gp)
{
    Machine *m = machine_tasks(0);
    assert_still_a(m, jmp_far(m, SEL_A), EXC_GP, SEL_A);
    machine_destroy(m);
}
END_TEST

/* 7.3 step 2: CPL and RPL must not exceed the TSS's DPL: #GP(selector). */
START_TEST(test_task_tss_dpl_checks_gp)
{
    Machine *m = machine_tasks(3);
    gp_assert_fault(m, call_far(m, SEL_D0 | 3), EXC_GP, SEL_D0);
    ck_assert_uint_eq(m->cpu.seg[SEG_TR].selector, SEL_A);
    machine_destroy(m);
    m = machine_tasks(0);
    assert_still_a(m, call_far(m, SEL_D0 | 3), EXC_GP, SEL_D0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_task_tss_not_present_np)
{
    Machine *m = machine_tasks(0);
    assert_still_a(m, jmp_far(m, SEL_NP), EXC_NP, SEL_NP);
    machine_destroy(m);
}
END_TEST

/* Table 7-1: a 32-bit TSS limit below 67H is #TS(new TSS). */
START_TEST(test_task_tss_limit_short_ts)
{
    Machine *m = machine_tasks(0);
    assert_still_a(m, jmp_far(m, SEL_SHORT), EXC_TS, SEL_SHORT);
    machine_destroy(m);
}
END_TEST

/* Table 7-1: the TSS descriptor must be in the GDT. */
START_TEST(test_task_tss_in_ldt_gp)
{
    Machine *m = machine_tasks(0);
    load_seg(m, SEG_LDTR, SEL_LDT);
    assert_still_a(m, jmp_far(m, 0x04), EXC_GP, 0x04);
    machine_destroy(m);
}
END_TEST

/* Vol. 2 JMP/CALL "TASK-GATE": gate DPL (#GP(gate)), gate present
 * (#NP(gate)), then the TSS it names: in the GDT, not busy (#GP(TSS)). */
START_TEST(test_task_gate_checks)
{
    Machine *m = machine_tasks(3);
    gp_assert_fault(m, jmp_far(m, GATE_DPL0 | 3), EXC_GP, GATE_DPL0);
    gp_assert_fault(m, jmp_far(m, GATE_NP | 3), EXC_NP, GATE_NP);
    gp_assert_fault(m, jmp_far(m, GATE_BUSY | 3), EXC_GP, SEL_A);
    gp_assert_fault(m, jmp_far(m, GATE_LDT | 3), EXC_GP, 0x04);
    ck_assert_uint_eq(m->cpu.seg[SEG_TR].selector, SEL_A);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x20), 0);
    machine_destroy(m);
}
END_TEST

/* The old TSS must hold the state saved into it (Table 6-6): #TS(old TSS). */
START_TEST(test_task_old_tss_too_short_ts)
{
    Machine *m = machine_tasks(0);
    m->cpu.seg[SEG_TR].limit = 0x50;
    assert_still_a(m, jmp_far(m, SEL_B), EXC_TS, SEL_A);
    machine_destroy(m);
}
END_TEST

/* 32-bit paging with every page present but TSS_FAR's: identity 4 KiB
 * mappings for 0..4 MiB. */
static void enable_paging32(Machine *m, uint32_t pd, uint32_t pt)
{
    uint32_t pde = pt | 3;
    test_poke(m, pd, &pde, 4);
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t pte = (i << 12) | (((i << 12) == TSS_FAR) ? 0 : 3);
        test_poke(m, pt + 4 * i, &pte, 4);
    }
    m->cpu.cr3 = pd;
    m->cpu.cr0 |= CR0_PG;
    mem_tlb_flush_all(&m->cpu.tlb);
}

/* 7.3 step 5: the new TSS is paged in before anything is saved; a #PF on
 * it comes in the old task. */
START_TEST(test_task_new_tss_page_fault_before_commit)
{
    Machine *m = machine_tasks(0);
    enable_paging32(m, 0x20000, 0x21000);
    assert_still_a(m, jmp_far(m, SEL_FAR), EXC_PF, 0);
    ck_assert_uint_eq(m->cpu.fault.address, TSS_FAR + 0x20);
    machine_destroy(m);
}
END_TEST

/* With paging on, CR3 comes from the new TSS (7.2.1 "CR3 control register
 * field"); without paging it is not loaded. */
START_TEST(test_task_cr3_loaded_only_with_paging)
{
    Machine *m = machine_tasks(0);
    Task b = task_b();
    b.cr3 = 0x22000;
    write_tss32(m, TSS_B, &b);
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr3, 0);
    machine_destroy(m);
    m = machine_tasks(0);
    write_tss32(m, TSS_B, &b);
    enable_paging32(m, 0x20000, 0x21000);
    test_poke(m, 0x22000, &(uint32_t){0x21003}, 4);
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr3, 0x22000);
    ck_assert_uint_eq(m->cpu.RIP, B_EIP);
    machine_destroy(m);
}
END_TEST

/* PAE paging (SDM 4.4): task A's PDPT maps 0..1 GiB, task B's also
 * 1..2 GiB, both to one 2 MiB identity page; A's PDPTE registers loaded. */
#define PDPT_A 0x20000u
#define PDPT_B 0x20020u
#define PD_ID 0x21000u
#define PDE_2M UINT64_C(0x83) /* P, R/W, PS: the 2 MiB page at 0 */

static void enable_pae_paging(Machine *m, uint64_t b_pdpte1)
{
    uint64_t a[4] = {PD_ID | 1, 0, 0, 0}, b[4] = {PD_ID | 1, b_pdpte1, 0, 0};
    test_poke(m, PD_ID, &(uint64_t){PDE_2M}, 8);
    test_poke(m, PDPT_A, a, sizeof(a));
    test_poke(m, PDPT_B, b, sizeof(b));
    m->cpu.cr4 |= CR4_PAE;
    m->cpu.cr3 = PDPT_A;
    memcpy(m->cpu.pdpte, a, sizeof(a));
    m->cpu.cr0 |= CR0_PG;
    mem_tlb_flush_all(&m->cpu.tlb);
}

static Machine *machine_pae_tasks(uint32_t b_cr3, uint64_t b_pdpte1)
{
    Machine *m = machine_tasks(0);
    Task b = task_b();
    b.cr3 = b_cr3;
    write_tss32(m, TSS_B, &b);
    enable_pae_paging(m, b_pdpte1);
    return m;
}

/* SDM 4.4.1 "PDPTE Registers": with PAE paging, a task switch that changes
 * CR3 loads the PDPTEs from the new CR3, and the walk uses them: B reads
 * through PDPTE1, which only its table has. */
START_TEST(test_task_pae_new_cr3_loads_pdptes)
{
    Machine *m = machine_pae_tasks(PDPT_B, PD_ID | 1);
    static const uint8_t load[] = {0xa1, 0x00, 0x30, 0x00, 0x40}; /* mov eax, [0x40003000] */
    test_poke(m, B_EIP, load, sizeof(load));
    test_poke(m, GP_DATA, &(uint32_t){0x600dcafe}, 4);
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cr3, PDPT_B);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_uint_eq(m->cpu.pdpte[i], mem_phys_read(&m->mem, PDPT_B + 8 * i, 8));
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x600dcafe);
    machine_destroy(m);
}
END_TEST

/* A present PDPTE with a reserved bit (Table 4-8: bits 2:1) is #GP(0), as
 * for MOV to CR3, raised before anything of task A is saved (task_switch.c
 * read_new_pdptes); the same PDPTE not present is accepted. */
START_TEST(test_task_pae_reserved_pdpte_gp_before_commit)
{
    Machine *m = machine_pae_tasks(PDPT_B, PD_ID | 1 | 2);
    assert_still_a(m, jmp_far(m, SEL_B), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.cr3, PDPT_A);
    ck_assert_uint_eq(m->cpu.pdpte[1], 0);
    ck_assert_uint_eq(gdt_access(m, SEL_B), 0xe9);
    machine_destroy(m);
    m = machine_pae_tasks(PDPT_B, PD_ID | 2);
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.pdpte[1], PD_ID | 2);
    machine_destroy(m);
}
END_TEST

/* SDM 4.4.1 loads the PDPTEs when a task switch "changes the value of CR3":
 * a new task with the same CR3 keeps the registers, so a reserved bit
 * written to the table since they were loaded goes unseen. */
START_TEST(test_task_pae_same_cr3_keeps_pdptes)
{
    Machine *m = machine_pae_tasks(PDPT_A, 0);
    uint64_t bad = PD_ID | 1 | 2;
    test_poke(m, PDPT_A + 8, &bad, 8);
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    assert_in_task_b(m);
    ck_assert_uint_eq(m->cpu.pdpte[1], 0);
    machine_destroy(m);
}
END_TEST

/* SDM 7.3 step 7 and Table 7-2 "NT flag of old task": JMP and CALL leave NT
 * as it is in the EFLAGS image saved in the old TSS (IRET clears it:
 * test_task_call_nests_iret_returns). */
START_TEST(test_task_jmp_call_save_nt_unchanged)
{
    for (unsigned call = 0; call < 2; call++) {
        Machine *m = machine_tasks(0);
        cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_NT);
        ck_assert_int_eq(far_insn(m, call ? 0x9a : 0xea, SEL_B), STOP_BUDGET);
        assert_in_task_b(m);
        ck_assert_uint_eq(mem32(m, TSS_A + 0x24), RFLAGS_FIXED1 | RFLAGS_NT);
        ck_assert_uint_eq(!!(m->cpu.rflags & RFLAGS_NT), call); /* Table 7-2, new task */
        machine_destroy(m);
    }
}
END_TEST

/* SDM 17.3.1.1: RF in the EFLAGS image of an event's handler is 1 for a
 * fault-class exception; through a task gate that image is the one saved
 * in the old TSS (Task switches "transfer the RF image from the TSS"), so
 * IRET back to the task restarts the instruction without its breakpoint. */
START_TEST(test_task_fault_through_gate_saves_rf)
{
    Machine *m = machine_tasks(0);
    m->cpu.exception_stop_mask = 0;
    uint64_t gate = gate_desc(SEL_B, 0, 0xe5);
    test_poke(m, IDT_BASE + EXC_UD * 8, &gate, 8);
    static const uint8_t hlt = 0xf4, ud2[] = {0x0f, 0x0b};
    test_poke(m, B_EIP, &hlt, 1);
    ck_assert_int_eq(gp_run(m, ud2, sizeof(ud2), 5), STOP_HALTED);
    assert_in_task_b(m);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x20), GP_CODE);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x24), RFLAGS_FIXED1 | RFLAGS_RF);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_RF, 0); /* B's own image */
    machine_destroy(m);
}
END_TEST

/* The other side (17.3.1.1 "For other cases, the value pushed for RF is the
 * value that was in EFLAGS.RF"): INT n saves RF = 0, cleared when the INT
 * started even though the task entered it with RF = 1; so does the
 * instruction-breakpoint #DB, a fault that is not given RF = 1. */
START_TEST(test_task_int_and_code_breakpoint_save_rf_clear)
{
    Machine *m = machine_tasks(0);
    uint64_t gate = gate_desc(SEL_B, 0, 0xe5);
    test_poke(m, IDT_BASE + 0x40 * 8, &gate, 8);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_RF);
    static const uint8_t intn[] = {0xcd, 0x40};
    ck_assert_int_eq(gp_run(m, intn, sizeof(intn), 1), STOP_BUDGET);
    assert_in_task_b(m);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x24), RFLAGS_FIXED1);
    machine_destroy(m);
    m = machine_tasks(0);
    m->cpu.exception_stop_mask = 0;
    test_poke(m, IDT_BASE + EXC_DB * 8, &gate, 8);
    m->cpu.dr[0] = GP_CODE;
    m->cpu.dr[7] |= 1; /* L0, instruction breakpoint (R/W0 = 00, LEN0 = 00) */
    ck_assert_int_eq(gp_run(m, intn, sizeof(intn), 1), STOP_BUDGET);
    assert_in_task_b(m);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x20), GP_CODE);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x24), RFLAGS_FIXED1);
    machine_destroy(m);
}
END_TEST

/* --- events through task gates from an external interrupt line --- */

#define INTR_VECTOR 0x40u
#define INTR_PORT 0xe0u

/* The interrupt controller (fake_intc.h): one vector, raised by the test
 * or by a write to INTR_PORT. */
static void attach_task_pic(Machine *m, FakePic *p)
{
    fake_pic_attach(m, p, INTR_VECTOR, false);
    fake_pic_raise_on_port(p, INTR_PORT);
}

/* How the #GP of a switch to a task whose PDPTEs have a reserved bit is
 * caused, and the EXT bit it gets (SDM 6.13 "Error Code": 1 for an event
 * external to the program or an exception being delivered; 0 for INT n). */
typedef struct PdpteEvent {
    const char *what;
    uint8_t code[2];
    unsigned vector;
    bool external;
    uint32_t error;
} PdpteEvent;

static const PdpteEvent pdpte_events[] = {
    {"INTR", {0x90, 0x90}, INTR_VECTOR, true, 1},
    {"#UD", {0x0f, 0x0b}, EXC_UD, false, 1},
    {"INT n", {0xcd, INTR_VECTOR}, INTR_VECTOR, false, 0},
};

/* SDM 4.4.1 "PDPTE Registers" and 7.3 step 12: the reserved-bit #GP of the
 * new task's PDPTEs is raised in the old task (task_switch.c
 * read_new_pdptes) with EXT as for every fault of the switch: a hardware
 * interrupt or exception delivered through a task gate gives #GP(1), INT n
 * #GP(0); the #GP handler runs in task A with A's EIP. */
START_TEST(test_task_pae_reserved_pdpte_gp_ext)
{
    const PdpteEvent *e = &pdpte_events[_i];
    Machine *m = machine_pae_tasks(PDPT_B, PD_ID | 1 | 2);
    FakePic pic = {0};
    attach_task_pic(m, &pic);
    m->cpu.exception_stop_mask = 0;
    uint64_t task_gate = gate_desc(SEL_B, 0, 0xe5), gp_gate = gate_desc(CODE0, HANDLER, 0x8e);
    test_poke(m, IDT_BASE + e->vector * 8, &task_gate, 8);
    test_poke(m, IDT_BASE + EXC_GP * 8, &gp_gate, 8);
    static const uint8_t hlt = 0xf4;
    test_poke(m, HANDLER, &hlt, 1);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_IF);
    if (e->external)
        fake_pic_set_intr(&pic, true);
    ck_assert_msg(gp_run(m, e->code, sizeof(e->code), 5) == STOP_HALTED, "%s", e->what);
    ck_assert_uint_eq(m->cpu.RIP, HANDLER + 1);
    ck_assert_uint_eq(m->cpu.seg[SEG_TR].selector, SEL_A);
    ck_assert_uint_eq(m->cpu.cr3, PDPT_A);
    ck_assert_uint_eq(m->cpu.pdpte[1], 0);
    ck_assert_uint_eq(gdt_access(m, SEL_B), 0xe9);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x20), 0);
    ck_assert_msg(mem32(m, 0x8000 - 16) == e->error, "%s: error %x", e->what,
                  mem32(m, 0x8000 - 16));
    ck_assert_uint_eq(mem32(m, 0x8000 - 12), GP_CODE);
    machine_destroy(m);
}
END_TEST

/* SDM 17.3.1.1: for an external interrupt "the value pushed for RF is the
 * value that was in EFLAGS.RF"; through a task gate that is the image saved
 * in the old TSS (7.3 step 8).  One side: an interrupt taken before the
 * first instruction (as after an IRET that loaded RF = 1) saves RF = 1;
 * the other: after an instruction, which cleared RF at its start, RF = 0. */
START_TEST(test_task_intr_through_gate_saves_rf)
{
    for (unsigned after_insn = 0; after_insn < 2; after_insn++) {
        Machine *m = machine_tasks(0);
        FakePic pic = {0};
        attach_task_pic(m, &pic);
        uint64_t gate = gate_desc(SEL_B, 0, 0xe5);
        test_poke(m, IDT_BASE + INTR_VECTOR * 8, &gate, 8);
        cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_IF | RFLAGS_RF);
        static const uint8_t nops[] = {0x90, 0x90};
        if (after_insn)
            ck_assert_int_eq(gp_run(m, nops, sizeof(nops), 1), STOP_BUDGET);
        else
            test_poke(m, GP_CODE, nops, sizeof(nops));
        fake_pic_set_intr(&pic, true);
        ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
        assert_in_task_b(m);
        ck_assert_uint_eq(mem16(m, TSS_B), SEL_A);
        ck_assert_uint_eq(mem32(m, TSS_A + 0x20), GP_CODE + after_insn);
        uint32_t rf = after_insn ? 0 : RFLAGS_RF;
        ck_assert_uint_eq(mem32(m, TSS_A + 0x24), RFLAGS_FIXED1 | RFLAGS_IF | rf);
        machine_destroy(m);
    }
}
END_TEST

/* 17.3.1.1: an interrupt "after any iteration of a repeated string
 * instruction but the last" saves RF = 1 with the string instruction's
 * EIP: REP OUTSB whose first write raises INTR, taken after the first
 * chunk of STRING_CHUNK iterations (string_repeat.h) on the fast path. */
START_TEST(test_task_intr_mid_rep_string_saves_rf)
{
    Machine *m = machine_tasks(0);
    FakePic pic = {0};
    attach_task_pic(m, &pic);
    uint64_t gate = gate_desc(SEL_B, 0, 0xe5);
    test_poke(m, IDT_BASE + INTR_VECTOR * 8, &gate, 8);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_IF);
    m->cpu.gpr[GPR_RCX] = STRING_CHUNK + 2;
    m->cpu.gpr[GPR_RDX] = INTR_PORT;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    static const uint8_t rep_outsb[] = {0xf3, 0x6e};
    ck_assert_int_eq(gp_run(m, rep_outsb, sizeof(rep_outsb), 1), STOP_BUDGET);
    assert_in_task_b(m);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x20), GP_CODE);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x24), RFLAGS_FIXED1 | RFLAGS_IF | RFLAGS_RF);
    ck_assert_uint_eq(mem32(m, TSS_A + 0x2c), 2); /* ECX left */
    machine_destroy(m);
}
END_TEST

/* SDM 17.2.4 "Debug Control Register (DR7)": every task switch clears the
 * local enables L0-L3; the global ones G0-G3 and the rest of DR7 stay. */
START_TEST(test_task_switch_clears_local_breakpoint_enables)
{
    Machine *m = machine_tasks(0);
    uint64_t dr7 = 0x400 | 0xff | (UINT64_C(0x1d) << 16);
    m->cpu.dr[7] = dr7;
    m->cpu.dr[0] = m->cpu.dr[1] = m->cpu.dr[2] = m->cpu.dr[3] = 0xfff000;
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    assert_in_task_b(m);
    ck_assert_uint_eq(m->cpu.dr[7], dr7 & ~UINT64_C(0x55));
    machine_destroy(m);
}
END_TEST

/* IRET with NT = 1 (Vol. 2 IRET "TASK-RETURN"): the link must be a busy
 * TSS in the GDT (#TS(link)) that is present (#NP(link)). */
typedef struct LinkCase {
    uint16_t link;
    unsigned vector;
} LinkCase;

static const LinkCase link_cases[] = {
    {0x04, EXC_TS},        /* TI = 1 */
    {0x0ff8, EXC_TS},      /* beyond the GDT limit */
    {SEL_B, EXC_TS},       /* available, not busy */
    {DATA0, EXC_TS},       /* not a TSS */
    {SEL_BUSY_NP, EXC_NP}, /* busy but not present */
};

START_TEST(test_task_iret_link_checks)
{
    const LinkCase *t = &link_cases[_i];
    Machine *m = machine_tasks(0);
    test_poke(m, TSS_A, &t->link, 2);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_NT);
    static const uint8_t iretd = 0xcf;
    assert_still_a(m, gp_run(m, &iretd, 1, 1), t->vector, t->link & 0xfffc);
    machine_destroy(m);
}
END_TEST

/* After the commit point (7.3 step 13) the fault is the new task's: TR and
 * the registers are B's, the saved EIP of A is after the JMP, and the
 * fault is reported at B's EIP. */
static void assert_fault_in_b(Machine *m, MachineStop st, unsigned vector, uint32_t error)
{
    ck_assert_int_eq(st, STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, vector);
    ck_assert_uint_eq(m->cpu.fault.error, error);
    ck_assert_uint_eq(m->cpu.RIP, B_EIP);
    assert_in_task_b(m);
    assert_a_saved(m, GP_CODE + 7);
}

typedef struct SegCase {
    uint16_t cs, ss, ds, ldt;
    unsigned vector;
    uint32_t error;
} SegCase;

static const SegCase seg_cases[] = {
    {CODE0, DATA0, DATA0, DATA0, EXC_TS, DATA0},           /* LDT selector not an LDT */
    {CODE0, DATA0, DATA0, 0x64, EXC_TS, 0x64},             /* LDT selector in the LDT */
    {CODE0, 0, DATA0, 0, EXC_TS, 0},                       /* null SS */
    {CODE0, DATA0_NP, DATA0, 0, EXC_SS, DATA0_NP},         /* SS not present */
    {CODE0, DATA3, DATA0, 0, EXC_TS, DATA3},               /* SS DPL != CPL */
    {CODE0, DATA0 | 3, DATA0, 0, EXC_TS, DATA0},           /* SS RPL != CPL */
    {CODE0, CODE0, DATA0, 0, EXC_TS, CODE0},               /* SS not writable data */
    {0, DATA0, DATA0, 0, EXC_TS, 0},                       /* null CS */
    {DATA0, DATA0, DATA0, 0, EXC_TS, DATA0},               /* CS not code */
    {CODE0 | 3, DATA3 | 3, DATA3 | 3, 0, EXC_TS, CODE0},   /* CS DPL != RPL */
    {CODE0_NP, DATA0, DATA0, 0, EXC_NP, CODE0_NP},         /* CS not present */
    {CODE0, DATA0, DATA0_NP, 0, EXC_NP, DATA0_NP},         /* DS not present */
    {CODE0, DATA0, CODE0_XO, 0, EXC_TS, CODE0_XO},         /* DS execute-only */
    {CODE3 | 3, DATA3 | 3, DATA0, 0, EXC_TS, DATA0},       /* DS DPL < CPL */
    {CODE0, DATA0, 0x0ff8, 0, EXC_TS, 0x0ff8},             /* DS beyond the GDT */
    {CODE0_SHORT, DATA0, DATA0, 0, EXC_GP, 0},             /* EIP beyond the CS limit */
};

START_TEST(test_task_new_task_segment_checks)
{
    const SegCase *t = &seg_cases[_i];
    Machine *m = machine_tasks(0);
    Task b = task_b();
    b.seg[SEG_CS] = t->cs;
    b.seg[SEG_SS] = t->ss;
    b.seg[SEG_DS] = t->ds;
    b.ldt = t->ldt;
    write_tss32(m, TSS_B, &b);
    assert_fault_in_b(m, jmp_far(m, SEL_B), t->vector, t->error);
    machine_destroy(m);
}
END_TEST

/* The legal variants: an LDT loaded from the TSS, a data segment from that
 * LDT, a conforming readable code segment in DS at CPL 3, a null ES. */
START_TEST(test_task_new_task_segments_legal)
{
    Machine *m = machine_tasks(0);
    Task b = task_b();
    b.ldt = SEL_LDT;
    b.seg[SEG_FS] = 0x0c; /* LDT entry 1: flat data */
    b.seg[SEG_ES] = 0;
    write_tss32(m, TSS_B, &b);
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->seg[SEG_LDTR].base, LDT_BASE);
    ck_assert_uint_eq(c->seg[SEG_FS].selector, 0x0c);
    ck_assert(!(c->seg[SEG_FS].ar & AR_UNUSABLE));
    ck_assert(c->seg[SEG_ES].ar & AR_UNUSABLE);
    machine_destroy(m);
    m = machine_tasks(0);
    b = task_b();
    for (unsigned i = SEG_ES; i <= SEG_GS; i++)
        b.seg[i] = DATA3 | 3;
    b.seg[SEG_CS] = CODE3 | 3;
    b.seg[SEG_DS] = CONF0 | 3;
    write_tss32(m, TSS_B, &b);
    ck_assert_int_eq(jmp_far(m, SEL_B), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.cpl, 3);
    ck_assert_uint_eq(m->cpu.seg[SEG_DS].selector, CONF0 | 3);
    machine_destroy(m);
}
END_TEST

/* A fault after the commit point is delivered in the new task: the
 * handler's frame holds B's EIP. */
START_TEST(test_task_post_commit_fault_delivered_in_new_task)
{
    Machine *m = machine_tasks(0);
    m->cpu.exception_stop_mask = 0;
    Task b = task_b();
    b.seg[SEG_DS] = DATA0_NP;
    write_tss32(m, TSS_B, &b);
    uint64_t gate = gate_desc(CODE0, HANDLER, 0x8e);
    test_poke(m, IDT_BASE + EXC_NP * 8, &gate, 8);
    static const uint8_t hlt = 0xf4;
    test_poke(m, HANDLER, &hlt, 1);
    static const uint8_t jmp[] = {0xea, 0, 0, 0, 0, SEL_B, 0};
    ck_assert_int_eq(gp_run(m, jmp, sizeof(jmp), 5), STOP_HALTED);
    ck_assert_uint_eq(m->cpu.seg[SEG_TR].selector, SEL_B);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], B_ESP - 16);
    ck_assert_uint_eq(mem32(m, B_ESP - 16), DATA0_NP);
    ck_assert_uint_eq(mem32(m, B_ESP - 12), B_EIP);
    ck_assert_uint_eq(mem32(m, B_ESP - 8), CODE0);
    machine_destroy(m);
}
END_TEST

/* SDM 6.13: a fault while delivering an exception (here #UD through a task
 * gate to a too-short TSS) has EXT = 1 in its error code. */
START_TEST(test_task_event_fault_has_ext)
{
    Machine *m = machine_tasks(0);
    m->cpu.exception_stop_mask = 0;
    uint64_t task_gate = gate_desc(SEL_SHORT, 0, 0xe5), ts_gate = gate_desc(CODE0, HANDLER, 0x8e);
    test_poke(m, IDT_BASE + EXC_UD * 8, &task_gate, 8);
    test_poke(m, IDT_BASE + EXC_TS * 8, &ts_gate, 8);
    static const uint8_t hlt = 0xf4, ud2[] = {0x0f, 0x0b};
    test_poke(m, HANDLER, &hlt, 1);
    ck_assert_int_eq(gp_run(m, ud2, sizeof(ud2), 5), STOP_HALTED);
    ck_assert_uint_eq(m->cpu.seg[SEG_TR].selector, SEL_A);
    ck_assert_uint_eq(mem32(m, 0x8000 - 16), SEL_SHORT | 1);
    ck_assert_uint_eq(mem32(m, 0x8000 - 12), GP_CODE);
    machine_destroy(m);
}
END_TEST

/* INT n is a software event: EXT = 0 in the #TS of the same switch. */
START_TEST(test_task_int_fault_no_ext)
{
    Machine *m = machine_tasks(0);
    uint64_t gate = gate_desc(SEL_SHORT, 0, 0xe5);
    test_poke(m, IDT_BASE + 0x40 * 8, &gate, 8);
    static const uint8_t code[] = {0xcd, 0x40};
    assert_still_a(m, gp_run(m, code, sizeof(code), 1), EXC_TS, SEL_SHORT);
    machine_destroy(m);
}
END_TEST

/* 7.2.1 "T (debug trap) flag": a debug exception in the new task, before
 * its first instruction, with DR6.BT set. */
START_TEST(test_task_trap_flag_debug_exception)
{
    Machine *m = machine_tasks(0);
    Task b = task_b();
    b.trap = 1;
    write_tss32(m, TSS_B, &b);
    assert_fault_in_b(m, jmp_far(m, SEL_B), EXC_DB, 0);
    ck_assert(m->cpu.dr[6] & (UINT64_C(1) << 15));
    machine_destroy(m);
}
END_TEST

/* SDM 7.6: a 16-bit TSS loads IP, FLAGS, the word registers (the upper
 * halves FFFFH, vmxsim's choice), ES, CS, SS, DS; FS and GS become null;
 * leaving the task saves into the 16-bit layout. */
START_TEST(test_task_16bit_tss)
{
    Machine *m = machine_tasks(0);
    static const uint16_t t16[22] = {0, 0, 0, 0, 0, 0, 0, B_EIP, 0x0002, 0x1234, 1, 2, 3,
                                     0x7000, 5, 6, 7, DATA0, CODE0, DATA0, DATA0, 0};
    test_poke(m, TSS_16, t16, sizeof(t16));
    static const uint8_t back[] = {0xea, 0, 0, 0, 0, SEL_A, 0};
    test_poke(m, B_EIP, back, sizeof(back));
    ck_assert_int_eq(jmp_far(m, SEL_16), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->seg[SEG_TR].selector, SEL_16);
    ck_assert_uint_eq(c->RIP, B_EIP);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0xffff1234);
    ck_assert_uint_eq(c->gpr[GPR_RSP], 0xffff7000);
    ck_assert(c->seg[SEG_FS].ar & AR_UNUSABLE);
    ck_assert_uint_eq(gdt_access(m, SEL_16), 0x83);
    c->gpr[GPR_RAX] = 0xabcd5678;
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(c->seg[SEG_TR].selector, SEL_A);
    ck_assert_uint_eq(c->RIP, GP_CODE + 7);
    ck_assert_uint_eq(mem16(m, TSS_16 + 0x0e), B_EIP + 7);
    ck_assert_uint_eq(mem16(m, TSS_16 + 0x12), 0x5678);
    ck_assert_uint_eq(gdt_access(m, SEL_16), 0x81);
    machine_destroy(m);
}
END_TEST

/* A TSS whose EFLAGS has VM = 1 starts a virtual-8086 task (SDM 20.2.5). */
START_TEST(test_task_switch_to_v86_task)
{
    Machine *m = machine_tasks(0);
    Task v = task_b();
    v.eflags = RFLAGS_VM | RFLAGS_FIXED1;
    v.eip = 0x10;
    uint16_t sel[6] = {0x100, 0x200, 0x300, 0x400, 0x500, 0x600};
    for (unsigned s = 0; s < 6; s++)
        v.seg[s] = sel[s];
    write_tss32(m, TSS_V, &v);
    ck_assert_int_eq(jmp_far(m, SEL_V86), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->mode, MODE_V86);
    ck_assert_uint_eq(c->cpl, 3);
    ck_assert_uint_eq(c->RIP, 0x10);
    for (unsigned s = 0; s < 6; s++) {
        ck_assert_uint_eq(c->seg[s].base, (uint64_t)sel[s] << 4);
        ck_assert_uint_eq(c->seg[s].ar, 0xf3);
    }
    machine_destroy(m);
}
END_TEST

/* SDM 7.7: no task switches in IA-32e mode: JMP to a TSS is #GP(selector),
 * IRET with NT = 1 #GP(0), a task gate in the IDT #GP(vector * 8 + 2). */
START_TEST(test_task_ia32e_mode_gp)
{
    Machine *m = gp_long64();
    uint64_t g[8] = {0, seg_desc(0, 0xfffff, 0x9b, 0xc), seg_desc(0, 0xfffff, 0x93, 0xc), 0,
                     seg_desc(0, 0xfffff, 0x9b, 0xa), seg_desc(TSS_B, 0x67, 0x89, 0), 0, 0};
    test_poke(m, GP_GDT, g, sizeof(g));
    m->cpu.gdtr = (DescTable){GP_GDT, sizeof(g) - 1};
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 16 - 1};
    uint64_t gate[2] = {gate_desc(0x28, 0, 0xe5), 0};
    test_poke(m, IDT_BASE + 0x40 * 16, gate, sizeof(gate));
    static const uint8_t jmp[] = {0xff, 0x2d, 0xfa, 0x1f, 0, 0}; /* jmp far [rip + 0x1ffa] */
    uint8_t ptr[6] = {0, 0, 0, 0, 0x28, 0};
    test_poke(m, 0x3000, ptr, sizeof(ptr));
    gp_assert_fault(m, gp_run(m, jmp, sizeof(jmp), 1), EXC_GP, 0x28);
    static const uint8_t intn[] = {0xcd, 0x40};
    gp_assert_fault(m, gp_run(m, intn, sizeof(intn), 1), EXC_GP, 0x40 * 8 + 2);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_NT);
    static const uint8_t iretq[] = {0x48, 0xcf};
    gp_assert_fault(m, gp_run(m, iretq, sizeof(iretq), 1), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("task_switch");
    TCase *tc = tcase_create("switch");
    tcase_add_test(tc, test_task_jmp_to_tss_switches);
    tcase_add_test(tc, test_task_call_nests_iret_returns);
    tcase_add_test(tc, test_task_call_through_gate_from_cpl3);
    tcase_add_test(tc, test_task_int_through_task_gate);
    tcase_add_test(tc, test_task_exception_error_code_on_new_stack);
    tcase_add_test(tc, test_task_double_fault_task_gate);
    tcase_add_test(tc, test_task_16bit_tss);
    tcase_add_test(tc, test_task_switch_to_v86_task);
    tcase_add_test(tc, test_task_cr3_loaded_only_with_paging);
    tcase_add_test(tc, test_task_pae_new_cr3_loads_pdptes);
    tcase_add_test(tc, test_task_pae_same_cr3_keeps_pdptes);
    tcase_add_test(tc, test_task_jmp_call_save_nt_unchanged);
    tcase_add_test(tc, test_task_fault_through_gate_saves_rf);
    tcase_add_test(tc, test_task_int_and_code_breakpoint_save_rf_clear);
    tcase_add_test(tc, test_task_intr_through_gate_saves_rf);
    tcase_add_test(tc, test_task_intr_mid_rep_string_saves_rf);
    tcase_add_test(tc, test_task_switch_clears_local_breakpoint_enables);
    suite_add_tcase(s, tc);
    TCase *pre = tcase_create("before_commit");
    tcase_add_test(pre, test_task_jmp_busy_tss_gp);
    tcase_add_test(pre, test_task_tss_dpl_checks_gp);
    tcase_add_test(pre, test_task_tss_not_present_np);
    tcase_add_test(pre, test_task_tss_limit_short_ts);
    tcase_add_test(pre, test_task_tss_in_ldt_gp);
    tcase_add_test(pre, test_task_gate_checks);
    tcase_add_test(pre, test_task_old_tss_too_short_ts);
    tcase_add_test(pre, test_task_new_tss_page_fault_before_commit);
    tcase_add_test(pre, test_task_pae_reserved_pdpte_gp_before_commit);
    tcase_add_loop_test(pre, test_task_pae_reserved_pdpte_gp_ext, 0, SIM_ARRAY_SIZE(pdpte_events));
    tcase_add_loop_test(pre, test_task_iret_link_checks, 0, SIM_ARRAY_SIZE(link_cases));
    tcase_add_test(pre, test_task_event_fault_has_ext);
    tcase_add_test(pre, test_task_int_fault_no_ext);
    tcase_add_test(pre, test_task_ia32e_mode_gp);
    suite_add_tcase(s, pre);
    TCase *post = tcase_create("after_commit");
    tcase_add_loop_test(post, test_task_new_task_segment_checks, 0, SIM_ARRAY_SIZE(seg_cases));
    tcase_add_test(post, test_task_new_task_segments_legal);
    tcase_add_test(post, test_task_post_commit_fault_delivered_in_new_task);
    tcase_add_test(post, test_task_trap_flag_debug_exception);
    suite_add_tcase(s, post);
    return s;
}

CHECK_MAIN(suite)
