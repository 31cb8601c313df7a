/*
 * SDM Vol. 2 XLAT/XLATB "Operation": AL := the byte at DS:[(E/R)BX +
 * ZeroExtend(AL)], the sum wrapped to the address size; DS may be
 * overridden (DecodedInsn.seg).  Flags are unaffected.
 */
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"

/* SDM Vol. 2 XLAT: table look-up translation. */
SimStatus exec_xlat(CpuState *cpu, const DecodedInsn *d) {
    uint64_t ea = (cpu->gpr[GPR_RBX] + (cpu->gpr[GPR_RAX] & 0xff)) & size_mask(d->addrsize), v;
    if (cpu_mem_read(cpu, d->seg, ea, 1, &v) != SIM_OK) return SIM_FAULT;
    reg_write(cpu, reg_off(GPR_RAX), 1, v);
    return SIM_OK;
}
