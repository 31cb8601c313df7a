/*
 * SDM 26.2.2-26.2.4: the checks VM entry makes on the host-state area of
 * L1's VMCS.  vmcs02's host state is hv-nest's, so the processor cannot
 * make them for L1: hv-nest does, in the SDM's order, and a failure is
 * VMfailValid(8) for L1 (30.4).  One row per rule.
 */
#include "hv_nest.h"

#include "guest/io.h"

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define CR4_PAE (1ull << 5)
#define CR4_PCIDE (1ull << 17)
#define SELECTOR_RPL_TI 7u

static uint64_t host(uint64_t v, uint32_t field) {
    return vmcs12_read(v, field);
}

static bool host_64(uint64_t v) {
    return host(v, VMCS_EXIT_CONTROLS) & EXIT_HOST_ADDRESS_SPACE_SIZE;
}

/* Vol. 3A 3.3.7.1: canonical = bits 63 down to the linear-address width
 * all equal (CPUID 80000008H: EAX[15:8]). */
static bool canonical(uint64_t a) {
    unsigned width = cpuid(0x80000008u, 0).eax >> 8 & 0xff;
    int64_t shifted = (int64_t)(a << (64 - width)) >> (64 - width);
    return (uint64_t)shifted == a;
}

static bool fixed(uint64_t value, uint32_t fixed0_msr) {
    uint64_t f0 = rdmsr(fixed0_msr), f1 = rdmsr(fixed0_msr + 1);
    return (value & f0) == f0 && (value & ~f1) == 0;
}

static bool cr0_ok(uint64_t v) {
    return fixed(host(v, VMCS_HOST_CR0), MSR_IA32_VMX_CR0_FIXED0);
}
static bool cr4_ok(uint64_t v) {
    return fixed(host(v, VMCS_HOST_CR4), MSR_IA32_VMX_CR4_FIXED0);
}
static bool cr3_ok(uint64_t v) {
    unsigned width = cpuid(0x80000008u, 0).eax & 0xff;
    return host(v, VMCS_HOST_CR3) >> width == 0;
}
static bool sysenter_ok(uint64_t v) {
    return canonical(host(v, VMCS_HOST_IA32_SYSENTER_ESP)) &&
           canonical(host(v, VMCS_HOST_IA32_SYSENTER_EIP));
}

/* Each byte of IA32_PAT: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC- (Vol. 3A 13.12.2). */
static bool pat_ok(uint64_t v) {
    if (!(host(v, VMCS_EXIT_CONTROLS) & EXIT_LOAD_IA32_PAT)) return true;
    uint64_t pat = host(v, VMCS_HOST_IA32_PAT);
    for (unsigned i = 0; i < 8; i++) {
        unsigned type = pat >> (8 * i) & 0xff;
        if (type == 2 || type == 3 || type > 7) return false;
    }
    return true;
}

static bool efer_ok(uint64_t v) {
    if (!(host(v, VMCS_EXIT_CONTROLS) & EXIT_LOAD_IA32_EFER)) return true;
    uint64_t efer = host(v, VMCS_HOST_IA32_EFER), want = host_64(v) ? EFER_LMA | EFER_LME : 0;
    return (efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) == 0 &&
           (efer & (EFER_LMA | EFER_LME)) == want;
}

static bool selectors_ok(uint64_t v) {
    static const uint32_t sel[] = {
        VMCS_HOST_ES_SELECTOR, VMCS_HOST_CS_SELECTOR, VMCS_HOST_SS_SELECTOR, VMCS_HOST_DS_SELECTOR,
        VMCS_HOST_FS_SELECTOR, VMCS_HOST_GS_SELECTOR, VMCS_HOST_TR_SELECTOR};
    for (unsigned i = 0; i < VMX_COUNT(sel); i++)
        if (host(v, sel[i]) & SELECTOR_RPL_TI) return false;
    return true;
}

static bool cs_ok(uint64_t v) {
    return host(v, VMCS_HOST_CS_SELECTOR) != 0;
}
static bool tr_ok(uint64_t v) {
    return host(v, VMCS_HOST_TR_SELECTOR) != 0;
}
static bool ss_ok(uint64_t v) {
    return host_64(v) || host(v, VMCS_HOST_SS_SELECTOR) != 0;
}

static bool bases_ok(uint64_t v) {
    return canonical(host(v, VMCS_HOST_FS_BASE)) && canonical(host(v, VMCS_HOST_GS_BASE)) &&
           canonical(host(v, VMCS_HOST_GDTR_BASE)) && canonical(host(v, VMCS_HOST_IDTR_BASE)) &&
           canonical(host(v, VMCS_HOST_TR_BASE));
}

/* L1 always runs in IA-32e mode (vmcs01 has "IA-32e mode guest"). */
static bool address_space_ok(uint64_t v) {
    return host_64(v);
}

static bool state_32_ok(uint64_t v) {
    return host_64(v) ||
           (!(host(v, VMCS_HOST_CR4) & CR4_PCIDE) && host(v, VMCS_HOST_RIP) >> 32 == 0);
}

static bool state_64_ok(uint64_t v) {
    return !host_64(v) || ((host(v, VMCS_HOST_CR4) & CR4_PAE) && canonical(host(v, VMCS_HOST_RIP)));
}

static const struct {
    bool (*ok)(uint64_t vmcs);
    const char *rule;
} checks[] = {
    {cr0_ok, "26.2.2: CR0 field within IA32_VMX_CR0_FIXED0/1"},
    {cr4_ok, "26.2.2: CR4 field within IA32_VMX_CR4_FIXED0/1"},
    {cr3_ok, "26.2.2: CR3 field within the physical-address width"},
    {sysenter_ok, "26.2.2: IA32_SYSENTER_ESP/EIP fields canonical"},
    {pat_ok, "26.2.2: with \"load IA32_PAT\", valid memory types"},
    {efer_ok,
     "26.2.2: with \"load IA32_EFER\", reserved bits 0, LMA = LME = host address-space size"},
    {selectors_ok, "26.2.3: RPL and TI of the selector fields 0"},
    {cs_ok, "26.2.3: CS selector not 0000H"},
    {tr_ok, "26.2.3: TR selector not 0000H"},
    {ss_ok, "26.2.3: SS selector not 0000H without host address-space size"},
    {bases_ok, "26.2.3: FS, GS, GDTR, IDTR, TR bases canonical"},
    {address_space_ok, "26.2.4: in IA-32e mode, \"host address-space size\" = 1"},
    {state_32_ok, "26.2.4: without host address-space size, CR4.PCIDE = 0 and RIP[63:32] = 0"},
    {state_64_ok, "26.2.4: with host address-space size, CR4.PAE = 1 and RIP canonical"},
};

const char *nest_check_host_state(uint64_t vmcs) {
    for (unsigned i = 0; i < VMX_COUNT(checks); i++)
        if (!checks[i].ok(vmcs)) return checks[i].rule;
    return NULL;
}
