/*
 * Guests for the tests of VMX non-root operation (test_vmx_nonroot_*.c), on
 * vmx_support.h's launchable VMCS: a guest IDT of 64-bit interrupt gates,
 * guest exceptions stopped undelivered (exception_stop_mask) unless a test
 * wants them delivered, a CPL-3 variant, and the assertions on an exit's
 * reason, saved RIP, qualification and instruction length.
 */
#ifndef VMXSIM_TEST_VMX_NONROOT_SUPPORT_H
#define VMXSIM_TEST_VMX_NONROOT_SUPPORT_H

#include "vmx_support.h"

#define GUEST_IDT 0xc000u /* interrupt gates for vectors 0-31 to GUEST_HANDLER(vector) */
#define GUEST_HANDLERS 0xd000u
#define GUEST_HANDLER(v) (GUEST_HANDLERS + 0x10u * (v))
#define VMCALL_BYTES 0x0f, 0x01, 0xc1

/* Access rights (SDM 24.4.1 Table "Format of Access Rights"). */
#define NR_AR_CODE64 0xa09bu
#define NR_AR_DATA 0xc093u

static inline void nr_set_bits(Machine *m, VmcsField f, uint64_t bits) {
    vmx_set(m, f, vmx_get(m, f) | bits);
}

static inline void nr_proc(Machine *m, uint64_t bits) {
    nr_set_bits(m, VMCS_PROC_BASED_CONTROLS, bits);
}
static inline void nr_pin(Machine *m, uint64_t bits) {
    nr_set_bits(m, VMCS_PIN_BASED_CONTROLS, bits);
}

static inline void nr_proc2(Machine *m, uint64_t bits) {
    nr_proc(m, VMX_PROC_ACTIVATE_SECONDARY_CONTROLS);
    nr_set_bits(m, VMCS_SECONDARY_PROC_BASED_CONTROLS, bits);
}

/* Interrupt gates (type 14, present, DPL 0, the host's CS) for vectors
 * 0-31; every handler is IRETQ unless a test pokes other code there. */
static inline void nr_guest_idt(Machine *m) {
    static const uint8_t iretq[] = {0x48, 0xcf};
    uint64_t cs = m->cpu.seg[SEG_CS].selector;
    for (uint64_t v = 0; v < 32; v++) {
        uint64_t h = GUEST_HANDLER(v);
        uint64_t lo =
            (h & 0xffff) | (cs << 16) | (UINT64_C(0x8e00) << 32) | ((h >> 16) & 0xffff) << 48;
        gp_poke64(m, GUEST_IDT + 16 * v, lo);
        gp_poke64(m, GUEST_IDT + 16 * v + 8, h >> 32);
        test_poke(m, h, iretq, sizeof(iretq));
    }
    vmx_set(m, VMCS_GUEST_IDTR_BASE, GUEST_IDT);
    vmx_set(m, VMCS_GUEST_IDTR_LIMIT, 32 * 16 - 1);
}

/* A launchable VMCS whose guest has an IDT; guest exceptions stop the run
 * undelivered (tests that want them delivered clear exception_stop_mask). */
static inline Machine *nr_machine(void) {
    Machine *m = vmx_launchable();
    nr_guest_idt(m);
    m->cpu.exception_stop_mask = ~0u;
    return m;
}

/* A guest at CPL 3: CS and SS with DPL 3, user pages for its code and stack. */
static inline void nr_user_guest(Machine *m) {
    for (uint64_t table = GP_PML4; table <= GP_PML4 + 0x2000; table += 0x1000)
        gp_poke64(m, table, gp_peek(m, table, 8) | 4);
    gp_set_pte(m, GUEST_CODE, PTE_P | PTE_W | 4);
    gp_set_pte(m, GUEST_STACK - 0x1000, PTE_P | PTE_W | 4);
    vmx_set(m, VMCS_GUEST_CS_SELECTOR, 0x23);
    vmx_set(m, VMCS_GUEST_CS_ACCESS_RIGHTS, NR_AR_CODE64 | (3u << AR_DPL_SHIFT));
    vmx_set(m, VMCS_GUEST_SS_SELECTOR, 0x2b);
    vmx_set(m, VMCS_GUEST_SS_ACCESS_RIGHTS, NR_AR_DATA | (3u << AR_DPL_SHIFT));
}

/* VMLAUNCH, or VMRESUME once launched, into `code` at GUEST_CODE. */
static inline MachineStop nr_run(Machine *m, const void *code, size_t n, uint64_t budget) {
    if (!m->cpu.vmx->launched) return vmx_launch(m, code, n, budget);
    test_poke(m, GUEST_CODE, code, n);
    return vmx_resume(m, budget);
}

#define NR_RUN(m, code) nr_run((m), (code), sizeof(code), 1000)

/* The run ended in the host's HLT after a VM exit with this basic reason;
 * the guest RIP saved is GUEST_CODE + rip_offset. */
static inline void nr_assert_exit(Machine *m, MachineStop st, uint32_t reason,
                                  uint64_t rip_offset) {
    ck_assert_msg(st == STOP_HALTED, "stop %d, vmx mode %d, rip %#lx, fault %u", st,
                  m->cpu.vmx_mode, (unsigned long)m->cpu.RIP, m->cpu.fault.vector);
    vmx_assert_exit(m, reason);
    ck_assert_uint_eq(vmx_get(m, VMCS_GUEST_RIP), GUEST_CODE + rip_offset);
}

/* An instruction exit: reason, qualification, instruction length, no
 * interruption or IDT-vectoring information (SDM 27.2.1-27.2.4). */
static inline void nr_assert_insn_exit(Machine *m, MachineStop st, uint32_t reason,
                                       uint64_t rip_offset, uint64_t qual, unsigned len) {
    nr_assert_exit(m, st, reason, rip_offset);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_QUALIFICATION), qual);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INSTRUCTION_LENGTH), len);
    ck_assert_uint_eq(vmx_get(m, VMCS_IDT_VECTORING_INFO) >> 31, 0);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_INTERRUPTION_INFO) >> 31, 0);
}

/* The guest stopped at an undelivered exception, still in non-root
 * operation, at GUEST_CODE + rip_offset. */
static inline void nr_assert_fault(Machine *m, MachineStop st, unsigned vector,
                                   uint64_t rip_offset) {
    ck_assert_int_eq(st, STOP_EXCEPTION);
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_NONROOT);
    ck_assert_uint_eq(m->cpu.fault.vector, vector);
    ck_assert_uint_eq(m->cpu.RIP, GUEST_CODE + rip_offset);
}

#endif
