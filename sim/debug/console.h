/*
 * The command loop of `vmxsim debug`: commands from --commands FILE, or
 * from standard input (with line editing and history through libedit when
 * it is a terminal).  Non-interactive input is echoed after a "(vmxsim) "
 * prompt, so a session's output is a stable transcript.
 */
#ifndef VMXSIM_DEBUG_CONSOLE_H
#define VMXSIM_DEBUG_CONSOLE_H

#include "sim/debug/debugger.h"

/* Until quit or the end of the input; false when the commands file cannot
 * be read (a message is printed on stderr). */
bool dbg_console(Debugger *d, const char *commands_path);

#endif
