/* Segment descriptors and caches of the boot protocols (SDM 3.4.5, 7.2.3). */
#include "sim/boot/descriptors.h"

/* Descriptor bits 40-47 (type, S, DPL, P) and 52-55 (AVL, L, D/B, G). */
static uint64_t ar_bits(uint32_t ar) {
    return (uint64_t)(ar & 0xFF) << 40 | (uint64_t)((ar >> 12) & 0xF) << 52;
}

/* SDM 3.4.5: with G set the 20-bit limit field counts 4 KiB units. */
static uint32_t limit_field(uint32_t limit, uint32_t ar) {
    return ((ar & AR_G) ? limit >> 12 : limit) & 0xFFFFF;
}

uint64_t boot_descriptor(uint32_t base, uint32_t limit, uint32_t ar) {
    uint32_t lf = limit_field(limit, ar);
    return (uint64_t)(lf & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 | ar_bits(ar) |
           (uint64_t)(lf >> 16) << 48 | (uint64_t)(base >> 24) << 56;
}

/* SDM 7.2.3 "TSS Descriptor in 64-bit mode": base bits 32-63 in the second quadword. */
void boot_descriptor_system64(uint64_t base, uint32_t limit, uint32_t ar, uint64_t out[2]) {
    out[0] = boot_descriptor((uint32_t)base, limit, ar);
    out[1] = base >> 32;
}

Segment boot_segment(uint16_t selector, uint64_t base, uint32_t limit, uint32_t ar) {
    return (Segment){.selector = selector, .limit = limit, .ar = ar, .base = base};
}
