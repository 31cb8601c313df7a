/* The capability MSRs (SDM Appendix A) from the controls vmxsim implements. */
#include "sim/vmx/vmx_caps.h"

#include <string.h>

#include "sim/sim.h"

/* SDM A.2 "Reserved Controls and Default Settings": the default1 classes. */
#define PIN_DEFAULT1 UINT64_C(0x00000016)   /* bits 1, 2, 4 */
#define PROC_DEFAULT1 UINT64_C(0x0401e172)  /* bits 1, 4-6, 8, 13-16, 26 */
#define EXIT_DEFAULT1 UINT64_C(0x00036dff)  /* bits 0-8, 10, 11, 13, 14, 16, 17 */
#define ENTRY_DEFAULT1 UINT64_C(0x000011ff) /* bits 0-8, 12 */

/* The controls vmxsim implements (docs/vmx.md; the rest of chapter 25
 * joins this list as it lands). */
static const VmxControlId implemented[] = {
    VMXC_PIN_EXTERNAL_INTERRUPT_EXITING, VMXC_PIN_NMI_EXITING, VMXC_PIN_VIRTUAL_NMIS,
    VMXC_PIN_ACTIVATE_PREEMPTION_TIMER,
    VMXC_PROC_INTERRUPT_WINDOW_EXITING, VMXC_PROC_USE_TSC_OFFSETTING, VMXC_PROC_HLT_EXITING,
    VMXC_PROC_INVLPG_EXITING, VMXC_PROC_MWAIT_EXITING, VMXC_PROC_RDPMC_EXITING,
    VMXC_PROC_RDTSC_EXITING, VMXC_PROC_CR3_LOAD_EXITING, VMXC_PROC_CR3_STORE_EXITING,
    VMXC_PROC_CR8_LOAD_EXITING, VMXC_PROC_CR8_STORE_EXITING, VMXC_PROC_NMI_WINDOW_EXITING,
    VMXC_PROC_MOV_DR_EXITING, VMXC_PROC_UNCONDITIONAL_IO_EXITING, VMXC_PROC_USE_IO_BITMAPS,
    VMXC_PROC_MONITOR_TRAP_FLAG, VMXC_PROC_USE_MSR_BITMAPS, VMXC_PROC_MONITOR_EXITING,
    VMXC_PROC_PAUSE_EXITING, VMXC_PROC_ACTIVATE_SECONDARY_CONTROLS,
    VMXC_PROC2_DESCRIPTOR_TABLE_EXITING, VMXC_PROC2_ENABLE_RDTSCP, VMXC_PROC2_WBINVD_EXITING,
    VMXC_PROC2_ENABLE_INVPCID,
    VMXC_EXIT_SAVE_DEBUG_CONTROLS, VMXC_EXIT_HOST_ADDRESS_SPACE_SIZE,
    VMXC_EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT, VMXC_EXIT_SAVE_IA32_PAT, VMXC_EXIT_LOAD_IA32_PAT,
    VMXC_EXIT_SAVE_IA32_EFER, VMXC_EXIT_LOAD_IA32_EFER, VMXC_EXIT_SAVE_VMX_PREEMPTION_TIMER_VALUE,
    VMXC_ENTRY_LOAD_DEBUG_CONTROLS, VMXC_ENTRY_IA32E_MODE_GUEST, VMXC_ENTRY_LOAD_IA32_PAT,
    VMXC_ENTRY_LOAD_IA32_EFER,
};

/* "Enable" controls of instructions a model may lack (SDM 25.3): offered
 * only when the model has the instruction. */
static const struct {
    VmxControlId control;
    CpuFeature feature;
} needs_feature[] = {
    {VMXC_PROC2_ENABLE_RDTSCP, FEAT_RDTSCP},
    {VMXC_PROC2_ENABLE_INVPCID, FEAT_INVPCID},
};

static bool offered(const CpuModel *m, VmxControlId id)
{
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(needs_feature); i++) {
        if (needs_feature[i].control == id)
            return cpu_model_has(m, needs_feature[i].feature);
    }
    return true;
}

/* SDM A.3.1-A.5: in the TRUE MSRs these default1 controls may be 0, since
 * vmxsim implements their 0-setting (CR3-load/store exiting, save/load
 * debug controls). */
static uint64_t true_may_clear(VmxGroup g)
{
    switch (g) {
    case VMX_GROUP_PROC:
        return VMX_PROC_CR3_LOAD_EXITING | VMX_PROC_CR3_STORE_EXITING;
    case VMX_GROUP_EXIT:
        return VMX_EXIT_SAVE_DEBUG_CONTROLS;
    case VMX_GROUP_ENTRY:
        return VMX_ENTRY_LOAD_DEBUG_CONTROLS;
    default:
        return 0;
    }
}

static void init_controls(VmxCaps *c, const CpuModel *m)
{
    static const uint64_t default1[VMX_GROUP_COUNT] = {
        [VMX_GROUP_PIN] = PIN_DEFAULT1, [VMX_GROUP_PROC] = PROC_DEFAULT1,
        [VMX_GROUP_EXIT] = EXIT_DEFAULT1, [VMX_GROUP_ENTRY] = ENTRY_DEFAULT1};
    for (unsigned g = 0; g < VMX_GROUP_COUNT; g++) {
        c->default1[g] = default1[g];
        c->allowed0[g] = default1[g] & ~true_may_clear((VmxGroup)g);
        c->allowed1[g] = default1[g];
    }
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(implemented); i++) {
        const VmxControlInfo *ci = &vmx_control_info[implemented[i]];
        if (offered(m, implemented[i]))
            c->allowed1[ci->group] |= UINT64_C(1) << ci->bit;
    }
}

bool vmx_caps_allows(const VmxCaps *c, VmxControlId id)
{
    if (id == VMXC_ALWAYS)
        return true;
    const VmxControlInfo *ci = &vmx_control_info[id];
    return (c->allowed1[ci->group] >> ci->bit) & 1;
}

void vmx_caps_init(VmxCaps *c, const CpuModel *m)
{
    memset(c, 0, sizeof(*c));
    init_controls(c, m);
    /* SDM A.6: the VMX-preemption timer's rate (bits 4:0), bit 5 (EFER.LMA
     * is stored into "IA-32e mode guest" on VM exits), activity states HLT
     * (bit 6), shutdown (bit 7) and wait-for-SIPI (bit 8), four CR3-target values, N = 0 for MSR
     * lists; no VMWRITE to exit-information fields (bit 29 = 0), no
     * zero-length software-event injection (bit 30 = 0). */
    c->misc = VMX_PREEMPTION_TIMER_RATE | (UINT64_C(1) << 5) | (UINT64_C(1) << 6) |
              (UINT64_C(1) << 7) | (UINT64_C(1) << 8) | ((uint64_t)VMX_CR3_TARGET_COUNT << 16);
    /* SDM A.7 "VMX-Fixed Bits in CR0": PE, NE and PG fixed to 1; bits 63:32 are 0. */
    c->cr0_fixed0 = UINT64_C(0x80000021);
    c->cr0_fixed1 = UINT64_C(0xffffffff);
    /* SDM A.8 "VMX-Fixed Bits in CR4": VMXE fixed to 1; the rest as the model has them. */
    c->cr4_fixed0 = UINT64_C(1) << 13;
    c->cr4_fixed1 = cpu_model_cr4_allowed(m);
    for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++)
        c->field_exists[i] = vmx_caps_allows(c, (VmxControlId)vmcs_field_info[i].exists);
}

/* SDM A.3-A.5: allowed-0 settings in bits 31:0, allowed-1 in bits 63:32. */
static uint64_t control_msr(const VmxCaps *c, VmxGroup g, bool true_msr)
{
    uint64_t must1 = true_msr ? c->allowed0[g] : c->default1[g] | c->allowed0[g];
    return must1 | (c->allowed1[g] << 32);
}

/* SDM A.1: revision id, VMCS region size (bits 44:32), write-back memory
 * type (6, bits 53:50), INS/OUTS instruction information (bit 54) and the
 * TRUE capability MSRs (bit 55). */
static uint64_t basic_msr(void)
{
    return VMX_REVISION_ID | ((uint64_t)VMX_VMCS_SIZE << 32) | (UINT64_C(6) << 50) |
           (UINT64_C(1) << 54) | (UINT64_C(1) << 55);
}

bool vmx_caps_read_msr(const VmxCaps *c, uint32_t index, uint64_t *value)
{
    switch (index) {
    case 0x480: *value = basic_msr(); return true;
    case 0x481: *value = control_msr(c, VMX_GROUP_PIN, false); return true;
    case 0x482: *value = control_msr(c, VMX_GROUP_PROC, false); return true;
    case 0x483: *value = control_msr(c, VMX_GROUP_EXIT, false); return true;
    case 0x484: *value = control_msr(c, VMX_GROUP_ENTRY, false); return true;
    case 0x485: *value = c->misc; return true;
    case 0x486: *value = c->cr0_fixed0; return true;
    case 0x487: *value = c->cr0_fixed1; return true;
    case 0x488: *value = c->cr4_fixed0; return true;
    case 0x489: *value = c->cr4_fixed1; return true;
    /* SDM A.9 "VMCS Enumeration": bits 9:1 the highest field index. */
    case 0x48a: *value = (uint64_t)vmcs_highest_index(c->field_exists) << 1; return true;
    /* SDM A.3.3: IA32_VMX_PROCBASED_CTLS2 exists with the 1-setting of
     * "activate secondary controls" (offered); the secondary controls have
     * no default1 bits.  A.10 EPT_VPID_CAP, A.11 VMFUNC and PROCBASED3 need
     * controls vmxsim does not offer yet. */
    case 0x48b: *value = control_msr(c, VMX_GROUP_PROC2, true); return true;
    case 0x48c: case 0x491: case 0x492:
        return false;
    case 0x48d: *value = control_msr(c, VMX_GROUP_PIN, true); return true;
    case 0x48e: *value = control_msr(c, VMX_GROUP_PROC, true); return true;
    case 0x48f: *value = control_msr(c, VMX_GROUP_EXIT, true); return true;
    case 0x490: *value = control_msr(c, VMX_GROUP_ENTRY, true); return true;
    default:
        return false;
    }
}
