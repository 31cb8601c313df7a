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
#define MSR_IA32_VMX_VMFUNC 0x491u

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

/* The four control vectors of a VMCS (24.6.1, 24.6.2, 24.7.1, 24.8.1). */
typedef struct VmxControlSet {
    uint32_t pin, proc, exit, entry;
} VmxControlSet;

/* True when the capability MSR of the vector lets every bit of want be 1
 * (its allowed 1-settings, bits 63:32, A.3-A.5). */
bool vmx_controls_allowed(VmxControls which, uint32_t want);
/* Each vector of *want adjusted to its capability MSR (vmx_adjust_controls);
 * returns false if a wanted 1-setting is not allowed, with the bits the CPU
 * cannot set in *missing (when missing is not NULL). */
bool vmx_controls_adjust(const VmxControlSet *want, VmxControlSet *out, VmxControlSet *missing);
/* Writes the four vectors, then the other control fields a fresh VMCS
 * needs, all off: exception bitmap, #PF error-code mask/match, CR0/CR4
 * guest/host masks, CR3-target count, MSR-load/store counts, VM-entry
 * interruption information (24.6-24.8).  Returns the first failing VMWRITE. */
VmxResult vmx_write_controls(const VmxControlSet *c);

/* Sets CR4.VMXE and applies the CR0/CR4 fixed bits to CR0 and CR4. */
void vmx_enable_cr(void);
/* Writes the VMCS revision identifier (IA32_VMX_BASIC[30:0], bit 31 clear)
 * to the first 4 bytes of a VMXON or VMCS region (24.2, 24.11.5). */
void vmx_region_init(void *region);

/* Why vmx_on() failed, or VMX_ON_OK. */
typedef enum VmxOnStatus {
    VMX_ON_OK,
    VMX_ON_NO_VMX,     /* CPUID.1:ECX.VMX[bit 5] = 0 (23.6) */
    VMX_ON_LOCKED_OFF, /* IA32_FEATURE_CONTROL locked without "VMXON outside SMX" (23.7) */
    VMX_ON_VMFAIL,     /* VMXON failed (30.3 "VMXON") */
} VmxOnStatus;

/* 23.6, 23.7 "Enabling and Entering VMX Operation": checks CPUID, locks
 * IA32_FEATURE_CONTROL with "VMXON outside SMX" if firmware left it
 * unlocked, sets CR4.VMXE and the fixed CR0/CR4 bits, writes the revision
 * identifier to the 4-KByte aligned region and executes VMXON on it. */
VmxOnStatus vmx_on(void *vmxon_region);
/* 24.11.3 "Initializing a VMCS": revision identifier, VMCLEAR, VMPTRLD;
 * the region (4-KByte aligned) becomes the current VMCS, clear. */
VmxResult vmx_vmcs_init(void *vmcs_region);

/* A VMCS field and the value to write to it. */
typedef struct VmxField {
    uint32_t encoding;
    uint64_t value;
} VmxField;
/* VMWRITEs f[0..n-1] in order; returns the first failure or VMX_SUCCEED. */
VmxResult vmx_write_fields(const VmxField *f, unsigned n);
#define VMX_COUNT(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

/* ---- Checked VMCS access ---- */

/* Called when a checked access (vmx_read, vmx_write, vmx_check) fails:
 * what names the instruction ("VMREAD"), field its operand (or 0).  The
 * default handler prints the diagnosis (vmx_describe_vmfail) on COM1 and
 * ends the run with guest_exit(VMX_FAIL_EXIT_CODE). */
typedef void (*VmxFailHandler)(const char *what, uint64_t field, VmxResult r);
#define VMX_FAIL_EXIT_CODE 2u
/* Installs h (NULL: the default); returns the previous handler. */
VmxFailHandler vmx_set_fail_handler(VmxFailHandler h);
/* r unless it is a failure, in which case the handler is called first. */
VmxResult vmx_check(VmxResult r, const char *what, uint64_t field);
/* VMREAD / VMWRITE through vmx_check; vmx_read returns 0 after a failure
 * the handler returned from. */
uint64_t vmx_read(uint32_t field);
void vmx_write(uint32_t field, uint64_t value);

/* ---- Names and diagnoses ---- */

/* Appendix C Table C-1: the basic exit reason's name ("CPUID", "I/O
 * instruction", ...); "unknown" for a number the table does not use. */
const char *vmx_exit_reason_name(uint32_t basic_reason);
/* 30.4 Table 30-1: the VM-instruction error's description. */
const char *vmx_insn_error_name(uint32_t error);
/* "VMfailInvalid (no current VMCS)" or "VMfailValid, VM-instruction error
 * N (description)" (30.2, 30.4), into buf; returns buf. */
const char *vmx_describe_vmfail(VmxResult r, char *buf, unsigned size);
/* After a VM-entry failure (exit reason bit 31, 26.7): "VM-entry failure,
 * exit reason 0x80000021 (name), exit qualification N"; returns buf. */
const char *vmx_describe_entry_failure(char *buf, unsigned size);

/* ---- I/O and MSR bitmaps ---- */

/* 24.6.4 "I/O-Bitmap Addresses": bitmap A covers ports 0000H-7FFFH, B
 * 8000H-FFFFH, one bit per port; write the physical addresses of a and b
 * to VMCS_IO_BITMAP_A/B and set "use I/O bitmaps". */
typedef struct VmxIoBitmaps {
    uint8_t a[4096] __attribute__((aligned(4096)));
    uint8_t b[4096] __attribute__((aligned(4096)));
} VmxIoBitmaps;
/* Makes an access to any of count ports from port on exit (25.1.3). */
void vmx_io_intercept(VmxIoBitmaps *bitmaps, uint16_t port, unsigned count);

/* 24.6.9 "MSR-Bitmap Address": read bitmaps for MSRs 00000000H-00001FFFH
 * (low) and C0000000H-C0001FFFH (high), then the write bitmaps. */
typedef struct VmxMsrBitmap {
    uint8_t read_low[1024] __attribute__((aligned(4096)));
    uint8_t read_high[1024], write_low[1024], write_high[1024];
} VmxMsrBitmap;
/* Makes RDMSR (read) and/or WRMSR (write) of msr exit (25.1.3).  False for
 * an MSR in neither range: its accesses always exit. */
bool vmx_msr_intercept(VmxMsrBitmap *bitmap, uint32_t msr, bool read, bool write);

/* ---- Guest and host state ---- */

/* One segment register as the VMCS holds it (24.4.1): access rights in
 * the format of Table 24-2 (VMX_AR_UNUSABLE for an unusable register). */
typedef struct VmxSegment {
    uint16_t selector;
    uint64_t base;
    uint32_t limit, ar;
} VmxSegment;
/* Segment registers in the order of their VMCS encodings (Appendix B). */
typedef enum VmxSegmentIndex {
    VMX_SEG_ES,
    VMX_SEG_CS,
    VMX_SEG_SS,
    VMX_SEG_DS,
    VMX_SEG_FS,
    VMX_SEG_GS,
    VMX_SEG_LDTR,
    VMX_SEG_TR
} VmxSegmentIndex;
/* The selector, base, limit and access-rights fields of one register. */
VmxResult vmx_write_guest_segment(VmxSegmentIndex index, VmxSegment s);
/* 24.4.2 "Guest Non-Register State" of a guest that runs normally: active,
 * no blocking, no pending debug exceptions, VMCS link pointer
 * FFFFFFFF_FFFFFFFFH (26.3.1.5: no shadow VMCS). */
VmxResult vmx_write_guest_nonregister_state(void);

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
