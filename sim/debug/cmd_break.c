/* break, watch, delete, info (commands.h). */
#include <string.h>

#include "sim/debug/commands.h"
#include "sim/debug/dbg_names.h"
#include "sim/debug/expr.h"

static DbgCmdResult add(Debugger *d, const DbgBreakpoint *b, FILE *out) {
    unsigned id = dbg_bp_add(&d->bps, b);
    if (!id) return dbg_cmd_error(out, "out of host memory");
    dbg_breakpoints_changed(d);
    fprintf(out, "Breakpoint %u: ", id);
    dbg_bp_describe(dbg_bp_find(&d->bps, id), &d->syms, out);
    fputc('\n', out);
    return DBG_CMD_OK;
}

static DbgCmdResult break_vmexit(Debugger *d, int argc, char **argv, FILE *out) {
    DbgBreakpoint b = {.kind = BP_VMEXIT};
    if (argc - 2 > DBG_MAX_REASONS)
        return dbg_cmd_error(out, "at most %d exit reasons", DBG_MAX_REASONS);
    for (int i = 2; i < argc; i++) {
        int r = dbg_exit_reason_parse(argv[i]);
        if (r < 0)
            return dbg_cmd_error(out, "unknown exit reason '%s' (a number, or a name like CPUID)",
                                 argv[i]);
        b.reasons[b.reason_count++] = (uint16_t)r;
    }
    return add(d, &b, out);
}

static DbgCmdResult break_field(Debugger *d, DbgBpKind kind, int argc, char **argv, FILE *out) {
    DbgBreakpoint b = {.kind = kind, .field = -1};
    if (argc > 2 && (b.field = dbg_vmcs_field_parse(argv[2])) < 0)
        return dbg_cmd_error(out, "unknown VMCS field '%s'", argv[2]);
    return add(d, &b, out);
}

static DbgCmdResult break_exception(Debugger *d, int argc, char **argv, FILE *out) {
    DbgBreakpoint b = {.kind = BP_EXCEPTION, .vector = -1};
    if (argc > 2 && (b.vector = dbg_exception_parse(argv[2])) < 0)
        return dbg_cmd_error(out, "unknown exception '%s' (0-31, or a name like #GP)", argv[2]);
    return add(d, &b, out);
}

DbgCmdResult dbg_cmd_break(Debugger *d, int argc, char **argv, FILE *out) {
    if (argc < 2) return dbg_cmd_error(out, "break needs an address or an event (try help break)");
    const char *what = argv[1];
    if (strcmp(what, "vmentry") == 0) return add(d, &(DbgBreakpoint){.kind = BP_VMENTRY}, out);
    if (strcmp(what, "vmexit") == 0) return break_vmexit(d, argc, argv, out);
    if (strcmp(what, "entry-fail") == 0)
        return add(d, &(DbgBreakpoint){.kind = BP_ENTRY_FAIL}, out);
    if (strcmp(what, "vmwrite") == 0) return break_field(d, BP_VMWRITE, argc, argv, out);
    if (strcmp(what, "vmread") == 0) return break_field(d, BP_VMREAD, argc, argv, out);
    if (strcmp(what, "exception") == 0) return break_exception(d, argc, argv, out);
    DbgBreakpoint b = {.kind = BP_CODE};
    if (!dbg_parse_addr(d, what, &b.addr)) return dbg_cmd_error(out, "bad address '%s'", what);
    return add(d, &b, out);
}

static unsigned parse_access(const char *s) {
    return strcmp(s, "r") == 0    ? WATCH_READ
           : strcmp(s, "w") == 0  ? WATCH_WRITE
           : strcmp(s, "rw") == 0 ? WATCH_READ | WATCH_WRITE
                                  : 0;
}

DbgCmdResult dbg_cmd_watch(Debugger *d, int argc, char **argv, FILE *out) {
    DbgBreakpoint b = {.kind = BP_WATCH, .len = 8, .access = WATCH_WRITE};
    uint64_t len;
    if (argc < 2 || !dbg_parse_addr(d, argv[1], &b.addr))
        return dbg_cmd_error(out, "usage: watch ADDR [r|w|rw] [LEN]");
    if (argc > 2 && !(b.access = parse_access(argv[2])))
        return dbg_cmd_error(out, "bad access '%s': r, w or rw", argv[2]);
    if (argc > 3 && (!dbg_parse_u64(argv[3], &len) || len == 0 || len > DBG_WATCH_MAX))
        return dbg_cmd_error(out, "bad length '%s': 1 to %d bytes", argv[3], DBG_WATCH_MAX);
    if (argc > 3) b.len = (unsigned)len;
    return add(d, &b, out);
}

DbgCmdResult dbg_cmd_delete(Debugger *d, int argc, char **argv, FILE *out) {
    if (argc == 1) {
        dbg_bp_clear(&d->bps);
        dbg_breakpoints_changed(d);
        fputs("Deleted all breakpoints\n", out);
        return DBG_CMD_OK;
    }
    for (int i = 1; i < argc; i++) {
        uint64_t id;
        if (!dbg_parse_u64(argv[i], &id) || id > UINT32_MAX ||
            !dbg_bp_delete(&d->bps, (unsigned)id))
            return dbg_cmd_error(out, "no breakpoint '%s'", argv[i]);
        fprintf(out, "Deleted breakpoint %s\n", argv[i]);
    }
    dbg_breakpoints_changed(d);
    return DBG_CMD_OK;
}

DbgCmdResult dbg_cmd_info(Debugger *d, int argc, char **argv, FILE *out) {
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "breakpoints") == 0 || strcmp(what, "b") == 0 || strcmp(what, "break") == 0) {
        dbg_bp_list(&d->bps, &d->syms, out);
        return DBG_CMD_OK;
    }
    if (strcmp(what, "registers") == 0 || strcmp(what, "r") == 0)
        return dbg_cmd_regs(d, argc, argv, out);
    return dbg_cmd_error(out, "usage: info breakpoints | info registers");
}
