/*
 * The VM-entry checks as one table (design.md "Rules are data"):
 * entry_checks.def holds one row per rule of SDM 26.2 "Checks on VMX
 * Controls and Host-State Area" and 26.3.1 "Checks on the Guest-State Area",
 * in SDM order:
 *
 *   X(ID, SECTION, TITLE, RULE, FAIL, QUAL, INPUTS)
 *
 *   ID       check_ID() is the predicate (true: the rule holds)
 *   SECTION  "26.2.1.1"; TITLE the section's title; RULE one line of the SDM's rule
 *   FAIL     FAIL_CTRL  VMfailValid(7)  "VM entry with invalid control field(s)"
 *            FAIL_HOST  VMfailValid(8)  "VM entry with invalid host-state field(s)"
 *            FAIL_GUEST VM-entry failure, exit reason 33 | bit 31 (SDM 26.8)
 *   QUAL     the exit qualification of a FAIL_GUEST row (SDM 26.8: 0 default,
 *            2 PDPTE loading, 3 NMI injection blocked, 4 invalid VMCS link pointer)
 *   INPUTS   the classes of VMCS fields (CK_*) the predicate reads
 *
 * Every entry runs the table in order and stops at the first failing row
 * (vmx_entry_checks_run).  Speed (issue 5): a row whose input classes have
 * not been written since the last successful VM entry passed then and would
 * pass again, so it is skipped; every VMCS write marks its field's class
 * (vmcs_set), and VMPTRLD/VMCLEAR mark everything.  Rows reading CPU state
 * outside the VMCS declare CK_CPU and always run.
 */
#ifndef VMXSIM_VMX_ENTRY_CHECKS_H
#define VMXSIM_VMX_ENTRY_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/vmx/vmcs.h"

struct VmxCpu;
struct CpuState;

/* Input classes of the checks. */
#define ENTRY_CHECK_CLASSES 10
enum {
    CK_EXEC = 1u << 0,       /* VM-execution control fields */
    CK_EXIT = 1u << 1,       /* VM-exit control fields */
    CK_ENTRY = 1u << 2,      /* VM-entry control fields (incl. event injection) */
    CK_HOST = 1u << 3,       /* host-state area */
    CK_GUEST_CR = 1u << 4,   /* guest control/debug registers and MSRs */
    CK_GUEST_SEG = 1u << 5,  /* guest segment registers, GDTR, IDTR */
    CK_GUEST_RIP = 1u << 6,  /* guest RIP and RFLAGS */
    CK_GUEST_STATE = 1u << 7, /* guest non-register state, VMCS link pointer */
    CK_GUEST_V86 = 1u << 9,  /* RFLAGS.VM alone: marked only when that bit changes (vmcs_set) */
    CK_CPU = 1u << 8,        /* state outside the VMCS (CPU registers, guest memory): never cached */
    CK_ALL = (1u << ENTRY_CHECK_CLASSES) - 1,
};

typedef enum EntryFailKind { FAIL_CTRL, FAIL_HOST, FAIL_GUEST } EntryFailKind;

typedef enum EntryCheckId {
#define X(id, section, title, rule, fail, qual, inputs) ENTRY_CHECK_##id,
#include "sim/vmx/entry_checks.def"
#undef X
    ENTRY_CHECK_COUNT,
    ENTRY_CHECK_NONE = ENTRY_CHECK_COUNT
} EntryCheckId;

/* What a predicate sees. */
typedef struct EntryCtx {
    const struct CpuState *cpu;
    const struct VmxCpu *vmx;
    const uint64_t *f; /* the current VMCS's fields */
} EntryCtx;

#define X(id, section, title, rule, fail, qual, inputs) bool check_##id(const EntryCtx *c);
#include "sim/vmx/entry_checks.def"
#undef X

typedef struct EntryCheck {
    const char *name, *section, *title, *rule;
    bool (*pass)(const EntryCtx *c);
    uint8_t fail;  /* EntryFailKind */
    uint8_t qual;
    uint16_t inputs;
} EntryCheck;

extern const EntryCheck entry_checks[ENTRY_CHECK_COUNT];

#define ENTRY_CHECK_WORDS ((ENTRY_CHECK_COUNT + 63) / 64)

/* Which input classes changed since the last successful VM entry, and for
 * each class the rows that read it (a bit set per row, in table order). */
typedef struct EntryCheckCache {
    uint32_t dirty;
    uint64_t rows_of_class[ENTRY_CHECK_CLASSES][ENTRY_CHECK_WORDS];
} EntryCheckCache;

/* Fill rows_of_class from the table; everything dirty. */
void vmx_entry_checks_init(EntryCheckCache *c);

extern const uint16_t entry_check_field_class[VMCS_FIELD_COUNT];

static inline void entry_checks_touch(EntryCheckCache *c, VmcsField f)
{
    c->dirty |= entry_check_field_class[f];
}

/* The first failing check of this entry, for the debugger's `explain`. */
typedef struct EntryFailure {
    EntryCheckId check;  /* ENTRY_CHECK_NONE: no check failed (e.g. MSR loading) */
    uint32_t msr_index;  /* MSR-load failures: the 1-based entry index */
} EntryFailure;

/* Run the table (skipping rows whose inputs are clean); the first failing
 * row, or ENTRY_CHECK_NONE. */
EntryCheckId vmx_entry_checks_run(const struct CpuState *cpu, struct VmxCpu *vmx);

#endif
