/*
 * PAUSE (SDM Vol. 2 "PAUSE—Spin Loop Hint"): a NOP for vmxsim, apart from
 * the "PAUSE exiting" VM exit of VMX non-root operation (SDM 25.1.3).
 * "PAUSE-loop exiting" is not offered (sim/vmx/vmx_caps.c).
 */
#include "sim/cpu/handlers.h"
#include "sim/cpu/vmx_hooks.h"

SimStatus exec_pause(CpuState *cpu, const DecodedInsn *d) {
    uint64_t unused = 0;
    return cpu_vmx_intercept(cpu, d, VMX_ICPT_PAUSE, &unused);
}
