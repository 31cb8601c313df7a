/* SDM 26.3.1.5 "Checks on Guest Non-Register State" and 26.3.1.6 "Checks on
 * Guest Page-Directory-Pointer-Table Entries" (rows of entry_checks_guest.def). */
#include "sim/vmx/entry_check_util.h"

/* SDM 24.4.2 "Guest Non-Register State", Table "Format of Interruptibility
 * State" and Table "Format of Pending-Debug-Exceptions". */
enum {
    INTR_STI = 1u << 0,
    INTR_MOV_SS = 1u << 1,
    INTR_SMI = 1u << 2,
    INTR_NMI = 1u << 3,
    INTR_ENCLAVE = 1u << 4,
    INTR_RESERVED = ~0x1fu,
};
#define PENDING_DBG_BS (UINT64_C(1) << 14)
#define PENDING_DBG_RTM (UINT64_C(1) << 16)
#define PENDING_DBG_RESERVED (~UINT64_C(0x1ffff) | UINT64_C(0xaff0)) /* 63:17, 15, 13, 11:4 */

/* IA32_DEBUGCTL.BTF (SDM 17.4.1). */
#define DEBUGCTL_BTF (UINT64_C(1) << 1)

static uint64_t activity(const EntryCtx *c) { return F(GUEST_ACTIVITY_STATE); }
static uint64_t intr(const EntryCtx *c) { return F(GUEST_INTERRUPTIBILITY_STATE); }
static uint64_t link(const EntryCtx *c) { return F(VMCS_LINK_POINTER); }
static bool link_used(const EntryCtx *c) { return link(c) != ~UINT64_C(0); }

/* IA32_VMX_MISC bits 8:6 report HLT, shutdown and wait-for-SIPI (SDM A.6). */
bool check_GUEST_ACTIVITY_STATE(const EntryCtx *c)
{
    uint64_t a = activity(c);
    return a == ACTIVITY_ACTIVE ||
           (a <= ACTIVITY_WAIT_SIPI && ((c->vmx->caps.misc >> (5 + a)) & 1));
}

bool check_GUEST_ACTIVITY_HLT_SS_DPL(const EntryCtx *c)
{
    return activity(c) != ACTIVITY_HLT || ((F(GUEST_SS_ACCESS_RIGHTS) >> AR_DPL_SHIFT) & 3) == 0;
}

bool check_GUEST_ACTIVITY_BLOCKING(const EntryCtx *c)
{
    return activity(c) == ACTIVITY_ACTIVE || !(intr(c) & (INTR_STI | INTR_MOV_SS));
}

/* HLT: external interrupts, NMIs, #DB (1), #MC (18) and the pending MTF VM exit. */
bool check_GUEST_ACTIVITY_HLT_INJECTION(const EntryCtx *c)
{
    unsigned v = injected_vector(c);
    if (activity(c) != ACTIVITY_HLT || !injects_event(c))
        return true;
    return injects(c, EVENT_TYPE_EXTINT) || injects(c, EVENT_TYPE_NMI) ||
           (injects(c, EVENT_TYPE_HW_EXC) && (v == 1 || v == 18)) ||
           (injects(c, EVENT_TYPE_OTHER) && v == 0);
}

bool check_GUEST_ACTIVITY_SHUTDOWN_INJECTION(const EntryCtx *c)
{
    if (activity(c) != ACTIVITY_SHUTDOWN || !injects_event(c))
        return true;
    return injects(c, EVENT_TYPE_NMI) ||
           (injects(c, EVENT_TYPE_HW_EXC) && injected_vector(c) == 18);
}

/* Wait-for-SIPI: "No event injection is allowed". */
bool check_GUEST_ACTIVITY_WAIT_SIPI_INJECTION(const EntryCtx *c)
{
    return activity(c) != ACTIVITY_WAIT_SIPI || !injects_event(c);
}

bool check_GUEST_INTR_RESERVED(const EntryCtx *c) { return !(intr(c) & INTR_RESERVED); }

bool check_GUEST_INTR_STI_MOVSS(const EntryCtx *c)
{
    return (intr(c) & (INTR_STI | INTR_MOV_SS)) != (INTR_STI | INTR_MOV_SS);
}

bool check_GUEST_INTR_STI_IF(const EntryCtx *c)
{
    return !(intr(c) & INTR_STI) || (F(GUEST_RFLAGS) & RFLAGS_IF);
}

bool check_GUEST_INTR_EXTINT(const EntryCtx *c)
{
    return !injects(c, EVENT_TYPE_EXTINT) || !(intr(c) & (INTR_STI | INTR_MOV_SS));
}

bool check_GUEST_INTR_NMI_MOVSS(const EntryCtx *c)
{
    return !injects(c, EVENT_TYPE_NMI) || !(intr(c) & INTR_MOV_SS);
}

/* vmxsim has no SMM, so the processor is never in SMM at a VM entry. */
bool check_GUEST_INTR_SMI(const EntryCtx *c) { return !(intr(c) & INTR_SMI); }

/* "A processor may require bit 0 (blocking by STI) to be 0" when injecting
 * an NMI: vmxsim does, with the exit qualification SDM 26.8 gives it (3). */
bool check_GUEST_INTR_NMI_STI(const EntryCtx *c)
{
    return !injects(c, EVENT_TYPE_NMI) || !(intr(c) & INTR_STI);
}

bool check_GUEST_INTR_VIRTUAL_NMI(const EntryCtx *c)
{
    return !CTL(PIN_BASED_CONTROLS, PIN, VIRTUAL_NMIS) || !injects(c, EVENT_TYPE_NMI) ||
           !(intr(c) & INTR_NMI);
}

/* Bit 4 needs CPUID.(EAX=07H,ECX=0):EBX.SGX[bit 2], which no model sets. */
bool check_GUEST_INTR_ENCLAVE(const EntryCtx *c) { return !(intr(c) & INTR_ENCLAVE); }

bool check_GUEST_PENDING_DBG_RESERVED(const EntryCtx *c)
{
    return !(F(GUEST_PENDING_DEBUG_EXCEPTIONS) & PENDING_DBG_RESERVED);
}

/* The BS rules apply with blocking by STI or MOV SS or in the HLT state;
 * BS must then be exactly "RFLAGS.TF = 1 and IA32_DEBUGCTL.BTF = 0". */
static bool bs_checked(const EntryCtx *c)
{
    return (intr(c) & (INTR_STI | INTR_MOV_SS)) || activity(c) == ACTIVITY_HLT;
}

static bool single_step(const EntryCtx *c)
{
    return (F(GUEST_RFLAGS) & RFLAGS_TF) && !(F(GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF);
}

static bool bs(const EntryCtx *c)
{
    return (F(GUEST_PENDING_DEBUG_EXCEPTIONS) & PENDING_DBG_BS) != 0;
}

bool check_GUEST_PENDING_DBG_BS_SET(const EntryCtx *c)
{
    return !bs_checked(c) || !single_step(c) || bs(c);
}

bool check_GUEST_PENDING_DBG_BS_CLEAR(const EntryCtx *c)
{
    return !bs_checked(c) || single_step(c) || !bs(c);
}

/* Bit 16 needs CPUID.(EAX=07H,ECX=0):EBX.RTM[bit 11], which no model sets;
 * its further rules (bit 12 set, no MOV-SS blocking) never come into play. */
bool check_GUEST_PENDING_DBG_RTM(const EntryCtx *c)
{
    return !(F(GUEST_PENDING_DEBUG_EXCEPTIONS) & PENDING_DBG_RTM);
}

bool check_GUEST_LINK_ALIGNED(const EntryCtx *c) { return !link_used(c) || (link(c) & 0xfff) == 0; }
bool check_GUEST_LINK_WIDTH(const EntryCtx *c) { return !link_used(c) || phys_ok(link(c)); }

/* Bits 30:0 the revision identifier, bit 31 the shadow-VMCS indicator,
 * which must equal "VMCS shadowing": 0, as vmxsim does not offer it. */
bool check_GUEST_LINK_REVISION(const EntryCtx *c)
{
    return !link_used(c) || mem_phys_read(c->cpu->mem, link(c), 4) == VMX_REVISION_ID;
}

/* Outside SMM (always, in vmxsim) the link pointer must differ from the current-VMCS pointer. */
bool check_GUEST_LINK_NOT_CURRENT(const EntryCtx *c)
{
    return !link_used(c) || link(c) != c->vmx->current_vmcs;
}

/* SDM 26.3.1.6: vmxsim has no EPT, so the PDPTEs come from memory at CR3,
 * checked as MOV to CR3 checks them (SDM 4.4.1), on every entry to a PAE
 * guest (the SDM allows checking even when neither PAE paging nor CR3 changes). */
bool check_GUEST_PDPTES(const EntryCtx *c)
{
    uint64_t pdpte[4];
    bool pae = (F(GUEST_CR0) & CR0_PG) && (F(GUEST_CR4) & CR4_PAE) && !ia32e_guest(c);
    return !pae || mem_pae_read_pdptes(c->cpu->mem, F(GUEST_CR3), pdpte);
}
