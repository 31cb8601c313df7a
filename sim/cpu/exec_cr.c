/* MOV to and from control registers (SDM Vol. 2 "MOV—Move to/from Control
 * Registers") with the rules of SDM Vol. 3A 2.5 and 9.8.5 (IA-32e activation). */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/mem/paging.h"

#define CR0_RESERVED (~UINT64_C(0xffffffff) | UINT64_C(0x1ffaffc0))
#define CR3_RESERVED (~((UINT64_C(1) << PAGING_MAXPHYADDR) - 1))

/* SDM 2.5 / Vol. 2 MOV CR0 "Protected Mode Exceptions" and 9.8.5. */
static SimStatus write_cr0(CpuState *cpu, uint64_t v)
{
    if (v & CR0_RESERVED)
        return cpu_raise_gp0(cpu);
    if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        return cpu_raise_gp0(cpu);
    bool enabling_pg = (v & CR0_PG) && !(cpu->cr0 & CR0_PG);
    bool disabling_pg = !(v & CR0_PG) && (cpu->cr0 & CR0_PG);
    if (enabling_pg && (cpu->efer & EFER_LME)) {
        /* SDM 9.8.5: IA-32e activation needs PAE and a CS that is not 64-bit. */
        if (!(cpu->cr4 & CR4_PAE) || (cpu->seg[SEG_CS].ar & AR_L))
            return cpu_raise_gp0(cpu);
        cpu->efer |= EFER_LMA;
    }
    if (disabling_pg && cpu->mode == MODE_LONG64)
        return cpu_raise_gp0(cpu); /* SDM 9.8.5.4: leave 64-bit mode first */
    if (disabling_pg)
        cpu->efer &= ~EFER_LMA;
    cpu->cr0 = v | CR0_ET;
    mem_tlb_flush_all(&cpu->tlb);
    cpu_update_mode(cpu);
    return SIM_OK;
}

/* SDM 2.5 "Control Registers": a CR4 bit is reserved unless the model has
 * the feature behind it (CPUID). */
static uint64_t cr4_allowed(const CpuModel *m)
{
    static const struct {
        CpuFeature feature;
        uint64_t bits;
    } map[] = {
        {FEAT_TSC, CR4_TSD},   {FEAT_DE, CR4_DE},       {FEAT_PSE, CR4_PSE},
        {FEAT_PAE, CR4_PAE},   {FEAT_PGE, CR4_PGE},     {FEAT_FXSR, CR4_OSFXSR},
        {FEAT_SSE, CR4_OSXMMEXCPT}, {FEAT_VMX, CR4_VMXE}, {FEAT_XSAVE, CR4_OSXSAVE},
        {FEAT_SMEP, CR4_SMEP}, {FEAT_SMAP, CR4_SMAP},   {FEAT_UMIP, CR4_UMIP},
        {FEAT_LA57, CR4_LA57}, {FEAT_FSGSBASE, CR4_FSGSBASE}, {FEAT_PKU, CR4_PKE},
    };
    uint64_t allowed = 0;
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(map); i++) {
        if (cpu_model_has(m, map[i].feature))
            allowed |= map[i].bits;
    }
    return allowed;
}

/* SDM 2.5: reserved CR4 bits, and PAE cannot be cleared while IA-32e mode is active. */
static SimStatus write_cr4(CpuState *cpu, uint64_t v)
{
    if ((v & ~cr4_allowed(cpu->model)) || ((cpu->efer & EFER_LMA) && !(v & CR4_PAE)))
        return cpu_raise_gp0(cpu);
    cpu->cr4 = v;
    mem_tlb_flush_all(&cpu->tlb);
    return SIM_OK;
}

/* SDM 4.10.4.1: MOV to CR3 invalidates non-global TLB entries. */
static SimStatus write_cr3(CpuState *cpu, uint64_t v)
{
    if ((cpu->efer & EFER_LMA) && (v & CR3_RESERVED))
        return cpu_raise_gp0(cpu);
    cpu->cr3 = (cpu->efer & EFER_LMA) ? v : (uint32_t)v;
    mem_tlb_flush_nonglobal(&cpu->tlb);
    return SIM_OK;
}

SimStatus exec_mov_to_cr(CpuState *cpu, const DecodedInsn *d)
{
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    uint64_t v = reg_read(cpu, d->op[1].reg, d->op[1].size);
    switch (d->op[0].reg) {
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
        cpu->cr8 = v;
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
    reg_write(cpu, d->op[0].reg, d->op[0].size, *cr[n]);
    return SIM_OK;
}
