/*
 * Bit operations: BT BTS BTR BTC BSF BSR BSWAP.  SDM Vol. 2 BT, BTS, BTR,
 * BTC, BSF, BSR, BSWAP "Operation" and "Flags Affected".
 *
 * Undefined results (docs/flags.md), as an Intel core produces them
 * (measured on the build host):
 *  - BT/BTS/BTR/BTC: OF SF AF PF unchanged (ZF is architecturally unaffected);
 *  - BSF/BSR: CF OF SF AF := 0, PF := parity of the index written (of 0 when
 *    the source is 0); with a zero source the destination is not written at
 *    all, not even zero-extended;
 *  - BSWAP r16: the low word becomes 0, bits 63:16 are kept.
 */
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

typedef enum BitOp { BIT_TEST, BIT_SET, BIT_RESET, BIT_COMPLEMENT } BitOp;

static inline uint64_t bit_apply(uint64_t v, unsigned bit, BitOp op) {
    uint64_t m = UINT64_C(1) << bit;
    switch (op) {
    case BIT_SET:
        return v | m;
    case BIT_RESET:
        return v & ~m;
    case BIT_COMPLEMENT:
        return v ^ m;
    default:
        return v;
    }
}

/* CF := the selected bit; every other flag keeps its value. */
static inline void bit_set_cf(CpuState *cpu, uint64_t v, unsigned bit) {
    flags_set_arith(cpu, RFLAGS_CF, ((v >> bit) & 1) ? RFLAGS_CF : 0);
}

/* SDM BT "Operation": a memory bit base with a register offset addresses a
 * bit string; the offset is signed and selects the operand-sized unit at
 * EA + (offset SAR log2(width)) * size, then the bit within it. */
static SimStatus bit_exec_string(CpuState *cpu, const DecodedInsn *d, BitOp op, uint64_t off) {
    unsigned size = d->op[0].size, bits = size * 8;
    int64_t soff = (int64_t)sign_extend(off, d->op[1].size);
    int64_t unit = soff >> (3 + __builtin_ctz(size));
    uint64_t ea = (insn_ea(cpu, d) + (uint64_t)unit * size) & size_mask(d->addrsize);
    unsigned bit = (unsigned)soff & (bits - 1);
    uint64_t v;
    SimStatus st = op == BIT_TEST ? cpu_mem_read(cpu, d->seg, ea, size, &v)
                                  : cpu_mem_read_rmw(cpu, d->seg, ea, size, &v);
    if (SIM_UNLIKELY(st != SIM_OK)) return SIM_FAULT;
    if (op != BIT_TEST &&
        SIM_UNLIKELY(cpu_mem_write(cpu, d->seg, ea, size, bit_apply(v, bit, op)) != SIM_OK))
        return SIM_FAULT;
    bit_set_cf(cpu, v, bit);
    return SIM_OK;
}

/* Register bit base, or an immediate offset: the offset is taken modulo the
 * operand width. */
static inline __attribute__((always_inline)) SimStatus bit_exec(CpuState *cpu, const DecodedInsn *d,
                                                                BitOp op) {
    uint64_t off, v;
    if (SIM_UNLIKELY(opnd_read(cpu, d, 1, &off) != SIM_OK)) return SIM_FAULT;
    if (d->op[0].kind == OPK_MEM && d->op[1].kind == OPK_REG)
        return bit_exec_string(cpu, d, op, off);
    unsigned bit = (unsigned)off & (d->op[0].size * 8 - 1);
    SimStatus st = op == BIT_TEST ? opnd_read(cpu, d, 0, &v) : opnd_read_rmw(cpu, d, 0, &v);
    if (SIM_UNLIKELY(st != SIM_OK)) return SIM_FAULT;
    if (op != BIT_TEST && SIM_UNLIKELY(opnd_write(cpu, d, 0, bit_apply(v, bit, op)) != SIM_OK))
        return SIM_FAULT;
    bit_set_cf(cpu, v, bit);
    return SIM_OK;
}

/* SDM Vol. 2 BT: CF := Bit(BitBase, BitOffset). */
SimStatus exec_bt(CpuState *cpu, const DecodedInsn *d) {
    return bit_exec(cpu, d, BIT_TEST);
}

/* SDM Vol. 2 BTS: CF := Bit(BitBase, BitOffset); Bit := 1. */
SimStatus exec_bts(CpuState *cpu, const DecodedInsn *d) {
    return bit_exec(cpu, d, BIT_SET);
}

/* SDM Vol. 2 BTR: CF := Bit(BitBase, BitOffset); Bit := 0. */
SimStatus exec_btr(CpuState *cpu, const DecodedInsn *d) {
    return bit_exec(cpu, d, BIT_RESET);
}

/* SDM Vol. 2 BTC: CF := Bit(BitBase, BitOffset); Bit := NOT Bit. */
SimStatus exec_btc(CpuState *cpu, const DecodedInsn *d) {
    return bit_exec(cpu, d, BIT_COMPLEMENT);
}

/* BSF/BSR: ZF := (SRC = 0); with SRC = 0 DEST is left as it was. */
static inline __attribute__((always_inline)) SimStatus bit_scan(CpuState *cpu, const DecodedInsn *d,
                                                                bool reverse) {
    uint64_t src;
    if (SIM_UNLIKELY(opnd_read(cpu, d, 1, &src) != SIM_OK)) return SIM_FAULT;
    if (src == 0) {
        flags_set_arith(cpu, RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF);
        return SIM_OK;
    }
    unsigned index = reverse ? 63 - __builtin_clzll(src) : __builtin_ctzll(src);
    reg_write(cpu, d->op[0].reg, d->op[0].size, index);
    flags_set_arith(cpu, RFLAGS_ARITH, __builtin_parity(index) ? 0 : RFLAGS_PF);
    return SIM_OK;
}

/* SDM Vol. 2 BSF: DEST := index of the least significant set bit of SRC. */
SimStatus exec_bsf(CpuState *cpu, const DecodedInsn *d) {
    return bit_scan(cpu, d, false);
}

/* SDM Vol. 2 BSR: DEST := index of the most significant set bit of SRC. */
SimStatus exec_bsr(CpuState *cpu, const DecodedInsn *d) {
    return bit_scan(cpu, d, true);
}

/* SDM Vol. 2 BSWAP: reverse the bytes of a 32- or 64-bit register (a 32-bit
 * result zero-extends).  The 16-bit form is undefined; Intel cores clear the
 * low word.  Flags unaffected. */
SimStatus exec_bswap(CpuState *cpu, const DecodedInsn *d) {
    const DecodedOperand *o = &d->op[0];
    uint64_t v = reg_read(cpu, o->reg, o->size);
    if (o->size == 8)
        v = __builtin_bswap64(v);
    else if (o->size == 4)
        v = __builtin_bswap32((uint32_t)v);
    else
        v = 0;
    reg_write(cpu, o->reg, o->size, v);
    return SIM_OK;
}
