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
    FEAT_COUNT
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
    return (m->features >> f) & 1;
}

/* CPUID (SDM Vol. 2 CPUID): out = {EAX, EBX, ECX, EDX}. */
void cpu_model_cpuid(const CpuModel *m, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
