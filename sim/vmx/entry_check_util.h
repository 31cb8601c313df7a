/* Small predicates the VM-entry checks share (entry_checks_*.c). */
#ifndef VMXSIM_VMX_ENTRY_CHECK_UTIL_H
#define VMXSIM_VMX_ENTRY_CHECK_UTIL_H

#include "sim/cpu/msr.h"
#include "sim/mem/paging.h"
#include "sim/vmx/entry_checks.h"
#include "sim/vmx/vmx_state.h"

#define F(name) (c->f[VMCS_##name])
#define CTL(field, group, name) ((F(field) & VMX_##group##_##name) != 0)

/* "must not set any bits beyond the processor's physical-address width" */
static inline bool phys_ok(uint64_t pa) { return (pa >> PAGING_MAXPHYADDR) == 0; }

/* A 4-KByte aligned address within the physical-address width. */
static inline bool page_addr_ok(uint64_t pa) { return (pa & 0xfff) == 0 && phys_ok(pa); }

/* SDM 26.2.1.2/26.2.1.3: an MSR area of `count` 16-byte entries at `addr`. */
static inline bool msr_area_ok(uint64_t addr, uint64_t count)
{
    /* count is a 32-bit field (VMWRITE and VMPTRLD keep fields to their
     * width) and addr is within MAXPHYADDR first: the sum cannot wrap. */
    return count == 0 || ((addr & 0xf) == 0 && phys_ok(addr) && phys_ok(addr + count * 16 - 1));
}

/* Canonical for 48-bit linear addresses (the models have no 5-level paging). */
static inline bool canonical(uint64_t v) { return (uint64_t)((int64_t)(v << 16) >> 16) == v; }

/* SDM 11.12.2 Table "Memory Types That Can Be Encoded With PAT": 2 and 3
 * are reserved; every byte of a PAT value must be 0, 1, 4, 5, 6 or 7. */
static inline bool pat_ok(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = (pat >> (8 * i)) & 0xff;
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

/* The "IA-32e mode guest" VM-entry control (SDM 24.8.1). */
static inline bool ia32e_guest(const EntryCtx *c)
{
    return CTL(ENTRY_CONTROLS, ENTRY, IA32E_MODE_GUEST);
}

/* SDM 24.8.3 "VM-Entry Controls for Event Injection": the event VM entry
 * injects (valid bit 31, deliver-error-code bit 11, type 10:8, vector 7:0). */
enum {
    EVENT_TYPE_EXTINT = 0, EVENT_TYPE_NMI = 2, EVENT_TYPE_HW_EXC = 3, EVENT_TYPE_SW_INT = 4,
    EVENT_TYPE_PRIV_SW_EXC = 5, EVENT_TYPE_SW_EXC = 6, EVENT_TYPE_OTHER = 7
};
#define EVENT_DELIVER_ERROR (UINT32_C(1) << 11)

static inline bool injects_event(const EntryCtx *c)
{
    return (F(ENTRY_INTERRUPTION_INFO) >> 31) & 1;
}

static inline unsigned injected_type(const EntryCtx *c)
{
    return (F(ENTRY_INTERRUPTION_INFO) >> 8) & 7;
}

static inline bool injects(const EntryCtx *c, unsigned type)
{
    return injects_event(c) && injected_type(c) == type;
}

static inline unsigned injected_vector(const EntryCtx *c)
{
    return F(ENTRY_INTERRUPTION_INFO) & 0xff;
}

/* "Bits reserved in the MSR": the reserved-bit column of msr.def, the mask
 * WRMSR uses, so VM entry accepts exactly what WRMSR at CPL 0 would. */
static inline uint64_t msr_reserved(unsigned slot)
{
    static const uint64_t reserved[MSR_SLOT_COUNT] = {
#define X(name, index, reset, rsvd, kind, feature) [MSR_SLOT_##name] = rsvd,
#include "sim/cpu/msr.def"
#undef X
    };
    return reserved[slot];
}

/* A value against IA32_VMX_CRx_FIXED0/1 (SDM A.7, A.8). */
static inline bool cr_fixed_ok(uint64_t v, uint64_t fixed0, uint64_t fixed1)
{
    return (v & fixed0) == fixed0 && !(v & ~fixed1);
}

#endif
