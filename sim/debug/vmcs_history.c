/* The VMWRITE history (vmcs_history.h). */
#include "sim/debug/vmcs_history.h"

#include <inttypes.h>
#include <stdlib.h>

#include "sim/debug/disas.h"
#include "sim/vmx/vmx_state.h"

bool dbg_history_init(VmcsHistory *h) {
    *h = (VmcsHistory){0};
    h->ring = calloc(VMCS_FIELD_COUNT, sizeof(*h->ring));
    return h->ring != NULL;
}

void dbg_history_free(VmcsHistory *h) {
    free(h->ring);
    h->ring = NULL;
}

void dbg_history_record(VmcsHistory *h, const CpuState *cpu, const VmxTrace *t) {
    if (t->field < 0 || t->field >= VMCS_FIELD_COUNT) return;
    uint64_t n = h->total[t->field]++;
    h->ring[t->field][n % DBG_HISTORY_DEPTH] =
        (VmcsWrite){cpu->vmx->current_vmcs, t->old_value, t->new_value, t->guest_rip, cpu->insns};
}

void dbg_history_print(const VmcsHistory *h, int field, const DbgSymbols *syms, FILE *out) {
    uint64_t total = h->total[field];
    uint64_t first = total > DBG_HISTORY_DEPTH ? total - DBG_HISTORY_DEPTH : 0;
    fprintf(out, "%s (encoding 0x%04x): %" PRIu64 " VMWRITE%s\n", vmcs_field_info[field].name,
            vmcs_field_info[field].encoding, total, total == 1 ? "" : "s");
    if (first) fprintf(out, "  (the first %" PRIu64 " are no longer kept)\n", first);
    for (uint64_t i = first; i < total; i++) {
        const VmcsWrite *e = &h->ring[field][i % DBG_HISTORY_DEPTH];
        fprintf(out,
                "  #%" PRIu64 " insn %" PRIu64 " vmcs 0x%" PRIx64 ": 0x%" PRIx64 " -> 0x%" PRIx64
                " by ",
                i + 1, e->insns, e->vmcs, e->old_value, e->new_value);
        dbg_print_location(syms, (DbgAddr){e->rip, false}, out);
        fputc('\n', out);
    }
}
