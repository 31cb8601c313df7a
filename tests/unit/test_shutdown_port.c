/* Unit tests for the "Shutdown" string port (sim/devices/shutdown_port.c). */
#include "check_main.h"

#include "sim/devices/shutdown_port.h"

typedef struct Rig {
    IoBus bus;
    Signals signals;
    ShutdownPort dev;
} Rig;

static void rig_init(Rig *r) {
    dev_io_bus_init(&r->bus);
    r->signals = (Signals){.exit_code = -1};
    ck_assert(dev_shutdown_port_attach(&r->dev, &r->bus, &r->signals));
}

static void write_str(Rig *r, const char *s) {
    while (*s)
        dev_io_write(&r->bus, SHUTDOWN_PORT, 1, (uint8_t)*s++);
}

START_TEST(test_shutdown_word_stops_with_code_0) {
    Rig r;
    rig_init(&r);
    write_str(&r, "Shutdow");
    ck_assert_uint_eq(r.signals.pending, 0);
    write_str(&r, "n");
    ck_assert_uint_eq(r.signals.pending, SIGNAL_STOP);
    ck_assert_int_eq(r.signals.exit_code, 0);
}
END_TEST

START_TEST(test_shutdown_wrong_byte_restarts) {
    Rig r;
    rig_init(&r);
    write_str(&r, "ShutXdown");
    ck_assert_uint_eq(r.signals.pending, 0);
    write_str(&r, "ShuShutdown");
    ck_assert_uint_eq(r.signals.pending, SIGNAL_STOP);
    ck_assert_uint_eq(dev_io_read(&r.bus, SHUTDOWN_PORT, 1), 0xff);
}
END_TEST

static Suite *shutdown_suite(void) {
    Suite *s = suite_create("shutdown_port");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_shutdown_word_stops_with_code_0);
    tcase_add_test(tc, test_shutdown_wrong_byte_restarts);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(shutdown_suite)
