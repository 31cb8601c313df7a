/* The CPU models vmxsim can be, and CPUID computed from them (SDM Vol. 2
 * CPUID; docs/cpu-models.md lists the models). */
#include "sim/cpu/cpu_model.h"

#include <string.h>

#include "sim/cpu/cpu.h"
#include "sim/mem/paging.h"
#include "sim/sim.h"

#define F(name) (UINT64_C(1) << FEAT_##name)

/* What both cores implement (docs/cpu-models.md): the integer instruction
 * set, x87, MMX, SSE/SSE2, FXSAVE and XSAVE (x87|SSE), SYSCALL and
 * SYSENTER, and VMX (sim/vmx: the VMX controls a model offers are listed
 * in sim/vmx/vmx_caps.c). */
#define BASE_FEATURES                                                                              \
    (F(FPU) | F(VME) | F(PSE) | F(TSC) | F(MSR) | F(PAE) | F(CX8) | F(SEP) | F(PGE) | F(CMOV) | F(PAT) |     \
     F(PSE36) | F(CLFSH) | F(MMX) | F(FXSR) | F(SSE) | F(SSE2) | F(XSAVE) | F(NX) | F(PDPE1GB) |   \
     F(LM) | F(LAHF_LM) | F(SYSCALL) | F(CX16) | F(POPCNT) | F(MOVBE) | F(ABM) | F(BMI1) |         \
     F(BMI2) | F(RDTSCP) | F(VMX))

/* The system architecture both models implement: MTRRs (msr.def), the
 * machine-check architecture's MSRs (CR4.MCE; no machine check is ever
 * signalled) and the local APIC (sim/devices/lapic.h). */
#define SYSTEM_FEATURES (F(MTRR) | F(MCE) | F(MCA) | F(APIC))

/* Paging and MSR features of a recent core: PCID, SMEP, SMAP, protection
 * keys, IA32_TSC_ADJUST, the speculation controls, and the local APIC's
 * x2APIC and TSC-deadline modes (sim/devices/lapic.h). */
#define RECENT_FEATURES                                                                            \
    (F(PCID) | F(INVPCID) | F(SMEP) | F(SMAP) | F(UMIP) | F(PKU) | F(CLFLUSHOPT) | F(TSC_ADJUST) | \
     F(IBRS_IBPB) | F(STIBP) | F(SSBD) | F(X2APIC) | F(TSC_DEADLINE))

/* What a Nehalem-class core does not have of the base set: 1-GByte pages,
 * MOVBE, LZCNT and BMI1/BMI2 came later. */
#define NOT_IN_NEHALEM (F(PDPE1GB) | F(MOVBE) | F(ABM) | F(BMI1) | F(BMI2))

static const CpuModel models[] = {
    {"base",
     "recent x86-64 core: x87, SSE2, XSAVE, PCID, SMEP/SMAP, UMIP, PKU, 1 GiB pages, BMI, "
     "VMX",
     0x000906a0, "vmxsim x86-64 CPU", BASE_FEATURES | SYSTEM_FEATURES | RECENT_FEATURES},
    {"nehalem",
     "older core: the base set without 1 GiB pages, MOVBE, LZCNT, BMI1/2, PCID, SMEP/SMAP, "
     "UMIP, PKU",
     0x000106a5, "vmxsim Nehalem-class x86-64 CPU",
     (BASE_FEATURES & ~NOT_IN_NEHALEM) | SYSTEM_FEATURES},
};

#define MAX_BASIC_LEAF 0x1fu
#define MAX_EXT_LEAF 0x80000008u
#define LIMITED_MAX_LEAF 0x2u /* IA32_MISC_ENABLE[22] (SDM Vol. 4 Table 2-2) */
#define XSAVE_AREA_SIZE 576u  /* legacy region + header: x87 and SSE (exec_xsave.c) */

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

/* Bits needed to number `count` IDs (the topology leaves' shift widths). */
static unsigned id_bits(unsigned count)
{
    unsigned bits = 0;
    while ((1u << bits) < count)
        bits++;
    return bits;
}

/* CPUID.01H EBX (SDM Vol. 2 CPUID, Table 3-8 "Information Returned by CPUID
 * Instruction"): initial APIC ID (31:24), addressable logical-processor IDs
 * in the package (23:16, valid when EDX.HTT = 1), CLFLUSH line size in
 * 8-byte units (15:8).  OSXSAVE reflects CR4.OSXSAVE. */
static void leaf_1(const CpuModel *m, const CpuidEnv *env, uint32_t out[4])
{
    unsigned ids = 1u << id_bits(env->cpu_count);
    out[EAX] = m->signature;
    out[EBX] = (env->apic_id << 24) | ((ids > 0xff ? 0xff : ids) << 16) | (8u << 8);
    if (env->cpu_count > 1)
        out[EDX] |= 1u << 28; /* HTT */
    if (env->osxsave)
        out[ECX] |= 1u << 27;
}

/* CPUID.0BH and 1FH "Extended Topology Enumeration": level 0 is SMT with one
 * thread per core, level 1 is Core with one core per CPU in one package;
 * higher subleaves are invalid (type 0).  EDX is the x2APIC ID. */
static void leaf_topology(const CpuidEnv *env, uint32_t subleaf, uint32_t out[4])
{
    out[ECX] = subleaf & 0xff;
    out[EDX] = env->apic_id;
    if (subleaf == 0) {
        out[EBX] = 1;
        out[ECX] |= 1u << 8;
    } else if (subleaf == 1) {
        out[EAX] = id_bits(env->cpu_count);
        out[EBX] = env->cpu_count;
        out[ECX] |= 2u << 8;
    }
}

/* CPUID.0DH "Processor Extended State Enumeration", only with XSAVE: the
 * x87 and SSE components (XCR0 bits 0, 1), both in the 576-byte legacy
 * region + header whatever XCR0 enables; subleaf 1 reports no XSAVEOPT,
 * XSAVEC, XGETBV with ECX = 1 or XSAVES. */
static void leaf_xsave(const CpuModel *m, uint32_t subleaf, uint32_t out[4])
{
    if (!cpu_model_has(m, FEAT_XSAVE) || subleaf != 0)
        return;
    out[EAX] = 0x3;
    out[EBX] = XSAVE_AREA_SIZE;
    out[ECX] = XSAVE_AREA_SIZE;
}

static void basic_leaf(const CpuModel *m, const CpuidEnv *env, uint32_t leaf, uint32_t subleaf,
                       uint32_t out[4])
{
    switch (leaf) {
    case 0x0: /* "GenuineIntel" in EBX, EDX, ECX */
        out[EAX] = env->limit_maxval ? LIMITED_MAX_LEAF : MAX_BASIC_LEAF;
        out[EBX] = 0x756e6547u;
        out[EDX] = 0x49656e69u;
        out[ECX] = 0x6c65746eu;
        break;
    case 0x1:
        leaf_1(m, env, out);
        break;
    case 0x2: /* AL = 01H: one iteration; every descriptor null (00H) */
        out[EAX] = 0x1;
        break;
    case 0x7: /* subleaf 0: EAX = highest subleaf (0); OSPKE reflects CR4.PKE */
        if (subleaf == 0 && env->ospke)
            out[ECX] |= 1u << 4;
        break;
    case 0xb:
    case 0x1f:
        leaf_topology(env, subleaf, out);
        break;
    case 0xd:
        leaf_xsave(m, subleaf, out);
        break;
    default: /* 4, 6 (no thermal/power features; no ARAT without an APIC) ... */
        break;
    }
}

static void extended_leaf(const CpuModel *m, uint32_t leaf, uint32_t out[4])
{
    if (leaf == 0x80000000u)
        out[EAX] = MAX_EXT_LEAF;
    else if (leaf >= 0x80000002u && leaf <= 0x80000004u)
        brand_bits(m, leaf, out);
    else if (leaf == 0x80000008u) /* physical and linear address widths */
        out[EAX] = PAGING_MAXPHYADDR | ((cpu_model_has(m, FEAT_LA57) ? 57u : 48u) << 8);
}

static bool has_subleaves(uint32_t leaf)
{
    return leaf == 0x7 || leaf == 0xb || leaf == 0xd || leaf == 0x1f;
}

void cpu_model_cpuid(const CpuModel *m, const CpuidEnv *env, uint32_t leaf, uint32_t subleaf,
                     uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(out[0]));
    /* SDM Vol. 2 CPUID: a leaf above the maximum returns the highest basic leaf. */
    if ((leaf < 0x80000000u && leaf > MAX_BASIC_LEAF) || leaf > MAX_EXT_LEAF)
        leaf = MAX_BASIC_LEAF;
    if (!has_subleaves(leaf))
        subleaf = 0;
    if (leaf < 0x80000000u)
        basic_leaf(m, env, leaf, subleaf, out);
    else
        extended_leaf(m, leaf, out);
    feature_bits(m, leaf, subleaf, out);
    /* SDM Vol. 4 Table 2-2 (1A0H) bit 34: XD Bit Disable hides NX. */
    if (leaf == 0x80000001u && env->xd_disable)
        out[EDX] &= ~(UINT32_C(1) << 20);
    /* SDM 10.4.3 "Enabling or Disabling the Local APIC": with IA32_APIC_BASE
     * [11] clear "the CPUID feature flag for the APIC ... is also set to 0". */
    if (leaf == 1 && env->apic_disabled)
        out[EDX] &= ~(UINT32_C(1) << 9);
}

/* SDM 2.5 "Control Registers": a CR4 bit is reserved unless the model has
 * the feature behind it (CPUID). */
uint64_t cpu_model_cr4_allowed(const CpuModel *m)
{
    static const struct {
        CpuFeature feature;
        uint64_t bits;
    } map[] = {
        {FEAT_VME, CR4_VME | CR4_PVI}, /* CPUID VME covers both (SDM 2.5) */
        {FEAT_TSC, CR4_TSD},   {FEAT_DE, CR4_DE},       {FEAT_PSE, CR4_PSE},
        {FEAT_PAE, CR4_PAE},   {FEAT_PGE, CR4_PGE},     {FEAT_FXSR, CR4_OSFXSR},
        {FEAT_SSE, CR4_OSXMMEXCPT}, {FEAT_VMX, CR4_VMXE}, {FEAT_XSAVE, CR4_OSXSAVE},
        {FEAT_SMEP, CR4_SMEP}, {FEAT_SMAP, CR4_SMAP},   {FEAT_UMIP, CR4_UMIP},
        {FEAT_LA57, CR4_LA57}, {FEAT_FSGSBASE, CR4_FSGSBASE}, {FEAT_PKU, CR4_PKE},
        {FEAT_MCE, CR4_MCE},   {FEAT_PCID, CR4_PCIDE},
    };
    uint64_t allowed = 0;
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(map); i++) {
        if (cpu_model_has(m, map[i].feature))
            allowed |= map[i].bits;
    }
    return allowed;
}
