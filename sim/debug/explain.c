/*
 * `explain`: why the last VM entry failed and what the last VM exit was,
 * without reading the SDM's tables: the failed row of entry_checks.def
 * (id, SDM section and title, the rule), the fields of the row's input
 * classes decoded, with the bits that break the capability MSRs named;
 * for an exit, the reason, the qualification and the instruction
 * information decoded.
 */
#include <inttypes.h>

#include "sim/debug/commands.h"
#include "sim/debug/dbg_mem.h"
#include "sim/debug/dbg_names.h"
#include "sim/debug/dbg_text.h"
#include "sim/debug/vmcs_format.h"
#include "sim/vmx/vmx_state.h"
#include "sim/vmx/vmx_tables.h"

static const struct {
    unsigned bit;
    const char *title;
} input_classes[] = {
    {CK_EXEC, "VM-execution control fields"},
    {CK_EXIT, "VM-exit control fields"},
    {CK_ENTRY, "VM-entry control fields"},
    {CK_HOST, "host-state area"},
    {CK_GUEST_CR, "guest control registers, debug registers and MSRs"},
    {CK_GUEST_SEG, "guest segment and descriptor-table registers"},
    {CK_GUEST_RIP, "guest RIP and RFLAGS"},
    {CK_GUEST_STATE, "guest non-register state"},
};

/* The bits of a control vector that the capability MSRs forbid (SDM A.3-A.5). */
static void control_violations(const VmxCpu *v, int f, FILE *out) {
    static const char *const msr[VMX_GROUP_COUNT] = {
        "IA32_VMX_TRUE_PINBASED_CTLS", "IA32_VMX_TRUE_PROCBASED_CTLS", "IA32_VMX_PROCBASED_CTLS2",
        "IA32_VMX_PROCBASED_CTLS3",    "IA32_VMX_TRUE_EXIT_CTLS",      "IA32_VMX_TRUE_ENTRY_CTLS"};
    static const char *const none[64];
    int g = dbg_vmcs_control_group(f);
    uint64_t x = v->field[f], must1 = v->caps.allowed0[g], may1 = v->caps.allowed1[g];
    char clear[256], set[256];
    DbgText c = dbg_text(clear, sizeof(clear)), s = dbg_text(set, sizeof(set));
    dbg_text_bits(&c, must1 & ~x, none);
    dbg_text_bits(&s, x & ~may1, none);
    fprintf(out,
            "      %s: allowed 0-settings 0x%08" PRIx64 ", allowed 1-settings 0x%08" PRIx64 "\n",
            msr[g], must1, may1);
    if (clear[0]) fprintf(out, "      must be 1 but is 0: %s\n", clear);
    if (set[0]) fprintf(out, "      must be 0 but is 1: %s\n", set);
}

/* CR0 and CR4 against IA32_VMX_CR0/CR4_FIXED0/1 (SDM A.7, A.8). */
static void cr_violations(const VmxCpu *v, int f, FILE *out) {
    bool cr0 = f == VMCS_GUEST_CR0 || f == VMCS_HOST_CR0;
    uint64_t x = v->field[f];
    uint64_t fixed0 = cr0 ? v->caps.cr0_fixed0 : v->caps.cr4_fixed0;
    uint64_t fixed1 = cr0 ? v->caps.cr0_fixed1 : v->caps.cr4_fixed1;
    if (f == VMCS_GUEST_CR0) { /* SDM 26.3.1.1: NW and CD are not checked */
        fixed0 &= ~(CR0_NW | CR0_CD);
        fixed1 |= CR0_NW | CR0_CD;
    }
    char clear[256], set[256];
    dbg_decode_bits(cr0 ? DBG_BITS_CR0 : DBG_BITS_CR4, fixed0 & ~x, clear, sizeof(clear));
    dbg_decode_bits(cr0 ? DBG_BITS_CR0 : DBG_BITS_CR4, x & ~fixed1, set, sizeof(set));
    if (clear[0])
        fprintf(out, "      must be 1 (IA32_VMX_CR%c_FIXED0) but is 0: %s\n", cr0 ? '0' : '4',
                clear);
    if (set[0])
        fprintf(out, "      must be 0 (IA32_VMX_CR%c_FIXED1) but is 1: %s\n", cr0 ? '0' : '4', set);
}

static void print_class(const VmxCpu *v, unsigned cls, const char *title, FILE *out) {
    fprintf(out, "Fields the check reads (%s):\n", title);
    for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
        if (entry_check_field_class[f] != cls || !v->caps.field_exists[f]) continue;
        dbg_vmcs_print_field(v->field, f, v->field[f], out);
        if (dbg_vmcs_control_group(f) >= 0) control_violations(v, f, out);
        if (f == VMCS_GUEST_CR0 || f == VMCS_HOST_CR0 || f == VMCS_GUEST_CR4 || f == VMCS_HOST_CR4)
            cr_violations(v, f, out);
    }
}

static void print_cpu_inputs(const CpuState *cpu, FILE *out) {
    char text[256];
    fputs("Processor state the check reads:\n", out);
    dbg_decode_bits(DBG_BITS_EFER, cpu->efer, text, sizeof(text));
    fprintf(out, "  IA32_EFER 0x%016" PRIx64 "  [%s]\n", cpu->efer, text);
    dbg_decode_bits(DBG_BITS_CR0, cpu->cr0, text, sizeof(text));
    fprintf(out, "  CR0       0x%016" PRIx64 "  [%s]\n", cpu->cr0, text);
    dbg_decode_bits(DBG_BITS_CR4, cpu->cr4, text, sizeof(text));
    fprintf(out, "  CR4       0x%016" PRIx64 "  [%s]\n", cpu->cr4, text);
}

static void print_outcome(const VmxCpu *v, const EntryCheck *k, FILE *out) {
    if (k->fail == FAIL_GUEST) {
        fprintf(out,
                "VM entry failed: VM-entry failure (SDM 26.8), the processor loaded host state\n");
        dbg_vmcs_print_field(v->field, VMCS_EXIT_REASON, v->field[VMCS_EXIT_REASON], out);
        dbg_vmcs_print_field(v->field, VMCS_EXIT_QUALIFICATION, v->field[VMCS_EXIT_QUALIFICATION],
                             out);
        return;
    }
    unsigned error =
        k->fail == FAIL_CTRL ? VMXERR_ENTRY_INVALID_CONTROL : VMXERR_ENTRY_INVALID_HOST_STATE;
    fprintf(out, "VM entry failed: VMfailValid(%u) \"%s\", VMLAUNCH/VMRESUME fell through\n", error,
            vmx_insn_error_name(error));
}

static void explain_check(const CpuState *cpu, const VmxCpu *v, FILE *out) {
    const EntryCheck *k = &entry_checks[v->last_failure.check];
    print_outcome(v, k, out);
    fprintf(out, "Check:   %s\nSDM:     %s \"%s\"\nRule:    %s\n", k->name, k->section, k->title,
            k->rule);
    for (size_t i = 0; i < SIM_ARRAY_SIZE(input_classes); i++) {
        if (k->inputs & input_classes[i].bit)
            print_class(v, input_classes[i].bit, input_classes[i].title, out);
    }
    if (k->inputs & CK_CPU) print_cpu_inputs(cpu, out);
}

/* SDM 26.4 "Loading MSRs": the failing entry of the VM-entry MSR-load area. */
static void explain_msr_load(const CpuState *cpu, const VmxCpu *v, FILE *out) {
    uint32_t i = v->last_failure.msr_index ? v->last_failure.msr_index : 1;
    uint64_t entry[2] = {0, 0};
    DbgAddr at = {v->field[VMCS_ENTRY_MSR_LOAD_ADDR] + (uint64_t)(i - 1) * 16, true};
    fputs("VM entry failed: VM-entry failure (SDM 26.8), the processor loaded host state\n", out);
    dbg_vmcs_print_field(v->field, VMCS_EXIT_REASON, v->field[VMCS_EXIT_REASON], out);
    dbg_vmcs_print_field(v->field, VMCS_EXIT_QUALIFICATION, v->field[VMCS_EXIT_QUALIFICATION], out);
    fputs(
        "SDM:     26.4 \"Loading MSRs\"\n"
        "Rule:    each entry is loaded as WRMSR would load it; an entry fails for IA32_FS_BASE or "
        "IA32_GS_BASE, an x2APIC MSR (bits 31:8 = 8), an MSR writable only in SMM, bits 63:32 not "
        "all 0, or a value WRMSR would refuse (#GP)\n",
        out);
    if (dbg_mem_read(cpu, at, entry, sizeof(entry)) == sizeof(entry))
        fprintf(out,
                "Entry %u at g:0x%" PRIx64 ": MSR index 0x%08" PRIx32 ", bits 63:32 0x%08" PRIx32
                ", value 0x%016" PRIx64 "\n",
                i, at.addr, (uint32_t)entry[0], (uint32_t)(entry[0] >> 32), entry[1]);
    fputs("Fields the check reads:\n", out);
    dbg_vmcs_print_field(v->field, VMCS_ENTRY_MSR_LOAD_ADDR, v->field[VMCS_ENTRY_MSR_LOAD_ADDR],
                         out);
    dbg_vmcs_print_field(v->field, VMCS_ENTRY_MSR_LOAD_COUNT, v->field[VMCS_ENTRY_MSR_LOAD_COUNT],
                         out);
}

static void explain_exit(const VmxCpu *v, FILE *out) {
    static const int fields[] = {VMCS_EXIT_REASON,
                                 VMCS_GUEST_RIP,
                                 VMCS_EXIT_INSTRUCTION_LENGTH,
                                 VMCS_EXIT_QUALIFICATION,
                                 VMCS_EXIT_INSTRUCTION_INFO,
                                 VMCS_EXIT_INTERRUPTION_INFO,
                                 VMCS_EXIT_INTERRUPTION_ERROR_CODE,
                                 VMCS_IDT_VECTORING_INFO,
                                 VMCS_GUEST_LINEAR_ADDRESS};
    fputs("Last VM exit (SDM 27.2 \"Recording VM-Exit Information\"):\n", out);
    for (size_t i = 0; i < SIM_ARRAY_SIZE(fields); i++)
        dbg_vmcs_print_field(v->field, fields[i], v->field[fields[i]], out);
}

DbgCmdResult dbg_cmd_explain(Debugger *d, int argc, char **argv, FILE *out) {
    const CpuState *cpu = &d->m->cpu;
    const VmxCpu *v = cpu->vmx;
    if (!v) return dbg_cmd_error(out, "the CPU model has no VMX");
    bool exited = v->exits > 0 && !(v->field[VMCS_EXIT_REASON] & EXIT_REASON_ENTRY_FAILURE_BIT);
    if (v->last_failure.check != ENTRY_CHECK_NONE)
        explain_check(cpu, v, out);
    else if (v->last_failure.msr_index)
        explain_msr_load(cpu, v, out);
    else if (cpu->vmx_mode == VMX_MODE_NONROOT)
        fputs("The last VM entry succeeded: the CPU is in VMX non-root operation\n", out);
    else if (exited)
        explain_exit(v, out);
    else
        fputs("No VM entry has failed and no VM exit has happened\n", out);
    uint64_t error =
        v->current_vmcs != VMCS_POINTER_INVALID ? v->field[VMCS_VM_INSTRUCTION_ERROR] : 0;
    if (error && v->last_failure.check == ENTRY_CHECK_NONE)
        fprintf(out, "VM-instruction error field: %" PRIu64 " (%s), from the last VMfailValid\n",
                error,
                vmx_insn_error_name((unsigned)error) ? vmx_insn_error_name((unsigned)error) : "?");
    return DBG_CMD_OK;
}
