/*
 * Events in VMX non-root operation (SDM 25.2 "Other Causes of VM Exits"):
 * exceptions through the exception bitmap, NMIs, external interrupts,
 * triple faults, INIT and SIPI, with the exit information of SDM 27.2.2 "Information for
 * VM Exits Due to Vectored Events" and 27.2.4 "Information for VM Exits That
 * Occur During Event Delivery".
 */
#include "sim/cpu/exceptions.h"
#include "sim/vmx/vmx_ops.h"

/* SDM 24.9.2 Table "Format of the VM-Exit Interruption-Information Field". */
enum { TYPE_EXTINT = 0, TYPE_NMI = 2, TYPE_HW_EXCEPTION = 3, TYPE_SW_EXCEPTION = 6 };
#define INFO_ERROR_VALID (UINT32_C(1) << 11)
#define INFO_VALID (UINT32_C(1) << 31)

static uint32_t event_info(unsigned vector, unsigned type, bool has_error)
{
    return vector | (type << 8) | (has_error ? INFO_ERROR_VALID : 0) | INFO_VALID;
}

/* SDM 27.2.4: the event whose delivery was under way (an event injected by
 * this VM entry, or an exception that raised another), else not valid. */
static void set_vectoring(VmxCpu *v, const VmxEvent *during)
{
    uint32_t info = 0, error = 0;
    if (v->injecting) {
        info = (uint32_t)v->field[VMCS_ENTRY_INTERRUPTION_INFO] | INFO_VALID;
        error = (uint32_t)v->field[VMCS_ENTRY_EXCEPTION_ERROR_CODE];
    } else if (during) {
        info = event_info(during->vector, TYPE_HW_EXCEPTION, during->has_error);
        error = during->error;
    }
    vmcs_set(v, VMCS_IDT_VECTORING_INFO, info);
    vmcs_set(v, VMCS_IDT_VECTORING_ERROR_CODE, error);
}

/* SDM 25.2: an exception exits when its exception-bitmap bit is 1; for #PF
 * the bit is used when (error code & PFEC_MASK) == PFEC_MATCH and inverted
 * otherwise. */
static bool exception_exits(const VmxCpu *v, const VmxEvent *e)
{
    bool bit = (v->field[VMCS_EXCEPTION_BITMAP] >> (e->vector & 31)) & 1;
    if (e->vector != EXC_PF)
        return bit;
    bool match = (e->error & v->field[VMCS_PAGE_FAULT_ERROR_CODE_MASK]) ==
                 (v->field[VMCS_PAGE_FAULT_ERROR_CODE_MATCH] & 0xffffffffu);
    return match ? bit : !bit;
}

/* SDM 27.2.1: #PF gives the linear address, #DB the debug-exception bits. */
static uint64_t exception_qualification(const CpuState *cpu, const VmxEvent *e)
{
    if (e->vector == EXC_PF)
        return cpu->fault.address;
    if (e->vector == EXC_DB)
        return cpu->ev.dr6_pending & 0x600f;
    return 0;
}

/* SDM 27.2.2: INT3/INTO exits report type 6 and the instruction length;
 * the saved RIP is that of the instruction (27.3.3). */
static SimStatus soft_exception_event(CpuState *cpu, VmxCpu *v, const VmxEvent *e)
{
    if (!exception_exits(v, e))
        return SIM_OK;
    cpu->RIP -= e->insn_len;
    if (cpu->mode != MODE_LONG64)
        cpu->RIP &= 0xffffffffu;
    vmcs_set(v, VMCS_EXIT_INTERRUPTION_INFO, event_info(e->vector, TYPE_SW_EXCEPTION, false));
    vmcs_set(v, VMCS_EXIT_INSTRUCTION_LENGTH, e->insn_len);
    set_vectoring(v, NULL);
    return vmx_vm_exit(cpu, v, EXIT_REASON_EXCEPTION_NMI, 0);
}

/* SDM 27.2.3 "Information About NMI Unblocking Due to IRET": bit 12 of the
 * VM-exit interruption information is 1 when the exit is caused by a fault
 * of an IRET that removed blocking by NMI or virtual-NMI blocking (vmx_iret;
 * undefined with "NMI exiting" = 1 and "virtual NMIs" = 0, where IRET
 * removes none). */
#define INFO_NMI_UNBLOCKED_BY_IRET (UINT32_C(1) << 12)

static SimStatus exception_event(CpuState *cpu, VmxCpu *v, const VmxEvent *e, const VmxEvent *during)
{
    bool unblocked = v->iret_unblocked && !during;
    v->iret_unblocked = false;
    if (v->skip_bitmap_once) { /* the injected exception itself (SDM 26.6.1) */
        v->skip_bitmap_once = false;
        return SIM_OK;
    }
    if (!exception_exits(v, e))
        return SIM_OK;
    uint32_t info = event_info(e->vector, TYPE_HW_EXCEPTION, e->has_error);
    vmcs_set(v, VMCS_EXIT_INTERRUPTION_INFO, info | (unblocked ? INFO_NMI_UNBLOCKED_BY_IRET : 0));
    vmcs_set(v, VMCS_EXIT_INTERRUPTION_ERROR_CODE, e->error);
    set_vectoring(v, during);
    return vmx_vm_exit(cpu, v, EXIT_REASON_EXCEPTION_NMI, exception_qualification(cpu, e));
}

/* SDM 25.2 / 27.2.2: "acknowledge interrupt on exit" acknowledges the
 * controller and reports the vector; otherwise the interrupt stays pending
 * and the information field is not valid. */
static SimStatus extint_event(CpuState *cpu, VmxCpu *v)
{
    uint32_t info = 0;
    if (v->field[VMCS_EXIT_CONTROLS] & VMX_EXIT_ACKNOWLEDGE_INTERRUPT_ON_EXIT) {
        const IntrController *ic = &cpu->ev.intc;
        int vector = ic->acknowledge ? ic->acknowledge(ic->opaque) : -1;
        if (vector < 0)
            return SIM_OK; /* the request went away: nothing to exit for */
        cpu_events_sample(cpu);
        info = event_info((unsigned)vector & 0xff, TYPE_EXTINT, false);
    }
    vmcs_set(v, VMCS_EXIT_INTERRUPTION_INFO, info);
    set_vectoring(v, NULL);
    return vmx_vm_exit(cpu, v, EXIT_REASON_EXTERNAL_INTERRUPT, 0);
}

/* SDM 25.2: INIT and SIPI (the latter only in the wait-for-SIPI state) always
 * exit, without the register changes they make outside VMX operation; 27.2.1
 * "Basic VM-Exit Information": the qualification of a SIPI exit is its vector
 * (bits 7:0), of an INIT exit 0; no interruption or IDT-vectoring information. */
static SimStatus init_sipi_event(CpuState *cpu, VmxCpu *v, const VmxEvent *e)
{
    bool sipi = e->type == VMX_EVENT_SIPI;
    vmcs_set(v, VMCS_EXIT_INTERRUPTION_INFO, 0);
    set_vectoring(v, NULL);
    return vmx_vm_exit(cpu, v, sipi ? EXIT_REASON_SIPI : EXIT_REASON_INIT, sipi ? e->vector : 0);
}

SimStatus vmx_event(CpuState *cpu, const VmxEvent *e, const VmxEvent *during)
{
    VmxCpu *v = cpu->vmx;
    uint64_t pin = v->field[VMCS_PIN_BASED_CONTROLS];
    switch (e->type) {
    case VMX_EVENT_EXCEPTION:
        return exception_event(cpu, v, e, during);
    case VMX_EVENT_SOFT_EXCEPTION:
        return soft_exception_event(cpu, v, e);
    case VMX_EVENT_EXTINT:
        return (pin & VMX_PIN_EXTERNAL_INTERRUPT_EXITING) ? extint_event(cpu, v) : SIM_OK;
    case VMX_EVENT_NMI:
        if (!(pin & VMX_PIN_NMI_EXITING))
            return SIM_OK;
        cpu->ev.force &= ~(uint32_t)EV_NMI; /* the NMI is taken by the exit */
        vmcs_set(v, VMCS_EXIT_INTERRUPTION_INFO, event_info(EXC_NMI, TYPE_NMI, false));
        set_vectoring(v, NULL);
        return vmx_vm_exit(cpu, v, EXIT_REASON_EXCEPTION_NMI, 0);
    case VMX_EVENT_INIT:
    case VMX_EVENT_SIPI:
        return init_sipi_event(cpu, v, e);
    default: /* SDM 25.2: a triple fault always exits */
        set_vectoring(v, NULL);
        return vmx_vm_exit(cpu, v, EXIT_REASON_TRIPLE_FAULT, 0);
    }
}

/* SDM 25.3 IRET: with "NMI exiting" = 0 IRET removes blocking by NMI as
 * usual; with "NMI exiting" = 1 it does not affect it; with "virtual NMIs"
 * = 1 it removes virtual-NMI blocking.  "The unblocking of NMIs or virtual
 * NMIs specified above occurs even if IRET causes a fault" (the CPU's IRET
 * unblocks only when it completes). */
SimStatus vmx_iret(CpuState *cpu, VmxCpu *v, uint64_t state)
{
    uint64_t pin = v->field[VMCS_PIN_BASED_CONTROLS];
    bool before = state & 1, faulted = state & 2;
    if (pin & VMX_PIN_VIRTUAL_NMIS) {
        v->iret_unblocked = faulted && v->vnmi_blocked;
        v->vnmi_blocked = false;
    } else if (pin & VMX_PIN_NMI_EXITING) {
        cpu->nmi_blocked = before;
    } else {
        v->iret_unblocked = faulted && before;
        cpu->nmi_blocked = false;
    }
    return SIM_OK;
}
