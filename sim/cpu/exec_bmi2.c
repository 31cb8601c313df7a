/*
 * BMI2: SDM Vol. 2 BZHI, MULX, PDEP, PEXT, RORX, SARX, SHLX, SHRX, tied to
 * CPUID.(EAX=07H, ECX=0):EBX.BMI2[bit 8] (#UD without).  VEX-encoded like
 * BMI1 (exec_bmi.c: Zydis rejects the invalid forms and modes).  Only BZHI
 * writes flags (undefined AF PF := 0, as measured, docs/flags.md).
 * Operands as Zydis lists them: op[0] ModRM.reg, then the VEX.vvvv and
 * ModRM.r/m operands in the order of the SDM's operand table.
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

__extension__ typedef unsigned __int128 bmi_u128;

/* Feature check, then op[1] and op[2] (op[2] may be an imm8: RORX). */
static SimStatus bmi2_sources(CpuState *cpu, const DecodedInsn *d, uint64_t *a, uint64_t *b) {
    if (!cpu_model_has(cpu->model, FEAT_BMI2)) return cpu_raise_ud(cpu);
    if (opnd_read(cpu, d, 1, a) != SIM_OK || opnd_read(cpu, d, 2, b) != SIM_OK) return SIM_FAULT;
    return SIM_OK;
}

static unsigned bmi2_bits(const DecodedInsn *d) {
    return d->op[0].size * 8u;
}

/* SDM Vol. 2 BZHI: N := SRC2[7:0]; DEST := SRC1 with bits OperandSize-1..N
 * cleared when N < OperandSize; CF := (N > OperandSize - 1); SF ZF from
 * DEST; OF := 0. */
SimStatus exec_bzhi(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src, idx;
    if (bmi2_sources(cpu, d, &src, &idx) != SIM_OK) return SIM_FAULT;
    unsigned n = idx & 0xff, bits = bmi2_bits(d);
    uint64_t v = n < bits ? src & ((UINT64_C(1) << n) - 1) : src;
    bool sf = (v >> (bits - 1)) & 1;
    reg_write(cpu, d->op[0].reg, d->op[0].size, v);
    flags_set_arith(cpu, RFLAGS_ARITH,
                    (n >= bits ? RFLAGS_CF : 0) | (sf ? RFLAGS_SF : 0) | (v == 0 ? RFLAGS_ZF : 0));
    return SIM_OK;
}

/* SDM Vol. 2 MULX: unsigned EDX/RDX * SRC; DEST2 (VEX.vvvv, op[1]) := low
 * half, then DEST1 (ModRM.reg, op[0]) := high half, so when both name one
 * register it holds the high half.  Flags are unaffected. */
SimStatus exec_mulx(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    unsigned size = d->op[0].size;
    if (!cpu_model_has(cpu->model, FEAT_BMI2)) return cpu_raise_ud(cpu);
    if (opnd_read(cpu, d, 2, &src) != SIM_OK) return SIM_FAULT;
    bmi_u128 p = (bmi_u128)(cpu->gpr[GPR_RDX] & size_mask(size)) * src;
    reg_write(cpu, d->op[1].reg, size, (uint64_t)p);
    reg_write(cpu, d->op[0].reg, size, size == 8 ? (uint64_t)(p >> 64) : (uint64_t)(p >> 32));
    return SIM_OK;
}

/* SDM Vol. 2 PDEP: deposit the low bits of SRC1 (op[1]), in order, at the
 * positions of the set bits of the mask SRC2 (op[2]); other bits 0. */
SimStatus exec_pdep(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src, mask, v = 0, k = 1;
    if (bmi2_sources(cpu, d, &src, &mask) != SIM_OK) return SIM_FAULT;
    for (; mask != 0; mask &= mask - 1, k <<= 1) {
        if (src & k) v |= mask & (0 - mask); /* the lowest remaining mask bit */
    }
    reg_write(cpu, d->op[0].reg, d->op[0].size, v);
    return SIM_OK;
}

/* SDM Vol. 2 PEXT: gather the bits of SRC1 (op[1]) at the positions of the
 * set bits of the mask SRC2 (op[2]) into the low bits of DEST. */
SimStatus exec_pext(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src, mask, v = 0, k = 1;
    if (bmi2_sources(cpu, d, &src, &mask) != SIM_OK) return SIM_FAULT;
    for (; mask != 0; mask &= mask - 1, k <<= 1) {
        if (src & mask & (0 - mask)) v |= k;
    }
    reg_write(cpu, d->op[0].reg, d->op[0].size, v);
    return SIM_OK;
}

/* SDM Vol. 2 RORX: DEST := SRC rotated right by imm8 MOD OperandSize; flags unaffected. */
SimStatus exec_rorx(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src, imm;
    if (bmi2_sources(cpu, d, &src, &imm) != SIM_OK) return SIM_FAULT;
    unsigned bits = bmi2_bits(d), n = (unsigned)imm & (bits - 1);
    uint64_t v = n == 0 ? src : (src >> n) | (src << (bits - n));
    reg_write(cpu, d->op[0].reg, d->op[0].size, v & size_mask(d->op[0].size));
    return SIM_OK;
}

typedef enum ShiftX { SHIFTX_SAR, SHIFTX_SHL, SHIFTX_SHR } ShiftX;

/* SARX/SHLX/SHRX: DEST := SRC1 (op[1]) shifted by SRC2 (op[2]) masked to 5
 * bits (6 with a 64-bit operand); flags unaffected. */
static SimStatus shift_x(CpuState *cpu, const DecodedInsn *d, ShiftX kind) {
    uint64_t src, count;
    if (bmi2_sources(cpu, d, &src, &count) != SIM_OK) return SIM_FAULT;
    unsigned size = d->op[0].size, n = (unsigned)count & (size * 8 - 1);
    uint64_t v = kind == SHIFTX_SHL   ? src << n
                 : kind == SHIFTX_SHR ? src >> n
                                      : (uint64_t)((int64_t)sign_extend(src, size) >> n);
    reg_write(cpu, d->op[0].reg, size, v & size_mask(size));
    return SIM_OK;
}

/* SDM Vol. 2 SARX: arithmetic shift right. */
SimStatus exec_sarx(CpuState *cpu, const DecodedInsn *d) {
    return shift_x(cpu, d, SHIFTX_SAR);
}

/* SDM Vol. 2 SHLX: shift left. */
SimStatus exec_shlx(CpuState *cpu, const DecodedInsn *d) {
    return shift_x(cpu, d, SHIFTX_SHL);
}

/* SDM Vol. 2 SHRX: logical shift right. */
SimStatus exec_shrx(CpuState *cpu, const DecodedInsn *d) {
    return shift_x(cpu, d, SHIFTX_SHR);
}
