/*
 * IA32_APIC_BASE and x2APIC mode (SDM 10.4.4 "Local APIC Status and
 * Location", 10.12 "Extended XAPIC (x2APIC)"): the state transitions, and
 * the MSR interface to the registers with its #GP rules.
 */
#include "sim/devices/dev_clock.h"
#include "sim/devices/lapic_internal.h"

/* ---- IA32_APIC_BASE ---- */

uint64_t dev_lapic_read_base(const Lapic *a) {
    return a->base;
}

uint64_t dev_lapic_mmio_base(const Lapic *a) {
    if (!dev_lapic_enabled(a) || lapic_x2apic_mode(a)) return LAPIC_NO_MMIO;
    return a->base & APIC_BASE_ADDR_MASK;
}

/* SDM 10.12.10.2 "Deriving Logical x2APIC ID from the Local x2APIC ID":
 * cluster ID[19:4] in bits 31:16, 1 << ID[3:0] in bits 15:0. */
static uint32_t x2apic_ldr(uint32_t id) {
    return ((id >> 4) << 16) | (UINT32_C(1) << (id & 0xf));
}

/* SDM 10.12.5.1 "x2APIC States" and Figure 10-27: EN = 0 with EXTD = 1 is
 * invalid; x2APIC mode may only go to disabled; disabled may only go to
 * xAPIC mode.  EXTD is reserved without x2APIC support, bits 7:0 and 9
 * always; BSP (bit 8) is read-only.  Going to x2APIC mode derives the
 * logical ID and does not keep the ICR's high half; disabling returns the
 * registers to their power-up state (10.4.3 "Enabling or Disabling the
 * Local APIC"). */
bool dev_lapic_write_base(Lapic *a, uint64_t v) {
    uint64_t allowed =
        APIC_BASE_ADDR_MASK | APIC_BASE_BSP | APIC_BASE_EN | (a->has_x2apic ? APIC_BASE_EXTD : 0);
    bool en = v & APIC_BASE_EN, extd = v & APIC_BASE_EXTD;
    bool was_en = dev_lapic_enabled(a), was_x2 = lapic_x2apic_mode(a);
    if ((v & ~allowed) || (extd && !en) || (was_x2 && en && !extd) || (!was_en && extd))
        return false;
    a->base = (v & ~APIC_BASE_BSP) | (a->base & APIC_BASE_BSP);
    if (was_en && !en) lapic_reset_registers(a);
    if (extd && !was_x2) {
        a->ldr = x2apic_ldr(a->id);
        a->icr = (uint32_t)a->icr;
    }
    lapic_signal(a);
    return true;
}

/* ---- the MSRs (SDM Table 10-6 "Local APIC Register Address Map
 * Supported by x2APIC") ---- */

enum { X2_RO = 1, X2_WO = 2, X2_RW = 3 };

/* MSR 800H + reg / 16: how it may be accessed; 0 when reserved. */
static unsigned x2apic_access(unsigned reg) {
    if ((reg >= APIC_REG_ISR && reg < APIC_REG_ESR) || reg == APIC_REG_ID ||
        reg == APIC_REG_VERSION || reg == APIC_REG_PPR || reg == APIC_REG_LDR ||
        reg == APIC_REG_TIMER_CURRENT)
        return X2_RO;
    if (reg == APIC_REG_EOI || reg == APIC_REG_SELF_IPI) return X2_WO;
    if ((reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR) || reg == APIC_REG_TPR ||
        reg == APIC_REG_SVR || reg == APIC_REG_ESR || reg == APIC_REG_ICR_LOW ||
        reg == APIC_REG_TIMER_INITIAL || reg == APIC_REG_TIMER_DIVIDE)
        return X2_RW;
    return 0;
}

/* The bits a WRMSR may set (SDM 10.12.1.3 "Reserved Bit Checking": any
 * other bit set is #GP).  EOI and ESR take only 0; the upper 32 bits are
 * reserved except in the ICR, which has no delivery status in x2APIC
 * mode (10.12.9 "ICR Operation in x2APIC Mode").  Read-only LVT bits may
 * be written back as read. */
static uint64_t x2apic_writable(const Lapic *a, unsigned reg) {
    if (reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR)
        return lapic_lvt_writable(a, (reg - APIC_REG_LVT_TIMER) >> 4) | LVT_DELIVERY_STATUS |
               LVT_REMOTE_IRR;
    switch (reg) {
    case APIC_REG_TPR:
        return 0xff;
    case APIC_REG_SVR:
        return SVR_VECTOR | SVR_ENABLE;
    case APIC_REG_ICR_LOW:
        return UINT64_C(0xffffffff000ccfff);
    case APIC_REG_TIMER_INITIAL:
        return UINT32_MAX;
    case APIC_REG_TIMER_DIVIDE:
        return 0xb;
    case APIC_REG_SELF_IPI:
        return 0xff;
    default:
        return 0; /* EOI, ESR */
    }
}

/* A readable x2APIC register: the ID is all 32 bits, the ICR 64. */
static uint64_t x2apic_read(const Lapic *a, unsigned reg) {
    uint32_t v = 0;
    if (reg == APIC_REG_ID) return a->id;
    if (reg == APIC_REG_ICR_LOW) return a->icr;
    (void)lapic_read_common(a, reg, &v);
    return v;
}

/* SDM 10.12.11 "SELF IPI Register": a fixed, edge-triggered interrupt to
 * this APIC; an illegal vector is a receive error (10.5.3). */
static void x2apic_self_ipi(Lapic *a, uint8_t vector) {
    ApicMessage m = {
        .vector = vector, .delivery = APIC_DM_FIXED, .shorthand = APIC_DEST_SELF, .x2apic = true};
    dev_apic_bus_send(a->bus, &m, a);
}

static void x2apic_write(Lapic *a, unsigned reg, uint64_t v) {
    if (reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR) {
        lapic_write_lvt(a, (reg - APIC_REG_LVT_TIMER) >> 4, (uint32_t)v);
        return;
    }
    switch (reg) {
    case APIC_REG_TPR:
        lapic_write_tpr(a, (uint32_t)v);
        break;
    case APIC_REG_EOI:
        lapic_eoi(a);
        break;
    case APIC_REG_SVR:
        lapic_write_svr(a, (uint32_t)v);
        break;
    case APIC_REG_ESR:
        lapic_write_esr(a);
        break;
    case APIC_REG_ICR_LOW:
        a->icr = v;
        lapic_send_ipi(a, v);
        break;
    case APIC_REG_TIMER_INITIAL:
        lapic_timer_write_initial(a, (uint32_t)v);
        break;
    case APIC_REG_TIMER_DIVIDE:
        lapic_timer_write_divide(a, (uint32_t)v);
        break;
    default:
        x2apic_self_ipi(a, (uint8_t)v);
        break;
    }
}

/* SDM 10.12.1.2: outside x2APIC mode every MSR of the range is #GP, as are
 * reserved addresses (80EH DFR, 831H ...), a WRMSR to a read-only register
 * and a RDMSR of a write-only one. */
static unsigned x2apic_reg(const Lapic *a, uint32_t index, unsigned need) {
    unsigned reg = (index - X2APIC_MSR_FIRST) << 4;
    if (!lapic_x2apic_mode(a) || index < X2APIC_MSR_FIRST || index > X2APIC_MSR_LAST ||
        !(x2apic_access(reg) & need))
        return 0;
    return reg;
}

bool dev_lapic_msr_read(Lapic *a, uint32_t index, uint64_t *value) {
    unsigned reg = x2apic_reg(a, index, X2_RO);
    if (!reg) return false;
    dev_lapic_advance(a);
    *value = x2apic_read(a, reg);
    return true;
}

bool dev_lapic_msr_write(Lapic *a, uint32_t index, uint64_t value) {
    unsigned reg = x2apic_reg(a, index, X2_WO);
    if (!reg || (value & ~x2apic_writable(a, reg))) return false;
    dev_lapic_advance(a);
    x2apic_write(a, reg, value);
    return true;
}
