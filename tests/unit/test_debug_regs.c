/*
 * Breakpoints in DR0-DR3 (sim/cpu/debug_regs.c, SDM Vol. 3B 17.2 "Debug
 * Registers", 17.3.1.1 "Instruction-Breakpoint Exception Condition",
 * 17.3.1.2 "Data Memory and I/O Breakpoint Exception Conditions") and the
 * DR6 status they leave.  Every rule is tested on both sides.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/debug_regs.h"
#include "sim/cpu/exceptions.h"

#define IDT_BASE 0x5000u
#define DB_HANDLER 0x2000u
#define EXIT_CODE 0xb0, 0x11, 0xe6, 0xf4 /* mov al, 0x11; out 0xf4, al */

enum { LEN1 = 0, LEN2 = 1, LEN8 = 2, LEN4 = 3 };

/* DR7 bits enabling breakpoint n locally with R/W and LEN (SDM 17.2.4). */
static uint64_t dr7_bp(unsigned n, DrCondition rw, unsigned len)
{
    return (UINT64_C(1) << (2 * n)) | ((uint64_t)rw << (16 + 4 * n)) |
           ((uint64_t)len << (18 + 4 * n));
}

/* Flat 32-bit protected mode at CPL 0; #DB stops undelivered. */
static Machine *dr_machine(void)
{
    Machine *m = gp_flat32();
    m->cpu.exception_stop_mask = UINT32_C(1) << EXC_DB;
    return m;
}

static void set_bp(Machine *m, unsigned n, uint64_t addr, DrCondition rw, unsigned len)
{
    m->cpu.dr[n] = addr;
    m->cpu.dr[7] |= dr7_bp(n, rw, len);
}

/* The run stopped before delivering a #DB at `rip` with DR6.B0-B3 = `b`. */
static void assert_db(Machine *m, MachineStop st, uint64_t rip, uint32_t b)
{
    ck_assert_int_eq(st, STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_DB);
    ck_assert_uint_eq(m->cpu.RIP, rip);
    ck_assert_uint_eq(m->cpu.dr[6] & DR6_B_MASK, b);
}

/* --- instruction breakpoints (17.3.1.1) --- */

START_TEST(test_dr_exec_breakpoint_faults_before_instruction)
{
    static const uint8_t code[] = {0x90, 0x40, EXIT_CODE}; /* nop; inc eax */
    Machine *m = dr_machine();
    set_bp(m, 2, GP_CODE + 1, DR_EXEC, LEN1);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1, 1u << 2);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0); /* not executed */
    ck_assert_uint_eq(m->cpu.dr[6] & DR6_BS, 0);
    machine_destroy(m);
}
END_TEST

/* Ln or Gn enables a breakpoint; neither: no #DB. */
START_TEST(test_dr_exec_breakpoint_needs_enable)
{
    static const uint8_t code[] = {0x90, 0x40, EXIT_CODE};
    Machine *m = dr_machine();
    set_bp(m, 0, GP_CODE + 1, DR_EXEC, LEN1);
    m->cpu.dr[7] &= ~UINT64_C(3); /* L0 = G0 = 0 */
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    machine_destroy(m);
    m = dr_machine();
    set_bp(m, 0, GP_CODE + 1, DR_EXEC, LEN1);
    m->cpu.dr[7] ^= 3; /* G0 instead of L0 */
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1, 1);
    machine_destroy(m);
}
END_TEST

/* SDM 6.8.2 / 17.3.1.1: RF = 1 suppresses the instruction breakpoint for one
 * instruction, and the processor clears RF when the instruction completes. */
START_TEST(test_dr_rf_suppresses_exec_breakpoint_once)
{
    static const uint8_t code[] = {0x40, 0xeb, 0xfd}; /* 1: inc eax; jmp 1b */
    Machine *m = dr_machine();
    set_bp(m, 0, GP_CODE, DR_EXEC, LEN1);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_RF);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE, 1);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 1); /* executed once, then hit */
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_RF, 0);
    machine_destroy(m);
}
END_TEST

/* The #DB handler sets RF in the image and IRETs: the instruction runs once
 * and the breakpoint does not loop. */
START_TEST(test_dr_handler_resumes_with_rf)
{
    static const uint8_t code[] = {0x41, EXIT_CODE}; /* inc ecx */
    static const uint8_t handler[] = {0x81, 0x4c, 0x24, 0x08, 0x00, 0x00, 0x01, 0x00, /* or [esp+8], RF */
                                      0x43, 0xcf};                                 /* inc ebx; iret */
    Machine *m = dr_machine();
    m->cpu.exception_stop_mask = 0;
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 8 - 1};
    uint64_t gate = DB_HANDLER | (UINT64_C(0x08) << 16) | (UINT64_C(0x8e) << 40);
    test_poke(m, IDT_BASE + 8 * EXC_DB, &gate, 8);
    test_poke(m, DB_HANDLER, handler, sizeof(handler));
    set_bp(m, 0, GP_CODE, DR_EXEC, LEN1);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 20), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 1); /* one #DB */
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 1); /* the instruction ran once */
    ck_assert_uint_eq(gp_peek(m, 0x8000 - 4, 4) & RFLAGS_RF, RFLAGS_RF); /* set by the handler */
    machine_destroy(m);
}
END_TEST

/* An instruction breakpoint right after MOV SS is not reported (SDM
 * 17.3.1.1: "the breakpoint may not be triggered"; vmxsim never reports it);
 * after MOV DS it is. */
START_TEST(test_dr_exec_breakpoint_after_mov_ss_not_reported)
{
    uint8_t code[] = {0x8e, 0xd0, 0x41, EXIT_CODE}; /* mov ss, ax; inc ecx */
    for (unsigned ss = 0; ss < 2; ss++) {
        Machine *m = dr_machine();
        code[1] = ss ? 0xd0 : 0xd8;
        m->cpu.gpr[GPR_RAX] = 0x10;
        set_bp(m, 0, GP_CODE + 2, DR_EXEC, LEN1);
        MachineStop st = gp_run(m, code, sizeof(code), 10);
        if (ss)
            ck_assert_int_eq(st, STOP_GUEST_EXIT);
        else
            assert_db(m, st, GP_CODE + 2, 1);
        machine_destroy(m);
    }
}
END_TEST

/* --- data breakpoints (17.3.1.2) --- */

/* A write breakpoint traps after the writing instruction. */
START_TEST(test_dr_write_breakpoint_traps_after_write)
{
    static const uint8_t code[] = {0xa3, 0x00, 0x30, 0x00, 0x00, 0x90, EXIT_CODE}; /* mov [DATA], eax */
    Machine *m = dr_machine();
    m->cpu.gpr[GPR_RAX] = 0x12345678;
    set_bp(m, 1, GP_DATA, DR_WRITE, LEN4);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 5, 1u << 1);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 4), 0x12345678); /* the data is written first */
    machine_destroy(m);
}
END_TEST

/* R/W = 01 ignores reads; R/W = 11 breaks on reads too. */
START_TEST(test_dr_read_hits_only_read_write_breakpoint)
{
    static const uint8_t code[] = {0xa1, 0x00, 0x30, 0x00, 0x00, 0x90, EXIT_CODE}; /* mov eax, [DATA] */
    Machine *m = dr_machine();
    set_bp(m, 1, GP_DATA, DR_WRITE, LEN4);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    machine_destroy(m);
    m = dr_machine();
    set_bp(m, 3, GP_DATA, DR_RW, LEN4);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 5, 1u << 3);
    machine_destroy(m);
}
END_TEST

/* SDM 17.2.5: [DRn & ~(LEN-1), +LEN) is watched; any byte of the access in it hits. */
static MachineStop write_byte_at(uint32_t addr, unsigned len, uint64_t dr)
{
    uint8_t code[] = {0xa2, (uint8_t)addr, (uint8_t)(addr >> 8), 0, 0, 0x90, EXIT_CODE}; /* mov [addr], al */
    Machine *m = dr_machine();
    set_bp(m, 0, dr, DR_WRITE, len);
    MachineStop st = gp_run(m, code, sizeof(code), 10);
    machine_destroy(m);
    return st;
}

START_TEST(test_dr_length_and_alignment_of_range)
{
    ck_assert_int_eq(write_byte_at(GP_DATA + 3, LEN2, GP_DATA + 3), STOP_EXCEPTION); /* range +2..+3 */
    ck_assert_int_eq(write_byte_at(GP_DATA + 2, LEN2, GP_DATA + 3), STOP_EXCEPTION);
    ck_assert_int_eq(write_byte_at(GP_DATA + 4, LEN2, GP_DATA + 3), STOP_GUEST_EXIT);
    ck_assert_int_eq(write_byte_at(GP_DATA + 1, LEN2, GP_DATA + 3), STOP_GUEST_EXIT);
    ck_assert_int_eq(write_byte_at(GP_DATA + 7, LEN8, GP_DATA), STOP_EXCEPTION);
    ck_assert_int_eq(write_byte_at(GP_DATA + 8, LEN8, GP_DATA), STOP_GUEST_EXIT);
    ck_assert_int_eq(write_byte_at(GP_DATA + 1, LEN1, GP_DATA), STOP_GUEST_EXIT);
}
END_TEST

/* An instruction that faults after a matching access reports no data
 * breakpoint: MOVSD reads the watched source, then its write faults. */
START_TEST(test_dr_faulting_instruction_discards_matches)
{
    static const uint8_t code[] = {0xa5, 0x90, EXIT_CODE}; /* movsd */
    for (unsigned faults = 0; faults < 2; faults++) {
        Machine *m = dr_machine();
        m->cpu.exception_stop_mask = (UINT32_C(1) << EXC_DB) | (UINT32_C(1) << EXC_GP);
        m->cpu.gpr[GPR_RSI] = GP_DATA;
        m->cpu.gpr[GPR_RDI] = faults ? 0x20000 : GP_DATA + 0x10;
        m->cpu.seg[SEG_ES].limit = 0xffff; /* 0x20000 is beyond ES's limit */
        set_bp(m, 0, GP_DATA, DR_RW, LEN4);
        MachineStop st = gp_run(m, code, sizeof(code), 10);
        if (faults) {
            gp_assert_fault(m, st, EXC_GP, 0);
            ck_assert_uint_eq(m->cpu.ev.dr6_pending, 0);
        } else {
            assert_db(m, st, GP_CODE + 1, 1);
        }
        machine_destroy(m);
    }
}
END_TEST

/* A PUSH is a data write too (the stack is data). */
START_TEST(test_dr_push_hits_write_breakpoint)
{
    static const uint8_t code[] = {0x50, 0x90, EXIT_CODE}; /* push eax */
    Machine *m = dr_machine();
    set_bp(m, 0, 0x8000 - 4, DR_WRITE, LEN4);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1, 1);
    machine_destroy(m);
}
END_TEST

/* REP STOSB: the trap follows the iteration that wrote the watched byte,
 * with RIP still at the instruction. */
START_TEST(test_dr_rep_stos_traps_after_hitting_iteration)
{
    static const uint8_t code[] = {0xf3, 0xaa, EXIT_CODE};
    Machine *m = dr_machine();
    m->cpu.gpr[GPR_RCX] = 4;
    m->cpu.gpr[GPR_RDI] = GP_DATA;
    set_bp(m, 0, GP_DATA + 2, DR_WRITE, LEN1);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE, 1);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 1);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDI], GP_DATA + 3);
    ck_assert_uint_eq(m->cpu.rflags & RFLAGS_RF, RFLAGS_RF);
    machine_destroy(m);
}
END_TEST

/* A data breakpoint met by MOV SS is held until after the next instruction
 * (SDM 6.8.3); met by MOV DS it traps at once. */
START_TEST(test_dr_mov_ss_holds_data_breakpoint)
{
    uint8_t code[] = {0x8e, 0x15, 0x00, 0x30, 0x00, 0x00, 0x90, 0x90, EXIT_CODE}; /* mov ss, [DATA] */
    for (unsigned ss = 0; ss < 2; ss++) {
        Machine *m = dr_machine();
        code[1] = ss ? 0x15 : 0x1d; /* mov ss / mov ds */
        gp_poke64(m, GP_DATA, 0x10);
        set_bp(m, 0, GP_DATA, DR_RW, LEN2);
        assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + (ss ? 7 : 6), 1);
        machine_destroy(m);
    }
}
END_TEST

/* --- I/O breakpoints (R/W = 10, CR4.DE = 1) --- */

START_TEST(test_dr_io_breakpoint_with_cr4_de)
{
    static const uint8_t code[] = {0xe6, 0x80, 0x90, EXIT_CODE}; /* out 0x80, al */
    Machine *m = dr_machine();
    m->cpu.cr4 |= CR4_DE;
    set_bp(m, 2, 0x80, DR_IO, LEN1);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 2, 1u << 2);
    machine_destroy(m);
    m = dr_machine(); /* CR4.DE = 0: R/W = 10 is undefined, no I/O breakpoint */
    set_bp(m, 2, 0x80, DR_IO, LEN1);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    machine_destroy(m);
}
END_TEST

/* Ports port..port+size-1 meet the range; another port does not. */
START_TEST(test_dr_io_breakpoint_port_range)
{
    static const uint8_t in_dx[] = {0xed, 0x90, EXIT_CODE}; /* in eax, dx */
    for (unsigned port = 0x7c; port <= 0x82; port += 2) {
        Machine *m = dr_machine();
        m->cpu.cr4 |= CR4_DE;
        m->cpu.gpr[GPR_RDX] = port;
        set_bp(m, 1, 0x81, DR_IO, LEN2); /* ports 0x80-0x81 */
        MachineStop st = gp_run(m, in_dx, sizeof(in_dx), 10);
        bool hit = port == 0x7e || port == 0x80; /* 4-byte accesses at 0x7e and 0x80 */
        ck_assert_int_eq(st, hit ? STOP_EXCEPTION : STOP_GUEST_EXIT);
        machine_destroy(m);
    }
}
END_TEST

/* OUTS meets I/O breakpoints too. */
START_TEST(test_dr_io_breakpoint_outs)
{
    static const uint8_t code[] = {0x6e, 0x90, EXIT_CODE}; /* outsb */
    Machine *m = dr_machine();
    m->cpu.cr4 |= CR4_DE;
    m->cpu.gpr[GPR_RDX] = 0x80;
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    set_bp(m, 0, 0x80, DR_IO, LEN1);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1, 1);
    machine_destroy(m);
}
END_TEST

/* --- DR6 (17.2.3) --- */

/* BS is never cleared by the processor; B0-B3 are replaced by each #DB. */
START_TEST(test_dr6_sticky_bs_replaced_b_bits)
{
    static const uint8_t code[] = {0x90, 0x90, EXIT_CODE};
    Machine *m = dr_machine();
    m->cpu.dr[6] = 0xffff0ff0 | DR6_BS | 0x2; /* left by an earlier #DB */
    set_bp(m, 0, GP_CODE + 1, DR_EXEC, LEN1);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1, 1);
    ck_assert_uint_eq(m->cpu.dr[6], 0xffff0ff0 | DR6_BS | 0x1);
    machine_destroy(m);
}
END_TEST

/* A single-step trap (class 4) comes before the code breakpoint (class 7) of
 * the next instruction (SDM 6.9 Table 6-2). */
START_TEST(test_dr_single_step_before_code_breakpoint)
{
    static const uint8_t code[] = {0x90, 0x90, EXIT_CODE};
    Machine *m = dr_machine();
    m->cpu.dr[6] = 0xffff0ff0;
    set_bp(m, 0, GP_CODE + 1, DR_EXEC, LEN1);
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_TF);
    assert_db(m, gp_run(m, code, sizeof(code), 10), GP_CODE + 1, 0);
    ck_assert_uint_eq(m->cpu.dr[6] & DR6_BS, DR6_BS);
    machine_destroy(m);
}
END_TEST

/* The matchers on their own. */
START_TEST(test_dr_matchers)
{
    Machine *m = dr_machine();
    CpuState *c = &m->cpu;
    set_bp(m, 0, 0x1000, DR_EXEC, LEN1);
    set_bp(m, 1, 0x2004, DR_WRITE, LEN4);
    ck_assert_uint_eq(cpu_dr_match_exec(c, 0x1000), 1);
    ck_assert_uint_eq(cpu_dr_match_exec(c, 0x1001), 0);
    ck_assert_uint_eq(cpu_dr_match_data(c, 0x2006, 4, true), 2);
    ck_assert_uint_eq(cpu_dr_match_data(c, 0x2006, 4, false), 0);
    ck_assert_uint_eq(cpu_dr_match_data(c, 0x2000, 4, true), 0);
    ck_assert(cpu_dr_data_armed(c));
    c->dr[7] &= ~(UINT64_C(3) << 2);
    ck_assert(!cpu_dr_data_armed(c));
    machine_destroy(m);
}
END_TEST

/* DR7.GD is cleared on entry to the #DB handler (SDM 17.2.4). */
START_TEST(test_dr7_gd_cleared_on_db_delivery)
{
    static const uint8_t code[] = {0x90, 0x90, EXIT_CODE};
    static const uint8_t handler[] = {EXIT_CODE};
    Machine *m = dr_machine();
    m->cpu.exception_stop_mask = 0;
    m->cpu.idtr = (DescTable){IDT_BASE, 256 * 8 - 1};
    uint64_t gate = DB_HANDLER | (UINT64_C(0x08) << 16) | (UINT64_C(0x8e) << 40);
    test_poke(m, IDT_BASE + 8 * EXC_DB, &gate, 8);
    test_poke(m, DB_HANDLER, handler, sizeof(handler));
    m->cpu.dr[7] |= DR7_GD;
    cpu_set_rflags(&m->cpu, RFLAGS_FIXED1 | RFLAGS_TF);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.dr[7] & DR7_GD, 0);
    ck_assert_uint_eq(m->cpu.RIP, DB_HANDLER + 4);
    machine_destroy(m);
    m = dr_machine(); /* no #DB: GD stays */
    m->cpu.dr[7] |= DR7_GD;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 10), STOP_GUEST_EXIT);
    ck_assert_uint_eq(m->cpu.dr[7] & DR7_GD, DR7_GD);
    machine_destroy(m);
}
END_TEST

/* Breakpoints armed or disarmed leave the fast path's TLB row (events.h). */
START_TEST(test_dr_data_breakpoint_forces_checked_accesses)
{
    static const uint8_t code[] = {0x90, 0x90, 0x90, EXIT_CODE};
    Machine *m = dr_machine();
    set_bp(m, 0, GP_DATA, DR_WRITE, LEN4);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.ev.tlb_row, 2);
    m->cpu.dr[7] = 0x400;
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.ev.tlb_row, 0);
    machine_destroy(m);
}
END_TEST

/* MOV DR ends its decoded block (decode.c ends_block), so what it arms
 * applies from the very next instruction: here an instruction breakpoint
 * on the NOP right after a MOV DR7 (SDM 17.2.4: the DR7 enables take effect
 * for the following instructions). */
START_TEST(test_dr_mov_dr7_arms_next_instruction)
{
    /* mov dr7, eax; nop; inc ecx */
    static const uint8_t code[] = {0x0f, 0x23, 0xf8, 0x90, 0x41, EXIT_CODE};
    Machine *m = dr_machine();
    m->cpu.dr[0] = GP_CODE + 3;
    m->cpu.gpr[GPR_RAX] = dr7_bp(0, DR_EXEC, LEN1);
    assert_db(m, gp_run(m, code, sizeof(code), 20), GP_CODE + 3, 1);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0);
    machine_destroy(m);
}
END_TEST

/* The same for a data breakpoint: the store right after the MOV DR7 is
 * checked (SDM 17.3.1.2). */
START_TEST(test_dr_mov_dr7_arms_next_data_access)
{
    /* mov dr7, eax; mov [esi], ecx */
    static const uint8_t code[] = {0x0f, 0x23, 0xf8, 0x89, 0x0e, EXIT_CODE};
    Machine *m = dr_machine();
    m->cpu.dr[1] = GP_DATA;
    m->cpu.gpr[GPR_RAX] = dr7_bp(1, DR_WRITE, LEN4);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    assert_db(m, gp_run(m, code, sizeof(code), 20), GP_CODE + 5, 1u << 1);
    machine_destroy(m);
}
END_TEST

/* A block holding MOV DR is never linked to its successor (interp.c
 * insn_changes_event_inputs): the second pass of this loop arms the
 * breakpoint on the first instruction of the block the first pass ran
 * after it, and it is reported. */
START_TEST(test_dr_mov_dr7_block_not_linked)
{
    /* L: mov dr7, eax; nop; mov eax, ecx; dec edx; jnz L */
    static const uint8_t code[] = {0x0f, 0x23, 0xf8, 0x90, 0x89, 0xc8, 0x4a, 0x75, 0xf7, EXIT_CODE};
    Machine *m = dr_machine();
    m->cpu.dr[0] = GP_CODE + 3;
    m->cpu.gpr[GPR_RAX] = 0;
    m->cpu.gpr[GPR_RCX] = dr7_bp(0, DR_EXEC, LEN1);
    m->cpu.gpr[GPR_RDX] = 2;
    assert_db(m, gp_run(m, code, sizeof(code), 20), GP_CODE + 3, 1);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RDX], 1); /* on the second pass */
    machine_destroy(m);
}
END_TEST

static Suite *debug_regs_suite(void)
{
    Suite *s = suite_create("debug_regs");
    TCase *tc = tcase_create("instruction");
    tcase_add_test(tc, test_dr_exec_breakpoint_faults_before_instruction);
    tcase_add_test(tc, test_dr_exec_breakpoint_needs_enable);
    tcase_add_test(tc, test_dr_rf_suppresses_exec_breakpoint_once);
    tcase_add_test(tc, test_dr_handler_resumes_with_rf);
    tcase_add_test(tc, test_dr_exec_breakpoint_after_mov_ss_not_reported);
    tcase_add_test(tc, test_dr_mov_dr7_arms_next_instruction);
    tcase_add_test(tc, test_dr_mov_dr7_arms_next_data_access);
    tcase_add_test(tc, test_dr_mov_dr7_block_not_linked);
    suite_add_tcase(s, tc);
    tc = tcase_create("data_and_io");
    tcase_add_test(tc, test_dr_write_breakpoint_traps_after_write);
    tcase_add_test(tc, test_dr_read_hits_only_read_write_breakpoint);
    tcase_add_test(tc, test_dr_length_and_alignment_of_range);
    tcase_add_test(tc, test_dr_push_hits_write_breakpoint);
    tcase_add_test(tc, test_dr_faulting_instruction_discards_matches);
    tcase_add_test(tc, test_dr_rep_stos_traps_after_hitting_iteration);
    tcase_add_test(tc, test_dr_mov_ss_holds_data_breakpoint);
    tcase_add_test(tc, test_dr_io_breakpoint_with_cr4_de);
    tcase_add_test(tc, test_dr_io_breakpoint_port_range);
    tcase_add_test(tc, test_dr_io_breakpoint_outs);
    tcase_add_test(tc, test_dr_data_breakpoint_forces_checked_accesses);
    suite_add_tcase(s, tc);
    tc = tcase_create("dr6_dr7");
    tcase_add_test(tc, test_dr6_sticky_bs_replaced_b_bits);
    tcase_add_test(tc, test_dr_single_step_before_code_breakpoint);
    tcase_add_test(tc, test_dr_matchers);
    tcase_add_test(tc, test_dr7_gd_cleared_on_db_delivery);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(debug_regs_suite)
