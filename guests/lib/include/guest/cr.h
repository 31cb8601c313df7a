/* Control-register access for guests (SDM Vol. 2 "MOV—Move to/from Control
 * Registers"; Vol. 3A 2.5 "Control Registers"). CPL 0 only. */
#ifndef GUEST_CR_H
#define GUEST_CR_H

#include <stdint.h>

#define GUEST_CR_ACCESSORS(n)                                                                      \
    static inline uint64_t read_cr##n(void) {                                                      \
        uint64_t v;                                                                                \
        __asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));                                      \
        return v;                                                                                  \
    }                                                                                              \
    static inline void write_cr##n(uint64_t v) {                                                   \
        __asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory");                             \
    }
GUEST_CR_ACCESSORS(0)
GUEST_CR_ACCESSORS(2)
GUEST_CR_ACCESSORS(3)
GUEST_CR_ACCESSORS(4)
#undef GUEST_CR_ACCESSORS

#endif
