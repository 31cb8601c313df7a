/*
 * The VMX instructions in VMX root operation (SDM chapter 30): the #UD/#GP
 * prologue, VMfailInvalid / VMfailValid(n) with the error numbers of SDM
 * 30.4, and every VMCS field of vmcs_fields.def through VMWRITE/VMREAD.
 */
#include <check.h>

#include "check_main.h"
#include "vmx_support.h"

static const uint8_t VMPTRST_RAX[] = {0x0f, 0xc7, 0x38};
static const uint8_t VMREAD_RBX_RCX[] = {0x0f, 0x78, 0xcb};  /* rbx := field rcx */
static const uint8_t VMWRITE_RCX_RBX[] = {0x0f, 0x79, 0xcb}; /* field rcx := rbx */
static const uint8_t VMCALL[] = {0x0f, 0x01, 0xc1};
static const uint8_t VMXOFF[] = {0x0f, 0x01, 0xc4};

START_TEST(test_vmxon_without_cr4_vmxe_ud)
{
    Machine *m = vmx_machine();
    m->cpu.cr4 &= ~CR4_VMXE;
    gp_assert_fault(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmxon_feature_control_unlocked_gp)
{
    Machine *m = vmx_machine();
    m->cpu.msr[MSR_SLOT_IA32_FEATURE_CONTROL] = 4; /* enabled, not locked */
    gp_assert_fault(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION), EXC_GP, 0);
    m->cpu.msr[MSR_SLOT_IA32_FEATURE_CONTROL] = 1; /* locked, VMXON outside SMX disabled */
    gp_assert_fault(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmxon_cr0_ne_clear_gp)
{
    Machine *m = vmx_machine();
    m->cpu.cr0 &= ~CR0_NE; /* IA32_VMX_CR0_FIXED0 has NE */
    gp_assert_fault(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION), EXC_GP, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmxon_bad_region_fail_invalid)
{
    Machine *m = vmx_machine();
    vmx_assert_fail_invalid(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION + 8)); /* not 4-KByte aligned */
    uint32_t bad = VMX_REVISION_ID + 1;
    test_poke(m, VMXON_REGION, &bad, 4);
    vmx_assert_fail_invalid(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION));
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_OFF);
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmxon_twice_fails_and_cr4_vmxe_sticks)
{
    Machine *m = vmx_machine();
    vmx_assert_succeed(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION));
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_ROOT);
    vmx_assert_fail_invalid(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION)); /* no current VMCS */
    vmx_assert_succeed(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_A));
    vmx_assert_fail_valid(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION), VMXERR_VMXON_IN_ROOT);
    /* SDM 23.8: CR4.VMXE cannot be cleared in VMX operation: mov cr4, rax */
    static const uint8_t mov_cr4_rax[] = {0x0f, 0x22, 0xe0};
    m->cpu.gpr[GPR_RAX] = m->cpu.cr4 & ~CR4_VMXE;
    gp_assert_fault(m, gp_run(m, mov_cr4_rax, sizeof(mov_cr4_rax), 1), EXC_GP, 0);
    vmx_assert_succeed(m, VMX_RUN(m, VMXOFF, 0));
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_OFF);
    m->cpu.gpr[GPR_RAX] = m->cpu.cr4 & ~CR4_VMXE;
    ck_assert_int_eq(gp_run(m, mov_cr4_rax, sizeof(mov_cr4_rax), 1), STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmx_insn_outside_vmx_ud)
{
    Machine *m = vmx_machine();
    gp_assert_fault(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_A), EXC_UD, 0);
    gp_assert_fault(m, VMX_RUN(m, VMCALL, 0), EXC_UD, 0);
    gp_assert_fault(m, VMX_RUN(m, VMXOFF, 0), EXC_UD, 0);
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmclear_vmptrld_address_errors)
{
    Machine *m = vmx_root_with_vmcs();
    vmx_assert_fail_valid(m, VMX_RUN(m, VMCLEAR_RAX, VMCS_B + 1), VMXERR_VMCLEAR_INVALID_ADDRESS);
    vmx_assert_fail_valid(m, VMX_RUN(m, VMCLEAR_RAX, UINT64_C(1) << 45), VMXERR_VMCLEAR_INVALID_ADDRESS);
    vmx_assert_fail_valid(m, VMX_RUN(m, VMCLEAR_RAX, VMXON_REGION), VMXERR_VMCLEAR_VMXON_POINTER);
    vmx_assert_fail_valid(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_B + 0x10), VMXERR_VMPTRLD_INVALID_ADDRESS);
    vmx_assert_fail_valid(m, VMX_RUN(m, VMPTRLD_RAX, VMXON_REGION), VMXERR_VMPTRLD_VMXON_POINTER);
    uint32_t bad = VMX_REVISION_ID | 0x80000000u; /* shadow-VMCS indicator: no VMCS shadowing */
    test_poke(m, VMCS_B, &bad, 4);
    vmx_assert_fail_valid(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_B), VMXERR_VMPTRLD_BAD_REVISION);
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmptrst_stores_current_pointer)
{
    Machine *m = vmx_machine();
    vmx_assert_succeed(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION));
    vmx_assert_succeed(m, VMX_RUN(m, VMPTRST_RAX, 0));
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), ~UINT64_C(0));
    vmx_assert_succeed(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_A));
    vmx_assert_succeed(m, VMX_RUN(m, VMPTRST_RAX, 0));
    ck_assert_uint_eq(gp_peek(m, GP_DATA, 8), VMCS_A);
    machine_destroy(m);
}
END_TEST

static MachineStop vmwrite(Machine *m, uint64_t encoding, uint64_t value)
{
    m->cpu.gpr[GPR_RCX] = encoding;
    m->cpu.gpr[GPR_RBX] = value;
    return gp_run(m, VMWRITE_RCX_RBX, sizeof(VMWRITE_RCX_RBX), 1);
}

static MachineStop vmread(Machine *m, uint64_t encoding)
{
    m->cpu.gpr[GPR_RCX] = encoding;
    m->cpu.gpr[GPR_RBX] = 0x5a5a;
    return gp_run(m, VMREAD_RBX_RCX, sizeof(VMREAD_RBX_RCX), 1);
}

/* Every field of the table: a writable field round-trips (truncated to its
 * width); a read-only one fails with 13, one that does not exist with 12. */
START_TEST(test_vmcs_field_round_trip)
{
    Machine *m = vmx_root_with_vmcs();
    const VmcsFieldInfo *f = &vmcs_field_info[_i];
    const uint64_t pattern = UINT64_C(0xfedcba9876543210);
    MachineStop st = vmwrite(m, f->encoding, pattern);
    if (!m->cpu.vmx->caps.field_exists[_i]) {
        vmx_assert_fail_valid(m, st, VMXERR_UNSUPPORTED_COMPONENT);
        vmx_assert_fail_valid(m, vmread(m, f->encoding), VMXERR_UNSUPPORTED_COMPONENT);
    } else if (f->type == VMCS_TYPE_RO) {
        vmx_assert_fail_valid(m, st, VMXERR_VMWRITE_READ_ONLY);
        vmx_assert_succeed(m, vmread(m, f->encoding));
    } else {
        vmx_assert_succeed(m, st);
        vmx_assert_succeed(m, vmread(m, f->encoding));
        ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], pattern & vmcs_width_mask(f->width));
        if (f->width == VMCS_WIDTH_W64) { /* SDM 24.11.2: the high access type */
            vmx_assert_succeed(m, vmread(m, f->encoding | 1));
            ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], pattern >> 32);
            vmx_assert_succeed(m, vmwrite(m, f->encoding | 1, 0x11223344));
            vmx_assert_succeed(m, vmread(m, f->encoding));
            ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 0x1122334476543210u);
        } else {
            vmx_assert_fail_valid(m, vmread(m, f->encoding | 1), VMXERR_UNSUPPORTED_COMPONENT);
        }
    }
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmread_unsupported_encodings)
{
    Machine *m = vmx_root_with_vmcs();
    vmx_assert_fail_valid(m, vmread(m, 0x0000fffe), VMXERR_UNSUPPORTED_COMPONENT);     /* bit 15 */
    vmx_assert_fail_valid(m, vmread(m, 0x681e | 0x1000), VMXERR_UNSUPPORTED_COMPONENT); /* bit 12 */
    vmx_assert_fail_valid(m, vmread(m, UINT64_C(0x100000000) | 0x681e), VMXERR_UNSUPPORTED_COMPONENT);
    vmx_assert_fail_valid(m, vmread(m, 0x0c7e), VMXERR_UNSUPPORTED_COMPONENT); /* no such index */
    vmx_assert_succeed(m, vmread(m, 0x681e));                                   /* GUEST_RIP */
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmread_without_current_vmcs_fail_invalid)
{
    Machine *m = vmx_machine();
    vmx_assert_succeed(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION));
    vmx_assert_fail_invalid(m, vmread(m, 0x681e));
    vmx_assert_fail_invalid(m, vmwrite(m, 0x681e, 1));
    vmx_assert_fail_invalid(m, VMX_RUN(m, VMLAUNCH, 0));
    machine_destroy(m);
}
END_TEST

/* SDM 24.11.1: VMCLEAR writes the data back; VMPTRLD of the copy sees it. */
START_TEST(test_vmclear_copy_reload_consistent)
{
    Machine *m = vmx_root_with_vmcs();
    vmx_assert_succeed(m, vmwrite(m, 0x681e, 0x123456)); /* GUEST_RIP */
    vmx_assert_succeed(m, VMX_RUN(m, VMCLEAR_RAX, VMCS_A));
    uint8_t region[4096];
    mem_phys_read_bytes(&m->mem, VMCS_A, region, sizeof(region));
    test_poke(m, VMCS_B, region, sizeof(region));
    vmx_assert_succeed(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_B));
    vmx_assert_succeed(m, vmread(m, 0x681e));
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 0x123456);
    machine_destroy(m);
}
END_TEST

/* A VMCS region is guest memory: VMPTRLD keeps each field to its width, so
 * a 32-bit count cannot hold a 64-bit value (vmcs_region.c). */
START_TEST(test_vmptrld_keeps_fields_to_their_width)
{
    Machine *m = vmx_root_with_vmcs();
    gp_poke64(m, VMCS_B + 16 + 8 * VMCS_ENTRY_MSR_LOAD_COUNT, UINT64_C(0x200000001));
    gp_poke64(m, VMCS_B + 16 + 8 * VMCS_GUEST_RIP, UINT64_C(0x123456789));
    vmx_assert_succeed(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_B));
    ck_assert_uint_eq(m->cpu.vmx->field[VMCS_ENTRY_MSR_LOAD_COUNT], 1);
    ck_assert_uint_eq(m->cpu.vmx->field[VMCS_GUEST_RIP], UINT64_C(0x123456789));
    machine_destroy(m);
}
END_TEST

START_TEST(test_vmlaunch_vmresume_launch_state)
{
    Machine *m = vmx_root_with_vmcs();
    vmx_assert_fail_valid(m, VMX_RUN(m, VMRESUME, 0), VMXERR_VMRESUME_NONLAUNCHED);
    m->cpu.vmx->launched = true;
    vmx_assert_fail_valid(m, VMX_RUN(m, VMLAUNCH, 0), VMXERR_VMLAUNCH_NONCLEAR);
    vmx_assert_succeed(m, VMX_RUN(m, VMCLEAR_RAX, VMCS_A)); /* clears the launch state */
    vmx_assert_fail_invalid(m, VMX_RUN(m, VMLAUNCH, 0));    /* and the current VMCS */
    machine_destroy(m);
}
END_TEST

/* SDM 30.3 VMLAUNCH: "events are being blocked by MOV SS" -> VMfailValid(26). */
START_TEST(test_vmlaunch_after_mov_ss_fails)
{
    static const uint8_t mov_ss_vmlaunch[] = {0x8e, 0xd0, 0x0f, 0x01, 0xc2};
    Machine *m = vmx_root_with_vmcs();
    m->cpu.gpr[GPR_RAX] = 0x10;
    ck_assert_int_eq(gp_run(m, mov_ss_vmlaunch, sizeof(mov_ss_vmlaunch), 2), STOP_BUDGET);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_ZF);
    ck_assert_uint_eq(m->cpu.vmx->field[VMCS_VM_INSTRUCTION_ERROR], VMXERR_ENTRY_MOVSS_BLOCKING);
    machine_destroy(m);
}
END_TEST

/* SDM 30.3 VMCALL in VMX root operation: VMfail(1). */
START_TEST(test_vmcall_in_root_fails)
{
    Machine *m = vmx_machine();
    vmx_assert_succeed(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION));
    vmx_assert_fail_invalid(m, VMX_RUN(m, VMCALL, 0));
    vmx_assert_succeed(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_A));
    vmx_assert_fail_valid(m, VMX_RUN(m, VMCALL, 0), VMXERR_VMCALL_IN_ROOT);
    machine_destroy(m);
}
END_TEST

/* SDM 23.8 / A.7: in VMX operation CR0.PE, NE and PG cannot be cleared. */
START_TEST(test_cr0_fixed_bits_in_vmx_operation)
{
    static const uint8_t mov_cr0_rax[] = {0x0f, 0x22, 0xc0};
    Machine *m = vmx_machine();
    vmx_assert_succeed(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION));
    m->cpu.gpr[GPR_RAX] = m->cpu.cr0 & ~CR0_NE;
    gp_assert_fault(m, gp_run(m, mov_cr0_rax, sizeof(mov_cr0_rax), 1), EXC_GP, 0);
    m->cpu.gpr[GPR_RAX] = m->cpu.cr0 | CR0_TS;
    ck_assert_int_eq(gp_run(m, mov_cr0_rax, sizeof(mov_cr0_rax), 1), STOP_BUDGET);
    machine_destroy(m);
}
END_TEST

static Suite *vmx_insn_suite(void)
{
    Suite *s = suite_create("vmx_insn");
    TCase *t = tcase_create("root");
    tcase_add_test(t, test_vmxon_without_cr4_vmxe_ud);
    tcase_add_test(t, test_vmxon_feature_control_unlocked_gp);
    tcase_add_test(t, test_vmxon_cr0_ne_clear_gp);
    tcase_add_test(t, test_vmxon_bad_region_fail_invalid);
    tcase_add_test(t, test_vmxon_twice_fails_and_cr4_vmxe_sticks);
    tcase_add_test(t, test_vmx_insn_outside_vmx_ud);
    tcase_add_test(t, test_vmclear_vmptrld_address_errors);
    tcase_add_test(t, test_vmptrst_stores_current_pointer);
    tcase_add_loop_test(t, test_vmcs_field_round_trip, 0, VMCS_FIELD_COUNT);
    tcase_add_test(t, test_vmread_unsupported_encodings);
    tcase_add_test(t, test_vmread_without_current_vmcs_fail_invalid);
    tcase_add_test(t, test_vmclear_copy_reload_consistent);
    tcase_add_test(t, test_vmlaunch_vmresume_launch_state);
    tcase_add_test(t, test_vmptrld_keeps_fields_to_their_width);
    tcase_add_test(t, test_vmcall_in_root_fails);
    tcase_add_test(t, test_vmlaunch_after_mov_ss_fails);
    tcase_add_test(t, test_cr0_fixed_bits_in_vmx_operation);
    suite_add_tcase(s, t);
    return s;
}

CHECK_MAIN(vmx_insn_suite)
