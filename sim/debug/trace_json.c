/* The Chrome trace event format writer (trace.h): the JSON Object Format,
 * {"traceEvents": [...]}, with duration events ("B"/"E") for residency,
 * instant events ("i", thread scope) for exits and metadata events ("M"). */
#include <inttypes.h>

#include "sim/debug/dbg_names.h"
#include "sim/debug/trace.h"

static uint64_t stamp(DbgTraceJson *j, const CpuState *cpu) {
    if (cpu->cycles > j->last) j->last = cpu->cycles;
    return j->last;
}

static void slice(DbgTraceJson *j, char ph, bool nonroot, uint64_t ts) {
    fprintf(j->f,
            ",\n{\"name\":\"%s\",\"cat\":\"vmx\",\"ph\":\"%c\",\"ts\":%" PRIu64
            ",\"pid\":1,\"tid\":1}",
            nonroot ? "non-root" : "root", ph, ts);
}

bool dbg_trace_json_open(DbgTraceJson *j, const char *path, const CpuState *cpu) {
    *j = (DbgTraceJson){0};
    j->f = fopen(path, "w");
    if (!j->f) return false;
    fputs(
        "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"vmxsim\","
        "\"ts\":\"simulated cycles\"},\n\"traceEvents\":[\n"
        "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"vmxsim\"}"
        "},\n"
        "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"cpu0\"}}",
        j->f);
    slice(j, 'B', false, stamp(j, cpu));
    return true;
}

static void instant(DbgTraceJson *j, const CpuState *cpu, const VmxTrace *t, uint64_t ts) {
    unsigned basic = t->exit_reason & 0xffff;
    const char *sym = t->insn_error ? "VMfailValid" : dbg_exit_reason_symbol(basic);
    fprintf(j->f,
            ",\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"t\",\"ts\":%" PRIu64
            ",\"pid\":1,\"tid\":1,\"args\":{\"exit_reason\":%" PRIu32 ",\"qualification\":%" PRIu64
            ",\"guest_rip\":%" PRIu64 ",\"insn_error\":%u,\"insns\":%" PRIu64 "}}",
            sym ? sym : "unknown", t->kind == VMX_TRACE_EXIT ? "vm-exit" : "vm-entry-failure", ts,
            t->exit_reason, t->qualification, t->guest_rip, t->insn_error, cpu->insns);
}

void dbg_trace_json_event(void *opaque, const CpuState *cpu, const VmxTrace *t) {
    DbgTraceJson *j = opaque;
    uint64_t ts = stamp(j, cpu);
    switch (t->kind) {
    case VMX_TRACE_ENTRY:
        slice(j, 'E', false, ts);
        slice(j, 'B', true, ts);
        j->nonroot = true;
        break;
    case VMX_TRACE_EXIT:
        slice(j, 'E', true, ts);
        instant(j, cpu, t, ts);
        slice(j, 'B', false, ts);
        j->nonroot = false;
        break;
    case VMX_TRACE_ENTRY_FAIL:
        /* SDM 26.8: a failure after guest state was loaded ends in root operation too. */
        if (j->nonroot) {
            slice(j, 'E', true, ts);
            slice(j, 'B', false, ts);
            j->nonroot = false;
        }
        instant(j, cpu, t, ts);
        break;
    default:
        break;
    }
}

bool dbg_trace_json_close(DbgTraceJson *j, const CpuState *cpu) {
    if (!j->f) return true;
    slice(j, 'E', j->nonroot, stamp(j, cpu));
    fputs("\n]}\n", j->f);
    bool ok = !ferror(j->f);
    ok = fclose(j->f) == 0 && ok;
    j->f = NULL;
    return ok;
}
