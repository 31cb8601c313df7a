/*
 * Decimal arithmetic: SDM Vol. 2 DAA, DAS, AAA, AAS, AAM, AAD "Operation"
 * and "Flags Affected".  Invalid in 64-bit mode: Zydis does not decode them
 * there, so they raise #UD before reaching a handler.
 *
 * Undefined flags (docs/flags.md): DAA/DAS OF := 0; AAA/AAS OF := SF := 0
 * with ZF and PF from the final AL; AAM/AAD OF := AF := CF := 0.  These are
 * an unverified choice: the build host cannot run 32-bit code to measure.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

/* SF, ZF and PF of an 8-bit result. */
static uint64_t bcd_szp(uint8_t v) {
    return (v & 0x80 ? RFLAGS_SF : 0) | (v == 0 ? RFLAGS_ZF : 0) |
           (__builtin_parity(v) ? 0 : RFLAGS_PF);
}

static uint8_t bcd_al(const CpuState *cpu) {
    return (uint8_t)cpu->gpr[GPR_RAX];
}

/* Decimal adjust of AL after ADD (sign +1) or SUB (sign -1): the two steps
 * of SDM DAA/DAS "Operation", which differ only in direction and in DAS
 * keeping the first step's CF when the second step does not apply. */
static SimStatus bcd_decimal_adjust(CpuState *cpu, int sign) {
    uint64_t f = cpu_get_rflags(cpu);
    uint8_t old_al = bcd_al(cpu), al = old_al;
    bool old_cf = f & RFLAGS_CF, cf = false, af = false;
    if ((al & 0x0f) > 9 || (f & RFLAGS_AF)) {
        cf = old_cf || (sign > 0 ? al > 0xf9 : al < 6); /* carry or borrow of the +-6 */
        al = (uint8_t)(al + sign * 6);
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = (uint8_t)(al + sign * 0x60);
        cf = true;
    } else if (sign > 0) {
        cf = false; /* DAA only: "ELSE CF := 0" */
    }
    reg_write(cpu, reg_off(GPR_RAX), 1, al);
    flags_set_arith(cpu, RFLAGS_ARITH, bcd_szp(al) | (cf ? RFLAGS_CF : 0) | (af ? RFLAGS_AF : 0));
    return SIM_OK;
}

/* SDM Vol. 2 DAA: decimal adjust AL after addition. */
SimStatus exec_daa(CpuState *cpu, const DecodedInsn *d) {
    return bcd_decimal_adjust(cpu, 1);
}

/* SDM Vol. 2 DAS: decimal adjust AL after subtraction. */
SimStatus exec_das(CpuState *cpu, const DecodedInsn *d) {
    return bcd_decimal_adjust(cpu, -1);
}

/* ASCII adjust of AX after ADD (AX := AX + 106H) or SUB (AX := AX - 6;
 * AH := AH - 1); in both, AL := AL AND 0FH and AF = CF = the adjustment. */
static SimStatus bcd_ascii_adjust(CpuState *cpu, bool add) {
    uint64_t f = cpu_get_rflags(cpu);
    uint16_t ax = (uint16_t)cpu->gpr[GPR_RAX];
    bool adjust = (ax & 0x0f) > 9 || (f & RFLAGS_AF);
    if (adjust && add)
        ax = (uint16_t)(ax + 0x106);
    else if (adjust)
        ax = (uint16_t)((ax - 6) - 0x100);
    ax &= 0xff0f;
    reg_write(cpu, reg_off(GPR_RAX), 2, ax);
    flags_set_arith(cpu, RFLAGS_ARITH, bcd_szp((uint8_t)ax) | (adjust ? RFLAGS_CF | RFLAGS_AF : 0));
    return SIM_OK;
}

/* SDM Vol. 2 AAA: ASCII adjust after addition. */
SimStatus exec_aaa(CpuState *cpu, const DecodedInsn *d) {
    return bcd_ascii_adjust(cpu, true);
}

/* SDM Vol. 2 AAS: ASCII adjust after subtraction. */
SimStatus exec_aas(CpuState *cpu, const DecodedInsn *d) {
    return bcd_ascii_adjust(cpu, false);
}

/* AH:AL := new AX; SF ZF PF from AL, the undefined OF AF CF := 0. */
static void bcd_set_ax(CpuState *cpu, uint8_t ah, uint8_t al) {
    reg_write(cpu, reg_off(GPR_RAX), 2, (uint16_t)(ah << 8 | al));
    flags_set_arith(cpu, RFLAGS_ARITH, bcd_szp(al));
}

/* SDM Vol. 2 AAM: AH := AL / imm8; AL := AL MOD imm8; #DE when imm8 = 0. */
SimStatus exec_aam(CpuState *cpu, const DecodedInsn *d) {
    uint8_t base = (uint8_t)d->imm, al = bcd_al(cpu);
    if (base == 0) return cpu_raise(cpu, EXC_DE, 0);
    bcd_set_ax(cpu, al / base, al % base);
    return SIM_OK;
}

/* SDM Vol. 2 AAD: AL := (AL + AH * imm8) AND FFH; AH := 0; SF ZF PF from
 * AL.  The undefined OF AF CF are those of the byte addition AL + (AH *
 * imm8 AND FFH), so all six flags are an 8-bit ADD's (Intel, measured:
 * docs/flags.md). */
SimStatus exec_aad(CpuState *cpu, const DecodedInsn *d) {
    uint8_t base = (uint8_t)d->imm, ah = (uint8_t)(cpu->gpr[GPR_RAX] >> 8), al = bcd_al(cpu);
    uint8_t term = (uint8_t)(ah * base), sum = (uint8_t)(al + term);
    reg_write(cpu, reg_off(GPR_RAX), 2, sum);
    flags_set_lazy(cpu, LAZY_ADD, 1, al, term, sum);
    return SIM_OK;
}
