/*
 * The APIC bus: interrupt messages between the local APICs and the I/O
 * APIC (SDM Vol. 3A 10.6 "Issuing Interprocessor Interrupts", 10.6.2
 * "Determining IPI Destination"; the I/O APIC's redirection entries use the
 * same message format).  A message names its destination; the bus offers
 * it to every local APIC that matches and, for lowest priority, to the one
 * that wins arbitration.  EOIs for level-triggered interrupts go back to
 * the I/O APIC (SDM 10.8.5 "Signaling Interrupt Servicing Completion").
 */
#ifndef VMXSIM_DEVICES_APIC_BUS_H
#define VMXSIM_DEVICES_APIC_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_BUS_MAX_CPUS 16u

/* Delivery modes (SDM 10.5.1 "Local Vector Table", 10.6.1 "Interrupt
 * Command Register"; 82093AA redirection table). */
enum {
    APIC_DM_FIXED = 0,
    APIC_DM_LOWEST = 1,
    APIC_DM_SMI = 2,
    APIC_DM_NMI = 4,
    APIC_DM_INIT = 5,
    APIC_DM_STARTUP = 6,
    APIC_DM_EXTINT = 7,
};

/* Destination shorthands (ICR bits 19:18). */
enum {
    APIC_DEST_NONE = 0,
    APIC_DEST_SELF = 1,
    APIC_DEST_ALL = 2,
    APIC_DEST_OTHERS = 3,
};

typedef struct ApicMessage {
    uint8_t vector;
    uint8_t delivery;  /* APIC_DM_* */
    bool logical;      /* destination mode */
    bool level;        /* trigger mode: level-triggered */
    uint8_t shorthand; /* APIC_DEST_* */
    bool x2apic;       /* 32-bit destination (an x2APIC sender); else 8-bit, 0xff = all */
    uint32_t dest;
} ApicMessage;

struct Lapic;
struct IoApic;

typedef struct ApicBus {
    struct Lapic *cpus[APIC_BUS_MAX_CPUS];
    unsigned count;
    struct IoApic *ioapic; /* receives EOI broadcasts; NULL: none */
} ApicBus;

void dev_apic_bus_init(ApicBus *bus);
bool dev_apic_bus_add_cpu(ApicBus *bus, struct Lapic *apic);
/* Deliver `m` from `source` (NULL: the I/O APIC) to its destinations. */
void dev_apic_bus_send(ApicBus *bus, const ApicMessage *m, const struct Lapic *source);
/* An EOI for a level-triggered vector (SDM 10.8.5). */
void dev_apic_bus_eoi(ApicBus *bus, uint8_t vector);

#endif
