/* Command-line parsing for the `vmxsim` command. */
#include "sim/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MEM (UINT64_C(256) << 20)
#define MIN_MEM (UINT64_C(2) << 20)
#define MAX_MEM (UINT64_C(64) << 30)

bool cli_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return false;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (shift && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
        end += strlen(end);
    if (*end != '\0' || v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return false;
    *out = v;
    return true;
}

static bool parse_module(CliOptions *o, const char *arg, char *err, size_t errlen)
{
    BootConfig *b = &o->boot;
    if (b->module_count == VMXSIM_BOOT_MAX_MODULES) {
        snprintf(err, errlen, "too many modules (at most %u)", VMXSIM_BOOT_MAX_MODULES);
        return false;
    }
    char *store = o->module_storage[b->module_count];
    if (strlen(arg) >= sizeof(o->module_storage[0]) || arg[0] == '\0' || arg[0] == ',') {
        snprintf(err, errlen, "bad --module '%s': expected FILE[,ARGS]", arg);
        return false;
    }
    strcpy(store, arg);
    char *comma = strchr(store, ',');
    if (comma)
        *comma = '\0';
    b->modules[b->module_count++] = (BootModule){store, comma ? comma + 1 : NULL};
    return true;
}

static bool parse_serial(CliOptions *o, const char *v, char *err, size_t errlen)
{
    if (strcmp(v, "stdio") == 0)
        o->serial = SERIAL_STDIO;
    else if (strcmp(v, "none") == 0)
        o->serial = SERIAL_NONE;
    else if (strncmp(v, "file:", 5) == 0 && v[5] != '\0') {
        o->serial = SERIAL_FILE;
        o->serial_path = v + 5;
    } else {
        snprintf(err, errlen, "bad --serial '%s': expected stdio, file:PATH or none", v);
        return false;
    }
    return true;
}

static bool parse_mem(CliOptions *o, const char *v, char *err, size_t errlen)
{
    if (!cli_parse_size(v, &o->mem_size) || o->mem_size < MIN_MEM || o->mem_size > MAX_MEM) {
        snprintf(err, errlen, "bad --mem '%s': expected a size from 2M to 64G, e.g. 256M", v);
        return false;
    }
    return true;
}

static bool parse_timeout(CliOptions *o, const char *v, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    o->timeout = strtod(v, &end);
    if (errno || end == v || *end || !(o->timeout > 0) || o->timeout > 1e9) {
        snprintf(err, errlen, "bad --timeout '%s': expected a positive number of seconds", v);
        return false;
    }
    return true;
}

/* --gdb [:]PORT */
static bool parse_gdb(CliOptions *o, const char *v, char *err, size_t errlen)
{
    uint64_t port;
    if (!parse_u64(v[0] == ':' ? v + 1 : v, &port) || port > 65535) {
        snprintf(err, errlen, "bad --gdb '%s': expected :PORT (0 to 65535; 0 picks a free port)", v);
        return false;
    }
    o->gdb = true;
    o->gdb_port = (unsigned)port;
    return true;
}

/* Options of the debugger and the traces (docs/debugger.md); false with
 * err empty when opt is none of them. */
static bool parse_debug_option(CliOptions *o, const char *opt, const char *v, char *err, size_t errlen)
{
    if (strcmp(opt, "--trace") == 0) {
        o->trace_vmx = strcmp(v, "vmx") == 0;
        if (o->trace_vmx)
            return true;
        snprintf(err, errlen, "bad --trace '%s': expected vmx", v);
    } else if (strcmp(opt, "--trace-file") == 0) {
        o->trace_file = v;
        return true;
    } else if (strcmp(opt, "--trace-json") == 0) {
        o->trace_json = v;
        return true;
    } else if (strcmp(opt, "--commands") == 0) {
        o->commands = v;
        return true;
    } else if (strcmp(opt, "--gdb") == 0) {
        return parse_gdb(o, v, err, errlen);
    } else if (strcmp(opt, "--gdb-listen") == 0) {
        o->gdb_listen = v;
        return true;
    }
    return false;
}

/* One option that takes a value; false with err set on a bad value. */
static bool parse_valued(CliOptions *o, const char *opt, const char *v, char *err, size_t errlen)
{
    err[0] = '\0';
    if (parse_debug_option(o, opt, v, err, errlen))
        return true;
    if (err[0])
        return false;
    if (strcmp(opt, "--mem") == 0)
        return parse_mem(o, v, err, errlen);
    if (strcmp(opt, "--append") == 0) {
        o->boot.append = v;
        return true;
    }
    if (strcmp(opt, "--module") == 0 || strcmp(opt, "--initrd") == 0)
        return parse_module(o, v, err, errlen);
    if (strcmp(opt, "--serial") == 0)
        return parse_serial(o, v, err, errlen);
    if (strcmp(opt, "--max-insns") == 0) {
        if (parse_u64(v, &o->max_insns) && o->max_insns > 0)
            return true;
        snprintf(err, errlen, "bad --max-insns '%s': expected a positive integer", v);
        return false;
    }
    if (strcmp(opt, "--timeout") == 0)
        return parse_timeout(o, v, err, errlen);
    if (strcmp(opt, "--firmware") == 0) {
        o->firmware = v;
        return true;
    }
    o->cpu_model = v; /* --cpu-model */
    return true;
}

static bool takes_value(const char *opt)
{
    static const char *const valued[] = {"--mem", "--append", "--module", "--initrd", "--serial",
                                         "--max-insns", "--timeout", "--cpu-model",
                                         "--firmware", "--trace", "--trace-file", "--trace-json",
                                         "--commands", "--gdb", "--gdb-listen"};
    for (size_t i = 0; i < SIM_ARRAY_SIZE(valued); i++) {
        if (strcmp(opt, valued[i]) == 0)
            return true;
    }
    return false;
}

/* Which command takes which debugging option. */
static bool check_debug_options(const CliOptions *o, char *err, size_t errlen)
{
    const char *bad = o->command == CLI_DEBUG ? (o->gdb ? "--gdb" : o->gdb_listen ? "--gdb-listen" : NULL)
                                              : (o->commands ? "--commands" : NULL);
    if (!bad && o->gdb_listen && !o->gdb)
        bad = "--gdb-listen without --gdb";
    if (!bad && o->trace_file && !o->trace_vmx)
        bad = "--trace-file without --trace vmx";
    if (bad)
        snprintf(err, errlen, "%s is not an option of vmxsim %s (see vmxsim --help)", bad,
                 o->command == CLI_DEBUG ? "debug" : "run");
    return bad == NULL;
}

/* Options of `vmxsim run` and `vmxsim debug`; accepts both "--opt value" and "--opt=value". */
static bool parse_run(int argc, char **argv, CliOptions *o, char *err, size_t errlen)
{
    for (int i = 2; i < argc; i++) {
        char opt[32];
        const char *arg = argv[i], *eq = strchr(arg, '='), *value = NULL;
        size_t n = eq && strncmp(arg, "--", 2) == 0 ? (size_t)(eq - arg) : strlen(arg);
        snprintf(opt, sizeof(opt), "%.*s", (int)(n < sizeof(opt) - 1 ? n : sizeof(opt) - 1), arg);
        if (strcmp(opt, "--stats") == 0 && !eq) {
            o->stats = true;
        } else if (takes_value(opt)) {
            value = eq && n == strlen(opt) ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!value) {
                snprintf(err, errlen, "option %s needs a value", opt);
                return false;
            }
            if (!parse_valued(o, opt, value, err, errlen))
                return false;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            snprintf(err, errlen, "unknown option '%s' (see vmxsim --help)", arg);
            return false;
        } else if (o->boot.image_path) {
            snprintf(err, errlen, "more than one image given ('%s' and '%s')", o->boot.image_path, arg);
            return false;
        } else {
            o->boot.image_path = arg;
        }
    }
    if (!o->boot.image_path && !o->firmware) {
        snprintf(err, errlen, "vmxsim %s needs an IMAGE or --firmware FILE (see vmxsim --help)",
                 o->command == CLI_DEBUG ? "debug" : "run");
        return false;
    }
    if (o->firmware && o->firmware[0] == '\0') {
        snprintf(err, errlen, "bad --firmware '': expected a ROM image file");
        return false;
    }
    return check_debug_options(o, err, errlen);
}

bool cli_parse(int argc, char **argv, CliOptions *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->mem_size = DEFAULT_MEM;
    o->serial = SERIAL_STDIO;
    if (argc < 2) {
        snprintf(err, errlen, "no command given (see vmxsim --help)");
        return false;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        o->command = CLI_HELP;
        return true;
    }
    if (strcmp(cmd, "--version") == 0) {
        o->command = CLI_VERSION;
        return true;
    }
    if (strcmp(cmd, "--list-cpu-models") == 0) {
        o->command = CLI_LIST_CPU_MODELS;
        return true;
    }
    if (strcmp(cmd, "run") != 0 && strcmp(cmd, "debug") != 0) {
        snprintf(err, errlen, "unknown command '%s' (see vmxsim --help)", cmd);
        return false;
    }
    o->command = strcmp(cmd, "run") == 0 ? CLI_RUN : CLI_DEBUG;
    return parse_run(argc, argv, o, err, errlen);
}

void cli_print_usage(FILE *f)
{
    fputs("usage: vmxsim run IMAGE [options]\n"
          "       vmxsim run --firmware FILE [IMAGE] [options]\n"
          "       vmxsim debug IMAGE [options] [--commands FILE]\n"
          "       vmxsim --list-cpu-models | --help | --version\n"
          "\n"
          "options of run:\n"
          "  --mem SIZE             guest RAM, e.g. 256M or 1G (default 256M)\n"
          "  --append CMDLINE       kernel command line\n"
          "  --module FILE[,ARGS]   load a module (repeatable); --initrd FILE is an alias\n"
          "  --serial SINK          COM1 output: stdio (default), file:PATH or none\n"
          "  --max-insns N          stop after N instructions (exit status 8)\n"
          "  --timeout SECONDS      stop after SECONDS of host time (exit status 10)\n"
          "  --cpu-model NAME       CPU model (see --list-cpu-models)\n"
          "  --firmware FILE        map FILE (up to 1M) as ROM ending at 4G, aliased at\n"
          "                         0xE0000, and start from the reset vector; IMAGE optional\n"
          "  --stats                print instructions, cycles, host seconds, MIPS and VM exits\n"
          "  --trace vmx            one line per VM entry, VM-entry failure and VM exit on stderr\n"
          "  --trace-file FILE      write the --trace lines to FILE\n"
          "  --trace-json FILE      the same events in the Chrome trace event format\n"
          "  --gdb :PORT            wait for GDB on 127.0.0.1:PORT (0: any free port)\n"
          "  --gdb-listen ADDR      listen for GDB on ADDR (IPv4) instead of 127.0.0.1\n"
          "\n"
          "vmxsim debug takes the options of run but --gdb, and:\n"
          "  --commands FILE        read debugger commands from FILE (type help in the debugger)\n"
          "\n"
          "exit status: (V << 1) | 1 when the guest writes V to port 0xf4; 2 usage error,\n"
          "4 bad image, 6 triple-fault shutdown, 8 instruction limit, 10 timeout,\n"
          "12 halted with nothing to wake the CPU, 14 host error.\n",
          f);
}
