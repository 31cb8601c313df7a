/* Command-line parsing for the `vmxsim` command (docs/usage.md). */
#ifndef VMXSIM_CLI_H
#define VMXSIM_CLI_H

#include <stdio.h>

#include "sim/boot/boot.h"

/* Exit statuses of the command (README "Exit status").  Guest exits through
 * the debug-exit port are odd, (value << 1) | 1; vmxsim's own are even. */
enum {
    EXIT_OK = 0,
    EXIT_USAGE = 2,
    EXIT_BAD_IMAGE = 4,
    EXIT_TRIPLE_FAULT = 6,
    EXIT_INSN_LIMIT = 8,
    EXIT_TIMEOUT = 10,
    EXIT_HALTED = 12,
    EXIT_HOST_ERROR = 14,
};

typedef enum CliCommand { CLI_RUN, CLI_DEBUG, CLI_HELP, CLI_VERSION, CLI_LIST_CPU_MODELS } CliCommand;
typedef enum SerialSink { SERIAL_STDIO, SERIAL_FILE, SERIAL_NONE } SerialSink;

typedef struct CliOptions {
    CliCommand command;
    BootConfig boot;      /* boot.image_path is NULL when only --firmware is given */
    const char *firmware; /* --firmware FILE: RESET start from this ROM, or NULL */
    uint64_t mem_size;
    SerialSink serial;
    const char *serial_path;
    uint64_t max_insns;   /* 0: no limit */
    double timeout;       /* seconds; 0: no limit */
    bool stats;
    const char *cpu_model;
    /* Debugging (docs/debugger.md) */
    bool trace_vmx;         /* --trace vmx */
    const char *trace_file; /* --trace-file FILE: trace lines here, not on stderr */
    const char *trace_json; /* --trace-json FILE */
    const char *commands;   /* debug --commands FILE */
    bool gdb;               /* run --gdb [:]PORT */
    unsigned gdb_port;
    const char *gdb_listen; /* --gdb-listen ADDR; NULL: loopback */
    char module_storage[VMXSIM_BOOT_MAX_MODULES][512]; /* FILE and ARGS split at the comma */
} CliOptions;

/* Parse argv; on error returns false with a one-line message in err. */
bool cli_parse(int argc, char **argv, CliOptions *o, char *err, size_t errlen) SIM_MUST_CHECK;
/* "256M", "1G", "65536", "512K" (binary units). */
bool cli_parse_size(const char *s, uint64_t *out) SIM_MUST_CHECK;
void cli_print_usage(FILE *f);

#endif
