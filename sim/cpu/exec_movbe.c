/*
 * SDM Vol. 2 MOVBE "Operation": move with the bytes of the source reversed
 * (16, 32 or 64 bits; register <- memory or memory <- register).  A 16-bit
 * register destination keeps bits 63:16, a 32-bit one is zero-extended.
 * Flags are unaffected.  Tied to CPUID.01H:ECX.MOVBE[bit 22] (#UD without).
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

static uint64_t byte_swap(uint64_t v, unsigned size) {
    switch (size) {
    case 2:
        return __builtin_bswap16((uint16_t)v);
    case 4:
        return __builtin_bswap32((uint32_t)v);
    default:
        return __builtin_bswap64(v);
    }
}

/* SDM Vol. 2 MOVBE: DEST := the byte-swapped SRC. */
SimStatus exec_movbe(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    if (!cpu_model_has(cpu->model, FEAT_MOVBE)) return cpu_raise_ud(cpu);
    if (opnd_read(cpu, d, 1, &src) != SIM_OK) return SIM_FAULT;
    return opnd_write(cpu, d, 0, byte_swap(src, d->op[0].size));
}
