/* The text form of VMX events (trace.h). */
#include <inttypes.h>

#include "sim/debug/dbg_names.h"
#include "sim/debug/dbg_text.h"
#include "sim/debug/trace.h"
#include "sim/vmx/vmcs.h"
#include "sim/vmx/vmx_tables.h"

static void exit_text(DbgText *b, const VmxTrace *t) {
    unsigned basic = t->exit_reason & 0xffff;
    const char *sym = dbg_exit_reason_symbol(basic);
    dbg_text_add(
        b, "%s %s (%u), reason 0x%08" PRIx32 ", qualification 0x%" PRIx64 ", guest rip 0x%" PRIx64,
        t->kind == VMX_TRACE_EXIT ? "vm-exit" : "vm-entry-failure", sym ? sym : "?", basic,
        t->exit_reason, t->qualification, t->guest_rip);
}

void dbg_vmx_event_text(const VmxTrace *t, char *buf, size_t len) {
    DbgText b = dbg_text(buf, len);
    const char *field =
        t->field >= 0 && t->field < VMCS_FIELD_COUNT ? vmcs_field_info[t->field].name : "?";
    const char *err = vmx_insn_error_name(t->insn_error);
    switch (t->kind) {
    case VMX_TRACE_ENTRY:
        dbg_text_add(&b, "vm-entry, guest rip 0x%" PRIx64, t->guest_rip);
        break;
    case VMX_TRACE_EXIT:
        exit_text(&b, t);
        break;
    case VMX_TRACE_ENTRY_FAIL:
        if (t->insn_error)
            dbg_text_add(&b, "vm-entry-failure VMfailValid(%u) %s, rip 0x%" PRIx64, t->insn_error,
                         err ? err : "?", t->guest_rip);
        else
            exit_text(&b, t);
        break;
    case VMX_TRACE_VMWRITE:
        dbg_text_add(&b, "vmwrite %s 0x%" PRIx64 " -> 0x%" PRIx64 ", rip 0x%" PRIx64, field,
                     t->old_value, t->new_value, t->guest_rip);
        break;
    case VMX_TRACE_VMREAD:
        dbg_text_add(&b, "vmread %s = 0x%" PRIx64 ", rip 0x%" PRIx64, field, t->new_value,
                     t->guest_rip);
        break;
    }
}

void dbg_trace_text(FILE *out, const CpuState *cpu, const VmxTrace *t) {
    char text[256];
    if (t->kind != VMX_TRACE_ENTRY && t->kind != VMX_TRACE_ENTRY_FAIL && t->kind != VMX_TRACE_EXIT)
        return;
    dbg_vmx_event_text(t, text, sizeof(text));
    fprintf(out, "vmx: insn %" PRIu64 " cycles %" PRIu64 " %s\n", cpu->insns, cpu->cycles, text);
}
