/* Attaching the VMX layer to a CPU (vmx.h). */
#include "sim/vmx/vmx.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/vmx/vmx_ops.h"

static bool read_capability(const CpuState *cpu, uint32_t index, uint64_t *value)
{
    return vmx_caps_read_msr(&cpu->vmx->caps, index, value);
}

static const CpuVmxOps vmx_hooks = {
    .instruction = vmx_instruction,
    .intercept = vmx_intercept,
    .event = vmx_event,
    .boundary = vmx_boundary,
    .wakes = vmx_wakes,
    .read_capability = read_capability,
};

bool vmx_attach(CpuState *cpu)
{
    if (!cpu_model_has(cpu->model, FEAT_VMX))
        return true;
    VmxCpu *v = calloc(1, sizeof(*v));
    if (!v)
        return false;
    vmx_caps_init(&v->caps, cpu->model);
    v->current_vmcs = VMCS_POINTER_INVALID;
    vmx_entry_checks_init(&v->checks);
    v->last_failure.check = ENTRY_CHECK_NONE;
    cpu->vmx = v;
    cpu->vmx_ops = &vmx_hooks;
    return true;
}

void vmx_detach(CpuState *cpu)
{
    free(cpu->vmx);
    cpu->vmx = NULL;
    cpu->vmx_ops = NULL;
}

void vmx_set_tracer(CpuState *cpu, VmxTraceFn fn, void *opaque)
{
    if (!cpu->vmx)
        return;
    cpu->vmx->trace = fn;
    cpu->vmx->trace_opaque = opaque;
}

uint64_t vmx_exit_count(const CpuState *cpu, unsigned reason)
{
    return cpu->vmx && reason < VMX_EXIT_REASONS ? cpu->vmx->exits_by_reason[reason] : 0;
}

bool vmx_counts(const CpuState *cpu, uint64_t *entries, uint64_t *exits)
{
    if (!cpu->vmx)
        return false;
    *entries = cpu->vmx->entries;
    *exits = cpu->vmx->exits;
    return true;
}

const char *vmx_describe_failed_check(const CpuState *cpu, char *buf, size_t len)
{
    if (!cpu->vmx || cpu->vmx->last_failure.check == ENTRY_CHECK_NONE)
        return NULL;
    const EntryCheck *k = &entry_checks[cpu->vmx->last_failure.check];
    snprintf(buf, len, "SDM %s \"%s\": %s (%s)", k->section, k->title, k->rule, k->name);
    return buf;
}
