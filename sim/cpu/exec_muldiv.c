/*
 * Multiply and divide: MUL IMUL DIV IDIV.  SDM Vol. 2 MUL, IMUL, DIV, IDIV
 * "Operation" and "Flags Affected".
 *
 * The one-operand forms use the accumulator pair implicitly: AX := AL * src
 * and AX / src (quotient AL, remainder AH) for bytes; rDX:rAX otherwise.
 *
 * Undefined flags (docs/flags.md), as an Intel core produces them (measured
 * on the build host):
 *  - MUL/IMUL: SF := MSB of the low half (the destination-sized product),
 *    ZF := 0, AF := 0, PF := parity of its low byte;
 *  - DIV/IDIV: all six arithmetic flags unchanged.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 s128;

/* A double-width value of the one-operand forms: low and high halves. */
typedef struct Wide {
    uint64_t lo, hi;
} Wide;


/* The implicit dividend / multiplicand: AX, or rDX:rAX as (hi, lo). */
static inline uint64_t acc_lo(const CpuState *cpu, unsigned size) {
    return reg_read(cpu, reg_off(GPR_RAX), size == 1 ? 2 : size);
}

/* Write a one-operand result: AX := hi:lo for bytes, else rDX := hi, rAX := lo. */
static void acc_write(CpuState *cpu, unsigned size, Wide w) {
    if (size == 1) {
        reg_write(cpu, reg_off(GPR_RAX), 2, (w.hi << 8) | w.lo);
        return;
    }
    reg_write(cpu, reg_off(GPR_RAX), size, w.lo);
    reg_write(cpu, reg_off(GPR_RDX), size, w.hi);
}

/* SDM Vol. 2 MUL: unsigned rDX:rAX := rAX * SRC; CF = OF = (upper half != 0). */
SimStatus exec_mul(CpuState *cpu, const DecodedInsn *d) {
    uint64_t b;
    if (SIM_UNLIKELY(opnd_read(cpu, d, 0, &b) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size, bits = size * 8;
    uint64_t a = reg_read(cpu, reg_off(GPR_RAX), size);
    u128 p = (u128)a * b;
    Wide w = {(uint64_t)p & size_mask(size), (uint64_t)(p >> bits) & size_mask(size)};
    acc_write(cpu, size, w);
    flags_set_mul(cpu, size, w.lo, w.hi != 0);
    return SIM_OK;
}

/* IMUL r/m: signed rDX:rAX := rAX * SRC; CF = OF = (product != SignExtend(low)). */
static SimStatus imul_one(CpuState *cpu, const DecodedInsn *d) {
    uint64_t b;
    if (SIM_UNLIKELY(opnd_read(cpu, d, 0, &b) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size, bits = size * 8;
    uint64_t a = reg_read(cpu, reg_off(GPR_RAX), size);
    s128 p = (s128)(int64_t)sign_extend(a, size) * (int64_t)sign_extend(b, size);
    Wide w = {(uint64_t)p & size_mask(size), (uint64_t)(p >> bits) & size_mask(size)};
    acc_write(cpu, size, w);
    flags_set_mul(cpu, size, w.lo, p != (s128)(int64_t)sign_extend(w.lo, size));
    return SIM_OK;
}

/* IMUL r, r/m and IMUL r, r/m, imm: DEST := truncated product;
 * CF = OF = (full product != SignExtend(truncated)). */
static SimStatus imul_truncating(CpuState *cpu, const DecodedInsn *d) {
    uint64_t a, b;
    unsigned si = d->op_count == 3 ? 1 : 0; /* first factor */
    if (SIM_UNLIKELY(opnd_read(cpu, d, si, &a) != SIM_OK)) return SIM_FAULT;
    if (SIM_UNLIKELY(opnd_read(cpu, d, si + 1, &b) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size;
    s128 p = (s128)(int64_t)sign_extend(a, size) * (int64_t)sign_extend(b, size);
    uint64_t r = (uint64_t)p & size_mask(size);
    reg_write(cpu, d->op[0].reg, size, r);
    flags_set_mul(cpu, size, r, p != (s128)(int64_t)sign_extend(r, size));
    return SIM_OK;
}

/* SDM Vol. 2 IMUL: one-, two- and three-operand forms. */
SimStatus exec_imul(CpuState *cpu, const DecodedInsn *d) {
    return d->op_count == 1 ? imul_one(cpu, d) : imul_truncating(cpu, d);
}

/* SDM Vol. 2 DIV: unsigned; #DE if SRC = 0 or the quotient exceeds the
 * destination, with nothing changed.  Flags unchanged (Intel). */
SimStatus exec_div(CpuState *cpu, const DecodedInsn *d) {
    uint64_t b;
    if (SIM_UNLIKELY(opnd_read(cpu, d, 0, &b) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size, bits = size * 8;
    if (SIM_UNLIKELY(b == 0)) return cpu_raise(cpu, EXC_DE, 0);
    u128 n = size == 1 ? acc_lo(cpu, 1)
                       : ((u128)reg_read(cpu, reg_off(GPR_RDX), size) << bits) | acc_lo(cpu, size);
    u128 q = n / b;
    if (SIM_UNLIKELY(q > size_mask(size))) return cpu_raise(cpu, EXC_DE, 0);
    Wide w = {(uint64_t)q, (uint64_t)(n % b)};
    acc_write(cpu, size, w);
    return SIM_OK;
}

/* The signed dividend: AX, or rDX:rAX, sign-extended to 128 bits. */
static inline s128 idiv_dividend(const CpuState *cpu, unsigned size) {
    if (size == 1) return (int16_t)acc_lo(cpu, 1);
    unsigned bits = size * 8;
    u128 hi = (u128)reg_read(cpu, reg_off(GPR_RDX), size) << bits;
    u128 n = hi | acc_lo(cpu, size);
    unsigned shift = 128 - 2 * bits; /* sign-extend from 2 * bits */
    return (s128)(n << shift) >> shift;
}

/* SDM Vol. 2 IDIV: signed, quotient truncated toward zero, remainder with
 * the dividend's sign; #DE if SRC = 0 or the quotient is out of range
 * (e.g. the most negative dividend by -1).  Flags unchanged (Intel). */
SimStatus exec_idiv(CpuState *cpu, const DecodedInsn *d) {
    uint64_t b;
    if (SIM_UNLIKELY(opnd_read(cpu, d, 0, &b) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size, bits = size * 8;
    s128 divisor = (int64_t)sign_extend(b, size);
    s128 n = idiv_dividend(cpu, size);
    s128 min128 = (s128)((u128)1 << 127);
    if (SIM_UNLIKELY(divisor == 0 || (divisor == -1 && n == min128)))
        return cpu_raise(cpu, EXC_DE, 0);
    s128 q = n / divisor;
    s128 lim = (s128)1 << (bits - 1);
    if (SIM_UNLIKELY(q < -lim || q >= lim)) return cpu_raise(cpu, EXC_DE, 0);
    Wide w = {(uint64_t)q & size_mask(size), (uint64_t)(n % divisor) & size_mask(size)};
    acc_write(cpu, size, w);
    return SIM_OK;
}
