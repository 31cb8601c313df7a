/* SDM 26.2.2-26.2.4: checks on the host-state area (rows of entry_checks.def). */
#include "sim/vmx/entry_check_util.h"

static bool host_64(const EntryCtx *c) { return CTL(EXIT_CONTROLS, EXIT, HOST_ADDRESS_SPACE_SIZE); }
static bool loads_efer(const EntryCtx *c) { return CTL(EXIT_CONTROLS, EXIT, LOAD_IA32_EFER); }

bool check_HOST_CR0_FIXED(const EntryCtx *c)
{
    return cr_fixed_ok(F(HOST_CR0), c->vmx->caps.cr0_fixed0, c->vmx->caps.cr0_fixed1);
}

bool check_HOST_CR4_FIXED(const EntryCtx *c)
{
    return cr_fixed_ok(F(HOST_CR4), c->vmx->caps.cr4_fixed0, c->vmx->caps.cr4_fixed1);
}

bool check_HOST_CR3_WIDTH(const EntryCtx *c) { return phys_ok(F(HOST_CR3)); }
bool check_HOST_SYSENTER_ESP_CANONICAL(const EntryCtx *c) { return canonical(F(HOST_IA32_SYSENTER_ESP)); }
bool check_HOST_SYSENTER_EIP_CANONICAL(const EntryCtx *c) { return canonical(F(HOST_IA32_SYSENTER_EIP)); }

bool check_HOST_PAT(const EntryCtx *c)
{
    return !CTL(EXIT_CONTROLS, EXIT, LOAD_IA32_PAT) || pat_ok(F(HOST_IA32_PAT));
}

bool check_HOST_EFER_RESERVED(const EntryCtx *c)
{
    return !loads_efer(c) || !(F(HOST_IA32_EFER) & msr_reserved(MSR_SLOT_IA32_EFER));
}

bool check_HOST_EFER_LMA_LME(const EntryCtx *c)
{
    uint64_t efer = F(HOST_IA32_EFER);
    return !loads_efer(c) ||
           (((efer & EFER_LMA) != 0) == host_64(c) && ((efer & EFER_LME) != 0) == host_64(c));
}

bool check_HOST_SELECTOR_RPL_TI(const EntryCtx *c)
{
    uint64_t any = F(HOST_ES_SELECTOR) | F(HOST_CS_SELECTOR) | F(HOST_SS_SELECTOR) |
                   F(HOST_DS_SELECTOR) | F(HOST_FS_SELECTOR) | F(HOST_GS_SELECTOR) |
                   F(HOST_TR_SELECTOR);
    return (any & 7) == 0;
}

bool check_HOST_CS_SELECTOR(const EntryCtx *c) { return F(HOST_CS_SELECTOR) != 0; }
bool check_HOST_TR_SELECTOR(const EntryCtx *c) { return F(HOST_TR_SELECTOR) != 0; }
bool check_HOST_SS_SELECTOR(const EntryCtx *c) { return host_64(c) || F(HOST_SS_SELECTOR) != 0; }

bool check_HOST_BASES_CANONICAL(const EntryCtx *c)
{
    return canonical(F(HOST_FS_BASE)) && canonical(F(HOST_GS_BASE)) &&
           canonical(F(HOST_GDTR_BASE)) && canonical(F(HOST_IDTR_BASE)) &&
           canonical(F(HOST_TR_BASE));
}

bool check_HOST_OUTSIDE_IA32E(const EntryCtx *c)
{
    return (c->cpu->efer & EFER_LMA) ||
           (!CTL(ENTRY_CONTROLS, ENTRY, IA32E_MODE_GUEST) && !host_64(c));
}

bool check_HOST_IN_IA32E(const EntryCtx *c) { return !(c->cpu->efer & EFER_LMA) || host_64(c); }

bool check_HOST_32BIT_STATE(const EntryCtx *c)
{
    return host_64(c) || (!(F(HOST_CR4) & CR4_PCIDE) && (F(HOST_RIP) >> 32) == 0);
}

bool check_HOST_64BIT_STATE(const EntryCtx *c)
{
    return !host_64(c) || ((F(HOST_CR4) & CR4_PAE) && canonical(F(HOST_RIP)));
}
