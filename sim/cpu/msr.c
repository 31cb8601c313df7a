/* RDMSR/WRMSR semantics over the table in msr.def.  Section numbers follow
 * design.md's SDM revision (Vol. 3A chapter 11 "Memory Cache Control",
 * 15 "Machine-Check Architecture"; one lower than in revisions that number
 * Memory Cache Control 12); titles are quoted so either maps. */
#include "sim/cpu/msr.h"

#include "sim/cpu/apic_hooks.h"
#include "sim/cpu/branch.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/vmx_hooks.h"

typedef enum MsrKind {
    MSR_PLAIN,
    MSR_CANONICAL,
    MSR_READ_ONLY,
    MSR_WRITE_ONLY,
    MSR_CLEAR_ONLY,
    MSR_MTRR_TYPE,
    MSR_MTRR_FIXED,
    MSR_PAT_TYPES,
    MSR_SPECIAL,
} MsrKind;

/* A row of msr.def; msr_slot() maps the index to it. */
typedef struct MsrRow {
    uint64_t reset, reserved;
    MsrKind kind;
    CpuFeature feature;
} MsrRow;

static const MsrRow msr_rows[MSR_SLOT_COUNT] = {
#define X(name, idx, rst, rsvd, k, feat) [MSR_SLOT_##name] = {rst, rsvd, k, FEAT_##feat},
#include "sim/cpu/msr.def"
#undef X
};

static int msr_slot(uint32_t index)
{
    switch (index) {
#define X(name, idx, ...)                                                                          \
    case idx:                                                                                      \
        return MSR_SLOT_##name;
#include "sim/cpu/msr.def"
#undef X
    default:
        return -1;
    }
}

/* The row of `index` when the CPU's model has that MSR, else -1 (SDM Vol. 4
 * 2.1: an MSR whose enumeration condition fails does not exist: #GP(0)). */
static int msr_lookup(const CpuState *cpu, uint32_t index)
{
    int slot = msr_slot(index);
    if (slot < 0 || !cpu_model_has(cpu->model, msr_rows[slot].feature))
        return -1;
    return slot;
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

void cpu_msr_cpuid_signature(CpuState *cpu)
{
    enum { MICROCODE_UPDATE_SIGNATURE = 0 }; /* vmxsim loads no microcode update */
    cpu->msr[MSR_SLOT_IA32_BIOS_SIGN_ID] = (uint64_t)MICROCODE_UPDATE_SIGNATURE << 32;
}

/* SDM Appendix A "VMX Capability Reporting Facility": IA32_VMX_BASIC (480H)
 * and the MSRs after it are read-only and answered by the VMX layer; they
 * exist only with VMX (and each only as Appendix A enumerates it). */
static bool vmx_capability_msr(uint32_t index) { return index >= 0x480 && index < 0x4a0; }

SimStatus cpu_msr_read(CpuState *cpu, uint32_t index, uint64_t *value)
{
    if (vmx_capability_msr(index))
        return cpu->vmx_ops && cpu->vmx_ops->read_capability(cpu, index, value) ? SIM_OK
                                                                                : cpu_raise_gp0(cpu);
    if (cpu_msr_is_x2apic(index))
        return cpu_x2apic_msr_read(cpu, index, value);
    int slot = msr_lookup(cpu, index);
    /* SDM Vol. 4 Table 2-2 (49H): IA32_PRED_CMD is write-only. */
    if (slot < 0 || msr_rows[slot].kind == MSR_WRITE_ONLY)
        return cpu_raise_gp0(cpu);
    switch (slot) {
    case MSR_SLOT_IA32_TIME_STAMP_COUNTER:
        *value = cpu_tsc_read(cpu);
        return SIM_OK;
    case MSR_SLOT_IA32_TSC_ADJUST:
        *value = cpu->tsc_adjust;
        return SIM_OK;
    case MSR_SLOT_IA32_APIC_BASE:
        *value = cpu_apic_base_read(cpu);
        return SIM_OK;
    case MSR_SLOT_IA32_TSC_DEADLINE:
        *value = cpu_tsc_deadline_read(cpu);
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

/* SDM 11.11.2.1-11.11.2.3 and Table 11-8 "Memory Types That Can Be Encoded
 * in MTRRs": UC 0, WC 1, WT 4, WP 5, WB 6; any other type is #GP. */
static bool mtrr_type_valid(uint64_t type)
{
    return type == 0 || type == 1 || (type >= 4 && type <= 6);
}

/* SDM 11.12.2 "IA32_PAT MSR", Table 11-10 "Memory Types That Can Be Encoded
 * With PAT": 2 and 3 are reserved (#GP); 7 is UC-.  Bits 7:3 are in the
 * row's reserved mask. */
static bool pat_type_valid(uint64_t type) { return type != 2 && type != 3; }

static bool all_bytes(uint64_t v, bool (*valid)(uint64_t))
{
    for (unsigned i = 0; i < 8; i++) {
        if (!valid((v >> (8 * i)) & 0xff))
            return false;
    }
    return true;
}

/* The value rules of the row's kind (msr.def), beyond its reserved bits. */
static bool value_valid(const CpuState *cpu, const MsrRow *r, uint64_t v)
{
    switch (r->kind) {
    case MSR_CANONICAL:
        return cpu_is_canonical(cpu, v);
    case MSR_READ_ONLY: /* SDM Vol. 4 2.1: "RO" registers; WRMSR is #GP(0) */
        return false;
    case MSR_CLEAR_ONLY: /* SDM 15.3.2.2-15.3.2.4: "writing 1s ... causes #GP" */
        return v == 0;
    case MSR_MTRR_TYPE:
        return mtrr_type_valid(v & 0xff);
    case MSR_MTRR_FIXED:
        return all_bytes(v, mtrr_type_valid);
    case MSR_PAT_TYPES:
        return all_bytes(v, pat_type_valid);
    default:
        return true;
    }
}

/* SDM Vol. 3A 2.2.1 / 9.8.5: EFER.LME cannot change while paging is on;
 * LMA is read-only (it reflects CR0.PG && LME).  SDM Vol. 4 Table 2-2
 * (C000_0080H): SCE exists with SYSCALL, NXE with NX unless IA32_MISC_ENABLE
 * disables the XD bit. */
static SimStatus write_efer(CpuState *cpu, uint64_t value)
{
    bool xd_off = (cpu->msr[MSR_SLOT_IA32_MISC_ENABLE] & MISC_ENABLE_XD_DISABLE) != 0;
    if ((value & EFER_SCE) && !cpu_model_has(cpu->model, FEAT_SYSCALL))
        return cpu_raise_gp0(cpu);
    if ((value & EFER_NXE) && (!cpu_model_has(cpu->model, FEAT_NX) || xd_off))
        return cpu_raise_gp0(cpu);
    if ((cpu->cr0 & CR0_PG) && ((value ^ cpu->efer) & EFER_LME))
        return cpu_raise_gp0(cpu);
    cpu->efer = (value & ~EFER_LMA) | (cpu->efer & EFER_LMA);
    mem_tlb_flush_all(&cpu->tlb); /* NXE changes the meaning of XD bits */
    return SIM_OK;
}

/* SDM Vol. 4 Table 2-2 (1A0H): read-write bits 0 (fast strings: no effect in
 * an interpreter), 3 (automatic thermal control: no thermal model), 22
 * (limit CPUID maxval, cpu_model.c) and 34 (XD bit disable, only with NX:
 * "writing this bit to 1 when the XD Bit extended feature flag is set to 0
 * may generate a #GP").  Bits 7, 11, 12 are read-only: WRMSR keeps them (a
 * read-modify-write must succeed).  Every other bit is reserved. */
static SimStatus write_misc_enable(CpuState *cpu, uint64_t value)
{
    const uint64_t ro = MISC_ENABLE_PERFMON_AVAILABLE | MISC_ENABLE_BTS_UNAVAILABLE |
                        MISC_ENABLE_PEBS_UNAVAILABLE;
    uint64_t rw = MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_TCC | MISC_ENABLE_LIMIT_CPUID_MAXVAL;
    if (cpu_model_has(cpu->model, FEAT_NX))
        rw |= MISC_ENABLE_XD_DISABLE;
    if (value & ~(rw | ro))
        return cpu_raise_gp0(cpu);
    uint64_t *msr = &cpu->msr[MSR_SLOT_IA32_MISC_ENABLE];
    *msr = (value & rw) | (*msr & ro);
    return SIM_OK;
}

/* SDM Vol. 4 Table 2-2 (48H): IBRS (bit 0) with CPUID.(07H,0):EDX[26],
 * STIBP (bit 1) with EDX[27], SSBD (bit 2) with EDX[31].  vmxsim does not
 * speculate, so the controls are stored and restrict nothing. */
static SimStatus write_spec_ctrl(CpuState *cpu, uint64_t value)
{
    if (((value & 2) && !cpu_model_has(cpu->model, FEAT_STIBP)) ||
        ((value & 4) && !cpu_model_has(cpu->model, FEAT_SSBD)))
        return cpu_raise_gp0(cpu);
    cpu->msr[MSR_SLOT_IA32_SPEC_CTRL] = value;
    return SIM_OK;
}

static SimStatus write_segment_base(CpuState *cpu, unsigned seg, uint64_t value)
{
    if (!cpu_is_canonical(cpu, value))
        return cpu_raise_gp0(cpu);
    cpu->seg[seg].base = value;
    return SIM_OK;
}

static SimStatus write_special(CpuState *cpu, int slot, uint64_t value)
{
    switch (slot) {
    case MSR_SLOT_IA32_TIME_STAMP_COUNTER:
        /* SDM 17.17.3: a write to the TSC adds the same delta to TSC_ADJUST. */
        cpu->tsc_adjust = value - cpu->cycles;
        return SIM_OK;
    case MSR_SLOT_IA32_TSC_ADJUST:
        /* SDM 17.17.3: a write to TSC_ADJUST adds the same delta to the TSC. */
        cpu->tsc_adjust = value;
        return SIM_OK;
    case MSR_SLOT_IA32_EFER:
        return write_efer(cpu, value);
    case MSR_SLOT_IA32_FS_BASE:
        return write_segment_base(cpu, SEG_FS, value);
    case MSR_SLOT_IA32_GS_BASE:
        return write_segment_base(cpu, SEG_GS, value);
    case MSR_SLOT_IA32_FEATURE_CONTROL:
        /* SDM 23.7 "Enabling and Entering VMX Operation": locked (bit 0) -> #GP. */
        if (cpu->msr[slot] & 1)
            return cpu_raise_gp0(cpu);
        cpu->msr[slot] = value;
        return SIM_OK;
    case MSR_SLOT_IA32_SPEC_CTRL:
        return write_spec_ctrl(cpu, value);
    case MSR_SLOT_IA32_MISC_ENABLE:
        return write_misc_enable(cpu, value);
    case MSR_SLOT_IA32_TSC_DEADLINE:
        cpu_tsc_deadline_write(cpu, value);
        return SIM_OK;
    default:
        return cpu_apic_base_write(cpu, value);
    }
}

SimStatus cpu_msr_write(CpuState *cpu, uint32_t index, uint64_t value)
{
    if (cpu_msr_is_x2apic(index))
        return cpu_x2apic_msr_write(cpu, index, value);
    int slot = msr_lookup(cpu, index);
    if (slot < 0 || vmx_capability_msr(index) || (value & msr_rows[slot].reserved) || !value_valid(cpu, &msr_rows[slot], value))
        return cpu_raise_gp0(cpu);
    switch (msr_rows[slot].kind) {
    case MSR_SPECIAL:
        return write_special(cpu, slot, value);
    case MSR_WRITE_ONLY: /* IBPB: vmxsim keeps no branch predictions to discard */
        return SIM_OK;
    default:
        cpu->msr[slot] = value;
        return SIM_OK;
    }
}
