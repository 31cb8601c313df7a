/* The `vmxsim` command: parse options, build the machine, boot, run, report. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim/vmx/vmx.h"
#include "sim/vmx/vmx_tables.h"
#include "sim/boot/firmware.h"
#include "sim/cli.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/flags.h"
#include "sim/debug/console.h"
#include "sim/debug/gdb_stub.h"
#include "sim/machine.h"

#define RUN_CHUNK 1000000u /* instructions between host-time checks */

static void serial_to_file(void *opaque, uint8_t byte) { fputc(byte, (FILE *)opaque); }

static double host_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void list_cpu_models(void)
{
    for (unsigned i = 0; i < cpu_model_count(); i++)
        printf("%-12s %s\n", cpu_model_at(i)->name, cpu_model_at(i)->description);
}

static void report_shutdown(const CpuState *cpu)
{
    fprintf(stderr,
            "vmxsim: triple fault: cpu%u shut down at rip 0x%" PRIx64 " (last exception vector %u"
            ", error 0x%x, cr0 0x%" PRIx64 ", cr2 0x%" PRIx64 ", cr3 0x%" PRIx64 ", rsp 0x%" PRIx64
            ", rflags 0x%" PRIx64 ", cs 0x%x)\n",
            cpu->id, cpu->RIP, cpu->fault.vector, cpu->fault.error, cpu->cr0, cpu->cr2, cpu->cr3,
            cpu->gpr[GPR_RSP], cpu_get_rflags(cpu), cpu->seg[SEG_CS].selector);
}

/* One line: the count of each basic exit reason that occurred, by SDM name. */
static void report_exit_reasons(const CpuState *c)
{
    bool any = false;
    for (unsigned r = 0; r < VMX_EXIT_REASONS; r++) {
        uint64_t n = vmx_exit_count(c, r);
        if (!n)
            continue;
        const char *name = vmx_exit_reason_name(r);
        fprintf(stderr, "%s %u %s: %" PRIu64, any ? "," : "vmxsim: stats: exits by reason:", r,
                name ? name : "(reserved)", n);
        any = true;
    }
    if (any)
        fputc('\n', stderr);
}

static void report_stats(const Machine *m, double seconds)
{
    const CpuState *c = &m->cpu;
    double mips = seconds > 0 ? (double)c->insns / seconds / 1e6 : 0;
    fprintf(stderr,
            "vmxsim: stats: instructions %" PRIu64 ", cycles %" PRIu64
            ", host seconds %.3f, guest MIPS %.1f\n",
            c->insns, c->cycles, seconds, mips);
    uint64_t entries, exits;
    char rule[512];
    if (vmx_counts(c, &entries, &exits)) {
        fprintf(stderr, "vmxsim: stats: VM entries %" PRIu64 ", VM exits %" PRIu64 "\n", entries, exits);
        report_exit_reasons(c);
    }
    if (vmx_describe_failed_check(c, rule, sizeof(rule)))
        fprintf(stderr, "vmxsim: last failed VM entry: %s\n", rule);
}

/* Run until the guest stops or a limit is hit; returns the exit status.
 * d: the debugger attached for the traces, or NULL. */
static int run_loop(Machine *m, const CliOptions *o, double start, Debugger *d)
{
    for (;;) {
        uint64_t budget = RUN_CHUNK;
        if (o->max_insns) {
            if (m->cpu.insns >= o->max_insns) {
                fprintf(stderr, "vmxsim: stopped after %" PRIu64 " instructions (--max-insns)\n",
                        m->cpu.insns);
                return EXIT_INSN_LIMIT;
            }
            if (o->max_insns - m->cpu.insns < budget)
                budget = o->max_insns - m->cpu.insns;
        }
        if (d)
            dbg_arm(d);
        switch (machine_run(m, budget)) {
        case STOP_GUEST_EXIT:
            return machine_exit_code(m) & 0xff;
        case STOP_SHUTDOWN:
            report_shutdown(&m->cpu);
            return EXIT_TRIPLE_FAULT;
        case STOP_HALTED:
            if (m->cpu.activity == ACTIVITY_WAIT_SIPI)
                fprintf(stderr, "vmxsim: cpu0 waits for a SIPI at rip 0x%" PRIx64
                                " (wait-for-SIPI); no other processor can send one\n", m->cpu.RIP);
            else
                fprintf(stderr,
                        "vmxsim: cpu0 halted at rip 0x%" PRIx64 " with %s; nothing can wake it\n",
                        m->cpu.RIP,
                        (m->cpu.rflags & RFLAGS_IF) ? "no interrupt source" : "interrupts disabled");
            return EXIT_HALTED;
        case STOP_BUDGET:
        case STOP_EXCEPTION: /* not requested by `run` */
        case STOP_DEBUG:     /* nor these: no breakpoint is set */
            break;
        }
        if (o->timeout > 0 && host_seconds() - start >= o->timeout) {
            fprintf(stderr, "vmxsim: stopped after %.3f seconds (--timeout)\n", o->timeout);
            return EXIT_TIMEOUT;
        }
    }
}

/* The exit status after the debugger ran the guest (README "Exit status"). */
static int debugged_status(const Debugger *d)
{
    if (d->exited)
        return d->exit_status & 0xff;
    return d->dead ? EXIT_TRIPLE_FAULT : EXIT_OK;
}

/* `run --gdb`: GDB drives the CPU; when it detaches the run goes on. */
static int gdb_session(Debugger *d, Machine *m, const CliOptions *o)
{
    char err[512];
    switch (dbg_gdb_serve(d, o->gdb_listen ? o->gdb_listen : "127.0.0.1", o->gdb_port, err, sizeof(err))) {
    case GDB_END_ERROR:
        fprintf(stderr, "vmxsim: %s\n", err);
        return EXIT_HOST_ERROR;
    case GDB_END_KILL:
        return EXIT_OK;
    case GDB_END_GUEST:
        return debugged_status(d);
    case GDB_END_DETACH:
        break;
    }
    dbg_settle(d);
    return run_loop(m, o, host_seconds(), d);
}

static int debug_run(Debugger *d, Machine *m, const CliOptions *o, double start)
{
    if (o->command == CLI_DEBUG)
        return dbg_console(d, o->commands) ? debugged_status(d) : EXIT_USAGE;
    return o->gdb ? gdb_session(d, m, o) : run_loop(m, o, start, d);
}

/* Run with the debugger attached (vmxsim debug, --gdb, the traces). */
static int run_debugged(Machine *m, const CliOptions *o, double start)
{
    char err[512];
    FILE *trace = o->trace_file ? fopen(o->trace_file, "w") : o->trace_vmx ? stderr : NULL;
    if (o->trace_file && !trace) {
        fprintf(stderr, "vmxsim: cannot create --trace-file %s: %s\n", o->trace_file, strerror(errno));
        return EXIT_HOST_ERROR;
    }
    DbgOptions dopt = {o->boot.image_path, o->max_insns, stdout, trace, o->trace_json};
    Debugger *d = dbg_create(m, &dopt, err, sizeof(err));
    int status = EXIT_HOST_ERROR;
    if (!d)
        fprintf(stderr, "vmxsim: %s\n", err);
    else
        status = debug_run(d, m, o, start);
    if (d && !dbg_destroy(d)) {
        fprintf(stderr, "vmxsim: cannot write a trace file\n");
        status = EXIT_HOST_ERROR;
    }
    if (trace && trace != stderr && fclose(trace) != 0) {
        fprintf(stderr, "vmxsim: cannot write --trace-file %s\n", o->trace_file);
        status = EXIT_HOST_ERROR;
    }
    return status;
}

static bool wants_debugger(const CliOptions *o)
{
    return o->command == CLI_DEBUG || o->gdb || o->trace_vmx || o->trace_json;
}

/* Puts the image, the firmware or both into the machine (docs/boot.md).  With
 * --firmware the ROM is mapped first, so an image segment that would land on
 * it is rejected, then the image (if any) is loaded as its protocol says, and
 * the CPU starts from RESET rather than at the image's entry. */
static bool load_guest(const CliOptions *o, Machine *m, BootFirmware *fw, char *err, size_t errlen)
{
    BootProtocol proto;
    if (o->firmware && !boot_firmware_map(fw, o->firmware, &m->mem, err, errlen))
        return false;
    if (o->boot.image_path && !boot_load(&o->boot, &m->mem, &m->cpu, &proto, err, errlen))
        return false;
    if (o->firmware)
        boot_firmware_start(&m->cpu);
    else
        machine_bios_setup(m); /* what firmware would leave (docs/devices.md "Boot state") */
    machine_set_cmdline(m, o->boot.append);
    return true;
}

static int run(const CliOptions *o)
{
    char err[512];
    FILE *serial = o->serial == SERIAL_STDIO ? stdout : NULL;
    if (o->serial == SERIAL_FILE && !(serial = fopen(o->serial_path, "wb"))) {
        fprintf(stderr, "vmxsim: cannot open serial output %s: %s\n", o->serial_path, strerror(errno));
        return EXIT_USAGE;
    }
    MachineConfig cfg = {.mem_size = o->mem_size, .serial_tx = serial ? serial_to_file : NULL,
                         .serial_opaque = serial, .cpu_model = o->cpu_model};
    Machine *m = machine_create(&cfg, err, sizeof(err));
    int status = EXIT_HOST_ERROR;
    BootFirmware fw = {0};
    if (!m) {
        fprintf(stderr, "vmxsim: %s\n", err);
        status = o->cpu_model ? EXIT_USAGE : EXIT_HOST_ERROR;
    } else if (!load_guest(o, m, &fw, err, sizeof(err))) {
        fprintf(stderr, "vmxsim: %s\n", err);
        status = EXIT_BAD_IMAGE;
    } else {
        double start = host_seconds();
        status = wants_debugger(o) ? run_debugged(m, o, start) : run_loop(m, o, start, NULL);
        fflush(serial);
        if (o->stats)
            report_stats(m, host_seconds() - start);
    }
    machine_destroy(m);
    boot_firmware_free(&fw);
    if (serial && serial != stdout)
        fclose(serial);
    return status;
}

int main(int argc, char **argv)
{
    CliOptions o;
    char err[512];
    if (!cli_parse(argc, argv, &o, err, sizeof(err))) {
        fprintf(stderr, "vmxsim: %s\n", err);
        return EXIT_USAGE;
    }
    switch (o.command) {
    case CLI_HELP:
        cli_print_usage(stdout);
        return EXIT_OK;
    case CLI_VERSION:
        printf("vmxsim 0.1\n");
        return EXIT_OK;
    case CLI_LIST_CPU_MODELS:
        list_cpu_models();
        return EXIT_OK;
    default:
        return run(&o);
    }
}
