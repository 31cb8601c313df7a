/*
 * L1's VM exits other than its VMX instructions: CPUID (25.1.2), the MSRs
 * of VMX (IA32_FEATURE_CONTROL, 23.7; the capability MSRs, Appendix A),
 * MOV to CR4 (CR4.VMXE is hv-nest's through the guest/host mask, 25.3),
 * the debug-exit port, and what hv-nest only reports (exceptions, HLT,
 * triple fault).
 */
#include "hv_nest.h"

#include "guest/io.h"
#include "guest/printf.h"

#define EXC_GP 13u
#define PROC_ACTIVATE_SECONDARY (1ull << 63) /* allowed-1 of bit 31 (A.3.2) */

void nest_inject_l1(unsigned vector, bool has_error_code) {
    /* 24.8.3: valid, type 3 (hardware exception), error code 0 if any */
    vmx_write(VMCS_ENTRY_INTERRUPTION_INFO, INTR_INFO_VALID | INTR_TYPE_HARDWARE_EXCEPTION |
                                                (has_error_code ? INTR_INFO_ERROR_CODE_VALID : 0) |
                                                vector);
    vmx_write(VMCS_ENTRY_EXCEPTION_ERROR_CODE, 0);
}

/* CPUID as the processor answers it: VMX (CPUID.1:ECX[5]) included. */
static VmxAction on_cpuid(VmxExit *e) {
    VmxGuestRegs *r = e->regs;
    GuestCpuid c = cpuid((uint32_t)r->rax, (uint32_t)r->rcx);
    r->rax = c.eax;
    r->rbx = c.ebx;
    r->rcx = c.ecx;
    r->rdx = c.edx;
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

/* A.1-A.11: which of 480H-491H exist.  The secondary controls MSR exists
 * when bit 31 of the primary controls may be 1; EPT/VPID capabilities and
 * VM functions only with secondary controls (none offered: they are
 * #GP, as on the processor). */
static bool vmx_msr_exists(uint32_t msr) {
    if (msr <= MSR_IA32_VMX_VMCS_ENUM) return true;
    if (msr >= MSR_IA32_VMX_TRUE_PINBASED_CTLS && msr <= MSR_IA32_VMX_TRUE_ENTRY_CTLS)
        return rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;
    if (msr == MSR_IA32_VMX_PROCBASED_CTLS2)
        return rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) & PROC_ACTIVATE_SECONDARY;
    return false; /* 48CH, 491H: need secondary controls vmxsim does not offer */
}

static VmxAction on_rdmsr(VmxExit *e) {
    uint32_t msr = (uint32_t)e->regs->rcx;
    uint64_t v;
    if (msr == MSR_IA32_FEATURE_CONTROL)
        v = vcpu.feature_control;
    else if (msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC && vmx_msr_exists(msr))
        v = rdmsr(msr);
    else {
        nest_inject_l1(EXC_GP, true);
        return VMX_ACTION_RESUME;
    }
    e->regs->rax = (uint32_t)v;
    e->regs->rdx = v >> 32;
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

/* 23.7: IA32_FEATURE_CONTROL is writable until locked; the capability
 * MSRs are read-only (#GP). */
static VmxAction on_wrmsr(VmxExit *e) {
    uint32_t msr = (uint32_t)e->regs->rcx;
    if (msr != MSR_IA32_FEATURE_CONTROL || (vcpu.feature_control & FEATURE_CONTROL_LOCK)) {
        nest_inject_l1(EXC_GP, true);
        return VMX_ACTION_RESUME;
    }
    vcpu.feature_control = (uint32_t)e->regs->rax | e->regs->rdx << 32;
    vmx_exit_skip_instruction(e);
    return VMX_ACTION_RESUME;
}

/* MOV to CR4 in L1: the real CR4 keeps the fixed bits (VMXE among them);
 * L1 reads back what it wrote through the read shadow.  23.7: VMXE cannot
 * be cleared in VMX operation; a bit IA32_VMX_CR4_FIXED1 lacks is
 * reserved (#GP). */
bool nest_write_l1_cr4(uint64_t value) {
    uint64_t fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0), fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
    if ((vcpu.vmxon && !(value & CR4_VMXE)) || (value & ~fixed1)) return false;
    vcpu.cr4 = value;
    vmx_write(VMCS_GUEST_CR4, vmx_fixed_cr(value, fixed0, fixed1));
    vmx_write(VMCS_CR4_READ_SHADOW, value);
    return true;
}

/* 27.2.1 Table 27-3: CR number 3:0, access type 5:4 (0 = MOV to CR),
 * register 11:8.  Only MOV to CR4 exits (CR4 guest/host mask = VMXE). */
static VmxAction on_cr_access(VmxExit *e) {
    unsigned cr = e->qualification & 15, type = e->qualification >> 4 & 3;
    if (cr != 4 || type != CR_ACCESS_MOV_TO_CR) {
        guest_printf("hv-nest: unexpected CR access by L1, qualification 0x%llx\n",
                     (unsigned long long)e->qualification);
        return VMX_ACTION_STOP;
    }
    if (nest_write_l1_cr4(nest_gpr(e->qualification >> 8 & 15)))
        vmx_exit_skip_instruction(e);
    else
        nest_inject_l1(EXC_GP, true);
    return VMX_ACTION_RESUME;
}

/* The only port L1 exits on: the debug-exit port, L1's end. */
static VmxAction on_io(VmxExit *e) {
    if (e->qualification >> 16 != VMXSIM_DEBUG_EXIT_PORT) {
        guest_printf("hv-nest: unexpected I/O exit of L1, qualification 0x%llx\n",
                     (unsigned long long)e->qualification);
        return VMX_ACTION_STOP;
    }
    vcpu.status = (uint32_t)e->regs->rax;
    vcpu.stopped = true;
    return VMX_ACTION_STOP;
}

static VmxAction report(const char *what, VmxExit *e) {
    guest_printf("hv-nest: L1 %s at rip 0x%llx (interruption information 0x%llx, IDT-vectoring"
                 " information 0x%llx)\n",
                 what, (unsigned long long)e->rip,
                 (unsigned long long)vmx_read(VMCS_EXIT_INTERRUPTION_INFO),
                 (unsigned long long)vmx_read(VMCS_IDT_VECTORING_INFO));
    return VMX_ACTION_STOP;
}

static VmxAction on_exception(VmxExit *e) {
    return report("exception", e);
}

static VmxAction on_triple_fault(VmxExit *e) {
    return report("triple fault", e);
}

static VmxAction on_hlt(VmxExit *e) {
    return report("HLT", e);
}

void nest_install_l1_handlers(VmxDispatch *d) {
    d->handler[EXIT_REASON_EXCEPTION_NMI] = on_exception;
    d->handler[EXIT_REASON_TRIPLE_FAULT] = on_triple_fault;
    d->handler[EXIT_REASON_CPUID] = on_cpuid;
    d->handler[EXIT_REASON_HLT] = on_hlt;
    d->handler[EXIT_REASON_CR_ACCESS] = on_cr_access;
    d->handler[EXIT_REASON_IO_INSTRUCTION] = on_io;
    d->handler[EXIT_REASON_RDMSR] = on_rdmsr;
    d->handler[EXIT_REASON_WRMSR] = on_wrmsr;
}
