/*
 * The PAE PDPTE registers (SDM Vol. 3A 4.4.1 "PDPTE Registers"): when PAE
 * paging is in use, and how MOV to CR and task switches load them.
 */
#ifndef VMXSIM_CPU_PAE_PDPTE_H
#define VMXSIM_CPU_PAE_PDPTE_H

#include "sim/cpu/cpu.h"

/* SDM 4.1.1 "Four Paging Modes": PAE paging is CR0.PG = 1, CR4.PAE = 1 and
 * IA32_EFER.LME = 0. */
bool cpu_pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer);

/* SDM 4.4.1: read the PDPTEs of the table at cr3[31:5] into pdpte[] (the
 * caller loads cpu->pdpte once nothing else can fault).  A present PDPTE
 * with a reserved bit set: #GP(gp_error), pdpte[] untouched. */
SimStatus cpu_read_pdptes(CpuState *cpu, uint64_t cr3, uint32_t gp_error,
                          uint64_t pdpte[4]) SIM_MUST_CHECK;

#endif
