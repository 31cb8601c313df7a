/* Running the VM-entry check table (entry_checks.h). */
#include "sim/vmx/entry_checks.h"

#include "sim/vmx/vmx_state.h"

const EntryCheck entry_checks[ENTRY_CHECK_COUNT] = {
#define X(id, section, title, rule, fail, qual, inputs)                                            \
    [ENTRY_CHECK_##id] = {#id, section, title, rule, check_##id, fail, qual, inputs},
#include "sim/vmx/entry_checks.def"
#undef X
};

/* The class of each field (entry_checks.h CK_*), a constant table built
 * from vmcs_fields.def: by type, with the exit- and entry-control fields and
 * the guest fields split finer.  Guest segment state is the selectors
 * (0800H-080EH), limits and access rights (4800H-4822H: ES..TR, GDTR, IDTR
 * limits, then ES..TR access rights) and bases (6806H-6818H), SDM Appendix B. */
#define IS(f, name) ((f) == VMCS_##name)
#define EXIT_CTL(f)                                                                                \
    (IS(f, EXIT_CONTROLS) || IS(f, EXIT_MSR_STORE_COUNT) || IS(f, EXIT_MSR_STORE_ADDR) ||          \
     IS(f, EXIT_MSR_LOAD_COUNT) || IS(f, EXIT_MSR_LOAD_ADDR))
#define ENTRY_CTL(f)                                                                               \
    (IS(f, ENTRY_CONTROLS) || IS(f, ENTRY_MSR_LOAD_COUNT) || IS(f, ENTRY_MSR_LOAD_ADDR) ||         \
     IS(f, ENTRY_INTERRUPTION_INFO) || IS(f, ENTRY_EXCEPTION_ERROR_CODE) ||                       \
     IS(f, ENTRY_INSTRUCTION_LENGTH))
#define GUEST_SEG(e)                                                                               \
    (((e) >= 0x0800 && (e) <= 0x080e) || ((e) >= 0x4800 && (e) <= 0x4822) ||                       \
     ((e) >= 0x6806 && (e) <= 0x6818))
#define GUEST_STATE(f)                                                                             \
    (IS(f, GUEST_INTERRUPTIBILITY_STATE) || IS(f, GUEST_ACTIVITY_STATE) ||                         \
     IS(f, GUEST_PENDING_DEBUG_EXCEPTIONS) || IS(f, VMCS_LINK_POINTER) ||                          \
     IS(f, VMX_PREEMPTION_TIMER_VALUE) || IS(f, GUEST_SMBASE) || IS(f, GUEST_PDPTE0) ||            \
     IS(f, GUEST_PDPTE1) || IS(f, GUEST_PDPTE2) || IS(f, GUEST_PDPTE3) ||                          \
     IS(f, GUEST_INTERRUPT_STATUS) || IS(f, GUEST_PML_INDEX))
#define GUEST_CLASS(f, e)                                                                          \
    ((IS(f, GUEST_RIP) || IS(f, GUEST_RFLAGS)) ? CK_GUEST_RIP                                      \
     : GUEST_STATE(f)                          ? CK_GUEST_STATE                                    \
     : GUEST_SEG(e)                            ? CK_GUEST_SEG                                      \
                                               : CK_GUEST_CR)
#define FIELD_CLASS(f, e, t)                                                                       \
    ((t) == VMCS_TYPE_HOST    ? CK_HOST                                                            \
     : (t) == VMCS_TYPE_GUEST ? GUEST_CLASS(f, e)                                                  \
     : (t) == VMCS_TYPE_RO    ? 0                                                                  \
     : EXIT_CTL(f)            ? CK_EXIT                                                            \
     : ENTRY_CTL(f)           ? CK_ENTRY                                                           \
                              : CK_EXEC)

const uint16_t entry_check_field_class[VMCS_FIELD_COUNT] = {
#define X(name, enc, width, type, ex) [VMCS_##name] = FIELD_CLASS(VMCS_##name, enc, VMCS_TYPE_##type),
#include "sim/vmx/vmcs_fields.def"
#undef X
};

void vmx_entry_checks_init(EntryCheckCache *c)
{
    c->dirty = CK_ALL;
    for (unsigned k = 0; k < ENTRY_CHECK_CLASSES; k++) {
        for (unsigned i = 0; i < ENTRY_CHECK_COUNT; i++) {
            if ((entry_checks[i].inputs >> k) & 1)
                c->rows_of_class[k][i / 64] |= UINT64_C(1) << (i % 64);
        }
    }
}

/* The rows whose inputs are dirty, in table (SDM) order: the union of the
 * dirty classes' row sets, walked bit by bit. */
EntryCheckId vmx_entry_checks_run(const struct CpuState *cpu, struct VmxCpu *vmx)
{
    EntryCtx c = {cpu, vmx, vmx->field};
    uint32_t dirty = vmx->checks.dirty | CK_CPU;
    uint64_t rows[ENTRY_CHECK_WORDS] = {0};
    for (unsigned k = 0; k < ENTRY_CHECK_CLASSES; k++) {
        if ((dirty >> k) & 1) {
            for (unsigned w = 0; w < ENTRY_CHECK_WORDS; w++)
                rows[w] |= vmx->checks.rows_of_class[k][w];
        }
    }
    for (unsigned w = 0; w < ENTRY_CHECK_WORDS; w++) {
        for (uint64_t m = rows[w]; m; m &= m - 1) {
            unsigned i = 64 * w + (unsigned)__builtin_ctzll(m);
            if (!entry_checks[i].pass(&c))
                return (EntryCheckId)i;
        }
    }
    return ENTRY_CHECK_NONE;
}
