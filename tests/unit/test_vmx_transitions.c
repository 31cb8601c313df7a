/*
 * VM entries and VM exits run by the CPU (SDM chapters 26 and 27): state
 * loaded and saved, the exit information of an instruction exit, MSR loading
 * and storing with the MSR-load failure (26.8), event injection (26.6) with
 * the exception bitmap not consulted for the injected event, exits during
 * event delivery with IDT-vectoring information (27.2.4), triple faults and
 * external interrupts in VMX non-root operation (25.2).
 */
#include <check.h>

#include "check_main.h"
#include "fake_intc.h"
#include "vmx_support.h"

static const uint8_t CPUID[] = {0x0f, 0xa2};

/* SDM 25.1.2, 27.2: CPUID exits with its length; the guest RIP and RSP are
 * saved, the host's loaded; VMRESUME continues after RIP is advanced. */
START_TEST(test_cpuid_exit_saves_guest_loads_host)
{
    static const uint8_t guest[] = {0x48, 0xc7, 0xc3, 0x34, 0x12, 0x00, 0x00, /* mov rbx, 0x1234 */
                                    0x0f, 0xa2, /* cpuid */
                                    0x0f, 0xa2};
    Machine *m = vmx_launchable();
    vmx_launch(m, guest, sizeof(guest), 10);
    vmx_assert_exit(m, EXIT_REASON_CPUID);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INSTRUCTION_LENGTH), 2);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_RIP), GUEST_CODE + 7);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_RSP), GUEST_STACK);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 0x1234); /* GPRs are not switched */
    ck_assert_uint_eq(m->cpu.vmx->field[VMCS_IDT_VECTORING_INFO] >> 31, 0);
    vmx_set(m, VMCS_GUEST_RIP, GUEST_CODE + 9);
    ck_assert_int_eq(vmx_resume(m, 10), STOP_HALTED);
    vmx_assert_exit(m, EXIT_REASON_CPUID);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_RIP), GUEST_CODE + 9);
    ck_assert_uint_eq(m->cpu.vmx->entries, 2);
    ck_assert_uint_eq(vmx_exit_count(&m->cpu, EXIT_REASON_CPUID), 2);
    ck_assert_uint_eq(vmx_exit_count(&m->cpu, EXIT_REASON_HLT), 0);
    machine_destroy(m);
}
END_TEST

static void msr_entry(Machine *m, unsigned i, uint64_t index, uint64_t value)
{
    gp_poke64(m, MSR_AREA + 16 * i, index);
    gp_poke64(m, MSR_AREA + 16 * i + 8, value);
}

/* SDM 26.4 / 26.8: a VM-entry MSR-load entry for IA32_FS_BASE fails the VM
 * entry: exit reason 34 with bit 31, qualification the 1-based index; the
 * host state is loaded, no guest state saved. */
START_TEST(test_entry_msr_load_failure)
{
    Machine *m = vmx_launchable();
    msr_entry(m, 0, 0x175, 0x4000);      /* IA32_SYSENTER_ESP: loads */
    msr_entry(m, 1, 0xc0000100u, 0x10); /* IA32_FS_BASE: may not be loaded */
    vmx_set(m, VMCS_ENTRY_MSR_LOAD_ADDR, MSR_AREA);
    vmx_set(m, VMCS_ENTRY_MSR_LOAD_COUNT, 2);
    vmx_launch(m, CPUID, sizeof(CPUID), 10);
    vmx_assert_exit(m, EXIT_REASON_ENTRY_FAILURE_BIT | EXIT_REASON_ENTRY_FAILURE_MSR_LOADING);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_QUALIFICATION), 2);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_RIP), GUEST_CODE); /* not saved */
    ck_assert(!m->cpu.vmx->launched);
    ck_assert_uint_eq(vmx_exit_count(&m->cpu, EXIT_REASON_ENTRY_FAILURE_MSR_LOADING), 1);
    machine_destroy(m);
}
END_TEST

START_TEST(test_entry_msr_load_success)
{
    Machine *m = vmx_launchable();
    msr_entry(m, 0, 0x175, 0x4000); /* IA32_SYSENTER_ESP */
    vmx_set(m, VMCS_ENTRY_MSR_LOAD_ADDR, MSR_AREA);
    vmx_set(m, VMCS_ENTRY_MSR_LOAD_COUNT, 1);
    vmx_launch(m, CPUID, sizeof(CPUID), 10);
    vmx_assert_exit(m, EXIT_REASON_CPUID);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_IA32_SYSENTER_ESP), 0x4000); /* saved on exit */
    machine_destroy(m);
}
END_TEST

/* vmx_msr_area.h: more entries than IA32_VMX_MISC's recommended maximum
 * (512) is the machine check SDM A.6 allows: the VM entry fails with exit
 * reason 41; on a VM exit, a VMX abort with indicator 5 (SDM 27.7). */
START_TEST(test_msr_list_beyond_maximum)
{
    Machine *m = vmx_launchable();
    vmx_set(m, VMCS_ENTRY_MSR_LOAD_ADDR, MSR_AREA);
    vmx_set(m, VMCS_ENTRY_MSR_LOAD_COUNT, VMX_MSR_LIST_MAX + 1);
    vmx_launch(m, CPUID, sizeof(CPUID), 10);
    vmx_assert_exit(m, EXIT_REASON_ENTRY_FAILURE_BIT | EXIT_REASON_ENTRY_FAILURE_MACHINE_CHECK);
    machine_destroy(m);
    m = vmx_launchable();
    vmx_set(m, VMCS_EXIT_MSR_STORE_ADDR, MSR_AREA);
    vmx_set(m, VMCS_EXIT_MSR_STORE_COUNT, VMX_MSR_LIST_MAX + 1);
    ck_assert_int_eq(vmx_launch(m, CPUID, sizeof(CPUID), 10), STOP_SHUTDOWN);
    ck_assert_uint_eq(gp_peek(m, VMCS_A + 4, 4), 5); /* the VMX-abort indicator */
    machine_destroy(m);
}
END_TEST

/* A list of exactly the recommended maximum loads (the other side). */
START_TEST(test_msr_list_at_maximum_loads)
{
    Machine *m = vmx_launchable();
    for (unsigned i = 0; i < VMX_MSR_LIST_MAX; i++)
        msr_entry(m, i, 0x175, 0x4000 + i); /* IA32_SYSENTER_ESP */
    vmx_set(m, VMCS_ENTRY_MSR_LOAD_ADDR, MSR_AREA);
    vmx_set(m, VMCS_ENTRY_MSR_LOAD_COUNT, VMX_MSR_LIST_MAX);
    vmx_launch(m, CPUID, sizeof(CPUID), 10);
    vmx_assert_exit(m, EXIT_REASON_CPUID);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_IA32_SYSENTER_ESP), 0x4000 + VMX_MSR_LIST_MAX - 1);
    machine_destroy(m);
}
END_TEST

/* SDM 27.4: the VM-exit MSR-store area receives the guest's value; 27.6:
 * the VM-exit MSR-load area is loaded after the host state. */
START_TEST(test_exit_msr_store_and_load)
{
    Machine *m = vmx_launchable();
    msr_entry(m, 0, 0x174, 0);     /* store IA32_SYSENTER_CS */
    msr_entry(m, 1, 0x176, 0x9000); /* load IA32_SYSENTER_EIP */
    vmx_set(m, VMCS_GUEST_IA32_SYSENTER_CS, 0x33);
    vmx_set(m, VMCS_EXIT_MSR_STORE_ADDR, MSR_AREA);
    vmx_set(m, VMCS_EXIT_MSR_STORE_COUNT, 1);
    vmx_set(m, VMCS_EXIT_MSR_LOAD_ADDR, MSR_AREA + 16);
    vmx_set(m, VMCS_EXIT_MSR_LOAD_COUNT, 1);
    vmx_launch(m, CPUID, sizeof(CPUID), 10);
    vmx_assert_exit(m, EXIT_REASON_CPUID);
    ck_assert_uint_eq(gp_peek(m, MSR_AREA + 8, 8), 0x33);
    ck_assert_uint_eq(m->cpu.msr[MSR_SLOT_IA32_SYSENTER_EIP], 0x9000);
    machine_destroy(m);
}
END_TEST

#define INJ(type, vector) ((1u << 31) | ((type) << 8) | (vector))

/* SDM 26.6.1: an injected #UD is delivered even when its exception-bitmap
 * bit is 1.  With an empty guest IDT its delivery faults (#GP), which the
 * bitmap turns into an exit whose IDT-vectoring information is the injected
 * event (SDM 27.2.4). */
START_TEST(test_injected_exception_fault_during_delivery)
{
    Machine *m = vmx_launchable();
    vmx_set(m, VMCS_GUEST_IDTR_LIMIT, 0);
    vmx_set(m, VMCS_EXCEPTION_BITMAP, (1u << EXC_UD) | (1u << EXC_GP));
    vmx_set(m, VMCS_ENTRY_INTERRUPTION_INFO, INJ(3u, EXC_UD));
    vmx_launch(m, CPUID, sizeof(CPUID), 10);
    vmx_assert_exit(m, EXIT_REASON_EXCEPTION_NMI);
    uint64_t info = vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO);
    ck_assert_uint_eq(info & 0xff, EXC_GP);
    ck_assert_uint_eq((info >> 8) & 7, 3);
    ck_assert_uint_eq((info >> 11) & 1, 1);
    /* SDM 6.13: selector index = vector, IDT (bit 1), EXT (bit 0) */
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_ERROR_CODE), EXC_UD * 8 + 2 + 1);
    ck_assert_uint_eq(vmx_get(m, VMCS_IDT_VECTORING_INFO), INJ(3u, EXC_UD));
    ck_assert_uint_eq(vmx_get(m, VMCS_ENTRY_INTERRUPTION_INFO) >> 31, 0); /* cleared by the exit */
    machine_destroy(m);
}
END_TEST

/* SDM 25.2: with no bitmap bit, the delivery failure ends in a triple fault,
 * which exits (reason 2) instead of shutting down. */
START_TEST(test_triple_fault_exits)
{
    Machine *m = vmx_launchable();
    vmx_set(m, VMCS_GUEST_IDTR_LIMIT, 0);
    vmx_set(m, VMCS_ENTRY_INTERRUPTION_INFO, INJ(3u, EXC_UD));
    vmx_launch(m, CPUID, sizeof(CPUID), 10);
    vmx_assert_exit(m, EXIT_REASON_TRIPLE_FAULT);
    ck_assert_int_eq(m->cpu.activity, ACTIVITY_HLT); /* the host's HLT, not a shutdown */
    machine_destroy(m);
}
END_TEST

/* SDM 25.2: UD2 with its bitmap bit exits with the interruption
 * information; with the bit clear, the guest's own #UD delivery happens. */
START_TEST(test_exception_bitmap_both_sides)
{
    static const uint8_t ud2[] = {0x0f, 0x0b};
    Machine *m = vmx_launchable();
    vmx_set(m, VMCS_EXCEPTION_BITMAP, 1u << EXC_UD);
    vmx_launch(m, ud2, sizeof(ud2), 10);
    vmx_assert_exit(m, EXIT_REASON_EXCEPTION_NMI);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO), INJ(3u, EXC_UD));
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_RIP), GUEST_CODE);
    machine_destroy(m);
    m = vmx_launchable();
    vmx_set(m, VMCS_GUEST_IDTR_LIMIT, 0);
    vmx_launch(m, ud2, sizeof(ud2), 10);
    vmx_assert_exit(m, EXIT_REASON_TRIPLE_FAULT); /* #UD was delivered (and failed) */
    machine_destroy(m);
}
END_TEST

/* SDM 25.2: #PF exits when (error code & mask) == match with bit 14 set,
 * and when they differ with bit 14 clear. */
START_TEST(test_page_fault_mask_match)
{
    static const uint8_t load[] = {0x48, 0x8b, 0x04, 0x25, 0x00, 0x50, 0x00, 0x00}; /* mov rax,[0x5000] */
    for (unsigned bit = 0; bit < 2; bit++) {
        Machine *m = vmx_launchable();
        gp_set_pte(m, 0x5000, 0); /* not present: error code 0 */
        vmx_set(m, VMCS_GUEST_IDTR_LIMIT, 0);
        vmx_set(m, VMCS_EXCEPTION_BITMAP, bit << EXC_PF);
        vmx_set(m, VMCS_PAGE_FAULT_ERROR_CODE_MASK, 1);
        vmx_set(m, VMCS_PAGE_FAULT_ERROR_CODE_MATCH, bit ? 0 : 1); /* match iff bit set */
        vmx_launch(m, load, sizeof(load), 10);
        vmx_assert_exit(m, EXIT_REASON_EXCEPTION_NMI);
        ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO) & 0xff, EXC_PF);
        ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_QUALIFICATION), 0x5000);
        machine_destroy(m);
        m = vmx_launchable();
        gp_set_pte(m, 0x5000, 0);
        vmx_set(m, VMCS_GUEST_IDTR_LIMIT, 0);
        vmx_set(m, VMCS_EXCEPTION_BITMAP, bit << EXC_PF);
        vmx_set(m, VMCS_PAGE_FAULT_ERROR_CODE_MASK, 1);
        vmx_set(m, VMCS_PAGE_FAULT_ERROR_CODE_MATCH, bit ? 1 : 0); /* the other side */
        vmx_launch(m, load, sizeof(load), 10);
        vmx_assert_exit(m, EXIT_REASON_TRIPLE_FAULT);
        machine_destroy(m);
    }
}
END_TEST

/* SDM 25.2 / 27.2.2: with "external-interrupt exiting" an interrupt exits;
 * "acknowledge interrupt on exit" acknowledges it and puts the vector in the
 * interruption information. */
START_TEST(test_external_interrupt_exit_acknowledged)
{
    static const uint8_t loop[] = {0xeb, 0xfe}; /* jmp $ */
    Machine *m = vmx_launchable();
    FakePic pic = {.intr = true};
    fake_pic_attach(m, &pic, 0x42, false);
    m->cpu.rflags &= ~(uint64_t)RFLAGS_IF; /* the host does not take it */
    vmx_set(m, VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 | RFLAGS_IF);
    vmx_set(m, VMCS_PIN_BASED_CONTROLS,
            vmx_get(m, VMCS_PIN_BASED_CONTROLS) | VMX_PIN_EXTERNAL_INTERRUPT_EXITING);
    vmx_set(m, VMCS_EXIT_CONTROLS,
            vmx_get(m, VMCS_EXIT_CONTROLS) | VMX_EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT);
    vmx_launch(m, loop, sizeof(loop), 20);
    vmx_assert_exit(m, EXIT_REASON_EXTERNAL_INTERRUPT);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO), INJ(0u, 0x42));
    ck_assert(!pic.intr); /* acknowledged */
    machine_destroy(m);
}
END_TEST

/* SDM 24.6.1 (pin-based controls): with "external-interrupt exiting" the
 * guest's RFLAGS.IF does not block the interrupt; without it, IF = 0 does. */
START_TEST(test_external_interrupt_exit_ignores_guest_if)
{
    static const uint8_t loop[] = {0xeb, 0xfe}; /* jmp $ */
    for (int exiting = 0; exiting < 2; exiting++) {
        Machine *m = vmx_launchable();
        FakePic pic = {.intr = true};
        fake_pic_attach(m, &pic, 0x42, false);
        m->cpu.rflags &= ~(uint64_t)RFLAGS_IF;
        vmx_set(m, VMCS_GUEST_RFLAGS, RFLAGS_FIXED1); /* IF = 0 */
        if (exiting)
            vmx_set(m, VMCS_PIN_BASED_CONTROLS,
                    vmx_get(m, VMCS_PIN_BASED_CONTROLS) | VMX_PIN_EXTERNAL_INTERRUPT_EXITING);
        vmx_launch(m, loop, sizeof(loop), 20);
        if (exiting) {
            vmx_assert_exit(m, EXIT_REASON_EXTERNAL_INTERRUPT);
            ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO) >> 31, 0); /* not acknowledged */
            ck_assert(pic.intr);
        } else {
            ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_NONROOT);
            ck_assert_uint_eq(m->cpu.RIP, GUEST_CODE);
        }
        machine_destroy(m);
    }
}
END_TEST

static Suite *vmx_transitions_suite(void)
{
    Suite *s = suite_create("vmx_transitions");
    TCase *t = tcase_create("entry_exit");
    tcase_add_test(t, test_cpuid_exit_saves_guest_loads_host);
    tcase_add_test(t, test_entry_msr_load_failure);
    tcase_add_test(t, test_entry_msr_load_success);
    tcase_add_test(t, test_exit_msr_store_and_load);
    tcase_add_test(t, test_msr_list_beyond_maximum);
    tcase_add_test(t, test_msr_list_at_maximum_loads);
    tcase_add_test(t, test_injected_exception_fault_during_delivery);
    tcase_add_test(t, test_triple_fault_exits);
    tcase_add_test(t, test_exception_bitmap_both_sides);
    tcase_add_test(t, test_page_fault_mask_match);
    tcase_add_test(t, test_external_interrupt_exit_acknowledged);
    tcase_add_test(t, test_external_interrupt_exit_ignores_guest_if);
    suite_add_tcase(s, t);
    return s;
}

CHECK_MAIN(vmx_transitions_suite)
