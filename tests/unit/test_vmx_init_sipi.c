/*
 * INIT and start-up IPIs (SIPIs) on the machine's one CPU, the BSP: the INIT
 * state outside VMX operation (SDM 9.1 Table 9-1 "INIT" column, 9.4), INIT
 * held in VMX root operation (23.8 "Restrictions on VMX Operation"), INIT
 * and SIPI VM exits in non-root operation (25.2, 27.2.1), and the
 * wait-for-SIPI activity state (26.6.2 "Activity State", IA32_VMX_MISC bit 8).
 */
#include <check.h>

#include "check_main.h"
#include "vmx_nonroot_support.h"

#define NOP 0x90
#define VMCALL VMCALL_BYTES
#define VMXOFF 0x0f, 0x01, 0xc4

/* x2APIC mode, then an INIT (delivery mode 101B, level assert) to APIC ID 0:
 * the CPU itself (SDM 10.6.1; the shorthands do not carry INIT, Table 10-3). */
#define SEND_INIT_TO_SELF                                                                          \
    0xb9, 0x1b, 0x00, 0x00, 0x00,       /* mov ecx, IA32_APIC_BASE */                              \
    0x0f, 0x32,                         /* rdmsr */                                                \
    0x0d, 0x00, 0x0c, 0x00, 0x00,       /* or eax, EN | EXTD */                                    \
    0x0f, 0x30,                         /* wrmsr */                                                \
    0xb9, 0x30, 0x08, 0x00, 0x00,       /* mov ecx, ICR (830H) */                                  \
    0x31, 0xd2,                         /* xor edx, edx */                                         \
    0xb8, 0x00, 0x45, 0x00, 0x00,       /* mov eax, 4500H */                                       \
    0x0f, 0x30                          /* wrmsr */
#define SEND_INIT_INSNS 8

/* After INIT the BSP fetches at FFFFFFF0H; the test stops it at whatever
 * exception that fetch raises, before delivery, so the INIT state is seen. */
static void assert_init_state(Machine *m, uint64_t cr0_cache_bits)
{
    CpuState *c = &m->cpu;
    ck_assert_int_eq(c->vmx_mode, VMX_MODE_OFF);
    ck_assert_int_eq(c->mode, MODE_REAL);
    ck_assert_uint_eq(c->RIP, 0xfff0);
    ck_assert_uint_eq(c->seg[SEG_CS].selector, 0xf000);
    ck_assert_uint_eq(c->seg[SEG_CS].base, 0xffff0000);
    ck_assert_uint_eq(c->cr0, CR0_ET | cr0_cache_bits);
    ck_assert_uint_eq(c->cr4, 0);
    ck_assert_uint_eq(c->efer, 0);
    ck_assert_uint_eq(c->gpr[GPR_RDX], c->model->signature);
    ck_assert_int_eq(c->activity, ACTIVITY_ACTIVE);
}

static MachineStop run_after_init(Machine *m, uint64_t budget)
{
    m->cpu.exception_stop_mask = ~0u;
    return machine_run(m, budget);
}

/* SDM 9.1: INIT leaves the MSRs, x87 and SSE state and CR0.CD/NW unchanged. */
START_TEST(test_init_outside_vmx_keeps_fpu_sse_msrs)
{
    static const uint8_t code[] = {SEND_INIT_TO_SELF, NOP};
    Machine *m = gp_long64();
    CpuState *c = &m->cpu;
    c->fpu.fcw = 0x027f;
    c->fpu.mxcsr = 0x1fa0;
    c->cr0 |= CR0_CD;
    c->msr[MSR_SLOT_IA32_FEATURE_CONTROL] = 5;
    ck_assert_int_eq(gp_run(m, code, sizeof(code), SEND_INIT_INSNS), STOP_BUDGET);
    ck_assert(c->ev.force & EV_INIT); /* latched by the APIC, taken at the next boundary */
    (void)run_after_init(m, 1);
    assert_init_state(m, CR0_CD);
    ck_assert_uint_eq(c->fpu.fcw, 0x027f);
    ck_assert_uint_eq(c->fpu.mxcsr, 0x1fa0);
    ck_assert_uint_eq(c->msr[MSR_SLOT_IA32_FEATURE_CONTROL], 5);
    ck_assert(!(c->ev.force & EV_INIT));
    machine_destroy(m);
}
END_TEST

/* SDM 23.8: INIT is blocked in VMX root operation; VMXOFF unblocks it. */
START_TEST(test_init_in_root_held_until_vmxoff)
{
    static const uint8_t code[] = {NOP, NOP, VMXOFF, NOP};
    Machine *m = vmx_root_with_vmcs();
    machine_raise_init(m);
    ck_assert_int_eq(gp_run(m, code, sizeof(code), 2), STOP_BUDGET);
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_ROOT);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE + 2);
    ck_assert(m->cpu.ev.force & EV_INIT);
    ck_assert_int_eq(machine_run(m, 1), STOP_BUDGET); /* VMXOFF */
    (void)run_after_init(m, 1);
    assert_init_state(m, 0);
    machine_destroy(m);
}
END_TEST

/* An INIT sent through the local APIC in root operation stays pending; after
 * VM entry it is not blocked and exits before the first guest instruction
 * (SDM 25.2: reason 3, qualification 0, no register changes). */
START_TEST(test_init_pending_at_entry_exits_first)
{
    static const uint8_t send[] = {SEND_INIT_TO_SELF};
    static const uint8_t guest[] = {NOP, VMCALL};
    Machine *m = nr_machine();
    ck_assert_int_eq(gp_run(m, send, sizeof(send), SEND_INIT_INSNS + 1), STOP_BUDGET);
    ck_assert(m->cpu.ev.force & EV_INIT);
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_ROOT);
    nr_assert_exit(m, NR_RUN(m, guest), EXIT_REASON_INIT, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_QUALIFICATION), 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO) >> 31, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_ACTIVITY_STATE), ACTIVITY_ACTIVE);
    ck_assert(!(m->cpu.ev.force & EV_INIT)); /* taken by the exit */
    machine_destroy(m);
}
END_TEST

/* An INIT wakes a halted guest with a VM exit; the activity state saved is
 * HLT (SDM 27.3.4). */
START_TEST(test_init_exits_from_hlt)
{
    static const uint8_t guest[] = {0xf4, VMCALL};
    Machine *m = nr_machine();
    ck_assert_int_eq(NR_RUN(m, guest), STOP_HALTED);
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_NONROOT);
    machine_raise_init(m);
    nr_assert_exit(m, machine_run(m, 10), EXIT_REASON_INIT, 1);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_ACTIVITY_STATE), ACTIVITY_HLT);
    machine_destroy(m);
}
END_TEST

START_TEST(test_misc_offers_wait_for_sipi)
{
    Machine *m = vmx_machine();
    ck_assert_uint_eq((m->cpu.vmx->caps.misc >> 8) & 1, 1);
    machine_destroy(m);
}
END_TEST

/* SDM 26.6.2: a guest entered in wait-for-SIPI executes nothing; with no
 * other processor to send a SIPI the run ends halted, still in non-root
 * operation.  INIT and NMIs are blocked there (no VM exit, even with "NMI
 * exiting"); a SIPI exits with its vector as the qualification (27.2.1). */
START_TEST(test_wait_for_sipi_exits_on_sipi_only)
{
    static const uint8_t guest[] = {VMCALL};
    Machine *m = nr_machine();
    nr_pin(m, VMX_PIN_NMI_EXITING);
    vmx_set(m, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_SIPI);
    ck_assert_int_eq(NR_RUN(m, guest), STOP_HALTED);
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_NONROOT);
    ck_assert_int_eq(m->cpu.activity, ACTIVITY_WAIT_SIPI);
    machine_raise_init(m);
    machine_raise_nmi(m);
    ck_assert_int_eq(machine_run(m, 10), STOP_HALTED);
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_NONROOT);
    ck_assert(m->cpu.ev.force & EV_NMI);
    m->cpu.ev.force &= ~(uint32_t)EV_NMI; /* the host has no IDT to take it after the exit */
    machine_raise_sipi(m, 0x9a);
    nr_assert_exit(m, machine_run(m, 10), EXIT_REASON_SIPI, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_QUALIFICATION), 0x9a);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_ACTIVITY_STATE), ACTIVITY_WAIT_SIPI);
    ck_assert(m->cpu.ev.force & EV_INIT); /* still pending, now blocked by root operation */
    machine_destroy(m);
}
END_TEST

/* SDM 26.6.2: the active state blocks SIPIs; they are discarded. */
START_TEST(test_sipi_while_active_discarded)
{
    static const uint8_t guest[] = {NOP, VMCALL};
    Machine *m = nr_machine();
    machine_raise_sipi(m, 0x10); /* in root operation: discarded */
    ck_assert(!(m->cpu.ev.force & EV_SIPI));
    nr_assert_exit(m, NR_RUN(m, guest), EXIT_REASON_VMCALL, 1);
    machine_destroy(m);
}
END_TEST

/* SDM 9.4: an AP (IA32_APIC_BASE.BSP = 0) enters wait-for-SIPI on INIT and
 * starts in real-address mode at 000VV000H on a SIPI.  The machine's CPU is
 * the BSP; the test clears the APIC's BSP flag to see the AP's path. */
START_TEST(test_init_on_ap_waits_for_sipi)
{
    static const uint8_t hlt = 0xf4;
    Machine *m = gp_long64();
    m->pc.lapic.base &= ~(uint64_t)APIC_BASE_BSP;
    test_poke(m, 0x12000, &hlt, 1);
    machine_raise_init(m);
    ck_assert_int_eq(machine_run(m, 10), STOP_HALTED);
    ck_assert_int_eq(m->cpu.activity, ACTIVITY_WAIT_SIPI);
    ck_assert_int_eq(m->cpu.mode, MODE_REAL);
    machine_raise_sipi(m, 0x12);
    (void)machine_run(m, 1);
    ck_assert_uint_eq(m->cpu.seg[SEG_CS].selector, 0x1200);
    ck_assert_uint_eq(m->cpu.seg[SEG_CS].base, 0x12000);
    ck_assert_uint_eq(m->cpu.RIP, 1);
    ck_assert_int_eq(m->cpu.activity, ACTIVITY_HLT);
    machine_destroy(m);
}
END_TEST

static Suite *vmx_init_sipi_suite(void)
{
    Suite *s = suite_create("vmx_init_sipi");
    TCase *t = tcase_create("init_sipi");
    tcase_add_test(t, test_init_outside_vmx_keeps_fpu_sse_msrs);
    tcase_add_test(t, test_init_in_root_held_until_vmxoff);
    tcase_add_test(t, test_init_pending_at_entry_exits_first);
    tcase_add_test(t, test_init_exits_from_hlt);
    tcase_add_test(t, test_misc_offers_wait_for_sipi);
    tcase_add_test(t, test_wait_for_sipi_exits_on_sipi_only);
    tcase_add_test(t, test_sipi_while_active_discarded);
    tcase_add_test(t, test_init_on_ap_waits_for_sipi);
    suite_add_tcase(s, t);
    return s;
}

CHECK_MAIN(vmx_init_sipi_suite)
