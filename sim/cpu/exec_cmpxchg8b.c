/*
 * SDM Vol. 2 CMPXCHG8B/CMPXCHG16B "Operation": compare EDX:EAX (RDX:RAX)
 * with the memory operand; equal: ZF := 1 and DEST := ECX:EBX (RCX:RBX);
 * unequal: ZF := 0 and EDX:EAX (RDX:RAX) := DEST.  "The destination operand
 * receives a write cycle without regard to the result of the comparison",
 * so it is checked as a write before it is read (a #PF reports W = 1), and
 * written back unchanged when unequal.  CF, PF, AF, SF, OF are unaffected.
 * The register form is #UD (Zydis does not decode it).
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/write_probe.h"

static uint64_t pair32(const CpuState *cpu, unsigned hi, unsigned lo) {
    return (uint32_t)cpu->gpr[lo] | (uint64_t)(uint32_t)cpu->gpr[hi] << 32;
}

/* SDM Vol. 2 CMPXCHG8B: CPUID.01H:EDX.CX8[bit 8]; without it the opcode is
 * undefined (#UD). */
SimStatus exec_cmpxchg8b(CpuState *cpu, const DecodedInsn *d) {
    uint64_t ea = insn_ea(cpu, d), dest;
    if (!cpu_model_has(cpu->model, FEAT_CX8)) return cpu_raise_ud(cpu);
    if (cpu_probe_write(cpu, d->seg, ea, 8) != SIM_OK ||
        cpu_mem_read(cpu, d->seg, ea, 8, &dest) != SIM_OK)
        return SIM_FAULT;
    bool equal = dest == pair32(cpu, GPR_RDX, GPR_RAX);
    if (cpu_mem_write(cpu, d->seg, ea, 8, equal ? pair32(cpu, GPR_RCX, GPR_RBX) : dest) != SIM_OK)
        return SIM_FAULT;
    if (!equal) { /* 32-bit register writes: RAX and RDX are zero-extended */
        reg_write(cpu, reg_off(GPR_RAX), 4, (uint32_t)dest);
        reg_write(cpu, reg_off(GPR_RDX), 4, dest >> 32);
    }
    flags_set_arith(cpu, RFLAGS_ZF, equal ? RFLAGS_ZF : 0);
    return SIM_OK;
}

/* SDM Vol. 2 CMPXCHG16B (64-bit mode, REX.W), "64-Bit Mode Exceptions":
 * #GP(0) if CPUID.01H:ECX.CMPXCHG16B[bit 13] = 0 and if the operand is not
 * aligned on a 16-byte boundary (checked on the linear address, before the
 * segment checks: a misaligned operand through RSP is #GP, not #SS, as on
 * the Intel core; docs/differential-testing.md). */
SimStatus exec_cmpxchg16b(CpuState *cpu, const DecodedInsn *d) {
    uint64_t ea = insn_ea(cpu, d), dest[2];
    if (!cpu_model_has(cpu->model, FEAT_CX16)) return cpu_raise_gp0(cpu);
    if (cpu_seg_linear_unchecked(cpu, d->seg, ea) & 15) return cpu_raise_gp0(cpu);
    if (cpu_probe_write(cpu, d->seg, ea, 16) != SIM_OK ||
        cpu_mem_read_block(cpu, d->seg, ea, dest, 16) != SIM_OK)
        return SIM_FAULT;
    bool equal = dest[0] == cpu->gpr[GPR_RAX] && dest[1] == cpu->gpr[GPR_RDX];
    const uint64_t src[2] = {cpu->gpr[GPR_RBX], cpu->gpr[GPR_RCX]};
    if (cpu_mem_write_block(cpu, d->seg, ea, equal ? src : dest, 16) != SIM_OK) return SIM_FAULT;
    if (!equal) {
        cpu->gpr[GPR_RAX] = dest[0];
        cpu->gpr[GPR_RDX] = dest[1];
    }
    flags_set_arith(cpu, RFLAGS_ZF, equal ? RFLAGS_ZF : 0);
    return SIM_OK;
}
