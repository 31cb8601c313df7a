/* vmcs, trace (commands.h). */
#include <inttypes.h>
#include <string.h>

#include "sim/debug/commands.h"
#include "sim/debug/dbg_names.h"
#include "sim/debug/vmcs_format.h"
#include "sim/vmx/vmx_state.h"

/* The current VMCS, or NULL after an error message. */
static const VmxCpu *current(Debugger *d, FILE *out) {
    const VmxCpu *v = d->m->cpu.vmx;
    if (!v) {
        (void)dbg_cmd_error(out, "the CPU model has no VMX");
        return NULL;
    }
    if (v->current_vmcs == VMCS_POINTER_INVALID) {
        (void)dbg_cmd_error(out, "no current VMCS");
        return NULL;
    }
    return v;
}

static void print_group(const VmxCpu *v, const DbgVmcsGroup *g, FILE *out) {
    fprintf(out, "%s:\n", g->title);
    for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
        if (g->member(f) && v->caps.field_exists[f])
            dbg_vmcs_print_field(v->field, f, v->field[f], out);
    }
}

static void print_all(const VmxCpu *v, FILE *out) {
    static const char *const parts[] = {"control", "exit-info", "guest", "host"};
    fprintf(out, "VMCS 0x%" PRIx64 " (%s)\n", v->current_vmcs, v->launched ? "launched" : "clear");
    for (size_t i = 0; i < SIM_ARRAY_SIZE(parts); i++)
        print_group(v, dbg_vmcs_group_find(parts[i]), out);
}

static DbgCmdResult diff(Debugger *d, const VmxCpu *v, bool user, FILE *out) {
    bool have = user ? d->have_user_snap : d->have_entry_snap;
    const uint64_t *snap = user ? d->user_snap : d->entry_snap;
    uint64_t vmcs = user ? d->user_snap_vmcs : d->entry_snap_vmcs;
    if (!have)
        return dbg_cmd_error(out, "%s",
                             user ? "no snapshot (vmcs snapshot saves one)" : "no VM entry yet");
    fprintf(out, "Changed since %s (VMCS 0x%" PRIx64 "):\n",
            user ? "the snapshot" : "the last VM entry", vmcs);
    if (vmcs != v->current_vmcs)
        fprintf(out, "  (the current VMCS is another one: 0x%" PRIx64 ")\n", v->current_vmcs);
    unsigned n = 0;
    for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
        if (snap[f] == v->field[f]) continue;
        n++;
        fprintf(out, "  %-36s 0x%" PRIx64 " -> 0x%" PRIx64 "\n", vmcs_field_info[f].name, snap[f],
                v->field[f]);
    }
    fprintf(out, "%u field%s changed\n", n, n == 1 ? "" : "s");
    return DBG_CMD_OK;
}

static DbgCmdResult snapshot(Debugger *d, const VmxCpu *v, FILE *out) {
    memcpy(d->user_snap, v->field, sizeof(d->user_snap));
    d->user_snap_vmcs = v->current_vmcs;
    d->have_user_snap = true;
    fprintf(out, "Saved a snapshot of VMCS 0x%" PRIx64 "\n", v->current_vmcs);
    return DBG_CMD_OK;
}

static DbgCmdResult history(Debugger *d, int argc, char **argv, FILE *out) {
    int f = argc > 2 ? dbg_vmcs_field_parse(argv[2]) : -1;
    if (f < 0)
        return dbg_cmd_error(out,
                             "usage: vmcs history FIELD (a name like GUEST_RIP, or an encoding)");
    dbg_history_print(&d->history, f, &d->syms, out);
    return DBG_CMD_OK;
}

DbgCmdResult dbg_cmd_vmcs(Debugger *d, int argc, char **argv, FILE *out) {
    if (argc > 1 && strcmp(argv[1], "history") == 0)
        return history(d, argc, argv, out); /* also without a current VMCS */
    const VmxCpu *v = current(d, out);
    if (!v) return DBG_CMD_ERROR;
    if (argc == 1) {
        print_all(v, out);
        return DBG_CMD_OK;
    }
    if (strcmp(argv[1], "diff") == 0)
        return diff(d, v, argc > 2 && strcmp(argv[2], "snapshot") == 0, out);
    if (strcmp(argv[1], "snapshot") == 0) return snapshot(d, v, out);
    const DbgVmcsGroup *g = dbg_vmcs_group_find(argv[1]);
    int f = g ? -1 : dbg_vmcs_field_parse(argv[1]);
    if (g)
        print_group(v, g, out);
    else if (f >= 0)
        dbg_vmcs_print_field(v->field, f, v->field[f], out);
    else
        return dbg_cmd_error(out, "no VMCS field or group '%s'", argv[1]);
    return DBG_CMD_OK;
}

DbgCmdResult dbg_cmd_trace(Debugger *d, int argc, char **argv, FILE *out) {
    if (argc != 2 || (strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0))
        return dbg_cmd_error(out, "usage: trace on|off");
    d->trace_on = strcmp(argv[1], "on") == 0;
    fprintf(out, "VMX trace %s\n", d->trace_on ? "on" : "off");
    return DBG_CMD_OK;
}
