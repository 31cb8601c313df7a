/* Names the debugger prints and parses (dbg_names.h). */
#include "sim/debug/dbg_names.h"

#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include "sim/vmx/vmcs.h"

const char *const dbg_gpr_name[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                      "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
const char *const dbg_seg_name[8] = {"es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr"};

bool dbg_parse_u64(const char *s, uint64_t *out) {
    char *end;
    if (!s || !*s || *s == '-') return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) return false;
    *out = v;
    return true;
}

static const struct {
    const char *symbol;
    unsigned number;
} exit_reasons[] = {
#define X(name, number, text) {#name, number},
#include "sim/vmx/exit_reasons.def"
#undef X
};

const char *dbg_exit_reason_symbol(unsigned reason) {
    for (size_t i = 0; i < sizeof(exit_reasons) / sizeof(exit_reasons[0]); i++) {
        if (exit_reasons[i].number == reason) return exit_reasons[i].symbol;
    }
    return NULL;
}

int dbg_exit_reason_parse(const char *s) {
    uint64_t n;
    if (dbg_parse_u64(s, &n)) return n <= 0xffff ? (int)n : -1;
    if (strncasecmp(s, "EXIT_REASON_", 12) == 0) s += 12;
    for (size_t i = 0; i < sizeof(exit_reasons) / sizeof(exit_reasons[0]); i++) {
        if (strcasecmp(exit_reasons[i].symbol, s) == 0) return (int)exit_reasons[i].number;
    }
    return -1;
}

static int field_by_name(const char *s) {
    for (int f = 0; f < VMCS_FIELD_COUNT; f++) {
        if (strcasecmp(vmcs_field_info[f].name, s) == 0) return f;
    }
    return -1;
}

int dbg_vmcs_field_parse(const char *s) {
    uint64_t n;
    bool high;
    if (dbg_parse_u64(s, &n)) {
        int f = vmcs_field_lookup(n, &high);
        return high ? -1 : f;
    }
    int f = field_by_name(s);
    if (f < 0 && strncasecmp(s, "VMCS_", 5) == 0) f = field_by_name(s + 5);
    return f;
}

/* SDM 6.3.1 Table 6-1 "Protected-Mode Exceptions and Interrupts". */
static const char *const exception_names[32] = {
    [0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",  [4] = "#OF",
    [5] = "#BR",  [6] = "#UD",  [7] = "#NM",  [8] = "#DF",  [10] = "#TS",
    [11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF",
    [17] = "#AC", [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP",
};

const char *dbg_exception_name(unsigned vector) {
    return vector < 32 && exception_names[vector] ? exception_names[vector] : "vector";
}

int dbg_exception_parse(const char *s) {
    uint64_t n;
    if (dbg_parse_u64(s, &n)) return n < 32 ? (int)n : -1;
    for (int v = 0; v < 32; v++) {
        const char *name = exception_names[v];
        if (name && (strcasecmp(name, s) == 0 || (name[0] == '#' && strcasecmp(name + 1, s) == 0)))
            return v;
    }
    return -1;
}
