/*
 * An exit of L2 (on vmcs02) becomes L1's VM exit (on vmcs12), as the
 * processor would have performed it for L1:
 *   27.2 "Recording VM-Exit Information": the exit-information fields;
 *     a VM-entry failure (26.7) records only exit reason and qualification
 *     and leaves the guest-state area alone;
 *   27.3 "Saving Guest State": vmcs02's guest state; 27.2 also updates
 *     the VM-entry controls ("IA-32e mode guest") and clears the valid bit
 *     of the VM-entry interruption information: both copied back;
 *   27.5 "Loading Host State": L1 continues at vmcs12's HOST_RIP with its
 *     host CRs, segments (27.5.2), MSRs and RFLAGS = 2 (27.5.3), written
 *     into vmcs01's guest-state area.
 * The GPRs are the same for both levels (a VM exit leaves them alone).
 */
#include "hv_nest.h"

#include "guest/io.h"

#define CR4_PAE (1ull << 5)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define AR_CODE64 0xA09Bu   /* 27.5.2: type 11, S, P, L = 1, G = 1 */
#define AR_CODE32 0xC09Bu   /* D/B = 1 when L = 0 */
#define AR_DATA 0xC093u     /* type 3, S, P, D/B = 1, G = 1 */
#define AR_TSS_BUSY 0x008Bu /* type 11, S = 0, P, G = 0 */

static uint64_t save_to;

static void save_field(uint32_t enc) {
    if (enc != VMCS_VM_INSTRUCTION_ERROR) /* written only by VMfailValid */
        vmcs12_write(save_to, enc, vmx_read(enc));
}

static void save_exit(uint64_t vmcs, bool entry_failure) {
    save_to = vmcs;
    if (entry_failure) {
        save_field(VMCS_EXIT_REASON);
        save_field(VMCS_EXIT_QUALIFICATION);
        return;
    }
    vmcs12_each_field(1, save_field); /* exit information */
    vmcs12_each_field(2, save_field); /* guest state */
    save_field(VMCS_ENTRY_CONTROLS);
    save_field(VMCS_ENTRY_INTERRUPTION_INFO);
}

/* 27.5.2: a data segment is unusable when its selector is 0000H. */
static VmxSegment data_segment(uint64_t v, uint32_t selector_field, uint64_t base) {
    uint16_t sel = (uint16_t)vmcs12_read(v, selector_field);
    return (VmxSegment){sel, base, 0xffffffffu, sel ? AR_DATA : VMX_AR_UNUSABLE};
}

static void load_segments(uint64_t v, bool host64) {
    const VmxSegment seg[8] = {
        data_segment(v, VMCS_HOST_ES_SELECTOR, 0),
        {(uint16_t)vmcs12_read(v, VMCS_HOST_CS_SELECTOR), 0, 0xffffffffu,
         host64 ? AR_CODE64 : AR_CODE32},
        data_segment(v, VMCS_HOST_SS_SELECTOR, 0),
        data_segment(v, VMCS_HOST_DS_SELECTOR, 0),
        data_segment(v, VMCS_HOST_FS_SELECTOR, vmcs12_read(v, VMCS_HOST_FS_BASE)),
        data_segment(v, VMCS_HOST_GS_SELECTOR, vmcs12_read(v, VMCS_HOST_GS_BASE)),
        {0, 0, 0, VMX_AR_UNUSABLE}, /* LDTR */
        {(uint16_t)vmcs12_read(v, VMCS_HOST_TR_SELECTOR), vmcs12_read(v, VMCS_HOST_TR_BASE), 0x67,
         AR_TSS_BUSY},
    };
    for (unsigned i = 0; i < 8; i++)
        vmx_check(vmx_write_guest_segment((VmxSegmentIndex)i, seg[i]), "VMWRITE of L1's segments",
                  i);
}

/* 27.5.1 "Loading Host Control Registers, Debug Registers, MSRs". */
static void load_msrs(uint64_t v, uint32_t exit, bool host64) {
    if (vmx_controls_allowed(VMX_ENTRY, ENTRY_LOAD_IA32_EFER)) {
        uint64_t efer = (exit & EXIT_LOAD_IA32_EFER) ? vmcs12_read(v, VMCS_HOST_IA32_EFER)
                                                     : vmx_read(VMCS_GUEST_IA32_EFER);
        if (!(exit & EXIT_LOAD_IA32_EFER))
            efer = host64 ? efer | EFER_LMA | EFER_LME : efer & ~(EFER_LMA | EFER_LME);
        vmx_write(VMCS_GUEST_IA32_EFER, efer);
    }
    if ((exit & EXIT_LOAD_IA32_PAT) && vmx_controls_allowed(VMX_ENTRY, ENTRY_LOAD_IA32_PAT))
        vmx_write(VMCS_GUEST_IA32_PAT, vmcs12_read(v, VMCS_HOST_IA32_PAT));
}

static void load_host_state(uint64_t v) {
    uint32_t exit = (uint32_t)vmcs12_read(v, VMCS_EXIT_CONTROLS);
    bool host64 = exit & EXIT_HOST_ADDRESS_SPACE_SIZE;
    uint64_t cr4 = vmcs12_read(v, VMCS_HOST_CR4) | (host64 ? CR4_PAE : 0);
    const VmxField f[] = {
        {VMCS_GUEST_CR0, vmcs12_read(v, VMCS_HOST_CR0)},
        {VMCS_GUEST_CR3, vmcs12_read(v, VMCS_HOST_CR3)},
        {VMCS_GUEST_DR7, 0x400},
        {VMCS_GUEST_IA32_DEBUGCTL, 0},
        {VMCS_GUEST_IA32_SYSENTER_CS, vmcs12_read(v, VMCS_HOST_IA32_SYSENTER_CS)},
        {VMCS_GUEST_IA32_SYSENTER_ESP, vmcs12_read(v, VMCS_HOST_IA32_SYSENTER_ESP)},
        {VMCS_GUEST_IA32_SYSENTER_EIP, vmcs12_read(v, VMCS_HOST_IA32_SYSENTER_EIP)},
        {VMCS_GUEST_GDTR_BASE, vmcs12_read(v, VMCS_HOST_GDTR_BASE)},
        {VMCS_GUEST_GDTR_LIMIT, 0xffff},
        {VMCS_GUEST_IDTR_BASE, vmcs12_read(v, VMCS_HOST_IDTR_BASE)},
        {VMCS_GUEST_IDTR_LIMIT, 0xffff},
        {VMCS_GUEST_RIP, vmcs12_read(v, VMCS_HOST_RIP)},
        {VMCS_GUEST_RSP, vmcs12_read(v, VMCS_HOST_RSP)},
        {VMCS_GUEST_RFLAGS, 0x2},
    };
    vmx_check(vmx_write_fields(f, VMX_COUNT(f)), "VMWRITE of L1's host state", 0);
    vmx_check(vmx_write_guest_nonregister_state(), "VMWRITE of L1's activity state", 0);
    nest_write_l1_cr4(cr4); /* VMXE and the fixed bits: checked by 26.2.2 */
    load_segments(v, host64);
    load_msrs(v, exit, host64);
}

void nest_return_to_l1(uint64_t vmcs) {
    vmx_check(vmx_vmptrld((uint64_t)(uintptr_t)vmcs01_region), "VMPTRLD of vmcs01", 0);
    load_host_state(vmcs);
}

void nest_reflect_exit(uint64_t vmcs, bool entry_failure) {
    save_exit(vmcs, entry_failure);
    nest_return_to_l1(vmcs);
}
