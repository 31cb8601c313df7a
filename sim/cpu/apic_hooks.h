/*
 * The CPU's view of its local APIC (design.md: the CPU calls down into
 * devices, devices never call the CPU).  The machine installs these hooks
 * (sim/platform.c) with the CPU's APIC as `apic`.  Without them (a CPU
 * built alone, as some unit tests do) IA32_APIC_BASE and IA32_TSC_DEADLINE
 * are stored MSRs, CR8 is a plain register, and the x2APIC MSRs are #GP.
 */
#ifndef VMXSIM_CPU_APIC_HOOKS_H
#define VMXSIM_CPU_APIC_HOOKS_H

#include "sim/cpu/cpu.h"

typedef struct CpuApicOps {
    /* IA32_APIC_BASE (SDM 10.4.4); write_base false: #GP(0) (SDM 10.12.5). */
    uint64_t (*read_base)(void *apic);
    bool (*write_base)(void *apic, uint64_t value);
    /* The x2APIC MSRs 800H-8FFH (SDM 10.12.1.2); false: #GP(0). */
    bool (*read_msr)(void *apic, uint32_t index, uint64_t *value);
    bool (*write_msr)(void *apic, uint32_t index, uint64_t value);
    /* CR8 is TPR[7:4] (SDM 10.8.6.1). */
    uint8_t (*read_cr8)(void *apic);
    void (*write_cr8)(void *apic, uint8_t cr8);
    /* IA32_TSC_DEADLINE (SDM 10.5.4.1); tsc_now: the TSC at the WRMSR. */
    uint64_t (*read_tsc_deadline)(void *apic);
    void (*write_tsc_deadline)(void *apic, uint64_t value, uint64_t tsc_now);
    /* The CPU performs an INIT (outside VMX operation): SDM 10.4.7.3 "Local
     * APIC State After an INIT Reset". */
    void (*init)(void *apic);
} CpuApicOps;

/* The MSRs the local APIC answers (msr_apic.c), with msr.c's table checks
 * (existence, reserved bits) already made for the table rows. */
bool cpu_msr_is_x2apic(uint32_t index);
SimStatus cpu_x2apic_msr_read(CpuState *cpu, uint32_t index, uint64_t *value) SIM_MUST_CHECK;
SimStatus cpu_x2apic_msr_write(CpuState *cpu, uint32_t index, uint64_t value) SIM_MUST_CHECK;
uint64_t cpu_apic_base_read(const CpuState *cpu);
SimStatus cpu_apic_base_write(CpuState *cpu, uint64_t value) SIM_MUST_CHECK;
uint64_t cpu_tsc_deadline_read(const CpuState *cpu);
void cpu_tsc_deadline_write(CpuState *cpu, uint64_t value);

static inline uint64_t cpu_apic_read_cr8(const CpuState *cpu) {
    return cpu->apic_ops ? cpu->apic_ops->read_cr8(cpu->apic) : cpu->cr8;
}

static inline void cpu_apic_write_cr8(CpuState *cpu, uint64_t cr8) {
    cpu->cr8 = cr8;
    if (cpu->apic_ops) cpu->apic_ops->write_cr8(cpu->apic, (uint8_t)cr8);
}

#endif
