/* The interpreter loop: blocks from the decoded-instruction cache, one handler call per
 * instruction, events sampled at instruction boundaries. */
#ifndef VMXSIM_CPU_INTERP_H
#define VMXSIM_CPU_INTERP_H

#include "sim/cpu/cpu.h"

/* Run until `budget` more instructions have retired (SIM_OK), the CPU halts
 * (SIM_HALT), shuts down (SIM_SHUTDOWN) or a device stops the run (SIM_STOP). */
SimStatus cpu_run(CpuState *cpu, uint64_t budget) SIM_MUST_CHECK;

#endif
