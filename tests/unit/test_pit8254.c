/* Unit tests for the 8254 PIT and port 0x61 (sim/devices/pit8254.c) with a
 * virtual clock: the test sets the cycle counter the device reads. */
#include "check_main.h"

#include "sim/devices/dev_clock.h"
#include "sim/devices/pit8254.h"

typedef struct Rig {
    IoBus bus;
    Signals signals;
    Pit pit;
    uint64_t now;
    unsigned edges; /* rising edges seen on IRQ 0 */
    bool level;
} Rig;

static void irq_probe(void *opaque, unsigned irq, bool level) {
    Rig *r = opaque;
    if (level && !r->level) r->edges++;
    r->level = level;
}

static void rig_init(Rig *r) {
    *r = (Rig){.level = true}; /* OUT0 is high at power-on */
    dev_io_bus_init(&r->bus);
    dev_pit_init(&r->pit, &r->now, (IrqLine){irq_probe, r, PIT_IRQ}, &r->signals);
    ck_assert(dev_pit_attach(&r->pit, &r->bus));
}

static void out8(Rig *r, uint16_t port, uint8_t v) {
    dev_io_write(&r->bus, port, 1, v);
}
static uint8_t in8(Rig *r, uint16_t port) {
    return (uint8_t)dev_io_read(&r->bus, port, 1);
}
static void at_tick(Rig *r, uint64_t tick) {
    r->now = dev_clock_cycle_of_tick(tick, DEV_PIT_HZ);
}

/* Counter `ch`, LSB then MSB, `mode`, count n, written at tick t0: the
 * count is in the counting element from tick t0 + 1. */
static void program(Rig *r, unsigned ch, unsigned mode, uint16_t n) {
    out8(r, PIT_CONTROL_PORT, (uint8_t)(ch << 6 | 0x30 | mode << 1));
    out8(r, (uint16_t)(PIT_BASE + ch), (uint8_t)n);
    out8(r, (uint16_t)(PIT_BASE + ch), (uint8_t)(n >> 8));
}

static uint16_t read_latched(Rig *r, unsigned ch) {
    out8(r, PIT_CONTROL_PORT, (uint8_t)(ch << 6)); /* counter latch */
    uint8_t lo = in8(r, (uint16_t)(PIT_BASE + ch));
    return (uint16_t)(lo | in8(r, (uint16_t)(PIT_BASE + ch)) << 8);
}

START_TEST(test_pit_unprogrammed_no_event) {
    Rig r;
    rig_init(&r);
    ck_assert_uint_eq(dev_pit_next_event(&r.pit), DEV_NO_EVENT);
    at_tick(&r, 100000);
    dev_pit_advance(&r.pit);
    ck_assert_uint_eq(r.edges, 0);
}
END_TEST

/* Mode 0: OUT low after the count is written, high N ticks after it is
 * loaded, one IRQ 0 edge; the count keeps going down (wrapping). */
START_TEST(test_pit_mode0_terminal_count) {
    Rig r;
    rig_init(&r);
    at_tick(&r, 10);
    program(&r, 0, 0, 1000);
    ck_assert(r.signals.pending & SIGNAL_CLOCK);
    ck_assert(!dev_pit_out(&r.pit, 0));
    ck_assert_uint_eq(dev_pit_next_event(&r.pit), dev_clock_cycle_of_tick(1011, DEV_PIT_HZ));
    at_tick(&r, 11 + 400);
    ck_assert_uint_eq(read_latched(&r, 0), 600);
    r.now = dev_pit_next_event(&r.pit) - 1;
    dev_pit_advance(&r.pit);
    ck_assert_uint_eq(r.edges, 0);
    r.now++;
    dev_pit_advance(&r.pit);
    ck_assert_uint_eq(r.edges, 1);
    ck_assert(r.level);
    ck_assert_uint_eq(dev_pit_next_event(&r.pit), DEV_NO_EVENT);
    at_tick(&r, 1011 + 5);
    ck_assert_uint_eq(read_latched(&r, 0), 65531);
    dev_pit_advance(&r.pit);
    ck_assert_uint_eq(r.edges, 1);
}
END_TEST

/* Mode 2: an edge every N ticks; periods missed between two advances give
 * one edge; the next event stays on the period grid. */
START_TEST(test_pit_mode2_rate_generator) {
    Rig r;
    rig_init(&r);
    at_tick(&r, 0);
    program(&r, 0, 2, 100);
    ck_assert(dev_pit_out(&r.pit, 0));
    for (unsigned k = 1; k <= 3; k++) {
        ck_assert_uint_eq(dev_pit_next_event(&r.pit),
                          dev_clock_cycle_of_tick(1 + 100 * k, DEV_PIT_HZ));
        r.now = dev_pit_next_event(&r.pit);
        dev_pit_advance(&r.pit);
        ck_assert_uint_eq(r.edges, k);
    }
    at_tick(&r, 1 + 100 * 3 + 99); /* the clock at count 1: OUT low */
    ck_assert(!dev_pit_out(&r.pit, 0));
    at_tick(&r, 1 + 100 * 8 + 50);
    ck_assert_uint_eq(read_latched(&r, 0), 50);
    dev_pit_advance(&r.pit);
    ck_assert_uint_eq(r.edges, 4);
    ck_assert_uint_eq(dev_pit_next_event(&r.pit), dev_clock_cycle_of_tick(1 + 900, DEV_PIT_HZ));
}
END_TEST

/* Mode 3: OUT high for ceil(N/2) ticks, low for floor(N/2). */
START_TEST(test_pit_mode3_square_wave) {
    Rig r;
    rig_init(&r);
    at_tick(&r, 0);
    program(&r, 0, 3, 11);
    at_tick(&r, 1 + 5);
    ck_assert(dev_pit_out(&r.pit, 0));
    at_tick(&r, 1 + 6);
    ck_assert(!dev_pit_out(&r.pit, 0));
    at_tick(&r, 1 + 10);
    ck_assert(!dev_pit_out(&r.pit, 0));
    at_tick(&r, 1 + 11);
    ck_assert(dev_pit_out(&r.pit, 0));
    dev_pit_advance(&r.pit);
    ck_assert_uint_eq(r.edges, 1);
    /* Read-back status: OUT, no null count, RW = 3, mode 3, binary. */
    out8(&r, PIT_CONTROL_PORT, 0xe2);
    ck_assert_uint_eq(in8(&r, PIT_BASE), 0x80 | 0x36);
}
END_TEST

/* Counter 2 counts only while port 0x61 bit 0 (GATE2) is set; its OUT is
 * port 0x61 bit 5: the PC's TSC-calibration loop. */
START_TEST(test_pit_channel2_gate_and_port61) {
    Rig r;
    rig_init(&r);
    at_tick(&r, 0);
    program(&r, 2, 0, 500);
    at_tick(&r, 1000);
    ck_assert_uint_eq(in8(&r, PIT_PORT_B) & PORTB_OUT2, 0); /* GATE2 low: holds */
    ck_assert_uint_eq(read_latched(&r, 2), 500);
    out8(&r, PIT_PORT_B, PORTB_GATE2);
    ck_assert_uint_eq(in8(&r, PIT_PORT_B) & 0x0f, PORTB_GATE2);
    at_tick(&r, 1000 + 499);
    ck_assert_uint_eq(in8(&r, PIT_PORT_B) & PORTB_OUT2, 0);
    at_tick(&r, 1000 + 500);
    ck_assert_uint_eq(in8(&r, PIT_PORT_B) & PORTB_OUT2, PORTB_OUT2);
    ck_assert_uint_eq(dev_pit_next_event(&r.pit), DEV_NO_EVENT); /* counter 2 has no IRQ */
}
END_TEST

/* Mode 2 on counter 2: GATE low stops it with OUT high; a rising edge
 * reloads the count. */
START_TEST(test_pit_mode2_gate_restarts) {
    Rig r;
    rig_init(&r);
    out8(&r, PIT_PORT_B, PORTB_GATE2);
    at_tick(&r, 0);
    program(&r, 2, 2, 1000);
    at_tick(&r, 301);
    ck_assert_uint_eq(read_latched(&r, 2), 700);
    out8(&r, PIT_PORT_B, 0);
    ck_assert(dev_pit_out(&r.pit, 2));
    out8(&r, PIT_PORT_B, PORTB_GATE2);
    at_tick(&r, 301 + 1 + 10);
    ck_assert_uint_eq(read_latched(&r, 2), 990);
}
END_TEST

START_TEST(test_pit_latch_freezes_value) {
    Rig r;
    rig_init(&r);
    at_tick(&r, 0);
    program(&r, 0, 2, 0); /* 0 = 65536 */
    at_tick(&r, 1 + 1000);
    out8(&r, PIT_CONTROL_PORT, 0x00);
    at_tick(&r, 1 + 3000);
    out8(&r, PIT_CONTROL_PORT, 0x00); /* a second latch before the read is ignored */
    uint8_t lo = in8(&r, PIT_BASE), hi = in8(&r, PIT_BASE);
    ck_assert_uint_eq((unsigned)(lo | hi << 8), 65536 - 1000);
    ck_assert_uint_eq(read_latched(&r, 0), 65536 - 3000);
}
END_TEST

START_TEST(test_pit_bcd_count) {
    Rig r;
    rig_init(&r);
    at_tick(&r, 0);
    out8(&r, PIT_CONTROL_PORT, 0x31);                   /* counter 0, LSB/MSB, mode 0, BCD */
    out8(&r, PIT_BASE, 0x00), out8(&r, PIT_BASE, 0x10); /* 1000 */
    at_tick(&r, 1 + 1);
    ck_assert_uint_eq(read_latched(&r, 0), 0x0999);
    ck_assert_uint_eq(dev_pit_next_event(&r.pit), dev_clock_cycle_of_tick(1001, DEV_PIT_HZ));
}
END_TEST

/* Read-back of counter 1 before any count: NULL COUNT set. */
START_TEST(test_pit_read_back_null_count) {
    Rig r;
    rig_init(&r);
    out8(&r, PIT_CONTROL_PORT, 0x74); /* counter 1, LSB/MSB, mode 2 */
    out8(&r, PIT_CONTROL_PORT, 0xe4); /* read-back status of counter 1 */
    ck_assert_uint_eq(in8(&r, PIT_BASE + 1), 0x80 | 0x40 | 0x34);
}
END_TEST

START_TEST(test_pit_refresh_toggle) {
    Rig r;
    rig_init(&r);
    at_tick(&r, 0);
    uint8_t a = in8(&r, PIT_PORT_B) & PORTB_REFRESH;
    at_tick(&r, 18);
    ck_assert_uint_ne(in8(&r, PIT_PORT_B) & PORTB_REFRESH, a);
}
END_TEST

static Suite *pit_suite(void) {
    Suite *s = suite_create("pit8254");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_pit_unprogrammed_no_event);
    tcase_add_test(tc, test_pit_mode0_terminal_count);
    tcase_add_test(tc, test_pit_mode2_rate_generator);
    tcase_add_test(tc, test_pit_mode3_square_wave);
    tcase_add_test(tc, test_pit_channel2_gate_and_port61);
    tcase_add_test(tc, test_pit_mode2_gate_restarts);
    tcase_add_test(tc, test_pit_latch_freezes_value);
    tcase_add_test(tc, test_pit_bcd_count);
    tcase_add_test(tc, test_pit_read_back_null_count);
    tcase_add_test(tc, test_pit_refresh_toggle);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(pit_suite)
