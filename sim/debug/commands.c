/* The command table and the dispatcher (commands.h). */
#include "sim/debug/commands.h"

#include <stdarg.h>
#include <string.h>

typedef struct DbgCommand {
    const char *name, *alias, *alias2;
    bool runs; /* runs the CPU (refused from GDB's `monitor`) */
    DbgCmdFn fn;
    const char *usage, *help;
} DbgCommand;

static DbgCmdResult cmd_help(Debugger *d, int argc, char **argv, FILE *out);
static DbgCmdResult cmd_quit(Debugger *d, int argc, char **argv, FILE *out) {
    return DBG_CMD_QUIT;
}

static const DbgCommand commands[] = {
    {"step", "si", "stepi", true, dbg_cmd_step, "step [N]", "execute N instructions (default 1)"},
    {"next", "n", "ni", true, dbg_cmd_next, "next",
     "execute one instruction, stepping over a CALL"},
    {"continue", "c", NULL, true, dbg_cmd_continue, "continue",
     "run until a breakpoint or the end"},
    {"break", "b", NULL, false, dbg_cmd_break,
     "break ADDR | vmentry | vmexit [REASON...] | entry-fail | vmwrite [FIELD] | vmread [FIELD] | "
     "exception [VECTOR]",
     "stop at a linear (or g:guest-physical) address, a VM entry, a VM exit (by reason name or "
     "number), a failed VM entry, a VMWRITE/VMREAD (of a field), an exception (by vector)"},
    {"watch", "w", NULL, false, dbg_cmd_watch, "watch ADDR [r|w|rw] [LEN]",
     "stop after an access to LEN bytes (default 8) at ADDR; default w (writes)"},
    {"delete", "d", NULL, false, dbg_cmd_delete, "delete [N...]",
     "delete breakpoints (all without N)"},
    {"info", "i", NULL, false, dbg_cmd_info, "info breakpoints | registers",
     "list breakpoints, or regs"},
    {"regs", "r", NULL, false, dbg_cmd_regs, "regs",
     "all architectural registers: GPRs, RIP, RFLAGS, segments, descriptor tables, CRs, EFER, DRs, "
     "MSRs"},
    {"where", NULL, NULL, false, dbg_cmd_where, "where",
     "mode, CPL, VMX root/non-root, VMXON and current VMCS pointers, launch state, counts"},
    {"x", NULL, NULL, false, dbg_cmd_examine, "x/[N][x|d|u|s|i][b|h|w|g] ADDR",
     "examine memory (linear, or g:guest-physical)"},
    {"disas", "disassemble", NULL, false, dbg_cmd_disas, "disas [ADDR] [N]",
     "disassemble N instructions (default 8) at ADDR (default RIP)"},
    {"vmcs", NULL, NULL, false, dbg_cmd_vmcs,
     "vmcs [FIELD|GROUP] | vmcs diff [snapshot] | vmcs snapshot | vmcs history FIELD",
     "the current VMCS decoded (groups: control exec exit-controls entry-controls exit-info guest "
     "host); fields changed since the last VM entry or the snapshot; who wrote a field"},
    {"explain", NULL, NULL, false, dbg_cmd_explain, "explain",
     "why the last VM entry failed (the SDM check and the fields it read), and the last VM exit"},
    {"trace", NULL, NULL, false, dbg_cmd_trace, "trace on|off",
     "print each VM entry, failure and exit"},
    {"help", "h", "?", false, cmd_help, "help [COMMAND]", "this list"},
    {"quit", "q", "exit", false, cmd_quit, "quit", "leave the debugger"},
};

DbgCmdResult dbg_cmd_error(FILE *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", out);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    va_end(ap);
    return DBG_CMD_ERROR;
}

static const DbgCommand *lookup(const char *word) {
    char name[32];
    size_t n = strcspn(word, "/");
    if (n >= sizeof(name)) return NULL;
    memcpy(name, word, n);
    name[n] = '\0';
    for (size_t i = 0; i < SIM_ARRAY_SIZE(commands); i++) {
        const DbgCommand *c = &commands[i];
        if (strcmp(c->name, name) == 0 || (c->alias && strcmp(c->alias, name) == 0) ||
            (c->alias2 && strcmp(c->alias2, name) == 0))
            return c;
    }
    return NULL;
}

static DbgCmdResult cmd_help(Debugger *d, int argc, char **argv, FILE *out) {
    const DbgCommand *only = argc > 1 ? lookup(argv[1]) : NULL;
    if (argc > 1 && !only) return dbg_cmd_error(out, "no command '%s'", argv[1]);
    for (size_t i = 0; i < SIM_ARRAY_SIZE(commands); i++) {
        const DbgCommand *c = &commands[i];
        if (only && c != only) continue;
        fprintf(out, "%s", c->usage);
        if (c->alias)
            fprintf(out, "  (alias %s%s%s)", c->alias, c->alias2 ? ", " : "",
                    c->alias2 ? c->alias2 : "");
        fprintf(out, "\n    %s\n", c->help);
    }
    return DBG_CMD_OK;
}

static int split(char *line, char **argv) {
    int argc = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok && argc < DBG_MAX_ARGS;
         tok = strtok(NULL, " \t\r\n"))
        argv[argc++] = tok;
    return argc;
}

DbgCmdResult dbg_command(Debugger *d, const char *line, bool allow_run, FILE *out) {
    char buf[1024], *argv[DBG_MAX_ARGS];
    if (strlen(line) >= sizeof(buf)) return dbg_cmd_error(out, "line too long");
    strcpy(buf, line);
    int argc = split(buf, argv);
    if (argc == 0 || argv[0][0] == '#') return DBG_CMD_OK;
    const DbgCommand *c = lookup(argv[0]);
    if (!c) return dbg_cmd_error(out, "unknown command '%s' (try help)", argv[0]);
    if (c->runs && !allow_run)
        return dbg_cmd_error(out, "'%s' runs the CPU: not available here", c->name);
    return c->fn(d, argc, argv, out);
}
