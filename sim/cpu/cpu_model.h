/*
 * CPU models as data (style.md rule 10): a signature, leaf maxima and the
 * set of features from cpu_features.def.  CPUID, the CR4 reserved-bit mask
 * and instruction availability are all derived from the model, so a model
 * advertises exactly what vmxsim implements for it.
 */
#ifndef VMXSIM_CPU_CPU_MODEL_H
#define VMXSIM_CPU_CPU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

typedef enum CpuFeature {
#define X(name, leaf, subleaf, reg, bit) FEAT_##name,
#include "sim/cpu/cpu_features.def"
#undef X
    FEAT_COUNT,
    FEAT_NONE = FEAT_COUNT, /* always present (msr.def rows without a feature) */
} CpuFeature;

typedef struct CpuModel {
    const char *name;
    const char *description;
    uint32_t signature;    /* CPUID.01H:EAX: stepping, model, family */
    const char *brand;     /* CPUID.80000002H-80000004H, at most 47 characters */
    uint64_t features;     /* bit FEAT_x set when the model has feature x */
} CpuModel;

_Static_assert(FEAT_COUNT <= 64, "features fit a 64-bit set");

const CpuModel *cpu_model_find(const char *name);
const CpuModel *cpu_model_default(void);
unsigned cpu_model_count(void);
const CpuModel *cpu_model_at(unsigned i);

static inline bool cpu_model_has(const CpuModel *m, CpuFeature f)
{
    return f == FEAT_NONE || ((m->features >> f) & 1);
}

/* What CPUID reports beyond the model: the executing CPU's place in the
 * machine and the control bits that CPUID reflects (SDM Vol. 2 CPUID). */
typedef struct CpuidEnv {
    unsigned apic_id;   /* initial APIC ID: the CPU's index in the machine */
    unsigned cpu_count; /* logical processors: one package, one thread per core */
    bool osxsave;       /* CR4.OSXSAVE -> CPUID.01H:ECX.OSXSAVE[bit 27] */
    bool ospke;         /* CR4.PKE -> CPUID.(07H,0):ECX.OSPKE[bit 4] */
    bool limit_maxval;  /* IA32_MISC_ENABLE[22]: CPUID.00H:EAX reports 2 */
    bool xd_disable;    /* IA32_MISC_ENABLE[34]: CPUID.80000001H:EDX.NX reads 0 */
    bool apic_disabled; /* IA32_APIC_BASE[11] = 0: CPUID.01H:EDX.APIC reads 0 */
} CpuidEnv;

/* SDM 2.5 "Control Registers": the CR4 bits the model has (the others are
 * reserved: MOV to CR4 #GP(0); IA32_VMX_CR4_FIXED1 reports these). */
uint64_t cpu_model_cr4_allowed(const CpuModel *m);

/* CPUID (SDM Vol. 2 CPUID): out = {EAX, EBX, ECX, EDX}. */
void cpu_model_cpuid(const CpuModel *m, const CpuidEnv *env, uint32_t leaf, uint32_t subleaf,
                     uint32_t out[4]);

#endif
