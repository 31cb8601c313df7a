/* The CPU models vmxsim can be (CPUID data). */
#include "sim/cpu/cpu_model.h"

#include <string.h>

#include "sim/sim.h"

/* "GenuineIntel" in EBX, EDX, ECX order. */
#define VENDOR_EBX 0x756e6547u
#define VENDOR_EDX 0x49656e69u
#define VENDOR_ECX 0x6c65746eu

/* CPUID.01H:EDX (SDM Vol. 2 CPUID Table 3-11): PSE, TSC, MSR, PAE, PGE, CMOV, PAT, PSE-36. */
#define BASE_LEAF1_EDX ((1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 13) | (1u << 15) | \
                        (1u << 16) | (1u << 17))
/* CPUID.80000001H:EDX: XD (20), 1-GByte pages (26), Intel 64 (29). */
#define BASE_EXT1_EDX ((1u << 20) | (1u << 26) | (1u << 29))

static const CpuidLeaf base_leaves[] = {
    {0x0, 0, 0x1, VENDOR_EBX, VENDOR_ECX, VENDOR_EDX},
    /* Family 6, model 0x9A (extended model 9), stepping 0; one logical processor. */
    {0x1, 0, 0x000906a0, 0x00010000, 0, BASE_LEAF1_EDX},
    {0x80000000, 0, 0x80000008, 0, 0, 0},
    {0x80000001, 0, 0, 0, 0, BASE_EXT1_EDX},
    /* "vmxsim x86-64 CPU" brand string, 48 bytes over three leaves. */
    {0x80000002, 0, 0x73786d76, 0x78206d69, 0x362d3638, 0x50432034},
    {0x80000003, 0, 0x00000055, 0, 0, 0},
    {0x80000004, 0, 0, 0, 0, 0},
    /* Physical address bits 39 (paging.h PAGING_MAXPHYADDR), linear 48. */
    {0x80000008, 0, 0x00003027, 0, 0, 0},
};

static const CpuModel models[] = {
    {"base", "x86-64 integer core: long mode, PAE/NX/1G pages, no FPU/SSE, no VMX yet",
     base_leaves, SIM_ARRAY_SIZE(base_leaves)},
};

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

static const CpuidLeaf *find_leaf(const CpuModel *m, uint32_t leaf, uint32_t subleaf)
{
    for (unsigned i = 0; i < m->leaf_count; i++) {
        if (m->leaves[i].leaf == leaf && m->leaves[i].subleaf == subleaf)
            return &m->leaves[i];
    }
    return NULL;
}

void cpu_model_cpuid(const CpuModel *m, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    const CpuidLeaf *max_basic = find_leaf(m, 0, 0), *max_ext = find_leaf(m, 0x80000000, 0);
    bool ext = leaf >= 0x80000000u;
    uint32_t max = ext ? max_ext->eax : max_basic->eax;
    if (leaf > max)
        leaf = max_basic->eax, subleaf = 0;
    const CpuidLeaf *l = find_leaf(m, leaf, subleaf);
    if (!l)
        l = find_leaf(m, leaf, 0);
    out[0] = l ? l->eax : 0;
    out[1] = l ? l->ebx : 0;
    out[2] = l ? l->ecx : 0;
    out[3] = l ? l->edx : 0;
}
