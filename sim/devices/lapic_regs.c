/*
 * Local APIC registers: the writes shared by both interfaces, the ICR, and
 * the xAPIC page (SDM 10.4.1 "The Local APIC Block Diagram", Table 10-1
 * "Local APIC Register Address Map").  Registers are 32 bits on 16-byte
 * boundaries; vmxsim's choices for other accesses are in docs/devices.md.
 */
#include "sim/devices/dev_clock.h"
#include "sim/devices/lapic_internal.h"

/* ---- shared writes ---- */

/* SDM 10.8.3.1: TPR bits 7:0. */
void lapic_write_tpr(Lapic *a, uint32_t v) {
    a->tpr = v & 0xff;
    lapic_signal(a);
}

/* SDM 10.9 "Spurious Interrupt": vector (bits 7:0), APIC software enable
 * (bit 8); focus checking (bit 9) and EOI-broadcast suppression (bit 12)
 * are not supported and read 0.  SDM 10.4.7.2 "Local APIC State After It
 * Has Been Software Disabled": every LVT mask bit is set. */
void lapic_write_svr(Lapic *a, uint32_t v) {
    a->svr = v & (SVR_VECTOR | SVR_ENABLE);
    if (!(a->svr & SVR_ENABLE)) {
        for (unsigned i = 0; i < LVT_COUNT; i++)
            a->lvt[i] |= LVT_MASKED;
    }
    lapic_signal(a);
}

/* SDM 10.5.1 Figure 10-8: the bits each LVT entry has.  Timer mode bit 18
 * (TSC-deadline) exists only with CPUID.01H:ECX[24]. */
uint32_t lapic_lvt_writable(const Lapic *a, unsigned i) {
    const uint32_t vector_mask = LVT_VECTOR | LVT_MASKED, dm = 7u << LVT_DELIVERY_SHIFT;
    switch (i) {
    case LVT_TIMER:
        return vector_mask | 1u << LVT_TIMER_MODE_SHIFT |
               (a->has_tsc_deadline ? 2u << LVT_TIMER_MODE_SHIFT : 0);
    case LVT_THERMAL:
    case LVT_PERF:
        return vector_mask | dm;
    case LVT_LINT0:
    case LVT_LINT1:
        return vector_mask | dm | LVT_POLARITY | LVT_LEVEL;
    default:
        return vector_mask;
    }
}

/* Delivery status (bit 12) is always idle: messages are delivered at once.
 * SDM 10.4.7.2: while software-disabled the mask bits cannot be cleared. */
void lapic_write_lvt(Lapic *a, unsigned i, uint32_t v) {
    uint32_t old = a->lvt[i];
    a->lvt[i] = (v & lapic_lvt_writable(a, i)) | (old & LVT_REMOTE_IRR);
    if (!(a->svr & SVR_ENABLE)) a->lvt[i] |= LVT_MASKED;
    if (i == LVT_TIMER) lapic_timer_lvt_written(a, old);
    lapic_signal(a);
}

/* SDM 10.5.3: a write latches the errors detected since the last write and
 * clears them. */
void lapic_write_esr(Lapic *a) {
    a->esr = a->esr_pending;
    a->esr_pending = 0;
}

/* ---- IPIs ---- */

/* SDM 10.6.1 Figure 10-12 and Table 10-3 "Valid Combinations for the
 * Pentium 4 and Intel Xeon Processors' Local xAPIC Interrupt Command
 * Register": level-triggered IPIs go out edge-triggered; the self and
 * all-including-self shorthands are valid with fixed delivery only; an INIT
 * level de-assert (level 0, trigger 1) is a P6 message and has no effect.
 * vmxsim does not send invalid combinations nor the reserved delivery
 * modes 011b and 111b; a fixed or lowest-priority IPI with vector 0-15 sets
 * "send illegal vector" (10.5.3) and is not sent. */
void lapic_send_ipi(Lapic *a, uint64_t icr) {
    bool x2 = lapic_x2apic_mode(a);
    ApicMessage m = {.vector = (uint8_t)icr,
                     .delivery = (uint8_t)((icr >> 8) & 7),
                     .logical = (icr >> 11) & 1,
                     .shorthand = (uint8_t)((icr >> 18) & 3),
                     .x2apic = x2,
                     .dest = x2 ? (uint32_t)(icr >> 32) : (uint32_t)(icr >> 56)};
    bool assert = (icr >> 14) & 1, trigger_level = (icr >> 15) & 1;
    if (m.delivery == APIC_DM_INIT && !assert && trigger_level) return;
    if (m.delivery == 3 || m.delivery == APIC_DM_EXTINT) return;
    if ((m.shorthand == APIC_DEST_SELF || m.shorthand == APIC_DEST_ALL) &&
        m.delivery != APIC_DM_FIXED)
        return;
    if ((m.delivery == APIC_DM_FIXED || m.delivery == APIC_DM_LOWEST) && m.vector < 16) {
        lapic_error(a, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    dev_apic_bus_send(a->bus, &m, a);
}

/* ---- CR8 ---- */

uint8_t dev_lapic_read_cr8(const Lapic *a) {
    return (uint8_t)(a->tpr >> 4);
}

void dev_lapic_write_cr8(Lapic *a, uint8_t cr8) {
    lapic_write_tpr(a, (uint32_t)(cr8 & 0xf) << 4);
}

/* ---- the xAPIC page ---- */

/* The registers both interfaces have, at xAPIC offset `reg`; false for
 * the others (ID, ICR, DFR ... differ and are read by each interface). */
bool lapic_read_common(const Lapic *a, unsigned reg, uint32_t *v) {
    if (reg >= APIC_REG_ISR && reg < APIC_REG_ESR) {
        const uint32_t *r = reg < APIC_REG_TMR ? a->isr : reg < APIC_REG_IRR ? a->tmr : a->irr;
        *v = r[(reg >> 4) & 7];
        return true;
    }
    if (reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR) {
        *v = a->lvt[(reg - APIC_REG_LVT_TIMER) >> 4];
        return true;
    }
    switch (reg) {
    case APIC_REG_VERSION:
        *v = LAPIC_VERSION;
        return true;
    case APIC_REG_TPR:
        *v = a->tpr;
        return true;
    case APIC_REG_PPR:
        *v = lapic_ppr(a);
        return true;
    case APIC_REG_LDR:
        *v = a->ldr;
        return true;
    case APIC_REG_SVR:
        *v = a->svr;
        return true;
    case APIC_REG_ESR:
        *v = a->esr;
        return true;
    case APIC_REG_TIMER_INITIAL:
        *v = a->timer_initial;
        return true;
    case APIC_REG_TIMER_CURRENT:
        *v = lapic_timer_current(a);
        return true;
    case APIC_REG_TIMER_DIVIDE:
        *v = a->timer_divide;
        return true;
    default:
        return false;
    }
}

/* The register at `reg` (16-byte aligned offset); false: reserved.  APR
 * (90H) and RRD (C0H) are "not supported in the Pentium 4 and Intel Xeon
 * processors" (Table 10-1 note 1) and read 0; EOI is write-only (reads 0). */
static bool xapic_read(const Lapic *a, unsigned reg, uint32_t *v) {
    *v = 0;
    switch (reg) {
    case APIC_REG_ID:
        *v = a->id << 24;
        return true;
    case APIC_REG_DFR:
        *v = a->dfr;
        return true;
    case APIC_REG_ICR_LOW:
        *v = (uint32_t)a->icr;
        return true;
    case APIC_REG_ICR_HIGH:
        *v = (uint32_t)(a->icr >> 32);
        return true;
    case APIC_REG_APR:
    case APIC_REG_EOI:
    case APIC_REG_RRD:
        return true;
    default:
        return lapic_read_common(a, reg, v);
    }
}

/* Writes to read-only registers are ignored (the xAPIC ID is read-only:
 * Table 10-1's note on Nehalem).  LDR keeps bits 31:24, DFR bits 31:28
 * (27:0 read as ones), ICR high its destination (31:24); writing ICR low
 * sends the IPI. */
static bool xapic_write(Lapic *a, unsigned reg, uint32_t v) {
    if (reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR) {
        lapic_write_lvt(a, (reg - APIC_REG_LVT_TIMER) >> 4, v);
        return true;
    }
    switch (reg) {
    case APIC_REG_TPR:
        lapic_write_tpr(a, v);
        return true;
    case APIC_REG_EOI:
        lapic_eoi(a);
        return true;
    case APIC_REG_LDR:
        a->ldr = v & 0xff000000u;
        return true;
    case APIC_REG_DFR:
        a->dfr = v | 0x0fffffffu;
        return true;
    case APIC_REG_SVR:
        lapic_write_svr(a, v);
        return true;
    case APIC_REG_ESR:
        lapic_write_esr(a);
        return true;
    case APIC_REG_ICR_LOW:
        a->icr = (a->icr & ~UINT64_C(0xffffffff)) | (v & 0x000ccfffu);
        lapic_send_ipi(a, a->icr);
        return true;
    case APIC_REG_ICR_HIGH:
        a->icr = (uint32_t)a->icr | (uint64_t)(v & 0xff000000u) << 32;
        return true;
    case APIC_REG_TIMER_INITIAL:
        lapic_timer_write_initial(a, v);
        return true;
    case APIC_REG_TIMER_DIVIDE:
        lapic_timer_write_divide(a, v);
        return true;
    default:
        return reg == APIC_REG_ID || reg == APIC_REG_VERSION || reg == APIC_REG_APR ||
               reg == APIC_REG_PPR || reg == APIC_REG_RRD || reg == APIC_REG_TIMER_CURRENT ||
               (reg >= APIC_REG_ISR && reg < APIC_REG_ESR);
    }
}

/* The register holds bytes 0-3 of its 16-byte slot; bytes 4-15 read 0 and
 * drop writes.  A narrower access reads its bytes of the register; a
 * narrower write writes them with the register's other bytes 0.  Reserved
 * registers set "illegal register address" (SDM 10.5.3). */
uint64_t dev_lapic_mmio_read(void *opaque, uint64_t offset, unsigned size) {
    Lapic *a = opaque;
    unsigned byte = offset & 0xf;
    uint32_t v;
    dev_lapic_advance(a);
    if (!xapic_read(a, (unsigned)offset & 0xff0u, &v)) lapic_error(a, ESR_ILLEGAL_REGISTER);
    return byte < 4 ? (uint64_t)(v >> (8 * byte)) : 0;
}

void dev_lapic_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value) {
    Lapic *a = opaque;
    unsigned byte = offset & 0xf;
    if (byte >= 4) return;
    dev_lapic_advance(a);
    if (!xapic_write(a, (unsigned)offset & 0xff0u, (uint32_t)(value << (8 * byte))))
        lapic_error(a, ESR_ILLEGAL_REGISTER);
}
