/*
 * diff_test: differential testing of vmxsim against the host CPU
 * (docs/differential-testing.md).
 *
 *   diff_test [--seed N] [--cases N] [--soak] [--filter NAME[,NAME...]]
 *             [--skip NAME[,NAME...]] [--verbose] [--form F --case N] [--list-forms]
 * [--require-coverage]
 *
 * Prints a per-mnemonic table, the undefined-flag agreement rates, the
 * mnemonics vmxsim does not implement, and last the line "N passed, N failed".
 * Exits non-zero on any failure.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "forms.h"
#include "known_bugs.h"

#define MAX_PRINTED 50
#define DEFAULT_CASES 204000u
#define MAX_UD_EXAMPLES 3

typedef struct Options {
    uint64_t seed;
    uint64_t cases;
    const char *filter;
    const char *skip;
    bool verbose;
    bool list_forms;
    bool require_coverage;
    bool show_undefined;
    bool trace;
    long form;          /* --form: only this form */
    long long one_case; /* --case: only this case of --form */
} Options;

/* Per (mnemonic or undecodable form) x mode. */
typedef struct Stats {
    uint64_t cases, passed, failed, expected, ud_only, host_faults;
    uint64_t flag_bits, flag_agree;
    uint64_t results, results_agree;
} Stats;

typedef struct UdExample {
    DiffCase c;
    ZydisMnemonic mn;
    char why[160];
} UdExample;

#define MN_SLOTS (ZYDIS_MNEMONIC_MAX_VALUE + 1)

typedef struct Run {
    Options opt;
    ZydisDecoder dec64, dec32;
    Stats *stats; /* [MN_SLOTS * 2]: by mnemonic and mode */
    unsigned nslots;
    bool *in_table; /* [MN_SLOTS]: vmxsim's insn_table.def has it */
    bool *ran;      /* [MN_SLOTS]: vmxsim ran a case of it without #UD */
    bool *covered;  /* [MN_SLOTS]: some case decoded to it */
    UdExample *ud;  /* [MN_SLOTS * MAX_UD_EXAMPLES] */
    uint64_t passed, failed, expected, printed, shown_undefined;
    uint64_t known[32]; /* cases per known bug */
    DiffCase known_example[32];
    uint64_t known_n[32];
    uint64_t compat_upper, compat_upper_agree;
    DiffCase c;
    DiffResult host, sim;
} Run;

/* ---- the interpreter's own table: which mnemonics vmxsim implements ---- */

static void mark_table(Run *run) {
#define X(mnemonic, handler) run->in_table[ZYDIS_MNEMONIC_##mnemonic] = true;
#include "sim/cpu/insn_table.def"
#undef X
}

/* Implemented mnemonics that are not tested against the host, and why. */
static const struct {
    ZydisMnemonic mnemonic;
    const char *why;
} untested[] = {
    {ZYDIS_MNEMONIC_CPUID, "differs by design (vmxsim's CPU model)"},
    {ZYDIS_MNEMONIC_RDTSC, "differs by design (simulated clock)"},
    {ZYDIS_MNEMONIC_RDTSCP, "differs by design (simulated clock)"},
    {ZYDIS_MNEMONIC_RDRAND, "random"},
    {ZYDIS_MNEMONIC_RDSEED, "random"},
    {ZYDIS_MNEMONIC_INT, "needs an IDT (vmxsim delivers it)"},
    {ZYDIS_MNEMONIC_INT1, "needs an IDT"},
    {ZYDIS_MNEMONIC_INT3, "the host harness's own trap"},
    {ZYDIS_MNEMONIC_SYSCALL, "would enter the host kernel"},
    {ZYDIS_MNEMONIC_SYSENTER, "would enter the host kernel"},
    {ZYDIS_MNEMONIC_LFS, "would change the host's FS base (TLS)"},
    {ZYDIS_MNEMONIC_LGS, "would change the host's GS base"},
    {ZYDIS_MNEMONIC_SGDT, "UMIP: emulated by the host kernel"},
    {ZYDIS_MNEMONIC_SIDT, "UMIP: emulated by the host kernel"},
    {ZYDIS_MNEMONIC_SLDT, "UMIP: emulated by the host kernel"},
    {ZYDIS_MNEMONIC_SMSW, "UMIP: emulated by the host kernel"},
    {ZYDIS_MNEMONIC_STR, "UMIP: emulated by the host kernel"},
    {ZYDIS_MNEMONIC_WRPKRU, "would change the host's own protection-key rights"},
    {ZYDIS_MNEMONIC_XSAVE, "the host's XCR0 enables AVX/AVX-512 state"},
    {ZYDIS_MNEMONIC_XSAVE64, "the host's XCR0 enables AVX/AVX-512 state"},
    {ZYDIS_MNEMONIC_XRSTOR, "the host's XCR0 enables AVX/AVX-512 state"},
    {ZYDIS_MNEMONIC_XRSTOR64, "the host's XCR0 enables AVX/AVX-512 state"},
    {ZYDIS_MNEMONIC_UD0, "UD0's length differs between decoders"},
    {ZYDIS_MNEMONIC_JCXZ, "16-bit address size: not reachable from 64-bit or 32-bit code"},
    {ZYDIS_MNEMONIC_IRET, "16-bit operand size: the return address would be below 64 KiB"},
};

static const char *untested_why(ZydisMnemonic m) {
    for (unsigned i = 0; i < sizeof(untested) / sizeof(untested[0]); i++) {
        if (untested[i].mnemonic == m) return untested[i].why;
    }
    return NULL;
}

/* ---- options ---- */

static void usage(void) {
    fprintf(stderr, "usage: diff_test [--seed N] [--cases N] [--soak] [--filter NAME[,NAME]]\n"
                    "                 [--skip NAME[,NAME]]\n"
                    "                 [--verbose] [--form F --case N] [--list-forms]"
                    " [--require-coverage] [--show-undefined] [--trace]\n");
    exit(2);
}

static uint64_t number(const char *s) {
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (*s == 0 || *end != 0) usage();
    return v;
}

static void parse_options(int argc, char **argv, Options *o) {
    *o = (Options){.seed = 1, .cases = DEFAULT_CASES, .form = -1, .one_case = -1};
    bool soak = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "--seed") && more)
            o->seed = number(argv[++i]);
        else if (!strcmp(a, "--cases") && more)
            o->cases = number(argv[++i]);
        else if (!strcmp(a, "--soak"))
            soak = true;
        else if (!strcmp(a, "--filter") && more)
            o->filter = argv[++i];
        else if (!strcmp(a, "--skip") && more)
            o->skip = argv[++i];
        else if (!strcmp(a, "--verbose"))
            o->verbose = true;
        else if (!strcmp(a, "--form") && more)
            o->form = (long)number(argv[++i]);
        else if (!strcmp(a, "--case") && more)
            o->one_case = (long long)number(argv[++i]);
        else if (!strcmp(a, "--list-forms"))
            o->list_forms = true;
        else if (!strcmp(a, "--require-coverage"))
            o->require_coverage = true;
        else if (!strcmp(a, "--show-undefined"))
            o->show_undefined = true;
        else if (!strcmp(a, "--trace"))
            o->trace = true;
        else
            usage();
    }
    if (soak) o->cases *= 10;
}

/* Does `name` appear in the comma-separated filter (case-insensitive)? */
static bool filter_has(const char *filter, const char *name) {
    size_t n = strlen(name);
    for (const char *p = filter; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncasecmp(p, name, n) == 0) return true;
        if (!end) break;
        p = end + 1;
    }
    return false;
}

/* ---- stats ---- */

/* Bytes that do not decode (LOCK on a register operand, BCD or 82 in 64-bit
 * mode, VEX in compatibility mode...) share one row per mode: both worlds
 * must raise #UD. */
static Stats *slot(Run *run, ZydisMnemonic mn, unsigned form, bool compat) {
    (void)form;
    return &run->stats[2 * (unsigned)mn + compat];
}

static void slot_label(const Run *run, unsigned i, char *buf, size_t n) {
    unsigned k = i / 2;
    const char *mode = i & 1 ? " (compat)" : "";
    if (k == ZYDIS_MNEMONIC_INVALID)
        snprintf(buf, n, "(invalid encodings)%s", mode);
    else
        snprintf(buf, n, "%s%s", ZydisMnemonicGetString((ZydisMnemonic)k), mode);
}

static ZydisMnemonic decode_mnemonic(Run *run, const DiffCase *c) {
    ZydisDecodedInstruction zi;
    ZydisDecoderContext ctx;
    ZydisDecoder *d = c->compat ? &run->dec32 : &run->dec64;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(d, &ctx, c->bytes, c->len, &zi)))
        return ZYDIS_MNEMONIC_INVALID;
    return zi.mnemonic;
}

/* ---- printing a case ---- */

static void disassemble(const DiffCase *c, char *buf, size_t n) {
    ZydisDisassembledInstruction di;
    ZydisMachineMode mode =
        c->compat ? ZYDIS_MACHINE_MODE_LONG_COMPAT_32 : ZYDIS_MACHINE_MODE_LONG_64;
    uint64_t at = c->compat ? DIFF_INSN32 : DIFF_INSN64;
    if (ZYAN_SUCCESS(ZydisDisassembleIntel(mode, at, c->bytes, c->len, &di)))
        snprintf(buf, n, "%s", di.text);
    else
        snprintf(buf, n, "(invalid)");
}

static void print_regs(const char *who, const DiffRegs *r, int vector) {
    static const char *const names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    printf("    %-5s", who);
    for (unsigned i = 0; i < 16; i++)
        printf(" %s=%llx", names[i], (unsigned long long)r->gpr[i]);
    printf(" rflags=%llx rip=%llx mxcsr=%x fault=%s\n", (unsigned long long)r->rflags,
           (unsigned long long)r->rip, r->mxcsr, diff_vector_name(vector));
    printf("         ");
    for (unsigned i = 0; i < 16; i++)
        printf(" xmm%u=%016llx%016llx", i, (unsigned long long)r->xmm[i][1],
               (unsigned long long)r->xmm[i][0]);
    printf("\n");
}

static void print_case(Run *run, const char *what, const DiffCase *c, uint64_t n, const char *why,
                       bool full) {
    char text[128], hex[3 * DIFF_MAX_INSN + 1] = "";
    disassemble(c, text, sizeof(text));
    for (unsigned i = 0; i < c->len; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", c->bytes[i]);
    printf("%s %s[%s] %s| %s |%s (--seed %llu --form %u --case %llu)\n", what,
           diff_forms[c->form].name, c->compat ? "compat" : "64", hex, text, why,
           (unsigned long long)run->opt.seed, c->form, (unsigned long long)n);
    if (full) {
        print_regs("in", &c->in, DIFF_NO_FAULT);
        print_regs("host", &run->host.regs, run->host.vector);
        print_regs("sim", &run->sim.regs, run->sim.vector);
    }
}

/* ---- one case ---- */

static void record_ud(Run *run, ZydisMnemonic mn, const Verdict *v) {
    UdExample *ex = &run->ud[(unsigned)mn * MAX_UD_EXAMPLES];
    for (unsigned i = 0; i < MAX_UD_EXAMPLES; i++) {
        if (ex[i].c.len == 0) {
            ex[i].c = run->c;
            ex[i].mn = mn;
            size_t n = strlen(v->why);
            n = n < sizeof(ex[i].why) - 1 ? n : sizeof(ex[i].why) - 1;
            memcpy(ex[i].why, v->why, n);
            ex[i].why[n] = 0;
            return;
        }
    }
}

static void account(Run *run, ZydisMnemonic mn, const Verdict *v, uint64_t n) {
    DiffCase *c = &run->c;
    Stats *s = slot(run, mn, c->form, c->compat);
    int kb;
    s->cases++;
    s->host_faults += run->host.vector != DIFF_NO_FAULT;
    s->flag_bits += v->undef_flag_bits;
    s->flag_agree += v->undef_flag_agree;
    s->results += v->undef_result;
    s->results_agree += v->undef_result_agree;
    run->compat_upper += v->compat_upper;
    run->compat_upper_agree += v->compat_upper_agree;
    if (mn != ZYDIS_MNEMONIC_INVALID) {
        run->covered[mn] = true;
        run->ran[mn] |= run->sim.vector != 6;
    }
    bool undef_differs =
        v->undef_flag_agree < v->undef_flag_bits || (v->undef_result && !v->undef_result_agree);
    if (run->opt.show_undefined && undef_differs && run->shown_undefined++ < MAX_PRINTED)
        print_case(run, "UNDEF", c, n, "", true);
    if (v->kind == V_PASS) {
        s->passed++;
    } else if (v->kind == V_UD_ONLY) {
        s->ud_only++;
        if (mn != ZYDIS_MNEMONIC_INVALID) record_ud(run, mn, v);
    } else if ((kb = diff_known_bug(c, mn, &run->host, &run->sim)) >= 0) {
        s->expected++;
        if (run->known[kb]++ == 0) {
            run->known_example[kb] = *c;
            run->known_n[kb] = n;
        }
    } else {
        s->failed++;
        if (run->opt.one_case < 0 && (run->printed++ < MAX_PRINTED || run->opt.verbose))
            print_case(run, "FAIL", c, n, v->why, run->opt.verbose || run->opt.one_case >= 0);
    }
}

static void run_case(Run *run, unsigned fi, uint64_t n) {
    DiffCase *c = &run->c;
    diff_gen_case(run->opt.seed, fi, n, c);
    if (c->len == 0) return;
    ZydisMnemonic mn = decode_mnemonic(run, c);
    const char *mname = mn != ZYDIS_MNEMONIC_INVALID ? ZydisMnemonicGetString(mn) : "";
    if (run->opt.filter && !filter_has(run->opt.filter, diff_forms[fi].name) &&
        !filter_has(run->opt.filter, mname))
        return;
    if (run->opt.skip &&
        (filter_has(run->opt.skip, diff_forms[fi].name) || filter_has(run->opt.skip, mname)))
        return;
    if (run->opt.trace) { /* each case before it runs: for a harness that dies */
        print_case(run, "CASE", c, n, "", false);
        print_regs("in", &c->in, DIFF_NO_FAULT);
        fflush(stdout);
    }
    diff_host_run(c, &run->host);
    diff_sim_run(c, &run->sim);
    Verdict v;
    diff_compare(c, mn, &run->host, &run->sim, &v);
    if (run->opt.one_case >= 0)
        print_case(run, v.kind == V_PASS ? "PASS" : "DIFF", c, n, v.why, true);
    account(run, mn, &v, n);
}

/* ---- the run ---- */

/* Cases per form: proportional to its operand sizes and modes. */
static unsigned form_weight(const Form *f) {
    unsigned w = 0;
    for (const char *s = f->sizes; *s && *s != '-'; s++)
        w++;
    w = w ? w : 1;
    if (f->gen == G_PRIV) return 1; /* faults only: one size is as good as another */
    return f->attr & A_BOTH ? w + 1 : w;
}

static void run_all(Run *run) {
    unsigned total_weight = 0;
    for (unsigned i = 0; i < diff_form_count; i++)
        total_weight += form_weight(&diff_forms[i]);
    for (unsigned fi = 0; fi < diff_form_count; fi++) {
        if (run->opt.form >= 0 && (unsigned)run->opt.form != fi) continue;
        if (run->opt.one_case >= 0) {
            run_case(run, fi, (uint64_t)run->opt.one_case);
            continue;
        }
        uint64_t n = run->opt.cases * form_weight(&diff_forms[fi]) / total_weight + 1;
        for (uint64_t k = 0; k < n; k++)
            run_case(run, fi, k);
    }
}

/* #UD-only cases: failures when vmxsim ran some case of the mnemonic, else
 * "unimplemented" (a mnemonic in insn_table.def whose feature no model
 * advertises yet, like CLFLUSHOPT, is listed as such, marked "(in table)"). */
static void settle_ud(Run *run) {
    for (unsigned i = 0; i < run->nslots; i++) {
        Stats *s = &run->stats[i];
        unsigned k = i / 2;
        bool implemented = k != ZYDIS_MNEMONIC_INVALID && run->ran[k];
        if (!s->ud_only || !implemented) continue;
        s->failed += s->ud_only;
        s->ud_only = 0;
        UdExample *ex = &run->ud[k * MAX_UD_EXAMPLES];
        for (unsigned j = 0; j < MAX_UD_EXAMPLES && ex[j].c.len; j++) {
            if (run->printed++ < MAX_PRINTED)
                print_case(run, "FAIL", &ex[j].c, 0, ex[j].why, false);
            ex[j].c.len = 0;
        }
    }
}

static double pct(uint64_t a, uint64_t b) {
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

static int compare_labels(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_table(Run *run) {
    char **rows = calloc(run->nslots, sizeof(char *));
    unsigned n = 0;
    for (unsigned i = 0; i < run->nslots; i++) {
        Stats *s = &run->stats[i];
        if (!s->cases) continue;
        char label[96], und[32] = "-", res[32] = "-";
        slot_label(run, i, label, sizeof(label));
        if (s->flag_bits) snprintf(und, sizeof(und), "%.1f%%", pct(s->flag_agree, s->flag_bits));
        if (s->results)
            snprintf(res, sizeof(res), "%.1f%% of %llu", pct(s->results_agree, s->results),
                     (unsigned long long)s->results);
        rows[n] = malloc(256);
        snprintf(rows[n], 256, "%-28s %8llu %8llu %6llu %6llu %6llu %7llu %9s  %s", label,
                 (unsigned long long)s->cases, (unsigned long long)s->passed,
                 (unsigned long long)s->failed, (unsigned long long)s->expected,
                 (unsigned long long)s->ud_only, (unsigned long long)s->host_faults, und, res);
        run->passed += s->passed;
        run->failed += s->failed;
        run->expected += s->expected;
        n++;
    }
    qsort(rows, n, sizeof(char *), compare_labels);
    printf("\n%-28s %8s %8s %6s %6s %6s %7s %9s  %s\n", "mnemonic", "cases", "passed", "failed",
           "xfail", "unimpl", "faults", "undef-fl", "undefined results agree");
    for (unsigned i = 0; i < n; i++) {
        printf("%s\n", rows[i]);
        free(rows[i]);
    }
    free(rows);
}

static void print_coverage(Run *run, bool *uncovered_any) {
    printf("\nunimplemented in vmxsim (#UD where the host ran it; not failures):");
    unsigned count = 0;
    for (unsigned i = 0; i < run->nslots; i++) {
        if (run->stats[i].ud_only && (i & 1) == 0) {
            char label[96];
            slot_label(run, i, label, sizeof(label));
            printf("%s%s%s", count++ % 8 ? " " : "\n  ", label,
                   run->in_table[i / 2] ? " (in table)" : "");
        }
    }
    printf(count ? "\n" : " none\n");
    printf("implemented in insn_table.def but not tested:");
    count = 0;
    for (unsigned m = 1; m < MN_SLOTS; m++) {
        if (run->in_table[m] && !run->covered[m] && !untested_why((ZydisMnemonic)m)) {
            printf("%s%s", count++ % 10 ? " " : "\n  ", ZydisMnemonicGetString((ZydisMnemonic)m));
            *uncovered_any = true;
        }
    }
    printf(count ? "\n" : " none\n");
    printf("not tested by design:");
    for (unsigned m = 1; m < MN_SLOTS; m++) {
        const char *why = untested_why((ZydisMnemonic)m);
        if (run->in_table[m] && !run->covered[m] && why)
            printf("\n  %-10s %s", ZydisMnemonicGetString((ZydisMnemonic)m), why);
    }
    printf("\n");
    if (run->compat_upper)
        printf("compatibility mode: upper register halves agree in %.1f%% of %llu cases\n",
               pct(run->compat_upper_agree, run->compat_upper),
               (unsigned long long)run->compat_upper);
}

static void print_known_bugs(Run *run) {
    printf("\nexpected failures (known vmxsim bugs, tests/diff/known_bugs.c):%s\n",
           diff_known_bug_count ? "" : " none");
    for (unsigned i = 0; i < diff_known_bug_count; i++) {
        const KnownBug *kb = &diff_known_bugs[i];
        printf("  %-9s %7llu cases  %s\n", kb->id, (unsigned long long)run->known[i], kb->text);
        if (run->known[i]) {
            char text[128];
            disassemble(&run->known_example[i], text, sizeof(text));
            printf("            e.g. %s (--form %u --case %llu)\n", text,
                   run->known_example[i].form, (unsigned long long)run->known_n[i]);
        }
    }
}

static void list_forms(void) {
    for (unsigned i = 0; i < diff_form_count; i++) {
        const Form *f = &diff_forms[i];
        printf("%4u %-12s %-22s %-4s %s\n", i, f->name, f->tmpl, f->sizes, f->ops);
    }
}

static bool init_sim(char *err, size_t errlen) {
    DiffHostFacts facts;
    diff_host_facts(&facts);
    return diff_sim_init(&facts, err, errlen);
}

static bool init_run(Run *run) {
    char err[256];
    run->nslots = 2 * MN_SLOTS;
    run->stats = calloc(run->nslots, sizeof(Stats));
    run->in_table = calloc(MN_SLOTS, sizeof(bool));
    run->ran = calloc(MN_SLOTS, sizeof(bool));
    run->covered = calloc(MN_SLOTS, sizeof(bool));
    run->ud = calloc((size_t)MN_SLOTS * MAX_UD_EXAMPLES, sizeof(UdExample));
    if (!run->stats || !run->in_table || !run->ran || !run->covered || !run->ud) {
        fprintf(stderr, "diff_test: out of memory\n");
        return false;
    }
    mark_table(run);
    ZydisDecoderInit(&run->dec64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecoderInit(&run->dec32, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32);
    if (!diff_gen_init(run->opt.seed, err, sizeof(err)) || !diff_host_init(err, sizeof(err)) ||
        !init_sim(err, sizeof(err))) {
        fprintf(stderr, "diff_test: %s\n", err);
        return false;
    }
    return true;
}

int main(int argc, char **argv) {
    static Run run;
    parse_options(argc, argv, &run.opt);
    if (run.opt.list_forms) {
        list_forms();
        return 0;
    }
    if (!init_run(&run)) return 2;
    clock_t t0 = clock();
    run_all(&run);
    settle_ud(&run);
    print_table(&run);
    print_known_bugs(&run);
    bool uncovered = false;
    if (run.opt.form < 0 && !run.opt.filter && !run.opt.skip) print_coverage(&run, &uncovered);
    printf("seed %llu, %.1f s\n", (unsigned long long)run.opt.seed,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    uint64_t unimpl = 0;
    for (unsigned i = 0; i < run.nslots; i++)
        unimpl += run.stats[i].ud_only;
    printf("%llu cases of unimplemented instructions, %llu expected failures (not counted below)\n",
           (unsigned long long)unimpl, (unsigned long long)run.expected);
    printf("%llu passed, %llu failed\n", (unsigned long long)run.passed,
           (unsigned long long)run.failed);
    diff_sim_fini();
    if (run.opt.require_coverage && uncovered) return 1;
    return run.failed ? 1 : 0;
}
