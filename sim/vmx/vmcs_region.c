/* The VMCS region in guest-physical memory (vmcs_region.h).  Every access
 * goes through the memory layer (style.md rule 7). */
#include "sim/vmx/vmcs_region.h"

void vmcs_region_load(CpuState *cpu, VmxCpu *v, uint64_t pa)
{
    mem_phys_read_bytes(cpu->mem, pa + VMCS_OFF_FIELDS, v->field, sizeof(v->field));
    /* The region is guest memory: a field holds no more than its width. */
    for (unsigned f = 0; f < VMCS_FIELD_COUNT; f++)
        v->field[f] &= vmcs_width_mask(vmcs_field_info[f].width);
    v->launched = mem_phys_read(cpu->mem, pa + VMCS_OFF_LAUNCH, 4) == 1;
    v->current_vmcs = pa;
    v->checks.dirty = CK_ALL; /* another VMCS: nothing is known about it */
}

void vmcs_region_store(CpuState *cpu, const VmxCpu *v)
{
    uint64_t pa = v->current_vmcs;
    (void)mem_phys_write_bytes(cpu->mem, pa + VMCS_OFF_FIELDS, v->field, sizeof(v->field));
    (void)mem_phys_write(cpu->mem, pa + VMCS_OFF_LAUNCH, 4, v->launched);
}

void vmcs_region_clear(CpuState *cpu, VmxCpu *v, uint64_t pa)
{
    if (v->current_vmcs == pa) {
        v->launched = false;
        vmcs_region_store(cpu, v);
        v->current_vmcs = VMCS_POINTER_INVALID;
        v->checks.dirty = CK_ALL;
        return;
    }
    (void)mem_phys_write(cpu->mem, pa + VMCS_OFF_LAUNCH, 4, 0);
}
