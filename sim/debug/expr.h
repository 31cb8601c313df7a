/*
 * Values and addresses in commands: a number (decimal or 0x hex), a
 * register ($rax .. $r15, $rip, $rsp, $rflags, $cr0 .. $cr4), or a symbol
 * of the image, optionally followed by +N or -N.  An address is linear,
 * or guest-physical with the prefix "g:".
 */
#ifndef VMXSIM_DEBUG_EXPR_H
#define VMXSIM_DEBUG_EXPR_H

#include "sim/debug/debugger.h"

bool dbg_parse_value(const Debugger *d, const char *s, uint64_t *out);
bool dbg_parse_addr(const Debugger *d, const char *s, DbgAddr *out);

#endif
