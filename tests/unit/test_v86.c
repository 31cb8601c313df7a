/* Virtual-8086 mode (SDM Vol. 3B chapter 20): entering it by IRET, the
 * interrupt/exception frame out of it, the IOPL-sensitive instructions,
 * the virtual-8086 mode extensions (CR4.VME: VIF/VIP and the software
 * interrupt redirection bit map) and protected-mode virtual interrupts
 * (CR4.PVI). */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/segmentation.h"

#define IDT_BASE 0x5000u
#define TSS_BASE 0x7000u
#define IOMAP 0x88u      /* I/O map base: the redirection bit map is at 68H..87H */
#define ESP0 0x9000u
#define H_IRET 0x4000u   /* CPL-0 handler: IRETD */
#define H_HLT 0x4100u    /* CPL-0 handler: HLT */
#define V_CS 0x0200u
#define V_IP 0x0010u
#define V_CODE ((V_CS << 4) + V_IP)
#define V_SS 0x0a00u
#define V_SP 0x1000u
#define V_STACK ((V_SS << 4) + V_SP)
#define FRAME_ESP (0x8000u - 36)

enum { CODE0 = 0x08, DATA0 = 0x10, CODE3 = 0x18, DATA3 = 0x20, TSS_SEL = 0x28, CONF0 = 0x30 };

static const uint16_t v86_sel[6] = {0x0100, V_CS, V_SS, 0x0110, 0x0120, 0x0130};

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffffu) | ((uint64_t)(base & 0xffffffu) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)flags << 52) |
           ((uint64_t)(base >> 24) << 56);
}

static void set_idt_gate(Machine *m, unsigned vector, uint16_t sel, uint32_t off, unsigned access)
{
    uint64_t g = (off & 0xffffu) | ((uint64_t)sel << 16) | ((uint64_t)access << 40) |
                 ((uint64_t)(off >> 16) << 48);
    test_poke(m, IDT_BASE + vector * 8, &g, 8);
}

static void load_seg(Machine *m, unsigned seg, uint16_t sel)
{
    Descriptor d = {mem_phys_read(&m->mem, m->cpu.gdtr.base + (sel & 0xfff8u), 8), 0};
    m->cpu.seg[seg] = cpu_descriptor_to_segment(&d, sel, false);
    cpu_update_mode(&m->cpu);
}

static uint32_t mem32(Machine *m, uint64_t pa) { return (uint32_t)mem_phys_read(&m->mem, pa, 4); }
static uint16_t mem16(Machine *m, uint64_t pa) { return (uint16_t)mem_phys_read(&m->mem, pa, 2); }

/* Flat 32-bit protected mode at CPL 0 with a GDT, a TSS (SS0:ESP0, the
 * I/O map base) and an IDT. */
static Machine *machine_pm(void)
{
    Machine *m = gp_machine();
    uint64_t g[7] = {0,
                     seg_desc(0, 0xfffff, 0x9b, 0xc),
                     seg_desc(0, 0xfffff, 0x93, 0xc),
                     seg_desc(0, 0xfffff, 0xfb, 0xc),
                     seg_desc(0, 0xfffff, 0xf3, 0xc),
                     seg_desc(TSS_BASE, IOMAP + 0x20, 0x8b, 0),
                     seg_desc(0, 0xfffff, 0x9f, 0xc)};
    test_poke(m, GP_GDT, g, sizeof(g));
    m->cpu.gdtr = (DescTable){GP_GDT, sizeof(g) - 1};
    test_enter_flat32(m, GP_CODE);
    uint32_t tss[2] = {ESP0, DATA0};
    test_poke(m, TSS_BASE + 4, tss, sizeof(tss));
    uint16_t iomap = IOMAP;
    test_poke(m, TSS_BASE + 0x66, &iomap, 2);
    load_seg(m, SEG_TR, TSS_SEL);
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 8 - 1};
    static const uint8_t iretd = 0xcf, hlt = 0xf4;
    test_poke(m, H_IRET, &iretd, 1);
    test_poke(m, H_HLT, &hlt, 1);
    return m;
}

/* Write the IRETD frame that enters virtual-8086 mode (SDM Vol. 2 IRET:
 * EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS) at FRAME_ESP. */
static void write_v86_frame(Machine *m, uint32_t eip, uint32_t eflags)
{
    uint32_t f[9] = {eip, V_CS, eflags, V_SP, V_SS, v86_sel[SEG_ES], v86_sel[SEG_DS],
                     v86_sel[SEG_FS], v86_sel[SEG_GS]};
    test_poke(m, FRAME_ESP, f, sizeof(f));
    m->cpu.gpr[GPR_RSP] = FRAME_ESP;
}

/* IRETD from CPL 0 into virtual-8086 mode at V_CS:V_IP with `flags`
 * (VM is added); `cr4` is set first. */
static Machine *machine_v86(uint32_t flags, uint64_t cr4)
{
    Machine *m = machine_pm();
    m->cpu.cr4 = cr4;
    write_v86_frame(m, V_IP, flags | RFLAGS_VM | RFLAGS_FIXED1);
    static const uint8_t iretd = 0xcf;
    ck_assert_int_eq(gp_run(m, &iretd, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.mode, MODE_V86);
    return m;
}

/* Run virtual-8086 code poked at V_CS:V_IP. */
static MachineStop run_v86(Machine *m, const void *code, size_t n, uint64_t count)
{
    test_poke(m, V_CODE, code, n);
    m->cpu.RIP = V_IP;
    return machine_run(m, count);
}

/* SDM Vol. 2 IRET "RETURN-TO-VIRTUAL-8086-MODE": EFLAGS from the frame, the
 * six segment registers with base = selector * 16, SS:ESP, CPL 3. */
START_TEST(test_v86_iret_enters_v86)
{
    Machine *m = machine_v86(RFLAGS_IOPL | RFLAGS_CF, 0);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->cpl, 3);
    ck_assert_uint_eq(c->RIP, V_IP);
    ck_assert_uint_eq(c->gpr[GPR_RSP], V_SP);
    ck_assert_uint_eq(cpu_get_rflags(c), RFLAGS_VM | RFLAGS_IOPL | RFLAGS_CF | RFLAGS_FIXED1);
    for (unsigned s = SEG_ES; s <= SEG_GS; s++) {
        ck_assert_uint_eq(c->seg[s].selector, v86_sel[s]);
        ck_assert_uint_eq(c->seg[s].base, (uint64_t)v86_sel[s] << 4);
        ck_assert_uint_eq(c->seg[s].limit, 0xffff);
        ck_assert_uint_eq(c->seg[s].ar, 0xf3); /* SDM 26.3.1.2: virtual-8086 access rights */
    }
    static const uint8_t code[] = {0xb8, 0x34, 0x12}; /* mov ax, 0x1234 (16-bit code) */
    ck_assert_int_eq(run_v86(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(c->gpr[GPR_RAX] & 0xffff, 0x1234);
    machine_destroy(m);
}
END_TEST

/* An EIP beyond the FFFFH limit is #GP(0) before anything changes. */
START_TEST(test_v86_iret_eip_beyond_limit_gp)
{
    Machine *m = machine_pm();
    write_v86_frame(m, 0x10000, RFLAGS_VM | RFLAGS_FIXED1);
    static const uint8_t iretd = 0xcf;
    gp_assert_fault(m, gp_run(m, &iretd, 1, 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.mode, MODE_PROT32);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], FRAME_ESP);
    ck_assert_uint_eq(m->cpu.seg[SEG_DS].selector, 0x10);
    machine_destroy(m);
}
END_TEST

/* Only CPL 0 enters virtual-8086 mode by IRET: at CPL 3 the VM bit of the
 * image is ignored and a protected-mode return follows (Vol. 2 IRET). */
START_TEST(test_v86_iret_at_cpl3_stays_protected)
{
    Machine *m = machine_pm();
    load_seg(m, SEG_CS, CODE3 | 3);
    load_seg(m, SEG_SS, DATA3 | 3);
    uint32_t f[3] = {0x1800, CODE3 | 3, RFLAGS_VM | RFLAGS_FIXED1};
    test_poke(m, FRAME_ESP, f, sizeof(f));
    m->cpu.gpr[GPR_RSP] = FRAME_ESP;
    static const uint8_t iretd = 0xcf;
    ck_assert_int_eq(gp_run(m, &iretd, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.mode, MODE_PROT32);
    ck_assert_uint_eq(m->cpu.RIP, 0x1800);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_VM, 0);
    machine_destroy(m);
}
END_TEST

/* A fault in virtual-8086 mode that changed nothing. */
static void assert_v86_fault(Machine *m, MachineStop st, unsigned vector, uint32_t error)
{
    ck_assert_int_eq(st, STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, vector);
    ck_assert_uint_eq(m->cpu.fault.error, error);
    ck_assert_uint_eq(m->cpu.RIP, V_IP);
    ck_assert_uint_eq(m->cpu.mode, MODE_V86);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], V_SP);
}

/* The protected-mode frame of SDM 20.3.1.1 Figure 20-4 at `at` (the EIP
 * slot): EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS; CPL 0 on SS0 from the
 * TSS, the data segments nulled, VM cleared. */
static void assert_v86_frame(Machine *m, uint32_t at, uint32_t eip)
{
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->mode, MODE_PROT32);
    ck_assert_uint_eq(c->cpl, 0);
    ck_assert_uint_eq(c->seg[SEG_SS].selector, DATA0);
    ck_assert_uint_eq(mem32(m, at), eip);
    ck_assert_uint_eq(mem32(m, at + 4), V_CS);
    ck_assert(mem32(m, at + 8) & RFLAGS_VM);
    ck_assert_uint_eq(mem32(m, at + 12), V_SP);
    ck_assert_uint_eq(mem32(m, at + 16), V_SS);
    static const unsigned order[4] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(mem32(m, at + 20 + 4 * i), v86_sel[order[i]]);
        ck_assert_uint_eq(c->seg[order[i]].selector, 0);
        ck_assert(c->seg[order[i]].ar & AR_UNUSABLE);
    }
    ck_assert_uint_eq(c->rflags & RFLAGS_VM, 0);
}

/* Method 1 (Table 20-2: VME = 0, IOPL = 3): INT n goes to the CPL-0
 * handler; its IRETD returns to virtual-8086 mode. */
START_TEST(test_v86_int_to_ring0_and_back)
{
    Machine *m = machine_v86(RFLAGS_IOPL | RFLAGS_IF, 0);
    set_idt_gate(m, 0x21, CODE0, H_IRET, 0xee);
    static const uint8_t code[] = {0xcd, 0x21, 0x90};
    ck_assert_int_eq(run_v86(m, code, sizeof(code), 1), STOP_BUDGET);
    assert_v86_frame(m, ESP0 - 36, V_IP + 2);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], ESP0 - 36);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_IF, 0); /* interrupt gate */
    ck_assert_uint_eq(m->cpu.RIP, H_IRET);
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->mode, MODE_V86);
    ck_assert_uint_eq(c->RIP, V_IP + 2);
    ck_assert_uint_eq(c->gpr[GPR_RSP], V_SP);
    ck_assert_uint_eq(c->seg[SEG_DS].base, (uint64_t)v86_sel[SEG_DS] << 4);
    ck_assert(c->rflags & RFLAGS_IF);
    machine_destroy(m);
}
END_TEST

/* An exception's error code follows EIP in the same frame (here the #GP(0)
 * of CLI at IOPL 0). */
START_TEST(test_v86_exception_frame_with_error_code)
{
    Machine *m = machine_v86(0, 0);
    m->cpu.exception_stop_mask = 0;
    set_idt_gate(m, EXC_GP, CODE0, H_HLT, 0x8e);
    static const uint8_t cli = 0xfa;
    ck_assert_int_eq(run_v86(m, &cli, 1, 3), STOP_HALTED);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], ESP0 - 40);
    ck_assert_uint_eq(mem32(m, ESP0 - 40), 0);
    assert_v86_frame(m, ESP0 - 36, V_IP);
    machine_destroy(m);
}
END_TEST

/* INT n checks the gate's DPL against CPL 3: #GP(vector * 8 + 2). */
START_TEST(test_v86_int_gate_dpl0_gp)
{
    Machine *m = machine_v86(RFLAGS_IOPL, 0);
    set_idt_gate(m, 0x21, CODE0, H_HLT, 0x8e);
    static const uint8_t code[] = {0xcd, 0x21};
    assert_v86_fault(m, run_v86(m, code, sizeof(code), 1), EXC_GP, 0x21 * 8 + 2);
    machine_destroy(m);
}
END_TEST

/* Vol. 2 INT n "TRAP-OR-INTERRUPT-GATE": from virtual-8086 mode the handler
 * must be nonconforming with DPL 0, else #GP(selector). */
START_TEST(test_v86_int_handler_not_dpl0_gp)
{
    static const uint16_t handlers[] = {CONF0, CODE3};
    for (unsigned i = 0; i < 2; i++) {
        Machine *m = machine_v86(RFLAGS_IOPL, 0);
        set_idt_gate(m, 0x21, handlers[i], H_HLT, 0xee);
        static const uint8_t code[] = {0xcd, 0x21};
        assert_v86_fault(m, run_v86(m, code, sizeof(code), 1), EXC_GP, handlers[i]);
        machine_destroy(m);
    }
}
END_TEST

/* SDM 20.2.7 "Sensitive Instructions": with IOPL < 3 (and no VME) CLI, STI,
 * PUSHF, POPF, INT n and IRET are #GP(0), as are the 32-bit forms. */
typedef struct Insn {
    uint8_t bytes[3];
    uint8_t len;
} Insn;

static const Insn sensitive[] = {
    {{0xfa}, 1},       {{0xfb}, 1},       {{0x9c}, 1},       {{0x9d}, 1}, {{0xcd, 0x21}, 2},
    {{0xcf}, 1},       {{0x66, 0x9c}, 2}, {{0x66, 0x9d}, 2}, {{0x66, 0xcf}, 2},
};

START_TEST(test_v86_iopl_sensitive_gp)
{
    Machine *m = machine_v86(RFLAGS_IF, 0);
    set_idt_gate(m, 0x21, CODE0, H_HLT, 0xee);
    assert_v86_fault(m, run_v86(m, sensitive[_i].bytes, sensitive[_i].len, 1), EXC_GP, 0);
    ck_assert(m->cpu.rflags & RFLAGS_IF);
    machine_destroy(m);
}
END_TEST

/* With IOPL = 3 they act as in real mode; IOPL is not changed by POPF or
 * IRET (Vol. 2 POPF, IRET "RETURN-FROM-VIRTUAL-8086-MODE"). */
START_TEST(test_v86_iopl3_flag_instructions)
{
    Machine *m = machine_v86(RFLAGS_IOPL | RFLAGS_IF, 0);
    CpuState *c = &m->cpu;
    static const uint8_t cli_pushf[] = {0xfa, 0x9c};
    ck_assert_int_eq(run_v86(m, cli_pushf, sizeof(cli_pushf), 2), STOP_BUDGET);
    ck_assert_uint_eq(c->rflags & RFLAGS_IF, 0);
    ck_assert_uint_eq(mem16(m, V_STACK - 2), RFLAGS_IOPL | RFLAGS_FIXED1);
    uint16_t image = RFLAGS_IF | RFLAGS_CF | RFLAGS_FIXED1; /* IOPL 0 in the image */
    test_poke(m, V_STACK - 2, &image, 2);
    static const uint8_t popf = 0x9d;
    c->gpr[GPR_RSP] = V_SP - 2;
    ck_assert_int_eq(run_v86(m, &popf, 1, 1), STOP_BUDGET);
    ck_assert(c->rflags & RFLAGS_IF);
    ck_assert_uint_eq(c->rflags & RFLAGS_IOPL, RFLAGS_IOPL);
    ck_assert(cpu_get_rflags(c) & RFLAGS_CF);
    uint16_t frame[3] = {0x20, 0x0210, RFLAGS_FIXED1};
    test_poke(m, V_STACK, frame, sizeof(frame));
    static const uint8_t iret = 0xcf;
    ck_assert_int_eq(run_v86(m, &iret, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(c->RIP, 0x20);
    ck_assert_uint_eq(c->seg[SEG_CS].base, 0x2100);
    ck_assert_uint_eq(c->gpr[GPR_RSP], V_SP + 6);
    ck_assert_uint_eq(c->rflags & (RFLAGS_IF | RFLAGS_IOPL), RFLAGS_IOPL);
    ck_assert_uint_eq(c->mode, MODE_V86);
    machine_destroy(m);
}
END_TEST

/* IRETD in virtual-8086 mode with an EIP beyond CS's limit: #GP(0). */
START_TEST(test_v86_iretd_eip_beyond_limit_gp)
{
    Machine *m = machine_v86(RFLAGS_IOPL, 0);
    uint32_t frame[3] = {0x10000, V_CS, RFLAGS_FIXED1};
    test_poke(m, V_STACK, frame, sizeof(frame));
    static const uint8_t iretd[] = {0x66, 0xcf};
    assert_v86_fault(m, run_v86(m, iretd, sizeof(iretd), 1), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* INT3 is not IOPL-sensitive: at IOPL 0 it reaches the protected-mode
 * handler (a DPL-3 gate). */
START_TEST(test_v86_int3_not_iopl_sensitive)
{
    Machine *m = machine_v86(0, 0);
    set_idt_gate(m, EXC_BP, CODE0, H_HLT, 0xee);
    static const uint8_t int3 = 0xcc;
    ck_assert_int_eq(run_v86(m, &int3, 1, 3), STOP_HALTED);
    assert_v86_frame(m, ESP0 - 36, V_IP + 1);
    machine_destroy(m);
}
END_TEST

/* SDM 20.3.2 (VME, IOPL < 3): CLI and STI change VIF, not IF; STI with
 * VIP = 1 is #GP(0). */
START_TEST(test_v86_vme_cli_sti_virtual_if)
{
    Machine *m = machine_v86(RFLAGS_IF | RFLAGS_VIF, CR4_VME);
    CpuState *c = &m->cpu;
    static const uint8_t cli = 0xfa, sti = 0xfb;
    ck_assert_int_eq(run_v86(m, &cli, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(c->rflags & (RFLAGS_IF | RFLAGS_VIF), RFLAGS_IF);
    c->rflags &= ~(uint64_t)RFLAGS_IF;
    ck_assert_int_eq(run_v86(m, &sti, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(c->rflags & (RFLAGS_IF | RFLAGS_VIF), RFLAGS_VIF);
    c->rflags = (c->rflags & ~(uint64_t)RFLAGS_VIF) | RFLAGS_VIP;
    assert_v86_fault(m, run_v86(m, &sti, 1, 1), EXC_GP, 0);
    ck_assert_uint_eq(c->rflags & RFLAGS_VIF, 0);
    machine_destroy(m);
}
END_TEST

/* VME PUSHF: FLAGS with IF = VIF and IOPL = 3; POPF loads VIF from the
 * image's IF, leaving IF and IOPL. */
START_TEST(test_v86_vme_pushf_popf)
{
    Machine *m = machine_v86(RFLAGS_VIF, CR4_VME);
    CpuState *c = &m->cpu;
    static const uint8_t pushf = 0x9c, popf = 0x9d;
    ck_assert_int_eq(run_v86(m, &pushf, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(mem16(m, V_STACK - 2), RFLAGS_IOPL | RFLAGS_IF | RFLAGS_FIXED1);
    ck_assert_uint_eq(c->rflags & RFLAGS_IF, 0);
    uint16_t image = RFLAGS_CF | RFLAGS_FIXED1; /* IF = 0 */
    test_poke(m, V_STACK - 2, &image, 2);
    ck_assert_int_eq(run_v86(m, &popf, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(c->rflags & (RFLAGS_VIF | RFLAGS_IF | RFLAGS_IOPL), 0);
    ck_assert(cpu_get_rflags(c) & RFLAGS_CF);
    ck_assert_uint_eq(c->gpr[GPR_RSP], V_SP);
    machine_destroy(m);
}
END_TEST

/* SDM 20.3.2: an image with TF = 1, or IF = 1 while VIP = 1, is #GP(0) for
 * POPF and IRET; the 32-bit forms are #GP(0) under VME too. */
typedef struct VmeCase {
    uint8_t bytes[2], len;
    uint16_t image;
    bool vip;
} VmeCase;

static const VmeCase vme_refused[] = {
    {{0x9d}, 1, RFLAGS_TF | RFLAGS_FIXED1, false},
    {{0x9d}, 1, RFLAGS_IF | RFLAGS_FIXED1, true},
    {{0xcf}, 1, RFLAGS_TF | RFLAGS_FIXED1, false},
    {{0xcf}, 1, RFLAGS_IF | RFLAGS_FIXED1, true},
    {{0x66, 0x9c}, 2, RFLAGS_FIXED1, false},
    {{0x66, 0x9d}, 2, RFLAGS_FIXED1, false},
    {{0x66, 0xcf}, 2, RFLAGS_FIXED1, false},
};

START_TEST(test_v86_vme_refused_images_gp)
{
    const VmeCase *t = &vme_refused[_i];
    Machine *m = machine_v86(t->vip ? RFLAGS_VIP : 0, CR4_VME);
    uint16_t frame[3] = {0x20, V_CS, t->image}; /* IRET: IP, CS, FLAGS */
    test_poke(m, V_STACK, frame, sizeof(frame));
    if (t->bytes[0] == 0x9d)
        test_poke(m, V_STACK, &t->image, 2);
    assert_v86_fault(m, run_v86(m, t->bytes, t->len, 1), EXC_GP, 0);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_VIF, 0);
    machine_destroy(m);
}
END_TEST

/* The accepted VME IRET: VIF from the image's IF, IF and IOPL kept. */
START_TEST(test_v86_vme_iret_loads_vif)
{
    Machine *m = machine_v86(0, CR4_VME);
    uint16_t frame[3] = {0x20, 0x0210, RFLAGS_IF | RFLAGS_FIXED1};
    test_poke(m, V_STACK, frame, sizeof(frame));
    static const uint8_t iret = 0xcf;
    ck_assert_int_eq(run_v86(m, &iret, 1, 1), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->RIP, 0x20);
    ck_assert_uint_eq(c->seg[SEG_CS].selector, 0x0210);
    ck_assert_uint_eq(c->rflags & (RFLAGS_VIF | RFLAGS_IF | RFLAGS_IOPL), RFLAGS_VIF);
    machine_destroy(m);
}
END_TEST

/* The redirection bit of vector 21H (SDM 20.3.3: 32 bytes below the I/O map base). */
static void set_redirect_bit(Machine *m, bool set)
{
    uint8_t byte = set ? 0x02 : 0x00;
    test_poke(m, TSS_BASE + IOMAP - 32 + 0x21 / 8, &byte, 1);
}

/* IVT entry 21H -> 0300:0040. */
static void set_ivt(Machine *m)
{
    uint16_t entry[2] = {0x40, 0x0300};
    test_poke(m, 0x21 * 4, entry, sizeof(entry));
}

/* Method 5 (VME, IOPL = 3, bit clear): through the 8086 program's vector
 * table: FLAGS, CS, IP pushed on the virtual-8086 stack, IF and TF cleared. */
START_TEST(test_v86_redirect_method5)
{
    Machine *m = machine_v86(RFLAGS_IOPL | RFLAGS_IF | RFLAGS_TF, CR4_VME);
    set_redirect_bit(m, false);
    set_ivt(m);
    static const uint8_t code[] = {0xcd, 0x21};
    ck_assert_int_eq(run_v86(m, code, sizeof(code), 1), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->mode, MODE_V86);
    ck_assert_uint_eq(c->seg[SEG_CS].selector, 0x0300);
    ck_assert_uint_eq(c->RIP, 0x40);
    ck_assert_uint_eq(c->gpr[GPR_RSP], V_SP - 6);
    ck_assert_uint_eq(mem16(m, V_STACK - 6), V_IP + 2);
    ck_assert_uint_eq(mem16(m, V_STACK - 4), V_CS);
    ck_assert_uint_eq(mem16(m, V_STACK - 2),
                      RFLAGS_IOPL | RFLAGS_IF | RFLAGS_TF | RFLAGS_FIXED1);
    ck_assert_uint_eq(c->rflags & (RFLAGS_IF | RFLAGS_TF), 0);
    machine_destroy(m);
}
END_TEST

/* Method 6 (VME, IOPL < 3, bit clear): FLAGS pushed with IOPL = 3 and IF =
 * VIF; VIF (not IF) and TF cleared. */
START_TEST(test_v86_redirect_method6)
{
    Machine *m = machine_v86(RFLAGS_VIF, CR4_VME);
    set_redirect_bit(m, false);
    set_ivt(m);
    static const uint8_t code[] = {0xcd, 0x21};
    ck_assert_int_eq(run_v86(m, code, sizeof(code), 1), STOP_BUDGET);
    CpuState *c = &m->cpu;
    ck_assert_uint_eq(c->seg[SEG_CS].selector, 0x0300);
    ck_assert_uint_eq(c->RIP, 0x40);
    ck_assert_uint_eq(mem16(m, V_STACK - 2), RFLAGS_IOPL | RFLAGS_IF | RFLAGS_FIXED1);
    ck_assert_uint_eq(c->rflags & (RFLAGS_IF | RFLAGS_VIF | RFLAGS_IOPL), 0);
    machine_destroy(m);
}
END_TEST

/* Method 3 (VME, IOPL < 3, bit set): #GP(0); method 4 (IOPL = 3, bit set):
 * the protected-mode handler, as method 1. */
START_TEST(test_v86_redirect_bit_set)
{
    Machine *m = machine_v86(0, CR4_VME);
    set_redirect_bit(m, true);
    static const uint8_t code[] = {0xcd, 0x21};
    assert_v86_fault(m, run_v86(m, code, sizeof(code), 1), EXC_GP, 0);
    machine_destroy(m);
    m = machine_v86(RFLAGS_IOPL, CR4_VME);
    set_redirect_bit(m, true);
    set_idt_gate(m, 0x21, CODE0, H_HLT, 0xee);
    ck_assert_int_eq(run_v86(m, code, sizeof(code), 3), STOP_HALTED);
    assert_v86_frame(m, ESP0 - 36, V_IP + 2);
    machine_destroy(m);
}
END_TEST

/* vmxsim's choice: a redirection bit outside the TSS limit is #GP(0). */
START_TEST(test_v86_redirect_bit_beyond_tss_limit_gp)
{
    Machine *m = machine_v86(RFLAGS_IOPL, CR4_VME);
    m->cpu.seg[SEG_TR].limit = 0x67;
    static const uint8_t code[] = {0xcd, 0x21};
    assert_v86_fault(m, run_v86(m, code, sizeof(code), 1), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* SDM 20.4 "Protected-Mode Virtual Interrupts": at CPL 3 with IOPL < 3 and
 * CR4.PVI, CLI/STI change VIF; STI with VIP = 1, or without PVI, is #GP(0);
 * with CPL <= IOPL they change IF as always. */
static Machine *machine_cpl3(uint64_t flags, uint64_t cr4)
{
    Machine *m = machine_pm();
    load_seg(m, SEG_CS, CODE3 | 3);
    load_seg(m, SEG_SS, DATA3 | 3);
    cpu_set_rflags(&m->cpu, flags | RFLAGS_FIXED1);
    m->cpu.cr4 = cr4;
    return m;
}

START_TEST(test_v86_pvi_cli_sti)
{
    static const uint8_t cli = 0xfa, sti = 0xfb;
    Machine *m = machine_cpl3(RFLAGS_IF | RFLAGS_VIF, CR4_PVI);
    ck_assert_int_eq(gp_run(m, &cli, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.rflags & (RFLAGS_IF | RFLAGS_VIF), RFLAGS_IF);
    ck_assert_int_eq(gp_run(m, &sti, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.rflags & (RFLAGS_IF | RFLAGS_VIF), RFLAGS_IF | RFLAGS_VIF);
    m->cpu.rflags |= RFLAGS_VIP;
    m->cpu.rflags &= ~(uint64_t)RFLAGS_VIF;
    gp_assert_fault(m, gp_run(m, &sti, 1, 1), EXC_GP, 0);
    machine_destroy(m);
    m = machine_cpl3(RFLAGS_IF, 0);
    gp_assert_fault(m, gp_run(m, &cli, 1, 1), EXC_GP, 0);
    machine_destroy(m);
    m = machine_cpl3(RFLAGS_IF | RFLAGS_IOPL, CR4_PVI);
    ck_assert_int_eq(gp_run(m, &cli, 1, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_IF, 0);
    machine_destroy(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("v86");
    TCase *tc = tcase_create("enter_leave");
    tcase_add_test(tc, test_v86_iret_enters_v86);
    tcase_add_test(tc, test_v86_iret_eip_beyond_limit_gp);
    tcase_add_test(tc, test_v86_iret_at_cpl3_stays_protected);
    tcase_add_test(tc, test_v86_int_to_ring0_and_back);
    tcase_add_test(tc, test_v86_exception_frame_with_error_code);
    tcase_add_test(tc, test_v86_int_gate_dpl0_gp);
    tcase_add_test(tc, test_v86_int_handler_not_dpl0_gp);
    suite_add_tcase(s, tc);
    TCase *ti = tcase_create("iopl");
    tcase_add_loop_test(ti, test_v86_iopl_sensitive_gp, 0, SIM_ARRAY_SIZE(sensitive));
    tcase_add_test(ti, test_v86_iopl3_flag_instructions);
    tcase_add_test(ti, test_v86_iretd_eip_beyond_limit_gp);
    tcase_add_test(ti, test_v86_int3_not_iopl_sensitive);
    suite_add_tcase(s, ti);
    TCase *tv = tcase_create("vme_pvi");
    tcase_add_test(tv, test_v86_vme_cli_sti_virtual_if);
    tcase_add_test(tv, test_v86_vme_pushf_popf);
    tcase_add_loop_test(tv, test_v86_vme_refused_images_gp, 0, SIM_ARRAY_SIZE(vme_refused));
    tcase_add_test(tv, test_v86_vme_iret_loads_vif);
    tcase_add_test(tv, test_v86_redirect_method5);
    tcase_add_test(tv, test_v86_redirect_method6);
    tcase_add_test(tv, test_v86_redirect_bit_set);
    tcase_add_test(tv, test_v86_redirect_bit_beyond_tss_limit_gp);
    tcase_add_test(tv, test_v86_pvi_cli_sti);
    suite_add_tcase(s, tv);
    return s;
}

CHECK_MAIN(suite)
