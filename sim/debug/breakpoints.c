/* The breakpoint list (breakpoints.h). */
#include "sim/debug/breakpoints.h"

#include <inttypes.h>
#include <stdlib.h>

#include "sim/cpu/access.h"
#include "sim/debug/dbg_names.h"
#include "sim/debug/disas.h"
#include "sim/vmx/vmcs.h"
#include "sim/vmx/vmx_tables.h"

unsigned dbg_bp_add(DbgBreakpoints *l, const DbgBreakpoint *b) {
    if (l->count == l->cap) {
        size_t n = l->cap ? l->cap * 2 : 16;
        DbgBreakpoint *grown = realloc(l->bp, n * sizeof(*grown));
        if (!grown) return 0;
        l->bp = grown;
        l->cap = n;
    }
    DbgBreakpoint *nb = &l->bp[l->count++];
    *nb = *b;
    nb->id = ++l->next_id;
    nb->hits = 0;
    nb->seen_valid = false;
    return nb->id;
}

DbgBreakpoint *dbg_bp_find(DbgBreakpoints *l, unsigned id) {
    for (size_t i = 0; i < l->count; i++) {
        if (l->bp[i].id == id) return &l->bp[i];
    }
    return NULL;
}

bool dbg_bp_delete(DbgBreakpoints *l, unsigned id) {
    DbgBreakpoint *b = dbg_bp_find(l, id);
    if (!b) return false;
    size_t i = (size_t)(b - l->bp);
    for (; i + 1 < l->count; i++)
        l->bp[i] = l->bp[i + 1];
    l->count--;
    return true;
}

void dbg_bp_clear(DbgBreakpoints *l) {
    l->count = 0;
}

void dbg_bp_free(DbgBreakpoints *l) {
    free(l->bp);
    *l = (DbgBreakpoints){0};
}

static void describe_reasons(const DbgBreakpoint *b, FILE *out) {
    if (!b->reason_count) fputs(" (any reason)", out);
    for (unsigned i = 0; i < b->reason_count; i++) {
        const char *sym = dbg_exit_reason_symbol(b->reasons[i]);
        fprintf(out, "%s %s (%u)", i ? "," : "", sym ? sym : "reason", b->reasons[i]);
    }
}

static const char *field_name(int f) {
    return f < 0 ? "(any field)" : vmcs_field_info[f].name;
}

void dbg_bp_describe(const DbgBreakpoint *b, const DbgSymbols *syms, FILE *out) {
    static const char *const access[] = {"", "r", "w", "rw"};
    switch (b->kind) {
    case BP_CODE:
        fputs("break ", out);
        dbg_print_location(syms, b->addr, out);
        break;
    case BP_WATCH:
        fputs("watch ", out);
        dbg_print_location(syms, b->addr, out);
        fprintf(out, " len %u %s", b->len, access[b->access & 3]);
        break;
    case BP_VMENTRY:
        fputs("vmentry", out);
        break;
    case BP_VMEXIT:
        fputs("vmexit", out);
        describe_reasons(b, out);
        break;
    case BP_ENTRY_FAIL:
        fputs("entry-fail", out);
        break;
    case BP_VMWRITE:
        fprintf(out, "vmwrite %s", field_name(b->field));
        break;
    case BP_VMREAD:
        fprintf(out, "vmread %s", field_name(b->field));
        break;
    case BP_EXCEPTION:
        if (b->vector < 0)
            fputs("exception (any vector)", out);
        else
            fprintf(out, "exception %s (%d)", dbg_exception_name((unsigned)b->vector), b->vector);
        break;
    }
}

void dbg_bp_list(const DbgBreakpoints *l, const DbgSymbols *syms, FILE *out) {
    if (!l->count) fputs("No breakpoints.\n", out);
    for (size_t i = 0; i < l->count; i++) {
        fprintf(out, "%-3u ", l->bp[i].id);
        dbg_bp_describe(&l->bp[i], syms, out);
        fprintf(out, ", hits %" PRIu64 "\n", l->bp[i].hits);
    }
}

/* SDM 24.9.1: bits 15:0 of the exit reason are the basic exit reason; a
 * VM-entry failure (bit 31) is reported with reason 33, 34 or 41. */
static bool reason_matches(const DbgBreakpoint *b, uint32_t exit_reason) {
    if (!b->reason_count) return true;
    for (unsigned i = 0; i < b->reason_count; i++) {
        if (b->reasons[i] == (exit_reason & 0xffff)) return true;
    }
    return false;
}

static bool vmx_matches(const DbgBreakpoint *b, const VmxTrace *t) {
    bool exit_fail =
        t->kind == VMX_TRACE_ENTRY_FAIL && (t->exit_reason & EXIT_REASON_ENTRY_FAILURE_BIT);
    switch (b->kind) {
    case BP_VMENTRY:
        return t->kind == VMX_TRACE_ENTRY;
    case BP_VMEXIT:
        return (t->kind == VMX_TRACE_EXIT || exit_fail) && reason_matches(b, t->exit_reason);
    case BP_ENTRY_FAIL:
        return t->kind == VMX_TRACE_ENTRY_FAIL;
    case BP_VMWRITE:
        return t->kind == VMX_TRACE_VMWRITE && (b->field < 0 || b->field == t->field);
    case BP_VMREAD:
        return t->kind == VMX_TRACE_VMREAD && (b->field < 0 || b->field == t->field);
    default:
        return false;
    }
}

DbgBreakpoint *dbg_bp_match_vmx(DbgBreakpoints *l, const VmxTrace *t) {
    for (size_t i = 0; i < l->count; i++) {
        if (vmx_matches(&l->bp[i], t)) return &l->bp[i];
    }
    return NULL;
}

DbgBreakpoint *dbg_bp_match_code(DbgBreakpoints *l, const CpuState *cpu) {
    uint64_t lin = cpu_seg_linear_unchecked(cpu, SEG_CS, cpu->RIP), pa = 0;
    bool have_pa = false, tried = false;
    for (size_t i = 0; i < l->count; i++) {
        DbgBreakpoint *b = &l->bp[i];
        if (b->kind != BP_CODE) continue;
        if (!b->addr.phys && b->addr.addr == lin) return b;
        if (b->addr.phys && !tried) {
            tried = true;
            have_pa = dbg_translate(cpu, lin, &pa);
        }
        if (b->addr.phys && have_pa && b->addr.addr == pa) return b;
    }
    return NULL;
}

bool dbg_bp_need_steps(const DbgBreakpoints *l) {
    for (size_t i = 0; i < l->count; i++) {
        DbgBpKind k = l->bp[i].kind;
        if (k == BP_CODE || k == BP_WATCH || k == BP_VMWRITE || k == BP_VMREAD) return true;
    }
    return false;
}

uint32_t dbg_bp_exception_mask(const DbgBreakpoints *l) {
    uint32_t mask = 0;
    for (size_t i = 0; i < l->count; i++) {
        const DbgBreakpoint *b = &l->bp[i];
        if (b->kind == BP_EXCEPTION)
            mask |= b->vector < 0 ? ~UINT32_C(0) : UINT32_C(1) << b->vector;
    }
    return mask;
}
