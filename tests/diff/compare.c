/*
 * The comparison of one case: fault vector (and error code, #PF address),
 * RIP, the 16 general registers, RFLAGS without the flags the SDM leaves
 * undefined for this case (undefined.def), XMM0-15, MXCSR and the scratch
 * block.  Undefined flags and undefined results are not failures; how often
 * the host and vmxsim agree on them is counted.
 */
#include "compare.h"

#include "forms.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define F_CF 0x1u
#define F_PF 0x4u
#define F_AF 0x10u
#define F_ZF 0x40u
#define F_SF 0x80u
#define F_OF 0x800u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define F_RF 0x10000u
#define XC0 0x0100u /* x87 status word condition codes */
#define XC1 0x0200u
#define XC2 0x0400u
#define XC3 0x4000u

typedef enum UndefRule { R_ALWAYS, R_BITSCAN, R_SHIFT, R_ROTATE, R_DOUBLE_SHIFT, R_X87 } UndefRule;

typedef struct UndefRow {
    ZydisMnemonic mnemonic;
    UndefRule rule;
    unsigned flags;
} UndefRow;

static const UndefRow undef_rows[] = {
#define U(mn, rule, flags) {ZYDIS_MNEMONIC_##mn, rule, flags},
#include "undefined.def"
#undef U
};

/* What this case leaves undefined. */
typedef struct Undefined {
    uint64_t result_gpr[16]; /* bits of an undefined result (not compat-mode halves) */
    unsigned flags;
    unsigned fsw;            /* x87 condition codes */
    uint64_t gpr[16];        /* bits of each register not compared */
    uint64_t mem_lo, mem_hi; /* scratch bytes [lo, hi) not compared */
    bool result;
} Undefined;

const char *diff_vector_name(int vector) {
    static const char *const names[32] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
                                          "#DF", "#09", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
                                          "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};
    if (vector == DIFF_NO_FAULT) return "none";
    if (vector >= 0 && vector < 32 && names[vector]) return names[vector];
    return vector >= 0x100 ? "stop" : "?";
}

static uint64_t mask_bytes(unsigned n) {
    return n >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * n)) - 1;
}

static bool has_error_code(int v) {
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
}

static const UndefRow *undef_row(ZydisMnemonic mn) {
    for (unsigned i = 0; i < sizeof(undef_rows) / sizeof(undef_rows[0]); i++) {
        if (undef_rows[i].mnemonic == mn) return &undef_rows[i];
    }
    return NULL;
}

/* The destination of a shift-like instruction (the r/m operand). */
static void undefined_rm(const DiffCase *c, Undefined *u) {
    u->result = true;
    if (c->rm_reg == 0xff) {
        u->mem_lo = c->ea;
        u->mem_hi = c->ea + c->opsize;
        return;
    }
    u->gpr[c->rm_reg] = c->opsize >= 4 ? ~UINT64_C(0) : mask_bytes(c->opsize);
    u->result_gpr[c->rm_reg] = u->gpr[c->rm_reg];
}

static unsigned masked_count(const DiffCase *c) {
    return c->count & (c->opsize == 8 ? 63u : 31u);
}

static void apply_rule(const DiffCase *c, const UndefRow *row, ZydisMnemonic mn, Undefined *u) {
    unsigned mc = masked_count(c), bits = 8u * c->opsize;
    switch (row->rule) {
    case R_ALWAYS:
        u->flags = row->flags;
        break;
    case R_X87:
        u->fsw = row->flags;
        break;
    case R_BITSCAN:
        u->flags = row->flags;
        if ((c->src & mask_bytes(c->opsize)) == 0) {
            u->gpr[c->reg_field] = u->result_gpr[c->reg_field] = ~UINT64_C(0);
            u->result = true;
        }
        break;
    case R_SHIFT:
        if (mc == 0) break;
        u->flags = F_AF | (mc != 1 ? F_OF : 0);
        if ((mn == ZYDIS_MNEMONIC_SHL || mn == ZYDIS_MNEMONIC_SHR) && mc >= bits) u->flags |= F_CF;
        break;
    case R_ROTATE:
        if (mc != 0 && mc != 1) u->flags = F_OF;
        break;
    case R_DOUBLE_SHIFT:
        if (mc == 0) break;
        u->flags = F_AF | (mc != 1 ? F_OF : 0);
        if (mc > bits) {
            u->flags = F_ARITH;
            undefined_rm(c, u);
        }
        break;
    }
}

/* PUSH of a segment register with a 32- or 64-bit operand size: "either a
 * zero-extended value is pushed on the stack or the segment selector is
 * written on the stack using a 16-bit move" (SDM Vol. 2 PUSH).  The upper
 * bytes of the slot are left open. */
static void push_sreg(const DiffCase *c, const DiffResult *h, Undefined *u) {
    static const char *const forms[] = {"0F A0", "0F A8", "06", "0E", "16", "1E"};
    const char *t = diff_forms[c->form].tmpl;
    for (unsigned i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        if (strcmp(t, forms[i]) == 0 && c->opsize > 2) {
            uint64_t slot = h->regs.gpr[4];
            u->mem_lo = slot + 2;
            u->mem_hi = slot + c->opsize;
            u->result = true;
        }
    }
}

static void undefined_for(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h, Undefined *u) {
    memset(u, 0, sizeof(*u));
    if (mn == ZYDIS_MNEMONIC_PUSH) push_sreg(c, h, u);
    const UndefRow *row = undef_row(mn);
    if (row) apply_rule(c, row, mn, u);
}

/* A faulting instruction commits nothing, with one exception: CALL to a
 * non-canonical target (and far CALL to a bad selector).  The SDM checks the
 * target before the push; an Intel core writes the return address (and CS)
 * below RSP, then faults with RSP unchanged.  Those slots are left open. */
static void undefined_at_fault(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                               Undefined *u) {
    memset(u, 0, sizeof(*u));
    bool far = diff_forms[c->form].gen == G_FAR;
    if (mn == ZYDIS_MNEMONIC_CALL && (h->vector == 13 || (far && h->vector != 14))) {
        unsigned slot = far ? c->opsize : c->compat ? 4 : 8;
        u->mem_lo = h->regs.gpr[4] - (far ? 2 : 1) * slot;
        u->mem_hi = h->regs.gpr[4];
        u->result = true;
    }
}

/* ---- reporting the differences ---- */

typedef struct Why {
    char *buf;
    size_t len, cap;
} Why;

static void say(Why *w, const char *fmt, ...) {
    if (w->len + 1 >= w->cap) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
    va_end(ap);
    if (n > 0) w->len = w->len + (size_t)n < w->cap ? w->len + (size_t)n : w->cap - 1;
}

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static bool compare_fault(const DiffResult *h, const DiffResult *s, Why *w) {
    bool ok = true;
    if (h->vector != s->vector) {
        say(w, " fault host=%s sim=%s;", diff_vector_name(h->vector), diff_vector_name(s->vector));
        return false;
    }
    if (has_error_code(h->vector) && h->error != s->error) {
        say(w, " %s error host=%#x sim=%#x;", diff_vector_name(h->vector), h->error, s->error);
        ok = false;
    }
    if (h->vector == 14 && h->cr2 != s->cr2) {
        say(w, " #PF address host=%#llx sim=%#llx;", (unsigned long long)h->cr2,
            (unsigned long long)s->cr2);
        ok = false;
    }
    return ok;
}

static bool compare_gprs(const DiffCase *c, const DiffResult *h, const DiffResult *s,
                         const Undefined *u, Why *w) {
    bool ok = true;
    for (unsigned i = 0; i < 16; i++) {
        uint64_t m = ~u->gpr[i];
        if ((h->regs.gpr[i] ^ s->regs.gpr[i]) & m) {
            say(w, " %s in=%#llx host=%#llx sim=%#llx;", gpr_names[i],
                (unsigned long long)c->in.gpr[i], (unsigned long long)h->regs.gpr[i],
                (unsigned long long)s->regs.gpr[i]);
            ok = false;
        }
    }
    return ok;
}

static bool compare_flags(const DiffCase *c, const DiffResult *h, const DiffResult *s,
                          unsigned undef, Why *w) {
    uint64_t m = ~(uint64_t)(F_RF | undef);
    if (!((h->regs.rflags ^ s->regs.rflags) & m)) return true;
    say(w, " rflags in=%#llx host=%#llx sim=%#llx (compared %#llx);",
        (unsigned long long)c->in.rflags, (unsigned long long)h->regs.rflags,
        (unsigned long long)s->regs.rflags, (unsigned long long)(m & 0x3fffff));
    return false;
}

static bool compare_x87(const DiffCase *c, const DiffResult *h, const DiffResult *s,
                        unsigned undef_fsw, Why *w) {
    const DiffRegs *hr = &h->regs, *sr = &s->regs;
    bool ok = true;
    if (hr->fcw != sr->fcw || ((hr->fsw ^ sr->fsw) & ~undef_fsw) || hr->ftw != sr->ftw) {
        say(w, " x87 fcw/fsw/ftw in=%04x/%04x/%02x host=%04x/%04x/%02x sim=%04x/%04x/%02x;",
            c->in.fcw, c->in.fsw, c->in.ftw, hr->fcw, hr->fsw, hr->ftw, sr->fcw, sr->fsw, sr->ftw);
        ok = false;
    }
    for (unsigned i = 0; i < 8; i++) {
        if (hr->st[i][0] != sr->st[i][0] || (uint16_t)hr->st[i][1] != (uint16_t)sr->st[i][1]) {
            say(w, " st%u in=%04llx:%016llx host=%04llx:%016llx sim=%04llx:%016llx;", i,
                (unsigned long long)c->in.st[i][1], (unsigned long long)c->in.st[i][0],
                (unsigned long long)hr->st[i][1], (unsigned long long)hr->st[i][0],
                (unsigned long long)sr->st[i][1], (unsigned long long)sr->st[i][0]);
            ok = false;
        }
    }
    return ok;
}

/* The host's DS and ES are read in the signal handler, after a return from
 * the kernel, which leaves a null selector as 0 whatever its RPL was: null
 * selectors compare equal. */
static bool compare_selectors(const DiffResult *h, const DiffResult *s, Why *w) {
    static const char *const names[4] = {"cs", "ss", "ds", "es"};
    bool ok = true;
    for (unsigned i = 0; i < 4; i++) {
        uint16_t a = h->regs.sel[i], b = s->regs.sel[i];
        if (a != b && !((a & ~3u) == 0 && (b & ~3u) == 0)) {
            say(w, " %s host=%#x sim=%#x;", names[i], h->regs.sel[i], s->regs.sel[i]);
            ok = false;
        }
    }
    return ok;
}

static bool compare_sse(const DiffCase *c, const DiffResult *h, const DiffResult *s, Why *w) {
    bool ok = true;
    for (unsigned i = 0; i < 16; i++) {
        if (memcmp(h->regs.xmm[i], s->regs.xmm[i], 16) != 0) {
            say(w, " xmm%u in=%016llx%016llx host=%016llx%016llx sim=%016llx%016llx;", i,
                (unsigned long long)c->in.xmm[i][1], (unsigned long long)c->in.xmm[i][0],
                (unsigned long long)h->regs.xmm[i][1], (unsigned long long)h->regs.xmm[i][0],
                (unsigned long long)s->regs.xmm[i][1], (unsigned long long)s->regs.xmm[i][0]);
            ok = false;
        }
    }
    if (h->regs.mxcsr != s->regs.mxcsr) {
        say(w, " mxcsr in=%#x host=%#x sim=%#x;", c->in.mxcsr, h->regs.mxcsr, s->regs.mxcsr);
        ok = false;
    }
    return ok;
}

static bool byte_undefined(const Undefined *u, uint64_t addr) {
    return addr >= u->mem_lo && addr < u->mem_hi;
}

static bool compare_memory(const DiffCase *c, const DiffResult *h, const DiffResult *s,
                           const Undefined *u, Why *w) {
    if (memcmp(h->mem, s->mem, DIFF_SCRATCH_SIZE) == 0) return true;
    for (unsigned i = 0; i < DIFF_SCRATCH_SIZE; i++) {
        if (h->mem[i] == s->mem[i] || byte_undefined(u, DIFF_SCRATCH + i)) continue;
        unsigned at = i & ~7u;
        uint64_t hv, sv, iv;
        memcpy(&hv, h->mem + at, 8);
        memcpy(&sv, s->mem + at, 8);
        memcpy(&iv, c->mem + at, 8);
        say(w, " mem[%#llx] in=%016llx host=%016llx sim=%016llx;",
            (unsigned long long)(DIFF_SCRATCH + at), (unsigned long long)iv, (unsigned long long)hv,
            (unsigned long long)sv);
        return false;
    }
    return true;
}

/* Agreement on what was not compared. */
static void count_undefined(const DiffCase *c, const DiffResult *h, const DiffResult *s,
                            const Undefined *u, Verdict *v) {
    unsigned diff = (unsigned)(h->regs.rflags ^ s->regs.rflags);
    unsigned fdiff = (unsigned)(h->regs.fsw ^ s->regs.fsw);
    for (unsigned b = 0; b < 16; b++) {
        if (u->flags & (1u << b)) {
            v->undef_flag_bits++;
            v->undef_flag_agree += !(diff & (1u << b));
        }
        if (u->fsw & (1u << b)) {
            v->undef_flag_bits++;
            v->undef_flag_agree += !(fdiff & (1u << b));
        }
    }
    if (u->result) {
        v->undef_result = true;
        v->undef_result_agree = true;
        for (uint64_t a = u->mem_lo; a < u->mem_hi; a++) {
            if (a >= DIFF_SCRATCH && a < DIFF_SCRATCH + DIFF_SCRATCH_SIZE)
                v->undef_result_agree &= h->mem[a - DIFF_SCRATCH] == s->mem[a - DIFF_SCRATCH];
        }
        for (unsigned i = 0; i < 16; i++)
            v->undef_result_agree &= ((h->regs.gpr[i] ^ s->regs.gpr[i]) & u->result_gpr[i]) == 0;
    }
}

/* Compatibility mode: the SDM leaves the upper halves of RAX..RDI and all of
 * R8..R15 undefined (Vol. 1 3.4.1.1); they are counted, not compared. */
static void compat_masks(const DiffCase *c, const DiffResult *h, const DiffResult *s, Undefined *u,
                         Verdict *v) {
    bool ends_compat = (h->regs.sel[DIFF_SEL_CS] & ~3u) == (DIFF_SEL_CODE32 & ~3u);
    if (!c->compat && !ends_compat) /* started or ended (far transfer) in compatibility mode */
        return;
    bool agree = true;
    for (unsigned i = 0; i < 16; i++) {
        uint64_t m = i < 8 ? ~UINT64_C(0xffffffff) : ~UINT64_C(0);
        agree &= ((h->regs.gpr[i] ^ s->regs.gpr[i]) & m) == 0;
        u->gpr[i] |= m;
    }
    v->compat_upper = true;
    v->compat_upper_agree = agree;
}

void diff_compare(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h, const DiffResult *s,
                  Verdict *v) {
    memset(v, 0, sizeof(*v));
    Why w = {v->why, 0, sizeof(v->why)};
    Undefined u;
    bool faulted = h->vector != DIFF_NO_FAULT;
    undefined_for(c, mn, h, &u);
    if (faulted) undefined_at_fault(c, mn, h, &u);
    compat_masks(c, h, s, &u, v);
    if (h->vector != s->vector && s->vector == 6) {
        v->kind = V_UD_ONLY;
        say(&w, " fault host=%s sim=#UD;", diff_vector_name(h->vector));
        return;
    }
    bool ok = compare_fault(h, s, &w);
    if (h->regs.rip != s->regs.rip) {
        say(&w, " rip host=%#llx sim=%#llx;", (unsigned long long)h->regs.rip,
            (unsigned long long)s->regs.rip);
        ok = false;
    }
    ok &= compare_gprs(c, h, s, &u, &w);
    ok &= compare_flags(c, h, s, u.flags, &w);
    ok &= compare_sse(c, h, s, &w);
    ok &= compare_x87(c, h, s, u.fsw, &w);
    ok &= compare_selectors(h, s, &w);
    ok &= compare_memory(c, h, s, &u, &w);
    v->kind = ok ? V_PASS : V_FAIL;
    if (!faulted || u.result) count_undefined(c, h, s, &u, v);
}
