/*
 * The VMCS (SDM chapter 24 "Virtual Machine Control Structures"): the field
 * table of vmcs_fields.def (Appendix B "Field Encoding in VMCS") and the
 * encoding rules of SDM 24.11.2 "VMREAD, VMWRITE, and Encodings of VMCS
 * Fields".  The enum, the names, VMREAD/VMWRITE validity and the debugger's
 * dump all come from that one table (style.md rule 1).
 */
#ifndef VMXSIM_VMX_VMCS_H
#define VMXSIM_VMX_VMCS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/vmx/vmx_controls.h"

typedef enum VmcsField {
#define X(name, enc, width, type, exists) VMCS_##name,
#include "sim/vmx/vmcs_fields.def"
#undef X
    VMCS_FIELD_COUNT
} VmcsField;

/* SDM 24.11.2: encoding bits 14:13 and 11:10. */
typedef enum VmcsWidth { VMCS_WIDTH_W16, VMCS_WIDTH_W64, VMCS_WIDTH_W32, VMCS_WIDTH_WNAT } VmcsWidth;
typedef enum VmcsType { VMCS_TYPE_CTRL, VMCS_TYPE_RO, VMCS_TYPE_GUEST, VMCS_TYPE_HOST } VmcsType;

typedef struct VmcsFieldInfo {
    const char *name; /* "GUEST_RIP" */
    uint16_t encoding;
    uint8_t width;    /* VmcsWidth */
    uint8_t type;     /* VmcsType */
    uint8_t exists;   /* VmxControlId, or VMXC_ALWAYS */
} VmcsFieldInfo;

extern const VmcsFieldInfo vmcs_field_info[VMCS_FIELD_COUNT];

/* The field an encoding names, or -1 (SDM 24.11.2: bits 31:15 and 12 are
 * reserved; an encoding no field has is unsupported).  *high: the access
 * type is "high" (bit 0), valid only for 64-bit fields. */
int vmcs_field_lookup(uint64_t encoding, bool *high);

/* The bits a field of this width holds (natural width: 64 bits). */
static inline uint64_t vmcs_width_mask(unsigned width)
{
    return width == VMCS_WIDTH_W16 ? 0xffff : width == VMCS_WIDTH_W32 ? 0xffffffffu : ~UINT64_C(0);
}

/* The largest index (encoding bits 9:1) of the table's fields, for
 * IA32_VMX_VMCS_ENUM (SDM A.9). */
unsigned vmcs_highest_index(const bool exists[VMCS_FIELD_COUNT]);

#endif
