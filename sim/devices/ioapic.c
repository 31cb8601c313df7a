/*
 * I/O APIC (ioapic.h).  An entry sends its message when its pin becomes
 * asserted (edge) or while it is asserted and remote IRR is clear (level);
 * remote IRR is set when a level-triggered fixed or lowest-priority message
 * is sent and cleared by the EOI for its vector (82093AA "IOREDTBL",
 * "Remote IRR").
 */
#include "sim/devices/ioapic.h"

#include <stddef.h>

#define IOAPIC_VERSION (0x20u | (IOAPIC_PINS - 1u) << 16) /* max redirection entry 23 */
/* Bits software writes: vector, delivery mode, destination mode, polarity,
 * trigger mode, mask; destination (63:56). */
#define IOAPIC_RTE_WRITABLE UINT64_C(0xff0000000001afff)

void dev_ioapic_init(IoApic *io, ApicBus *bus, uint8_t id) {
    *io = (IoApic){.id = (uint32_t)(id & 0xf) << 24, .bus = bus};
    for (unsigned i = 0; i < IOAPIC_PINS; i++)
        io->rte[i] = IOAPIC_RTE_MASKED;
}

static bool ioapic_asserted(const IoApic *io, unsigned pin) {
    bool high = (io->level >> pin) & 1;
    return (io->rte[pin] & IOAPIC_RTE_ACTIVE_LOW) ? !high : high;
}

/* Only fixed and lowest-priority messages can be level-triggered; the
 * other delivery modes are sent edge-triggered (82093AA "Delivery Mode"). */
static bool ioapic_level_message(uint64_t rte) {
    unsigned dm = (rte >> 8) & 7;
    return (rte & IOAPIC_RTE_LEVEL) && (dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST);
}

static void ioapic_send(IoApic *io, unsigned pin) {
    uint64_t rte = io->rte[pin];
    bool level = ioapic_level_message(rte);
    if (rte & IOAPIC_RTE_MASKED) return;
    if (level && (rte & IOAPIC_RTE_REMOTE_IRR)) return;
    if (level) io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
    ApicMessage m = {.vector = (uint8_t)rte,
                     .delivery = (uint8_t)((rte >> 8) & 7),
                     .logical = (rte >> 11) & 1,
                     .level = level,
                     .dest = (uint32_t)(rte >> 56)};
    dev_apic_bus_send(io->bus, &m, NULL);
}

/* A masked edge-triggered pin loses its edges. */
void dev_ioapic_set_irq(void *opaque, unsigned pin, bool level) {
    IoApic *io = opaque;
    if (pin >= IOAPIC_PINS) return;
    bool was = ioapic_asserted(io, pin);
    io->level = level ? io->level | (1u << pin) : io->level & ~(1u << pin);
    bool now = ioapic_asserted(io, pin);
    if (now && (!was || (io->rte[pin] & IOAPIC_RTE_LEVEL))) ioapic_send(io, pin);
}

/* A level-triggered pin still asserted after its EOI interrupts again. */
void dev_ioapic_eoi(IoApic *io, uint8_t vector) {
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t rte = io->rte[pin];
        if ((uint8_t)rte != vector || !(rte & IOAPIC_RTE_REMOTE_IRR)) continue;
        io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
        if ((rte & IOAPIC_RTE_LEVEL) && ioapic_asserted(io, pin)) ioapic_send(io, pin);
    }
}

bool dev_ioapic_routes(const IoApic *io, unsigned pin, bool nmi) {
    uint64_t rte = io->rte[pin];
    return !(rte & IOAPIC_RTE_MASKED) && (!nmi || ((rte >> 8) & 7) == APIC_DM_NMI);
}

/* ---- registers ---- */

static uint32_t ioapic_read_reg(const IoApic *io, unsigned reg) {
    unsigned pin = (reg - IOAPIC_REG_RTE) / 2;
    if (reg >= IOAPIC_REG_RTE && pin < IOAPIC_PINS)
        return (uint32_t)(io->rte[pin] >> (reg & 1 ? 32 : 0));
    switch (reg) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB: /* the arbitration ID is loaded from the ID */
        return io->id;
    case IOAPIC_REG_VERSION:
        return IOAPIC_VERSION;
    default:
        return 0;
    }
}

/* Remote IRR and delivery status are read-only; remote IRR survives while
 * the entry stays level-triggered.  An entry written to unmasked,
 * level-triggered and asserted interrupts at once. */
static void ioapic_write_rte(IoApic *io, unsigned pin, bool high, uint32_t v) {
    uint64_t rte = io->rte[pin];
    uint64_t value =
        high ? (rte & 0xffffffffu) | (uint64_t)v << 32 : (rte & ~UINT64_C(0xffffffff)) | v;
    io->rte[pin] = value & IOAPIC_RTE_WRITABLE;
    if (io->rte[pin] & IOAPIC_RTE_LEVEL) io->rte[pin] |= rte & IOAPIC_RTE_REMOTE_IRR;
    if ((io->rte[pin] & IOAPIC_RTE_LEVEL) && ioapic_asserted(io, pin)) ioapic_send(io, pin);
}

static void ioapic_write_reg(IoApic *io, unsigned reg, uint32_t v) {
    unsigned pin = (reg - IOAPIC_REG_RTE) / 2;
    if (reg >= IOAPIC_REG_RTE && pin < IOAPIC_PINS)
        ioapic_write_rte(io, pin, reg & 1, v);
    else if (reg == IOAPIC_REG_ID)
        io->id = v & 0x0f000000u;
}

uint64_t dev_ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size) {
    IoApic *io = opaque;
    if (offset == IOAPIC_IOREGSEL) return io->regsel;
    if (offset == IOAPIC_IOWIN) return ioapic_read_reg(io, io->regsel);
    return 0;
}

void dev_ioapic_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value) {
    IoApic *io = opaque;
    if (offset == IOAPIC_IOREGSEL)
        io->regsel = (uint8_t)value;
    else if (offset == IOAPIC_IOWIN)
        ioapic_write_reg(io, io->regsel, (uint32_t)value);
    else if (offset == IOAPIC_EOI)
        dev_ioapic_eoi(io, (uint8_t)value);
}
