/*
 * Case generation: for one form, choose the mode, operand size, prefixes,
 * registers and addressing, then operand values (random and boundary),
 * encode, and apply the form's generator (counts, divisors, branch targets,
 * string set-up...).  Every case is a pure function of (seed, form, n), so
 * a failure is reproduced with --seed S --form F --case N.
 */
#include <stdio.h>
#include <string.h>

#include "forms.h"

#define RFLAGS_FIXED 0x202u
#define FL_CF 0x1u
#define FL_PF 0x4u
#define FL_AF 0x10u
#define FL_ZF 0x40u
#define FL_SF 0x80u
#define FL_TF 0x100u
#define FL_DF 0x400u
#define FL_OF 0x800u
#define FL_AC 0x40000u
#define FL_ID 0x200000u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define SCRATCH_END (DIFF_SCRATCH + DIFF_SCRATCH_SIZE)
#define NONCANONICAL UINT64_C(0x0000800000000000)

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

const Form diff_forms[] = {
#define X(name, tmpl, sizes, ops, gen, attr) {name, tmpl, sizes, ops, gen, attr},
#include "forms.def"
#undef X
};
const unsigned diff_form_count = sizeof(diff_forms) / sizeof(diff_forms[0]);

static Template templates[sizeof(diff_forms) / sizeof(diff_forms[0])];
static uint8_t background[DIFF_SCRATCH_SIZE];

/* ---- values ---- */

static uint64_t mask_of(unsigned bytes) {
    return bytes >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * bytes)) - 1;
}

/* A value of `bytes` width: boundaries (0, 1, -1, sign boundaries, powers
 * of two and their masks, small magnitudes) about half the time. */
static uint64_t val_width(Rng *r, unsigned bytes) {
    unsigned bits = bytes >= 8 ? 64 : 8 * bytes;
    uint64_t m = mask_of(bytes), top = UINT64_C(1) << (bits - 1);
    switch (rng_below(r, 20)) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return m;
    case 3:
        return top;
    case 4:
        return top - 1;
    case 5:
        return (top + 1) & m;
    case 6:
        return (m - 1) & m;
    case 7:
        return (UINT64_C(1) << rng_below(r, bits)) & m;
    case 8:
        return ((UINT64_C(1) << rng_below(r, bits)) - 1) & m;
    case 9:
        return rng_below(r, 256) & m;
    case 10:
        return (UINT64_C(0) - rng_below(r, 256)) & m;
    case 11:
        return (top ^ rng_below(r, 4)) & m;
    default:
        return rng_next(r) & m;
    }
}

/* Replace the low `bytes` of a register with an interesting value. */
static uint64_t with_low(uint64_t reg, uint64_t v, unsigned bytes) {
    uint64_t m = mask_of(bytes);
    return (reg & ~m) | (v & m);
}

static const uint32_t f32_special[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x40000000, 0x40400000,
    0x3fc00000, 0x40200000, 0xbfc00000, 0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000,
    0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001,
    0xff800001, 0x7fc12345, 0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0x5f000000,
    0xdf000000, 0x5effffff, 0x3effffff, 0x3f7fffff, 0x34000000, 0x33800000,
};
static const uint64_t f64_special[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x3fe0000000000000, 0x4000000000000000, 0x3ff8000000000000, 0x4004000000000000,
    0xbff8000000000000, 0x7fefffffffffffff, 0xffefffffffffffff, 0x0010000000000000,
    0x8010000000000000, 0x0000000000000001, 0x800fffffffffffff, 0x7ff0000000000000,
    0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001,
    0xfff0000000000001, 0x7ff8000012345678, 0x41e0000000000000, 0x41dfffffffffffff,
    0xc1e0000000000000, 0xc1e0000000200000, 0x43e0000000000000, 0xc3e0000000000000,
    0x43dfffffffffffff, 0x3fdfffffffffffff, 0x47efffffe0000000, 0x36a0000000000000,
    0x3810000000000000, 0x380fffffffffffff,
};

static uint32_t f32_value(Rng *r) {
    unsigned k = rng_below(r, 8);
    if (k < 3) return f32_special[rng_below(r, sizeof(f32_special) / sizeof(f32_special[0]))];
    uint32_t v = (uint32_t)rng_next(r);
    if (k < 6) /* moderate exponents: results stay ordinary */
        v = (v & 0x807fffffu) | ((uint32_t)(112 + rng_below(r, 32)) << 23);
    return v;
}

static uint64_t f64_value(Rng *r) {
    unsigned k = rng_below(r, 8);
    if (k < 3) return f64_special[rng_below(r, sizeof(f64_special) / sizeof(f64_special[0]))];
    uint64_t v = rng_next(r);
    if (k < 6) v = (v & UINT64_C(0x800fffffffffffff)) | ((uint64_t)(1008 + rng_below(r, 32)) << 52);
    return v;
}

/* An 80-bit extended value: [0] significand, [1] sign and exponent. */
static void f80_value(Rng *r, uint64_t out[2]) {
    static const struct {
        uint16_t se;
        uint64_t sig;
    } sp[] = {
        {0x0000, 0},
        {0x8000, 0},
        {0x3fff, 1ull << 63},
        {0xbfff, 1ull << 63},
        {0x4000, 0xc90fdaa22168c235ull},
        {0x7ffe, ~0ull},
        {0xfffe, ~0ull},
        {0x0001, 1ull << 63},
        {0x0000, 1},
        {0x8000, 0x7fffffffffffffffull},
        {0x0000, 1ull << 63},
        {0x7fff, 1ull << 63},
        {0xffff, 1ull << 63},
        {0x7fff, 0xc000000000000000ull},
        {0xffff, 0xc000000000000000ull},
        {0x7fff, 0xa000000000000000ull},
        {0xffff, 0xc000000012345678ull},
        {0x7fff, 0x4000000000000000ull},
        {0x7fff, 0},
        {0x3fff, 0x4000000000000000ull},
        {0x401d, 1ull << 63},
        {0x401e, 1ull << 63},
        {0xc01e, 1ull << 63},
        {0x403e, 1ull << 63},
        {0xc03e, 1ull << 63},
        {0x400e, 1ull << 63},
        {0x3ffe, 1ull << 63},
        {0x3fff, 0xc000000000000000ull},
        {0x4000, 0xa000000000000000ull},
        {0x4037, 0xde0b6b3a763ffffcull},
        {0x4038, 0xde0b6b3a7640000full},
    };
    unsigned k = rng_below(r, 8);
    if (k < 3) {
        unsigned i = rng_below(r, sizeof(sp) / sizeof(sp[0]));
        out[0] = sp[i].sig;
        out[1] = sp[i].se;
        return;
    }
    uint64_t exp = k < 6 ? 0x3fff - 70 + rng_below(r, 140) : rng_below(r, 0x8000);
    out[0] = rng_next(r) | (rng_below(r, 32) ? 1ull << 63 : 0);
    out[1] = exp | (rng_below(r, 2) ? 0x8000 : 0);
}

static bool is_x87_gen(GenKind k) {
    return k >= G_X87 && k <= G_MMX;
}

/* A random x87 state: control word, TOP, condition codes, tags, registers.
 * An unmasked exception left pending (FSW.ES: the next waiting x87
 * instruction raises #MF) in about one case in 16. */
static void init_x87(Rng *r, GenKind gk, DiffRegs *in) {
    memset(in->st, 0, sizeof(in->st));
    in->fcw = 0x037f;
    in->fsw = 0;
    in->ftw = 0;
    if (!is_x87_gen(gk)) return;
    if (rng_below(r, 5) < 2) {
        in->fcw = (uint16_t)(0x40 | (rng_next(r) & 0x1f00));
        for (unsigned b = 0; b < 6; b++)
            in->fcw |= (uint16_t)(rng_below(r, 10) < 8) << b;
    }
    unsigned flags = rng_below(r, 5) ? 0 : (unsigned)(rng_next(r) & 0x7f);
    if (rng_below(r, 16)) flags &= in->fcw & 0x3fu; /* only masked exceptions are sticky */
    unsigned pending = flags & ~in->fcw & 0x3fu;
    in->fsw =
        (uint16_t)(flags | (rng_next(r) & 0x4700) | rng_below(r, 8) << 11 | (pending ? 0x8080 : 0));
    for (unsigned i = 0; i < 8; i++) {
        in->ftw = (uint8_t)(in->ftw | (rng_below(r, 4) != 0) << i);
        if (gk == G_MMX) {
            in->st[i][0] = rng_below(r, 4) ? rng_next(r) : val_width(r, 8);
            in->st[i][1] = rng_below(r, 2) ? 0xffff : rng_next(r) & 0xffff;
        } else {
            f80_value(r, in->st[i]);
        }
    }
}

/* 16 bytes in the style of the generator. */
static void vec_value(Rng *r, GenKind g, uint64_t out[2]) {
    for (unsigned i = 0; i < 2; i++) {
        if (g == G_PS)
            out[i] = f32_value(r) | ((uint64_t)f32_value(r) << 32);
        else if (g == G_PD)
            out[i] = f64_value(r);
        else
            out[i] = rng_below(r, 4) == 0 ? val_width(r, 8) : rng_next(r);
    }
}

/* ---- the generator's working state ---- */

typedef struct Gen {
    Rng *r;
    const Form *f;
    const Template *t;
    DiffCase *c;
    Encoding e;
    unsigned width;    /* operand width in bytes for values */
    unsigned msize;    /* bytes of the memory operand */
    uint32_t reserved; /* registers whose values the generator sets */
    bool uses_xmm;
    uint64_t ea;
} Gen;

static uint64_t *gpr(Gen *g, unsigned reg) {
    return &g->c->in.gpr[reg];
}

static void put_mem(Gen *g, uint64_t addr, const void *src, unsigned n) {
    const uint8_t *p = src;
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = addr + i;
        if (a >= DIFF_SCRATCH && a < SCRATCH_END) g->c->mem[a - DIFF_SCRATCH] = p[i];
    }
}

static uint64_t get_mem(const Gen *g, uint64_t addr, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n && i < 8; i++) {
        uint64_t a = addr + i;
        uint64_t b = 0;
        if (a >= DIFF_SCRATCH && a < SCRATCH_END)
            b = g->c->mem[a - DIFF_SCRATCH];
        else if (a >= DIFF_RO && a < DIFF_RO + 4096)
            b = diff_ro_page()[a - DIFF_RO];
        v |= b << (8 * i);
    }
    return v;
}

static bool is_stack_gen(GenKind k) {
    return k == G_PUSH || k == G_POP || k == G_POPF || k == G_LEAVE || k == G_RET || k == G_ENTER ||
           k == G_POPSEL || k == G_RETF || k == G_IRET;
}

/* Last opcode byte: tells CL-count shifts and one-bit shifts apart. */
static uint8_t last_opcode(const Template *t) {
    return t->opc[t->nopc - 1];
}

static bool count_in_cl(const Template *t) {
    uint8_t op = last_opcode(t);
    return !t->vex_map && (op == 0xd2 || op == 0xd3 || op == 0xa5 || op == 0xad);
}

static bool count_is_one(const Template *t) {
    uint8_t op = last_opcode(t);
    return t->nopc == 1 && (op == 0xd0 || op == 0xd1);
}

/* ---- mode, size, prefixes ---- */

static bool choose_mode_and_size(Gen *g) {
    const Form *f = g->f;
    DiffCase *c = g->c;
    c->compat = (f->attr & A_C32) || ((f->attr & A_BOTH) && rng_below(g->r, 5) == 0);
    char sizes[5];
    unsigned n = 0;
    for (const char *s = f->sizes; *s; s++) {
        char z = *s;
        if (z == '-') break;
        if (c->compat && z == 'q') {
            if (!(f->attr & A_D64)) continue;
            z = 'd';
        }
        sizes[n++] = z;
    }
    if (f->sizes[0] == '-') {
        g->e.opsize = c->compat ? 4 : 8;
    } else {
        if (n == 0) return false;
        char z = sizes[rng_below(g->r, n)];
        g->e.opsize = z == 'b' ? 1 : z == 'w' ? 2 : z == 'd' ? 4 : 8;
    }
    g->uses_xmm = strpbrk(f->ops, "VWU") != NULL;
    g->width = g->e.opsize;
    g->msize = (g->uses_xmm || (f->attr & A_MEM16)) ? 16 : g->e.opsize;
    if (f->gen == G_CX8) g->msize = g->e.opsize == 8 ? 16 : 8;
    if (f->gen == G_BOUND) g->msize = 2 * g->e.opsize;
    static const uint16_t x87_size[G_COUNT] = {
        [G_X87] = 16, [G_F32] = 4,    [G_F64] = 8,   [G_F80] = 10,    [G_I16] = 2,      [G_I32] = 4,
        [G_I64] = 8,  [G_BCD80] = 10, [G_FENV] = 28, [G_FSAVE] = 108, [G_FXSAVE] = 512, [G_CW] = 2};
    if (x87_size[f->gen]) g->msize = x87_size[f->gen];
    if (f->gen == G_FAR || f->gen == G_FARPTR) g->msize = g->e.opsize + 2;
    if ((f->gen == G_FENV || f->gen == G_FSAVE) && g->e.opsize == 2)
        g->msize -= 14; /* the 16-bit environment is 14 bytes */
    return true;
}

static void choose_prefixes(Gen *g) {
    Encoding *e = &g->e;
    const Form *f = g->f;
    Rng *r = g->r;
    bool vex = g->t->vex_map != 0;
    e->compat = g->c->compat;
    e->lock = !vex && (((f->attr & A_LOCK) && rng_below(r, 6) == 0) || rng_below(r, 256) == 0);
    if ((f->attr & A_REP) && rng_below(r, 2)) e->rep = true;
    if (f->attr & A_REPCC) {
        unsigned k = rng_below(r, 3);
        e->rep = k == 1;
        e->repne = k == 2;
    }
    if (!e->compat && (f->attr & A_ADDR) && rng_below(r, 4) == 0) e->addr_prefix = true;
    if (!e->compat && !(f->attr & A_ADDR) && g->t->modrm >= 0 && rng_below(r, 20) == 0)
        e->addr_prefix = true;
    if (rng_below(r, 24) == 0) {
        static const uint8_t segs[] = {0x26, 0x2e, 0x36, 0x3e};
        e->seg_prefix = segs[rng_below(r, 4)];
    }
    e->rex_noise = !e->compat && !vex && rng_below(r, 8) == 0;
}

/* ---- registers and the r/m operand ---- */

static void choose_registers(Gen *g) {
    Encoding *e = &g->e;
    unsigned nregs = g->c->compat ? 8 : 16;
    char rm = form_rm_class(g->f);
    bool rm8 = rm == 'S' || rm == 'Q' || rm == 'N'; /* ST(i), MMi: 3 bits, no REX */
    char regc = form_reg_class(g->f);
    e->reg = rng_below(g->r, regc == 'P' ? 8 : nregs);
    if (regc == 'Z') /* ES, SS, DS; CS (#UD) now and then */
        e->reg = rng_below(g->r, 16) ? (unsigned[]){0, 2, 3}[rng_below(g->r, 3)] : 1;
    if (regc == 'Y') /* ES..GS; 6 and 7 (#UD) now and then */
        e->reg = rng_below(g->r, 16) ? rng_below(g->r, 6) : 6 + rng_below(g->r, 2);
    e->vreg = form_has_vvvv(g->f) ? rng_below(g->r, nregs) : 0; /* unused VEX.vvvv: 1111b */
    e->cc = rng_below(g->r, 16);
    e->rm_reg = rng_below(g->r, rm8 ? 8 : nregs);
    e->rm_mem = rm == 'M' || ((rm == 'E' || rm == 'W' || rm == 'Q') && rng_below(g->r, 2));
    if (g->f->gen == G_JIND && !e->rm_mem && e->rm_reg == RSP)
        e->rm_reg = RBX; /* CALL RSP would push into the code page */
}

static void reserve(Gen *g, unsigned reg) {
    g->reserved |= 1u << reg;
}

/* Registers the generator sets itself: the addressing must not use them. */
static void reserve_implicit(Gen *g) {
    const Template *t = g->t;
    switch (g->f->gen) {
    case G_ACC:
    case G_CMPXCHG:
        reserve(g, RAX);
        break;
    case G_DIV:
    case G_MUL:
        reserve(g, RAX);
        reserve(g, RDX);
        break;
    case G_CX8:
        reserve(g, RAX);
        reserve(g, RDX);
        reserve(g, RBX);
        reserve(g, RCX);
        break;
    case G_STR:
        reserve(g, RSI);
        reserve(g, RDI);
        reserve(g, RCX);
        reserve(g, RAX);
        break;
    case G_LOOP:
        reserve(g, RCX);
        break;
    case G_LEAVE:
    case G_ENTER:
        reserve(g, RBP);
        break;
    case G_XGETBV:
        reserve(g, RCX);
        break;
    case G_BOUND:
        reserve(g, g->e.reg);
        break;
    case G_XLAT:
        reserve(g, RBX);
        reserve(g, RAX);
        break;
    case G_MASKMOV:
        reserve(g, RDI);
        break;
    case G_BT:
        reserve(g, g->e.reg);
        break;
    case G_SHIFT:
        if (count_in_cl(t)) reserve(g, RCX);
        if (t->vex_map && form_has_vvvv(g->f)) reserve(g, g->e.vreg);
        break;
    default:
        break;
    }
    if ((g->f->attr & A_STACK) || is_stack_gen(g->f->gen)) reserve(g, RSP);
}

/* ---- effective addresses ---- */

static uint64_t pick_ea_any(Gen *g);

/* Branch targets read from memory must be ours: never from the read-only page. */
static uint64_t pick_ea(Gen *g) {
    uint64_t ea = pick_ea_any(g);
    bool target = g->f->gen == G_FAR || g->f->gen == G_JIND;
    if (target && ea < DIFF_SCRATCH && ea >= DIFF_RO)
        ea = DIFF_SCRATCH + 8 * rng_below(g->r, DIFF_SCRATCH_SIZE / 8 - 2);
    return ea;
}

static uint64_t pick_ea_any(Gen *g) {
    Rng *r = g->r;
    unsigned m = g->msize, k = rng_below(r, 100);
    if (g->f->attr & A_ALIGN || g->f->gen == G_CX8) {
        uint64_t a = DIFF_SCRATCH + (rng_below(r, DIFF_SCRATCH_SIZE / 16) * 16);
        if (k < 88) return a;
        if (k < 95) return a + rng_below(r, 16); /* misaligned: #GP for the aligned forms */
    }
    if (k < 86) {
        uint64_t off = rng_below(r, DIFF_SCRATCH_SIZE - m + 1);
        if (rng_below(r, 2)) off &= ~(uint64_t)(m - 1); /* naturally aligned */
        return DIFF_SCRATCH + off;
    }
    if (k < 91) return SCRATCH_END - 1 - rng_below(r, m);  /* runs into the guard page */
    if (k < 95) return DIFF_SCRATCH - 1 - rng_below(r, m); /* starts on the read-only page */
    if (k < 98) return DIFF_SCRATCH + 0x1000 - 1 - rng_below(r, m); /* crosses inside the scratch */
    if (g->c->compat || g->e.addr_prefix) return DIFF_GUARD + rng_below(r, 4096 - 16);
    /* Non-canonical (#GP, or #SS through RSP/RBP), or straddling the end of
     * the lower half.  Never wholly in a canonical page outside the region:
     * the host may map it (the kernel half; the top user page is present
     * but inaccessible on some hosts). */
    if (m > 1 && rng_below(r, 2)) return NONCANONICAL - 1 - rng_below(r, m - 1);
    return rng_below(r, 2) ? NONCANONICAL + rng_below(r, 64) : ~NONCANONICAL - rng_below(r, 8);
}

/* A register for addressing, not reserved, different from `other`. */
static int pick_addr_reg(Gen *g, int other, bool index) {
    unsigned nregs = g->c->compat ? 8 : 16;
    for (unsigned tries = 0; tries < 64; tries++) {
        int reg = (int)rng_below(g->r, nregs);
        if (reg == other || (g->reserved & (1u << reg)) || (index && reg == RSP)) continue;
        return reg;
    }
    return -1;
}

static int64_t pick_disp(Gen *g, unsigned len) {
    if (len == 1) return (int8_t)rng_next(g->r);
    if (len == 4)
        return rng_below(g->r, 2) ? (int32_t)rng_next(g->r)
                                  : (int32_t)rng_below(g->r, 0x2000) - 0x1000;
    return 0;
}

/* Choose the addressing form and solve for the base register's value. */
/* Base and index registers (SIB forms included): the index gets a value,
 * the base the value that makes the sum the wanted address. */
static bool choose_base_index(Gen *g, bool no_base) {
    MemOperand *m = &g->e.mem;
    Rng *r = g->r;
    bool lea = g->f->gen == G_LEA;
    uint64_t amask = m->addr32 ? 0xffffffffu : ~UINT64_C(0);
    m->base = no_base ? -1 : pick_addr_reg(g, -1, false);
    if (!no_base && m->base < 0) return false;
    if (no_base || rng_below(r, 3) == 0) {
        m->index = pick_addr_reg(g, m->base, true);
        if (m->index < 0) return false;
        m->scale = rng_below(r, 4);
    }
    m->disp_len = m->base < 0 ? 4 : (unsigned[]){0, 1, 1, 4}[rng_below(r, 4)];
    m->disp = pick_disp(g, m->disp_len);
    uint64_t idx = 0;
    if (m->index >= 0) {
        idx = rng_below(r, 3) == 0 && !(no_base && !lea) ? rng_next(r) : rng_below(r, 64);
        *gpr(g, (unsigned)m->index) = idx;
    }
    if (m->base >= 0) {
        uint64_t base = (g->ea - (uint64_t)m->disp - (idx << m->scale)) & amask;
        if (lea) base = rng_next(r);
        if (m->addr32 && !lea) base |= rng_next(r) & ~amask; /* the upper half must be ignored */
        *gpr(g, (unsigned)m->base) = base;
        return true;
    }
    m->disp = (int64_t)(g->ea - (idx << m->scale)); /* index * scale + disp32 */
    return lea || m->addr32 || m->disp == (int32_t)m->disp;
}

/* Choose the addressing form for the memory operand at g->ea. */
static bool choose_addressing(Gen *g) {
    MemOperand *m = &g->e.mem;
    bool lea = g->f->gen == G_LEA;
    g->ea = lea ? rng_next(g->r) : pick_ea(g);
    bool below4g = lea || (g->ea >> 32) == 0;
    memset(m, 0, sizeof(*m));
    m->base = m->index = -1;
    m->addr32 = g->e.compat || g->e.addr_prefix;
    unsigned k = rng_below(g->r, 100);
    if (k < 17 && below4g) {
        /* RIP-relative (compatibility mode: plain [disp32]), patched once the
         * length is known, or absolute [disp32] through a SIB byte */
        m->riprel = k < 12;
        m->absolute = k >= 12;
        m->disp_len = 4;
        m->disp = (int32_t)(uint32_t)g->ea;
        return m->riprel || m->addr32 || lea || g->ea < 0x80000000u;
    }
    return choose_base_index(g, k < 22);
}

/* ---- operand values ---- */

/* An interesting value in the operand register.  An 8-bit register number
 * 4-7 is SPL..DIL with a REX prefix and AH..BH without (the encoder decides
 * later): both get a value. */
static bool mem_operand_is_addressing(const Gen *g, unsigned reg);

static void set_reg_value(Gen *g, unsigned reg) {
    unsigned high = reg - 4; /* AH..BH: bits 15:8 of RAX..RBX */
    if (g->width == 1 && reg >= 4 && reg < 8 && !(g->reserved & (1u << high)) &&
        !mem_operand_is_addressing(g, high)) {
        uint64_t *h = gpr(g, high);
        *h = (*h & ~UINT64_C(0xff00)) | val_width(g->r, 1) << 8;
    }
    if (g->reserved & (1u << reg)) return;
    uint64_t *p = gpr(g, reg);
    if (g->width == 1)
        *p = with_low(*p, val_width(g->r, 1) | (val_width(g->r, 1) << 8), 2);
    else
        *p = with_low(*p, val_width(g->r, g->width), g->width);
}

static bool mem_operand_is_addressing(const Gen *g, unsigned reg) {
    return g->e.rm_mem && (g->e.mem.base == (int)reg || g->e.mem.index == (int)reg);
}

static void set_operand_values(Gen *g) {
    Encoding *e = &g->e;
    char regc = form_reg_class(g->f), rmc = form_rm_class(g->f);
    bool rm_gpr = !e->rm_mem && (rmc == 'E' || rmc == 'R');
    if ((regc == 'G' || g->t->plus == 'r') && !mem_operand_is_addressing(g, e->reg))
        set_reg_value(g, e->reg);
    if (rm_gpr) set_reg_value(g, e->rm_reg);
    if (form_has_vvvv(g->f) && !mem_operand_is_addressing(g, e->vreg)) set_reg_value(g, e->vreg);
    if (e->rm_mem && g->f->gen != G_LEA) {
        uint64_t v[2] = {val_width(g->r, 8), val_width(g->r, 8)};
        if (g->uses_xmm)
            vec_value(g->r, g->f->gen, v);
        else if (g->width < 8)
            v[0] = (v[0] & ~mask_of(g->width)) | val_width(g->r, g->width);
        put_mem(g, g->ea, v, g->msize < 16 ? 8 : 16);
    }
    for (unsigned i = 0; i < 2; i++) {
        Encoding tmp = *e;
        unsigned n = diff_imm_bytes(g->t->imm[i], &tmp);
        e->imm[i] = n ? val_width(g->r, n) : 0;
    }
    if (g->f->gen == G_ACC || g->f->gen == G_MUL)
        *gpr(g, RAX) = with_low(*gpr(g, RAX), val_width(g->r, g->width), g->width);
    if (g->f->gen == G_MUL)
        *gpr(g, RDX) = with_low(*gpr(g, RDX), val_width(g->r, g->width), g->width);
}

/* ---- selectors and far targets ---- */

/* Selectors worth trying against Linux's GDT: its user segments, null,
 * other GDT entries with every RPL, LDT selectors (Linux has no LDT),
 * beyond the GDT, anything. */
static uint16_t pick_selector(Rng *r) {
    static const uint16_t user[] = {DIFF_SEL_DATA, DIFF_SEL_CODE64, DIFF_SEL_CODE32};
    switch (rng_below(r, 10)) {
    case 0:
    case 1:
    case 2:
    case 3:
        return user[rng_below(r, 3)];
    case 4:
        return (uint16_t)rng_below(r, 4);
    case 5:
    case 6: { /* not 15: Linux's per-CPU entry, its limit is the CPU number */
        unsigned i = rng_below(r, 31);
        return (uint16_t)((i < 15 ? i : i + 1) * 8 + rng_below(r, 4));
    }
    case 7:
        return (uint16_t)(rng_below(r, 32) * 8 + 4 + rng_below(r, 4));
    case 8:
        return (uint16_t)((32 + rng_below(r, 256)) * 8 + rng_below(r, 4));
    default: {
        uint16_t s = (uint16_t)rng_next(r);
        return (s & 0xfff8) == 0x78 ? (uint16_t)(s ^ 0x100) : s;
    }
    }
}

/* A landing address for a far transfer to `sel`: the pad of the code page
 * of that mode (0x33: 64-bit, 0x23: compatibility), or of the current one. */
static uint64_t far_target(Gen *g, uint16_t sel) {
    uint64_t page = (sel & ~3u) == (DIFF_SEL_CODE32 & ~3u) ? DIFF_CODE32
                    : (sel & ~3u) == (DIFF_SEL_CODE64 & ~3u)
                        ? DIFF_CODE64
                        : (g->c->compat ? DIFF_CODE32 : DIFF_CODE64);
    uint64_t t = page + DIFF_PAD_OFFSET + rng_below(g->r, 0x1000 - DIFF_PAD_OFFSET);
    if (t >= page + DIFF_SLOT_OFFSET && t < page + DIFF_SLOT_OFFSET + 32) t += 32;
    return t;
}

/* Store `v` as an n-byte slot and return the next address. */
static uint64_t put_slot(Gen *g, uint64_t at, uint64_t v, unsigned n) {
    put_mem(g, at, &v, n);
    return at + n;
}

static void gen_far(Gen *g) {
    Rng *r = g->r;
    DiffCase *c = g->c;
    unsigned w = g->e.opsize; /* 4 or 8: the offset's size, and the stack slots' */
    uint16_t sel = pick_selector(r);
    uint64_t at = c->in.gpr[RSP];
    switch (g->f->gen) {
    case G_FAR: /* m16:32 / m16:64 */
        put_slot(g, put_slot(g, g->ea, far_target(g, sel), w), sel, 2);
        break;
    case G_RETF:
        put_slot(g, put_slot(g, at, far_target(g, sel), w), sel | (rng_next(r) & 0xffff0000u), w);
        break;
    case G_IRET: {
        uint64_t fl = (rng_next(r) & 0x3f7fd5u & ~0x100u) | 0x2; /* TF clear */
        /* With AC = 1 in the image an Intel core reads SS:RSP with alignment
         * checking on: a misaligned stack then takes #AC inside IRET, which
         * Linux mistakes for a split-lock #AC (the saved RFLAGS.AC is 0) and
         * restarts forever.  Keep the stack aligned in that case. */
        if (fl & 0x40000u) {
            at &= ~(uint64_t)(w - 1);
            c->in.gpr[RSP] = at;
        }
        at = put_slot(g, at, far_target(g, sel), w);
        at = put_slot(g, at, sel, w);
        at = put_slot(g, at, fl, w);
        at = put_slot(g, at, rng_below(r, 2) ? DIFF_STACK - 8 * rng_below(r, 64) : rng_next(r), w);
        put_slot(g, at, rng_below(r, 4) ? DIFF_SEL_DATA : pick_selector(r), w);
        break;
    }
    case G_POPSEL:
        put_slot(g, at, pick_selector(r) | (rng_next(r) & ~UINT64_C(0xffff)), w);
        break;
    case G_FARPTR: { /* LSS/LDS/LES: offset of the operand size, then the selector */
        uint16_t s = rng_below(r, 2) ? DIFF_SEL_DATA : sel;
        put_slot(g, put_slot(g, g->ea, val_width(r, w), w), s, 2);
        break;
    }
    default:
        break;
    }
}

/* ---- per-generator work before encoding ---- */

static const uint8_t shift_counts[] = {0,  1,  2,  7,  8,  9,  15,  16,  17,
                                       31, 32, 33, 63, 64, 65, 127, 128, 255};

static uint8_t pick_count(Gen *g) {
    unsigned bits = 8 * g->width;
    switch (rng_below(g->r, 6)) {
    case 0:
        return (uint8_t)(bits - 1);
    case 1:
        return (uint8_t)bits;
    case 2:
        return (uint8_t)(bits + 1);
    case 3:
        return (uint8_t)rng_next(g->r);
    default:
        return shift_counts[rng_below(g->r, sizeof(shift_counts))];
    }
}

static void gen_shift_count(Gen *g) {
    const Template *t = g->t;
    uint8_t count = pick_count(g);
    if (count_is_one(t))
        count = 1;
    else if (count_in_cl(t))
        *gpr(g, RCX) = (rng_next(g->r) & ~UINT64_C(0xff)) | count;
    else if (t->imm[0] == 'b')
        g->e.imm[0] = count;
    else if (t->vex_map && form_has_vvvv(g->f))
        *gpr(g, g->e.vreg) = (rng_below(g->r, 2) ? rng_next(g->r) & ~UINT64_C(0xff) : 0) | count;
    g->c->count = count;
}

static uint64_t stack_pointer(Gen *g) {
    unsigned k = rng_below(g->r, 100);
    if (k < 80) return DIFF_STACK - 8 * rng_below(g->r, 32);
    if (k < 85) return DIFF_STACK - rng_below(g->r, 256);  /* misaligned */
    if (k < 90) return DIFF_SCRATCH + rng_below(g->r, 24); /* pushes run onto the read-only page */
    if (k < 95) return SCRATCH_END - rng_below(g->r, 24);  /* pops run into the guard page */
    return DIFF_SCRATCH + 0x1000 + 8 - rng_below(g->r, 16);
}

/* A landing address in the INT3 pad within [lo, hi], not inside the instruction. */
static bool pick_target(Gen *g, uint64_t lo, uint64_t hi, uint64_t *out) {
    uint64_t page = g->c->compat ? DIFF_CODE32 : DIFF_CODE64;
    uint64_t slot = page + DIFF_SLOT_OFFSET;
    if (lo < page + DIFF_PAD_OFFSET) lo = page + DIFF_PAD_OFFSET;
    if (hi > page + 0xfff) hi = page + 0xfff;
    for (unsigned tries = 0; tries < 16; tries++) {
        uint64_t t = lo + rng_next(g->r) % (hi - lo + 1);
        if (tries < 2 && rng_below(g->r, 3) == 0)
            t = rng_below(g->r, 2) ? lo : hi; /* the displacement's extremes */
        if (t >= slot && t < slot + DIFF_MAX_INSN) continue;
        *out = t;
        return true;
    }
    return false;
}

static void gen_string_compare_data(Gen *g, const uint64_t addr[2], uint64_t n, bool down) {
    unsigned w = g->width;
    uint8_t op = last_opcode(g->t);
    bool scas = (op & 0xfe) == 0xae;
    uint64_t stop = rng_below(g->r, (unsigned)n + 2);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t step = down ? (uint64_t)0 - i * w : i * w;
        uint64_t el = scas ? *gpr(g, RAX) : get_mem(g, addr[0] + step, w);
        bool equal = (i != stop) == !g->e.repne;
        if (!equal) el ^= UINT64_C(1) << rng_below(g->r, 8 * w);
        put_mem(g, addr[1] + step, &el, w);
    }
}

/* RSI, RDI, RCX for a string instruction; CMPS/SCAS get data that makes
 * REPE/REPNE run for a while. */
static void gen_string(Gen *g) {
    Rng *r = g->r;
    unsigned w = g->width;
    bool down = (g->c->in.rflags & FL_DF) != 0;
    bool rep = g->e.rep || g->e.repne;
    bool addr32 = g->e.addr_prefix || g->c->compat;
    uint64_t n = rep ? (rng_below(r, 3) ? rng_below(r, 9) : rng_below(r, 64)) : 1;
    uint64_t span = n * w, addr[2];
    for (unsigned i = 0; i < 2; i++) {
        uint64_t off = rng_next(r) % (DIFF_SCRATCH_SIZE - span + 1);
        addr[i] = DIFF_SCRATCH + off + (down && span ? span - w : 0);
        if (rng_below(r, 20) == 0) /* runs off the block: #PF part-way */
            addr[i] = down ? DIFF_SCRATCH + rng_below(r, 32) : SCRATCH_END - rng_below(r, 32);
    }
    /* With a 32-bit address size only ESI, EDI and ECX count. */
    *gpr(g, RSI) = addr[0] | (addr32 ? rng_next(r) << 32 : 0);
    *gpr(g, RDI) = addr[1] | (addr32 ? rng_next(r) << 32 : 0);
    uint64_t rcx = rep ? n : rng_next(r);
    if (rep && addr32) rcx |= rng_next(r) << 32;
    *gpr(g, RCX) = rcx;
    *gpr(g, RAX) = val_width(r, 8);
    uint8_t op = last_opcode(g->t);
    if ((op & 0xfe) == 0xa6 || (op & 0xfe) == 0xae) gen_string_compare_data(g, addr, n, down);
}

/* Memory operands of the x87 generators. */
static void put_f80(uint8_t *p, const uint64_t v[2]) {
    memcpy(p, &v[0], 8);
    memcpy(p + 8, &v[1], 2);
}

/* FLDCW's word, the FLDENV environment, the FRSTOR image (SDM Vol. 1 8.1.10,
 * Figures 8-9 to 8-12): a random x87 state in the 32- or 16-bit layout, the
 * pointer fields random. */
static void x87_env_image(Gen *g, uint8_t *buf) {
    DiffRegs st;
    Rng *r = g->r;
    init_x87(r, G_X87, &st);
    bool b16 = g->e.opsize == 2;
    memcpy(buf, &st.fcw, 2);
    memcpy(buf + (b16 ? 2 : 4), &st.fsw, 2);
    uint16_t ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        ftw = (uint16_t)(ftw | ((st.ftw >> p) & 1 ? rng_below(r, 3) : 3u) << (2 * p));
    if (g->f->gen != G_CW) memcpy(buf + (b16 ? 4 : 8), &ftw, 2);
    for (unsigned i = 0; g->f->gen == G_FSAVE && i < 8; i++)
        put_f80(buf + (b16 ? 14 : 28) + 10 * i, st.st[i]);
}

/* FXRSTOR's image (SDM Vol. 2 FXSAVE, Table 3-53); MXCSR sometimes invalid (#GP). */
static void fxsave_image(Gen *g, uint8_t *buf) {
    DiffRegs st;
    Rng *r = g->r;
    init_x87(r, G_X87, &st);
    memcpy(buf, &st.fcw, 2);
    memcpy(buf + 2, &st.fsw, 2);
    buf[4] = st.ftw;
    buf[5] = 0;
    uint32_t mxcsr = 0x1f80 ^ (uint32_t)(rng_next(r) & 0xffbf);
    if (rng_below(r, 10) == 0) mxcsr |= 1u << (16 + rng_below(r, 16));
    memcpy(buf + 24, &mxcsr, 4);
    for (unsigned i = 0; i < 8; i++)
        put_f80(buf + 32 + 16 * i, st.st[i]);
}

/* Packed BCD: 18 digits and a sign byte; sometimes invalid digits. */
static void bcd_image(Rng *r, uint8_t *buf) {
    for (unsigned i = 0; i < 9; i++)
        buf[i] = (uint8_t)(rng_below(r, 10) << 4 | rng_below(r, 10));
    buf[9] = rng_below(r, 2) ? 0x80 : 0;
    if (rng_below(r, 10) == 0) buf[rng_below(r, 10)] = (uint8_t)rng_next(r);
}

static void x87_memory(Gen *g) {
    Rng *r = g->r;
    uint8_t buf[512];
    uint64_t v[2];
    for (unsigned i = 0; i < sizeof(buf); i += 8) {
        v[0] = rng_next(r);
        memcpy(buf + i, &v[0], 8);
    }
    switch (g->f->gen) {
    case G_F32:
        v[0] = f32_value(r);
        memcpy(buf, &v[0], 4);
        break;
    case G_F64:
        v[0] = f64_value(r);
        memcpy(buf, &v[0], 8);
        break;
    case G_F80:
        f80_value(r, v);
        put_f80(buf, v);
        break;
    case G_I16:
    case G_I32:
    case G_I64:
        v[0] = val_width(r, g->msize);
        memcpy(buf, &v[0], 8);
        break;
    case G_BCD80:
        bcd_image(r, buf);
        break;
    case G_CW:
    case G_FENV:
    case G_FSAVE:
        x87_env_image(g, buf);
        break;
    case G_FXSAVE:
        fxsave_image(g, buf);
        break;
    default:
        return;
    }
    put_mem(g, g->ea, buf, g->msize);
}

static void gen_loop_count(Gen *g) {
    static const uint64_t v[] = {0,          1, 2, 3, UINT64_C(0x100000000), UINT64_C(0x100000001),
                                 0xffffffffu};
    *gpr(g, RCX) = rng_below(g->r, 3) ? v[rng_below(g->r, 7)] : rng_next(g->r);
}

/* POPF: any image but TF (a single-step trap would follow on the host). */
static void gen_popf_image(Gen *g) {
    uint64_t img = rng_next(g->r) & ~(uint64_t)FL_TF;
    if (rng_below(g->r, 2)) img &= 0xffffffffu;
    put_mem(g, g->c->in.gpr[RSP], &img, 8);
}

/* ENTER: nesting level n reads n-1 frame pointers below RBP. */
static void gen_enter(Gen *g) {
    Rng *r = g->r;
    *gpr(g, RBP) = DIFF_SCRATCH + 0x200 + 8 * rng_below(r, 0x380) + (rng_below(r, 8) == 0);
    unsigned k = rng_below(r, 10);
    g->e.imm[0] = k < 7 ? 8 * rng_below(r, 16) : rng_next(r) & 0xffff;
    k = rng_below(r, 10);
    g->e.imm[1] = k < 4 ? 0 : k < 6 ? 1 : k < 8 ? 2 + rng_below(r, 3) : rng_below(r, 256);
}

/* AAA..AAM: AL decimal-looking half the time; AAM/AAD base 10 mostly, 0 (#DE). */
static void gen_bcd(Gen *g) {
    Rng *r = g->r;
    uint64_t al = rng_below(r, 2) ? (rng_below(r, 10) << 4 | rng_below(r, 10)) : rng_below(r, 256);
    *gpr(g, RAX) = with_low(*gpr(g, RAX), al, 1);
    unsigned k = rng_below(r, 10);
    g->e.imm[0] = k < 6 ? 10 : k == 6 ? 0 : rng_below(r, 256);
}

/* CMPXCHG8B/16B: EDX:EAX (RDX:RAX) equal to memory half the time. */
static void gen_cx8(Gen *g) {
    Rng *r = g->r;
    bool b8 = g->e.opsize != 8;
    uint64_t m[2] = {rng_next(r), rng_next(r)};
    if (rng_below(r, 8) == 0) m[0] = m[1] = 0;
    put_mem(g, g->ea, m, g->msize);
    bool eq = rng_below(r, 2);
    uint64_t lo = eq ? m[0] : rng_next(r), hi = eq ? m[1] : rng_next(r);
    if (b8) { /* CMPXCHG8B: EDX:EAX against the quadword */
        hi = lo >> 32;
        lo &= 0xffffffffu;
    }
    *gpr(g, RAX) = (rng_next(r) << 32 * b8) | lo;
    *gpr(g, RDX) = (rng_next(r) << 32 * b8) | hi;
    *gpr(g, RBX) = rng_next(r);
    *gpr(g, RCX) = rng_next(r);
}

static void gen_before_encode(Gen *g) {
    Rng *r = g->r;
    bool stack = is_stack_gen(g->f->gen) || (g->f->attr & A_STACK);
    if (stack && g->f->gen != G_LEAVE) g->c->in.gpr[RSP] = stack_pointer(g);
    switch (g->f->gen) {
    case G_SHIFT:
        gen_shift_count(g);
        break;
    case G_STR:
        gen_string(g);
        break;
    case G_LOOP:
        gen_loop_count(g);
        break;
    case G_LEAVE:
        *gpr(g, RBP) = stack_pointer(g);
        break;
    case G_POPF:
        gen_popf_image(g);
        break;
    case G_MASKMOV:
        *gpr(g, RDI) = DIFF_SCRATCH + rng_below(r, DIFF_SCRATCH_SIZE - 16);
        break;
    case G_ENTER:
        gen_enter(g);
        break;
    case G_XGETBV: /* XCR0, or an invalid index: #GP */
        *gpr(g, RCX) = rng_below(r, 5) ? rng_next(r) << 32 : 2 + rng_below(r, 64);
        break;
    case G_FAR:
    case G_RETF:
    case G_IRET:
    case G_POPSEL:
    case G_FARPTR:
        gen_far(g);
        break;
    case G_BCD:
        gen_bcd(g);
        break;
    case G_CX8:
        gen_cx8(g);
        break;
    default:
        if (g->e.rm_mem && is_x87_gen(g->f->gen) && g->f->gen != G_MMX) x87_memory(g);
        break;
    }
}

/* ---- the r/m operand after encoding ---- */

/* The register an encoded r/m number names: AH..BH are bits 15:8 of
 * RAX..RBX in 8-bit forms without REX. */
static unsigned rm_register(const Gen *g, unsigned bytes, unsigned *shift) {
    unsigned reg = g->e.rm_reg;
    *shift = 0;
    if (bytes == 1 && reg >= 4 && reg < 8 && !g->e.has_rex) {
        *shift = 8;
        return reg - 4;
    }
    return reg;
}

static uint64_t read_rm(Gen *g, unsigned bytes) {
    if (g->e.rm_mem) return get_mem(g, g->ea, bytes);
    unsigned shift, reg = rm_register(g, bytes, &shift);
    return (*gpr(g, reg) >> shift) & mask_of(bytes);
}

static void write_rm(Gen *g, uint64_t v, unsigned bytes) {
    if (g->e.rm_mem) {
        put_mem(g, g->ea, &v, bytes);
        return;
    }
    unsigned shift, reg = rm_register(g, bytes, &shift);
    uint64_t m = mask_of(bytes) << shift;
    *gpr(g, reg) = (*gpr(g, reg) & ~m) | ((v << shift) & m);
}

static void patch(Gen *g, int off, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++)
        g->e.bytes[off + (int)i] = (uint8_t)(v >> (8 * i));
}

static uint64_t slot_address(const Gen *g) {
    return g->c->compat ? DIFF_INSN32 : DIFF_INSN64;
}

static bool gen_relative_target(Gen *g) {
    uint64_t next = slot_address(g) + g->e.len;
    unsigned n = g->e.imm_len[0];
    int64_t reach = n == 1 ? 128 : 0x1000;
    uint64_t t;
    if (!pick_target(g, next - (uint64_t)reach, next + (uint64_t)reach - 1, &t)) return false;
    patch(g, g->e.imm_off[0], t - next, n);
    return true;
}

static bool gen_indirect_target(Gen *g) {
    uint64_t page = g->c->compat ? DIFF_CODE32 : DIFF_CODE64, t;
    if (g->e.rm_mem && g->ea < DIFF_SCRATCH)
        return false; /* a target read partly from the read-only page is not ours */
    if (!pick_target(g, page, page + 0xfff, &t)) return false;
    if (!g->c->compat && rng_below(g->r, 24) == 0)
        t ^= NONCANONICAL << rng_below(g->r, 2); /* #GP on the branch */
    write_rm(g, t, g->c->compat ? 4 : 8);
    return true;
}

static void gen_divide(Gen *g) {
    Rng *r = g->r;
    unsigned w = g->width;
    unsigned shift, reg = rm_register(g, w, &shift);
    if (!g->e.rm_mem && (reg == RAX || reg == RDX))
        return; /* the divisor is part of the dividend */
    uint64_t m = mask_of(w);
    uint64_t d = read_rm(g, w);
    if (rng_below(r, 16) == 0) {
        d = 0;
        write_rm(g, d, w);
    }
    bool idiv = g->t->modrm == 7;
    uint64_t lo = val_width(r, w), hi;
    unsigned k = rng_below(r, 10);
    if (k < 6)
        hi = idiv ? ((lo >> (8 * w - 1)) & 1 ? m : 0) : (d ? rng_next(r) % d : 0);
    else
        hi = val_width(r, w);
    if (w == 1) {
        *gpr(g, RAX) = with_low(*gpr(g, RAX), (hi << 8) | lo, 2);
    } else {
        *gpr(g, RAX) = with_low(*gpr(g, RAX), lo, w);
        *gpr(g, RDX) = with_low(*gpr(g, RDX), hi, w);
    }
}

/* BT m, r: the bit offset reaches a byte inside the scratch block. */
static void gen_bit_offset(Gen *g) {
    if (!g->e.rm_mem) return;
    unsigned w = g->width;
    int64_t lo = -(int64_t)(g->ea - DIFF_SCRATCH), hi = (int64_t)(SCRATCH_END - g->ea) - (int64_t)w;
    int64_t lim = w == 2 ? 4000 : 1 << 20;
    if (lo < -lim) lo = -lim;
    if (hi > lim) hi = lim;
    if (hi < lo) hi = lo;
    int64_t byte = lo + (int64_t)(rng_next(g->r) % (uint64_t)(hi - lo + 1));
    uint64_t off = (uint64_t)(byte * 8 + (int64_t)rng_below(g->r, 8));
    if (g->ea < DIFF_SCRATCH || g->ea >= SCRATCH_END)
        off = rng_below(g->r, 8 * w); /* off the block: the operand itself */
    *gpr(g, g->e.reg) = with_low(rng_next(g->r), off, w);
}

static bool gen_return_target(Gen *g) {
    uint64_t t;
    if (!pick_target(g, 0, ~UINT64_C(0), &t)) return false;
    put_mem(g, g->c->in.gpr[RSP], &t, g->c->compat ? 4 : 8);
    return true;
}

/* MOV moffs: the absolute address in the immediate. */
static void gen_moffs(Gen *g) {
    uint64_t a = pick_ea(g);
    if (!g->c->compat && !g->e.addr_prefix && rng_below(g->r, 2) == 0)
        a = DIFF_SCRATCH + rng_below(g->r, DIFF_SCRATCH_SIZE - 8);
    patch(g, g->e.imm_off[0], a, g->e.imm_len[0]);
    g->ea = a;
}

static void gen_xlat(Gen *g) {
    Rng *r = g->r;
    uint64_t base = DIFF_SCRATCH + rng_below(r, DIFF_SCRATCH_SIZE - 256);
    *gpr(g, RBX) = base | (g->c->compat || g->e.addr_prefix ? rng_next(r) << 32 : 0);
    *gpr(g, RAX) = with_low(*gpr(g, RAX), rng_below(r, 256), 1);
}

/* PSRLW etc.: counts around the element widths, in imm8 or the source's low quadword. */
static void gen_packed_shift(Gen *g) {
    Rng *r = g->r;
    if (g->t->imm[0] == 'b') {
        static const uint8_t v[] = {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255};
        patch(g, g->e.imm_off[0], rng_below(r, 3) ? v[rng_below(r, 14)] : rng_next(r), 1);
    } else if (rng_below(r, 4)) {
        uint64_t cnt[2] = {rng_below(r, 70), rng_next(r)};
        if (g->e.rm_mem)
            put_mem(g, g->ea, cnt, 16);
        else
            g->c->in.xmm[g->e.rm_reg][0] = cnt[0];
    }
}

/* BOUND: a signed range (usually ordered) and an index near its ends. */
static void gen_bound(Gen *g) {
    Rng *r = g->r;
    unsigned w = g->width;
    uint64_t lo = val_width(r, w), hi = val_width(r, w), m = mask_of(w);
    uint64_t top = UINT64_C(1) << (8 * w - 1);
    if (((lo ^ top) & m) > ((hi ^ top) & m) && rng_below(r, 4)) { /* signed lo > hi */
        uint64_t t = lo;
        lo = hi;
        hi = t;
    }
    uint64_t idx = rng_below(r, 4) ? lo + rng_below(r, 5) - 2 : hi + rng_below(r, 5) - 2;
    if (rng_below(r, 4) == 0) idx = val_width(r, w);
    put_mem(g, g->ea, &lo, w);
    put_mem(g, g->ea + w, &hi, w);
    *gpr(g, g->e.reg) = with_low(*gpr(g, g->e.reg), idx, w);
}

/* LDMXCSR: any control and flag bits; a reserved bit one time in ten (#GP). */
static void gen_mxcsr_image(Gen *g) {
    uint32_t v = (uint32_t)(rng_next(g->r) & 0xffff);
    if (rng_below(g->r, 10) == 0) v |= 1u << (16 + rng_below(g->r, 16));
    put_mem(g, g->ea, &v, 4);
}

static bool gen_after_encode(Gen *g) {
    Rng *r = g->r;
    unsigned w = g->width;
    switch (g->f->gen) {
    case G_JREL:
    case G_LOOP:
        return gen_relative_target(g);
    case G_JIND:
        return gen_indirect_target(g);
    case G_RET:
        return gen_return_target(g);
    case G_DIV:
        gen_divide(g);
        break;
    case G_BT:
        gen_bit_offset(g);
        break;
    case G_ZERO:
        if (rng_below(r, 5) == 0) write_rm(g, 0, w);
        break;
    case G_SEL:
        write_rm(g, pick_selector(r) | (rng_next(r) & ~UINT64_C(0xffff)), g->e.rm_mem ? 2 : 8);
        break;
    case G_CMPXCHG:
        if (rng_below(r, 2)) *gpr(g, RAX) = with_low(*gpr(g, RAX), read_rm(g, w), w);
        break;
    case G_MOFFS:
        gen_moffs(g);
        break;
    case G_XLAT:
        gen_xlat(g);
        break;
    case G_PSHIFT:
        gen_packed_shift(g);
        break;
    case G_BOUND:
        gen_bound(g);
        break;
    case G_MXCSR:
        gen_mxcsr_image(g);
        break;
    default:
        break;
    }
    return true;
}

/* ---- registers, flags, XMM before anything else ---- */

static void init_state(Gen *g) {
    Rng *r = g->r;
    DiffCase *c = g->c;
    for (unsigned i = 0; i < 16; i++)
        c->in.gpr[i] = val_width(r, 8);
    c->in.gpr[RSP] = DIFF_STACK;
    uint64_t fl = RFLAGS_FIXED | (rng_next(r) & FL_ARITH);
    if (rng_below(r, 3) == 0) fl |= FL_DF;
    if (rng_below(r, 32) == 0) fl |= FL_AC;
    if (rng_below(r, 16) == 0) fl |= FL_ID;
    c->in.rflags = fl;
    c->in.mxcsr = 0x1f80;
    GenKind gk = g->f->gen;
    for (unsigned i = 0; i < 16; i++)
        vec_value(r, gk == G_PS || gk == G_PD ? gk : G_XMM, c->in.xmm[i]);
    if (gk == G_PS || gk == G_PD) {
        uint32_t m = 0x1f80;
        m = (m & ~0x6000u) | (uint32_t)rng_below(r, 4) << 13; /* rounding control */
        if (rng_below(r, 4) == 0) m |= 0x8000;                /* FTZ */
        if (rng_below(r, 4) == 0) m |= 0x40;                  /* DAZ */
        m |= (uint32_t)rng_next(r) & 0x3f;                    /* sticky flags */
        if (rng_below(r, 8) == 0)
            m &= ~(uint32_t)(rng_next(r) & 0x1f80); /* some exceptions unmasked: #XM */
        c->in.mxcsr = m;
    }
    init_x87(r, gk, &c->in);
    c->in.sel[DIFF_SEL_CS] = c->compat ? DIFF_SEL_CODE32 : DIFF_SEL_CODE64;
    c->in.sel[DIFF_SEL_SS] = c->in.sel[DIFF_SEL_DS] = c->in.sel[DIFF_SEL_ES] = DIFF_SEL_DATA;
    memcpy(c->mem, background, sizeof(background));
}

static void finish(Gen *g) {
    DiffCase *c = g->c;
    Encoding *e = &g->e;
    if (e->rm_mem && e->mem.riprel && !c->compat && e->disp_off >= 0)
        patch(g, e->disp_off, g->ea - (slot_address(g) + e->len), 4);
    memcpy(c->bytes, e->bytes, e->len);
    c->len = (uint8_t)e->len;
    c->opsize = (uint8_t)g->width;
    c->reg_field = (uint8_t)e->reg;
    c->rm_reg = e->rm_mem || g->t->modrm < 0 ? 0xff : (uint8_t)e->rm_reg;
    c->ea = e->rm_mem ? g->ea : 0;
    c->src = g->t->modrm >= 0 ? read_rm(g, g->width) : 0;
}

static bool try_case(Gen *g) {
    g->reserved = 0;
    memset(&g->e, 0, sizeof(g->e));
    if (!choose_mode_and_size(g)) return false;
    init_state(g);
    choose_prefixes(g);
    choose_registers(g);
    reserve_implicit(g);
    if (g->e.rm_mem && g->t->modrm >= 0 && !choose_addressing(g)) return false;
    if (g->t->modrm < 0) g->e.rm_mem = false;
    set_operand_values(g);
    gen_before_encode(g);
    if (!diff_encode(g->t, g->f, &g->e)) return false;
    if (!gen_after_encode(g)) return false;
    finish(g);
    return true;
}

void diff_gen_case(uint64_t seed, unsigned fi, uint64_t n, DiffCase *c) {
    Rng r = {seed * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)fi << 40 ^ n};
    (void)rng_next(&r);
    Gen g = {.r = &r, .f = &diff_forms[fi], .t = &templates[fi], .c = c};
    memset(c, 0, offsetof(DiffCase, mem));
    c->form = fi;
    for (unsigned tries = 0; tries < 64; tries++) {
        if (try_case(&g)) return;
    }
    c->len = 0; /* cannot be generated: the caller skips it */
}

bool diff_gen_init(uint64_t seed, char *err, size_t errlen) {
    for (unsigned i = 0; i < diff_form_count; i++) {
        if (!diff_template_parse(diff_forms[i].tmpl, &templates[i]) ||
            strlen(diff_forms[i].ops) < 2) {
            snprintf(err, errlen, "forms.def: bad form %u (%s \"%s\")", i, diff_forms[i].name,
                     diff_forms[i].tmpl);
            return false;
        }
    }
    Rng r = {seed ^ UINT64_C(0x5ca1ab1e)};
    for (unsigned i = 0; i < sizeof(background); i += 8) {
        uint64_t v = rng_next(&r);
        memcpy(background + i, &v, 8);
    }
    return true;
}
