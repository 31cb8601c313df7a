/* The VMCS field table and encoding lookup (vmcs.h). */
#include "sim/vmx/vmcs.h"

#include "sim/sim.h"

const VmcsFieldInfo vmcs_field_info[VMCS_FIELD_COUNT] = {
#define X(name, enc, width, type, ex)                                                              \
    [VMCS_##name] = {#name, enc, VMCS_WIDTH_##width, VMCS_TYPE_##type, VMXC_##ex},
#include "sim/vmx/vmcs_fields.def"
#undef X
};

/* SDM 24.11.2: width (2 bits), type (2 bits) and index (bits 9:1) make a
 * key; a direct table from key to field + 1 (0: no field), built at compile
 * time from the same rows, so the lookup is two shifts and a load. */
#define KEY_INDEX_BITS 7
#define KEY(enc) ((((enc) >> 13) & 3) << (2 + KEY_INDEX_BITS) | (((enc) >> 10) & 3) << KEY_INDEX_BITS | (((enc) >> 1) & 0x7f))

static const uint8_t field_by_key[1u << (4 + KEY_INDEX_BITS)] = {
#define X(name, enc, width, type, ex) [KEY(enc)] = VMCS_##name + 1,
#include "sim/vmx/vmcs_fields.def"
#undef X
};
_Static_assert(VMCS_FIELD_COUNT < 255, "field ids fit the key table");

int vmcs_field_lookup(uint64_t encoding, bool *high)
{
    /* Bits 31:15 and 12 reserved; an index beyond the table is unsupported. */
    if ((encoding & ~UINT64_C(0x6fff)) || ((encoding >> 1) & 0x1ff) >= (1u << KEY_INDEX_BITS))
        return -1;
    int f = (int)field_by_key[KEY(encoding)] - 1;
    *high = encoding & 1;
    if (f < 0 || (*high && vmcs_field_info[f].width != VMCS_WIDTH_W64))
        return -1; /* only 64-bit fields have a high access type */
    return f;
}

unsigned vmcs_highest_index(const bool exists[VMCS_FIELD_COUNT])
{
    unsigned max = 0;
    for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++) {
        unsigned idx = (vmcs_field_info[i].encoding >> 1) & 0x1ff;
        if (exists[i] && idx > max)
            max = idx;
    }
    return max;
}
