/*
 * Local APIC (lapic.h): state, priorities, interrupt acceptance and the
 * CPU's side of delivery.  Section numbers are those of design.md's SDM
 * revision (Vol. 3A chapter 10 "Advanced Programmable Interrupt
 * Controller (APIC)").
 */
#include "sim/devices/lapic.h"

#include "sim/devices/dev_clock.h"
#include "sim/devices/lapic_internal.h"

bool dev_lapic_enabled(const Lapic *a) {
    return (a->base & APIC_BASE_EN) != 0;
}

bool lapic_x2apic_mode(const Lapic *a) {
    return dev_lapic_enabled(a) && (a->base & APIC_BASE_EXTD);
}

void lapic_signal(Lapic *a) {
    signals_raise(a->signals, SIGNAL_INTR);
}

/* SDM 10.12.5.1 "x2APIC States": RESET clears IRR, ISR, TMR, ICR, LDR,
 * TPR, the divide configuration and the timer counts; LVT entries are 0
 * with the mask set; SVR is 000000FFH; DFR all ones. */
void lapic_reset_registers(Lapic *a) {
    a->tpr = a->ldr = 0;
    a->dfr = UINT32_MAX;
    a->svr = 0xff;
    a->esr = a->esr_pending = 0;
    a->icr = 0;
    for (unsigned i = 0; i < LVT_COUNT; i++)
        a->lvt[i] = LVT_MASKED;
    a->timer_initial = a->timer_divide = 0;
    a->tsc_deadline = 0;
    for (unsigned i = 0; i < 8; i++)
        a->irr[i] = a->isr[i] = a->tmr[i] = 0;
    a->timer_next = DEV_NO_EVENT;
    a->nmi_pending = a->extint_pending = a->init_pending = a->sipi_pending = false;
    a->sipi_vector = 0;
}

/* SDM 10.4.4: on RESET the APIC is at FEE00000H, enabled (EN = 1), in xAPIC
 * mode, BSP set on the bootstrap processor only. */
void dev_lapic_init(Lapic *apic, const LapicConfig *cfg) {
    *apic = (Lapic){.id = cfg->id,
                    .has_x2apic = cfg->x2apic,
                    .has_tsc_deadline = cfg->tsc_deadline,
                    .now = cfg->now,
                    .signals = cfg->signals,
                    .bus = cfg->bus,
                    .extint = cfg->extint};
    apic->base = LAPIC_DEFAULT_BASE | APIC_BASE_EN | (cfg->bsp ? APIC_BASE_BSP : 0);
    lapic_reset_registers(apic);
}

void dev_lapic_bios_setup(Lapic *apic) {
    lapic_write_svr(apic, SVR_ENABLE | 0xff);
    lapic_write_lvt(apic, LVT_LINT0, APIC_DM_EXTINT << LVT_DELIVERY_SHIFT);
    lapic_write_lvt(apic, LVT_LINT1, APIC_DM_NMI << LVT_DELIVERY_SHIFT);
}

/* ---- the 256-bit registers ---- */

static int lapic_highest(const uint32_t r[8]) {
    for (int i = 7; i >= 0; i--) {
        if (r[i]) return i * 32 + 31 - __builtin_clz(r[i]);
    }
    return -1;
}

static void lapic_bit_set(uint32_t r[8], unsigned v, bool on) {
    uint32_t bit = UINT32_C(1) << (v & 31);
    r[v >> 5] = on ? r[v >> 5] | bit : r[v >> 5] & ~bit;
}

static bool lapic_bit(const uint32_t r[8], unsigned v) {
    return (r[v >> 5] >> (v & 31)) & 1;
}

/* ---- priorities ---- */

/* SDM 10.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0,
 * where ISRV is the highest in-service vector (0 when none). */
uint32_t lapic_ppr(const Lapic *a) {
    int isrv = lapic_highest(a->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (a->tpr & 0xf0) >= isr_class ? a->tpr & 0xff : isr_class;
}

/* SDM 10.8.3.1: the highest requested vector is dispensed when its
 * priority class IRRV[7:4] is above PPR[7:4]; -1 when none is. */
static int lapic_deliverable(const Lapic *a) {
    int v = lapic_highest(a->irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (lapic_ppr(a) & 0xf0)) return -1;
    return v;
}

/* ---- errors and local interrupts ---- */

void lapic_error(Lapic *a, uint32_t esr_bit) {
    a->esr_pending |= esr_bit;
    lapic_local_interrupt(a, LVT_ERROR);
}

/* SDM 10.8.4 "Interrupt Acceptance for Fixed Interrupts": the vector's IRR
 * bit is set and its TMR bit records the trigger mode; a vector already
 * requested collapses into the one IRR bit.  SDM 10.5.2 "Valid Interrupt
 * Vectors": 0-15 are illegal and set "receive illegal vector". */
static void lapic_request(Lapic *a, uint8_t vector, bool level) {
    if (vector < 16) {
        lapic_error(a, ESR_RECEIVE_ILLEGAL_VECTOR);
        return;
    }
    lapic_bit_set(a->irr, vector, true);
    lapic_bit_set(a->tmr, vector, level);
    lapic_signal(a);
}

/* An LVT entry fires: nothing when masked; timer and error entries are
 * fixed-mode edge interrupts (Figure 10-8).  An error entry with an
 * illegal vector only records the error (no error loop). */
void lapic_local_interrupt(Lapic *a, unsigned lvt) {
    uint32_t e = a->lvt[lvt];
    if (e & LVT_MASKED) return;
    uint8_t vector = (uint8_t)(e & LVT_VECTOR);
    if (lvt == LVT_ERROR && vector < 16) {
        a->esr_pending |= ESR_RECEIVE_ILLEGAL_VECTOR;
        return;
    }
    lapic_request(a, vector, false);
}

/* ---- the CPU's inputs ---- */

bool dev_lapic_extint_open(const Lapic *a) {
    uint32_t lint0 = a->lvt[LVT_LINT0];
    bool lint0_extint =
        !(lint0 & LVT_MASKED) && ((lint0 >> LVT_DELIVERY_SHIFT) & 7) == APIC_DM_EXTINT;
    return !dev_lapic_enabled(a) || lint0_extint || a->extint_pending;
}

static bool lapic_extint_requested(const Lapic *a) {
    return a->extint.intr && dev_lapic_extint_open(a) && a->extint.intr(a->extint.opaque);
}

/* SDM 10.4.3 "Enabling or Disabling the Local APIC": with EN = 0 the
 * processor is "functionally equivalent to an IA-32 processor without an
 * on-chip APIC": the 8259's INTR goes straight to the CPU. */
bool dev_lapic_intr(Lapic *a) {
    return lapic_deliverable(a) >= 0 || lapic_extint_requested(a);
}

/* The acknowledge: the APIC's own highest deliverable vector moves from IRR
 * to ISR (SDM 10.8.4); else the 8259 supplies the vector (ExtINT, SDM
 * 10.5.1); else the request was masked since INTR was sampled and the APIC
 * answers its spurious vector without touching ISR (SDM 10.9 "Spurious
 * Interrupt").  The APIC's vectors go before the 8259's (docs/devices.md). */
int dev_lapic_acknowledge(Lapic *a) {
    int v = dev_lapic_enabled(a) ? lapic_deliverable(a) : -1;
    if (v >= 0) {
        lapic_bit_set(a->irr, (unsigned)v, false);
        lapic_bit_set(a->isr, (unsigned)v, true);
        lapic_signal(a);
        return v;
    }
    if (lapic_extint_requested(a)) {
        a->extint_pending = false;
        return a->extint.acknowledge(a->extint.opaque);
    }
    return dev_lapic_enabled(a) ? (int)(a->svr & SVR_VECTOR) : -1;
}

bool dev_lapic_take_nmi(Lapic *a) {
    bool nmi = a->nmi_pending;
    a->nmi_pending = false;
    return nmi;
}

bool dev_lapic_take_init(Lapic *a) {
    bool init = a->init_pending;
    a->init_pending = false;
    return init;
}

int dev_lapic_take_sipi(Lapic *a) {
    bool sipi = a->sipi_pending;
    a->sipi_pending = false;
    return sipi ? a->sipi_vector : -1;
}

/* SDM 10.4.7.3 "Local APIC State After an INIT Reset ('Wait-for-SIPI'
 * State)": the registers are reset as at power-up, except the APIC ID (and
 * IA32_APIC_BASE: SDM 10.12.5.1 "x2APIC States", INIT keeps the mode). */
void dev_lapic_init_reset(Lapic *a) {
    lapic_reset_registers(a);
    lapic_signal(a);
}

bool dev_lapic_may_request(const Lapic *a) {
    return a->timer_next != DEV_NO_EVENT && !(a->lvt[LVT_TIMER] & LVT_MASKED);
}

/* ---- EOI ---- */

/* SDM 10.8.5 "Signaling Interrupt Servicing Completion": the highest ISR
 * bit is cleared; for a level-triggered vector (TMR set) an EOI message
 * goes to the I/O APIC (this APIC has no EOI-broadcast suppression:
 * version bit 24 = 0). */
void lapic_eoi(Lapic *a) {
    int v = lapic_highest(a->isr);
    if (v < 0) return;
    lapic_bit_set(a->isr, (unsigned)v, false);
    if (lapic_bit(a->tmr, (unsigned)v) && a->bus) dev_apic_bus_eoi(a->bus, (uint8_t)v);
    lapic_signal(a);
}

/* ---- accepting messages ---- */

/* SDM 10.6.2 "Determining IPI Destination".  Physical: the APIC ID
 * (10.6.2.1), all ones broadcasts.  Logical (10.6.2.2): the flat model
 * matches when MDA & LDR[31:24] != 0, the cluster model when MDA[7:4] is
 * LDR[31:28] and MDA[3:0] & LDR[27:24] != 0; an MDA of FFH is everyone.
 * x2APIC mode (10.12.10.1 "Logical Destination Mode in x2APIC Mode"):
 * cluster LDR[31:16] and bitmap LDR[15:0]. */
bool dev_lapic_matches(const Lapic *a, const ApicMessage *m) {
    uint32_t all = m->x2apic ? UINT32_MAX : 0xff;
    if (!dev_lapic_enabled(a)) return false;
    if (m->dest == all) return true;
    if (lapic_x2apic_mode(a)) {
        if (!m->logical) return m->dest == a->id;
        return (m->dest >> 16) == (a->ldr >> 16) && (m->dest & a->ldr & 0xffff) != 0;
    }
    uint32_t mda = m->dest & 0xff, ldr = a->ldr >> 24;
    if (!m->logical) return mda == (a->id & 0xff);
    if ((a->dfr >> 28) == 0xf) return (mda & ldr) != 0;
    return (mda >> 4) == (ldr >> 4) && (mda & ldr & 0xf) != 0;
}

/* SDM 10.6.1 and 10.8.4: what each delivery mode does at the receiver.
 * vmxsim drops fixed and lowest-priority interrupts while the APIC is
 * software-disabled (SDM 10.4.7.2 lists only INIT, NMI, SMI and SIPI as
 * handled); INIT and SIPI are latched for the CPU, which takes them at its
 * next boundary (docs/devices.md); SMI is ignored (no SMM). */
void dev_lapic_accept(Lapic *a, const ApicMessage *m) {
    if (!dev_lapic_enabled(a)) return;
    switch (m->delivery) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        if (a->svr & SVR_ENABLE) lapic_request(a, m->vector, m->level);
        break;
    case APIC_DM_NMI:
        a->nmi_pending = true;
        lapic_signal(a);
        break;
    case APIC_DM_INIT:
        a->init_pending = true;
        lapic_signal(a);
        break;
    case APIC_DM_STARTUP:
        a->sipi_pending = true;
        a->sipi_vector = m->vector;
        lapic_signal(a);
        break;
    case APIC_DM_EXTINT:
        a->extint_pending = true;
        lapic_signal(a);
        break;
    default:
        break;
    }
}
