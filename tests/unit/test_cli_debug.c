/* The debugging options of the `vmxsim` command (sim/cli.c, docs/debugger.md). */
#include <check.h>

#include "check_main.h"
#include "sim/cli.h"

static bool parse(int argc, char **argv, CliOptions *o, char *err) {
    return cli_parse(argc, argv, o, err, 256);
}

START_TEST(test_cli_debug_command_takes_run_options_and_commands) {
    static CliOptions o;
    char err[256];
    char *argv[] = {"vmxsim",     "debug", "hv.elf",  "--mem", "64M",
                    "--commands", "s.cmd", "--trace", "vmx",   "--trace-json=t.json"};
    ck_assert(parse(10, argv, &o, err));
    ck_assert_int_eq(o.command, CLI_DEBUG);
    ck_assert_str_eq(o.boot.image_path, "hv.elf");
    ck_assert_str_eq(o.commands, "s.cmd");
    ck_assert(o.trace_vmx);
    ck_assert_str_eq(o.trace_json, "t.json");
}
END_TEST

START_TEST(test_cli_gdb_port_parsed) {
    static CliOptions o;
    char err[256];
    char *argv[] = {"vmxsim", "run", "hv.elf", "--gdb", ":1234", "--gdb-listen", "0.0.0.0"};
    ck_assert(parse(7, argv, &o, err));
    ck_assert(o.gdb);
    ck_assert_uint_eq(o.gdb_port, 1234);
    ck_assert_str_eq(o.gdb_listen, "0.0.0.0");
}
END_TEST

/* Each of these is a usage error with a one-line message. */
static char *const bad[][6] = {
    {"vmxsim", "run", "hv.elf", "--gdb", ":65536", NULL},
    {"vmxsim", "run", "hv.elf", "--gdb", "port", NULL},
    {"vmxsim", "run", "hv.elf", "--trace", "all", NULL},
    {"vmxsim", "run", "hv.elf", "--commands", "s.cmd", NULL},
    {"vmxsim", "debug", "hv.elf", "--gdb", ":1", NULL},
    {"vmxsim", "run", "hv.elf", "--gdb-listen", "0.0.0.0", NULL},
    {"vmxsim", "run", "hv.elf", "--trace-file", "t.txt", NULL},
    {"vmxsim", "debug", "--commands", "s.cmd", NULL, NULL},
};

START_TEST(test_cli_debug_bad_options_refused) {
    static CliOptions o;
    char err[256] = "";
    int argc = 0;
    while (argc < 6 && bad[_i][argc])
        argc++;
    ck_assert(!parse(argc, (char **)bad[_i], &o, err));
    ck_assert(err[0] != '\0');
}
END_TEST

static Suite *cli_debug_suite(void) {
    Suite *s = suite_create("cli_debug");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cli_debug_command_takes_run_options_and_commands);
    tcase_add_test(tc, test_cli_gdb_port_parsed);
    tcase_add_loop_test(tc, test_cli_debug_bad_options_refused, 0, sizeof(bad) / sizeof(bad[0]));
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(cli_debug_suite)
