/* Command-line parsing of `vmxsim run` (docs/usage.md). */
#include "check_main.h"

#include "sim/cli.h"

static bool parse(CliOptions *o, char *err, int argc, char **argv)
{
    return cli_parse(argc, argv, o, err, 256);
}

START_TEST(test_cli_size_suffixes_parse)
{
    uint64_t v;
    ck_assert(cli_parse_size("256M", &v) && v == (UINT64_C(256) << 20));
    ck_assert(cli_parse_size("1G", &v) && v == (UINT64_C(1) << 30));
    ck_assert(cli_parse_size("64KiB", &v) && v == 65536);
    ck_assert(cli_parse_size("4096", &v) && v == 4096);
}
END_TEST

START_TEST(test_cli_bad_sizes_rejected)
{
    uint64_t v;
    ck_assert(!cli_parse_size("", &v));
    ck_assert(!cli_parse_size("-1M", &v));
    ck_assert(!cli_parse_size("12X", &v));
    ck_assert(!cli_parse_size("M", &v));
    ck_assert(!cli_parse_size("99999999999999999999G", &v));
    ck_assert(!cli_parse_size("17179869184G", &v)); /* overflows 64 bits when scaled */
}
END_TEST

START_TEST(test_cli_run_options_parse)
{
    CliOptions o;
    char err[256];
    char *argv[] = {"vmxsim", "run", "img.elf", "--mem", "64M", "--append", "a b", "--module",
                    "m.bin,x=1", "--initrd", "rd.img", "--serial=none", "--max-insns",
                    "1000", "--timeout", "2.5", "--stats", "--cpu-model", "base"};
    ck_assert_msg(parse(&o, err, 19, argv), "%s", err);
    ck_assert_int_eq(o.command, CLI_RUN);
    ck_assert_str_eq(o.boot.image_path, "img.elf");
    ck_assert_uint_eq(o.mem_size, UINT64_C(64) << 20);
    ck_assert_str_eq(o.boot.append, "a b");
    ck_assert_uint_eq(o.boot.module_count, 2);
    ck_assert_str_eq(o.boot.modules[0].path, "m.bin");
    ck_assert_str_eq(o.boot.modules[0].args, "x=1");
    ck_assert_str_eq(o.boot.modules[1].path, "rd.img");
    ck_assert_ptr_null(o.boot.modules[1].args);
    ck_assert_int_eq(o.serial, SERIAL_NONE);
    ck_assert_uint_eq(o.max_insns, 1000);
    ck_assert(o.timeout == 2.5);
    ck_assert(o.stats);
    ck_assert_str_eq(o.cpu_model, "base");
}
END_TEST

START_TEST(test_cli_defaults_without_options)
{
    CliOptions o;
    char err[256];
    char *argv[] = {"vmxsim", "run", "img.elf"};
    ck_assert(parse(&o, err, 3, argv));
    ck_assert_uint_eq(o.mem_size, UINT64_C(256) << 20);
    ck_assert_int_eq(o.serial, SERIAL_STDIO);
    ck_assert_uint_eq(o.max_insns, 0);
    ck_assert(!o.stats);
}
END_TEST

/* --firmware FILE makes IMAGE optional; both together are allowed too. */
START_TEST(test_cli_firmware_without_image_parses)
{
    CliOptions o;
    char err[256];
    char *argv[] = {"vmxsim", "run", "--firmware", "rom.bin", "--mem", "16M"};
    ck_assert_msg(parse(&o, err, 6, argv), "%s", err);
    ck_assert_str_eq(o.firmware, "rom.bin");
    ck_assert_ptr_null(o.boot.image_path);
    ck_assert_uint_eq(o.mem_size, UINT64_C(16) << 20);
}
END_TEST

START_TEST(test_cli_firmware_with_image_parses)
{
    CliOptions o;
    char err[256];
    char *argv[] = {"vmxsim", "run", "img.elf", "--firmware=rom.bin"};
    ck_assert_msg(parse(&o, err, 4, argv), "%s", err);
    ck_assert_str_eq(o.firmware, "rom.bin");
    ck_assert_str_eq(o.boot.image_path, "img.elf");
}
END_TEST

START_TEST(test_cli_no_firmware_by_default)
{
    CliOptions o;
    char err[256];
    char *argv[] = {"vmxsim", "run", "img.elf"};
    ck_assert(parse(&o, err, 3, argv));
    ck_assert_ptr_null(o.firmware);
}
END_TEST

/* Each bad command line fails with a one-line message naming the problem. */
static const struct {
    int argc;
    const char *argv[6];
    const char *mentions;
} bad_lines[] = {
    {1, {"vmxsim"}, "no command"},
    {2, {"vmxsim", "launch"}, "unknown command"},
    {2, {"vmxsim", "run"}, "IMAGE"},
    {4, {"vmxsim", "run", "a.elf", "--bogus"}, "--bogus"},
    {4, {"vmxsim", "run", "a.elf", "b.elf"}, "more than one image"},
    {4, {"vmxsim", "run", "a.elf", "--mem"}, "needs a value"},
    {5, {"vmxsim", "run", "a.elf", "--mem", "1K"}, "--mem"},
    {5, {"vmxsim", "run", "a.elf", "--mem", "100G"}, "--mem"},
    {5, {"vmxsim", "run", "a.elf", "--serial", "tty"}, "--serial"},
    {5, {"vmxsim", "run", "a.elf", "--serial", "file:"}, "--serial"},
    {5, {"vmxsim", "run", "a.elf", "--max-insns", "0"}, "--max-insns"},
    {5, {"vmxsim", "run", "a.elf", "--max-insns", "12abc"}, "--max-insns"},
    {5, {"vmxsim", "run", "a.elf", "--timeout", "-1"}, "--timeout"},
    {5, {"vmxsim", "run", "a.elf", "--module", ",args"}, "--module"},
    {4, {"vmxsim", "run", "a.elf", "--stats=1"}, "--stats=1"},
    {3, {"vmxsim", "run", "--firmware"}, "needs a value"},
    {3, {"vmxsim", "run", "--firmware="}, "--firmware"},
    {4, {"vmxsim", "run", "--mem", "64M"}, "--firmware FILE"},
};

START_TEST(test_cli_bad_usage_rejected_with_message)
{
    CliOptions o;
    char err[256] = "";
    ck_assert(!parse(&o, err, bad_lines[_i].argc, (char **)bad_lines[_i].argv));
    ck_assert_msg(strstr(err, bad_lines[_i].mentions) != NULL, "'%s' lacks '%s'", err,
                  bad_lines[_i].mentions);
    ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_cli_too_many_modules_rejected)
{
    CliOptions o;
    char err[256];
    char *argv[3 + 2 * (VMXSIM_BOOT_MAX_MODULES + 1)];
    int n = 0;
    argv[n++] = "vmxsim";
    argv[n++] = "run";
    argv[n++] = "a.elf";
    for (unsigned i = 0; i <= VMXSIM_BOOT_MAX_MODULES; i++) {
        argv[n++] = "--module";
        argv[n++] = "m.bin";
    }
    ck_assert(!parse(&o, err, n, argv));
    ck_assert(strstr(err, "too many modules") != NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_cli_size_suffixes_parse);
    tcase_add_test(tc, test_cli_bad_sizes_rejected);
    tcase_add_test(tc, test_cli_run_options_parse);
    tcase_add_test(tc, test_cli_defaults_without_options);
    tcase_add_test(tc, test_cli_firmware_without_image_parses);
    tcase_add_test(tc, test_cli_firmware_with_image_parses);
    tcase_add_test(tc, test_cli_no_firmware_by_default);
    tcase_add_loop_test(tc, test_cli_bad_usage_rejected_with_message, 0,
                        (int)(sizeof(bad_lines) / sizeof(bad_lines[0])));
    tcase_add_test(tc, test_cli_too_many_modules_rejected);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(suite)
