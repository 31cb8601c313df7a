/* Cycle costs from the timing table (style.md rule 6: handlers never add cycles). */
#ifndef VMXSIM_CPU_TIMING_H
#define VMXSIM_CPU_TIMING_H

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <stdint.h>

enum {
    TIMING_DEFAULT = 2,    /* categories without a row in timing.def */
    TIMING_MEM_OPERAND = 2, /* added when an explicit operand is in memory */
    TIMING_STRING_ITER = 1, /* each further iteration of a REP string instruction */
    TIMING_EXCEPTION = 50,  /* delivering an exception or interrupt */
};

static inline uint8_t timing_cost(ZydisInstructionCategory category, bool has_mem)
{
    unsigned c;
    switch (category) {
#define X(cat, cycles)                                                                             \
    case ZYDIS_CATEGORY_##cat:                                                                     \
        c = (cycles);                                                                              \
        break;
#include "sim/cpu/timing.def"
#undef X
    default:
        c = TIMING_DEFAULT;
        break;
    }
    return (uint8_t)(c + (has_mem ? TIMING_MEM_OPERAND : 0));
}

#endif
