/* regs, where, x, disas (commands.h). */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cpu/access.h"
#include "sim/cpu/flags.h"
#include "sim/debug/commands.h"
#include "sim/debug/dbg_names.h"
#include "sim/debug/disas.h"
#include "sim/debug/expr.h"
#include "sim/debug/vmcs_format.h"
#include "sim/vmx/vmx_state.h"

static void print_bits(const char *name, uint64_t v, DbgBits kind, FILE *out) {
    char text[256];
    dbg_decode_bits(kind, v, text, sizeof(text));
    fprintf(out, "%-7s 0x%016" PRIx64 "  [%s]\n", name, v, text);
}

static void print_segments(const CpuState *cpu, FILE *out) {
    for (unsigned i = 0; i < SEG_COUNT; i++) {
        const Segment *s = &cpu->seg[i];
        char text[256];
        dbg_decode_bits(DBG_BITS_AR, s->ar, text, sizeof(text));
        fprintf(out, "%-4s 0x%04x base 0x%016" PRIx64 " limit 0x%08x ar 0x%05x [%s]\n",
                dbg_seg_name[i], s->selector, s->base, s->limit, s->ar, text);
    }
    fprintf(out, "gdtr base 0x%016" PRIx64 " limit 0x%04x\n", cpu->gdtr.base, cpu->gdtr.limit);
    fprintf(out, "idtr base 0x%016" PRIx64 " limit 0x%04x\n", cpu->idtr.base, cpu->idtr.limit);
}

/* Stored MSRs (no RDMSR: reading one must not raise #GP in the guest). */
static void print_msrs(const CpuState *cpu, FILE *out) {
    static const struct {
        const char *name;
        unsigned slot;
    } msrs[] = {
        {"IA32_STAR", MSR_SLOT_IA32_STAR},
        {"IA32_LSTAR", MSR_SLOT_IA32_LSTAR},
        {"IA32_CSTAR", MSR_SLOT_IA32_CSTAR},
        {"IA32_FMASK", MSR_SLOT_IA32_FMASK},
        {"IA32_KERNEL_GS_BASE", MSR_SLOT_IA32_KERNEL_GS_BASE},
        {"IA32_SYSENTER_CS", MSR_SLOT_IA32_SYSENTER_CS},
        {"IA32_SYSENTER_ESP", MSR_SLOT_IA32_SYSENTER_ESP},
        {"IA32_SYSENTER_EIP", MSR_SLOT_IA32_SYSENTER_EIP},
        {"IA32_PAT", MSR_SLOT_IA32_PAT},
        {"IA32_DEBUGCTL", MSR_SLOT_IA32_DEBUGCTL},
        {"IA32_FEATURE_CONTROL", MSR_SLOT_IA32_FEATURE_CONTROL},
    };
    for (size_t i = 0; i < SIM_ARRAY_SIZE(msrs); i++)
        fprintf(out, "%-20s 0x%016" PRIx64 "\n", msrs[i].name, cpu->msr[msrs[i].slot]);
    fprintf(out, "%-20s 0x%016" PRIx64 "\n", "IA32_TIME_STAMP_COUNTER",
            cpu->cycles + cpu->tsc_adjust);
}

DbgCmdResult dbg_cmd_regs(Debugger *d, int argc, char **argv, FILE *out) {
    const CpuState *cpu = &d->m->cpu;
    for (unsigned i = 0; i < 16; i++)
        fprintf(out, "%-3s 0x%016" PRIx64 "%s", dbg_gpr_name[i], cpu->gpr[i],
                i % 4 == 3 ? "\n" : "  ");
    fputs("rip     ", out);
    dbg_print_location(&d->syms, (DbgAddr){cpu->RIP, false}, out);
    fputc('\n', out);
    print_bits("rflags", cpu_get_rflags(cpu), DBG_BITS_RFLAGS, out);
    print_segments(cpu, out);
    print_bits("cr0", cpu->cr0, DBG_BITS_CR0, out);
    fprintf(out, "cr2     0x%016" PRIx64 "\ncr3     0x%016" PRIx64 "\n", cpu->cr2, cpu->cr3);
    print_bits("cr4", cpu->cr4, DBG_BITS_CR4, out);
    fprintf(out, "cr8     0x%016" PRIx64 "\nxcr0    0x%016" PRIx64 "\n", cpu->cr8, cpu->xcr0);
    print_bits("efer", cpu->efer, DBG_BITS_EFER, out);
    for (unsigned i = 0; i < 8; i++) {
        if (i != 4 && i != 5) /* DR4/DR5 alias DR6/DR7 (SDM 17.2.2) */
            fprintf(out, "dr%u 0x%016" PRIx64 "%s", i, cpu->dr[i], i == 3 || i == 7 ? "\n" : "  ");
    }
    print_msrs(cpu, out);
    return DBG_CMD_OK;
}

static const char *mode_name(CpuMode m) {
    static const char *const names[MODE_COUNT] = {
        [MODE_REAL] = "real-address mode",
        [MODE_V86] = "virtual-8086 mode",
        [MODE_PROT16] = "protected mode, 16-bit code",
        [MODE_PROT32] = "protected mode, 32-bit code",
        [MODE_COMPAT16] = "IA-32e compatibility mode, 16-bit code",
        [MODE_COMPAT32] = "IA-32e compatibility mode, 32-bit code",
        [MODE_LONG64] = "IA-32e 64-bit mode",
    };
    return names[m];
}

static void print_vmx(const CpuState *cpu, FILE *out) {
    static const char *const vmx_mode[] = {"outside VMX operation", "VMX root operation",
                                           "VMX non-root operation"};
    const VmxCpu *v = cpu->vmx;
    fprintf(out, "vmx:      %s\n", vmx_mode[cpu->vmx_mode]);
    if (!v || cpu->vmx_mode == VMX_MODE_OFF) return;
    fprintf(out, "vmxon:    0x%" PRIx64 "\n", v->vmxon_pointer);
    if (v->current_vmcs == VMCS_POINTER_INVALID)
        fputs("vmcs:     none (current-VMCS pointer FFFFFFFF_FFFFFFFFH)\n", out);
    else
        fprintf(out, "vmcs:     0x%" PRIx64 " (%s)\n", v->current_vmcs,
                v->launched ? "launched" : "clear");
    fprintf(out, "entries:  %" PRIu64 ", exits %" PRIu64 "\n", v->entries, v->exits);
}

DbgCmdResult dbg_cmd_where(Debugger *d, int argc, char **argv, FILE *out) {
    static const char *const activity[] = {"active", "HLT", "shutdown", "wait-for-SIPI"};
    const CpuState *cpu = &d->m->cpu;
    fprintf(out, "mode:     %s, CPL %u\n", mode_name(cpu->mode), cpu->cpl);
    print_vmx(cpu, out);
    fprintf(out, "activity: %s\n", activity[cpu->activity & 3]);
    fprintf(out, "count:    %" PRIu64 " instructions, %" PRIu64 " cycles\n", cpu->insns,
            cpu->cycles);
    fputs("at:       ", out);
    dbg_disas(cpu, &d->syms, (DbgAddr){cpu_seg_linear_unchecked(cpu, SEG_CS, cpu->RIP), false}, 1,
              out);
    return DBG_CMD_OK;
}

typedef struct ExamineFormat {
    unsigned count, size;
    char fmt;
} ExamineFormat;

/* "x/[N][FMT][SIZE]" (as GDB's x command). */
static bool parse_format(const char *word, ExamineFormat *f) {
    *f = (ExamineFormat){1, 4, 'x'};
    const char *p = strchr(word, '/');
    if (!p) return true;
    p++;
    if (isdigit((unsigned char)*p)) {
        unsigned long n = strtoul(p, (char **)&p, 10);
        if (n == 0 || n > 4096) return false;
        f->count = (unsigned)n;
    }
    for (; *p; p++) {
        if (strchr("xdusi", *p))
            f->fmt = *p;
        else if (strchr("bhwg", *p))
            f->size = *p == 'b' ? 1 : *p == 'h' ? 2 : *p == 'w' ? 4 : 8;
        else
            return false;
    }
    return true;
}

static void print_unit(uint64_t v, const ExamineFormat *f, FILE *out) {
    unsigned bits = f->size * 8;
    if (f->fmt == 'x')
        fprintf(out, " 0x%0*" PRIx64, (int)f->size * 2, v);
    else if (f->fmt == 'u')
        fprintf(out, " %" PRIu64, v);
    else
        fprintf(out, " %" PRId64,
                bits == 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits));
}

static DbgCmdResult examine_units(Debugger *d, DbgAddr a, const ExamineFormat *f, FILE *out) {
    unsigned per_line = f->size == 8 ? 2 : f->size == 4 ? 4 : 8;
    for (unsigned i = 0; i < f->count; i++) {
        uint64_t v = 0;
        DbgAddr at = {a.addr + (uint64_t)i * f->size, a.phys};
        if (i % per_line == 0) {
            dbg_print_location(&d->syms, at, out);
            fputc(':', out);
        }
        if (dbg_mem_read(&d->m->cpu, at, &v, f->size) != f->size) {
            fputs(" (cannot read: unmapped or not RAM)\n", out);
            return DBG_CMD_ERROR;
        }
        print_unit(v, f, out);
        if (i % per_line == per_line - 1 || i + 1 == f->count) fputc('\n', out);
    }
    return DBG_CMD_OK;
}

static void examine_string(Debugger *d, DbgAddr a, FILE *out) {
    char s[257];
    size_t n = dbg_mem_read(&d->m->cpu, a, s, sizeof(s) - 1);
    s[n] = '\0';
    dbg_print_location(&d->syms, a, out);
    fputs(": \"", out);
    for (size_t i = 0; i < n && s[i]; i++)
        fprintf(out, isprint((unsigned char)s[i]) ? "%c" : "\\x%02x", (unsigned char)s[i]);
    fputs("\"\n", out);
}

DbgCmdResult dbg_cmd_examine(Debugger *d, int argc, char **argv, FILE *out) {
    ExamineFormat f;
    DbgAddr a;
    if (!parse_format(argv[0], &f))
        return dbg_cmd_error(out, "bad format '%s': x/[N][x|d|u|s|i][b|h|w|g]", argv[0]);
    if (argc < 2 || !dbg_parse_addr(d, argv[1], &a)) return dbg_cmd_error(out, "usage: x/FMT ADDR");
    if (f.fmt == 'i')
        dbg_disas(&d->m->cpu, &d->syms, a, f.count, out);
    else if (f.fmt == 's')
        examine_string(d, a, out);
    else
        return examine_units(d, a, &f, out);
    return DBG_CMD_OK;
}

DbgCmdResult dbg_cmd_disas(Debugger *d, int argc, char **argv, FILE *out) {
    const CpuState *cpu = &d->m->cpu;
    DbgAddr a = {cpu_seg_linear_unchecked(cpu, SEG_CS, cpu->RIP), false};
    uint64_t n = 8;
    if (argc > 1 && !dbg_parse_addr(d, argv[1], &a))
        return dbg_cmd_error(out, "bad address '%s'", argv[1]);
    if (argc > 2 && (!dbg_parse_u64(argv[2], &n) || n == 0 || n > 4096))
        return dbg_cmd_error(out, "bad count '%s'", argv[2]);
    dbg_disas(cpu, &d->syms, a, (unsigned)n, out);
    return DBG_CMD_OK;
}
