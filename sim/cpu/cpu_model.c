/* The CPU models vmxsim can be, and CPUID computed from them. */
#include "sim/cpu/cpu_model.h"

#include <string.h>

#include "sim/mem/paging.h"
#include "sim/sim.h"

#define F(name) (UINT64_C(1) << FEAT_##name)

/* What the integer core implements today (docs/cpu-models.md). */
#define BASE_FEATURES                                                                              \
    (F(PSE) | F(TSC) | F(MSR) | F(PAE) | F(CX8) | F(PGE) | F(CMOV) | F(PAT) | F(PSE36) | F(NX) |    \
     F(PDPE1GB) | F(LM) | F(LAHF_LM) | F(CX16) | F(POPCNT) | F(MOVBE) | F(ABM) | F(BMI1) |          \
     F(BMI2) | F(RDTSCP))

static const CpuModel models[] = {
    {"base", "x86-64 integer core: long mode, PAE, NX, 1 GiB pages; no FPU/SSE, no VMX yet",
     0x000906a0, "vmxsim x86-64 CPU", BASE_FEATURES},
};

#define MAX_BASIC_LEAF 0x7u
#define MAX_EXT_LEAF 0x80000008u

unsigned cpu_model_count(void) { return SIM_ARRAY_SIZE(models); }
const CpuModel *cpu_model_at(unsigned i) { return i < cpu_model_count() ? &models[i] : NULL; }
const CpuModel *cpu_model_default(void) { return &models[0]; }

const CpuModel *cpu_model_find(const char *name)
{
    for (unsigned i = 0; i < cpu_model_count(); i++) {
        if (strcmp(models[i].name, name) == 0)
            return &models[i];
    }
    return NULL;
}

enum { EAX, EBX, ECX, EDX };

/* OR in the feature bits the model has for this leaf. */
static void feature_bits(const CpuModel *m, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
#define X(name, l, sl, reg, bit)                                                                   \
    if ((l) == leaf && (sl) == subleaf && cpu_model_has(m, FEAT_##name))                           \
        out[reg] |= UINT32_C(1) << (bit);
#include "sim/cpu/cpu_features.def"
#undef X
}

/* CPUID.80000002H-80000004H: the brand string, 16 bytes per leaf. */
static void brand_bits(const CpuModel *m, uint32_t leaf, uint32_t out[4])
{
    char brand[48] = {0};
    strncpy(brand, m->brand, sizeof(brand) - 1);
    memcpy(out, brand + 16 * (leaf - 0x80000002u), 16);
}

static void basic_leaf(const CpuModel *m, uint32_t leaf, uint32_t out[4])
{
    switch (leaf) {
    case 0x0: /* "GenuineIntel" in EBX, EDX, ECX */
        out[EAX] = MAX_BASIC_LEAF;
        out[EBX] = 0x756e6547u;
        out[EDX] = 0x49656e69u;
        out[ECX] = 0x6c65746eu;
        break;
    case 0x1: /* EBX: CLFLUSH line 8 x 8 bytes, one logical processor */
        out[EAX] = m->signature;
        out[EBX] = (1u << 16) | (8u << 8);
        break;
    default:
        break;
    }
}

void cpu_model_cpuid(const CpuModel *m, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(out[0]));
    /* SDM Vol. 2 CPUID: a leaf above the maximum returns the highest basic leaf. */
    if ((leaf < 0x80000000u && leaf > MAX_BASIC_LEAF) || leaf > MAX_EXT_LEAF)
        leaf = MAX_BASIC_LEAF;
    if (leaf != 0x7 && leaf != 0xb && leaf != 0xd)
        subleaf = 0;
    if (leaf < 0x80000000u)
        basic_leaf(m, leaf, out);
    else if (leaf == 0x80000000u)
        out[EAX] = MAX_EXT_LEAF;
    else if (leaf >= 0x80000002u && leaf <= 0x80000004u)
        brand_bits(m, leaf, out);
    else if (leaf == 0x80000008u) /* physical and linear address widths */
        out[EAX] = PAGING_MAXPHYADDR | ((cpu_model_has(m, FEAT_LA57) ? 57u : 48u) << 8);
    feature_bits(m, leaf, subleaf, out);
}
