/*
 * Shifts and rotates: SHL SHR SAR ROL ROR RCL RCR SHLD SHRD.
 * SDM Vol. 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD: "Operation" and
 * "Flags Affected".
 *
 * Common rules (SDM): the count is masked to 5 bits (6 bits for 64-bit
 * operands); a masked count of 0 changes no flag.  Where the SDM leaves a
 * result undefined, these handlers produce what an Intel core produces,
 * measured on the build host (docs/flags.md):
 *  - OF for a masked count > 1 is the OF of a 1-bit shift/rotate of the
 *    original operand (the first step of the SDM's loop), except ROL/ROR
 *    of a register by an immediate count, which leave OF unchanged;
 *  - AF after a shift (not a rotate) is 0;
 *  - SHL/SHR of an 8/16-bit operand by count >= width: CF is the last bit
 *    shifted out of the operand zero-extended to 32 bits (0 beyond the width);
 *  - RCL/RCR 8/16-bit whose count mod 9/17 is 0: no flag changes;
 *  - SHLD/SHRD r/m16 with count > 16: the operand shifted is DEST:SRC:DEST
 *    (48 bits), CF the last bit out of it.
 * Even with a zero count the destination is written back, so a 32-bit
 * register destination is zero-extended (as on the host core).
 *
 * SHL/SHR/SAR record lazy flags (LAZY_SHL/SHR/SAR in flags.c compute the
 * same CF and OF as shift_shl/shr/sar below); rotates and SHLD/SHRD set
 * them eagerly.
 */
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

__extension__ typedef unsigned __int128 u128;

typedef struct ShiftOut {
    uint64_t r;
    bool cf, of;
} ShiftOut;

static inline bool top_bit(uint64_t v, unsigned bits) {
    return (v >> (bits - 1)) & 1;
}

/* OF of a 1-bit left shift/rotate of v: MSB XOR the bit below it. */
static inline bool of_left1(uint64_t v, unsigned bits) {
    return top_bit(v, bits) != top_bit(v, bits - 1);
}

/* SHL/SHR/SAR and SHLD/SHRD: SF ZF PF from the result, AF 0, then CF OF. */
static void shift_set_flags(CpuState *cpu, unsigned size, ShiftOut o) {
    flags_set_lazy(cpu, LAZY_LOGIC, size, 0, 0, o.r);
    flags_set_arith(cpu, RFLAGS_CF | RFLAGS_OF, (o.cf ? RFLAGS_CF : 0) | (o.of ? RFLAGS_OF : 0));
}

/* Rotates change CF and OF only (SDM: SF ZF AF PF always unaffected).  The
 * OF the SDM leaves undefined (masked count > 1) is unchanged by ROL/ROR of
 * a register by an immediate count (C0/C1 /0, /1 with ModRM.mod = 11); the
 * other forms (CL count, memory destination) set the OF of the first 1-bit
 * step (Intel, measured: docs/flags.md). */
static void rotate_set_flags(CpuState *cpu, const DecodedInsn *d, bool rol_ror, unsigned c,
                             ShiftOut o) {
    bool keep_of = rol_ror && c != 1 && d->op[0].kind == OPK_REG && d->op[1].kind == OPK_IMM;
    uint64_t mask = keep_of ? RFLAGS_CF : RFLAGS_CF | RFLAGS_OF;
    flags_set_arith(cpu, mask, (o.cf ? RFLAGS_CF : 0) | (o.of ? RFLAGS_OF : 0));
}

/* Read DEST and the count operand `ci`; the count is masked per the SDM. */
static inline SimStatus SIM_MUST_CHECK shift_read(CpuState *cpu, const DecodedInsn *d, unsigned ci,
                                                  uint64_t *v, unsigned *count) {
    uint64_t c;
    if (SIM_UNLIKELY(opnd_read_rmw(cpu, d, 0, v) != SIM_OK)) return SIM_FAULT;
    if (SIM_UNLIKELY(opnd_read(cpu, d, ci, &c) != SIM_OK)) return SIM_FAULT;
    *count = (unsigned)c & (d->op[0].size == 8 ? 63 : 31);
    return SIM_OK;
}

typedef enum ShiftKind { SK_SHL, SK_SHR, SK_SAR, SK_ROL, SK_ROR, SK_RCL, SK_RCR } ShiftKind;

/* SDM SAL/SHL: CF := last bit out; OF (count 1) := MSB(DEST) XOR CF. */
static inline ShiftOut shift_shl(uint64_t v, unsigned bits, unsigned c) {
    ShiftOut o = {.r = (v << c) & size_mask(bits / 8), .of = of_left1(v, bits)};
    o.cf = c <= bits && ((v >> (bits - c)) & 1);
    return o;
}

/* SDM SHR: CF := last bit out; OF (count 1) := MSB(original DEST). */
static inline ShiftOut shift_shr(uint64_t v, unsigned bits, unsigned c) {
    ShiftOut o = {.r = v >> c, .cf = (v >> (c - 1)) & 1, .of = top_bit(v, bits)};
    return o;
}

/* SDM SAR: CF := last bit out (the sign beyond the width); OF := 0. */
static inline ShiftOut shift_sar(uint64_t v, unsigned bits, unsigned c) {
    int64_t s = (int64_t)sign_extend(v, bits / 8);
    ShiftOut o = {.r = (uint64_t)(s >> c) & size_mask(bits / 8), .cf = (s >> (c - 1)) & 1};
    return o;
}

static inline uint64_t rotl(uint64_t v, unsigned bits, unsigned c) {
    c &= bits - 1;
    return c ? ((v << c) | (v >> (bits - c))) & size_mask(bits / 8) : v;
}

/* SDM ROL: CF := LSB(DEST); OF (count 1) := MSB(DEST) XOR CF. */
static inline ShiftOut shift_rol(uint64_t v, unsigned bits, unsigned c) {
    uint64_t r = rotl(v, bits, c);
    ShiftOut o = {.r = r, .cf = r & 1, .of = of_left1(v, bits)};
    return o;
}

/* SDM ROR: CF := MSB(DEST); OF (count 1) := MSB(DEST) XOR MSB-1(DEST). */
static inline ShiftOut shift_ror(uint64_t v, unsigned bits, unsigned c) {
    uint64_t r = rotl(v, bits, bits - (c & (bits - 1)));
    ShiftOut o = {.r = r, .cf = top_bit(r, bits), .of = top_bit(v, bits) != (v & 1)};
    return o;
}

/* SDM RCL/RCR: rotate the (bits+1)-bit value CF:DEST by c, 1 <= c <= bits.
 * RCL OF (count 1) := MSB(DEST) XOR CF after; RCR OF := MSB(DEST) XOR CF
 * before. */
static inline ShiftOut shift_rcx(uint64_t v, unsigned bits, unsigned c, bool cf, bool left) {
    u128 x = ((u128)cf << bits) | v;
    u128 wide = ((u128)1 << (bits + 1)) - 1;
    unsigned back = bits + 1 - c;
    u128 y = (left ? (x << c) | (x >> back) : (x >> c) | (x << back)) & wide;
    ShiftOut o = {.r = (uint64_t)y & size_mask(bits / 8), .cf = (y >> bits) & 1};
    o.of = left ? of_left1(v, bits) : top_bit(v, bits) != cf;
    return o;
}

/* RCL/RCR effective count: 8- and 16-bit rotate through 9 and 17 bits. */
static inline unsigned rcx_count(unsigned bits, unsigned c) {
    return bits == 8 ? c % 9 : bits == 16 ? c % 17 : c;
}

/* The result, CF and OF of a shift/rotate by a nonzero masked count c. */
static inline __attribute__((always_inline)) ShiftOut
shift_compute(const CpuState *cpu, ShiftKind kind, uint64_t v, unsigned bits, unsigned c) {
    switch (kind) {
    case SK_SHL:
        return shift_shl(v, bits, c);
    case SK_SHR:
        return shift_shr(v, bits, c);
    case SK_SAR:
        return shift_sar(v, bits, c);
    case SK_ROL:
        return shift_rol(v, bits, c);
    case SK_ROR:
        return shift_ror(v, bits, c);
    default:
        return shift_rcx(v, bits, rcx_count(bits, c), flags_cf(cpu), kind == SK_RCL);
    }
}

/* One handler body for the seven shift/rotate kinds; `kind` is constant
 * after inlining. */
static inline __attribute__((always_inline)) SimStatus
shift_exec(CpuState *cpu, const DecodedInsn *d, ShiftKind kind) {
    uint64_t v;
    unsigned c, size = d->op[0].size, bits = size * 8;
    if (SIM_UNLIKELY(shift_read(cpu, d, 1, &v, &c) != SIM_OK)) return SIM_FAULT;
    if ((kind == SK_RCL || kind == SK_RCR) && rcx_count(bits, c) == 0)
        c = 0; /* CF:DEST comes back unchanged: no flag changes (Intel) */
    if (c == 0) return opnd_write(cpu, d, 0, v);
    ShiftOut o = shift_compute(cpu, kind, v, bits, c);
    if (SIM_UNLIKELY(opnd_write(cpu, d, 0, o.r) != SIM_OK)) return SIM_FAULT;
    if (kind <= SK_SAR) /* SF ZF PF from the result, AF 0, CF OF as shift_shl/shr/sar */
        flags_set_lazy(cpu, (LazyOp)(LAZY_SHL + (kind - SK_SHL)), size, v, c, o.r);
    else
        rotate_set_flags(cpu, d, kind == SK_ROL || kind == SK_ROR, c, o);
    return SIM_OK;
}

/* SDM Vol. 2 SAL/SHL: shift left, CF = last bit out, OF for count 1. */
SimStatus exec_shl(CpuState *cpu, const DecodedInsn *d) {
    return shift_exec(cpu, d, SK_SHL);
}

/* SDM Vol. 2 SHR: unsigned shift right, CF = last bit out, OF for count 1. */
SimStatus exec_shr(CpuState *cpu, const DecodedInsn *d) {
    return shift_exec(cpu, d, SK_SHR);
}

/* SDM Vol. 2 SAR: signed shift right, CF = last bit out, OF = 0 for count 1. */
SimStatus exec_sar(CpuState *cpu, const DecodedInsn *d) {
    return shift_exec(cpu, d, SK_SAR);
}

/* SDM Vol. 2 ROL: rotate left, CF and OF only. */
SimStatus exec_rol(CpuState *cpu, const DecodedInsn *d) {
    return shift_exec(cpu, d, SK_ROL);
}

/* SDM Vol. 2 ROR: rotate right, CF and OF only. */
SimStatus exec_ror(CpuState *cpu, const DecodedInsn *d) {
    return shift_exec(cpu, d, SK_ROR);
}

/* SDM Vol. 2 RCL: rotate left through CF, CF and OF only. */
SimStatus exec_rcl(CpuState *cpu, const DecodedInsn *d) {
    return shift_exec(cpu, d, SK_RCL);
}

/* SDM Vol. 2 RCR: rotate right through CF, CF and OF only. */
SimStatus exec_rcr(CpuState *cpu, const DecodedInsn *d) {
    return shift_exec(cpu, d, SK_RCR);
}

/* SDM SHLD: DEST := DEST:SRC shifted left by c, upper half; CF := last bit
 * out of DEST; OF (count 1) := sign change.  16-bit counts above 16 shift
 * DEST:SRC:DEST (Intel; docs/flags.md). */
static inline ShiftOut shift_shld(uint64_t dst, uint64_t src, unsigned bits, unsigned c) {
    ShiftOut o = {.of = of_left1(dst, bits)};
    if (bits == 16) {
        uint64_t x = (dst << 32) | (src << 16) | dst;
        o.r = (x >> (32 - c)) & 0xffff;
        o.cf = (x >> (48 - c)) & 1;
    } else {
        u128 x = ((u128)dst << bits) | src;
        o.r = (uint64_t)((x << c) >> bits) & size_mask(bits / 8);
        o.cf = (x >> (2 * bits - c)) & 1;
    }
    return o;
}

/* SDM SHRD: DEST := SRC:DEST shifted right by c, lower half; CF := last bit
 * out of DEST; OF (count 1) := sign change.  16-bit counts above 16 shift
 * DEST:SRC:DEST (Intel; docs/flags.md). */
static inline ShiftOut shift_shrd(uint64_t dst, uint64_t src, unsigned bits, unsigned c) {
    ShiftOut o = {.of = top_bit(dst, bits) != (src & 1)};
    u128 x = bits == 16 ? ((u128)dst << 32) | (src << 16) | dst : ((u128)src << bits) | dst;
    o.r = (uint64_t)(x >> c) & size_mask(bits / 8);
    o.cf = (x >> (c - 1)) & 1;
    return o;
}

static inline __attribute__((always_inline)) SimStatus
shift_double(CpuState *cpu, const DecodedInsn *d, bool left) {
    uint64_t v, src;
    unsigned c, size = d->op[0].size;
    if (SIM_UNLIKELY(shift_read(cpu, d, 2, &v, &c) != SIM_OK)) return SIM_FAULT;
    src = reg_read(cpu, d->op[1].reg, size);
    if (c == 0) return opnd_write(cpu, d, 0, v);
    ShiftOut o = left ? shift_shld(v, src, size * 8, c) : shift_shrd(v, src, size * 8, c);
    if (SIM_UNLIKELY(opnd_write(cpu, d, 0, o.r) != SIM_OK)) return SIM_FAULT;
    shift_set_flags(cpu, size, o);
    return SIM_OK;
}

/* SDM Vol. 2 SHLD: double-precision shift left (op[2] is the count). */
SimStatus exec_shld(CpuState *cpu, const DecodedInsn *d) {
    return shift_double(cpu, d, true);
}

/* SDM Vol. 2 SHRD: double-precision shift right (op[2] is the count). */
SimStatus exec_shrd(CpuState *cpu, const DecodedInsn *d) {
    return shift_double(cpu, d, false);
}
