/*
 * I/O APIC (Intel 82093AA I/O Advanced Programmable Interrupt Controller
 * datasheet, order no. 290566; the EOI register of the I/O(x)APICs of the
 * Intel ICH chipsets, version 20H) at 0xfec00000: IOREGSEL at offset 00H,
 * IOWIN at 10H, EOI at 40H; 24 input pins, each with a redirection-table
 * entry that turns an assertion into an APIC-bus message (apic_bus.h).
 * ISA IRQ n arrives on pin n, except the PIT's IRQ 0 on pin 2 (the
 * convention the ACPI MADT's interrupt source override describes).
 */
#ifndef VMXSIM_DEVICES_IOAPIC_H
#define VMXSIM_DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/apic_bus.h"

#define IOAPIC_DEFAULT_BASE UINT64_C(0xfec00000)
#define IOAPIC_MMIO_SIZE 0x1000u
#define IOAPIC_PINS 24u

/* Register offsets in the MMIO window and register indexes behind IOWIN. */
enum { IOAPIC_IOREGSEL = 0x00, IOAPIC_IOWIN = 0x10, IOAPIC_EOI = 0x40 };
enum {
    IOAPIC_REG_ID = 0x00,
    IOAPIC_REG_VERSION = 0x01,
    IOAPIC_REG_ARB = 0x02,
    IOAPIC_REG_RTE = 0x10
};

/* Redirection-table entry bits (82093AA "IOREDTBL[23:0]"). */
#define IOAPIC_RTE_DELIVERY_STATUS (UINT64_C(1) << 12)
#define IOAPIC_RTE_ACTIVE_LOW (UINT64_C(1) << 13)
#define IOAPIC_RTE_REMOTE_IRR (UINT64_C(1) << 14)
#define IOAPIC_RTE_LEVEL (UINT64_C(1) << 15)
#define IOAPIC_RTE_MASKED (UINT64_C(1) << 16)

typedef struct IoApic {
    uint32_t id; /* IOAPICID bits 27:24 */
    uint8_t regsel;
    uint64_t rte[IOAPIC_PINS];
    uint32_t level; /* input pin levels */
    ApicBus *bus;
} IoApic;

/* Reset: every entry masked, edge, active high. */
void dev_ioapic_init(IoApic *io, ApicBus *bus, uint8_t id);
uint64_t dev_ioapic_mmio_read(void *io, uint64_t offset, unsigned size);
void dev_ioapic_mmio_write(void *io, uint64_t offset, unsigned size, uint64_t value);
/* Drive input `pin` (IrqSetFn). */
void dev_ioapic_set_irq(void *io, unsigned pin, bool level);
/* An EOI for `vector` (EOI register or a local APIC's broadcast): clears
 * remote IRR of the level-triggered entries with that vector. */
void dev_ioapic_eoi(IoApic *io, uint8_t vector);
/* Is the entry of `pin` unmasked; with `nmi`, unmasked with NMI delivery? */
bool dev_ioapic_routes(const IoApic *io, unsigned pin, bool nmi);

#endif
