/*
 * VM exits (SDM chapter 27 "VM Exits"): record the exit information (27.2),
 * save the guest state (27.3) and MSRs (27.4), load the host state (27.5)
 * and MSRs; a failure while loading host state is a VMX abort (27.7).
 */
#include "sim/cpu/flags.h"
#include "sim/cpu/msr.h"
#include "sim/cpu/pae_pdpte.h"
#include "sim/cpu/tlb_context.h"
#include "sim/vmx/vmx_ops.h"
#include "sim/vmx/vmx_msr_area.h"
#include "sim/vmx/vmx_segments.h"

/* SDM 27.3.1/27.3.2: control registers, debug registers, MSRs. */
static void save_guest_regs(CpuState *cpu, VmxCpu *v)
{
    uint64_t exit = v->field[VMCS_EXIT_CONTROLS];
    vmcs_set(v, VMCS_GUEST_CR0, cpu->cr0);
    vmcs_set(v, VMCS_GUEST_CR3, cpu->cr3);
    vmcs_set(v, VMCS_GUEST_CR4, cpu->cr4);
    if (exit & VMX_EXIT_SAVE_DEBUG_CONTROLS) {
        vmcs_set(v, VMCS_GUEST_DR7, cpu->dr[7]);
        vmcs_set(v, VMCS_GUEST_IA32_DEBUGCTL, cpu->msr[MSR_SLOT_IA32_DEBUGCTL]);
    }
    vmcs_set(v, VMCS_GUEST_IA32_SYSENTER_CS, cpu->msr[MSR_SLOT_IA32_SYSENTER_CS] & 0xffffffffu);
    vmcs_set(v, VMCS_GUEST_IA32_SYSENTER_ESP, cpu->msr[MSR_SLOT_IA32_SYSENTER_ESP]);
    vmcs_set(v, VMCS_GUEST_IA32_SYSENTER_EIP, cpu->msr[MSR_SLOT_IA32_SYSENTER_EIP]);
    if (exit & VMX_EXIT_SAVE_IA32_PAT)
        vmcs_set(v, VMCS_GUEST_IA32_PAT, cpu->msr[MSR_SLOT_IA32_PAT]);
    if (exit & VMX_EXIT_SAVE_IA32_EFER)
        vmcs_set(v, VMCS_GUEST_IA32_EFER, cpu->efer);
    /* IA32_VMX_MISC[5]: EFER.LMA is saved into "IA-32e mode guest". */
    uint64_t entry = v->field[VMCS_ENTRY_CONTROLS] & ~VMX_ENTRY_IA32E_MODE_GUEST;
    vmcs_set(v, VMCS_ENTRY_CONTROLS, entry | ((cpu->efer & EFER_LMA) ? VMX_ENTRY_IA32E_MODE_GUEST : 0));
}

/* SDM 24.4.2 "Guest Non-Register State": interruptibility bits 0 STI,
 * 1 MOV SS, 3 NMI blocking; 27.3.4: with "virtual NMIs" bit 3 is
 * virtual-NMI blocking. */
static uint64_t interruptibility(const CpuState *cpu, const VmxCpu *v)
{
    bool virtual_nmis = v->field[VMCS_PIN_BASED_CONTROLS] & VMX_PIN_VIRTUAL_NMIS;
    bool nmi = virtual_nmis ? v->vnmi_blocked : cpu->nmi_blocked;
    return (cpu->sti_shadow ? 1u : 0) | (cpu->movss_shadow ? 2u : 0) | (nmi ? 8u : 0) |
           cpu->ev.blocking_at_start;
}

/* SDM 27.3.3/27.3.4: RIP, RSP, RFLAGS and non-register state. */
static void save_guest_state(CpuState *cpu, VmxCpu *v)
{
    save_guest_regs(cpu, v);
    vmx_segments_save(cpu, v);
    vmcs_set(v, VMCS_GUEST_RIP, cpu->RIP);
    vmcs_set(v, VMCS_GUEST_RSP, cpu->gpr[GPR_RSP]);
    vmcs_set(v, VMCS_GUEST_RFLAGS, cpu_get_rflags(cpu));
    vmcs_set(v, VMCS_GUEST_INTERRUPTIBILITY_STATE, interruptibility(cpu, v));
    vmcs_set(v, VMCS_GUEST_ACTIVITY_STATE, cpu->activity);
    vmcs_set(v, VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, cpu->ev.dr6_pending & 0x400fu);
}


/* SDM 27.5.1 "Loading Host Control Registers, Debug Registers, MSRs". */
static void load_host_regs(CpuState *cpu, VmxCpu *v)
{
    const uint64_t *f = v->field;
    uint64_t exit = f[VMCS_EXIT_CONTROLS];
    bool host64 = exit & VMX_EXIT_HOST_ADDRESS_SPACE_SIZE;
    cpu->cr0 = (f[VMCS_HOST_CR0] & ~VMX_CR0_UNCHANGED & 0xffffffffu) | (cpu->cr0 & VMX_CR0_UNCHANGED);
    cpu->cr3 = f[VMCS_HOST_CR3] & ((UINT64_C(1) << PAGING_MAXPHYADDR) - 1);
    /* CR4.PAE is set when the host is 64-bit */
    cpu->cr4 = f[VMCS_HOST_CR4] | (host64 ? CR4_PAE : 0);
    cpu->dr[7] = 0x400;
    cpu->msr[MSR_SLOT_IA32_DEBUGCTL] = 0;
    cpu->msr[MSR_SLOT_IA32_SYSENTER_CS] = f[VMCS_HOST_IA32_SYSENTER_CS];
    cpu->msr[MSR_SLOT_IA32_SYSENTER_ESP] = f[VMCS_HOST_IA32_SYSENTER_ESP];
    cpu->msr[MSR_SLOT_IA32_SYSENTER_EIP] = f[VMCS_HOST_IA32_SYSENTER_EIP];
    if (exit & VMX_EXIT_LOAD_IA32_PAT)
        cpu->msr[MSR_SLOT_IA32_PAT] = f[VMCS_HOST_IA32_PAT];
    if (exit & VMX_EXIT_LOAD_IA32_EFER)
        cpu->efer = f[VMCS_HOST_IA32_EFER];
    else if (host64)
        cpu->efer |= EFER_LMA | EFER_LME;
    else
        cpu->efer &= ~(uint64_t)(EFER_LMA | EFER_LME);
}

/* SDM 27.5.2-27.5.4: segments, RIP/RSP/RFLAGS, and the PDPTEs for a PAE host. */
static bool load_host_state(CpuState *cpu, VmxCpu *v)
{
    load_host_regs(cpu, v);
    vmx_segments_load_host(cpu, v);
    cpu->RIP = v->field[VMCS_HOST_RIP];
    cpu->gpr[GPR_RSP] = v->field[VMCS_HOST_RSP];
    cpu_set_rflags(cpu, RFLAGS_FIXED1);
    cpu->sti_shadow = cpu->movss_shadow = false;
    cpu->activity = ACTIVITY_ACTIVE;
    cpu->ev.dr6_pending = 0;
    cpu_update_mode(cpu);
    bool ok = !cpu_pae_paging(cpu->cr0, cpu->cr4, cpu->efer) ||
              mem_pae_read_pdptes(cpu->mem, cpu->cr3, cpu->pdpte);
    cpu_tlb_vmx_transition(cpu); /* no VPID: linear mappings are invalidated (SDM 28.3.3.1) */
    return ok;
}


/* SDM 27.7 "VMX Aborts": the abort indicator is written to the VMCS region
 * and the processor enters the shutdown state. */
static SimStatus vmx_abort(CpuState *cpu, VmxCpu *v, uint32_t indicator)
{
    (void)mem_phys_write(cpu->mem, v->current_vmcs + 4, 4, indicator);
    cpu->vmx_mode = VMX_MODE_ROOT;
    cpu->intr_ignores_if = false;
    cpu->activity = ACTIVITY_SHUTDOWN;
    return SIM_SHUTDOWN;
}

SimStatus vmx_vm_exit(CpuState *cpu, VmxCpu *v, uint32_t reason, uint64_t qualification)
{
    v->exits++;
    if ((reason & 0xffff) < VMX_EXIT_REASONS)
        v->exits_by_reason[reason & 0xffff]++;
    /* SDM 27.2.3 "Information for VM Exits During Event Delivery"... and
     * 24.8.3: every VM exit clears the valid bit of the VM-entry
     * interruption-information field. */
    vmcs_set(v, VMCS_ENTRY_INTERRUPTION_INFO, v->field[VMCS_ENTRY_INTERRUPTION_INFO] & 0x7fffffffu);
    vmcs_set(v, VMCS_EXIT_REASON, reason);
    vmcs_set(v, VMCS_EXIT_QUALIFICATION, qualification);
    cpu->tsc_offset = 0; /* SDM 25.3: the offset applies in non-root operation only */
    vmx_boundary_stop(cpu, v, !(reason & EXIT_REASON_ENTRY_FAILURE_BIT));
    const uint64_t *f = v->field;
    /* vmx_msr_area.h: a list beyond the recommended maximum is the machine
     * check of SDM A.6: abort indicator 5 (SDM 27.7). */
    if (vmx_msr_area_too_long(f[VMCS_EXIT_MSR_STORE_COUNT]) ||
        vmx_msr_area_too_long(f[VMCS_EXIT_MSR_LOAD_COUNT]))
        return vmx_abort(cpu, v, 5);
    if (!(reason & EXIT_REASON_ENTRY_FAILURE_BIT)) {
        save_guest_state(cpu, v);
        if (!vmx_msr_area_store(cpu, f[VMCS_EXIT_MSR_STORE_ADDR], f[VMCS_EXIT_MSR_STORE_COUNT]))
            return vmx_abort(cpu, v, 1); /* SDM 27.7: 1 = saving guest MSRs failed */
    }
    cpu->vmx_mode = VMX_MODE_ROOT;
    cpu->intr_ignores_if = false;
    if (!load_host_state(cpu, v))
        return vmx_abort(cpu, v, 2); /* 2: host PDPTE failure */
    if (vmx_msr_area_load(cpu, f[VMCS_EXIT_MSR_LOAD_ADDR], f[VMCS_EXIT_MSR_LOAD_COUNT]))
        return vmx_abort(cpu, v, 4); /* 4: loading host MSRs failed */
    bool failed = reason & EXIT_REASON_ENTRY_FAILURE_BIT;
    vmx_trace(cpu, v, &(VmxTrace){.kind = failed ? VMX_TRACE_ENTRY_FAIL : VMX_TRACE_EXIT,
                                  .exit_reason = reason, .qualification = qualification,
                                  .guest_rip = v->field[VMCS_GUEST_RIP]});
    return SIM_VMEXIT;
}

SimStatus vmx_exit_for_insn(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, uint32_t reason,
                            uint64_t qualification)
{
    cpu->RIP -= d->len; /* the exiting instruction's own address is saved */
    if (cpu->mode != MODE_LONG64)
        cpu->RIP &= 0xffffffffu;
    vmcs_set(v, VMCS_EXIT_INSTRUCTION_LENGTH, d->len);
    vmcs_set(v, VMCS_EXIT_INTERRUPTION_INFO, 0); /* SDM 27.2.2: not valid */
    vmcs_set(v, VMCS_IDT_VECTORING_INFO, 0);
    return vmx_vm_exit(cpu, v, reason, qualification);
}

/* SDM 27.2.5: scaling (1:0), address size (9:7), segment (17:15), index
 * (21:18, invalid bit 22), base (26:23, invalid bit 27). */
uint32_t vmx_insn_info_mem(const DecodedInsn *d)
{
    uint32_t info = d->scale | (((uint32_t)d->addrsize >> 2) & 3u) << 7 | (uint32_t)d->seg << 15;
    info |= d->index == GPR_ZERO ? 1u << 22 : (uint32_t)d->index << 18;
    info |= (d->base == GPR_ZERO || d->base == GPR_RIP) ? 1u << 27 : (uint32_t)d->base << 23;
    return info;
}
