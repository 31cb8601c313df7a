/* VM-transition TLB invalidation (tlb_context.h). */
#include "sim/cpu/tlb_context.h"

#include <string.h>

static TlbContext current_context(const CpuState *cpu)
{
    TlbContext c = {cpu->cr0, cpu->cr3, cpu->cr4, cpu->efer, {0}, cpu->pkru};
    memcpy(c.pdpte, cpu->pdpte, sizeof(c.pdpte));
    return c;
}

static bool same_context(const TlbContext *a, const TlbContext *b)
{
    return a->cr3 == b->cr3 && a->cr0 == b->cr0 && a->cr4 == b->cr4 && a->efer == b->efer &&
           a->pkru == b->pkru && a->pdpte[0] == b->pdpte[0] && a->pdpte[1] == b->pdpte[1] &&
           a->pdpte[2] == b->pdpte[2] && a->pdpte[3] == b->pdpte[3];
}

void cpu_tlb_vmx_transition(CpuState *cpu)
{
    TlbStamp *s = &cpu->tlb_stamp;
    TlbContext now = current_context(cpu);
    if (s->epoch == cpu->tlb.epoch && !cpu->tlb.carried &&
        s->paging_writes == cpu->mem->paging_writes && same_context(&s->context, &now))
        return;
    mem_tlb_flush_all(&cpu->tlb);
    *s = (TlbStamp){cpu->tlb.epoch, cpu->mem->paging_writes, now};
}
