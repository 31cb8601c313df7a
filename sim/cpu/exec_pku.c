/*
 * RDPKRU and WRPKRU (SDM Vol. 2 "RDPKRU—Read Protection Key Rights for User
 * Pages", "WRPKRU—Write Data to User Page Key Register"; SDM Vol. 3A 4.6.2
 * "Protection Keys").  Neither is privileged.  Both are #UD while CR4.PKE =
 * 0, which MOV to CR4 allows only on a model with CPUID.(07H,0):ECX.PKU.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"

/* SDM Vol. 2 RDPKRU "Operation": IF (ECX = 0) THEN EAX := PKRU; EDX := 0
 * ELSE #GP(0).  The upper halves of RAX and RDX are cleared. */
SimStatus exec_rdpkru(CpuState *cpu, const DecodedInsn *d) {
    if (!(cpu->cr4 & CR4_PKE)) return cpu_raise_ud(cpu);
    if ((uint32_t)cpu->gpr[GPR_RCX] != 0) return cpu_raise_gp0(cpu);
    cpu->gpr[GPR_RAX] = cpu->pkru;
    cpu->gpr[GPR_RDX] = 0;
    return SIM_OK;
}

/* SDM Vol. 2 WRPKRU "Operation": IF (ECX = 0 AND EDX = 0) THEN PKRU := EAX
 * ELSE #GP(0); the upper halves of RCX, RDX and RAX are ignored.  TLB
 * entries carry permissions computed under the old PKRU (access.c), so
 * they are flushed. */
SimStatus exec_wrpkru(CpuState *cpu, const DecodedInsn *d) {
    if (!(cpu->cr4 & CR4_PKE)) return cpu_raise_ud(cpu);
    if ((uint32_t)cpu->gpr[GPR_RCX] != 0 || (uint32_t)cpu->gpr[GPR_RDX] != 0)
        return cpu_raise_gp0(cpu);
    cpu->pkru = (uint32_t)cpu->gpr[GPR_RAX];
    mem_tlb_flush_all(&cpu->tlb);
    return SIM_OK;
}
