/* The APIC bus (apic_bus.h). */
#include "sim/devices/apic_bus.h"

#include <stddef.h>

#include "sim/devices/ioapic.h"
#include "sim/devices/lapic.h"

void dev_apic_bus_init(ApicBus *bus) {
    *bus = (ApicBus){.count = 0};
}

bool dev_apic_bus_add_cpu(ApicBus *bus, Lapic *apic) {
    if (bus->count == APIC_BUS_MAX_CPUS) return false;
    bus->cpus[bus->count++] = apic;
    return true;
}

/* Is APIC `a` addressed by the message's shorthand or destination (SDM
 * 10.6.1 "Destination Shorthand")? */
static bool apic_bus_targets(const ApicMessage *m, const Lapic *a, const Lapic *source) {
    switch (m->shorthand) {
    case APIC_DEST_SELF:
        return a == source;
    case APIC_DEST_ALL:
        return dev_lapic_enabled(a);
    case APIC_DEST_OTHERS:
        return a != source && dev_lapic_enabled(a);
    default:
        return dev_lapic_matches(a, m);
    }
}

/* SDM 10.6.2.4 "Lowest Priority Delivery Mode": the chipset picks the
 * addressed processor with the lowest priority; vmxsim compares the TPRs
 * and takes the lowest APIC ID on a tie. */
static Lapic *apic_bus_lowest(ApicBus *bus, const ApicMessage *m, const Lapic *source) {
    Lapic *best = NULL;
    for (unsigned i = 0; i < bus->count; i++) {
        Lapic *a = bus->cpus[i];
        if (!apic_bus_targets(m, a, source)) continue;
        if (!best || (a->tpr & 0xf0) < (best->tpr & 0xf0) ||
            ((a->tpr & 0xf0) == (best->tpr & 0xf0) && a->id < best->id))
            best = a;
    }
    return best;
}

void dev_apic_bus_send(ApicBus *bus, const ApicMessage *m, const Lapic *source) {
    if (m->delivery == APIC_DM_LOWEST) {
        Lapic *a = apic_bus_lowest(bus, m, source);
        if (a) dev_lapic_accept(a, m);
        return;
    }
    for (unsigned i = 0; i < bus->count; i++) {
        if (apic_bus_targets(m, bus->cpus[i], source)) dev_lapic_accept(bus->cpus[i], m);
    }
}

void dev_apic_bus_eoi(ApicBus *bus, uint8_t vector) {
    if (bus->ioapic) dev_ioapic_eoi(bus->ioapic, vector);
}
