/*
 * Instruction exits of the processor-based VM-execution controls (SDM
 * 25.1.3) with their exit information (27.2.1 qualification, 27.2.4
 * instruction length, 27.2.5 instruction information), the priority of
 * faults over them (25.1.1), and the changes of instruction behaviour of
 * 25.3 (TSC offsetting, "enable RDTSCP", "enable INVPCID").  Each control is
 * tested both ways: with it the exit happens; without it the instruction
 * does what it does outside VMX and the guest reaches its VMCALL.
 */
#include <check.h>

#include "check_main.h"
#include "vmx_nonroot_support.h"

#define VMCALL VMCALL_BYTES
#define MSR_BITMAP 0xe000u
#define MSR_STORE_AREA MSR_AREA
#define TSC_OFFSET_VALUE (UINT64_C(1) << 40)
#define MSR_IA32_TSC 0x10u
#define INVPCID_DESCRIPTOR 0x15000u

/* ---- INVLPG (exit reason 14): the qualification is the linear address ---- */

START_TEST(test_invlpg_exiting_exits_with_linear_address) {
    static const uint8_t code[] = {0x0f, 0x01, 0x38, VMCALL}; /* invlpg [rax] */
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_INVLPG_EXITING);
    m->cpu.gpr[GPR_RAX] = 0x123456789a;
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_INVLPG, 0, 0x123456789a, 3);
    machine_destroy(m);
}
END_TEST

START_TEST(test_invlpg_without_exiting_executes) {
    static const uint8_t code[] = {0x0f, 0x01, 0x38, VMCALL};
    Machine *m = nr_machine();
    m->cpu.gpr[GPR_RAX] = GP_DATA;
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 3, 0, 3);
    machine_destroy(m);
}
END_TEST

/* SDM 25.1.1: the CPL #GP(0) comes before the VM exit. */
START_TEST(test_invlpg_at_cpl3_gp_before_exit) {
    static const uint8_t code[] = {0x0f, 0x01, 0x38};
    Machine *m = nr_machine();
    nr_user_guest(m);
    nr_proc(m, VMX_PROC_INVLPG_EXITING);
    nr_assert_fault(m, NR_RUN(m, code), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* ---- RDTSC (16), RDTSCP (51), TSC offsetting (SDM 25.3) ---- */

START_TEST(test_rdtsc_exiting_exits) {
    static const uint8_t code[] = {0x0f, 0x31, VMCALL};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_RDTSC_EXITING);
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_RDTSC, 0, 0, 2);
    machine_destroy(m);
}
END_TEST

static uint64_t edx_eax(const Machine *m) {
    return (m->cpu.gpr[GPR_RDX] << 32) | (uint32_t)m->cpu.gpr[GPR_RAX];
}

/* RDTSC, then RDMSR of IA32_TSC into R8 (MSR bitmaps all clear): both read
 * the TSC plus the offset with "use TSC offsetting", the TSC without. */
static void tsc_reads(bool offsetting) {
    static const uint8_t code[] = {0x0f, 0x31, 0x49,  0x89, 0xc0, /* rdtsc; mov r8, rax */
                                   0x49, 0x89, 0xd1,              /* mov r9, rdx */
                                   0x0f, 0x32, VMCALL};           /* rdmsr */
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_USE_MSR_BITMAPS | (offsetting ? VMX_PROC_USE_TSC_OFFSETTING : 0));
    vmx_set(m, VMCS_MSR_BITMAP, MSR_BITMAP);
    vmx_set(m, VMCS_TSC_OFFSET, TSC_OFFSET_VALUE);
    m->cpu.gpr[GPR_RCX] = MSR_IA32_TSC;
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 10, 0, 3);
    uint64_t rdtsc = (m->cpu.gpr[GPR_R9] << 32) | (uint32_t)m->cpu.gpr[GPR_R8];
    uint64_t rdmsr = edx_eax(m), base = offsetting ? TSC_OFFSET_VALUE : 0;
    ck_assert_uint_ge(rdtsc, base);
    ck_assert_uint_lt(rdtsc, base + m->cpu.cycles);
    ck_assert_uint_ge(rdmsr, rdtsc); /* a block's cycles are charged at its end */
    ck_assert_uint_lt(rdmsr, base + m->cpu.cycles);
    ck_assert_uint_eq(m->cpu.tsc_offset, 0); /* the host reads the TSC itself */
    machine_destroy(m);
}

START_TEST(test_tsc_offsetting_applies_to_rdtsc_and_rdmsr) {
    tsc_reads(true);
}
END_TEST

START_TEST(test_tsc_without_offsetting_unchanged) {
    tsc_reads(false);
}
END_TEST

/* SDM 27.4: the VM-exit MSR-store area gets IA32_TSC itself, not the
 * guest's offset view. */
START_TEST(test_tsc_offset_not_in_exit_msr_store) {
    static const uint8_t code[] = {VMCALL};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_USE_TSC_OFFSETTING);
    vmx_set(m, VMCS_TSC_OFFSET, TSC_OFFSET_VALUE);
    gp_poke64(m, MSR_STORE_AREA, MSR_IA32_TSC);
    vmx_set(m, VMCS_EXIT_MSR_STORE_ADDR, MSR_STORE_AREA);
    vmx_set(m, VMCS_EXIT_MSR_STORE_COUNT, 1);
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 0, 0, 3);
    ck_assert_uint_lt(gp_peek(m, MSR_STORE_AREA + 8, 8), m->cpu.cycles);
    machine_destroy(m);
}
END_TEST

/* SDM 25.3 RDTSCP: #UD unless "enable RDTSCP" (secondary controls inactive
 * count as 0). */
START_TEST(test_rdtscp_without_enable_ud) {
    static const uint8_t code[] = {0x0f, 0x01, 0xf9};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_RDTSC_EXITING);
    nr_assert_fault(m, NR_RUN(m, code), EXC_UD, 0);
    machine_destroy(m);
    m = nr_machine();
    vmx_set(m, VMCS_SECONDARY_PROC_BASED_CONTROLS, VMX_PROC2_ENABLE_RDTSCP); /* not activated */
    nr_assert_fault(m, NR_RUN(m, code), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_rdtscp_enabled_exits_with_rdtsc_exiting) {
    static const uint8_t code[] = {0x0f, 0x01, 0xf9, VMCALL};
    Machine *m = nr_machine();
    nr_proc2(m, VMX_PROC2_ENABLE_RDTSCP);
    nr_proc(m, VMX_PROC_RDTSC_EXITING);
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_RDTSCP, 0, 0, 3);
    machine_destroy(m);
}
END_TEST

START_TEST(test_rdtscp_enabled_reads_offset_tsc_and_aux) {
    static const uint8_t code[] = {0x0f, 0x01, 0xf9, VMCALL};
    Machine *m = nr_machine();
    nr_proc2(m, VMX_PROC2_ENABLE_RDTSCP);
    nr_proc(m, VMX_PROC_USE_TSC_OFFSETTING);
    vmx_set(m, VMCS_TSC_OFFSET, TSC_OFFSET_VALUE);
    m->cpu.msr[MSR_SLOT_IA32_TSC_AUX] = 0x42;
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 3, 0, 3);
    ck_assert_uint_ge(edx_eax(m), TSC_OFFSET_VALUE);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RCX], 0x42);
    machine_destroy(m);
}
END_TEST

/* SDM 25.1.1: RDTSC with CR4.TSD at CPL 3 is #GP(0), a privilege fault
 * ahead of the exit. */
START_TEST(test_rdtsc_tsd_cpl3_gp_before_exit) {
    static const uint8_t code[] = {0x0f, 0x31};
    Machine *m = nr_machine();
    nr_user_guest(m);
    nr_set_bits(m, VMCS_GUEST_CR4, CR4_TSD);
    nr_proc(m, VMX_PROC_RDTSC_EXITING);
    nr_assert_fault(m, NR_RUN(m, code), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* ---- RDPMC (15): no counters, so without the exit it is #GP(0) ---- */

START_TEST(test_rdpmc_exiting_exits) {
    static const uint8_t code[] = {0x0f, 0x33};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_RDPMC_EXITING);
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_RDPMC, 0, 0, 2);
    machine_destroy(m);
}
END_TEST

START_TEST(test_rdpmc_without_exiting_gp) {
    static const uint8_t code[] = {0x0f, 0x33};
    Machine *m = nr_machine();
    nr_assert_fault(m, NR_RUN(m, code), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* CPL 3 with CR4.PCE = 0: the privilege #GP(0) comes first. */
START_TEST(test_rdpmc_cpl3_gp_before_exit) {
    static const uint8_t code[] = {0x0f, 0x33};
    Machine *m = nr_machine();
    nr_user_guest(m);
    nr_proc(m, VMX_PROC_RDPMC_EXITING);
    nr_assert_fault(m, NR_RUN(m, code), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

/* ---- MOV DR (29): Table "Exit Qualification for MOV DR" ---- */

static const struct {
    uint8_t code[4];
    unsigned len;
    uint64_t qual;
} mov_dr[] = {
    {{0x0f, 0x23, 0xf8}, 3, 7},                        /* mov dr7, rax */
    {{0x0f, 0x21, 0xf3}, 3, 6 | 16 | (3u << 8)},       /* mov rbx, dr6 */
    {{0x41, 0x0f, 0x21, 0xc1}, 4, 0 | 16 | (9u << 8)}, /* mov r9, dr0 */
    {{0x0f, 0x23, 0xe2}, 3, 4 | (2u << 8)},            /* mov dr4, rdx */
};

/* The test CPU model (gp_model_all) has debugging extensions; the default
 * model's IA32_VMX_CR4_FIXED1, built at machine creation, does not. */
static void guest_cr4_de(Machine *m) {
    m->cpu.vmx->caps.cr4_fixed1 |= CR4_DE;
    nr_set_bits(m, VMCS_GUEST_CR4, CR4_DE);
}

START_TEST(test_mov_dr_exiting_qualification) {
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_MOV_DR_EXITING);
    guest_cr4_de(m); /* DR4 would be #UD: the exit comes first */
    MachineStop st = nr_run(m, mov_dr[_i].code, mov_dr[_i].len, 100);
    nr_assert_insn_exit(m, st, EXIT_REASON_DR_ACCESS, 0, mov_dr[_i].qual, mov_dr[_i].len);
    machine_destroy(m);
}
END_TEST

/* SDM 25.1.3 MOV DR: the exit takes priority over the CPL #GP(0). */
START_TEST(test_mov_dr_exiting_before_cpl3_gp) {
    static const uint8_t code[] = {0x0f, 0x23, 0xf8};
    Machine *m = nr_machine();
    nr_user_guest(m);
    nr_proc(m, VMX_PROC_MOV_DR_EXITING);
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_DR_ACCESS, 0, 7, 3);
    machine_destroy(m);
}
END_TEST

/* DR8 (REX.R) is an invalid opcode: #UD before the exit. */
START_TEST(test_mov_dr8_ud_before_exit) {
    static const uint8_t code[] = {0x44, 0x0f, 0x23, 0xc0};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_MOV_DR_EXITING);
    nr_assert_fault(m, NR_RUN(m, code), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_mov_dr_without_exiting_executes) {
    static const uint8_t code[] = {0x0f, 0x23, 0xc0, VMCALL}; /* mov dr0, rax */
    Machine *m = nr_machine();
    m->cpu.gpr[GPR_RAX] = 0x4000;
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 3, 0, 3);
    ck_assert_uint_eq(m->cpu.dr[0], 0x4000);
    machine_destroy(m);
}
END_TEST

START_TEST(test_mov_dr4_with_de_without_exiting_ud) {
    static const uint8_t code[] = {0x0f, 0x23, 0xe2};
    Machine *m = nr_machine();
    guest_cr4_de(m);
    nr_assert_fault(m, NR_RUN(m, code), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

/* ---- MONITOR/MWAIT: #UD on every model, ahead of their exits ---- */

START_TEST(test_monitor_mwait_ud_before_exit) {
    static const uint8_t monitor[] = {0x0f, 0x01, 0xc8}, mwait[] = {0x0f, 0x01, 0xc9};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_MONITOR_EXITING | VMX_PROC_MWAIT_EXITING);
    nr_assert_fault(m, NR_RUN(m, monitor), EXC_UD, 0);
    machine_destroy(m);
    m = nr_machine();
    nr_proc(m, VMX_PROC_MONITOR_EXITING | VMX_PROC_MWAIT_EXITING);
    nr_assert_fault(m, NR_RUN(m, mwait), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

/* ---- PAUSE (40) ---- */

START_TEST(test_pause_exiting_exits) {
    static const uint8_t code[] = {0xf3, 0x90, VMCALL};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_PAUSE_EXITING);
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_PAUSE, 0, 0, 2);
    machine_destroy(m);
}
END_TEST

START_TEST(test_pause_without_exiting_executes) {
    static const uint8_t code[] = {0xf3, 0x90, VMCALL};
    Machine *m = nr_machine();
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 2, 0, 3);
    machine_destroy(m);
}
END_TEST

/* ---- WBINVD (54): a secondary control, ignored unless activated ---- */

START_TEST(test_wbinvd_exiting_exits) {
    static const uint8_t code[] = {0x0f, 0x09, VMCALL};
    Machine *m = nr_machine();
    nr_proc2(m, VMX_PROC2_WBINVD_EXITING);
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_WBINVD, 0, 0, 2);
    machine_destroy(m);
}
END_TEST

/* SDM 25.1.1: the CPL #GP(0) comes first. */
START_TEST(test_wbinvd_cpl3_gp_before_exit) {
    static const uint8_t code[] = {0x0f, 0x09};
    Machine *m = nr_machine();
    nr_user_guest(m);
    nr_proc2(m, VMX_PROC2_WBINVD_EXITING);
    nr_assert_fault(m, NR_RUN(m, code), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_wbinvd_secondary_inactive_executes) {
    static const uint8_t code[] = {0x0f, 0x09, VMCALL};
    Machine *m = nr_machine();
    vmx_set(m, VMCS_SECONDARY_PROC_BASED_CONTROLS, VMX_PROC2_WBINVD_EXITING);
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 2, 0, 3);
    machine_destroy(m);
}
END_TEST

/* ---- descriptor-table exiting (46, 47): SDM 27.2.5 Tables "... LIDT,
 * LGDT, SIDT, or SGDT" and "... LLDT, LTR, SLDT, and STR" ---- */

#define INFO_A64 (2u << 7)
#define INFO_DS (3u << 15)
#define INFO_NO_INDEX (1u << 22)
#define INFO_BASE(r) ((uint32_t)(r) << 23)
#define INFO_ID(n) ((uint32_t)(n) << 28)
#define INFO_MEM_BASE(r) (INFO_A64 | INFO_DS | INFO_NO_INDEX | INFO_BASE(r))
#define INFO_REG(r) ((1u << 10) | (uint32_t)(r) << 3)

static const struct {
    const char *what;
    uint8_t code[6];
    unsigned len;
    uint32_t reason;
    uint64_t qual;
    uint32_t info;
} desc_table[] = {
    {"sgdt [rbx+20h]",
     {0x0f, 0x01, 0x43, 0x20},
     4,
     EXIT_REASON_GDTR_IDTR_ACCESS,
     0x20,
     INFO_MEM_BASE(3) | INFO_ID(0)},
    {"sidt [rax]",
     {0x0f, 0x01, 0x08},
     3,
     EXIT_REASON_GDTR_IDTR_ACCESS,
     0,
     INFO_MEM_BASE(0) | INFO_ID(1)},
    {"lgdt [rax]",
     {0x0f, 0x01, 0x10},
     3,
     EXIT_REASON_GDTR_IDTR_ACCESS,
     0,
     INFO_MEM_BASE(0) | INFO_ID(2)},
    {"lidt [rax-8]",
     {0x0f, 0x01, 0x58, 0xf8},
     4,
     EXIT_REASON_GDTR_IDTR_ACCESS,
     ~UINT64_C(7),
     INFO_MEM_BASE(0) | INFO_ID(3)},
    {"sldt ecx", {0x0f, 0x00, 0xc1}, 3, EXIT_REASON_LDTR_TR_ACCESS, 0, INFO_REG(1) | INFO_ID(0)},
    {"str [rax+rcx*4+8]",
     {0x0f, 0x00, 0x4c, 0x88, 0x08},
     5,
     EXIT_REASON_LDTR_TR_ACCESS,
     8,
     2u | INFO_A64 | INFO_DS | (1u << 18) | INFO_BASE(0) | INFO_ID(1)},
    {"lldt ax", {0x0f, 0x00, 0xd0}, 3, EXIT_REASON_LDTR_TR_ACCESS, 0, INFO_REG(0) | INFO_ID(2)},
    {"ltr [rax]",
     {0x0f, 0x00, 0x18},
     3,
     EXIT_REASON_LDTR_TR_ACCESS,
     0,
     INFO_MEM_BASE(0) | INFO_ID(3)},
};

START_TEST(test_descriptor_table_exiting_information) {
    Machine *m = nr_machine();
    nr_proc2(m, VMX_PROC2_DESCRIPTOR_TABLE_EXITING);
    m->cpu.gpr[GPR_RAX] = m->cpu.gpr[GPR_RBX] =
        UINT64_C(0x7f0000000000); /* not mapped: no access */
    MachineStop st = nr_run(m, desc_table[_i].code, desc_table[_i].len, 100);
    nr_assert_insn_exit(m, st, desc_table[_i].reason, 0, desc_table[_i].qual, desc_table[_i].len);
    ck_assert_msg(vmx_get(m, VMCS_EXIT_INSTRUCTION_INFO) == desc_table[_i].info,
                  "%s: instruction information %#lx, expected %#x", desc_table[_i].what,
                  (unsigned long)vmx_get(m, VMCS_EXIT_INSTRUCTION_INFO), desc_table[_i].info);
    machine_destroy(m);
}
END_TEST

START_TEST(test_descriptor_table_without_exiting_executes) {
    static const uint8_t code[] = {0x0f, 0x01, 0x00, VMCALL}; /* sgdt [rax] */
    Machine *m = nr_machine();
    m->cpu.gpr[GPR_RAX] = GP_DATA;
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 3, 0, 3);
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 2), 0x37);
    ck_assert_uint_eq(gp_peek(m, GP_DATA + 2, 8), GP_GDT);
    machine_destroy(m);
}
END_TEST

/* SDM 25.1.1: LGDT at CPL 3 and SGDT at CPL 3 with CR4.UMIP are #GP(0)
 * before the exit; SGDT at CPL 3 without UMIP exits. */
START_TEST(test_descriptor_table_privilege_faults_first) {
    static const uint8_t lgdt[] = {0x0f, 0x01, 0x10}, sgdt[] = {0x0f, 0x01, 0x00};
    Machine *m = nr_machine();
    nr_user_guest(m);
    nr_proc2(m, VMX_PROC2_DESCRIPTOR_TABLE_EXITING);
    nr_assert_fault(m, NR_RUN(m, lgdt), EXC_GP, 0);
    machine_destroy(m);
    m = nr_machine();
    nr_user_guest(m);
    nr_proc2(m, VMX_PROC2_DESCRIPTOR_TABLE_EXITING);
    nr_set_bits(m, VMCS_GUEST_CR4, CR4_UMIP);
    nr_assert_fault(m, NR_RUN(m, sgdt), EXC_GP, 0);
    machine_destroy(m);
    m = nr_machine();
    nr_user_guest(m);
    nr_proc2(m, VMX_PROC2_DESCRIPTOR_TABLE_EXITING);
    nr_assert_insn_exit(m, NR_RUN(m, sgdt), EXIT_REASON_GDTR_IDTR_ACCESS, 0, 0, 3);
    machine_destroy(m);
}
END_TEST

/* ---- INVPCID (58): "enable INVPCID", then "INVLPG exiting" ---- */

START_TEST(test_invpcid_without_enable_ud) {
    static const uint8_t code[] = {0x66, 0x0f, 0x38, 0x82, 0x03};
    Machine *m = nr_machine();
    nr_proc(m, VMX_PROC_INVLPG_EXITING);
    nr_assert_fault(m, NR_RUN(m, code), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

/* invpcid rax, [rbx+8]: Table "... INVEPT, INVPCID, and INVVPID", Reg2 = RAX. */
START_TEST(test_invpcid_enabled_exits_with_invlpg_exiting) {
    static const uint8_t code[] = {0x66, 0x0f, 0x38, 0x82, 0x43, 0x08};
    Machine *m = nr_machine();
    nr_proc2(m, VMX_PROC2_ENABLE_INVPCID);
    nr_proc(m, VMX_PROC_INVLPG_EXITING);
    m->cpu.gpr[GPR_RBX] = UINT64_C(0x7f0000000000); /* not read before the exit */
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_INVPCID, 0, 8, 6);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INSTRUCTION_INFO), INFO_MEM_BASE(3));
    machine_destroy(m);
}
END_TEST

START_TEST(test_invpcid_enabled_executes) {
    static const uint8_t code[] = {0x66, 0x0f, 0x38, 0x82, 0x03, VMCALL};
    Machine *m = nr_machine();
    nr_proc2(m, VMX_PROC2_ENABLE_INVPCID);
    m->cpu.gpr[GPR_RAX] = 2;                  /* all contexts, global ones too */
    m->cpu.gpr[GPR_RBX] = INVPCID_DESCRIPTOR; /* zeros */
    nr_assert_insn_exit(m, NR_RUN(m, code), EXIT_REASON_VMCALL, 5, 0, 3);
    machine_destroy(m);
}
END_TEST

/* ---- the capability MSRs of the secondary controls (SDM A.3.3, A.6) ---- */

START_TEST(test_procbased_ctls2_offered) {
    Machine *m = nr_machine();
    const VmxCaps *k = &m->cpu.vmx->caps;
    uint64_t v;
    ck_assert(vmx_caps_read_msr(k, 0x482, &v));
    ck_assert_uint_eq(v >> 63, 1); /* "activate secondary controls" allowed-1 */
    ck_assert(vmx_caps_read_msr(k, 0x48b, &v));
    uint64_t offered = VMX_PROC2_DESCRIPTOR_TABLE_EXITING | VMX_PROC2_ENABLE_RDTSCP |
                       VMX_PROC2_WBINVD_EXITING | VMX_PROC2_ENABLE_INVPCID;
    ck_assert_uint_eq(v, offered << 32); /* no allowed-0 bits; no EPT, VPID, unrestricted guest */
    ck_assert(vmx_caps_read_msr(k, 0x485, &v));
    ck_assert_uint_eq(v & 0x1f, VMX_PREEMPTION_TIMER_RATE);
    ck_assert(!vmx_caps_read_msr(k, 0x48c, &v)); /* IA32_VMX_EPT_VPID_CAP */
    machine_destroy(m);
}
END_TEST

/* A model without INVPCID offers no "enable INVPCID" (SDM 25.3). */
START_TEST(test_enable_invpcid_needs_the_instruction) {
    VmxCaps k;
    vmx_caps_init(&k, cpu_model_find("nehalem"));
    ck_assert(!vmx_caps_allows(&k, VMXC_PROC2_ENABLE_INVPCID));
    ck_assert(vmx_caps_allows(&k, VMXC_PROC2_ENABLE_RDTSCP));
}
END_TEST

static Suite *vmx_nonroot_insn_suite(void) {
    Suite *s = suite_create("vmx_nonroot_insn");
    TCase *t = tcase_create("core");
    tcase_add_test(t, test_invlpg_exiting_exits_with_linear_address);
    tcase_add_test(t, test_invlpg_without_exiting_executes);
    tcase_add_test(t, test_invlpg_at_cpl3_gp_before_exit);
    tcase_add_test(t, test_rdtsc_exiting_exits);
    tcase_add_test(t, test_tsc_offsetting_applies_to_rdtsc_and_rdmsr);
    tcase_add_test(t, test_tsc_without_offsetting_unchanged);
    tcase_add_test(t, test_tsc_offset_not_in_exit_msr_store);
    tcase_add_test(t, test_rdtscp_without_enable_ud);
    tcase_add_test(t, test_rdtscp_enabled_exits_with_rdtsc_exiting);
    tcase_add_test(t, test_rdtscp_enabled_reads_offset_tsc_and_aux);
    tcase_add_test(t, test_rdtsc_tsd_cpl3_gp_before_exit);
    tcase_add_test(t, test_rdpmc_exiting_exits);
    tcase_add_test(t, test_rdpmc_without_exiting_gp);
    tcase_add_test(t, test_rdpmc_cpl3_gp_before_exit);
    tcase_add_loop_test(t, test_mov_dr_exiting_qualification, 0, (int)SIM_ARRAY_SIZE(mov_dr));
    tcase_add_test(t, test_mov_dr_exiting_before_cpl3_gp);
    tcase_add_test(t, test_mov_dr8_ud_before_exit);
    tcase_add_test(t, test_mov_dr_without_exiting_executes);
    tcase_add_test(t, test_mov_dr4_with_de_without_exiting_ud);
    tcase_add_test(t, test_monitor_mwait_ud_before_exit);
    tcase_add_test(t, test_pause_exiting_exits);
    tcase_add_test(t, test_pause_without_exiting_executes);
    tcase_add_test(t, test_wbinvd_exiting_exits);
    tcase_add_test(t, test_wbinvd_cpl3_gp_before_exit);
    tcase_add_test(t, test_wbinvd_secondary_inactive_executes);
    tcase_add_loop_test(t, test_descriptor_table_exiting_information, 0,
                        (int)SIM_ARRAY_SIZE(desc_table));
    tcase_add_test(t, test_descriptor_table_without_exiting_executes);
    tcase_add_test(t, test_descriptor_table_privilege_faults_first);
    tcase_add_test(t, test_invpcid_without_enable_ud);
    tcase_add_test(t, test_invpcid_enabled_exits_with_invlpg_exiting);
    tcase_add_test(t, test_invpcid_enabled_executes);
    tcase_add_test(t, test_procbased_ctls2_offered);
    tcase_add_test(t, test_enable_invpcid_needs_the_instruction);
    suite_add_tcase(s, t);
    return s;
}

CHECK_MAIN(vmx_nonroot_insn_suite)
