/* Unit tests for the debug-exit port (sim/devices/debug_exit.c). */
#include "check_main.h"
#include <limits.h>
#include <stdlib.h>

#include "sim/devices/debug_exit.h"
#include "sim/sim.h"
#include "vmxsim/boot_info.h"

typedef struct Machine {
    IoBus bus;
    Signals signals;
    DebugExit dev;
} Machine;

static void machine_setup(Machine *m) {
    dev_io_bus_init(&m->bus);
    m->signals = (Signals){.pending = 0, .exit_code = -12345};
    ck_assert(dev_debug_exit_attach(&m->dev, &m->bus, VMXSIM_DEBUG_EXIT_PORT, &m->signals));
}

START_TEST(test_debug_exit_no_write_no_stop) {
    Machine m;
    machine_setup(&m);
    ck_assert_uint_eq(m.signals.pending, 0);
    ck_assert_int_eq(m.signals.exit_code, -12345);
}
END_TEST

START_TEST(test_debug_exit_value0_code1) {
    Machine m;
    machine_setup(&m);
    dev_io_write(&m.bus, VMXSIM_DEBUG_EXIT_PORT, 1, 0);
    ck_assert_uint_eq(m.signals.pending, SIGNAL_STOP);
    ck_assert_int_eq(m.signals.exit_code, 1);
}
END_TEST

START_TEST(test_debug_exit_value3_code7) {
    Machine m;
    machine_setup(&m);
    dev_io_write(&m.bus, VMXSIM_DEBUG_EXIT_PORT, 1, 3);
    ck_assert(m.signals.pending & SIGNAL_STOP);
    ck_assert_int_eq(m.signals.exit_code, 7);
}
END_TEST

/* Every size, at every claimed port, ends the run with the full value. */
typedef struct ExitWrite {
    uint16_t port;
    unsigned size;
    uint32_t value;
    int code;
} ExitWrite;

static const ExitWrite writes[] = {
    {0xf4, 4, 0x12345678u, 0x2468acf1},
    {0xf4, 2, 0x1234u, 0x2469},
    {0xf5, 1, 0x21u, 0x43},
    {0xf6, 2, 0x100u, 0x201},
    {0xf7, 1, 0x7fu, 0xff},
    {0xf4, 4, 0x3fffffffu, 0x7fffffff},
};

START_TEST(test_debug_exit_write_any_size_stops_with_code) {
    Machine m;
    machine_setup(&m);
    const ExitWrite *w = &writes[_i];
    dev_io_write(&m.bus, w->port, w->size, w->value);
    ck_assert_uint_eq(m.signals.pending, SIGNAL_STOP);
    ck_assert_int_eq(m.signals.exit_code, w->code);
}
END_TEST

START_TEST(test_debug_exit_large_value_code_keeps_low_32_bits) {
    ck_assert_int_eq(dev_debug_exit_code(0xffffffffu), -1);
    ck_assert_int_eq(dev_debug_exit_code(0x40000000u), INT_MIN + 1);
    ck_assert_int_eq(dev_debug_exit_code(0x80000000u), 1);
}
END_TEST

START_TEST(test_debug_exit_other_signals_kept) {
    Machine m;
    machine_setup(&m);
    m.signals.pending = SIGNAL_INTR;
    dev_io_write(&m.bus, VMXSIM_DEBUG_EXIT_PORT, 4, 2);
    ck_assert_uint_eq(m.signals.pending, SIGNAL_INTR | SIGNAL_STOP);
    ck_assert_int_eq(m.signals.exit_code, 5);
}
END_TEST

START_TEST(test_debug_exit_read_all_ones_no_stop) {
    Machine m;
    machine_setup(&m);
    ck_assert_uint_eq(dev_io_read(&m.bus, 0xf4, 1), 0xffu);
    ck_assert_uint_eq(dev_io_read(&m.bus, 0xf4, 2), 0xffffu);
    ck_assert_uint_eq(dev_io_read(&m.bus, 0xf4, 4), 0xffffffffu);
    ck_assert_uint_eq(dev_io_read(&m.bus, 0xf7, 1), 0xffu);
    ck_assert_uint_eq(m.signals.pending, 0);
}
END_TEST

START_TEST(test_debug_exit_neighbour_port_write_no_stop) {
    Machine m;
    machine_setup(&m);
    dev_io_write(&m.bus, 0xf3, 1, 0);
    dev_io_write(&m.bus, 0xf8, 4, 0);
    ck_assert_uint_eq(m.signals.pending, 0);
    ck_assert_int_eq(m.signals.exit_code, -12345);
}
END_TEST

START_TEST(test_debug_exit_attach_claims_four_ports) {
    Machine m;
    machine_setup(&m);
    ck_assert(!dev_io_bus_claim(&m.bus, 0xf7, 0xf7, NULL, NULL, NULL));
    ck_assert(!dev_io_bus_claim(&m.bus, 0xf0, 0xf4, NULL, NULL, NULL));
    ck_assert(dev_io_bus_claim(&m.bus, 0xf8, 0xf8, NULL, NULL, NULL));
    ck_assert(dev_io_bus_claim(&m.bus, 0xf3, 0xf3, NULL, NULL, NULL));
}
END_TEST

START_TEST(test_debug_exit_attach_overlap_rejected) {
    Machine m;
    DebugExit second;
    machine_setup(&m);
    ck_assert(!dev_debug_exit_attach(&second, &m.bus, 0xf6, &m.signals));
    ck_assert(!dev_debug_exit_attach(&second, &m.bus, 0xfffd, &m.signals));
    ck_assert(dev_debug_exit_attach(&second, &m.bus, 0xfffc, &m.signals));
}
END_TEST

static Suite *debug_exit_suite(void) {
    Suite *s = suite_create("debug_exit");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_debug_exit_no_write_no_stop);
    tcase_add_test(tc, test_debug_exit_value0_code1);
    tcase_add_test(tc, test_debug_exit_value3_code7);
    tcase_add_loop_test(tc, test_debug_exit_write_any_size_stops_with_code, 0,
                        (int)SIM_ARRAY_SIZE(writes));
    tcase_add_test(tc, test_debug_exit_large_value_code_keeps_low_32_bits);
    tcase_add_test(tc, test_debug_exit_other_signals_kept);
    tcase_add_test(tc, test_debug_exit_read_all_ones_no_stop);
    tcase_add_test(tc, test_debug_exit_neighbour_port_write_no_stop);
    tcase_add_test(tc, test_debug_exit_attach_claims_four_ports);
    tcase_add_test(tc, test_debug_exit_attach_overlap_rejected);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(debug_exit_suite)
