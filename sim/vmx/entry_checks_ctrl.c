/* SDM 26.2.1 "Checks on VMX Controls" (rows of entry_checks.def). */
#include "sim/vmx/entry_check_util.h"

static bool controls_ok(const EntryCtx *c, VmxGroup g, uint64_t v)
{
    return vmx_caps_controls_valid(&c->vmx->caps, g, v);
}

bool check_PIN_RESERVED(const EntryCtx *c) { return controls_ok(c, VMX_GROUP_PIN, F(PIN_BASED_CONTROLS)); }
bool check_PROC_RESERVED(const EntryCtx *c) { return controls_ok(c, VMX_GROUP_PROC, F(PROC_BASED_CONTROLS)); }
bool check_EXIT_RESERVED(const EntryCtx *c) { return controls_ok(c, VMX_GROUP_EXIT, F(EXIT_CONTROLS)); }
bool check_ENTRY_RESERVED(const EntryCtx *c) { return controls_ok(c, VMX_GROUP_ENTRY, F(ENTRY_CONTROLS)); }

/* SDM 26.2.1.1: "If the activate secondary controls primary processor-based
 * VM-execution control is 0, no checks are performed on the secondary
 * processor-based VM-execution controls." */
bool check_PROC2_RESERVED(const EntryCtx *c)
{
    return !CTL(PROC_BASED_CONTROLS, PROC, ACTIVATE_SECONDARY_CONTROLS) ||
           controls_ok(c, VMX_GROUP_PROC2, F(SECONDARY_PROC_BASED_CONTROLS));
}

bool check_CR3_TARGET_COUNT(const EntryCtx *c) { return F(CR3_TARGET_COUNT) <= VMX_CR3_TARGET_COUNT; }

bool check_IO_BITMAP_A_ADDRESS(const EntryCtx *c)
{
    return !CTL(PROC_BASED_CONTROLS, PROC, USE_IO_BITMAPS) || page_addr_ok(F(IO_BITMAP_A));
}

bool check_IO_BITMAP_B_ADDRESS(const EntryCtx *c)
{
    return !CTL(PROC_BASED_CONTROLS, PROC, USE_IO_BITMAPS) || page_addr_ok(F(IO_BITMAP_B));
}

bool check_MSR_BITMAP_ADDRESS(const EntryCtx *c)
{
    return !CTL(PROC_BASED_CONTROLS, PROC, USE_MSR_BITMAPS) || page_addr_ok(F(MSR_BITMAP));
}

bool check_VIRTUAL_NMIS(const EntryCtx *c)
{
    return CTL(PIN_BASED_CONTROLS, PIN, NMI_EXITING) || !CTL(PIN_BASED_CONTROLS, PIN, VIRTUAL_NMIS);
}

bool check_NMI_WINDOW_EXITING(const EntryCtx *c)
{
    return CTL(PIN_BASED_CONTROLS, PIN, VIRTUAL_NMIS) ||
           !CTL(PROC_BASED_CONTROLS, PROC, NMI_WINDOW_EXITING);
}

bool check_EXIT_SAVE_PREEMPTION_TIMER(const EntryCtx *c)
{
    return CTL(PIN_BASED_CONTROLS, PIN, ACTIVATE_PREEMPTION_TIMER) ||
           !CTL(EXIT_CONTROLS, EXIT, SAVE_VMX_PREEMPTION_TIMER_VALUE);
}

bool check_EXIT_MSR_STORE_ADDRESS(const EntryCtx *c)
{
    return msr_area_ok(F(EXIT_MSR_STORE_ADDR), F(EXIT_MSR_STORE_COUNT));
}

bool check_EXIT_MSR_LOAD_ADDRESS(const EntryCtx *c)
{
    return msr_area_ok(F(EXIT_MSR_LOAD_ADDR), F(EXIT_MSR_LOAD_COUNT));
}

bool check_ENTRY_MSR_LOAD_ADDRESS(const EntryCtx *c)
{
    return msr_area_ok(F(ENTRY_MSR_LOAD_ADDR), F(ENTRY_MSR_LOAD_COUNT));
}

/* The event-injection rows apply only when the field's valid bit is 1 (entry_check_util.h). */
bool check_INJECT_TYPE(const EntryCtx *c)
{
    bool mtf = vmx_caps_allows(&c->vmx->caps, VMXC_PROC_MONITOR_TRAP_FLAG);
    return !injects_event(c) || (injected_type(c) != 1 && (injected_type(c) != EVENT_TYPE_OTHER || mtf));
}

bool check_INJECT_NMI_VECTOR(const EntryCtx *c)
{
    return !injects_event(c) || injected_type(c) != EVENT_TYPE_NMI || injected_vector(c) == 2;
}

bool check_INJECT_EXCEPTION_VECTOR(const EntryCtx *c)
{
    return !injects_event(c) || injected_type(c) != EVENT_TYPE_HW_EXC || injected_vector(c) <= 31;
}

bool check_INJECT_OTHER_VECTOR(const EntryCtx *c)
{
    return !injects_event(c) || injected_type(c) != EVENT_TYPE_OTHER || injected_vector(c) == 0;
}

/* Unrestricted guest is not offered, so "CR0.PE = 1" is the guest CR0 field's PE. */
bool check_INJECT_ERROR_CODE_BIT(const EntryCtx *c)
{
    if (!injects_event(c))
        return true;
    unsigned v = injected_vector(c);
    bool has_code = v == 8 || (v >= 10 && v <= 14) || v == 17;
    bool needed = (F(GUEST_CR0) & 1) && injected_type(c) == EVENT_TYPE_HW_EXC && has_code;
    return needed == ((F(ENTRY_INTERRUPTION_INFO) & EVENT_DELIVER_ERROR) != 0);
}

bool check_INJECT_RESERVED(const EntryCtx *c)
{
    return !injects_event(c) || (F(ENTRY_INTERRUPTION_INFO) & 0x7ffff000u) == 0;
}

bool check_INJECT_ERROR_CODE(const EntryCtx *c)
{
    return !injects_event(c) || !(F(ENTRY_INTERRUPTION_INFO) & EVENT_DELIVER_ERROR) ||
           (F(ENTRY_EXCEPTION_ERROR_CODE) & 0xffff0000u) == 0;
}

/* IA32_VMX_MISC bit 30 is 0 here, so a length of 0 is not allowed either. */
bool check_INJECT_INSTRUCTION_LENGTH(const EntryCtx *c)
{
    unsigned t = injected_type(c);
    if (!injects_event(c) || (t != EVENT_TYPE_SW_INT && t != EVENT_TYPE_PRIV_SW_EXC && t != EVENT_TYPE_SW_EXC))
        return true;
    return F(ENTRY_INSTRUCTION_LENGTH) >= 1 && F(ENTRY_INSTRUCTION_LENGTH) <= 15;
}
