/*
 * VM entries (SDM chapter 26 "VM Entries"): the checks of 26.2 and 26.3.1
 * (entry_checks.def), loading guest state (26.3.2), the PDPTEs, MSR loading
 * (26.4), and event injection (26.6).  Failures as SDM 26.8 "VM-Entry
 * Failures During or After Loading Guest State" says.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/msr.h"
#include "sim/cpu/pae_pdpte.h"
#include "sim/cpu/tlb_context.h"
#include "sim/vmx/vmx_ops.h"
#include "sim/vmx/vmx_msr_area.h"
#include "sim/vmx/vmx_segments.h"

#include <string.h>

/* SDM 26.3.2.1 "Loading Guest Control Registers, Debug Registers, and MSRs". */
static void load_guest_regs(CpuState *cpu, const VmxCpu *v)
{
    const uint64_t *f = v->field;
    uint64_t entry = f[VMCS_ENTRY_CONTROLS];
    bool ia32e = entry & VMX_ENTRY_IA32E_MODE_GUEST;
    cpu->cr0 = (f[VMCS_GUEST_CR0] & ~VMX_CR0_UNCHANGED & 0xffffffffu) | (cpu->cr0 & VMX_CR0_UNCHANGED);
    cpu->cr3 = f[VMCS_GUEST_CR3];
    cpu->cr4 = f[VMCS_GUEST_CR4];
    if (entry & VMX_ENTRY_LOAD_DEBUG_CONTROLS) {
        /* DR7 bits 12, 15:14 are 0 and bit 10 is 1 whatever the field says */
        cpu->dr[7] = (f[VMCS_GUEST_DR7] & ~UINT64_C(0xd000)) | 0x400;
        cpu->msr[MSR_SLOT_IA32_DEBUGCTL] = f[VMCS_GUEST_IA32_DEBUGCTL];
    }
    cpu->msr[MSR_SLOT_IA32_SYSENTER_CS] = f[VMCS_GUEST_IA32_SYSENTER_CS];
    cpu->msr[MSR_SLOT_IA32_SYSENTER_ESP] = f[VMCS_GUEST_IA32_SYSENTER_ESP];
    cpu->msr[MSR_SLOT_IA32_SYSENTER_EIP] = f[VMCS_GUEST_IA32_SYSENTER_EIP];
    if (entry & VMX_ENTRY_LOAD_IA32_PAT)
        cpu->msr[MSR_SLOT_IA32_PAT] = f[VMCS_GUEST_IA32_PAT];
    if (entry & VMX_ENTRY_LOAD_IA32_EFER) {
        cpu->efer = f[VMCS_GUEST_IA32_EFER];
        return;
    }
    /* Without "load IA32_EFER": LMA from "IA-32e mode guest", and LME too when CR0.PG = 1. */
    cpu->efer = (cpu->efer & ~(uint64_t)EFER_LMA) | (ia32e ? EFER_LMA : 0);
    if (cpu->cr0 & CR0_PG)
        cpu->efer = (cpu->efer & ~(uint64_t)EFER_LME) | (ia32e ? EFER_LME : 0);
}

/* SDM 26.3.2.3 / 26.3.2.4: RIP, RSP, RFLAGS, interruptibility, activity,
 * pending debug exceptions. */
static void load_guest_state(CpuState *cpu, VmxCpu *v)
{
    const uint64_t *f = v->field;
    load_guest_regs(cpu, v);
    vmx_segments_load_guest(cpu, v);
    cpu->RIP = f[VMCS_GUEST_RIP];
    cpu->gpr[GPR_RSP] = f[VMCS_GUEST_RSP];
    cpu_set_rflags(cpu, f[VMCS_GUEST_RFLAGS]);
    uint64_t intr = f[VMCS_GUEST_INTERRUPTIBILITY_STATE];
    cpu->sti_shadow = intr & 1;
    cpu->movss_shadow = (intr >> 1) & 1;
    cpu->nmi_blocked = (intr >> 3) & 1;
    cpu->activity = (ActivityState)f[VMCS_GUEST_ACTIVITY_STATE];
    cpu->ev.dr6_pending = (uint32_t)(f[VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS] & 0x400f);
    if (cpu->ev.dr6_pending)
        cpu->ev.force |= EV_DEBUG;
    cpu_update_mode(cpu);
    /* SDM 26.3.2.4 / 4.4.1: PAE paging loads the PDPTEs; 26.3.1.6 has
     * checked them, so the read cannot fail here. */
    if (cpu_pae_paging(cpu->cr0, cpu->cr4, cpu->efer) &&
        !mem_pae_read_pdptes(cpu->mem, cpu->cr3, cpu->pdpte))
        memset(cpu->pdpte, 0, sizeof(cpu->pdpte));
    cpu_tlb_vmx_transition(cpu); /* no VPID: linear mappings are invalidated (SDM 28.3.3.1) */
}


/* SDM 26.8: a VM-entry failure is a VM exit without saving guest state. */
static SimStatus entry_failure(CpuState *cpu, VmxCpu *v, uint32_t reason, uint64_t qual)
{
    vmcs_set(v, VMCS_IDT_VECTORING_INFO, 0);
    return vmx_vm_exit(cpu, v, EXIT_REASON_ENTRY_FAILURE_BIT | reason, qual);
}

/* SDM 26.6 "Event Injection": delivered through the guest IDT as if it had
 * occurred at the guest's first instruction boundary; the exception bitmap
 * is not consulted for the injected event itself (nonroot.c). */
static SimStatus inject_event(CpuState *cpu, VmxCpu *v)
{
    uint32_t info = (uint32_t)v->field[VMCS_ENTRY_INTERRUPTION_INFO];
    unsigned vector = info & 0xff, type = (info >> 8) & 7;
    if (type == 7)
        return SIM_OK; /* SDM 26.6.2: a pending MTF VM exit (vmx_boundary_start) */
    cpu->activity = ACTIVITY_ACTIVE; /* SDM 26.7.2: a vectoring VM entry leaves HLT */
    cpu->sti_shadow = cpu->movss_shadow = false; /* SDM 26.7.1: and has no STI or MOV-SS blocking */
    v->injecting = true;
    SimStatus st;
    if (type == 3) { /* hardware exception */
        (void)cpu_raise(cpu, vector, (uint32_t)v->field[VMCS_ENTRY_EXCEPTION_ERROR_CODE]);
        cpu->fault.has_error = (info >> 11) & 1;
        cpu->fault.address = cpu->cr2;
        v->skip_bitmap_once = true;
        st = cpu_deliver_fault(cpu);
        v->skip_bitmap_once = false;
    } else {
        if (type == 2 && (v->field[VMCS_PIN_BASED_CONTROLS] & VMX_PIN_VIRTUAL_NMIS))
            v->vnmi_blocked = true; /* SDM 26.6.1.1: virtual-NMI blocking */
        else if (type == 2)
            cpu->nmi_blocked = true;
        bool soft = type == 4 || type == 6;
        if (type >= 4) /* software events push the RIP after the instruction */
            cpu->RIP += v->field[VMCS_ENTRY_INSTRUCTION_LENGTH];
        st = cpu_deliver_event(cpu, vector, soft ? EVENT_SOFT_INT : EVENT_EXTERNAL);
        if (st == SIM_FAULT)
            st = cpu_events_deliver_fault(cpu);
    }
    v->injecting = false;
    return st == SIM_VMEXIT || st == SIM_SHUTDOWN ? st : SIM_OK;
}

/* SDM 26.7.1: with "virtual NMIs" = 1, bit 3 of the interruptibility state
 * is virtual-NMI blocking, and NMIs are not blocked in non-root operation. */
static void load_nmi_blocking(CpuState *cpu, VmxCpu *v)
{
    v->vnmi_blocked = false;
    v->iret_unblocked = false;
    if (v->field[VMCS_PIN_BASED_CONTROLS] & VMX_PIN_VIRTUAL_NMIS) {
        v->vnmi_blocked = cpu->nmi_blocked;
        cpu->nmi_blocked = false;
    }
}

/* What non-root operation starts with: the NMI blocking above, the TSC
 * offset RDTSC, RDTSCP and RDMSR add with "use TSC offsetting" (SDM 25.3),
 * and the boundary exits (VMX-preemption timer, MTF, windows). */
static void start_nonroot(CpuState *cpu, VmxCpu *v)
{
    load_nmi_blocking(cpu, v);
    bool offset = v->field[VMCS_PROC_BASED_CONTROLS] & VMX_PROC_USE_TSC_OFFSETTING;
    cpu->tsc_offset = offset ? v->field[VMCS_TSC_OFFSET] : 0;
    vmx_boundary_start(cpu, v);
}

static SimStatus check_failure(CpuState *cpu, VmxCpu *v, EntryCheckId id, VmxInsnError *fail)
{
    const EntryCheck *k = &entry_checks[id];
    v->last_failure = (EntryFailure){id, 0};
    if (k->fail == FAIL_CTRL)
        *fail = VMXERR_ENTRY_INVALID_CONTROL;
    else if (k->fail == FAIL_HOST)
        *fail = VMXERR_ENTRY_INVALID_HOST_STATE;
    else
        return entry_failure(cpu, v, EXIT_REASON_ENTRY_FAILURE_GUEST_STATE, k->qual);
    return SIM_OK;
}

SimStatus vmx_vm_entry(CpuState *cpu, VmxCpu *v, bool launch, VmxInsnError *fail)
{
    EntryCheckId id = vmx_entry_checks_run(cpu, v);
    if (id != ENTRY_CHECK_NONE)
        return check_failure(cpu, v, id, fail);
    cpu->vmx_mode = VMX_MODE_NONROOT;
    cpu->intr_ignores_if = (v->field[VMCS_PIN_BASED_CONTROLS] & VMX_PIN_EXTERNAL_INTERRUPT_EXITING) != 0;
    load_guest_state(cpu, v);
    uint64_t count = v->field[VMCS_ENTRY_MSR_LOAD_COUNT];
    if (vmx_msr_area_too_long(count)) /* vmx_msr_area.h: the machine check of SDM A.6 */
        return entry_failure(cpu, v, EXIT_REASON_ENTRY_FAILURE_MACHINE_CHECK, 0);
    uint32_t bad = vmx_msr_area_load(cpu, v->field[VMCS_ENTRY_MSR_LOAD_ADDR], count);
    if (bad) {
        v->last_failure = (EntryFailure){ENTRY_CHECK_NONE, bad};
        return entry_failure(cpu, v, EXIT_REASON_ENTRY_FAILURE_MSR_LOADING, bad);
    }
    start_nonroot(cpu, v);
    v->entries++;
    v->checks.dirty = 0;
    v->last_failure = (EntryFailure){ENTRY_CHECK_NONE, 0};
    if (launch)
        v->launched = true;
    vmx_trace(cpu, v, &(VmxTrace){.kind = VMX_TRACE_ENTRY, .guest_rip = cpu->RIP});
    if (v->field[VMCS_ENTRY_INTERRUPTION_INFO] >> 31)
        return inject_event(cpu, v);
    return SIM_OK;
}
