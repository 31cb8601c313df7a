/*
 * Bit counts: SDM Vol. 2 POPCNT, LZCNT, TZCNT "Operation" and "Flags
 * Affected".  Each is tied to a CPUID feature; LZCNT and TZCNT share their
 * encodings with BSR and BSF (an F3 prefix added), and the SDM says that
 * without the feature the encoding executes as BSR / BSF, which it does here.
 *
 * Undefined flags (docs/flags.md), as measured on an Intel core:
 * LZCNT, TZCNT: OF SF PF AF := 0.
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

/* SDM Vol. 2 POPCNT: CPUID.01H:ECX.POPCNT[bit 23], else #UD.  DEST := the
 * number of set bits of SRC; OF SF ZF AF CF PF := 0, then ZF := (SRC = 0). */
SimStatus exec_popcnt(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    if (!cpu_model_has(cpu->model, FEAT_POPCNT)) return cpu_raise_ud(cpu);
    if (opnd_read(cpu, d, 1, &src) != SIM_OK) return SIM_FAULT;
    reg_write(cpu, d->op[0].reg, d->op[0].size, (uint64_t)__builtin_popcountll(src));
    flags_set_arith(cpu, RFLAGS_ARITH, src == 0 ? RFLAGS_ZF : 0);
    return SIM_OK;
}

/* Write a count; CF := (SRC = 0), ZF := (count = 0). */
static void count_commit(CpuState *cpu, const DecodedInsn *d, uint64_t src, unsigned count) {
    reg_write(cpu, d->op[0].reg, d->op[0].size, count);
    flags_set_arith(cpu, RFLAGS_ARITH, (src == 0 ? RFLAGS_CF : 0) | (count == 0 ? RFLAGS_ZF : 0));
}

/* SDM Vol. 2 LZCNT: CPUID.80000001H:ECX.ABM[bit 5]; without it F3 0F BD is
 * BSR.  DEST := the number of leading zero bits of SRC (the operand size
 * when SRC = 0). */
SimStatus exec_lzcnt(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    unsigned bits = d->op[0].size * 8;
    if (!cpu_model_has(cpu->model, FEAT_ABM)) return exec_bsr(cpu, d);
    if (opnd_read(cpu, d, 1, &src) != SIM_OK) return SIM_FAULT;
    count_commit(cpu, d, src, src == 0 ? bits : (unsigned)__builtin_clzll(src) - (64 - bits));
    return SIM_OK;
}

/* SDM Vol. 2 TZCNT: CPUID.(EAX=07H, ECX=0):EBX.BMI1[bit 3]; without it
 * F3 0F BC is BSF.  DEST := the number of trailing zero bits of SRC (the
 * operand size when SRC = 0). */
SimStatus exec_tzcnt(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    unsigned bits = d->op[0].size * 8;
    if (!cpu_model_has(cpu->model, FEAT_BMI1)) return exec_bsf(cpu, d);
    if (opnd_read(cpu, d, 1, &src) != SIM_OK) return SIM_FAULT;
    count_commit(cpu, d, src, src == 0 ? bits : (unsigned)__builtin_ctzll(src));
    return SIM_OK;
}
