/*
 * CPU models as data (style.md rule 10): what CPUID reports.  A model
 * advertises exactly what vmxsim implements for it, nothing more.
 */
#ifndef VMXSIM_CPU_CPU_MODEL_H
#define VMXSIM_CPU_CPU_MODEL_H

#include <stdint.h>

typedef struct CpuidLeaf {
    uint32_t leaf, subleaf;
    uint32_t eax, ebx, ecx, edx;
} CpuidLeaf;

typedef struct CpuModel {
    const char *name;
    const char *description;
    const CpuidLeaf *leaves;
    unsigned leaf_count;
} CpuModel;

const CpuModel *cpu_model_find(const char *name);
const CpuModel *cpu_model_default(void);
unsigned cpu_model_count(void);
const CpuModel *cpu_model_at(unsigned i);
/* CPUID: leaves beyond the maximum return the highest basic leaf's values,
 * as Intel processors do (SDM Vol. 2 CPUID, "If a value entered ... is invalid"). */
void cpu_model_cpuid(const CpuModel *m, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
