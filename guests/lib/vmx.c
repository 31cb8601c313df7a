/* VMX capability helpers and VMCS state mirroring for guest hypervisors (see guest/vmx.h). */
#include "guest/vmx.h"

#include <stddef.h>

#include "guest/cr.h"
#include "guest/io.h"

_Static_assert(offsetof(VmxGuestRegs, rax) == VMX_REGS_RAX, "vmx.h offsets");
_Static_assert(offsetof(VmxGuestRegs, rdi) == VMX_REGS_RDI, "vmx.h offsets");
_Static_assert(offsetof(VmxGuestRegs, r8) == VMX_REGS_R8, "vmx.h offsets");
_Static_assert(offsetof(VmxGuestRegs, r15) == VMX_REGS_R15, "vmx.h offsets");
_Static_assert(VMX_HOST_RSP_ENCODING == VMCS_HOST_RSP, "vmx.h encoding");

#define MSR_IA32_SYSENTER_CS 0x174u
#define MSR_IA32_SYSENTER_ESP 0x175u
#define MSR_IA32_SYSENTER_EIP 0x176u
#define MSR_IA32_FS_BASE 0xC0000100u
#define MSR_IA32_GS_BASE 0xC0000101u

uint64_t vmx_control_capability(VmxControls which) {
    static const uint32_t msr[][2] = {
        [VMX_PIN] = {MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS},
        [VMX_PROC] = {MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS},
        [VMX_EXIT] = {MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS},
        [VMX_ENTRY] = {MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS},
    };
    bool true_ctls = rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;
    return rdmsr(msr[which][true_ctls]);
}

void vmx_enable_cr(void) {
    write_cr0(
        vmx_fixed_cr(read_cr0(), rdmsr(MSR_IA32_VMX_CR0_FIXED0), rdmsr(MSR_IA32_VMX_CR0_FIXED1)));
    write_cr4(vmx_fixed_cr(read_cr4() | CR4_VMXE, rdmsr(MSR_IA32_VMX_CR4_FIXED0),
                           rdmsr(MSR_IA32_VMX_CR4_FIXED1)));
}

void vmx_region_init(void *region) {
    *(volatile uint32_t *)region = VMX_BASIC_REVISION(rdmsr(MSR_IA32_VMX_BASIC));
}

/* ---- The current CPU state (SDM Vol. 2 SGDT, SIDT, STR, SLDT, LAR, LSL) ---- */

typedef struct __attribute__((packed)) TableRegister {
    uint16_t limit;
    uint64_t base;
} TableRegister;

#define READ_SELECTOR(name, insn)                                                                  \
    static uint16_t name(void) {                                                                   \
        uint16_t s;                                                                                \
        __asm__ __volatile__(insn " %0" : "=r"(s));                                                \
        return s;                                                                                  \
    }
READ_SELECTOR(read_es, "mov %%es,")
READ_SELECTOR(read_cs, "mov %%cs,")
READ_SELECTOR(read_ss, "mov %%ss,")
READ_SELECTOR(read_ds, "mov %%ds,")
READ_SELECTOR(read_fs, "mov %%fs,")
READ_SELECTOR(read_gs, "mov %%gs,")
READ_SELECTOR(read_tr, "str")
READ_SELECTOR(read_ldtr, "sldt")
#undef READ_SELECTOR

static TableRegister read_gdtr(void) {
    TableRegister t;
    __asm__ __volatile__("sgdt %0" : "=m"(t));
    return t;
}

static TableRegister read_idtr(void) {
    TableRegister t;
    __asm__ __volatile__("sidt %0" : "=m"(t));
    return t;
}

static uint64_t read_dr7(void) {
    uint64_t v;
    __asm__ __volatile__("mov %%dr7, %0" : "=r"(v));
    return v;
}

/* Vol. 3A 3.4.5 Figure 3-8: base 15:0 in bits 31:16, 23:16 in bits 39:32,
 * 31:24 in bits 63:56; a system descriptor (S = 0) in 64-bit mode has base
 * 63:32 in the next 8 bytes (7.2.3 Figure 7-4). */
static uint64_t descriptor_base(uint16_t selector, bool system) {
    const uint64_t *d = (const uint64_t *)(read_gdtr().base + (selector & ~7u));
    uint64_t base = (d[0] >> 16 & 0xffffff) | (d[0] >> 56) << 24;
    return system ? base | d[1] << 32 : base;
}

/* A segment register as the VMCS holds it (24.4.1): LAR gives the access
 * rights in bits 23:8 (Table 24-2 keeps bits 7:0 and 15:12 of them), LSL the
 * byte-granular limit.  A null or unloadable selector is unusable. */
static VmxSegment read_segment(uint16_t selector) {
    VmxSegment s = {.selector = selector, .ar = VMX_AR_UNUSABLE};
    uint32_t ar, limit;
    bool ok;
    if ((selector & ~3u) == 0) return s;
    __asm__ __volatile__("lar %w[sel], %[ar]" : [ar] "=r"(ar), "=@ccz"(ok) : [sel] "r"(selector));
    if (!ok) return s;
    __asm__ __volatile__("lsl %w[sel], %[lim]" : [lim] "=r"(limit) : [sel] "r"(selector) : "cc");
    s.ar = ar >> 8 & 0xf0ff;
    s.limit = limit;
    s.base = descriptor_base(selector, !(s.ar & 0x10));
    return s;
}

/* ---- VMCS writes ---- */

VmxResult vmx_write_fields(const VmxField *f, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        VmxResult r = vmx_vmwrite(f[i].encoding, f[i].value);
        if (r != VMX_SUCCEED) return r;
    }
    return VMX_SUCCEED;
}

/* 24.5 "Host-State Area"; 26.2.3: host selectors must have RPL = TI = 0,
 * which the current CPL 0 selectors of a flat kernel satisfy. */
VmxResult vmx_write_host_state(void) {
    uint16_t tr = read_tr();
    const VmxField f[] = {
        {VMCS_HOST_CR0, read_cr0()},
        {VMCS_HOST_CR3, read_cr3()},
        {VMCS_HOST_CR4, read_cr4()},
        {VMCS_HOST_ES_SELECTOR, read_es()},
        {VMCS_HOST_CS_SELECTOR, read_cs()},
        {VMCS_HOST_SS_SELECTOR, read_ss()},
        {VMCS_HOST_DS_SELECTOR, read_ds()},
        {VMCS_HOST_FS_SELECTOR, read_fs()},
        {VMCS_HOST_GS_SELECTOR, read_gs()},
        {VMCS_HOST_TR_SELECTOR, tr},
        {VMCS_HOST_FS_BASE, rdmsr(MSR_IA32_FS_BASE)},
        {VMCS_HOST_GS_BASE, rdmsr(MSR_IA32_GS_BASE)},
        {VMCS_HOST_TR_BASE, descriptor_base(tr, true)},
        {VMCS_HOST_GDTR_BASE, read_gdtr().base},
        {VMCS_HOST_IDTR_BASE, read_idtr().base},
        {VMCS_HOST_IA32_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS)},
        {VMCS_HOST_IA32_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP)},
        {VMCS_HOST_IA32_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP)},
        {VMCS_HOST_RIP, (uint64_t)vmx_exit_stub},
    };
    return vmx_write_fields(f, VMX_COUNT(f));
}

/* Selector, base, limit and access rights of one guest segment register;
 * the encodings of the four fields step by 2 per register (Appendix B). */
VmxResult vmx_write_guest_segment(VmxSegmentIndex index, VmxSegment s) {
    const VmxField f[] = {
        {VMCS_GUEST_ES_SELECTOR + 2 * index, s.selector},
        {VMCS_GUEST_ES_BASE + 2 * index, s.base},
        {VMCS_GUEST_ES_LIMIT + 2 * index, s.limit},
        {VMCS_GUEST_ES_AR + 2 * index, s.ar},
    };
    return vmx_write_fields(f, VMX_COUNT(f));
}

/* ES, CS, SS, DS, FS, GS, LDTR, TR in Appendix B order; FS and GS bases are
 * the IA32_FS_BASE / IA32_GS_BASE MSRs in 64-bit mode. */
static VmxResult write_guest_segments(void) {
    VmxSegment seg[8] = {read_segment(read_es()),   read_segment(read_cs()),
                         read_segment(read_ss()),   read_segment(read_ds()),
                         read_segment(read_fs()),   read_segment(read_gs()),
                         read_segment(read_ldtr()), read_segment(read_tr())};
    seg[4].base = rdmsr(MSR_IA32_FS_BASE);
    seg[5].base = rdmsr(MSR_IA32_GS_BASE);
    for (unsigned i = 0; i < 8; i++) {
        VmxResult r = vmx_write_guest_segment((VmxSegmentIndex)i, seg[i]);
        if (r != VMX_SUCCEED) return r;
    }
    return VMX_SUCCEED;
}

/* 24.4 "Guest-State Area"; 26.3.1 lists the checks these values pass. */
VmxResult vmx_write_guest_state(uint64_t rip, uint64_t rsp) {
    TableRegister gdtr = read_gdtr(), idtr = read_idtr();
    const VmxField f[] = {
        {VMCS_GUEST_CR0, read_cr0()},
        {VMCS_GUEST_CR3, read_cr3()},
        {VMCS_GUEST_CR4, read_cr4()},
        {VMCS_GUEST_DR7, read_dr7()},
        {VMCS_GUEST_RSP, rsp},
        {VMCS_GUEST_RIP, rip},
        {VMCS_GUEST_RFLAGS, 0x2}, /* reserved bit 1 set (26.3.1.4), IF = 0 */
        {VMCS_GUEST_GDTR_BASE, gdtr.base},
        {VMCS_GUEST_GDTR_LIMIT, gdtr.limit},
        {VMCS_GUEST_IDTR_BASE, idtr.base},
        {VMCS_GUEST_IDTR_LIMIT, idtr.limit},
        {VMCS_GUEST_IA32_DEBUGCTL, 0},
        {VMCS_GUEST_IA32_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS)},
        {VMCS_GUEST_IA32_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP)},
        {VMCS_GUEST_IA32_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP)},
    };
    VmxResult r = vmx_write_fields(f, VMX_COUNT(f));
    if (r == VMX_SUCCEED) r = vmx_write_guest_nonregister_state();
    return r != VMX_SUCCEED ? r : write_guest_segments();
}

VmxResult vmx_write_guest_nonregister_state(void) {
    const VmxField f[] = {
        {VMCS_GUEST_ACTIVITY_STATE, 0}, /* active (24.4.2) */
        {VMCS_GUEST_INTERRUPTIBILITY, 0},
        {VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 0},
        {VMCS_LINK_POINTER, ~0ull}, /* 26.3.1.5: no shadow VMCS */
    };
    return vmx_write_fields(f, VMX_COUNT(f));
}
