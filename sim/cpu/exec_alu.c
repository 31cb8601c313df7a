/*
 * Integer arithmetic and logic: ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC
 * NEG NOT XADD CMPXCHG, the accumulator sign extensions CBW..CQO, and the
 * direct flag instructions CLC STC CMC LAHF SAHF.  SDM Vol. 2, each
 * instruction's "Operation" and "Flags Affected".
 *
 * Every handler reads all operands, computes, writes the destination and
 * only then records the flags (style.md rule 4), so a faulting write leaves
 * registers and flags as they were.
 */
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

typedef enum AluOp { ALU_ADD, ALU_ADC, ALU_SUB, ALU_SBB, ALU_AND, ALU_OR, ALU_XOR } AluOp;

/* DEST and SRC; `write`: DEST is read as a read-modify-write destination. */
static inline __attribute__((always_inline)) SimStatus SIM_MUST_CHECK
read_two(CpuState *cpu, const DecodedInsn *d, uint64_t *a, uint64_t *b, bool write) {
    SimStatus st = write ? opnd_read_rmw(cpu, d, 0, a) : opnd_read(cpu, d, 0, a);
    if (SIM_UNLIKELY(st != SIM_OK)) return SIM_FAULT;
    return opnd_read(cpu, d, 1, b);
}

static inline __attribute__((always_inline)) uint64_t alu_compute(const CpuState *cpu, AluOp op,
                                                                  uint64_t a, uint64_t b) {
    switch (op) {
    case ALU_ADD:
        return a + b;
    case ALU_ADC:
        return a + b + flags_cf(cpu);
    case ALU_SUB:
        return a - b;
    case ALU_SBB:
        return a - b - flags_cf(cpu);
    case ALU_AND:
        return a & b;
    case ALU_OR:
        return a | b;
    default:
        return a ^ b;
    }
}

static inline LazyOp alu_lazy_op(AluOp op) {
    if (op == ALU_ADD || op == ALU_ADC) return LAZY_ADD;
    if (op == ALU_SUB || op == ALU_SBB) return LAZY_SUB;
    return LAZY_LOGIC;
}

/* Two-operand ALU instruction; `write` is false for CMP and TEST.  Inlined
 * with a constant `op`, each handler becomes straight-line code. */
static inline __attribute__((always_inline)) SimStatus
alu_binary(CpuState *cpu, const DecodedInsn *d, AluOp op, bool write) {
    uint64_t a, b;
    if (SIM_UNLIKELY(read_two(cpu, d, &a, &b, write) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size;
    uint64_t r = alu_compute(cpu, op, a, b) & size_mask(size);
    if (write && SIM_UNLIKELY(opnd_write(cpu, d, 0, r) != SIM_OK)) return SIM_FAULT;
    flags_set_lazy(cpu, alu_lazy_op(op), size, a, b, r);
    return SIM_OK;
}

/* SDM Vol. 2 ADD: DEST := DEST + SRC; OF SF ZF AF CF PF per result. */
SimStatus exec_add(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_ADD, true);
}

/* SDM Vol. 2 ADC: DEST := DEST + SRC + CF; OF SF ZF AF CF PF per result. */
SimStatus exec_adc(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_ADC, true);
}

/* SDM Vol. 2 SUB: DEST := DEST - SRC; OF SF ZF AF CF PF per result. */
SimStatus exec_sub(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_SUB, true);
}

/* SDM Vol. 2 SBB: DEST := DEST - (SRC + CF); OF SF ZF AF CF PF per result. */
SimStatus exec_sbb(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_SBB, true);
}

/* SDM Vol. 2 CMP: temp := SRC1 - SignExtend(SRC2); flags as SUB, no write. */
SimStatus exec_cmp(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_SUB, false);
}

/* SDM Vol. 2 AND: OF, CF cleared; SF ZF PF per result; AF undefined (0). */
SimStatus exec_and(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_AND, true);
}

/* SDM Vol. 2 OR: OF, CF cleared; SF ZF PF per result; AF undefined (0). */
SimStatus exec_or(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_OR, true);
}

/* SDM Vol. 2 XOR: OF, CF cleared; SF ZF PF per result; AF undefined (0). */
SimStatus exec_xor(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_XOR, true);
}

/* SDM Vol. 2 TEST: TEMP := SRC1 AND SRC2; flags as AND, no write. */
SimStatus exec_test(CpuState *cpu, const DecodedInsn *d) {
    return alu_binary(cpu, d, ALU_AND, false);
}

/* INC/DEC: CF is not affected, so the lazy record keeps the old CF in src2. */
static inline __attribute__((always_inline)) SimStatus alu_incdec(CpuState *cpu,
                                                                  const DecodedInsn *d, LazyOp op) {
    uint64_t a;
    if (SIM_UNLIKELY(opnd_read_rmw(cpu, d, 0, &a) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size;
    uint64_t r = (op == LAZY_INC ? a + 1 : a - 1) & size_mask(size);
    bool cf = flags_cf(cpu);
    if (SIM_UNLIKELY(opnd_write(cpu, d, 0, r) != SIM_OK)) return SIM_FAULT;
    flags_set_lazy(cpu, op, size, a, cf, r);
    return SIM_OK;
}

/* SDM Vol. 2 INC: DEST := DEST + 1; CF unaffected, OF SF ZF AF PF per result. */
SimStatus exec_inc(CpuState *cpu, const DecodedInsn *d) {
    return alu_incdec(cpu, d, LAZY_INC);
}

/* SDM Vol. 2 DEC: DEST := DEST - 1; CF unaffected, OF SF ZF AF PF per result. */
SimStatus exec_dec(CpuState *cpu, const DecodedInsn *d) {
    return alu_incdec(cpu, d, LAZY_DEC);
}

/* SDM Vol. 2 NEG: DEST := -DEST; CF := (DEST != 0); OF SF ZF AF PF per result
 * (recorded as SUB 0 - DEST, which gives exactly those flags). */
SimStatus exec_neg(CpuState *cpu, const DecodedInsn *d) {
    uint64_t a;
    if (SIM_UNLIKELY(opnd_read_rmw(cpu, d, 0, &a) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size;
    uint64_t r = (0 - a) & size_mask(size);
    if (SIM_UNLIKELY(opnd_write(cpu, d, 0, r) != SIM_OK)) return SIM_FAULT;
    flags_set_lazy(cpu, LAZY_SUB, size, 0, a, r);
    return SIM_OK;
}

/* SDM Vol. 2 NOT: DEST := NOT DEST; flags unaffected. */
SimStatus exec_not(CpuState *cpu, const DecodedInsn *d) {
    uint64_t a;
    if (SIM_UNLIKELY(opnd_read_rmw(cpu, d, 0, &a) != SIM_OK)) return SIM_FAULT;
    return opnd_write(cpu, d, 0, ~a & size_mask(d->op[0].size));
}

/* SDM Vol. 2 XADD: TEMP := SRC + DEST; SRC := DEST; DEST := TEMP; flags as
 * ADD.  The register source is written after the (possibly faulting) memory
 * destination; with two registers the SDM's order decides XADD r,r (same
 * register): DEST, written last, gets the sum. */
SimStatus exec_xadd(CpuState *cpu, const DecodedInsn *d) {
    uint64_t dst, src;
    if (SIM_UNLIKELY(read_two(cpu, d, &dst, &src, true) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size;
    uint64_t sum = (dst + src) & size_mask(size);
    if (d->op[0].kind == OPK_REG) {
        reg_write(cpu, d->op[1].reg, size, dst);
        reg_write(cpu, d->op[0].reg, size, sum);
    } else {
        if (SIM_UNLIKELY(opnd_write(cpu, d, 0, sum) != SIM_OK)) return SIM_FAULT;
        reg_write(cpu, d->op[1].reg, size, dst);
    }
    flags_set_lazy(cpu, LAZY_ADD, size, dst, src, sum);
    return SIM_OK;
}

/* SDM Vol. 2 CMPXCHG: compare the accumulator with DEST (flags as CMP
 * accumulator, DEST).  Equal: ZF := 1, DEST := SRC.  Unequal: ZF := 0,
 * accumulator := DEST, and a memory DEST is written back with its own value
 * (the processor never produces a locked read without a locked write).  A
 * register DEST is left untouched when unequal: an Intel core does not
 * zero-extend a 32-bit register destination then (docs/flags.md). */
SimStatus exec_cmpxchg(CpuState *cpu, const DecodedInsn *d) {
    uint64_t dst, src;
    if (SIM_UNLIKELY(read_two(cpu, d, &dst, &src, true) != SIM_OK)) return SIM_FAULT;
    unsigned size = d->op[0].size;
    uint64_t acc = reg_read(cpu, reg_off(GPR_RAX), size);
    uint64_t diff = (acc - dst) & size_mask(size);
    if (acc == dst) {
        if (SIM_UNLIKELY(opnd_write(cpu, d, 0, src) != SIM_OK)) return SIM_FAULT;
    } else {
        if (d->op[0].kind != OPK_REG && SIM_UNLIKELY(opnd_write(cpu, d, 0, dst) != SIM_OK))
            return SIM_FAULT;
        reg_write(cpu, reg_off(GPR_RAX), size, dst);
    }
    flags_set_lazy(cpu, LAZY_SUB, size, acc, dst, diff);
    return SIM_OK;
}

/* CBW/CWDE/CDQE share opcode 98: the accumulator's low half, sign-extended
 * to the operand size.  A 32-bit write zero-extends into RAX. */
static SimStatus alu_extend_acc(CpuState *cpu, unsigned size) {
    unsigned half = size / 2;
    uint64_t v = sign_extend(reg_read(cpu, reg_off(GPR_RAX), half), half);
    reg_write(cpu, reg_off(GPR_RAX), size, v & size_mask(size));
    return SIM_OK;
}

/* SDM Vol. 2 CBW/CWDE/CDQE: AX := SignExtend(AL) (and wider forms); no flags. */
SimStatus exec_cbw(CpuState *cpu, const DecodedInsn *d) {
    return alu_extend_acc(cpu, d->opsize);
}
SimStatus exec_cwde(CpuState *cpu, const DecodedInsn *d) {
    return alu_extend_acc(cpu, d->opsize);
}
SimStatus exec_cdqe(CpuState *cpu, const DecodedInsn *d) {
    return alu_extend_acc(cpu, d->opsize);
}

/* CWD/CDQ/CQO share opcode 99: rDX := the accumulator's sign, replicated. */
static SimStatus alu_extend_acc_into_dx(CpuState *cpu, unsigned size) {
    uint64_t a = reg_read(cpu, reg_off(GPR_RAX), size);
    bool negative = (a >> (8 * size - 1)) & 1;
    reg_write(cpu, reg_off(GPR_RDX), size, negative ? size_mask(size) : 0);
    return SIM_OK;
}

/* SDM Vol. 2 CWD/CDQ/CQO: DX:AX := SignExtend(AX) (and wider forms); no flags. */
SimStatus exec_cwd(CpuState *cpu, const DecodedInsn *d) {
    return alu_extend_acc_into_dx(cpu, d->opsize);
}
SimStatus exec_cdq(CpuState *cpu, const DecodedInsn *d) {
    return alu_extend_acc_into_dx(cpu, d->opsize);
}
SimStatus exec_cqo(CpuState *cpu, const DecodedInsn *d) {
    return alu_extend_acc_into_dx(cpu, d->opsize);
}

/* SDM Vol. 2 CLC: CF := 0; other flags unaffected. */
SimStatus exec_clc(CpuState *cpu, const DecodedInsn *d) {
    flags_set_arith(cpu, RFLAGS_CF, 0);
    return SIM_OK;
}

/* SDM Vol. 2 STC: CF := 1; other flags unaffected. */
SimStatus exec_stc(CpuState *cpu, const DecodedInsn *d) {
    flags_set_arith(cpu, RFLAGS_CF, RFLAGS_CF);
    return SIM_OK;
}

/* SDM Vol. 2 CMC: CF := NOT CF; other flags unaffected. */
SimStatus exec_cmc(CpuState *cpu, const DecodedInsn *d) {
    flags_set_arith(cpu, RFLAGS_CF, flags_cf(cpu) ? 0 : RFLAGS_CF);
    return SIM_OK;
}

/* AH holds SF:ZF:0:AF:0:PF:1:CF (SDM Vol. 2 LAHF/SAHF "Operation"). */
#define AH_FLAGS (RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF | RFLAGS_CF)

/* SDM Vol. 2 LAHF: AH := EFLAGS(SF:ZF:0:AF:0:PF:1:CF); flags unaffected.
 * The 64-bit-mode #UD when CPUID.80000001H:ECX.LAHF-SAHF[bit 0] = 0 does not
 * apply: the simulated CPU model reports the feature. */
SimStatus exec_lahf(CpuState *cpu, const DecodedInsn *d) {
    uint64_t ah = (flags_compute(cpu) & AH_FLAGS) | RFLAGS_FIXED1;
    reg_write(cpu, reg_off(GPR_RAX) + 1, 1, ah);
    return SIM_OK;
}

/* SDM Vol. 2 SAHF: EFLAGS(SF:ZF:0:AF:0:PF:1:CF) := AH; OF unaffected. */
SimStatus exec_sahf(CpuState *cpu, const DecodedInsn *d) {
    flags_set_arith(cpu, AH_FLAGS, reg_read(cpu, reg_off(GPR_RAX) + 1, 1));
    return SIM_OK;
}
