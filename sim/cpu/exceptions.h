/*
 * Exceptions and interrupts (SDM Vol. 3A chapter 6 "Interrupt and Exception
 * Handling").  An instruction raises an exception by recording it and
 * returning SIM_FAULT; the interpreter loop restores RIP and delivers it.
 */
#ifndef VMXSIM_CPU_EXCEPTIONS_H
#define VMXSIM_CPU_EXCEPTIONS_H

#include "sim/cpu/cpu.h"

/* SDM 6.3.1, Table 6-1 "Protected-Mode Exceptions and Interrupts". */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14,
    EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19, EXC_VE = 20, EXC_CP = 21,
};

/* SDM 6.3.1 Table 6-1: the exceptions that push an error code. */
static inline bool exc_has_error_code(unsigned vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC ||
           vector == EXC_CP;
}

/* Record an exception; the error code is used when the vector has one. */
static inline SimStatus cpu_raise(CpuState *cpu, unsigned vector, uint32_t error)
{
    cpu->fault.vector = (uint8_t)vector;
    cpu->fault.has_error = exc_has_error_code(vector);
    cpu->fault.error = error;
    return SIM_FAULT;
}

static inline SimStatus cpu_raise_ud(CpuState *cpu) { return cpu_raise(cpu, EXC_UD, 0); }
static inline SimStatus cpu_raise_gp0(CpuState *cpu) { return cpu_raise(cpu, EXC_GP, 0); }

/* How an event reached the CPU: decides the pushed RIP and privilege checks. */
typedef enum EventKind {
    EVENT_FAULT,     /* exception from an instruction: RIP of that instruction */
    EVENT_SOFT_INT,  /* INT n / INT3 / INTO: RIP after the instruction, gate DPL checked */
    EVENT_EXTERNAL,  /* external interrupt or NMI */
} EventKind;

/* Deliver cpu->fault (SDM 6.12, with 6.15 Table 6-5 for double faults).
 * Returns SIM_OK, or SIM_SHUTDOWN on a triple fault. */
SimStatus cpu_deliver_fault(CpuState *cpu) SIM_MUST_CHECK;
/* Deliver a software interrupt or external event through the IDT/IVT.
 * SIM_FAULT: delivery faulted (the caller delivers cpu->fault).  An INT n
 * through a task gate whose switch faulted after its commit point returns
 * cpu_events_deliver_fault's result instead: the fault was the new task's
 * and has been delivered there (or stopped at, SIM_EXCEPTION). */
SimStatus cpu_deliver_event(CpuState *cpu, unsigned vector, EventKind kind) SIM_MUST_CHECK;

#endif
