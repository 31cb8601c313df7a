/*
 * SDM Vol. 2 CRC32 "Operation": the CRC-32C polynomial 11EDC6F41H applied
 * to the bit-reflected source and the bit-reflected 32-bit accumulator, the
 * result bit-reflected back.  With both reflections folded into the loop
 * this is the LSB-first shift register with the reflected polynomial
 * 82F63B78H, one source bit at a time from bit 0 upwards; there is no
 * initial or final inversion.  The accumulator is bits 31:0 of the
 * destination; the 32-bit result is zero-extended into a 64-bit destination.
 * Flags are unaffected.  Tied to CPUID.01H:ECX.SSE4_2[bit 20] (#UD without).
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

#define CRC32C_REFLECTED 0x82f63b78u

static uint32_t crc32c_update(uint32_t crc, uint64_t data, unsigned bits) {
    for (unsigned i = 0; i < bits; i++) {
        uint32_t in = (crc ^ (uint32_t)(data >> i)) & 1;
        crc = (crc >> 1) ^ (in ? CRC32C_REFLECTED : 0);
    }
    return crc;
}

/* SDM Vol. 2 CRC32: CRC32 r32, r/m8/16/32 and CRC32 r64, r/m8/64. */
SimStatus exec_crc32(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    if (!cpu_model_has(cpu->model, FEAT_SSE42)) return cpu_raise_ud(cpu);
    if (opnd_read(cpu, d, 1, &src) != SIM_OK) return SIM_FAULT;
    uint32_t crc = (uint32_t)reg_read(cpu, d->op[0].reg, 4);
    cpu->gpr[d->op[0].reg / 8] = crc32c_update(crc, src, d->op[1].size * 8u);
    return SIM_OK;
}
