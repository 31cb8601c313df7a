/* Far returns shared by RET (far) and IRET. */
#ifndef VMXSIM_CPU_FAR_RETURN_H
#define VMXSIM_CPU_FAR_RETURN_H

#include "sim/cpu/segmentation.h"

/* The checks of the return CS (SDM Vol. 2 RET/IRET "Operation"): a null
 * selector #GP(0), RPL < CPL or a descriptor that is not a code segment
 * of the right privilege #GP(selector), not present #NP(selector). */
SimStatus cpu_far_return_cs(CpuState *cpu, uint16_t sel, Descriptor *desc) SIM_MUST_CHECK;

/* Protected/IA-32e mode return to CS:RIP read from the stack; with `outer`,
 * to an outer privilege level with SS:RSP also from the frame.  Checks per
 * SDM Vol. 2 RET/IRET "Operation"; state is committed only on success. */
SimStatus cpu_far_return(CpuState *cpu, uint64_t rip, uint16_t sel, unsigned opsize, bool outer,
                         uint64_t rsp, uint16_t ss_sel) SIM_MUST_CHECK;

#endif
