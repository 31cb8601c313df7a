/*
 * The exit-dispatch skeleton of a guest hypervisor: enter the guest,
 * count each VM exit by basic exit reason (SDM Appendix C), call the
 * handler registered for that reason, resume; stop when a handler says so,
 * when an exit has no handler, or when VMLAUNCH/VMRESUME fails (30.3) or
 * VM entry fails after the checks of the host state (26.7).
 */
#ifndef GUEST_VMX_DISPATCH_H
#define GUEST_VMX_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/vmx.h"

/* Basic exit reasons 0..79 (Appendix C Table C-1). */
#define VMX_EXIT_REASON_COUNT 80u

/* One VM exit, as read from the VM-exit information fields (27.2). */
typedef struct VmxExit {
    uint32_t reason;        /* basic exit reason: bits 15:0 of the exit reason */
    uint64_t qualification; /* exit qualification (27.2.1) */
    uint64_t rip;           /* guest RIP: the instruction that caused the exit */
    uint64_t length;        /* VM-exit instruction length (27.2.4) */
    VmxGuestRegs *regs;     /* the guest's general-purpose registers (RSP is in the VMCS) */
    void *ctx;              /* VmxDispatch.ctx */
} VmxExit;

typedef enum VmxAction { VMX_ACTION_RESUME, VMX_ACTION_STOP } VmxAction;
typedef VmxAction (*VmxExitHandler)(VmxExit *exit);

typedef enum VmxRunEnd {
    VMX_RUN_STOPPED,       /* a handler returned VMX_ACTION_STOP */
    VMX_RUN_VMFAIL,        /* VMLAUNCH/VMRESUME failed: vmfail says how */
    VMX_RUN_ENTRY_FAILURE, /* VM-entry failure: exit_reason has bit 31 set */
    VMX_RUN_UNHANDLED,     /* a VM exit whose reason has no handler */
} VmxRunEnd;

typedef struct VmxDispatch {
    VmxExitHandler handler[VMX_EXIT_REASON_COUNT]; /* by basic exit reason */
    void *ctx;
    bool launched; /* VMLAUNCH done: the next entry is VMRESUME */
    uint64_t count[VMX_EXIT_REASON_COUNT];
    uint64_t exits;       /* VM exits in all */
    uint32_t exit_reason; /* the last exit reason, in full */
    VmxResult vmfail;     /* with VMX_RUN_VMFAIL */
} VmxDispatch;

/* Enters the guest of the current VMCS with *regs (VMLAUNCH the first
 * time, VMRESUME after) and dispatches its VM exits until one of the
 * VmxRunEnd cases.  The VMCS must be complete (controls, host state with
 * vmx_write_host_state(), guest state). */
VmxRunEnd vmx_dispatch_run(VmxDispatch *d, VmxGuestRegs *regs);

/* The usual end of a handled instruction exit: GUEST_RIP = rip + length. */
void vmx_exit_skip_instruction(const VmxExit *exit);

/* Prints one line per basic exit reason seen, "<prefix>   10 CPUID    3",
 * in reason order, then the total. */
void vmx_print_exit_counts(const VmxDispatch *d, const char *prefix);

#endif
