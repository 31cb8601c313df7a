/*
 * Far CALL and JMP through call gates (SDM Vol. 3A 5.8.3 "Call Gates",
 * 5.8.3.1 "IA-32e Mode Call Gates", 5.8.4 "Accessing a Code Segment Through
 * a Call Gate", 5.8.5 "Stack Switching"; Vol. 2 CALL/JMP "CALL-GATE").
 * The return is the far RET of exec_far.c (5.8.6 "Returning from a Called
 * Procedure").
 */
#ifndef VMXSIM_CPU_CALL_GATE_H
#define VMXSIM_CPU_CALL_GATE_H

#include "sim/cpu/segmentation.h"

/* Far CALL (call = true) or JMP through the call gate `desc` (its first 8
 * bytes) named by `sel`: 16- and 32-bit gates in protected mode, 64-bit
 * gates in IA-32e mode.  Every check comes before any state changes. */
SimStatus cpu_call_gate(CpuState *cpu, uint16_t sel, const Descriptor *desc, bool call)
    SIM_MUST_CHECK;

#endif
