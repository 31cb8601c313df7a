/* The exit-dispatch loop (guest/vmx_dispatch.h). */
#include "guest/vmx_dispatch.h"

#include "guest/printf.h"

/* One VM entry; false when it did not end in a VM exit. */
static bool enter(VmxDispatch *d, VmxGuestRegs *regs, VmxRunEnd *end) {
    VmxResult r = vmx_run(regs, d->launched);
    if (r != VMX_SUCCEED) {
        d->vmfail = r;
        *end = VMX_RUN_VMFAIL;
        return false;
    }
    d->exit_reason = (uint32_t)vmx_read(VMCS_EXIT_REASON);
    if (d->exit_reason & EXIT_REASON_ENTRY_FAILURE) {
        *end = VMX_RUN_ENTRY_FAILURE;
        return false;
    }
    d->launched = true; /* 30.3: only a VM entry that succeeds launches the VMCS */
    return true;
}

VmxRunEnd vmx_dispatch_run(VmxDispatch *d, VmxGuestRegs *regs) {
    VmxRunEnd end;
    while (enter(d, regs, &end)) {
        VmxExit e = {
            .reason = d->exit_reason & 0xffff,
            .qualification = vmx_read(VMCS_EXIT_QUALIFICATION),
            .rip = vmx_read(VMCS_GUEST_RIP),
            .length = vmx_read(VMCS_EXIT_INSTRUCTION_LENGTH),
            .regs = regs,
            .ctx = d->ctx,
        };
        d->exits++;
        if (e.reason >= VMX_EXIT_REASON_COUNT) return VMX_RUN_UNHANDLED;
        d->count[e.reason]++;
        if (!d->handler[e.reason]) return VMX_RUN_UNHANDLED;
        if (d->handler[e.reason](&e) == VMX_ACTION_STOP) return VMX_RUN_STOPPED;
    }
    return end;
}

void vmx_exit_skip_instruction(const VmxExit *exit) {
    vmx_write(VMCS_GUEST_RIP, exit->rip + exit->length);
}

void vmx_print_exit_counts(const VmxDispatch *d, const char *prefix) {
    for (uint32_t i = 0; i < VMX_EXIT_REASON_COUNT; i++)
        if (d->count[i])
            guest_printf("%s%5u %-30s %8llu\n", prefix, (unsigned)i, vmx_exit_reason_name(i),
                         (unsigned long long)d->count[i]);
    guest_printf("%s      %-30s %8llu\n", prefix, "total", (unsigned long long)d->exits);
}
