/* Unit tests for the MC146818A RTC/CMOS (sim/devices/rtc.c) with a virtual
 * clock: the time starts at the configured epoch at cycle 0. */
#include "check_main.h"

#include "sim/devices/dev_clock.h"
#include "sim/devices/rtc.h"

typedef struct Rig {
    IoBus bus;
    Signals signals;
    Rtc rtc;
    uint64_t now;
    bool irq;
} Rig;

static void irq_probe(void *opaque, unsigned irq, bool level) {
    ((Rig *)opaque)->irq = level;
}

static void rig_init(Rig *r, uint64_t epoch) {
    *r = (Rig){0};
    dev_io_bus_init(&r->bus);
    dev_rtc_init(&r->rtc, epoch, &r->now, (IrqLine){irq_probe, r, RTC_IRQ}, &r->signals);
    ck_assert(dev_rtc_attach(&r->rtc, &r->bus));
}

static uint8_t cmos(Rig *r, uint8_t reg) {
    dev_io_write(&r->bus, RTC_INDEX_PORT, 1, reg);
    return (uint8_t)dev_io_read(&r->bus, RTC_DATA_PORT, 1);
}

static void cmos_set(Rig *r, uint8_t reg, uint8_t v) {
    dev_io_write(&r->bus, RTC_INDEX_PORT, 1, reg);
    dev_io_write(&r->bus, RTC_DATA_PORT, 1, v);
}

static void at_seconds(Rig *r, uint64_t s, uint64_t extra_cycles) {
    r->now = s * DEV_CPU_HZ + extra_cycles;
}

START_TEST(test_rtc_epoch_in_bcd) {
    Rig r;
    rig_init(&r, RTC_DEFAULT_EPOCH); /* Monday 2024-01-01 00:00:00 */
    ck_assert_uint_eq(cmos(&r, RTC_SECONDS), 0x00);
    ck_assert_uint_eq(cmos(&r, RTC_HOURS), 0x00);
    ck_assert_uint_eq(cmos(&r, RTC_DAY_OF_WEEK), 2);
    ck_assert_uint_eq(cmos(&r, RTC_DAY_OF_MONTH), 0x01);
    ck_assert_uint_eq(cmos(&r, RTC_MONTH), 0x01);
    ck_assert_uint_eq(cmos(&r, RTC_YEAR), 0x24);
    ck_assert_uint_eq(cmos(&r, RTC_CENTURY), 0x20);
    ck_assert_uint_eq(cmos(&r, RTC_REG_A), 0x26);
    ck_assert_uint_eq(cmos(&r, RTC_REG_B), RTC_B_24H);
    ck_assert_uint_eq(cmos(&r, RTC_REG_D), RTC_D_VRT);
    at_seconds(&r, 3725, DEV_CPU_HZ / 2);
    ck_assert_uint_eq(cmos(&r, RTC_HOURS), 0x01);
    ck_assert_uint_eq(cmos(&r, RTC_MINUTES), 0x02);
    ck_assert_uint_eq(cmos(&r, RTC_SECONDS), 0x05);
}
END_TEST

START_TEST(test_rtc_binary_and_12_hour) {
    Rig r;
    rig_init(&r, RTC_DEFAULT_EPOCH + 13 * 3600 + 7);
    cmos_set(&r, RTC_REG_B, RTC_B_BINARY);
    ck_assert_uint_eq(cmos(&r, RTC_HOURS), 0x81); /* 1 PM */
    ck_assert_uint_eq(cmos(&r, RTC_SECONDS), 7);
    ck_assert_uint_eq(cmos(&r, RTC_YEAR), 24);
    cmos_set(&r, RTC_REG_B, 0);
    ck_assert_uint_eq(cmos(&r, RTC_HOURS), 0x81);
    at_seconds(&r, 11 * 3600, 0); /* midnight: 12 AM */
    ck_assert_uint_eq(cmos(&r, RTC_HOURS), 0x12);
}
END_TEST

/* Leap years and the day of week across centuries. */
START_TEST(test_rtc_calendar) {
    static const RtcDate dates[] = {
        {1970, 1, 1, 0, 0, 0, 5},   {2000, 2, 29, 12, 0, 0, 3}, {2024, 2, 29, 23, 59, 59, 5},
        {2099, 12, 31, 0, 0, 0, 5}, {2100, 3, 1, 0, 0, 0, 2},
    };
    for (unsigned i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        RtcDate d = dev_rtc_date(dev_rtc_seconds(&dates[i]));
        ck_assert_uint_eq(d.year, dates[i].year);
        ck_assert_uint_eq(d.month, dates[i].month);
        ck_assert_uint_eq(d.day, dates[i].day);
        ck_assert_uint_eq(d.second, dates[i].second);
        ck_assert_uint_eq(d.weekday, dates[i].weekday);
    }
    ck_assert_uint_eq(dev_rtc_seconds(&dates[2]), 1709251199);
}
END_TEST

START_TEST(test_rtc_uip_before_update) {
    Rig r;
    rig_init(&r, RTC_DEFAULT_EPOCH);
    at_seconds(&r, 4, DEV_CPU_HZ - DEV_CPU_HZ / 1000000 * 245);
    ck_assert_uint_eq(cmos(&r, RTC_REG_A) & RTC_A_UIP, 0);
    at_seconds(&r, 4, DEV_CPU_HZ - DEV_CPU_HZ / 1000000 * 244);
    ck_assert_uint_eq(cmos(&r, RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
    at_seconds(&r, 5, 0);
    ck_assert_uint_eq(cmos(&r, RTC_REG_A) & RTC_A_UIP, 0);
}
END_TEST

/* SET stops the clock; the registers written then are the time it
 * restarts from when SET is cleared. */
START_TEST(test_rtc_set_time) {
    Rig r;
    rig_init(&r, RTC_DEFAULT_EPOCH);
    at_seconds(&r, 10, 0);
    cmos_set(&r, RTC_REG_B, RTC_B_SET | RTC_B_24H | RTC_B_UIE);
    ck_assert_uint_eq(cmos(&r, RTC_REG_B), RTC_B_SET | RTC_B_24H); /* UIE cleared */
    cmos_set(&r, RTC_HOURS, 0x23), cmos_set(&r, RTC_MINUTES, 0x59), cmos_set(&r, RTC_SECONDS, 0x58);
    cmos_set(&r, RTC_DAY_OF_MONTH, 0x31), cmos_set(&r, RTC_MONTH, 0x12),
        cmos_set(&r, RTC_YEAR, 0x99);
    cmos_set(&r, RTC_CENTURY, 0x20);
    at_seconds(&r, 100, 0);
    ck_assert_uint_eq(cmos(&r, RTC_SECONDS), 0x58); /* stopped */
    cmos_set(&r, RTC_REG_B, RTC_B_24H);
    at_seconds(&r, 102, 0);
    ck_assert_uint_eq(cmos(&r, RTC_YEAR), 0x00);
    ck_assert_uint_eq(cmos(&r, RTC_CENTURY), 0x21);
    ck_assert_uint_eq(cmos(&r, RTC_MONTH), 0x01);
    ck_assert_uint_eq(cmos(&r, RTC_SECONDS), 0x00);
}
END_TEST

START_TEST(test_rtc_periodic_interrupt) {
    Rig r;
    rig_init(&r, RTC_DEFAULT_EPOCH);
    ck_assert_uint_eq(dev_rtc_next_event(&r.rtc), DEV_NO_EVENT);
    cmos_set(&r, RTC_REG_B, RTC_B_24H | RTC_B_PIE); /* 1024 Hz: 32 ticks of 32.768 kHz */
    ck_assert(r.signals.pending & SIGNAL_CLOCK);
    uint64_t due = dev_clock_cycle_of_tick(32, 32768);
    ck_assert_uint_eq(dev_rtc_next_event(&r.rtc), due);
    r.now = due - 1;
    dev_rtc_advance(&r.rtc);
    ck_assert(!r.irq);
    r.now = due;
    dev_rtc_advance(&r.rtc);
    ck_assert(r.irq);
    ck_assert_uint_eq(dev_rtc_next_event(&r.rtc), DEV_NO_EVENT); /* until C is read */
    ck_assert_uint_eq(cmos(&r, RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
    ck_assert(!r.irq);
    ck_assert_uint_eq(cmos(&r, RTC_REG_C), 0);
    ck_assert_uint_eq(dev_rtc_next_event(&r.rtc), dev_clock_cycle_of_tick(64, 32768));
}
END_TEST

START_TEST(test_rtc_update_and_alarm_interrupts) {
    Rig r;
    rig_init(&r, RTC_DEFAULT_EPOCH);
    at_seconds(&r, 0, 5);
    cmos_set(&r, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    ck_assert_uint_eq(dev_rtc_next_event(&r.rtc), DEV_CPU_HZ);
    at_seconds(&r, 1, 0);
    dev_rtc_advance(&r.rtc);
    ck_assert(r.irq);
    ck_assert_uint_eq(cmos(&r, RTC_REG_C), RTC_C_IRQF | RTC_C_UF | RTC_C_PF);
    cmos_set(&r, RTC_SECONDS_ALARM, 0x05);
    cmos_set(&r, RTC_MINUTES_ALARM, 0xc0);
    cmos_set(&r, RTC_HOURS_ALARM, 0xff);
    cmos_set(&r, RTC_REG_B, RTC_B_24H | RTC_B_AIE);
    ck_assert_uint_eq(dev_rtc_next_event(&r.rtc), 5 * DEV_CPU_HZ);
    at_seconds(&r, 5, 0);
    dev_rtc_advance(&r.rtc);
    ck_assert(r.irq);
    ck_assert(cmos(&r, RTC_REG_C) & RTC_C_AF);
    ck_assert_uint_eq(dev_rtc_next_event(&r.rtc), 65 * DEV_CPU_HZ);
}
END_TEST

START_TEST(test_rtc_cmos_ram_and_index_port) {
    Rig r;
    rig_init(&r, RTC_DEFAULT_EPOCH);
    cmos_set(&r, 0x40, 0x5a);
    ck_assert_uint_eq(cmos(&r, 0x40), 0x5a);
    dev_io_write(&r.bus, RTC_INDEX_PORT, 1, 0x80 | 0x40); /* NMI masked, register 40H */
    ck_assert(r.rtc.nmi_masked);
    ck_assert_uint_eq(dev_io_read(&r.bus, RTC_DATA_PORT, 1), 0x5a);
    ck_assert_uint_eq(dev_io_read(&r.bus, RTC_INDEX_PORT, 1), 0xff);
    cmos_set(&r, RTC_REG_D, 0);
    ck_assert_uint_eq(cmos(&r, RTC_REG_D), RTC_D_VRT);
}
END_TEST

static Suite *rtc_suite(void) {
    Suite *s = suite_create("rtc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_rtc_epoch_in_bcd);
    tcase_add_test(tc, test_rtc_binary_and_12_hour);
    tcase_add_test(tc, test_rtc_calendar);
    tcase_add_test(tc, test_rtc_uip_before_update);
    tcase_add_test(tc, test_rtc_set_time);
    tcase_add_test(tc, test_rtc_periodic_interrupt);
    tcase_add_test(tc, test_rtc_update_and_alarm_interrupts);
    tcase_add_test(tc, test_rtc_cmos_ram_and_index_port);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(rtc_suite)
