/* RDMSR/WRMSR semantics over the table in msr.def. */
#include "sim/cpu/msr.h"

#include "sim/cpu/branch.h"
#include "sim/cpu/exceptions.h"

typedef enum MsrKind { MSR_PLAIN, MSR_CANONICAL, MSR_SPECIAL } MsrKind;

typedef struct MsrRow {
    uint32_t index;
    uint64_t reset, reserved;
    MsrKind kind;
} MsrRow;

static const MsrRow msr_rows[MSR_SLOT_COUNT] = {
#define X(name, idx, rst, rsvd, k) [MSR_SLOT_##name] = {idx, rst, rsvd, k},
#include "sim/cpu/msr.def"
#undef X
};

static int msr_slot(uint32_t index)
{
    for (int i = 0; i < MSR_SLOT_COUNT; i++) {
        if (msr_rows[i].index == index)
            return i;
    }
    return -1;
}

void cpu_msr_reset(CpuState *cpu)
{
    for (int i = 0; i < MSR_SLOT_COUNT; i++)
        cpu->msr[i] = msr_rows[i].reset;
    /* IA32_APIC_BASE.BSP (bit 8) is set on the bootstrap processor only. */
    if (cpu->id == 0)
        cpu->msr[MSR_SLOT_IA32_APIC_BASE] |= 1u << 8;
    cpu->tsc_adjust = 0;
}

SimStatus cpu_msr_read(CpuState *cpu, uint32_t index, uint64_t *value)
{
    int slot = msr_slot(index);
    if (slot < 0)
        return cpu_raise_gp0(cpu);
    switch (slot) {
    case MSR_SLOT_IA32_TIME_STAMP_COUNTER:
        *value = cpu->cycles + cpu->tsc_adjust;
        return SIM_OK;
    case MSR_SLOT_IA32_EFER:
        *value = cpu->efer;
        return SIM_OK;
    case MSR_SLOT_IA32_FS_BASE:
        *value = cpu->seg[SEG_FS].base;
        return SIM_OK;
    case MSR_SLOT_IA32_GS_BASE:
        *value = cpu->seg[SEG_GS].base;
        return SIM_OK;
    default:
        *value = cpu->msr[slot];
        return SIM_OK;
    }
}

/* SDM Vol. 3A 2.2.1 / 9.8.5: EFER.LME cannot change while paging is on;
 * LMA is read-only (it reflects CR0.PG && LME). */
static SimStatus write_efer(CpuState *cpu, uint64_t value)
{
    if ((cpu->cr0 & CR0_PG) && ((value ^ cpu->efer) & EFER_LME))
        return cpu_raise_gp0(cpu);
    cpu->efer = (value & ~EFER_LMA) | (cpu->efer & EFER_LMA);
    mem_tlb_flush_all(&cpu->tlb); /* NXE changes the meaning of XD bits */
    return SIM_OK;
}

/* SDM Vol. 3C 23.7: IA32_FEATURE_CONTROL cannot be written once locked (bit 0). */
static SimStatus write_special(CpuState *cpu, int slot, uint64_t value)
{
    switch (slot) {
    case MSR_SLOT_IA32_TIME_STAMP_COUNTER:
        cpu->tsc_adjust = value - cpu->cycles;
        return SIM_OK;
    case MSR_SLOT_IA32_EFER:
        return write_efer(cpu, value);
    case MSR_SLOT_IA32_FS_BASE:
    case MSR_SLOT_IA32_GS_BASE:
        if (!cpu_is_canonical(cpu, value))
            return cpu_raise_gp0(cpu);
        cpu->seg[slot == MSR_SLOT_IA32_FS_BASE ? SEG_FS : SEG_GS].base = value;
        return SIM_OK;
    case MSR_SLOT_IA32_FEATURE_CONTROL:
        if (cpu->msr[slot] & 1)
            return cpu_raise_gp0(cpu);
        cpu->msr[slot] = value;
        return SIM_OK;
    default: /* IA32_APIC_BASE: the BSP bit is read-only */
        cpu->msr[slot] = (value & ~UINT64_C(0x100)) | (cpu->msr[slot] & 0x100);
        return SIM_OK;
    }
}

SimStatus cpu_msr_write(CpuState *cpu, uint32_t index, uint64_t value)
{
    int slot = msr_slot(index);
    if (slot < 0 || (value & msr_rows[slot].reserved))
        return cpu_raise_gp0(cpu);
    if (msr_rows[slot].kind == MSR_CANONICAL && !cpu_is_canonical(cpu, value))
        return cpu_raise_gp0(cpu);
    if (msr_rows[slot].kind == MSR_SPECIAL)
        return write_special(cpu, slot, value);
    cpu->msr[slot] = value;
    return SIM_OK;
}
