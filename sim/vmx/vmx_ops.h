/* The VMX layer's internal entry points (one file each). */
#ifndef VMXSIM_VMX_VMX_OPS_H
#define VMXSIM_VMX_VMX_OPS_H

#include "sim/cpu/vmx_hooks.h"
#include "sim/vmx/vmx.h"
#include "sim/vmx/vmx_state.h"
#include "sim/vmx/vmx_tables.h"

/* SDM 26.3.2.1 / 27.5.1: CR0 bits ET, CD, NW and the reserved bits 15:6,
 * 17, 28:19 keep their values when VM entries and VM exits load CR0. */
#define VMX_CR0_UNCHANGED (CR0_ET | CR0_CD | CR0_NW | 0xffc0u | (1u << 17) | 0x1ff80000u)

/* Report an event to the tracer, if any (vmx.h). */
static inline void vmx_trace(const CpuState *cpu, const VmxCpu *v, const VmxTrace *t)
{
    if (SIM_UNLIKELY(v->trace != NULL))
        v->trace(v->trace_opaque, cpu, t);
}

/* vmx_insn.c: the VMX instructions (SDM chapter 30). */
SimStatus vmx_instruction(CpuState *cpu, const DecodedInsn *d);
/* vm_entry.c: VMLAUNCH/VMRESUME after their instruction checks (SDM chapter
 * 26).  *fail = 7 or 8 when a check of 26.2 failed (the caller does
 * VMfailValid); otherwise the entry succeeded or failed while loading guest
 * state (SDM 26.8: a VM exit to the host, already done). */
SimStatus vmx_vm_entry(CpuState *cpu, VmxCpu *v, bool launch, VmxInsnError *fail);
/* vm_exit.c: a VM exit with the given basic reason (SDM chapter 27); the
 * exit-information fields other than reason and qualification are set by
 * the caller first.  Returns SIM_VMEXIT. */
SimStatus vmx_vm_exit(CpuState *cpu, VmxCpu *v, uint32_t reason, uint64_t qualification);
/* An exit caused by executing d (RIP is already past it): saves the RIP of d
 * and the instruction length. */
SimStatus vmx_exit_for_insn(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, uint32_t reason,
                            uint64_t qualification);
/* SDM 27.2.5: the VM-exit instruction-information field for an instruction
 * with a memory operand (scaling, address size, segment, index, base); the
 * register operands are ORed in by the caller. */
uint32_t vmx_insn_info_mem(const DecodedInsn *d);
/* nonroot.c: the hooks of vmx_hooks.h for VMX non-root operation (SDM chapter 25). */
SimStatus vmx_intercept(CpuState *cpu, const DecodedInsn *d, VmxIntercept what, uint64_t *value);
/* nonroot_insn.c: the instruction exits of the processor-based controls
 * (INVLPG ... descriptor-table exiting) and the "enable" #UDs. */
SimStatus vmx_intercept_insn(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, VmxIntercept what,
                             uint64_t *value);
/* nonroot_events.c: events (SDM 25.2), and IRET's NMI blocking (25.3;
 * state: bit 0 blocking by NMI before the IRET, bit 1 it faulted). */
SimStatus vmx_event(CpuState *cpu, const VmxEvent *e, const VmxEvent *during);
SimStatus vmx_iret(CpuState *cpu, VmxCpu *v, uint64_t state);
/* nonroot_boundary.c: the VM exits at instruction boundaries (vmx_hooks.h
 * boundary, wakes); what VM entry starts and VM exit stops of them. */
SimStatus vmx_boundary(CpuState *cpu, unsigned next_class);
bool vmx_wakes(const CpuState *cpu);
void vmx_boundary_start(CpuState *cpu, VmxCpu *v);
/* save: a VM exit (not a VM-entry failure) saving the timer value, if asked. */
void vmx_boundary_stop(CpuState *cpu, VmxCpu *v, bool save);

#endif
