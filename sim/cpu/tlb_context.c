/* VM-transition TLB invalidation (tlb_context.h). */
#include "sim/cpu/tlb_context.h"

#include <string.h>

static TlbContext current_context(const CpuState *cpu)
{
    TlbContext c;
    memset(&c, 0, sizeof(c)); /* compared with memcmp: no stray padding */
    c.cr0 = cpu->cr0;
    c.cr3 = cpu->cr3;
    c.cr4 = cpu->cr4;
    c.efer = cpu->efer;
    c.pkru = cpu->pkru;
    memcpy(c.pdpte, cpu->pdpte, sizeof(c.pdpte));
    return c;
}

void cpu_tlb_vmx_transition(CpuState *cpu)
{
    TlbStamp *s = &cpu->tlb_stamp;
    TlbContext now = current_context(cpu);
    if (s->epoch == cpu->tlb.epoch && !cpu->tlb.carried &&
        s->paging_writes == cpu->mem->paging_writes && memcmp(&s->context, &now, sizeof(now)) == 0)
        return;
    mem_tlb_flush_all(&cpu->tlb);
    *s = (TlbStamp){cpu->tlb.epoch, cpu->mem->paging_writes, now};
}
