/*
 * STAC and CLAC (SDM Vol. 2 "STAC—Set AC Flag in EFLAGS Register", "CLAC—
 * Clear AC Flag in EFLAGS Register"): RFLAGS.AC lets supervisor-mode data
 * accesses reach user-mode pages while CR4.SMAP = 1 (SDM Vol. 3A 4.6.1
 * "Determination of Access Rights").
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"

/* SDM Vol. 2 STAC/CLAC exceptions: #UD if CPUID.(EAX=07H, ECX=0H):EBX.SMAP
 * = 0, if CPL > 0 (protected, compatibility and 64-bit mode), and always in
 * virtual-8086 mode ("not recognized"), where CPL is 3. */
static bool smap_insn_allowed(const CpuState *cpu) {
    return cpu_model_has(cpu->model, FEAT_SMAP) && cpu->cpl == 0 && cpu->mode != MODE_V86;
}

SimStatus exec_stac(CpuState *cpu, const DecodedInsn *d) {
    if (!smap_insn_allowed(cpu)) return cpu_raise_ud(cpu);
    cpu->rflags |= RFLAGS_AC;
    return SIM_OK;
}

SimStatus exec_clac(CpuState *cpu, const DecodedInsn *d) {
    if (!smap_insn_allowed(cpu)) return cpu_raise_ud(cpu);
    cpu->rflags &= ~(uint64_t)RFLAGS_AC;
    return SIM_OK;
}
