/* Unit tests for the port-I/O bus (sim/devices/io_bus.c). */
#include "check_main.h"
#include <stdlib.h>

#include "sim/devices/io_bus.h"
#include "sim/sim.h"

/* A fake device that records its last access and answers a fixed value. */
typedef struct FakeDev {
    unsigned reads, writes;
    uint16_t port;
    unsigned size;
    uint32_t value;  /* last written value */
    uint32_t answer; /* value returned by reads */
} FakeDev;

static uint32_t fake_read(void *opaque, uint16_t port, unsigned size) {
    FakeDev *d = opaque;
    d->reads++;
    d->port = port;
    d->size = size;
    return d->answer;
}

static void fake_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    FakeDev *d = opaque;
    d->writes++;
    d->port = port;
    d->size = size;
    d->value = value;
}

static const unsigned access_sizes[3] = {1, 2, 4};
static const uint32_t all_ones[3] = {0xffu, 0xffffu, 0xffffffffu};

START_TEST(test_io_bus_unclaimed_read_all_ones) {
    IoBus bus;
    dev_io_bus_init(&bus);
    ck_assert_uint_eq(dev_io_read(&bus, 0x80, access_sizes[_i]), all_ones[_i]);
    ck_assert_uint_eq(dev_io_read(&bus, 0xffff, access_sizes[_i]), all_ones[_i]);
}
END_TEST

START_TEST(test_io_bus_unclaimed_port_next_to_device_reads_all_ones) {
    IoBus bus;
    FakeDev d = {.answer = 0};
    dev_io_bus_init(&bus);
    ck_assert(dev_io_bus_claim(&bus, 0x60, 0x64, fake_read, fake_write, &d));
    ck_assert_uint_eq(dev_io_read(&bus, 0x5f, access_sizes[_i]), all_ones[_i]);
    ck_assert_uint_eq(dev_io_read(&bus, 0x65, access_sizes[_i]), all_ones[_i]);
    dev_io_write(&bus, 0x65, access_sizes[_i], 0);
    ck_assert_uint_eq(d.reads, 0);
    ck_assert_uint_eq(d.writes, 0);
}
END_TEST

START_TEST(test_io_bus_claimed_read_dispatches_port_and_size) {
    IoBus bus;
    FakeDev d = {.answer = 0x12345678u};
    dev_io_bus_init(&bus);
    ck_assert(dev_io_bus_claim(&bus, 0x60, 0x64, fake_read, fake_write, &d));
    ck_assert_uint_eq(dev_io_read(&bus, 0x60, 1), 0x78u);
    ck_assert_uint_eq(d.port, 0x60);
    ck_assert_uint_eq(d.size, 1);
    ck_assert_uint_eq(dev_io_read(&bus, 0x64, 2), 0x5678u);
    ck_assert_uint_eq(d.port, 0x64);
    ck_assert_uint_eq(d.size, 2);
    ck_assert_uint_eq(dev_io_read(&bus, 0x62, 4), 0x12345678u);
    ck_assert_uint_eq(d.reads, 3);
}
END_TEST

START_TEST(test_io_bus_claimed_write_masks_value_to_size) {
    IoBus bus;
    FakeDev d = {.answer = 0};
    dev_io_bus_init(&bus);
    ck_assert(dev_io_bus_claim(&bus, 0x70, 0x71, fake_read, fake_write, &d));
    dev_io_write(&bus, 0x71, 1, 0xaabbccddu);
    ck_assert_uint_eq(d.value, 0xddu);
    ck_assert_uint_eq(d.port, 0x71);
    dev_io_write(&bus, 0x70, 2, 0xaabbccddu);
    ck_assert_uint_eq(d.value, 0xccddu);
    dev_io_write(&bus, 0x70, 4, 0xaabbccddu);
    ck_assert_uint_eq(d.value, 0xaabbccddu);
    ck_assert_uint_eq(d.size, 4);
    ck_assert_uint_eq(d.writes, 3);
}
END_TEST

START_TEST(test_io_bus_invalid_size_reads_all_ones_and_drops_write) {
    IoBus bus;
    FakeDev d = {.answer = 0};
    dev_io_bus_init(&bus);
    ck_assert(dev_io_bus_claim(&bus, 0x70, 0x77, fake_read, fake_write, &d));
    ck_assert_uint_eq(dev_io_read(&bus, 0x70, 3), 0xffffffffu);
    ck_assert_uint_eq(dev_io_read(&bus, 0x70, 0), 0xffffffffu);
    dev_io_write(&bus, 0x70, 8, 1);
    ck_assert_uint_eq(d.reads, 0);
    ck_assert_uint_eq(d.writes, 0);
}
END_TEST

START_TEST(test_io_bus_null_callbacks_read_all_ones_and_drop_write) {
    IoBus bus;
    dev_io_bus_init(&bus);
    ck_assert(dev_io_bus_claim(&bus, 0x80, 0x80, NULL, NULL, NULL));
    ck_assert_uint_eq(dev_io_read(&bus, 0x80, 2), 0xffffu);
    dev_io_write(&bus, 0x80, 1, 0x12);
    /* The port stays claimed. */
    ck_assert(!dev_io_bus_claim(&bus, 0x80, 0x80, NULL, NULL, NULL));
}
END_TEST

/* Ranges that overlap [0x100, 0x107] in every way, and neighbours that do not. */
static const uint16_t overlapping[][2] = {
    {0x100, 0x107}, {0x0f0, 0x100}, {0x107, 0x110}, {0x102, 0x103}, {0x000, 0xffff},
};
static const uint16_t adjacent[][2] = {{0x0f8, 0x0ff}, {0x108, 0x10f}};

START_TEST(test_io_bus_overlapping_claim_rejected) {
    IoBus bus;
    FakeDev a = {.answer = 0xa}, b = {.answer = 0xb};
    dev_io_bus_init(&bus);
    ck_assert(dev_io_bus_claim(&bus, 0x100, 0x107, fake_read, fake_write, &a));
    ck_assert(
        !dev_io_bus_claim(&bus, overlapping[_i][0], overlapping[_i][1], fake_read, fake_write, &b));
    ck_assert_uint_eq(bus.count, 1);
    ck_assert_uint_eq(dev_io_read(&bus, 0x100, 1), 0xa);
    ck_assert_uint_eq(b.reads, 0);
}
END_TEST

START_TEST(test_io_bus_adjacent_claim_accepted) {
    IoBus bus;
    FakeDev a = {.answer = 0xa}, b = {.answer = 0xb};
    dev_io_bus_init(&bus);
    ck_assert(dev_io_bus_claim(&bus, 0x100, 0x107, fake_read, fake_write, &a));
    ck_assert(dev_io_bus_claim(&bus, adjacent[_i][0], adjacent[_i][1], fake_read, fake_write, &b));
    ck_assert_uint_eq(dev_io_read(&bus, adjacent[_i][0], 1), 0xb);
    ck_assert_uint_eq(dev_io_read(&bus, 0x100, 1), 0xa);
    ck_assert_uint_eq(dev_io_read(&bus, 0x107, 1), 0xa);
}
END_TEST

START_TEST(test_io_bus_inverted_range_rejected) {
    IoBus bus;
    dev_io_bus_init(&bus);
    ck_assert(!dev_io_bus_claim(&bus, 0x201, 0x200, NULL, NULL, NULL));
    ck_assert_uint_eq(bus.count, 0);
    ck_assert(dev_io_bus_claim(&bus, 0x200, 0x200, NULL, NULL, NULL));
}
END_TEST

START_TEST(test_io_bus_full_table_claim_rejected) {
    IoBus bus;
    FakeDev d = {.answer = 0x5a};
    dev_io_bus_init(&bus);
    for (unsigned i = 0; i < IO_BUS_MAX_RANGES; i++)
        ck_assert(dev_io_bus_claim(&bus, (uint16_t)(i * 4), (uint16_t)(i * 4 + 3), fake_read,
                                   fake_write, &d));
    ck_assert(!dev_io_bus_claim(&bus, 0x1000, 0x1003, fake_read, fake_write, &d));
    ck_assert_uint_eq(bus.count, IO_BUS_MAX_RANGES);
    ck_assert_uint_eq(dev_io_read(&bus, 0x1000, 1), 0xffu);
    ck_assert_uint_eq(dev_io_read(&bus, (IO_BUS_MAX_RANGES - 1) * 4 + 3, 1), 0x5au);
}
END_TEST

static Suite *io_bus_suite(void) {
    Suite *s = suite_create("io_bus");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_io_bus_unclaimed_read_all_ones, 0, 3);
    tcase_add_loop_test(tc, test_io_bus_unclaimed_port_next_to_device_reads_all_ones, 0, 3);
    tcase_add_test(tc, test_io_bus_claimed_read_dispatches_port_and_size);
    tcase_add_test(tc, test_io_bus_claimed_write_masks_value_to_size);
    tcase_add_test(tc, test_io_bus_invalid_size_reads_all_ones_and_drops_write);
    tcase_add_test(tc, test_io_bus_null_callbacks_read_all_ones_and_drop_write);
    tcase_add_loop_test(tc, test_io_bus_overlapping_claim_rejected, 0,
                        (int)SIM_ARRAY_SIZE(overlapping));
    tcase_add_loop_test(tc, test_io_bus_adjacent_claim_accepted, 0, (int)SIM_ARRAY_SIZE(adjacent));
    tcase_add_test(tc, test_io_bus_inverted_range_rejected);
    tcase_add_test(tc, test_io_bus_full_table_claim_rejected);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(io_bus_suite)
