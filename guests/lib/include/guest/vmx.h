/*
 * VMX helpers for guest hypervisors, written from the Intel SDM Vol. 3C:
 * the VMX instructions (30.3 "VMX Instructions") as inline wrappers that
 * return the outcome 30.2 "Conventions" defines, the capability MSRs
 * (Appendix A "VMX Capability Reporting Facility"), and a VM-entry/VM-exit
 * trampoline (vmx_run.S).  VMCS constants are in guest/vmcs.h.
 */
#ifndef GUEST_VMX_H
#define GUEST_VMX_H

/* Offsets in VmxGuestRegs, shared with vmx_run.S. */
#define VMX_REGS_RAX 0
#define VMX_REGS_RCX 8
#define VMX_REGS_RDX 16
#define VMX_REGS_RBX 24
#define VMX_REGS_RBP 32
#define VMX_REGS_RSI 40
#define VMX_REGS_RDI 48
#define VMX_REGS_R8 56
#define VMX_REGS_R9 64
#define VMX_REGS_R10 72
#define VMX_REGS_R11 80
#define VMX_REGS_R12 88
#define VMX_REGS_R13 96
#define VMX_REGS_R14 104
#define VMX_REGS_R15 112
/* VMCS_HOST_RSP (guest/vmcs.h) without the C suffix, for vmx_run.S. */
#define VMX_HOST_RSP_ENCODING 0x6C14

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#include "guest/vmcs.h"

/* 30.2 "Conventions": VMsucceed clears CF and ZF; VMfailInvalid sets CF
 * (no current VMCS); VMfailValid sets ZF and writes the VM-instruction
 * error field of the current VMCS. */
typedef enum VmxResult { VMX_SUCCEED = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 } VmxResult;

static inline VmxResult vmx_result(bool cf, bool zf) {
    return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_SUCCEED;
}

/* The instruction's memory operand holds a 64-bit physical address. */
#define VMX_PTR_INSN(name, mnemonic)                                                               \
    static inline VmxResult name(uint64_t pa) {                                                    \
        bool cf, zf;                                                                               \
        __asm__ __volatile__(mnemonic " %[pa]"                                                     \
                             : "=@ccc"(cf), "=@ccz"(zf)                                            \
                             : [pa] "m"(pa)                                                        \
                             : "memory");                                                          \
        return vmx_result(cf, zf);                                                                 \
    }
VMX_PTR_INSN(vmx_vmxon, "vmxon")     /* 30.3 "VMXON—Enter VMX Operation" */
VMX_PTR_INSN(vmx_vmclear, "vmclear") /* 30.3 "VMCLEAR—Clear Virtual-Machine Control Structure" */
VMX_PTR_INSN(vmx_vmptrld, "vmptrld") /* 30.3 "VMPTRLD—Load Pointer to VMCS" */
#undef VMX_PTR_INSN

/* The instruction has no operand. */
#define VMX_BARE_INSN(name, mnemonic)                                                              \
    static inline VmxResult name(void) {                                                           \
        bool cf, zf;                                                                               \
        __asm__ __volatile__(mnemonic : "=@ccc"(cf), "=@ccz"(zf) : : "memory");                    \
        return vmx_result(cf, zf);                                                                 \
    }
VMX_BARE_INSN(vmx_vmxoff, "vmxoff") /* 30.3 "VMXOFF—Leave VMX Operation" */
VMX_BARE_INSN(vmx_vmcall, "vmcall") /* 30.3 "VMCALL—Call to VM Monitor" (root operation) */
/* 30.3 "VMLAUNCH/VMRESUME": these return only when the instruction fails
 * before the VM entry (VMfailInvalid / VMfailValid).  A guest is entered
 * with vmx_run(), which also catches the VM exit. */
VMX_BARE_INSN(vmx_vmlaunch, "vmlaunch")
VMX_BARE_INSN(vmx_vmresume, "vmresume")
#undef VMX_BARE_INSN

/* 30.3 "VMPTRST—Store Pointer to VMCS". */
static inline VmxResult vmx_vmptrst(uint64_t *pa) {
    bool cf, zf;
    __asm__ __volatile__("vmptrst %[pa]" : [pa] "=m"(*pa), "=@ccc"(cf), "=@ccz"(zf) : : "memory");
    return vmx_result(cf, zf);
}

/* 30.3 "VMREAD—Read Field from Virtual-Machine Control Structure".  In
 * 64-bit mode the encoding register is 64 bits wide: bits 63:32 set name
 * an unsupported component. */
static inline VmxResult vmx_vmread(uint64_t field, uint64_t *value) {
    bool cf, zf;
    uint64_t v;
    __asm__ __volatile__("vmread %[field], %[v]"
                         : [v] "=r"(v), "=@ccc"(cf), "=@ccz"(zf)
                         : [field] "r"(field)
                         : "memory");
    if (!cf && !zf) *value = v;
    return vmx_result(cf, zf);
}

/* 30.3 "VMWRITE—Write Field to Virtual-Machine Control Structure". */
static inline VmxResult vmx_vmwrite(uint64_t field, uint64_t value) {
    bool cf, zf;
    __asm__ __volatile__("vmwrite %[v], %[field]"
                         : "=@ccc"(cf), "=@ccz"(zf)
                         : [v] "r"(value), [field] "r"(field)
                         : "memory");
    return vmx_result(cf, zf);
}

/* 30.3 "INVEPT" / "INVVPID": 128-bit descriptor in memory, type in a register. */
typedef struct VmxInvDescriptor {
    uint64_t lo, hi;
} VmxInvDescriptor;

static inline VmxResult vmx_invept(uint64_t type, const VmxInvDescriptor *d) {
    bool cf, zf;
    __asm__ __volatile__("invept %[d], %[type]"
                         : "=@ccc"(cf), "=@ccz"(zf)
                         : [d] "m"(*d), [type] "r"(type)
                         : "memory");
    return vmx_result(cf, zf);
}

static inline VmxResult vmx_invvpid(uint64_t type, const VmxInvDescriptor *d) {
    bool cf, zf;
    __asm__ __volatile__("invvpid %[d], %[type]"
                         : "=@ccc"(cf), "=@ccz"(zf)
                         : [d] "m"(*d), [type] "r"(type)
                         : "memory");
    return vmx_result(cf, zf);
}

/* 23.7 "Enabling and Entering VMX Operation": IA32_FEATURE_CONTROL. */
#define MSR_IA32_FEATURE_CONTROL 0x3Au
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMX_IN_SMX (1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)

/* Appendix A capability MSRs (A.1-A.10). */
#define MSR_IA32_VMX_BASIC 0x480u
#define MSR_IA32_VMX_PINBASED_CTLS 0x481u
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482u
#define MSR_IA32_VMX_EXIT_CTLS 0x483u
#define MSR_IA32_VMX_ENTRY_CTLS 0x484u
#define MSR_IA32_VMX_MISC 0x485u
#define MSR_IA32_VMX_CR0_FIXED0 0x486u
#define MSR_IA32_VMX_CR0_FIXED1 0x487u
#define MSR_IA32_VMX_CR4_FIXED0 0x488u
#define MSR_IA32_VMX_CR4_FIXED1 0x489u
#define MSR_IA32_VMX_VMCS_ENUM 0x48Au
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48Bu
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48Cu
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48Du
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48Eu
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48Fu
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490u

/* A.1 "Basic VMX Information". */
#define VMX_BASIC_REVISION(basic) ((uint32_t)(basic)&0x7fffffffu)          /* bits 30:0 */
#define VMX_BASIC_REGION_SIZE(basic) ((uint32_t)((basic) >> 32) & 0x1fffu) /* bits 44:32 */
#define VMX_BASIC_TRUE_CTLS (1ull << 55)
/* A.6 "Miscellaneous Data". */
#define VMX_MISC_CR3_TARGETS(misc) ((uint32_t)((misc) >> 16) & 0x1ffu) /* bits 24:16 */
#define VMX_MISC_VMWRITE_ANY_FIELD (1ull << 29)

#define CPUID_1_ECX_VMX (1u << 5) /* 23.6 "Discovering Support for VMX" */
#define CR4_VMXE (1ull << 13)     /* 23.7 */

/* Which control vector a capability describes (A.3.1, A.3.2, A.4, A.5). */
typedef enum VmxControls { VMX_PIN, VMX_PROC, VMX_EXIT, VMX_ENTRY } VmxControls;

/* The capability MSR for a control vector: the IA32_VMX_TRUE_* MSR when
 * IA32_VMX_BASIC[55] = 1, else the original one (A.2, 31.5.1). */
uint64_t vmx_control_capability(VmxControls which);

/* 31.5.1 "Algorithms for Determining VMX Capabilities": bits set in the
 * allowed 0-settings (capability bits 31:0) must be 1, bits clear in the
 * allowed 1-settings (bits 63:32) must be 0; everything else as wanted. */
static inline uint32_t vmx_adjust_controls(uint32_t want, uint64_t cap) {
    return (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

/* 23.8 "Restrictions on VMX Operation", A.7/A.8: a CR0 or CR4 value forced
 * to the IA32_VMX_CRn_FIXED0 (must be 1) / FIXED1 (may be 1) settings. */
static inline uint64_t vmx_fixed_cr(uint64_t value, uint64_t fixed0, uint64_t fixed1) {
    return (value | fixed0) & fixed1;
}

/* Sets CR4.VMXE and applies the CR0/CR4 fixed bits to CR0 and CR4. */
void vmx_enable_cr(void);
/* Writes the VMCS revision identifier (IA32_VMX_BASIC[30:0], bit 31 clear)
 * to the first 4 bytes of a VMXON or VMCS region (24.2, 24.11.5). */
void vmx_region_init(void *region);

/* Host-state area = the current CPU state (24.5), HOST_RIP = vmx_exit_stub;
 * HOST_RSP is written by vmx_run().  Returns the first failing VMWRITE. */
VmxResult vmx_write_host_state(void);
/* Guest-state area (24.4) = the current CPU state (CRs, segments, GDTR,
 * IDTR, SYSENTER MSRs) with the given RIP and RSP, RFLAGS = 2, active,
 * no blocking, VMCS link pointer = FFFFFFFF_FFFFFFFFH. */
VmxResult vmx_write_guest_state(uint64_t rip, uint64_t rsp);

/* The guest's general-purpose registers (RSP is in the VMCS). */
typedef struct VmxGuestRegs {
    uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
} VmxGuestRegs;

/* vmx_run.S: writes HOST_RSP, loads the guest registers and executes
 * VMLAUNCH (resume = false) or VMRESUME.  Returns VMX_SUCCEED after a VM
 * exit or a VM-entry failure that loaded host state (EXIT_REASON tells
 * which), with the guest registers saved in *regs; returns
 * VMX_FAIL_INVALID / VMX_FAIL_VALID when the instruction failed. */
VmxResult vmx_run(VmxGuestRegs *regs, bool resume);
/* Where VM exits land (HOST_RIP); not callable. */
void vmx_exit_stub(void);

#endif /* __ASSEMBLER__ */

#endif
