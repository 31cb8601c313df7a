/*
 * L1's VMCSs (vmcs12): hv-nest's own layout in L1's 4-KByte VMCS regions,
 * which SDM 24.2 "Format of the VMCS Region" leaves to the processor after
 * the revision identifier (bytes 0-3) and the VMX-abort indicator (4-7):
 *   offset 8   launch state (0 clear, 1 launched; 24.11.3)
 *   offset 16  one 8-byte slot per field, in probe order.
 * The fields are the ones hv-nest's own VMCS has: at start-up every
 * encoding up to IA32_VMX_VMCS_ENUM's highest index is tried with VMREAD
 * (30.3: VMfailValid(12) for an unsupported component).
 */
#include "hv_nest.h"

#include "guest/io.h"

#define SLOTS_OFFSET 16
#define MAX_INDEX 64
#define NO_SLOT 0xffffu

/* 24.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields", Table 24-21:
 * bit 0 access type (1 = high half of a 64-bit field), 9:1 index, 11:10
 * type, 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width). */
#define ENC_WIDTH(e) ((e) >> 13 & 3u)
#define ENC_TYPE(e) ((e) >> 10 & 3u)
#define ENC_INDEX(e) ((e) >> 1 & 0x1ffu)
#define ENC_RESERVED(e) ((e) & ~0x6fffull) /* bit 12 and bits 63:15 */
#define WIDTH_64 1u
#define MSR_IA32_VMX_VMCS_ENUM 0x48Au

static uint16_t slot_of[4][4][MAX_INDEX];
static uint32_t encodings[(4096 - SLOTS_OFFSET) / 8];
static unsigned field_count;

static uint32_t encoding(unsigned width, unsigned type, unsigned index) {
    return width << 13 | type << 10 | index << 1;
}

void vmcs12_probe_fields(void) {
    unsigned max = (unsigned)(rdmsr(MSR_IA32_VMX_VMCS_ENUM) >> 1 & 0x1ff);
    for (unsigned w = 0; w < 4; w++)
        for (unsigned t = 0; t < 4; t++)
            for (unsigned i = 0; i < MAX_INDEX; i++) {
                uint64_t v;
                uint32_t enc = encoding(w, t, i);
                bool exists = i <= max && field_count < sizeof(encodings) / sizeof(encodings[0]) &&
                              vmx_vmread(enc, &v) == VMX_SUCCEED;
                slot_of[w][t][i] = exists ? (uint16_t)field_count : NO_SLOT;
                if (exists) encodings[field_count++] = enc;
            }
}

/* The slot of a full-access encoding; NO_SLOT if unsupported. */
static unsigned slot(uint64_t enc) {
    if (ENC_RESERVED(enc) || ENC_INDEX(enc) >= MAX_INDEX) return NO_SLOT;
    if ((enc & 1) && ENC_WIDTH(enc) != WIDTH_64) return NO_SLOT; /* high of a non-64-bit field */
    return slot_of[ENC_WIDTH(enc)][ENC_TYPE(enc)][ENC_INDEX(enc)];
}

bool vmcs12_field_exists(uint64_t enc) {
    return slot(enc) != NO_SLOT;
}

static uint64_t *slots(uint64_t vmcs) {
    return (uint64_t *)(uintptr_t)(vmcs + SLOTS_OFFSET);
}

/* A field the processor lacks reads as 0 and ignores writes (hv-nest
 * reads some host-state fields whose controls may be missing). */
uint64_t vmcs12_read(uint64_t vmcs, uint32_t enc) {
    if (slot(enc) == NO_SLOT) return 0;
    uint64_t v = slots(vmcs)[slot(enc)];
    return (enc & 1) ? v >> 32 : v;
}

/* 24.11.2: a write keeps the bits the field has; the high access of a
 * 64-bit field writes bits 63:32 from bits 31:0 of the value. */
void vmcs12_write(uint64_t vmcs, uint32_t enc, uint64_t value) {
    static const uint64_t mask[4] = {0xffffull, ~0ull, 0xffffffffull, ~0ull};
    if (slot(enc) == NO_SLOT) return;
    uint64_t *v = &slots(vmcs)[slot(enc)];
    if (enc & 1)
        *v = (*v & 0xffffffffull) | value << 32;
    else
        *v = value & mask[ENC_WIDTH(enc)];
}

bool vmcs12_launched(uint64_t vmcs) {
    return *(volatile uint32_t *)(uintptr_t)(vmcs + 8) == 1;
}

void vmcs12_set_launched(uint64_t vmcs, bool launched) {
    *(volatile uint32_t *)(uintptr_t)(vmcs + 8) = launched;
}

void vmcs12_each_field(unsigned type, void (*fn)(uint32_t encoding)) {
    for (unsigned i = 0; i < field_count; i++)
        if (ENC_TYPE(encodings[i]) == type) fn(encodings[i]);
}
