/* MOV to and from segment registers (SDM Vol. 2 "MOV—Move", segment forms). */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/segmentation.h"

SimStatus exec_mov_to_sreg(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t sel;
    unsigned seg = d->op[0].reg;
    if (seg == SEG_CS || seg >= SEG_LDTR)
        return cpu_raise_ud(cpu); /* SDM: MOV to CS is #UD */
    if (opnd_read(cpu, d, 1, &sel) != SIM_OK)
        return SIM_FAULT;
    if (cpu_load_data_segment(cpu, seg, (uint16_t)sel) != SIM_OK)
        return SIM_FAULT;
    if (seg == SEG_SS)
        cpu->movss_shadow = true; /* SDM 6.8.3: blocks events until after the next instruction */
    return SIM_OK;
}

/* A register destination gets the selector zero-extended at the operand size;
 * a memory destination is always 16 bits (SDM Vol. 2 MOV note). */
SimStatus exec_mov_from_sreg(CpuState *cpu, const DecodedInsn *d)
{
    return opnd_write(cpu, d, 0, cpu->seg[d->op[1].reg].selector);
}
