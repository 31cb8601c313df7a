/* Unit tests for the I/O APIC (sim/devices/ioapic.c) delivering through
 * the APIC bus to one local APIC, with no CPU. */
#include "check_main.h"

#include "sim/devices/dev_clock.h"
#include "sim/devices/ioapic.h"
#include "sim/devices/lapic.h"

typedef struct Rig {
    ApicBus bus;
    Lapic apic;
    IoApic io;
    Signals signals;
    uint64_t now;
} Rig;

static void rig_init(Rig *r) {
    *r = (Rig){.now = 0};
    dev_apic_bus_init(&r->bus);
    LapicConfig cfg = {.id = 0,
                       .bsp = true,
                       .x2apic = true,
                       .now = &r->now,
                       .signals = &r->signals,
                       .bus = &r->bus};
    dev_lapic_init(&r->apic, &cfg);
    ck_assert(dev_apic_bus_add_cpu(&r->bus, &r->apic));
    dev_ioapic_init(&r->io, &r->bus, 0);
    r->bus.ioapic = &r->io;
    dev_lapic_mmio_write(&r->apic, APIC_REG_SVR, 4, SVR_ENABLE | 0xff);
}

static uint32_t io_rd(Rig *r, uint8_t reg) {
    dev_ioapic_mmio_write(&r->io, IOAPIC_IOREGSEL, 4, reg);
    return (uint32_t)dev_ioapic_mmio_read(&r->io, IOAPIC_IOWIN, 4);
}

static void io_wr(Rig *r, uint8_t reg, uint32_t v) {
    dev_ioapic_mmio_write(&r->io, IOAPIC_IOREGSEL, 4, reg);
    dev_ioapic_mmio_write(&r->io, IOAPIC_IOWIN, 4, v);
}

static void route(Rig *r, unsigned pin, uint32_t low, uint8_t dest) {
    io_wr(r, (uint8_t)(IOAPIC_REG_RTE + 2 * pin + 1), (uint32_t)dest << 24);
    io_wr(r, (uint8_t)(IOAPIC_REG_RTE + 2 * pin), low);
}

static void eoi(Rig *r) {
    dev_lapic_mmio_write(&r->apic, APIC_REG_EOI, 4, 0);
}

START_TEST(test_ioapic_reset_registers) {
    Rig r;
    rig_init(&r);
    ck_assert_uint_eq(io_rd(&r, IOAPIC_REG_VERSION), 0x00170020);
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
        ck_assert_uint_eq(io_rd(&r, (uint8_t)(IOAPIC_REG_RTE + 2 * pin)), 0x10000);
    io_wr(&r, IOAPIC_REG_ID, 0xff000000);
    ck_assert_uint_eq(io_rd(&r, IOAPIC_REG_ID), 0x0f000000);
    ck_assert_uint_eq(io_rd(&r, IOAPIC_REG_ARB), 0x0f000000);
    ck_assert_uint_eq(dev_ioapic_mmio_read(&r.io, IOAPIC_IOREGSEL, 4), IOAPIC_REG_ARB);
}
END_TEST

START_TEST(test_ioapic_edge_pin_delivers_fixed) {
    Rig r;
    rig_init(&r);
    route(&r, 2, 0x30, 0);
    dev_ioapic_set_irq(&r.io, 2, true);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x30);
    eoi(&r);
    dev_ioapic_set_irq(&r.io, 2, true); /* no new edge */
    ck_assert(!dev_lapic_intr(&r.apic));
    dev_ioapic_set_irq(&r.io, 2, false);
    dev_ioapic_set_irq(&r.io, 2, true);
    ck_assert(dev_lapic_intr(&r.apic));
}
END_TEST

START_TEST(test_ioapic_masked_edge_is_lost) {
    Rig r;
    rig_init(&r);
    route(&r, 4, 0x10031, 0);
    dev_ioapic_set_irq(&r.io, 4, true);
    route(&r, 4, 0x31, 0);
    ck_assert(!dev_lapic_intr(&r.apic));
}
END_TEST

/* Level-triggered: remote IRR until the local APIC's EOI (TMR set); a pin
 * still asserted then interrupts again. */
START_TEST(test_ioapic_level_remote_irr_and_eoi_broadcast) {
    Rig r;
    rig_init(&r);
    route(&r, 9, 0x8040, 0);
    dev_ioapic_set_irq(&r.io, 9, true);
    ck_assert(io_rd(&r, IOAPIC_REG_RTE + 18) & IOAPIC_RTE_REMOTE_IRR);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x40);
    ck_assert((dev_lapic_mmio_read(&r.apic, APIC_REG_TMR + 0x20, 4) & 1) == 1);
    eoi(&r);
    ck_assert(io_rd(&r, IOAPIC_REG_RTE + 18) & IOAPIC_RTE_REMOTE_IRR); /* sent again */
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x40);
    dev_ioapic_set_irq(&r.io, 9, false);
    eoi(&r);
    ck_assert(!(io_rd(&r, IOAPIC_REG_RTE + 18) & IOAPIC_RTE_REMOTE_IRR));
    ck_assert(!dev_lapic_intr(&r.apic));
}
END_TEST

START_TEST(test_ioapic_eoi_register) {
    Rig r;
    rig_init(&r);
    dev_ioapic_set_irq(&r.io, 16, true); /* idle high */
    route(&r, 16, 0xa041, 0);            /* level, active low */
    ck_assert(!dev_lapic_intr(&r.apic));
    dev_ioapic_set_irq(&r.io, 16, false); /* asserted */
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x41);
    dev_ioapic_set_irq(&r.io, 16, true);
    dev_ioapic_mmio_write(&r.io, IOAPIC_EOI, 4, 0x41);
    ck_assert(!(io_rd(&r, IOAPIC_REG_RTE + 32) & IOAPIC_RTE_REMOTE_IRR));
}
END_TEST

START_TEST(test_ioapic_nmi_and_destinations) {
    Rig r;
    rig_init(&r);
    route(&r, 5, 0x400, 0); /* NMI */
    ck_assert(dev_ioapic_routes(&r.io, 5, true));
    dev_ioapic_set_irq(&r.io, 5, true);
    ck_assert(dev_lapic_take_nmi(&r.apic));
    route(&r, 6, 0x50, 3); /* physical APIC ID 3: nobody */
    dev_ioapic_set_irq(&r.io, 6, true);
    ck_assert(!dev_lapic_intr(&r.apic));
    dev_lapic_mmio_write(&r.apic, APIC_REG_LDR, 4, 0x01000000);
    route(&r, 7, 0x951, 0x01); /* lowest priority, logical 01H */
    dev_ioapic_set_irq(&r.io, 7, true);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x51);
}
END_TEST

static Suite *ioapic_suite(void) {
    Suite *s = suite_create("ioapic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ioapic_reset_registers);
    tcase_add_test(tc, test_ioapic_edge_pin_delivers_fixed);
    tcase_add_test(tc, test_ioapic_masked_edge_is_lost);
    tcase_add_test(tc, test_ioapic_level_remote_irr_and_eoi_broadcast);
    tcase_add_test(tc, test_ioapic_eoi_register);
    tcase_add_test(tc, test_ioapic_nmi_and_destinations);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(ioapic_suite)
