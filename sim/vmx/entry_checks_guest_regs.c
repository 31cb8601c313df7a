/* SDM 26.3.1.1 "Checks on Guest Control Registers, Debug Registers, and
 * MSRs", 26.3.1.3 "Checks on Guest Descriptor-Table Registers" and 26.3.1.4
 * "Checks on Guest RIP, RFLAGS, and SSP" (rows of entry_checks_guest.def). */
#include "sim/vmx/entry_check_util.h"

/* SDM Vol. 1 3.4.3 "EFLAGS Register": bits 63:22, 15, 5 and 3 are reserved (0), bit 1 is 1. */
#define RFLAGS_RESERVED_0 (~UINT64_C(0x3fffff) | (1u << 15) | (1u << 5) | (1u << 3))

static bool loads_debug(const EntryCtx *c)
{
    return CTL(ENTRY_CONTROLS, ENTRY, LOAD_DEBUG_CONTROLS);
}

static bool loads_efer(const EntryCtx *c) { return CTL(ENTRY_CONTROLS, ENTRY, LOAD_IA32_EFER); }

/* 64-bit mode after the entry: "IA-32e mode guest" and CS.L. */
static bool guest_64(const EntryCtx *c)
{
    return ia32e_guest(c) && (F(GUEST_CS_ACCESS_RIGHTS) & AR_L);
}

/* SDM 26.3.1.1: control registers, debug registers, MSRs.  NW and CD are
 * never checked: VM entry does not change them (SDM 26.3.2.1). */
bool check_GUEST_CR0_FIXED(const EntryCtx *c)
{
    const uint64_t unchecked = CR0_NW | CR0_CD;
    return cr_fixed_ok(F(GUEST_CR0) & ~unchecked, c->vmx->caps.cr0_fixed0 & ~unchecked,
                       c->vmx->caps.cr0_fixed1);
}

bool check_GUEST_CR4_FIXED(const EntryCtx *c)
{
    return cr_fixed_ok(F(GUEST_CR4), c->vmx->caps.cr4_fixed0, c->vmx->caps.cr4_fixed1);
}

bool check_GUEST_DEBUGCTL_RESERVED(const EntryCtx *c)
{
    return !loads_debug(c) || !(F(GUEST_IA32_DEBUGCTL) & msr_reserved(MSR_SLOT_IA32_DEBUGCTL));
}

bool check_GUEST_IA32E_PAGING(const EntryCtx *c)
{
    return !ia32e_guest(c) || ((F(GUEST_CR0) & CR0_PG) && (F(GUEST_CR4) & CR4_PAE));
}

bool check_GUEST_CR4_PCIDE(const EntryCtx *c)
{
    return ia32e_guest(c) || !(F(GUEST_CR4) & CR4_PCIDE);
}

bool check_GUEST_CR3_WIDTH(const EntryCtx *c) { return phys_ok(F(GUEST_CR3)); }

bool check_GUEST_DR7_HIGH(const EntryCtx *c)
{
    return !loads_debug(c) || (F(GUEST_DR7) >> 32) == 0;
}

bool check_GUEST_SYSENTER_ESP_CANONICAL(const EntryCtx *c)
{
    return canonical(F(GUEST_IA32_SYSENTER_ESP));
}

bool check_GUEST_SYSENTER_EIP_CANONICAL(const EntryCtx *c)
{
    return canonical(F(GUEST_IA32_SYSENTER_EIP));
}

bool check_GUEST_PAT(const EntryCtx *c)
{
    return !CTL(ENTRY_CONTROLS, ENTRY, LOAD_IA32_PAT) || pat_ok(F(GUEST_IA32_PAT));
}

bool check_GUEST_EFER_RESERVED(const EntryCtx *c)
{
    return !loads_efer(c) || !(F(GUEST_IA32_EFER) & msr_reserved(MSR_SLOT_IA32_EFER));
}

bool check_GUEST_EFER_LMA(const EntryCtx *c)
{
    return !loads_efer(c) || ((F(GUEST_IA32_EFER) & EFER_LMA) != 0) == ia32e_guest(c);
}

bool check_GUEST_EFER_LME(const EntryCtx *c)
{
    uint64_t efer = F(GUEST_IA32_EFER);
    return !loads_efer(c) || !(F(GUEST_CR0) & CR0_PG) ||
           ((efer & EFER_LMA) != 0) == ((efer & EFER_LME) != 0);
}

/* SDM 26.3.1.3: GDTR and IDTR. */
bool check_GUEST_GDTR_BASE_CANONICAL(const EntryCtx *c) { return canonical(F(GUEST_GDTR_BASE)); }
bool check_GUEST_IDTR_BASE_CANONICAL(const EntryCtx *c) { return canonical(F(GUEST_IDTR_BASE)); }
bool check_GUEST_GDTR_LIMIT(const EntryCtx *c) { return (F(GUEST_GDTR_LIMIT) >> 16) == 0; }
bool check_GUEST_IDTR_LIMIT(const EntryCtx *c) { return (F(GUEST_IDTR_LIMIT) >> 16) == 0; }

/* SDM 26.3.1.4: RIP and RFLAGS (SSP needs "load CET state", not offered). */
bool check_GUEST_RIP_HIGH(const EntryCtx *c) { return guest_64(c) || (F(GUEST_RIP) >> 32) == 0; }

bool check_GUEST_RIP_CANONICAL(const EntryCtx *c)
{
    return !guest_64(c) || canonical(F(GUEST_RIP));
}

bool check_GUEST_RFLAGS_RESERVED(const EntryCtx *c)
{
    return !(F(GUEST_RFLAGS) & RFLAGS_RESERVED_0) && (F(GUEST_RFLAGS) & RFLAGS_FIXED1);
}

bool check_GUEST_RFLAGS_VM(const EntryCtx *c)
{
    return !(F(GUEST_RFLAGS) & RFLAGS_VM) || (!ia32e_guest(c) && (F(GUEST_CR0) & CR0_PE));
}

bool check_GUEST_RFLAGS_IF(const EntryCtx *c)
{
    return !injects(c, EVENT_TYPE_EXTINT) || (F(GUEST_RFLAGS) & RFLAGS_IF);
}
