/* Values and addresses in commands (expr.h). */
#include "sim/debug/expr.h"

#include <string.h>
#include <strings.h>

#include "sim/cpu/flags.h"
#include "sim/debug/dbg_names.h"

static bool register_value(const CpuState *cpu, const char *name, uint64_t *out) {
    for (unsigned i = 0; i < 16; i++) {
        if (strcasecmp(name, dbg_gpr_name[i]) == 0) {
            *out = cpu->gpr[i];
            return true;
        }
    }
    static const char *const other[] = {"rip", "rflags", "cr0", "cr2", "cr3", "cr4"};
    const uint64_t values[] = {cpu->RIP, cpu_get_rflags(cpu), cpu->cr0, cpu->cr2, cpu->cr3,
                               cpu->cr4};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(other); i++) {
        if (strcasecmp(name, other[i]) == 0) {
            *out = values[i];
            return true;
        }
    }
    return false;
}

static bool term(const Debugger *d, const char *s, uint64_t *out) {
    if (s[0] == '$') return register_value(&d->m->cpu, s + 1, out);
    return dbg_parse_u64(s, out) || dbg_symbols_find(&d->syms, s, out);
}

bool dbg_parse_value(const Debugger *d, const char *s, uint64_t *out) {
    char buf[128];
    if (strlen(s) >= sizeof(buf)) return false;
    strcpy(buf, s);
    char *op = strpbrk(buf + 1, "+-");
    uint64_t offset = 0;
    char sign = op ? *op : '+';
    if (op) {
        *op = '\0';
        if (!dbg_parse_u64(op + 1, &offset)) return false;
    }
    if (!term(d, buf, out)) return false;
    *out = sign == '+' ? *out + offset : *out - offset;
    return true;
}

bool dbg_parse_addr(const Debugger *d, const char *s, DbgAddr *out) {
    out->phys = strncasecmp(s, "g:", 2) == 0;
    return dbg_parse_value(d, out->phys ? s + 2 : s, &out->addr);
}
