/*
 * Hardware task switching (SDM Vol. 3A 7.3 "Task Switching", 7.4 "Task
 * Linking"; Vol. 2 JMP/CALL "TASK-GATE" and "TASK-STATE-SEGMENT", IRET
 * "TASK-RETURN", INT n "TASK-GATE").  32-bit and 16-bit TSSs (7.2.1, 7.6);
 * never in IA-32e mode (7.7: the callers raise #GP there).
 *
 * Faults before the commit point (7.3 steps 1-11) leave every register as
 * it was and are reported in the old task.  After it (step 13: segment
 * descriptors, the error code push, the EIP limit check, the T flag) the
 * new task is in place and the fault belongs to it.
 */
#ifndef VMXSIM_CPU_TASK_SWITCH_H
#define VMXSIM_CPU_TASK_SWITCH_H

#include "sim/cpu/segmentation.h"

/* Far JMP (call = false) or CALL to a task gate or TSS descriptor `desc`
 * named by `sel`.  Returns SIM_OK, SIM_FAULT for a fault before the commit
 * point, or for one after it the result of cpu_events_deliver_fault
 * (delivered in the new task; SIM_EXCEPTION when stopped at, SIM_SHUTDOWN). */
SimStatus cpu_task_far(CpuState *cpu, uint16_t sel, const Descriptor *desc, bool call)
    SIM_MUST_CHECK;

/* IRET with NT = 1: switch back to the task in the previous-task link of
 * the current TSS (SDM 7.4 "Task Linking").  Same results as cpu_task_far. */
SimStatus cpu_task_return(CpuState *cpu) SIM_MUST_CHECK;

/* An exception or interrupt through a task gate naming `tss_sel` (SDM
 * 6.12.2 "Interrupt Tasks"): the TSS checks (#GP/#NP with `ext`), the switch
 * with nesting, the error code pushed on the new task's stack.  On
 * SIM_FAULT, *committed tells whether the fault came after the commit
 * point (it then belongs to the new task). */
SimStatus cpu_task_gate_event(CpuState *cpu, uint16_t tss_sel, uint32_t ext, bool has_error,
                              uint32_t error, bool *committed) SIM_MUST_CHECK;

#endif
