/* Segment state across VM entries and exits (vmx_segments.h).  The CPU keeps
 * segment caches in the VMX access-rights format (design.md), so saving and
 * loading guest segments is a copy. */
#include "sim/vmx/vmx_segments.h"

#include <string.h>

static bool same_table(const DescTable *a, const DescTable *b)
{
    return a->base == b->base && a->limit == b->limit;
}

/* Unchanged since the VM entry loaded them from the fields (the checks
 * guarantee the loaded values equal the fields): nothing to store. */
static bool segments_unchanged(const CpuState *cpu, const VmxCpu *v)
{
    for (unsigned s = 0; s < SEG_COUNT; s++) {
        const Segment *a = &cpu->seg[s], *b = &v->entered_seg[s];
        if (a->selector != b->selector || a->base != b->base || a->limit != b->limit ||
            a->ar != b->ar)
            return false;
    }
    return same_table(&cpu->gdtr, &v->entered_gdtr) && same_table(&cpu->idtr, &v->entered_idtr);
}

void vmx_segments_save(const CpuState *cpu, VmxCpu *v)
{
    if (segments_unchanged(cpu, v))
        return;
    for (unsigned s = 0; s < SEG_COUNT; s++) {
        const Segment *g = &cpu->seg[s];
        vmcs_set(v, VMCS_GUEST_ES_SELECTOR + s, g->selector);
        vmcs_set(v, VMCS_GUEST_ES_BASE + s, g->base);
        vmcs_set(v, VMCS_GUEST_ES_LIMIT + s, g->limit);
        vmcs_set(v, VMCS_GUEST_ES_ACCESS_RIGHTS + s, g->ar);
    }
    vmcs_set(v, VMCS_GUEST_GDTR_BASE, cpu->gdtr.base);
    vmcs_set(v, VMCS_GUEST_GDTR_LIMIT, cpu->gdtr.limit);
    vmcs_set(v, VMCS_GUEST_IDTR_BASE, cpu->idtr.base);
    vmcs_set(v, VMCS_GUEST_IDTR_LIMIT, cpu->idtr.limit);
}

/* SDM 26.3.2.2: an unusable register keeps only what the SDM says it loads
 * (the base of FS/GS in IA-32e mode, SS.DPL); vmxsim loads every field as
 * given, which the checks have made consistent. */
void vmx_segments_load_guest(CpuState *cpu, VmxCpu *v)
{
    const uint64_t *f = v->field;
    for (unsigned s = 0; s < SEG_COUNT; s++) {
        cpu->seg[s] = (Segment){(uint16_t)f[VMCS_GUEST_ES_SELECTOR + s],
                                (uint32_t)f[VMCS_GUEST_ES_LIMIT + s],
                                (uint32_t)f[VMCS_GUEST_ES_ACCESS_RIGHTS + s],
                                f[VMCS_GUEST_ES_BASE + s]};
    }
    cpu->gdtr = (DescTable){f[VMCS_GUEST_GDTR_BASE], (uint32_t)f[VMCS_GUEST_GDTR_LIMIT] & 0xffff};
    cpu->idtr = (DescTable){f[VMCS_GUEST_IDTR_BASE], (uint32_t)f[VMCS_GUEST_IDTR_LIMIT] & 0xffff};
    memcpy(v->entered_seg, cpu->seg, sizeof(v->entered_seg));
    v->entered_gdtr = cpu->gdtr;
    v->entered_idtr = cpu->idtr;
}

/* SDM 27.5.2: flat segments with DPL 0 from the host selectors; a null
 * selector (ES, DS, FS, GS; SS when the host is 64-bit) makes the register
 * unusable.  FS, GS and TR take their bases from the host fields. */
static Segment host_data_segment(uint16_t sel, uint64_t base)
{
    if (sel == 0)
        return (Segment){0, 0, AR_UNUSABLE, base};
    return (Segment){sel, 0xffffffffu, 3 | AR_S | AR_P | AR_DB | AR_G, base};
}

void vmx_segments_load_host(CpuState *cpu, const VmxCpu *v)
{
    const uint64_t *f = v->field;
    bool host64 = f[VMCS_EXIT_CONTROLS] & VMX_EXIT_HOST_ADDRESS_SPACE_SIZE;
    uint32_t cs_size = host64 ? AR_L : AR_DB;
    cpu->seg[SEG_CS] = (Segment){(uint16_t)f[VMCS_HOST_CS_SELECTOR], 0xffffffffu,
                                 11 | AR_S | AR_P | AR_G | cs_size, 0};
    cpu->seg[SEG_ES] = host_data_segment((uint16_t)f[VMCS_HOST_ES_SELECTOR], 0);
    cpu->seg[SEG_SS] = host_data_segment((uint16_t)f[VMCS_HOST_SS_SELECTOR], 0);
    cpu->seg[SEG_DS] = host_data_segment((uint16_t)f[VMCS_HOST_DS_SELECTOR], 0);
    cpu->seg[SEG_FS] = host_data_segment((uint16_t)f[VMCS_HOST_FS_SELECTOR], f[VMCS_HOST_FS_BASE]);
    cpu->seg[SEG_GS] = host_data_segment((uint16_t)f[VMCS_HOST_GS_SELECTOR], f[VMCS_HOST_GS_BASE]);
    cpu->seg[SEG_TR] = (Segment){(uint16_t)f[VMCS_HOST_TR_SELECTOR], 0x67, 11 | AR_P, f[VMCS_HOST_TR_BASE]};
    cpu->seg[SEG_LDTR] = (Segment){0, 0, AR_UNUSABLE, 0};
    cpu->gdtr = (DescTable){f[VMCS_HOST_GDTR_BASE], 0xffff};
    cpu->idtr = (DescTable){f[VMCS_HOST_IDTR_BASE], 0xffff};
}
