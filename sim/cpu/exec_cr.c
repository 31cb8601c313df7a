/* MOV to and from control registers (SDM Vol. 2 "MOV—Move to/from Control
 * Registers") with the rules of SDM Vol. 3A 2.5 and 9.8.5 (IA-32e activation). */
#include "sim/cpu/apic_hooks.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/pae_pdpte.h"
#include "sim/cpu/vmx_hooks.h"
#include "sim/mem/paging.h"

#include <string.h>

#define CR0_RESERVED (~UINT64_C(0xffffffff) | UINT64_C(0x1ffaffc0))
#define CR3_RESERVED (~((UINT64_C(1) << PAGING_MAXPHYADDR) - 1))
#define CR3_NO_FLUSH (UINT64_C(1) << 63)
/* SDM 4.4.1 "PDPTE Registers": a MOV to CR0/CR4 after which PAE paging is in
 * use loads the PDPTEs when it modifies one of these bits. */
#define CR0_PDPTE_RELOAD (CR0_CD | CR0_NW | CR0_PG)
#define CR4_PDPTE_RELOAD (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)

/* SDM 23.8 "Restrictions on VMX Operation": in VMX operation a MOV to CR0
 * or CR4 that would clear a bit fixed to 1 or set a bit fixed to 0 is
 * #GP(0) (the VMX layer sets the masks; outside VMX they allow anything). */
static bool vmx_fixed_ok(const CrFixed *f, uint64_t v)
{
    return (v & f->must1) == f->must1 && !(v & ~f->may1);
}

/* SDM 2.5 / Vol. 2 MOV CR0 "Protected Mode Exceptions" and 9.8.5. */
static bool cr0_valid(const CpuState *cpu, uint64_t v)
{
    if ((v & CR0_RESERVED) || !vmx_fixed_ok(&cpu->cr0_fixed, v))
        return false;
    if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        return false;
    bool enabling_pg = (v & CR0_PG) && !(cpu->cr0 & CR0_PG);
    bool disabling_pg = !(v & CR0_PG) && (cpu->cr0 & CR0_PG);
    /* SDM 9.8.5: IA-32e activation needs PAE and a CS that is not 64-bit. */
    if (enabling_pg && (cpu->efer & EFER_LME) &&
        (!(cpu->cr4 & CR4_PAE) || (cpu->seg[SEG_CS].ar & AR_L)))
        return false;
    if (disabling_pg && cpu->mode == MODE_LONG64)
        return false; /* SDM 9.8.5.4: leave 64-bit mode first */
    /* SDM Vol. 2 MOV CR: "#GP(0) If an attempt is made to clear CR0.PG[bit 31]
     * while CR4.PCIDE = 1." */
    return !(disabling_pg && (cpu->cr4 & CR4_PCIDE));
}

static SimStatus write_cr0(CpuState *cpu, uint64_t v)
{
    uint64_t pdpte[4];
    if (!cr0_valid(cpu, v))
        return cpu_raise_gp0(cpu);
    bool reload = cpu_pae_paging(v, cpu->cr4, cpu->efer) && ((v ^ cpu->cr0) & CR0_PDPTE_RELOAD);
    if (reload && cpu_read_pdptes(cpu, cpu->cr3, 0, pdpte) != SIM_OK)
        return SIM_FAULT;
    if ((v & CR0_PG) && !(cpu->cr0 & CR0_PG) && (cpu->efer & EFER_LME))
        cpu->efer |= EFER_LMA;
    if (!(v & CR0_PG))
        cpu->efer &= ~EFER_LMA;
    if (reload)
        memcpy(cpu->pdpte, pdpte, sizeof(pdpte));
    cpu->cr0 = v | CR0_ET;
    mem_tlb_flush_all(&cpu->tlb);
    cpu_update_mode(cpu);
    return SIM_OK;
}

/* SDM 2.5: reserved CR4 bits, and PAE cannot be cleared while IA-32e mode is
 * active.  SDM 4.10.1 "Process-Context Identifiers (PCIDs)": CR4.PCIDE can
 * be set only in IA-32e mode, and (Vol. 2 MOV CR) not from 0 to 1 while
 * CR3[11:0] != 000H.  SDM 4.1.2 "Paging-Mode Enabling" (and 2.5, CR4.LA57):
 * CR4.LA57 cannot be modified while IA-32e mode is active. */
static bool cr4_valid(const CpuState *cpu, uint64_t v)
{
    if ((v & ~cpu_model_cr4_allowed(cpu->model)) || ((cpu->efer & EFER_LMA) && !(v & CR4_PAE)) ||
        !vmx_fixed_ok(&cpu->cr4_fixed, v))
        return false;
    if ((cpu->efer & EFER_LMA) && ((v ^ cpu->cr4) & CR4_LA57))
        return false;
    bool setting_pcide = (v & CR4_PCIDE) && !(cpu->cr4 & CR4_PCIDE);
    return !(setting_pcide && (!(cpu->efer & EFER_LMA) || (cpu->cr3 & 0xfff)));
}

/* Any CR4 write flushes the whole TLB: more than SDM 4.10.4.1 requires
 * (PGE, PCIDE, PAE, PSE, SMEP, SMAP, PKE changes), which is always allowed. */
static SimStatus write_cr4(CpuState *cpu, uint64_t v)
{
    uint64_t pdpte[4];
    if (!cr4_valid(cpu, v))
        return cpu_raise_gp0(cpu);
    bool reload = cpu_pae_paging(cpu->cr0, v, cpu->efer) && ((v ^ cpu->cr4) & CR4_PDPTE_RELOAD);
    if (reload && cpu_read_pdptes(cpu, cpu->cr3, 0, pdpte) != SIM_OK)
        return SIM_FAULT;
    if (reload)
        memcpy(cpu->pdpte, pdpte, sizeof(pdpte));
    cpu->cr4 = v;
    mem_tlb_flush_all(&cpu->tlb);
    return SIM_OK;
}

/* SDM 4.10.4.1 "Operations that Invalidate TLBs and Paging-Structure
 * Caches": MOV to CR3 invalidates non-global TLB entries; with CR4.PCIDE = 1
 * a source bit 63 of 1 means it need not, and bit 63 is not written to CR3.
 * vmxsim's TLB has no PCID tags (an entry cached under the old PCID would
 * be taken for the new one), so every MOV to CR3 flushes the non-global
 * entries: invalidating more than required is always allowed.  With PAE
 * paging the PDPTEs are loaded from the new CR3 (SDM 4.4.1). */
static SimStatus write_cr3(CpuState *cpu, uint64_t v)
{
    uint64_t pdpte[4];
    bool long_mode = (cpu->efer & EFER_LMA) != 0;
    if (cpu->cr4 & CR4_PCIDE)
        v &= ~CR3_NO_FLUSH;
    if (long_mode && (v & CR3_RESERVED))
        return cpu_raise_gp0(cpu);
    v = long_mode ? v : (uint32_t)v;
    bool pae = cpu_pae_paging(cpu->cr0, cpu->cr4, cpu->efer);
    if (pae && cpu_read_pdptes(cpu, v, 0, pdpte) != SIM_OK)
        return SIM_FAULT;
    if (pae)
        memcpy(cpu->pdpte, pdpte, sizeof(pdpte));
    cpu->cr3 = v;
    mem_tlb_flush_nonglobal(&cpu->tlb);
    return SIM_OK;
}

SimStatus exec_mov_to_cr(CpuState *cpu, const DecodedInsn *d)
{
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    uint64_t v = reg_read(cpu, d->op[1].reg, d->op[1].size);
    unsigned n = d->op[0].reg;
    if (n == 0 || n == 3 || n == 4 || n == 8) {
        SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_MOV_TO_CR, &v);
        if (st != SIM_OK)
            return st;
    }
    switch (n) {
    case 0:
        return write_cr0(cpu, v);
    case 2:
        cpu->cr2 = v;
        return SIM_OK;
    case 3:
        return write_cr3(cpu, v);
    case 4:
        return write_cr4(cpu, v);
    case 8:
        if (v & ~UINT64_C(0xf)) /* SDM 10.8.6.1: CR8 bits 63:4 are reserved */
            return cpu_raise_gp0(cpu);
        cpu_apic_write_cr8(cpu, v); /* SDM 10.8.6.1: TPR[7:4] = CR8[3:0] */
        return SIM_OK;
    default:
        return cpu_raise_ud(cpu);
    }
}

SimStatus exec_mov_from_cr(CpuState *cpu, const DecodedInsn *d)
{
    static const uint8_t valid[16] = {[0] = 1, [2] = 1, [3] = 1, [4] = 1, [8] = 1};
    unsigned n = d->op[1].reg;
    if (n >= 16 || !valid[n])
        return cpu_raise_ud(cpu);
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    const uint64_t *cr[16] = {[0] = &cpu->cr0, [2] = &cpu->cr2, [3] = &cpu->cr3,
                              [4] = &cpu->cr4, [8] = &cpu->cr8};
    uint64_t v = n == 8 ? cpu_apic_read_cr8(cpu) : *cr[n];
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_MOV_FROM_CR, &v);
    if (st != SIM_OK)
        return st;
    reg_write(cpu, d->op[0].reg, d->op[0].size, v);
    return SIM_OK;
}
