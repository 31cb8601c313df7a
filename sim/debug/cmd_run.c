/* step, next, continue (commands.h). */
#include "sim/debug/commands.h"
#include "sim/debug/dbg_names.h"

static DbgCmdResult run(Debugger *d, DbgRunMode mode, uint64_t count, FILE *out) {
    if (!dbg_can_run(d))
        return dbg_cmd_error(out, "the guest cannot run: %s",
                             d->exited ? "it has exited" : "the CPU shut down");
    DbgStop s = dbg_run(d, mode, count);
    dbg_print_stop(d, &s, out);
    return DBG_CMD_OK;
}

DbgCmdResult dbg_cmd_step(Debugger *d, int argc, char **argv, FILE *out) {
    uint64_t n = 1;
    if (argc > 1 && (!dbg_parse_u64(argv[1], &n) || n == 0))
        return dbg_cmd_error(out, "bad count '%s'", argv[1]);
    return run(d, DBG_STEP, n, out);
}

DbgCmdResult dbg_cmd_next(Debugger *d, int argc, char **argv, FILE *out) {
    return run(d, DBG_NEXT, 1, out);
}

DbgCmdResult dbg_cmd_continue(Debugger *d, int argc, char **argv, FILE *out) {
    return run(d, DBG_CONTINUE, 0, out);
}
