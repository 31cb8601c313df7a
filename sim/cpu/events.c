/*
 * Events at instruction boundaries: SDM Vol. 3A 6.7 "Nonmaskable Interrupt
 * (NMI)", 6.8 "Enabling and Disabling Interrupts", 6.9 "Priority Among
 * Simultaneous Exceptions and Interrupts", 6.15 "Interrupt 1—Debug Exception
 * (#DB)" and Vol. 3B 17.3 "Debug Exceptions".  Apart from fault delivery and
 * cpu_events_refresh(), only the careful path of the interpreter calls these
 * (events.h explains why); docs/events.md lists the rules and the choices
 * made where the SDM leaves room.
 */
#include "sim/cpu/events.h"

#include "sim/cpu/apic_hooks.h"
#include "sim/cpu/cpu.h"
#include "sim/cpu/debug_regs.h"
#include "sim/cpu/decode.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/timing.h"
#include "sim/cpu/vmx_hooks.h"
#include "sim/devices/lapic.h" /* APIC_BASE_BSP, SDM 10.4.4 */

void cpu_events_reset(CpuState *cpu)
{
    IntrController intc = cpu->ev.intc;
    cpu->ev = (CpuEvents){0};
    cpu->ev.intc = intc;
    cpu_events_sample(cpu); /* a line still asserted after RESET is seen again */
}

static void set_force(CpuState *cpu, uint32_t bit, bool on)
{
    cpu->ev.force = on ? (cpu->ev.force | bit) : (cpu->ev.force & ~bit);
}

/* Which accesses must leave the TLB fast path for the checked slow path. */
void cpu_events_refresh(CpuState *cpu)
{
    bool user = cpu->cpl == 3;
    uint8_t checks = 0;
    /* SDM 6.15 "Interrupt 17—Alignment Check Exception (#AC)": checking is on
     * when CR0.AM = 1, RFLAGS.AC = 1 and CPL = 3 (protected or virtual-8086 mode). */
    if (user && (cpu->cr0 & CR0_AM) && (cpu->rflags & RFLAGS_AC))
        checks |= CHECK_AC;
    /* SDM 17.3.1.2: data breakpoints watch every data access. */
    if ((cpu->dr[7] & DR7_ENABLE_MASK) && cpu_dr_data_armed(cpu))
        checks |= CHECK_DATA;
    cpu->ev.checks = checks;
    cpu->ev.tlb_row = (uint8_t)((user ? 1 : 0) | (checks ? 2 : 0));
}

void cpu_events_sample(CpuState *cpu)
{
    const IntrController *ic = &cpu->ev.intc;
    if (!ic->intr)
        return;
    set_force(cpu, EV_INTR, ic->intr(ic->opaque));
    if (ic->nmi && ic->nmi(ic->opaque))
        cpu->ev.force |= EV_NMI;
    if (ic->init && ic->init(ic->opaque))
        cpu_events_raise_init(cpu);
    int sipi = ic->sipi ? ic->sipi(ic->opaque) : -1;
    if (sipi >= 0)
        cpu_events_raise_sipi(cpu, (uint8_t)sipi);
}

/* SDM 6.7.1 "Handling Multiple NMIs": one NMI is held pending while NMIs are blocked. */
void cpu_events_raise_nmi(CpuState *cpu)
{
    cpu->ev.force |= EV_NMI;
}

/* SDM 23.8 "Restrictions on VMX Operation": an INIT that arrives while it is
 * blocked is held pending (one INIT). */
void cpu_events_raise_init(CpuState *cpu)
{
    cpu->ev.force |= EV_INIT;
}

/* SDM 9.4 "Multiple-Processor (MP) Initialization" and 26.6.2 "Activity
 * State": only a processor in the wait-for-SIPI state recognizes a SIPI; in
 * any other state (and once one is recognized) SIPIs are discarded. */
void cpu_events_raise_sipi(CpuState *cpu, uint8_t vector)
{
    if (cpu->activity != ACTIVITY_WAIT_SIPI || (cpu->ev.force & EV_SIPI))
        return;
    cpu->ev.force |= EV_SIPI;
    cpu->ev.sipi_vector = vector;
}

/* --- delivery --- */

/* SDM 17.3.1.1: the fault-class exceptions, for which the pushed RF is 1.  A
 * #DB raised by an instruction handler is the general-detect fault (MOV DR
 * with DR7.GD); the #DB of instruction breakpoints and of traps is delivered
 * by this file without RF. */
#define FAULT_CLASS_VECTORS                                                                        \
    ((1u << EXC_DE) | (1u << EXC_DB) | (1u << EXC_BR) | (1u << EXC_UD) | (1u << EXC_NM) |         \
     (1u << EXC_TS) | (1u << EXC_NP) | (1u << EXC_SS) | (1u << EXC_GP) | (1u << EXC_PF) |         \
     (1u << EXC_MF) | (1u << EXC_AC) | (1u << EXC_XM) | (1u << EXC_VE) | (1u << EXC_CP))

/* After an event is delivered, the handler's first instruction is a new
 * instruction: no shadow covers it, no string instruction is half done. */
static void event_delivered(CpuState *cpu)
{
    cpu->activity = ACTIVITY_ACTIVE; /* SDM Vol. 2 HLT: the event resumes execution */
    cpu->sti_shadow = cpu->movss_shadow = false;
    cpu->ev.mid_string = false;
}

/* SDM 17.3.1.1: an interrupt or trap after any iteration of a REP string
 * instruction but the last pushes RF = 1, so the resumed instruction does not
 * hit its instruction breakpoint again. */
static void before_delivery(CpuState *cpu)
{
    if (cpu->ev.mid_string)
        cpu->rflags |= RFLAGS_RF;
}

static SimStatus deliver_exception(CpuState *cpu, bool push_rf)
{
    unsigned vector = cpu->fault.vector;
    if (SIM_UNLIKELY(cpu->exception_stop_mask & (UINT32_C(1) << (vector & 31))))
        return SIM_EXCEPTION;
    cpu->cycles += TIMING_EXCEPTION;
    if (push_rf && cpu->mode != MODE_REAL) /* real mode pushes a 16-bit FLAGS image */
        cpu->rflags |= RFLAGS_RF;
    if (vector == EXC_DB)
        cpu->dr[7] &= ~(uint64_t)DR7_GD; /* SDM 17.2.4: GD is cleared on entry to the #DB handler */
    event_delivered(cpu);
    return cpu_deliver_fault(cpu);
}

SimStatus cpu_events_deliver_fault(CpuState *cpu)
{
    bool fault_class = (FAULT_CLASS_VECTORS >> (cpu->fault.vector & 31)) & 1;
    return deliver_exception(cpu, cpu->fault.vector < 32 && fault_class);
}

/* NMI and INTR (SDM 6.3.2, 6.12): through the IDT with the RIP of the next
 * instruction; a fault during delivery is delivered instead (with EXT = 1). */
static SimStatus deliver_external(CpuState *cpu, unsigned vector)
{
    before_delivery(cpu);
    cpu->cycles += TIMING_EXCEPTION;
    event_delivered(cpu);
    if (cpu_deliver_event(cpu, vector, EVENT_EXTERNAL) == SIM_OK)
        return SIM_OK;
    return cpu_events_deliver_fault(cpu);
}

/* --- the boundary: SDM 6.9 Table 6-2, from the highest class down --- */

static uint64_t linear_rip(const CpuState *cpu)
{
    if (cpu->mode == MODE_LONG64)
        return cpu->RIP;
    return (cpu->seg[SEG_CS].base + cpu->RIP) & 0xffffffffu;
}

/* Class 3, "External Hardware Interventions" (INIT).  SDM 23.8: INIT is
 * blocked in VMX root operation; SDM 25.2 "Other Causes of VM Exits": in
 * non-root operation it causes a VM exit, except in the wait-for-SIPI
 * state, which blocks it (26.6.2 "Activity State"). */
static bool init_ready(const CpuState *cpu)
{
    if (!(cpu->ev.force & EV_INIT) || cpu->vmx_mode == VMX_MODE_ROOT)
        return false;
    return !cpu_vmx_nonroot(cpu) || cpu->activity != ACTIVITY_WAIT_SIPI;
}


/* SDM 25.2: in non-root operation a VM exit, "none of the operations
 * normally associated" with INIT.  Outside VMX operation: the INIT state of
 * SDM 9.1 Table 9-1 and the local APIC's (10.4.7.3 "Local APIC State After
 * an INIT Reset"); SDM 9.4: the BSP then executes from the reset vector, an
 * AP waits for a SIPI. */
static SimStatus deliver_init(CpuState *cpu)
{
    cpu->ev.force &= ~(uint32_t)EV_INIT;
    if (cpu_vmx_nonroot(cpu)) {
        VmxEvent e = {VMX_EVENT_INIT, 0, false, 0, 0};
        return cpu->vmx_ops->event(cpu, &e, NULL);
    }
    bool bsp = (cpu_apic_base_read(cpu) & APIC_BASE_BSP) != 0;
    if (cpu->apic_ops)
        cpu->apic_ops->init(cpu->apic);
    cpu_init_reset(cpu);
    if (!bsp)
        cpu->activity = ACTIVITY_WAIT_SIPI;
    return SIM_OK;
}

/* A SIPI recognized in the wait-for-SIPI state.  SDM 25.2: in non-root
 * operation a VM exit (qualification: the vector, 27.2.1).  Outside VMX
 * operation, SDM 9.4 / 10.6.1 "Start-Up": the AP starts in real-address
 * mode at 000VV000H (CS selector VV00H, base VV000H, IP 0). */
static SimStatus deliver_sipi(CpuState *cpu)
{
    unsigned vector = cpu->ev.sipi_vector;
    cpu->ev.force &= ~(uint32_t)EV_SIPI;
    if (cpu_vmx_nonroot(cpu)) {
        VmxEvent e = {VMX_EVENT_SIPI, (uint8_t)vector, false, 0, 0};
        return cpu->vmx_ops->event(cpu, &e, NULL);
    }
    cpu->seg[SEG_CS].selector = (uint16_t)(vector << 8);
    cpu->seg[SEG_CS].base = (uint64_t)vector << 12;
    cpu->RIP = 0;
    cpu->activity = ACTIVITY_ACTIVE;
    return SIM_OK;
}

/* Class 4, traps on the previous instruction.  SDM 6.8.3 "Masking Exceptions
 * and Interrupts When Switching Stacks": after MOV SS / POP SS they are held
 * until the boundary after the next instruction. */
static bool debug_trap_ready(const CpuState *cpu)
{
    return cpu->ev.dr6_pending != 0 && !cpu->movss_shadow;
}

static SimStatus deliver_debug_trap(CpuState *cpu)
{
    cpu_dr6_report(cpu, cpu->ev.dr6_pending);
    (void)cpu_raise(cpu, EXC_DB, 0);
    before_delivery(cpu);
    SimStatus st = deliver_exception(cpu, false);
    if (st != SIM_EXCEPTION) { /* a stopped #DB stays pending for the resumed run */
        cpu->ev.dr6_pending = 0;
        cpu->ev.force &= ~(uint32_t)EV_DEBUG;
    }
    return st;
}

/* Class 5.  SDM 6.7.1: blocked from NMI delivery until the next IRET;
 * SDM 6.8.3: blocked after MOV SS.  STI does not block NMIs here (SDM Vol. 2
 * STI: "NMIs (and SMIs) may be blocked for one macroinstruction following an
 * STI" — vmxsim does not; see docs/events.md). */
static bool nmi_ready(const CpuState *cpu)
{
    return (cpu->ev.force & EV_NMI) && !cpu->nmi_blocked && !cpu->movss_shadow;
}

/* SDM 25.2: with "NMI exiting" (or "external-interrupt exiting" for INTR)
 * the event causes a VM exit instead of its delivery. */
static SimStatus vmx_external(CpuState *cpu, VmxEventType type, unsigned vector)
{
    VmxEvent e = {(uint8_t)type, (uint8_t)vector, false, 0, 0};
    if (SIM_LIKELY(!cpu_vmx_nonroot(cpu)))
        return SIM_OK;
    return cpu->vmx_ops->event(cpu, &e, NULL);
}

static SimStatus deliver_nmi(CpuState *cpu)
{
    SimStatus st = vmx_external(cpu, VMX_EVENT_NMI, EXC_NMI);
    if (st != SIM_OK)
        return st;
    cpu->ev.force &= ~(uint32_t)EV_NMI;
    cpu->nmi_blocked = true;
    return deliver_external(cpu, EXC_NMI);
}

/* Class 6.  SDM 6.8.1 "Masking Maskable Hardware Interrupts" (IF) and 6.8.3
 * / Vol. 2 STI: blocked for one instruction after STI (when IF was 0) and
 * after MOV SS. */
static bool intr_ready(const CpuState *cpu)
{
    bool enabled = (cpu->rflags & RFLAGS_IF) || cpu->intr_ignores_if;
    return (cpu->ev.force & EV_INTR) && enabled && !cpu->sti_shadow &&
           !cpu->movss_shadow;
}

static SimStatus deliver_intr(CpuState *cpu)
{
    const IntrController *ic = &cpu->ev.intc;
    SimStatus st = vmx_external(cpu, VMX_EVENT_EXTINT, 0);
    if (st != SIM_OK)
        return st;
    int vector = ic->acknowledge ? ic->acknowledge(ic->opaque) : -1;
    if (vector < 0) { /* the request went away: nothing to deliver until the next SIGNAL_INTR */
        cpu->ev.force &= ~(uint32_t)EV_INTR;
        return SIM_OK;
    }
    cpu_events_sample(cpu); /* the line after the acknowledge */
    return deliver_external(cpu, (unsigned)vector & 0xff);
}

/* Class 7.  SDM 17.3.1.1: a fault before the instruction executes, not
 * reported while RF = 1; not re-checked between iterations of a string
 * instruction; not reported right after MOV SS ("the breakpoint may not be
 * triggered": vmxsim never reports it). */
static bool code_breakpoint_ready(const CpuState *cpu)
{
    return (cpu->dr[7] & DR7_ENABLE_MASK) && !(cpu->rflags & RFLAGS_RF) && !cpu->ev.mid_string &&
           !cpu->movss_shadow && cpu_dr_match_exec(cpu, linear_rip(cpu)) != 0;
}

static SimStatus deliver_code_breakpoint(CpuState *cpu)
{
    cpu_dr6_report(cpu, cpu_dr_match_exec(cpu, linear_rip(cpu)));
    (void)cpu_raise(cpu, EXC_DB, 0);
    return deliver_exception(cpu, false); /* RF is pushed as it is (0) */
}

/* SDM 6.9 Table 6-2, classes 4-7, highest priority first.  Class 3 (INIT)
 * and the SIPI of the wait-for-SIPI state come before them (init_sipi);
 * classes 1-2 (RESET, machine check, task-switch trap) and SMI have no
 * source in vmxsim; classes 8-10 are the fetch, decode and execution of the next
 * instruction, which follow. */
static const struct BoundaryEvent {
    bool (*ready)(const CpuState *cpu);
    SimStatus (*deliver)(CpuState *cpu);
} boundary_events[] = {
    {debug_trap_ready, deliver_debug_trap},           /* 4: traps on the previous instruction */
    {nmi_ready, deliver_nmi},                         /* 5: nonmaskable interrupts */
    {intr_ready, deliver_intr},                       /* 6: maskable hardware interrupts */
    {code_breakpoint_ready, deliver_code_breakpoint}, /* 7: code breakpoint fault */
};

/* Breakpoint matches made since the last boundary (by an instruction, or by
 * an event delivery's stack accesses) become pending traps. */
static void latch_hits(CpuState *cpu)
{
    if (cpu->ev.dr_hits) {
        cpu->ev.dr6_pending |= cpu->ev.dr_hits;
        cpu->ev.force |= EV_DEBUG;
        cpu->ev.dr_hits = 0;
    }
}

/* In VMX non-root operation the VMX layer's boundary exits (MTF, the
 * VMX-preemption timer, NMI and interrupt windows) are ranked against the
 * class of the event found (vmx_hooks.h). */
/* INIT (class 3) and SIPI: above every other event and above the VMX
 * layer's boundary exits (SDM 25.5.2: "SMIs, INIT signals, and higher
 * priority events take priority over MTF VM exits"). */
static bool init_sipi(CpuState *cpu, SimStatus *st)
{
    if (SIM_LIKELY(!(cpu->ev.force & (EV_INIT | EV_SIPI))))
        return false;
    if (init_ready(cpu))
        *st = deliver_init(cpu);
    else if (cpu->ev.force & EV_SIPI)
        *st = deliver_sipi(cpu);
    else
        return false;
    return true;
}

SimStatus cpu_events_boundary(CpuState *cpu, bool *taken)
{
    unsigned i = 0;
    SimStatus st = SIM_OK;
    *taken = init_sipi(cpu, &st);
    if (*taken)
        return st;
    cpu_events_refresh(cpu); /* RFLAGS.AC and DR7 change without a mode update */
    latch_hits(cpu);
    while (i < SIM_ARRAY_SIZE(boundary_events) && !boundary_events[i].ready(cpu))
        i++;
    if (SIM_UNLIKELY(cpu_vmx_nonroot(cpu))) {
        st = cpu->vmx_ops->boundary(cpu, VMX_NEXT_DEBUG_TRAP + i);
        if (st != SIM_OK) {
            *taken = true;
            return st;
        }
    }
    if (i == SIM_ARRAY_SIZE(boundary_events))
        return SIM_OK;
    *taken = true;
    return boundary_events[i].deliver(cpu);
}

/* SDM Vol. 2 HLT: "An enabled interrupt (including NMI and SMI), a debug
 * exception, ... will resume execution"; the saved RIP follows the HLT.  In
 * VMX non-root operation the VMX layer's boundary exits wake it too. */
bool cpu_events_wake_pending(CpuState *cpu)
{
    if (init_ready(cpu) || (cpu->ev.force & EV_SIPI))
        return true;
    if (cpu->activity == ACTIVITY_WAIT_SIPI)
        return false; /* SDM 26.6.2: it blocks NMIs, external interrupts and the rest */
    return debug_trap_ready(cpu) || nmi_ready(cpu) || intr_ready(cpu) ||
           (cpu_vmx_nonroot(cpu) && cpu->vmx_ops->wakes(cpu));
}

/* A timer that needs a boundary is armed (cpu.h deadline): the machine lets
 * time pass to it in HLT. */
bool cpu_events_may_wake(CpuState *cpu)
{
    const IntrController *ic = &cpu->ev.intc;
    if (cpu_events_wake_pending(cpu))
        return true;
    /* Only an INIT or a SIPI from another processor would end wait-for-SIPI. */
    if (cpu->activity == ACTIVITY_WAIT_SIPI)
        return false;
    if (cpu->deadline != UINT64_MAX)
        return true;
    if (!ic->intr || (ic->may_request && !ic->may_request(ic->opaque)))
        return false;
    return (cpu->rflags & RFLAGS_IF) || cpu->intr_ignores_if || ic->nmi != NULL;
}

/* The CPU stays in HLT (or wait-for-SIPI) until the boundary delivers the
 * event (event_delivered, deliver_init, deliver_sipi) or makes a VM exit,
 * which saves the activity state (SDM 27.3.4). */
SimStatus cpu_events_halted(CpuState *cpu)
{
    if (cpu->activity == ACTIVITY_SHUTDOWN)
        return SIM_SHUTDOWN;
    return cpu_events_wake_pending(cpu) ? SIM_OK : SIM_HALT;
}

/* --- around one instruction --- */

InsnEntry cpu_events_before(CpuState *cpu)
{
    InsnEntry e = {cpu->rflags, cpu->sti_shadow, cpu->movss_shadow, cpu->vmx_mode};
    cpu->ev.blocking_at_start = (uint8_t)((cpu->sti_shadow ? 1 : 0) | (cpu->movss_shadow ? 2 : 0));
    /* SDM 17.3.1.1: "The RF Flag is cleared at the start of the instruction
     * after the check for code breakpoint"; an IRET may load it again. */
    cpu->rflags &= ~(uint64_t)RFLAGS_RF;
    /* SDM 6.8.3 / Vol. 2 STI: a shadow ends after this instruction; the
     * instruction may start a new one. */
    cpu->sti_shadow = cpu->movss_shadow = false;
    cpu->ev.dr_hits = 0;
    return e;
}

/* SDM 17.3.1.4: "The INT n and INTO instructions ... do clear this flag":
 * when a software interrupt was delivered (TF is now clear), no single-step
 * trap follows it into the handler. */
static bool soft_interrupt_taken(const CpuState *cpu, const DecodedInsn *d)
{
    bool soft = d->mnemonic == ZYDIS_MNEMONIC_INT || d->mnemonic == ZYDIS_MNEMONIC_INT3 ||
                d->mnemonic == ZYDIS_MNEMONIC_INTO || d->mnemonic == ZYDIS_MNEMONIC_INT1;
    return soft && !(cpu->rflags & RFLAGS_TF);
}

void cpu_events_after(CpuState *cpu, const DecodedInsn *d, const InsnEntry *e, SimStatus st)
{
    cpu->ev.blocking_at_start = 0;
    if (cpu->vmx_mode != e->vmx_mode) {
        /* A VM entry or exit: the state is another context's; no trap or
         * breakpoint of this instruction carries over (SDM 27.3.4 saves
         * pending debug exceptions, 26.3.2.4 loads them). */
        cpu->ev.dr_hits = 0;
        cpu->ev.mid_string = false;
        return;
    }
    if (st == SIM_FAULT) {
        /* Faults leave the state as before the instruction; its breakpoint
         * matches are discarded (the restarted instruction makes them again). */
        cpu->ev.dr_hits = 0;
        cpu->ev.mid_string = false; /* the fault is delivered with RF = 1 */
        cpu->rflags |= e->rflags & RFLAGS_RF;
        cpu->sti_shadow = e->sti_shadow;
        cpu->movss_shadow = e->movss_shadow;
        return;
    }
    uint32_t cond = cpu->ev.dr_hits;
    /* SDM 17.3.1.4 "Single-Step Exception Condition": a trap after an
     * instruction that began with TF = 1 (so not after the POPF or IRET that
     * sets TF), after each iteration of a REP string instruction. */
    if ((e->rflags & RFLAGS_TF) && !soft_interrupt_taken(cpu, d))
        cond |= DR6_BS;
    cpu->ev.dr_hits = cond;
    latch_hits(cpu);
    cpu->ev.mid_string = st == SIM_REPEAT;
}
