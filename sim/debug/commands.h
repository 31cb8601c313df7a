/*
 * The debugger's commands (docs/debugger.md): a table of names, aliases,
 * usage and help; one handler per command, grouped by file (cmd_run.c,
 * cmd_break.c, cmd_state.c, cmd_vmcs.c, explain.c).
 */
#ifndef VMXSIM_DEBUG_COMMANDS_H
#define VMXSIM_DEBUG_COMMANDS_H

#include "sim/debug/debugger.h"

typedef enum DbgCmdResult { DBG_CMD_OK, DBG_CMD_ERROR, DBG_CMD_QUIT } DbgCmdResult;

/* Execute one command line, output on out.  With allow_run false (GDB's
 * `monitor`), commands that run the CPU are refused.  Empty lines and
 * lines starting with '#' do nothing. */
DbgCmdResult dbg_command(Debugger *d, const char *line, bool allow_run, FILE *out);

#define DBG_MAX_ARGS 16
typedef DbgCmdResult (*DbgCmdFn)(Debugger *d, int argc, char **argv, FILE *out);

/* Handlers: argv[0] is the command word ("x/4xg" for x). */
DbgCmdResult dbg_cmd_step(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_next(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_continue(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_break(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_watch(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_delete(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_info(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_regs(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_where(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_examine(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_disas(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_vmcs(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_explain(Debugger *d, int argc, char **argv, FILE *out);
DbgCmdResult dbg_cmd_trace(Debugger *d, int argc, char **argv, FILE *out);

/* "error: ..." on out; returns DBG_CMD_ERROR. */
DbgCmdResult dbg_cmd_error(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
