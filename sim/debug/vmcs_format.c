/* VMCS field values as text (vmcs_format.h). */
#include "sim/debug/vmcs_format.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "sim/debug/dbg_names.h"
#include "sim/debug/dbg_text.h"
#include "sim/vmx/vmx_tables.h"

/* SDM Vol. 3A 2.5 "Control Registers", Figure 2-7. */
static const char *const cr0_bits[64] = {
    [0] = "PE",  [1] = "MP",  [2] = "EM",  [3] = "TS",  [4] = "ET",  [5] = "NE",
    [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};
static const char *const cr4_bits[64] = {
    [0] = "VME",         [1] = "PVI",    [2] = "TSD",      [3] = "DE",    [4] = "PSE",
    [5] = "PAE",         [6] = "MCE",    [7] = "PGE",      [8] = "PCE",   [9] = "OSFXSR",
    [10] = "OSXMMEXCPT", [11] = "UMIP",  [12] = "LA57",    [13] = "VMXE", [14] = "SMXE",
    [16] = "FSGSBASE",   [17] = "PCIDE", [18] = "OSXSAVE", [19] = "KL",   [20] = "SMEP",
    [21] = "SMAP",       [22] = "PKE",   [23] = "CET",     [24] = "PKS",
};
/* SDM Vol. 1 3.4.3 "EFLAGS Register" (IOPL, bits 13:12, is printed apart). */
static const char *const rflags_bits[64] = {
    [0] = "CF",  [2] = "PF",   [4] = "AF",   [6] = "ZF",  [7] = "SF",  [8] = "TF",
    [9] = "IF",  [10] = "DF",  [11] = "OF",  [14] = "NT", [16] = "RF", [17] = "VM",
    [18] = "AC", [19] = "VIF", [20] = "VIP", [21] = "ID",
};
/* SDM Vol. 3A 2.2.1 "Extended Feature Enable Register". */
static const char *const efer_bits[64] = {[0] = "SCE", [8] = "LME", [10] = "LMA", [11] = "NXE"};
/* SDM 24.4.2 "Guest Non-Register State", interruptibility state. */
static const char *const blocking_bits[64] = {
    [0] = "blocking by STI", [1] = "blocking by MOV SS",   [2] = "blocking by SMI",
    [3] = "blocking by NMI", [4] = "enclave interruption",
};
/* SDM 24.4.2, pending debug exceptions. */
static const char *const pending_db_bits[64] = {
    [0] = "B0",  [1] = "B1",   [2] = "B2", [3] = "B3", [12] = "enabled breakpoint",
    [14] = "BS", [16] = "RTM",
};
/* SDM 24.4.2 "Guest Non-Register State": activity state. */
static const char *const activity_names[] = {"active", "HLT", "shutdown", "wait-for-SIPI"};
/* SDM 24.8.3 / 24.9.2: interruption type, bits 10:8. */
static const char *const event_types[8] = {
    "external interrupt", "reserved type 1",    "NMI",
    "hardware exception", "software interrupt", "privileged software exception",
    "software exception", "other event",
};

static const struct {
    int field;
    VmxGroup group;
} control_fields[] = {
    {VMCS_PIN_BASED_CONTROLS, VMX_GROUP_PIN},
    {VMCS_PROC_BASED_CONTROLS, VMX_GROUP_PROC},
    {VMCS_SECONDARY_PROC_BASED_CONTROLS, VMX_GROUP_PROC2},
    {VMCS_TERTIARY_PROC_BASED_CONTROLS, VMX_GROUP_PROC3},
    {VMCS_EXIT_CONTROLS, VMX_GROUP_EXIT},
    {VMCS_ENTRY_CONTROLS, VMX_GROUP_ENTRY},
};

int dbg_vmcs_control_group(int f) {
    for (size_t i = 0; i < SIM_ARRAY_SIZE(control_fields); i++) {
        if (control_fields[i].field == f) return (int)control_fields[i].group;
    }
    return -1;
}

static void decode_controls(DbgText *t, VmxGroup g, uint64_t v) {
    const char *names[64] = {0};
    for (unsigned i = 0; i < VMXC_COUNT; i++) {
        if (vmx_control_info[i].group == g)
            names[vmx_control_info[i].bit] = vmx_control_info[i].name;
    }
    dbg_text_bits(t, v, names);
}

static void decode_type(DbgText *t, unsigned ar) {
    unsigned type = ar & AR_TYPE_MASK;
    if (!(ar & AR_S)) {
        static const char *const sys[16] = {[1] = "16-bit TSS (available)",
                                            [2] = "LDT",
                                            [3] = "16-bit TSS (busy)",
                                            [9] = "TSS (available)",
                                            [11] = "TSS (busy)"};
        dbg_text_add(t, "type %u (%s)", type, sys[type] ? sys[type] : "system");
    } else if (type & AR_TYPE_CODE) {
        dbg_text_add(t, "type %u (code%s%s%s)", type, (type & 2) ? ", readable" : "",
                     (type & 4) ? ", conforming" : "", (type & 1) ? ", accessed" : "");
    } else {
        dbg_text_add(t, "type %u (data%s%s%s)", type, (type & 2) ? ", writable" : "",
                     (type & 4) ? ", expand-down" : "", (type & 1) ? ", accessed" : "");
    }
}

/* SDM 24.4.1 Table 24-2 "Format of Access Rights". */
static void decode_access_rights(DbgText *t, uint64_t v) {
    unsigned ar = (unsigned)v;
    if (ar & AR_UNUSABLE) {
        dbg_text_add(t, "unusable");
        return;
    }
    decode_type(t, ar);
    dbg_text_add(t, ", S=%u DPL=%u P=%u AVL=%u L=%u D/B=%u G=%u", (ar >> 4) & 1, (ar >> 5) & 3,
                 (ar >> 7) & 1, (ar >> 12) & 1, (ar >> 13) & 1, (ar >> 14) & 1, (ar >> 15) & 1);
    if (ar & 0xfffe0f00u) dbg_text_add(t, ", reserved bits 0x%x", ar & 0xfffe0f00u);
}

/* SDM 24.8.3 / 24.9.2: vector 7:0, type 10:8, error code 11, NMI unblocking 12, valid 31. */
static void decode_event(DbgText *t, uint64_t v) {
    if (!(v >> 31)) {
        dbg_text_add(t, "not valid");
        return;
    }
    unsigned vector = v & 0xff, type = (v >> 8) & 7;
    bool exception = type == 3 || type == 5 || type == 6;
    dbg_text_add(t, "valid, %s, vector %u", event_types[type], vector);
    if (exception || type == 2)
        dbg_text_add(t, " (%s)", type == 2 ? "NMI" : dbg_exception_name(vector));
    if ((v >> 11) & 1) dbg_text_add(t, ", error code delivered");
    if ((v >> 12) & 1) dbg_text_add(t, ", NMI unblocking due to IRET");
}

/* SDM 24.9.1 "Basic VM-Exit Information", exit reason. */
static void decode_exit_reason(DbgText *t, uint64_t v) {
    unsigned basic = v & 0xffff;
    const char *sym = dbg_exit_reason_symbol(basic);
    const char *text = vmx_exit_reason_name(basic);
    dbg_text_add(t, "%s%s (%u): %s", (v >> 31) & 1 ? "VM-entry failure, " : "", sym ? sym : "?",
                 basic, text ? text : "no such exit reason");
}

static void decode_exception_bitmap(DbgText *t, uint64_t v) {
    const char *sep = "";
    if ((uint32_t)v == 0xffffffffu) {
        dbg_text_add(t, "every vector");
        return;
    }
    for (unsigned i = 0; i < 32; i++) {
        const char *name = dbg_exception_name(i);
        if (!((v >> i) & 1)) continue;
        if (name[0] == '#' || strcmp(name, "NMI") == 0)
            dbg_text_add(t, "%s%s", sep, name);
        else
            dbg_text_add(t, "%svector %u", sep, i);
        sep = ", ";
    }
}

static void decode_rflags(DbgText *t, uint64_t v) {
    dbg_text_bits(t, v & ~(uint64_t)RFLAGS_IOPL, rflags_bits);
    if (v & RFLAGS_IOPL) dbg_text_add(t, ", IOPL=%u", (unsigned)((v >> 12) & 3));
}

void dbg_decode_bits(DbgBits kind, uint64_t v, char *buf, size_t len) {
    DbgText t = dbg_text(buf, len);
    switch (kind) {
    case DBG_BITS_CR0:
        dbg_text_bits(&t, v, cr0_bits);
        break;
    case DBG_BITS_CR4:
        dbg_text_bits(&t, v, cr4_bits);
        break;
    case DBG_BITS_EFER:
        dbg_text_bits(&t, v, efer_bits);
        break;
    case DBG_BITS_RFLAGS:
        decode_rflags(&t, v);
        break;
    case DBG_BITS_AR:
        decode_access_rights(&t, v);
        break;
    }
}

static bool named(int f, const char *a, const char *b) {
    const char *n = vmcs_field_info[f].name;
    return strcmp(n, a) == 0 || (b && strcmp(n, b) == 0);
}

/* Fields whose decoding depends on the name alone: false for the others. */
static bool decode_by_name(int f, uint64_t v, char *buf, size_t len) {
    const char *n = vmcs_field_info[f].name;
    size_t l = strlen(n);
    if (l > 14 && strcmp(n + l - 14, "_ACCESS_RIGHTS") == 0)
        dbg_decode_bits(DBG_BITS_AR, v, buf, len);
    else if (named(f, "GUEST_CR0", "HOST_CR0") ||
             named(f, "CR0_GUEST_HOST_MASK", "CR0_READ_SHADOW"))
        dbg_decode_bits(DBG_BITS_CR0, v, buf, len);
    else if (named(f, "GUEST_CR4", "HOST_CR4") ||
             named(f, "CR4_GUEST_HOST_MASK", "CR4_READ_SHADOW"))
        dbg_decode_bits(DBG_BITS_CR4, v, buf, len);
    else if (named(f, "GUEST_IA32_EFER", "HOST_IA32_EFER"))
        dbg_decode_bits(DBG_BITS_EFER, v, buf, len);
    else if (named(f, "GUEST_RFLAGS", NULL))
        dbg_decode_bits(DBG_BITS_RFLAGS, v, buf, len);
    else
        return false;
    return true;
}

void dbg_vmcs_decode(const uint64_t *fields, int f, uint64_t v, char *buf, size_t len) {
    DbgText t = dbg_text(buf, len);
    int group = dbg_vmcs_control_group(f);
    unsigned reason = (unsigned)fields[VMCS_EXIT_REASON] & 0xffff;
    if (group >= 0)
        decode_controls(&t, (VmxGroup)group, v);
    else if (decode_by_name(f, v, buf, len))
        return;
    else if (f == VMCS_EXIT_REASON)
        decode_exit_reason(&t, v);
    else if (f == VMCS_VM_INSTRUCTION_ERROR && v)
        dbg_text_add(&t, "%s",
                     vmx_insn_error_name((unsigned)v) ? vmx_insn_error_name((unsigned)v) : "?");
    else if (f == VMCS_ENTRY_INTERRUPTION_INFO || f == VMCS_EXIT_INTERRUPTION_INFO ||
             f == VMCS_IDT_VECTORING_INFO)
        decode_event(&t, v);
    else if (f == VMCS_EXCEPTION_BITMAP)
        decode_exception_bitmap(&t, v);
    else if (f == VMCS_GUEST_INTERRUPTIBILITY_STATE)
        dbg_text_bits(&t, v, blocking_bits);
    else if (f == VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS)
        dbg_text_bits(&t, v, pending_db_bits);
    else if (f == VMCS_GUEST_ACTIVITY_STATE)
        dbg_text_add(&t, "%s", v < 4 ? activity_names[v] : "reserved");
    else if (f == VMCS_EXIT_QUALIFICATION)
        dbg_exit_qualification(reason, v, buf, len);
    else if (f == VMCS_EXIT_INSTRUCTION_INFO)
        dbg_exit_insn_info(reason, fields[VMCS_EXIT_QUALIFICATION], v, buf, len);
}

void dbg_vmcs_print_field(const uint64_t *fields, int f, uint64_t value, FILE *out) {
    static const int digits[] = {
        [VMCS_WIDTH_W16] = 4, [VMCS_WIDTH_W64] = 16, [VMCS_WIDTH_W32] = 8, [VMCS_WIDTH_WNAT] = 16};
    char text[512];
    const VmcsFieldInfo *i = &vmcs_field_info[f];
    dbg_vmcs_decode(fields, f, value, text, sizeof(text));
    fprintf(out, "  %-36s 0x%04x  0x%0*" PRIx64 "%s%s%s\n", i->name, i->encoding, digits[i->width],
            value, text[0] ? "  [" : "", text, text[0] ? "]" : "");
}

/* --- groups --- */

static bool is_type(int f, VmcsType type) {
    return vmcs_field_info[f].type == type;
}
static bool in_control(int f) {
    return is_type(f, VMCS_TYPE_CTRL);
}
static bool in_exec(int f) {
    return in_control(f) && entry_check_field_class[f] == CK_EXEC;
}
static bool in_exit_ctl(int f) {
    return entry_check_field_class[f] == CK_EXIT;
}
static bool in_entry_ctl(int f) {
    return entry_check_field_class[f] == CK_ENTRY;
}
static bool in_exit_info(int f) {
    return is_type(f, VMCS_TYPE_RO);
}
static bool in_guest(int f) {
    return is_type(f, VMCS_TYPE_GUEST);
}
static bool in_host(int f) {
    return is_type(f, VMCS_TYPE_HOST);
}

const DbgVmcsGroup dbg_vmcs_groups[] = {
    {"control", "VMX control fields (SDM 24.6-24.8)", in_control},
    {"exec", "VM-execution control fields (SDM 24.6)", in_exec},
    {"exit-controls", "VM-exit control fields (SDM 24.7)", in_exit_ctl},
    {"entry-controls", "VM-entry control fields (SDM 24.8)", in_entry_ctl},
    {"exit-info", "VM-exit information fields (SDM 24.9)", in_exit_info},
    {"guest", "guest-state area (SDM 24.4)", in_guest},
    {"host", "host-state area (SDM 24.5)", in_host},
    {NULL, NULL, NULL},
};

const DbgVmcsGroup *dbg_vmcs_group_find(const char *name) {
    for (const DbgVmcsGroup *g = dbg_vmcs_groups; g->name; g++) {
        if (strcasecmp(g->name, name) == 0) return g;
    }
    return NULL;
}
