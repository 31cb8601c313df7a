/*
 * Helpers for the VMX unit tests that run instructions: a 64-bit machine in
 * VMX root operation with a current VMCS, and a VMCS whose host is that
 * machine and whose guest shares its page tables and GDT (as bench/vmcall
 * and the conformance guests do), so VMLAUNCH runs guest code at GUEST_CODE
 * and VM exits resume at HOST_CODE.
 */
#ifndef VMXSIM_TEST_VMX_SUPPORT_H
#define VMXSIM_TEST_VMX_SUPPORT_H

#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/msr.h"
#include "sim/vmx/vmx_caps.h"
#include "sim/vmx/vmx_state.h"
#include "sim/vmx/vmx_tables.h"

#define VMXON_REGION 0x10000u
#define VMCS_A 0x11000u
#define VMCS_B 0x12000u
#define GUEST_CODE 0x2000u /* guest instructions are poked here */
#define HOST_CODE 0x2800u  /* HOST_RIP: a HLT */
#define GUEST_STACK 0x7000u
#define HOST_STACK 0x8000u
#define MSR_AREA 0x14000u

static const uint8_t VMXON_RAX[] = {0xf3, 0x0f, 0xc7, 0x30};
static const uint8_t VMCLEAR_RAX[] = {0x66, 0x0f, 0xc7, 0x30};
static const uint8_t VMPTRLD_RAX[] = {0x0f, 0xc7, 0x30};
static const uint8_t VMLAUNCH[] = {0x0f, 0x01, 0xc2};
static const uint8_t VMRESUME[] = {0x0f, 0x01, 0xc3};

/* 64-bit mode with the CR0/CR4 values VMX operation requires (SDM 23.8)
 * and IA32_FEATURE_CONTROL locked with VMXON outside SMX enabled (23.7). */
static inline Machine *vmx_machine(void)
{
    Machine *m = gp_long64();
    m->cpu.cr0 |= CR0_NE;
    m->cpu.cr4 |= CR4_VMXE;
    m->cpu.msr[MSR_SLOT_IA32_FEATURE_CONTROL] = 5;
    uint32_t rev = VMX_REVISION_ID;
    test_poke(m, VMXON_REGION, &rev, 4);
    test_poke(m, VMCS_A, &rev, 4);
    test_poke(m, VMCS_B, &rev, 4);
    return m;
}

/* Run one instruction with RAX pointing at GP_DATA holding `operand`. */
static inline MachineStop vmx_run1(Machine *m, const uint8_t *code, size_t n, uint64_t operand)
{
    gp_poke64(m, GP_DATA, operand);
    m->cpu.gpr[GPR_RAX] = GP_DATA;
    return gp_run(m, code, n, 1);
}

#define VMX_RUN(m, insn, operand) vmx_run1((m), (insn), sizeof(insn), (operand))

static inline void vmx_assert_succeed(Machine *m, MachineStop st)
{
    ck_assert_int_eq(st, STOP_BUDGET);
    ck_assert_uint_eq(gp_arith(m), 0);
}

static inline void vmx_assert_fail_invalid(Machine *m, MachineStop st)
{
    ck_assert_int_eq(st, STOP_BUDGET);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_CF);
}

static inline void vmx_assert_fail_valid(Machine *m, MachineStop st, unsigned error)
{
    ck_assert_int_eq(st, STOP_BUDGET);
    ck_assert_uint_eq(gp_arith(m), RFLAGS_ZF);
    ck_assert_uint_eq(m->cpu.vmx->field[VMCS_VM_INSTRUCTION_ERROR], error);
}

static inline Machine *vmx_root_with_vmcs(void)
{
    Machine *m = vmx_machine();
    vmx_assert_succeed(m, VMX_RUN(m, VMXON_RAX, VMXON_REGION));
    vmx_assert_succeed(m, VMX_RUN(m, VMCLEAR_RAX, VMCS_A));
    vmx_assert_succeed(m, VMX_RUN(m, VMPTRLD_RAX, VMCS_A));
    return m;
}

static inline void vmx_set(Machine *m, VmcsField f, uint64_t v) { vmcs_set(m->cpu.vmx, f, v); }
static inline uint64_t vmx_get(Machine *m, VmcsField f) { return m->cpu.vmx->field[f]; }

static inline void vmx_copy_segment(Machine *m, VmcsField sel, unsigned s)
{
    const Segment *g = &m->cpu.seg[s];
    vmx_set(m, sel, g->selector);
    vmx_set(m, sel + (VMCS_GUEST_ES_BASE - VMCS_GUEST_ES_SELECTOR), g->base);
    vmx_set(m, sel + (VMCS_GUEST_ES_LIMIT - VMCS_GUEST_ES_SELECTOR), g->limit);
    vmx_set(m, sel + (VMCS_GUEST_ES_ACCESS_RIGHTS - VMCS_GUEST_ES_SELECTOR), g->ar);
}

/* Guest = the machine's own 64-bit state at GUEST_CODE (flat segments from
 * gp_support.h's GDT, a busy TSS and no LDT); host = the same, resuming at
 * HOST_CODE.  Controls: the allowed-0 settings, 64-bit host and guest. */
static inline Machine *vmx_launchable(void)
{
    Machine *m = vmx_root_with_vmcs();
    CpuState *c = &m->cpu;
    const VmxCaps *k = &c->vmx->caps;
    Segment data = {0x10, 0xffffffffu, 3 | AR_S | AR_P | AR_DB | AR_G, 0};
    for (unsigned s = SEG_ES; s <= SEG_GS; s++)
        if (s != SEG_CS)
            c->seg[s] = data;
    c->seg[SEG_LDTR] = (Segment){0, 0, AR_UNUSABLE, 0};
    c->seg[SEG_TR] = (Segment){0x38, 0x67, 11 | AR_P, 0};
    vmx_set(m, VMCS_PIN_BASED_CONTROLS, k->allowed0[VMX_GROUP_PIN]);
    vmx_set(m, VMCS_PROC_BASED_CONTROLS, k->allowed0[VMX_GROUP_PROC]);
    vmx_set(m, VMCS_EXIT_CONTROLS, k->allowed0[VMX_GROUP_EXIT] | VMX_EXIT_HOST_ADDRESS_SPACE_SIZE);
    vmx_set(m, VMCS_ENTRY_CONTROLS, k->allowed0[VMX_GROUP_ENTRY] | VMX_ENTRY_IA32E_MODE_GUEST);
    vmx_set(m, VMCS_HOST_CR0, c->cr0);
    vmx_set(m, VMCS_HOST_CR3, c->cr3);
    vmx_set(m, VMCS_HOST_CR4, c->cr4);
    vmx_set(m, VMCS_HOST_CS_SELECTOR, c->seg[SEG_CS].selector);
    vmx_set(m, VMCS_HOST_SS_SELECTOR, 0x10);
    vmx_set(m, VMCS_HOST_DS_SELECTOR, 0x10);
    vmx_set(m, VMCS_HOST_ES_SELECTOR, 0x10);
    vmx_set(m, VMCS_HOST_TR_SELECTOR, 0x38);
    vmx_set(m, VMCS_HOST_GDTR_BASE, c->gdtr.base);
    vmx_set(m, VMCS_HOST_RSP, HOST_STACK);
    vmx_set(m, VMCS_HOST_RIP, HOST_CODE);
    vmx_set(m, VMCS_GUEST_CR0, c->cr0);
    vmx_set(m, VMCS_GUEST_CR3, c->cr3);
    vmx_set(m, VMCS_GUEST_CR4, c->cr4);
    vmx_set(m, VMCS_GUEST_DR7, 0x400);
    for (unsigned s = 0; s < SEG_COUNT; s++)
        vmx_copy_segment(m, VMCS_GUEST_ES_SELECTOR + s, s);
    vmx_set(m, VMCS_GUEST_GDTR_BASE, c->gdtr.base);
    vmx_set(m, VMCS_GUEST_GDTR_LIMIT, c->gdtr.limit);
    vmx_set(m, VMCS_GUEST_RSP, GUEST_STACK);
    vmx_set(m, VMCS_GUEST_RIP, GUEST_CODE);
    vmx_set(m, VMCS_GUEST_RFLAGS, RFLAGS_FIXED1);
    vmx_set(m, VMCS_VMCS_LINK_POINTER, ~UINT64_C(0));
    static const uint8_t hlt = 0xf4;
    test_poke(m, HOST_CODE, &hlt, 1);
    c->exception_stop_mask = 0; /* guest exceptions are delivered (or exit) */
    return m;
}

/* Poke guest code, VMLAUNCH, run up to `count` instructions (a VM exit ends
 * at the host's HLT, which stops the run). */
static inline MachineStop vmx_launch(Machine *m, const void *guest, size_t n, uint64_t count)
{
    test_poke(m, GUEST_CODE, guest, n);
    return gp_run(m, VMLAUNCH, sizeof(VMLAUNCH), count);
}

/* Back from the host's HLT: VMRESUME and run up to `count` instructions. */
static inline MachineStop vmx_resume(Machine *m, uint64_t count)
{
    m->cpu.activity = ACTIVITY_ACTIVE;
    return gp_run(m, VMRESUME, sizeof(VMRESUME), count);
}

/* The run ended in the host after a VM exit with this basic reason. */
static inline void vmx_assert_exit(Machine *m, uint32_t reason)
{
    ck_assert_int_eq(m->cpu.vmx_mode, VMX_MODE_ROOT);
    ck_assert_uint_eq(vmx_get(m, VMCS_EXIT_REASON), reason);
    ck_assert_uint_eq(m->cpu.RIP, HOST_CODE + 1); /* past the host's HLT */
    ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], HOST_STACK);
}

#endif
