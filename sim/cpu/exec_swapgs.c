/*
 * SWAPGS (SDM Vol. 2 "SWAPGS—Swap GS Base Register"; SDM Vol. 3A 5.8.8):
 * exchanges the GS base of the segment cache with IA32_KERNEL_GS_BASE.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"

/* SDM Vol. 2 SWAPGS "Operation": #UD unless CS.L = 1 (64-bit mode), then
 * #GP(0) unless CPL = 0; tmp := GS.base; GS.base := IA32_KERNEL_GS_BASE;
 * IA32_KERNEL_GS_BASE := tmp. */
SimStatus exec_swapgs(CpuState *cpu, const DecodedInsn *d) {
    if (cpu->mode != MODE_LONG64) return cpu_raise_ud(cpu);
    if (cpu->cpl != 0) return cpu_raise_gp0(cpu);
    uint64_t tmp = cpu->seg[SEG_GS].base;
    cpu->seg[SEG_GS].base = cpu->msr[MSR_SLOT_IA32_KERNEL_GS_BASE];
    cpu->msr[MSR_SLOT_IA32_KERNEL_GS_BASE] = tmp;
    return SIM_OK;
}
