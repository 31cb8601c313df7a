/*
 * Far pointer loads: SDM Vol. 2 LDS/LES/LFS/LGS/LSS "Operation".  The memory
 * operand holds the offset (operand size: 16, 32, or 64 with REX.W) followed
 * by a 16-bit selector.  Both are read first; the segment register is loaded
 * with every check of MOV to a segment register (cpu_load_data_segment: null
 * selectors, SS's RPL/DPL = CPL rule, #NP/#SS for a not-present segment); the
 * destination register is written only when that succeeded.  LDS and LES are
 * invalid in 64-bit mode (C4/C5 are VEX there) and a register source is #UD;
 * Zydis decodes neither.
 */
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/segmentation.h"

static SimStatus load_far_pointer(CpuState *cpu, const DecodedInsn *d, unsigned seg) {
    unsigned size = d->op[0].size;
    uint64_t ea = insn_ea(cpu, d), offset, selector;
    if (cpu_mem_read(cpu, d->seg, ea, size, &offset) != SIM_OK ||
        cpu_mem_read(cpu, d->seg, (ea + size) & size_mask(d->addrsize), 2, &selector) != SIM_OK)
        return SIM_FAULT;
    if (cpu_load_data_segment(cpu, seg, (uint16_t)selector) != SIM_OK) return SIM_FAULT;
    reg_write(cpu, d->op[0].reg, size, offset);
    return SIM_OK;
}

/* SDM Vol. 2 LDS: DS:r := m16:16 / m16:32. */
SimStatus exec_lds(CpuState *cpu, const DecodedInsn *d) {
    return load_far_pointer(cpu, d, SEG_DS);
}

/* SDM Vol. 2 LES: ES:r := m16:16 / m16:32. */
SimStatus exec_les(CpuState *cpu, const DecodedInsn *d) {
    return load_far_pointer(cpu, d, SEG_ES);
}

/* SDM Vol. 2 LFS: FS:r := m16:16 / m16:32 / m16:64. */
SimStatus exec_lfs(CpuState *cpu, const DecodedInsn *d) {
    return load_far_pointer(cpu, d, SEG_FS);
}

/* SDM Vol. 2 LGS: GS:r := m16:16 / m16:32 / m16:64. */
SimStatus exec_lgs(CpuState *cpu, const DecodedInsn *d) {
    return load_far_pointer(cpu, d, SEG_GS);
}

/* SDM Vol. 2 LSS: SS:r := m16:16 / m16:32 / m16:64 (no MOV-SS interrupt shadow). */
SimStatus exec_lss(CpuState *cpu, const DecodedInsn *d) {
    return load_far_pointer(cpu, d, SEG_SS);
}
