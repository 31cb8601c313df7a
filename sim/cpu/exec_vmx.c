/* The VMX instructions: the CPU hands them to the VMX layer (vmx_hooks.h).
 * Without VMX (the model lacks CPUID.1:ECX.VMX, so nothing is attached)
 * they are #UD, as on a processor that does not support VMX (SDM 23.6
 * "Discovering Support for VMX"). */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/vmx_hooks.h"

SimStatus exec_vmx(CpuState *cpu, const DecodedInsn *d)
{
    if (!cpu->vmx_ops)
        return cpu_raise_ud(cpu);
    return cpu->vmx_ops->instruction(cpu, d);
}
