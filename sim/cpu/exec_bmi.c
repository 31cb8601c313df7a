/*
 * Bit manipulation: SDM Vol. 2 ANDN, BEXTR, BLSI, BLSMSK, BLSR (BMI1:
 * CPUID.(EAX=07H, ECX=0):EBX.BMI1[bit 3]) and BZHI, MULX, PDEP, PEXT, RORX,
 * SARX, SHLX, SHRX (BMI2: EBX.BMI2[bit 8]); #UD without the feature.  All are
 * VEX-encoded: Zydis already rejects them in real-address and virtual-8086
 * mode, with VEX.L = 1, and with a LOCK, 66, F2, F3 or REX prefix (SDM Vol. 2
 * 2.5.1, Table 2-36 exception class "VEX-encoded GPR instructions").  Operand
 * size is 32 bits, or 64 with VEX.W = 1 in 64-bit mode; 32-bit results
 * zero-extend.  Operands as Zydis lists them: op[0] ModRM.reg, then the
 * VEX.vvvv and ModRM.r/m operands in the order of the SDM's operand table.
 *
 * Undefined flags (docs/flags.md), as measured on an Intel core: AF and PF
 * := 0 for every flag-writing one, and SF := 0 for BEXTR.
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

/* Read op[1] and op[2] (either may be the r/m operand) after the feature check. */
static SimStatus bmi_sources(CpuState *cpu, const DecodedInsn *d, CpuFeature f, uint64_t *a,
                             uint64_t *b) {
    if (!cpu_model_has(cpu->model, f)) return cpu_raise_ud(cpu);
    if (opnd_read(cpu, d, 1, a) != SIM_OK) return SIM_FAULT;
    return d->op_count > 2 ? opnd_read(cpu, d, 2, b) : SIM_OK;
}

static bool bmi_sign(const DecodedInsn *d, uint64_t v) {
    return (v >> (d->op[0].size * 8 - 1)) & 1;
}

/* DEST := result; OF := 0, AF := PF := 0; SF and ZF from the result where
 * `szf` asks for them; CF := cf. */
static SimStatus bmi_commit(CpuState *cpu, const DecodedInsn *d, uint64_t result, uint64_t szf,
                            bool cf) {
    result &= size_mask(d->op[0].size);
    uint64_t f = (cf ? RFLAGS_CF : 0) | (bmi_sign(d, result) ? RFLAGS_SF : 0) |
                 (result == 0 ? RFLAGS_ZF : 0);
    reg_write(cpu, d->op[0].reg, d->op[0].size, result);
    flags_set_arith(cpu, RFLAGS_ARITH, f & (szf | RFLAGS_CF));
    return SIM_OK;
}

/* SDM Vol. 2 ANDN: DEST := (NOT SRC1) AND SRC2; SF ZF from DEST, OF CF := 0. */
SimStatus exec_andn(CpuState *cpu, const DecodedInsn *d) {
    uint64_t a, b;
    if (bmi_sources(cpu, d, FEAT_BMI1, &a, &b) != SIM_OK) return SIM_FAULT;
    return bmi_commit(cpu, d, ~a & b, RFLAGS_SF | RFLAGS_ZF, false);
}

/* SDM Vol. 2 BEXTR: START := SRC2[7:0]; LEN := SRC2[15:8]; DEST := SRC1
 * bits START+LEN-1..START, zero-extended (bits beyond the operand are 0);
 * ZF from DEST, CF OF := 0. */
SimStatus exec_bextr(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src, ctl;
    unsigned bits = d->op[0].size * 8;
    if (bmi_sources(cpu, d, FEAT_BMI1, &src, &ctl) != SIM_OK) return SIM_FAULT;
    unsigned start = ctl & 0xff, len = (ctl >> 8) & 0xff;
    uint64_t v = start < bits ? src >> start : 0;
    if (len < 64) v &= (UINT64_C(1) << len) - 1;
    return bmi_commit(cpu, d, v, RFLAGS_ZF, false);
}

/* SDM Vol. 2 BLSI: DEST := (-SRC) AND SRC; SF ZF from DEST, CF := (SRC != 0). */
SimStatus exec_blsi(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    if (bmi_sources(cpu, d, FEAT_BMI1, &src, NULL) != SIM_OK) return SIM_FAULT;
    return bmi_commit(cpu, d, (0 - src) & src, RFLAGS_SF | RFLAGS_ZF, src != 0);
}

/* SDM Vol. 2 BLSMSK: DEST := (SRC - 1) XOR SRC; SF from DEST, ZF := 0,
 * CF := (SRC = 0). */
SimStatus exec_blsmsk(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    if (bmi_sources(cpu, d, FEAT_BMI1, &src, NULL) != SIM_OK) return SIM_FAULT;
    return bmi_commit(cpu, d, (src - 1) ^ src, RFLAGS_SF, src == 0);
}

/* SDM Vol. 2 BLSR: DEST := (SRC - 1) AND SRC; SF ZF from DEST, CF := (SRC = 0). */
SimStatus exec_blsr(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    if (bmi_sources(cpu, d, FEAT_BMI1, &src, NULL) != SIM_OK) return SIM_FAULT;
    return bmi_commit(cpu, d, (src - 1) & src, RFLAGS_SF | RFLAGS_ZF, src == 0);
}
