/*
 * Specialised handlers for the instructions compiled code executes most:
 * MOV, the ALU operations, INC/DEC, LEA, MOVZX/MOVSX, PUSH/POP, near
 * branches.  Each is generated for one operand form (register, immediate,
 * memory) and one size, so it contains no switch on operand kinds and no
 * variable-size copies.  Semantics are those of the generic handlers in
 * exec_alu.c, exec_move.c, exec_stack.c and exec_branch.c (SDM Vol. 2 for
 * each instruction); the differential tests hold both to the host CPU.
 */
#include "sim/cpu/fast_handlers.h"

#include "sim/cpu/branch.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

/* Register access at a constant size; `off` is a byte offset into cpu->gpr.
 * 32-bit writes zero-extend (SDM Vol. 1 3.4.1.1). */
#define RD8(c, off) ((uint64_t)((const uint8_t *)(c)->gpr)[off])
#define RD64(c, off) ((c)->gpr[(off) >> 3])
#define RD32(c, off) ((uint64_t)(uint32_t)(c)->gpr[(off) >> 3])
#define RD16(c, off) ((uint64_t)(uint16_t)(c)->gpr[(off) >> 3])
#define WR8(c, off, v) (((uint8_t *)(c)->gpr)[off] = (uint8_t)(v))
#define WR16(c, off, v) ((c)->gpr[(off) >> 3] = ((c)->gpr[(off) >> 3] & ~UINT64_C(0xffff)) | ((v) & 0xffff))
#define WR32(c, off, v) ((c)->gpr[(off) >> 3] = (uint32_t)(v))
#define WR64(c, off, v) ((c)->gpr[(off) >> 3] = (v))
#define MASK8 UINT64_C(0xff)
#define MASK16 UINT64_C(0xffff)
#define MASK32 UINT64_C(0xffffffff)
#define MASK64 UINT64_MAX

#define MEM_READ(c, d, bytes, v) cpu_mem_read(c, (d)->seg, insn_ea(c, d), bytes, v)
/* The memory destination of an ALU form: read as a write when WRITE (RMW). */
#define MEM_READ_DST(c, d, bytes, v, WRITE)                                                        \
    ((WRITE) ? cpu_mem_read_rmw(c, (d)->seg, insn_ea(c, d), bytes, v) : MEM_READ(c, d, bytes, v))
#define MEM_WRITE(c, d, bytes, v) cpu_mem_write(c, (d)->seg, insn_ea(c, d), bytes, v)

/* ALU: OPEXPR computes r from a and b; WRITE is 0 for CMP and TEST. */
#define ALU_FORMS(name, OPEXPR, LAZY, WRITE, SZ)                                                   \
    static SimStatus name##_rr##SZ(CpuState *c, const DecodedInsn *d)                              \
    {                                                                                              \
        uint64_t a = RD##SZ(c, d->op[0].reg), b = RD##SZ(c, d->op[1].reg);                         \
        uint64_t r = (OPEXPR) & MASK##SZ;                                                          \
        if (WRITE)                                                                                 \
            WR##SZ(c, d->op[0].reg, r);                                                            \
        flags_set_lazy(c, LAZY, SZ / 8, a, b, r);                                                  \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus name##_ri##SZ(CpuState *c, const DecodedInsn *d)                              \
    {                                                                                              \
        uint64_t a = RD##SZ(c, d->op[0].reg), b = d->imm & MASK##SZ;                               \
        uint64_t r = (OPEXPR) & MASK##SZ;                                                          \
        if (WRITE)                                                                                 \
            WR##SZ(c, d->op[0].reg, r);                                                            \
        flags_set_lazy(c, LAZY, SZ / 8, a, b, r);                                                  \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus name##_rm##SZ(CpuState *c, const DecodedInsn *d)                              \
    {                                                                                              \
        uint64_t a = RD##SZ(c, d->op[0].reg), b;                                                   \
        if (SIM_UNLIKELY(MEM_READ(c, d, SZ / 8, &b) != SIM_OK))                                    \
            return SIM_FAULT;                                                                      \
        uint64_t r = (OPEXPR) & MASK##SZ;                                                          \
        if (WRITE)                                                                                 \
            WR##SZ(c, d->op[0].reg, r);                                                            \
        flags_set_lazy(c, LAZY, SZ / 8, a, b, r);                                                  \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus name##_mr##SZ(CpuState *c, const DecodedInsn *d)                              \
    {                                                                                              \
        uint64_t a, b = RD##SZ(c, d->op[1].reg);                                                   \
        if (SIM_UNLIKELY(MEM_READ_DST(c, d, SZ / 8, &a, WRITE) != SIM_OK))                         \
            return SIM_FAULT;                                                                      \
        uint64_t r = (OPEXPR) & MASK##SZ;                                                          \
        if (WRITE && SIM_UNLIKELY(MEM_WRITE(c, d, SZ / 8, r) != SIM_OK))                           \
            return SIM_FAULT;                                                                      \
        flags_set_lazy(c, LAZY, SZ / 8, a, b, r);                                                  \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus name##_mi##SZ(CpuState *c, const DecodedInsn *d)                              \
    {                                                                                              \
        uint64_t a, b = d->imm & MASK##SZ;                                                         \
        if (SIM_UNLIKELY(MEM_READ_DST(c, d, SZ / 8, &a, WRITE) != SIM_OK))                         \
            return SIM_FAULT;                                                                      \
        uint64_t r = (OPEXPR) & MASK##SZ;                                                          \
        if (WRITE && SIM_UNLIKELY(MEM_WRITE(c, d, SZ / 8, r) != SIM_OK))                           \
            return SIM_FAULT;                                                                      \
        flags_set_lazy(c, LAZY, SZ / 8, a, b, r);                                                  \
        return SIM_OK;                                                                             \
    }

#define ALU_ALL_SIZES(name, OPEXPR, LAZY, WRITE)                                                   \
    ALU_FORMS(name, OPEXPR, LAZY, WRITE, 8)                                                        \
    ALU_FORMS(name, OPEXPR, LAZY, WRITE, 16)                                                       \
    ALU_FORMS(name, OPEXPR, LAZY, WRITE, 32)                                                       \
    ALU_FORMS(name, OPEXPR, LAZY, WRITE, 64)

ALU_ALL_SIZES(add, a + b, LAZY_ADD, 1)
ALU_ALL_SIZES(sub, a - b, LAZY_SUB, 1)
ALU_ALL_SIZES(cmp, a - b, LAZY_SUB, 0)
ALU_ALL_SIZES(and, a &b, LAZY_LOGIC, 1)
ALU_ALL_SIZES(or, a | b, LAZY_LOGIC, 1)
ALU_ALL_SIZES(xor, a ^ b, LAZY_LOGIC, 1)
ALU_ALL_SIZES(test, a &b, LAZY_LOGIC, 0)

/* MOV in every form (no flags). */
#define MOV_FORMS(SZ)                                                                              \
    static SimStatus mov_rr##SZ(CpuState *c, const DecodedInsn *d)                                 \
    {                                                                                              \
        WR##SZ(c, d->op[0].reg, RD##SZ(c, d->op[1].reg));                                          \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus mov_ri##SZ(CpuState *c, const DecodedInsn *d)                                 \
    {                                                                                              \
        WR##SZ(c, d->op[0].reg, d->imm &MASK##SZ);                                                 \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus mov_rm##SZ(CpuState *c, const DecodedInsn *d)                                 \
    {                                                                                              \
        uint64_t v;                                                                                \
        if (SIM_UNLIKELY(MEM_READ(c, d, SZ / 8, &v) != SIM_OK))                                    \
            return SIM_FAULT;                                                                      \
        WR##SZ(c, d->op[0].reg, v);                                                                \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus mov_mr##SZ(CpuState *c, const DecodedInsn *d)                                 \
    {                                                                                              \
        return MEM_WRITE(c, d, SZ / 8, RD##SZ(c, d->op[1].reg));                                   \
    }                                                                                              \
    static SimStatus mov_mi##SZ(CpuState *c, const DecodedInsn *d)                                 \
    {                                                                                              \
        return MEM_WRITE(c, d, SZ / 8, d->imm &MASK##SZ);                                          \
    }

MOV_FORMS(8)
MOV_FORMS(16)
MOV_FORMS(32)
MOV_FORMS(64)

/* INC/DEC of a register: CF is kept in the lazy record (as exec_alu.c does). */
#define INCDEC(name, DELTA, LAZY, SZ)                                                              \
    static SimStatus name##_r##SZ(CpuState *c, const DecodedInsn *d)                               \
    {                                                                                              \
        uint64_t a = RD##SZ(c, d->op[0].reg), r = (a + (DELTA)) & MASK##SZ;                        \
        bool cf = flags_cf(c);                                                                     \
        WR##SZ(c, d->op[0].reg, r);                                                                \
        flags_set_lazy(c, LAZY, SZ / 8, a, cf, r);                                                 \
        return SIM_OK;                                                                             \
    }

INCDEC(inc, 1, LAZY_INC, 8)
INCDEC(inc, 1, LAZY_INC, 16)
INCDEC(inc, 1, LAZY_INC, 32)
INCDEC(inc, 1, LAZY_INC, 64)
INCDEC(dec, UINT64_MAX, LAZY_DEC, 8)
INCDEC(dec, UINT64_MAX, LAZY_DEC, 16)
INCDEC(dec, UINT64_MAX, LAZY_DEC, 32)
INCDEC(dec, UINT64_MAX, LAZY_DEC, 64)

/* MOVZX/MOVSX/MOVSXD: source of SRC bits, destination of DST bits. */
#define EXTEND_FORMS(DST, SRC)                                                                     \
    static SimStatus movzx_r##DST##_r##SRC(CpuState *c, const DecodedInsn *d)                      \
    {                                                                                              \
        WR##DST(c, d->op[0].reg, RD##SRC(c, d->op[1].reg));                                        \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus movzx_r##DST##_m##SRC(CpuState *c, const DecodedInsn *d)                      \
    {                                                                                              \
        uint64_t v;                                                                                \
        if (SIM_UNLIKELY(MEM_READ(c, d, SRC / 8, &v) != SIM_OK))                                   \
            return SIM_FAULT;                                                                      \
        WR##DST(c, d->op[0].reg, v);                                                               \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus movsx_r##DST##_r##SRC(CpuState *c, const DecodedInsn *d)                      \
    {                                                                                              \
        WR##DST(c, d->op[0].reg, (uint64_t)(int64_t)(int##SRC##_t)RD##SRC(c, d->op[1].reg));       \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus movsx_r##DST##_m##SRC(CpuState *c, const DecodedInsn *d)                      \
    {                                                                                              \
        uint64_t v;                                                                                \
        if (SIM_UNLIKELY(MEM_READ(c, d, SRC / 8, &v) != SIM_OK))                                   \
            return SIM_FAULT;                                                                      \
        WR##DST(c, d->op[0].reg, (uint64_t)(int64_t)(int##SRC##_t)v);                              \
        return SIM_OK;                                                                             \
    }

EXTEND_FORMS(16, 8)
EXTEND_FORMS(32, 8)
EXTEND_FORMS(64, 8)
EXTEND_FORMS(32, 16)
EXTEND_FORMS(64, 16)
EXTEND_FORMS(64, 32)

/* SHL/SHR/SAR reg, imm8: lazy flags as exec_shift.c records them; a masked
 * count of 0 writes the register back (zero-extending) and leaves flags. */
#define SHIFT_RI(name, EXPR, LAZY, SZ)                                                             \
    static SimStatus name##_ri##SZ(CpuState *c, const DecodedInsn *d)                              \
    {                                                                                              \
        unsigned n = (unsigned)d->imm & (SZ == 64 ? 63 : 31);                                      \
        uint64_t a = RD##SZ(c, d->op[0].reg);                                                      \
        if (n == 0) {                                                                              \
            WR##SZ(c, d->op[0].reg, a);                                                            \
            return SIM_OK;                                                                         \
        }                                                                                          \
        uint64_t r = (EXPR) & MASK##SZ;                                                            \
        WR##SZ(c, d->op[0].reg, r);                                                                \
        flags_set_lazy(c, LAZY, SZ / 8, a, n, r);                                                  \
        return SIM_OK;                                                                             \
    }
/* sign-extend to 64 bits, then shift: n <= 31 for 8/16-bit operands, so never 64 */
#define SAR_EXPR(SZ) ((uint64_t)(((int64_t)(a << (64 - SZ)) >> (64 - SZ)) >> n))
#define SHIFT_ALL(SZ)                                                                              \
    SHIFT_RI(shl, a << n, LAZY_SHL, SZ)                                                            \
    SHIFT_RI(shr, a >> n, LAZY_SHR, SZ)                                                            \
    SHIFT_RI(sar, SAR_EXPR(SZ), LAZY_SAR, SZ)

SHIFT_ALL(8)
SHIFT_ALL(16)
SHIFT_ALL(32)
SHIFT_ALL(64)

/* IMUL r, r/m and IMUL r, r/m, imm at 32 and 64 bits (exec_muldiv.c rules). */
static inline void imul32_finish(CpuState *c, const DecodedInsn *d, uint64_t a, uint64_t b)
{
    int64_t p = (int64_t)(int32_t)a * (int32_t)b;
    WR32(c, d->op[0].reg, (uint64_t)p);
    flags_set_mul(c, 4, (uint32_t)p, p != (int32_t)p);
}

static inline void imul64_finish(CpuState *c, const DecodedInsn *d, uint64_t a, uint64_t b)
{
    int64_t p;
    bool overflow = __builtin_mul_overflow((int64_t)a, (int64_t)b, &p);
    WR64(c, d->op[0].reg, (uint64_t)p);
    flags_set_mul(c, 8, (uint64_t)p, overflow);
}

#define IMUL_FORMS(SZ)                                                                             \
    static SimStatus imul_rr##SZ(CpuState *c, const DecodedInsn *d)                                \
    {                                                                                              \
        imul##SZ##_finish(c, d, RD##SZ(c, d->op[0].reg), RD##SZ(c, d->op[1].reg));                 \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus imul_rm##SZ(CpuState *c, const DecodedInsn *d)                                \
    {                                                                                              \
        uint64_t b;                                                                                \
        if (SIM_UNLIKELY(MEM_READ(c, d, SZ / 8, &b) != SIM_OK))                                    \
            return SIM_FAULT;                                                                      \
        imul##SZ##_finish(c, d, RD##SZ(c, d->op[0].reg), b);                                       \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus imul_rri##SZ(CpuState *c, const DecodedInsn *d)                               \
    {                                                                                              \
        imul##SZ##_finish(c, d, RD##SZ(c, d->op[1].reg), d->imm);                                  \
        return SIM_OK;                                                                             \
    }                                                                                              \
    static SimStatus imul_rmi##SZ(CpuState *c, const DecodedInsn *d)                               \
    {                                                                                              \
        uint64_t a;                                                                                \
        if (SIM_UNLIKELY(MEM_READ(c, d, SZ / 8, &a) != SIM_OK))                                    \
            return SIM_FAULT;                                                                      \
        imul##SZ##_finish(c, d, a, d->imm);                                                        \
        return SIM_OK;                                                                             \
    }

IMUL_FORMS(32)
IMUL_FORMS(64)

/* LEA: the address at the address size, truncated to the operand size. */
static SimStatus lea_64(CpuState *c, const DecodedInsn *d)
{
    WR64(c, d->op[0].reg, c->gpr[d->base] + (c->gpr[d->index] << d->scale) + (uint64_t)d->disp);
    return SIM_OK;
}

static SimStatus lea_32(CpuState *c, const DecodedInsn *d)
{
    WR32(c, d->op[0].reg, c->gpr[d->base] + (c->gpr[d->index] << d->scale) + (uint64_t)d->disp);
    return SIM_OK;
}

/* 64-bit mode near branches: the target must be canonical (SDM Vol. 2 JMP). */
static inline SimStatus jump64(CpuState *c, uint64_t target)
{
    if (SIM_UNLIKELY(!cpu_is_canonical(c, target)))
        return cpu_raise_gp0(c);
    c->RIP = target;
    return SIM_OK;
}

/* Jcc rel, one handler per condition so the flag test folds to a constant cc. */
#define JCC(cc)                                                                                    \
    static SimStatus jcc##cc##_rel64(CpuState *c, const DecodedInsn *d)                            \
    {                                                                                              \
        if (!flags_cond(c, cc))                                                                    \
            return SIM_OK;                                                                         \
        return jump64(c, c->RIP + d->imm);                                                         \
    }
JCC(0) JCC(1) JCC(2) JCC(3) JCC(4) JCC(5) JCC(6) JCC(7)
JCC(8) JCC(9) JCC(10) JCC(11) JCC(12) JCC(13) JCC(14) JCC(15)

static const InsnHandler jcc_rel64[16] = {
    jcc0_rel64,  jcc1_rel64,  jcc2_rel64,  jcc3_rel64,  jcc4_rel64,  jcc5_rel64,
    jcc6_rel64,  jcc7_rel64,  jcc8_rel64,  jcc9_rel64,  jcc10_rel64, jcc11_rel64,
    jcc12_rel64, jcc13_rel64, jcc14_rel64, jcc15_rel64,
};

static SimStatus jmp_rel64(CpuState *c, const DecodedInsn *d) { return jump64(c, c->RIP + d->imm); }

static SimStatus jmp_r64(CpuState *c, const DecodedInsn *d) { return jump64(c, RD64(c, d->op[0].reg)); }

static SimStatus jmp_m64(CpuState *c, const DecodedInsn *d)
{
    uint64_t target;
    if (SIM_UNLIKELY(MEM_READ(c, d, 8, &target) != SIM_OK))
        return SIM_FAULT;
    return jump64(c, target);
}

/* PUSH/POP r64 and CALL/RET in 64-bit mode: the stack-address size is 64. */
static SimStatus push_r64(CpuState *c, const DecodedInsn *d)
{
    uint64_t sp = c->gpr[GPR_RSP] - 8;
    if (SIM_UNLIKELY(cpu_mem_write(c, SEG_SS, sp, 8, RD64(c, d->op[0].reg)) != SIM_OK))
        return SIM_FAULT;
    c->gpr[GPR_RSP] = sp;
    return SIM_OK;
}

static SimStatus pop_r64(CpuState *c, const DecodedInsn *d)
{
    uint64_t v;
    if (SIM_UNLIKELY(cpu_mem_read(c, SEG_SS, c->gpr[GPR_RSP], 8, &v) != SIM_OK))
        return SIM_FAULT;
    c->gpr[GPR_RSP] += 8; /* before the write: POP RSP loads the popped value */
    WR64(c, d->op[0].reg, v);
    return SIM_OK;
}

/* The push comes before the target check, as in exec_call. */
static SimStatus call_rel64(CpuState *c, const DecodedInsn *d)
{
    uint64_t target = c->RIP + d->imm, sp = c->gpr[GPR_RSP] - 8;
    if (SIM_UNLIKELY(cpu_mem_write(c, SEG_SS, sp, 8, c->RIP) != SIM_OK))
        return SIM_FAULT;
    if (SIM_UNLIKELY(!cpu_is_canonical(c, target)))
        return cpu_raise_gp0(c);
    c->gpr[GPR_RSP] = sp;
    c->RIP = target;
    return SIM_OK;
}

static SimStatus ret64(CpuState *c, const DecodedInsn *d)
{
    uint64_t target;
    if (SIM_UNLIKELY(cpu_mem_read(c, SEG_SS, c->gpr[GPR_RSP], 8, &target) != SIM_OK))
        return SIM_FAULT;
    if (SIM_UNLIKELY(!cpu_is_canonical(c, target)))
        return cpu_raise_gp0(c);
    c->gpr[GPR_RSP] += 8;
    c->RIP = target;
    return SIM_OK;
}

/* ---- selection ---- */

enum { FORM_RR, FORM_RI, FORM_RM, FORM_MR, FORM_MI, FORM_COUNT, FORM_NONE = -1 };

static int operand_form(const DecodedInsn *d)
{
    if (d->op_count != 2)
        return FORM_NONE;
    unsigned k0 = d->op[0].kind, k1 = d->op[1].kind;
    if (d->op[0].size != d->op[1].size && k1 != OPK_IMM)
        return FORM_NONE;
    if (k0 == OPK_REG)
        return k1 == OPK_REG ? FORM_RR : k1 == OPK_IMM ? FORM_RI : k1 == OPK_MEM ? FORM_RM : FORM_NONE;
    if (k0 == OPK_MEM)
        return k1 == OPK_REG ? FORM_MR : k1 == OPK_IMM ? FORM_MI : FORM_NONE;
    return FORM_NONE;
}

static int size_index(unsigned size)
{
    switch (size) {
    case 1: return 0;
    case 2: return 1;
    case 4: return 2;
    case 8: return 3;
    default: return -1;
    }
}

#define FORM_TABLE(name)                                                                           \
    {{name##_rr8, name##_rr16, name##_rr32, name##_rr64},                                          \
     {name##_ri8, name##_ri16, name##_ri32, name##_ri64},                                          \
     {name##_rm8, name##_rm16, name##_rm32, name##_rm64},                                          \
     {name##_mr8, name##_mr16, name##_mr32, name##_mr64},                                          \
     {name##_mi8, name##_mi16, name##_mi32, name##_mi64}}

typedef InsnHandler FormTable[FORM_COUNT][4];

static const struct {
    InsnHandler generic;
    FormTable fast;
} two_operand[] = {
    {exec_mov, FORM_TABLE(mov)}, {exec_add, FORM_TABLE(add)}, {exec_sub, FORM_TABLE(sub)},
    {exec_cmp, FORM_TABLE(cmp)}, {exec_and, FORM_TABLE(and)}, {exec_or, FORM_TABLE(or)},
    {exec_xor, FORM_TABLE(xor)}, {exec_test, FORM_TABLE(test)},
};

static InsnHandler two_operand_handler(const DecodedInsn *d, InsnHandler generic)
{
    int form = operand_form(d), size = size_index(d->op[0].size);
    if (form == FORM_NONE || size < 0)
        return NULL;
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(two_operand); i++) {
        if (two_operand[i].generic == generic)
            return two_operand[i].fast[form][size];
    }
    return NULL;
}

/* SHL/SHR/SAR of a register by an immediate count. */
static InsnHandler shift_handler(const DecodedInsn *d, InsnHandler generic)
{
    static const InsnHandler shl[4] = {shl_ri8, shl_ri16, shl_ri32, shl_ri64};
    static const InsnHandler shr[4] = {shr_ri8, shr_ri16, shr_ri32, shr_ri64};
    static const InsnHandler sar[4] = {sar_ri8, sar_ri16, sar_ri32, sar_ri64};
    int size = size_index(d->op[0].size);
    if (d->op_count != 2 || d->op[0].kind != OPK_REG || d->op[1].kind != OPK_IMM || size < 0)
        return NULL;
    if (generic == exec_shl)
        return shl[size];
    if (generic == exec_shr)
        return shr[size];
    return generic == exec_sar ? sar[size] : NULL;
}

static InsnHandler one_register_handler(const DecodedInsn *d, InsnHandler generic, CpuMode mode)
{
    static const InsnHandler inc[4] = {inc_r8, inc_r16, inc_r32, inc_r64};
    static const InsnHandler dec[4] = {dec_r8, dec_r16, dec_r32, dec_r64};
    int size = size_index(d->op[0].size);
    if (d->op_count != 1 || d->op[0].kind != OPK_REG || size < 0)
        return NULL;
    if (generic == exec_inc)
        return inc[size];
    if (generic == exec_dec)
        return dec[size];
    if (mode == MODE_LONG64 && size == 3 && d->opsize == 8)
        return generic == exec_push ? push_r64 : generic == exec_pop ? pop_r64 : NULL;
    return NULL;
}

/* IMUL r, r/m [, imm] at 32 and 64 bits. */
static InsnHandler imul_handler(const DecodedInsn *d, InsnHandler generic)
{
    if (generic != exec_imul || d->op_count < 2 || d->op[0].kind != OPK_REG)
        return NULL;
    unsigned size = d->op[0].size, src = d->op[1].kind;
    bool wide = size == 8;
    if (size != 4 && size != 8)
        return NULL;
    if (d->op_count == 2 && src == OPK_REG)
        return wide ? imul_rr64 : imul_rr32;
    if (d->op_count == 2 && src == OPK_MEM)
        return wide ? imul_rm64 : imul_rm32;
    if (d->op_count == 3 && d->op[2].kind == OPK_IMM && src == OPK_REG)
        return wide ? imul_rri64 : imul_rri32;
    if (d->op_count == 3 && d->op[2].kind == OPK_IMM && src == OPK_MEM)
        return wide ? imul_rmi64 : imul_rmi32;
    return NULL;
}

/* MOVZX/MOVSX/MOVSXD by destination and source size. */
static InsnHandler extend_handler(const DecodedInsn *d, InsnHandler generic)
{
    static const struct {
        unsigned dst, src;
        InsnHandler zx_r, zx_m, sx_r, sx_m;
    } forms[] = {
#define ROW(D, S) {D / 8, S / 8, movzx_r##D##_r##S, movzx_r##D##_m##S, movsx_r##D##_r##S, movsx_r##D##_m##S}
        ROW(16, 8), ROW(32, 8), ROW(64, 8), ROW(32, 16), ROW(64, 16), ROW(64, 32),
#undef ROW
    };
    if (d->op_count != 2 || d->op[0].kind != OPK_REG || (generic != exec_mov && generic != exec_movsx))
        return NULL;
    bool mem = d->op[1].kind == OPK_MEM;
    if (!mem && d->op[1].kind != OPK_REG)
        return NULL;
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(forms); i++) {
        if (forms[i].dst != d->op[0].size || forms[i].src != d->op[1].size)
            continue;
        if (generic == exec_movsx)
            return mem ? forms[i].sx_m : forms[i].sx_r;
        /* MOVZX only: MOVSXD r32, r/m32 is a plain move (handled as exec_movsx) */
        return mem ? forms[i].zx_m : forms[i].zx_r;
    }
    return NULL;
}

/* Near branches and LEA in 64-bit mode with 64-bit operands. */
static InsnHandler long_mode_handler(const DecodedInsn *d, InsnHandler generic)
{
    bool rel = d->op_count == 1 && d->op[0].kind == OPK_IMM && d->opsize == 8;
    if (generic == exec_jcc && rel)
        return jcc_rel64[d->aux & 15];
    if (generic == exec_jmp && rel)
        return jmp_rel64;
    if (generic == exec_jmp && d->op_count == 1 && d->op[0].size == 8 && d->opsize == 8)
        return d->op[0].kind == OPK_REG ? jmp_r64 : d->op[0].kind == OPK_MEM ? jmp_m64 : NULL;
    if (generic == exec_call && rel)
        return call_rel64;
    if (generic == exec_ret && d->op_count == 0 && d->opsize == 8)
        return ret64;
    if (generic == exec_lea && d->addrsize == 8)
        return d->op[0].size == 8 ? lea_64 : d->op[0].size == 4 ? lea_32 : NULL;
    return NULL;
}

InsnHandler cpu_fast_handler(const DecodedInsn *d, CpuMode mode, InsnHandler generic)
{
    if (d->prefix & PFX_LOCK)
        return generic;
    InsnHandler h = two_operand_handler(d, generic);
    if (!h)
        h = extend_handler(d, generic);
    if (!h)
        h = shift_handler(d, generic);
    if (!h)
        h = imul_handler(d, generic);
    if (!h)
        h = one_register_handler(d, generic, mode);
    if (!h && mode == MODE_LONG64)
        h = long_mode_handler(d, generic);
    return h ? h : generic;
}
