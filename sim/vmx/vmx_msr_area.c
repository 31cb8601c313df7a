/* VM-entry/VM-exit MSR areas (vmx_msr_area.h).  All accesses go through
 * the memory layer (style.md rule 7). */
#include "sim/vmx/vmx_msr_area.h"

#include "sim/cpu/msr.h"

/* SDM 26.4 / 27.6: an entry fails for IA32_FS_BASE, IA32_GS_BASE,
 * IA32_SMM_MONITOR_CTL (9BH), the x2APIC range (bits 31:8 = 008H) and a
 * nonzero reserved half (bits 63:32 of the first quadword). */
static bool loadable(uint64_t first)
{
    uint32_t index = (uint32_t)first;
    return (first >> 32) == 0 && index != 0xc0000100u && index != 0xc0000101u && index != 0x9bu &&
           (index >> 8) != 0x8;
}

/* SDM 27.4: an entry fails for IA32_SMBASE (9EH), the x2APIC range, a
 * nonzero reserved half, or an MSR that cannot be read. */
static bool storable(uint64_t first)
{
    uint32_t index = (uint32_t)first;
    return (first >> 32) == 0 && index != 0x9eu && (index >> 8) != 0x8;
}

uint32_t vmx_msr_area_load(CpuState *cpu, uint64_t pa, uint64_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        uint64_t first = mem_phys_read(cpu->mem, pa + 16 * (uint64_t)i, 8);
        uint64_t value = mem_phys_read(cpu->mem, pa + 16 * (uint64_t)i + 8, 8);
        if (!loadable(first) || cpu_msr_write(cpu, (uint32_t)first, value) != SIM_OK)
            return i + 1;
    }
    return 0;
}

bool vmx_msr_area_store(CpuState *cpu, uint64_t pa, uint64_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        uint64_t value, first = mem_phys_read(cpu->mem, pa + 16 * (uint64_t)i, 8);
        if (!storable(first) || cpu_msr_read(cpu, (uint32_t)first, &value) != SIM_OK)
            return false;
        (void)mem_phys_write(cpu->mem, pa + 16 * (uint64_t)i + 8, 8, value);
    }
    return true;
}
