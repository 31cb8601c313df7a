/*
 * Names the debugger prints and parses: basic exit reasons by their
 * exit_reasons.def symbol, VMCS fields by their vmcs_fields.def name,
 * exception vectors by the SDM's mnemonics, registers.
 */
#ifndef VMXSIM_DEBUG_DBG_NAMES_H
#define VMXSIM_DEBUG_DBG_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* "CPUID" for basic exit reason 10; NULL for an unused number. */
const char *dbg_exit_reason_symbol(unsigned reason);
/* A basic exit reason by symbol (any case, "EXIT_REASON_" optional) or
 * number; -1 when neither. */
int dbg_exit_reason_parse(const char *s);
/* A VMCS field by name (any case, "VMCS_" optional) or encoding; -1. */
int dbg_vmcs_field_parse(const char *s);
/* SDM 6.3.1 Table 6-1 mnemonics: "#GP" for 13; "vector N" names the rest. */
const char *dbg_exception_name(unsigned vector);
/* A vector by mnemonic ("#GP", "GP", any case) or number 0-31; -1. */
int dbg_exception_parse(const char *s);
/* RAX..R15 in encoding order (cpu.h GPR_*), lower case. */
extern const char *const dbg_gpr_name[16];
/* ES, CS, SS, DS, FS, GS, LDTR, TR (cpu.h SEG_*), lower case. */
extern const char *const dbg_seg_name[8];
/* Parse an unsigned number: decimal, 0x hex; the whole string. */
bool dbg_parse_u64(const char *s, uint64_t *out);

#endif
