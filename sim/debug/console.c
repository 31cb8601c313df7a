/* The command loop (console.h). */
#include "sim/debug/console.h"

#include <editline/readline.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/debug/commands.h"

#define PROMPT "(vmxsim) "

/* Ctrl-C while the guest runs stops it (debugger.h: interrupt). */
static volatile sig_atomic_t interrupt_flag;

static void on_sigint(int sig) {
    interrupt_flag = 1;
}

static void catch_sigint(Debugger *d) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    d->interrupt = &interrupt_flag;
}

/* One command; false to leave the loop. */
static bool execute(Debugger *d, const char *line) {
    interrupt_flag = 0;
    DbgCmdResult r = dbg_command(d, line, true, d->out);
    fflush(d->out);
    return r != DBG_CMD_QUIT;
}

static void scripted(Debugger *d, FILE *in) {
    char line[1024];
    while (fgets(line, sizeof(line), in)) {
        line[strcspn(line, "\r\n")] = '\0';
        fprintf(d->out, PROMPT "%s\n", line);
        if (!execute(d, line)) return;
    }
}

/* Commands an empty line repeats (as in GDB). */
static bool repeatable(const char *cmd) {
    static const char *const words[] = {"step", "si", "stepi", "next", "n", "ni"};
    size_t n = strcspn(cmd, " \t");
    for (size_t i = 0; i < SIM_ARRAY_SIZE(words); i++) {
        if (strlen(words[i]) == n && strncmp(cmd, words[i], n) == 0) return true;
    }
    return false;
}

static void interactive(Debugger *d) {
    char last[64] = "";
    for (char *line; (line = readline(PROMPT)) != NULL; free(line)) {
        bool go_on = execute(d, line[0] ? line : last);
        if (line[0]) {
            add_history(line);
            snprintf(last, sizeof(last), "%s",
                     repeatable(line) && strlen(line) < sizeof(last) ? line : "");
        }
        if (!go_on) {
            free(line);
            return;
        }
    }
    fputc('\n', d->out);
}

bool dbg_console(Debugger *d, const char *commands_path) {
    catch_sigint(d);
    if (commands_path) {
        FILE *in = fopen(commands_path, "r");
        if (!in) {
            fprintf(stderr, "vmxsim: cannot read --commands %s: %s\n", commands_path,
                    strerror(errno));
            return false;
        }
        scripted(d, in);
        fclose(in);
    } else if (isatty(STDIN_FILENO)) {
        interactive(d);
    } else {
        scripted(d, stdin);
    }
    d->interrupt = NULL;
    signal(SIGINT, SIG_DFL);
    return true;
}
