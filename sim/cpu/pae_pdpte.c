/* The PAE PDPTE registers; see pae_pdpte.h. */
#include "sim/cpu/pae_pdpte.h"

#include "sim/cpu/exceptions.h"
#include "sim/mem/paging.h"

bool cpu_pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer) {
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LME);
}

/* SDM 4.4.1: "If any of the PDPTEs sets both the P flag (bit 0) and any
 * reserved bit, the MOV to CR instruction causes a general-protection
 * exception (#GP(0)) and the PDPTEs are not loaded." */
SimStatus cpu_read_pdptes(CpuState *cpu, uint64_t cr3, uint32_t gp_error, uint64_t pdpte[4]) {
    if (!mem_pae_read_pdptes(cpu->mem, cr3, pdpte)) return cpu_raise(cpu, EXC_GP, gp_error);
    return SIM_OK;
}
