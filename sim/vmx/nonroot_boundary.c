/*
 * VM exits at instruction boundaries in VMX non-root operation, each ranked
 * among the events of SDM 6.9 Table 6-2: MTF VM exits (SDM 25.5.2 "Monitor
 * Trap Flag") come before debug traps; the VMX-preemption timer (25.5.1)
 * after debug traps; NMI-window exiting (25.2) after the timer and before
 * NMIs; interrupt-window exiting (25.2) after NMIs and before external
 * interrupts.  What VM entry starts of them (SDM 26.7.4 "VMX-Preemption
 * Timer", 26.7.5, 26.7.6, 26.7.8 "Pending MTF VM Exits") and VM exit stops
 * (27.3.4 saving the timer value).
 *
 * Speed: the windows and the monitor trap flag keep the guest on the
 * careful path (EV_VMX); the timer sets the CPU's cycle deadline, so the
 * guest runs on the fast path until a block would cross it (cpu.h).
 */
#include "sim/vmx/vmx_ops.h"

static uint64_t pin(const VmxCpu *v) {
    return v->field[VMCS_PIN_BASED_CONTROLS];
}
static uint64_t proc(const VmxCpu *v) {
    return v->field[VMCS_PROC_BASED_CONTROLS];
}

/* --- the VMX-preemption timer (SDM 25.5.1) --- */

/* "The timer counts down by 1 every time bit X in the TSC changes due to a
 * TSC increment", X = IA32_VMX_MISC[4:0]: the TSC in units of 2^X.  vmxsim
 * counts from the TSC at VM entry; a guest WRMSR to IA32_TSC does not move
 * the timer's phase (its deadline is kept in cycles). */
static uint64_t timer_ticks(const CpuState *cpu, uint64_t cycles) {
    return (cycles + cpu->tsc_adjust) >> VMX_PREEMPTION_TIMER_RATE;
}

/* SDM 26.7.4: VM entry starts the timer with the timer-value field; it
 * reaches 0 at the value-th change of TSC bit X after VM entry (a value of
 * 0 is due at once). */
static void timer_start(CpuState *cpu, VmxCpu *v) {
    uint64_t ticks =
        timer_ticks(cpu, cpu->cycles) + (uint32_t)v->field[VMCS_VMX_PREEMPTION_TIMER_VALUE];
    v->timer_deadline = (ticks << VMX_PREEMPTION_TIMER_RATE) - cpu->tsc_adjust;
    cpu->deadline = v->timer_deadline;
}

static bool timer_due(const CpuState *cpu, const VmxCpu *v) {
    return (pin(v) & VMX_PIN_ACTIVATE_PREEMPTION_TIMER) && cpu->cycles >= v->timer_deadline;
}

/* SDM 27.3.4: the value the timer has counted down to (0 once expired). */
static uint64_t timer_value(const CpuState *cpu, const VmxCpu *v) {
    if (cpu->cycles >= v->timer_deadline) return 0;
    return timer_ticks(cpu, v->timer_deadline) - timer_ticks(cpu, cpu->cycles);
}

/* --- readiness --- */

/* SDM 25.5.1: the timer works in C0-C2 (active and HLT); vmxsim counts the
 * shutdown and wait-for-SIPI states outside them. */
static bool running_or_halted(const CpuState *cpu) {
    return cpu->activity == ACTIVITY_ACTIVE || cpu->activity == ACTIVITY_HLT;
}

/* SDM 25.2 "NMI-window exiting": no virtual-NMI blocking and no blocking by
 * MOV SS (blocking by STI does not block NMIs in vmxsim, docs/events.md);
 * not in the wait-for-SIPI state. */
static bool nmi_window_open(const CpuState *cpu, const VmxCpu *v) {
    return (proc(v) & VMX_PROC_NMI_WINDOW_EXITING) && !v->vnmi_blocked && !cpu->movss_shadow &&
           cpu->activity != ACTIVITY_WAIT_SIPI;
}

/* SDM 25.2 "Interrupt-window exiting": RFLAGS.IF = 1 and no blocking by STI
 * or MOV SS; it wakes HLT, not shutdown or wait-for-SIPI. */
static bool interrupt_window_open(const CpuState *cpu, const VmxCpu *v) {
    return (proc(v) & VMX_PROC_INTERRUPT_WINDOW_EXITING) && (cpu->rflags & RFLAGS_IF) &&
           !cpu->sti_shadow && !cpu->movss_shadow && running_or_halted(cpu);
}

/* SDM 27.2: no exit qualification, no interruption or IDT-vectoring
 * information; the saved RIP is that of the next instruction (27.3.3). */
static SimStatus boundary_exit(CpuState *cpu, VmxCpu *v, uint32_t reason) {
    vmcs_set(v, VMCS_EXIT_INTERRUPTION_INFO, 0);
    vmcs_set(v, VMCS_IDT_VECTORING_INFO, 0);
    return vmx_vm_exit(cpu, v, reason, 0);
}

/* SDM 25.5.2: the first boundary after a VM entry that injected nothing
 * has no MTF VM exit; the next one (after an instruction, an iteration of
 * a REP string instruction, or the delivery of an event) has. */
static bool mtf_exits(VmxCpu *v) {
    if (v->mtf == VMX_MTF_AFTER_NEXT)
        v->mtf = VMX_MTF_PENDING;
    else if (v->mtf == VMX_MTF_PENDING)
        return true;
    return false;
}

SimStatus vmx_boundary(CpuState *cpu, unsigned next_class) {
    VmxCpu *v = cpu->vmx;
    if (mtf_exits(v)) return boundary_exit(cpu, v, EXIT_REASON_MONITOR_TRAP_FLAG);
    if (next_class <= VMX_NEXT_DEBUG_TRAP) return SIM_OK;
    if (timer_due(cpu, v) && running_or_halted(cpu))
        return boundary_exit(cpu, v, EXIT_REASON_PREEMPTION_TIMER);
    if (nmi_window_open(cpu, v)) return boundary_exit(cpu, v, EXIT_REASON_NMI_WINDOW);
    if (next_class <= VMX_NEXT_NMI) return SIM_OK;
    return interrupt_window_open(cpu, v) ? boundary_exit(cpu, v, EXIT_REASON_INTERRUPT_WINDOW)
                                         : SIM_OK;
}

bool vmx_wakes(const CpuState *cpu) {
    const VmxCpu *v = cpu->vmx;
    return v->mtf == VMX_MTF_PENDING || timer_due(cpu, v) || nmi_window_open(cpu, v) ||
           interrupt_window_open(cpu, v);
}

/* SDM 26.6.2: injecting "other event" 0 makes an MTF VM exit pending at the
 * first boundary, with or without the "monitor trap flag" control; 25.5.2:
 * with the control, so does a vectoring VM entry; otherwise it is pending
 * after the first instruction. */
static VmxMtf mtf_at_entry(const VmxCpu *v) {
    uint32_t info = (uint32_t)v->field[VMCS_ENTRY_INTERRUPTION_INFO];
    bool injecting = info >> 31, other = ((info >> 8) & 7) == 7;
    if (injecting && other) return VMX_MTF_PENDING;
    if (!(proc(v) & VMX_PROC_MONITOR_TRAP_FLAG)) return VMX_MTF_OFF;
    return injecting ? VMX_MTF_PENDING : VMX_MTF_AFTER_NEXT;
}

void vmx_boundary_start(CpuState *cpu, VmxCpu *v) {
    if (pin(v) & VMX_PIN_ACTIVATE_PREEMPTION_TIMER) timer_start(cpu, v);
    v->mtf = (uint8_t)mtf_at_entry(v);
    uint64_t windows = VMX_PROC_INTERRUPT_WINDOW_EXITING | VMX_PROC_NMI_WINDOW_EXITING;
    if (v->mtf != VMX_MTF_OFF || (proc(v) & windows)) cpu->ev.force |= EV_VMX;
}

/* SDM 27.3.4: with "save VMX-preemption timer value" the field receives
 * what the timer counted down to. */
void vmx_boundary_stop(CpuState *cpu, VmxCpu *v, bool save) {
    if (save && (v->field[VMCS_EXIT_CONTROLS] & VMX_EXIT_SAVE_VMX_PREEMPTION_TIMER_VALUE))
        vmcs_set(v, VMCS_VMX_PREEMPTION_TIMER_VALUE, timer_value(cpu, v));
    cpu->deadline = UINT64_MAX;
    cpu->ev.force &= ~(uint32_t)EV_VMX;
    v->mtf = VMX_MTF_OFF;
}
