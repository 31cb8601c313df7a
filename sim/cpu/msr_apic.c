/*
 * The MSRs of the local APIC: IA32_APIC_BASE (SDM 10.4.4 "Local APIC
 * Status and Location"), IA32_TSC_DEADLINE (10.5.4.1 "TSC-Deadline Mode")
 * and the x2APIC registers 800H-8FFH (10.12.1.2 "x2APIC Register Address
 * Space").  The APIC (apic_hooks.h) answers them; a CPU without one keeps
 * the first two as stored MSRs and has no x2APIC MSRs.
 */
#include "sim/cpu/apic_hooks.h"
#include "sim/cpu/exceptions.h"
#include "sim/devices/lapic.h"

bool cpu_msr_is_x2apic(uint32_t index) {
    return index >= X2APIC_MSR_FIRST && index <= X2APIC_MSR_LAST;
}

/* SDM 10.12.1.2: outside x2APIC mode (and without an APIC) #GP(0). */
SimStatus cpu_x2apic_msr_read(CpuState *cpu, uint32_t index, uint64_t *value) {
    if (cpu->apic_ops && cpu->apic_ops->read_msr(cpu->apic, index, value)) return SIM_OK;
    return cpu_raise_gp0(cpu);
}

SimStatus cpu_x2apic_msr_write(CpuState *cpu, uint32_t index, uint64_t value) {
    if (cpu->apic_ops && cpu->apic_ops->write_msr(cpu->apic, index, value)) return SIM_OK;
    return cpu_raise_gp0(cpu);
}

uint64_t cpu_apic_base_read(const CpuState *cpu) {
    return cpu->apic_ops ? cpu->apic_ops->read_base(cpu->apic) : cpu->msr[MSR_SLOT_IA32_APIC_BASE];
}

/* The APIC checks the x2APIC state transitions (SDM 10.12.5.1).  Without
 * an APIC, EXTD (bit 10) is reserved and BSP (bit 8) read-only. */
SimStatus cpu_apic_base_write(CpuState *cpu, uint64_t value) {
    uint64_t *msr = &cpu->msr[MSR_SLOT_IA32_APIC_BASE];
    if (cpu->apic_ops)
        return cpu->apic_ops->write_base(cpu->apic, value) ? SIM_OK : cpu_raise_gp0(cpu);
    if (value & APIC_BASE_EXTD) return cpu_raise_gp0(cpu);
    *msr = (value & ~APIC_BASE_BSP) | (*msr & APIC_BASE_BSP);
    return SIM_OK;
}

uint64_t cpu_tsc_deadline_read(const CpuState *cpu) {
    if (cpu->apic_ops) return cpu->apic_ops->read_tsc_deadline(cpu->apic);
    return cpu->msr[MSR_SLOT_IA32_TSC_DEADLINE];
}

/* The deadline is compared with the TSC: cycles + IA32_TSC_ADJUST (vmxsim
 * applies no VMX TSC offset to it: docs/devices.md). */
void cpu_tsc_deadline_write(CpuState *cpu, uint64_t value) {
    if (cpu->apic_ops)
        cpu->apic_ops->write_tsc_deadline(cpu->apic, value, cpu->cycles + cpu->tsc_adjust);
    else
        cpu->msr[MSR_SLOT_IA32_TSC_DEADLINE] = value;
}
