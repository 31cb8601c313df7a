/*
 * VMCS field values as text: every field by its SDM name (vmcs_fields.def)
 * and value, decoded where the SDM gives the value a structure: control
 * vectors by control name (vmx_controls.def), access rights (SDM 24.4.1
 * Table 24-2), exit reasons (Appendix C), VM-instruction errors (30.4),
 * interruption information (24.8.3, 24.9.2), exit qualifications (27.2.1)
 * and instruction information (27.2.5), CR0/CR4/RFLAGS/EFER bits.
 */
#ifndef VMXSIM_DEBUG_VMCS_FORMAT_H
#define VMXSIM_DEBUG_VMCS_FORMAT_H

#include <stdio.h>

#include "sim/vmx/vmx_state.h"

/* The decoded meaning of field f holding value; fields[] is the whole VMCS
 * (the exit qualification depends on the exit reason).  "" when the value
 * has no structure. */
void dbg_vmcs_decode(const uint64_t *fields, int f, uint64_t value, char *buf, size_t len);
/* "  GUEST_RIP                           0x681e  0x0000000000101000  [decoded]" */
void dbg_vmcs_print_field(const uint64_t *fields, int f, uint64_t value, FILE *out);
/* The exit qualification and instruction information of exit reason
 * `reason` (bits 15:0), "" when the SDM defines no structure for it. */
void dbg_exit_qualification(unsigned reason, uint64_t qual, char *buf, size_t len);
void dbg_exit_insn_info(unsigned reason, uint64_t qual, uint64_t info, char *buf, size_t len);
/* Registers the VMCS shares with the CPU: CR0, CR4, IA32_EFER and RFLAGS
 * bits by name, segment access rights (SDM 24.4.1 Table 24-2). */
typedef enum DbgBits {
    DBG_BITS_CR0,
    DBG_BITS_CR4,
    DBG_BITS_EFER,
    DBG_BITS_RFLAGS,
    DBG_BITS_AR
} DbgBits;
void dbg_decode_bits(DbgBits kind, uint64_t v, char *buf, size_t len);
/* The control group of a control-vector field, or -1. */
int dbg_vmcs_control_group(int f);

/* Field groups of `vmcs GROUP`. */
typedef struct DbgVmcsGroup {
    const char *name, *title;
    bool (*member)(int f);
} DbgVmcsGroup;
/* NULL-terminated by name. */
extern const DbgVmcsGroup dbg_vmcs_groups[];
const DbgVmcsGroup *dbg_vmcs_group_find(const char *name);

#endif
