/*
 * A tiny x86 encoder for the forms table.  A template is the SDM opcode
 * column, space separated:
 *
 *   [VEX.[66|F2|F3.]0F38|0F3A]  VEX-encoded (3-byte C4 form; W from the size)
 *   [66|F2|F3]                  mandatory prefix, before REX
 *   XX [XX [XX]]                opcode bytes; the last may be XX+r or XX+c
 *   /r or /0../7                ModRM (reg field a register or a digit)
 *   ib iw id iz iv              immediate: 1, 2, 4, 2-or-4 by size, the size
 *   ia                          absolute address (moffs): the address size
 *   cb cz                       relative displacement: 1, or 4 bytes
 *
 * Legacy prefixes are emitted in the order LOCK, REP, segment, 67, 66, then
 * the mandatory prefix and REX.
 */
#include <stdlib.h>
#include <string.h>

#include "forms.h"

static bool parse_hex(const char *s, uint8_t *out) {
    char *end;
    unsigned long v = strtoul(s, &end, 16);
    if (end != s + 2 || v > 0xff) return false;
    *out = (uint8_t)v;
    return true;
}

static bool parse_vex(const char *tok, Template *t) {
    const char *p = tok + 4;
    if (strncmp(p, "66.", 3) == 0 || strncmp(p, "F3.", 3) == 0 || strncmp(p, "F2.", 3) == 0) {
        t->vex_pp = p[0] == '6' ? 1 : p[1] == '3' ? 2 : 3;
        p += 3;
    }
    if (strcmp(p, "0F38") == 0)
        t->vex_map = 2;
    else if (strcmp(p, "0F3A") == 0)
        t->vex_map = 3;
    else if (strcmp(p, "0F") == 0)
        t->vex_map = 1;
    else
        return false;
    return true;
}

static bool parse_imm(const char *tok, Template *t) {
    static const char *const names[] = {"ib", "iw", "id", "iz", "iv", "ia", "cb", "cz"};
    static const char codes[] = "bwdzvaBZ";
    for (unsigned i = 0; i < 8; i++) {
        if (strcmp(tok, names[i]) == 0) {
            t->imm[t->imm[0] ? 1 : 0] = codes[i];
            return true;
        }
    }
    return false;
}

static bool parse_token(const char *tok, Template *t) {
    size_t n = strlen(tok);
    if (strncmp(tok, "VEX.", 4) == 0) return parse_vex(tok, t);
    if (tok[0] == '/') {
        t->modrm = tok[1] == 'r' ? 8 : (int8_t)(tok[1] - '0');
        return n == 2 && t->modrm >= 0 && t->modrm <= 8;
    }
    if (parse_imm(tok, t)) return true;
    uint8_t b;
    if (!parse_hex(tok, &b)) return false;
    if (n == 4 && tok[2] == '+')
        t->plus = tok[3];
    else if (n != 2)
        return false;
    bool is_pfx = (b == 0x66 || b == 0xf2 || b == 0xf3) && t->nopc == 0 && !t->plus && !t->vex_map;
    if (is_pfx && t->npfx < 2) {
        t->pfx[t->npfx++] = b;
        return true;
    }
    if (t->nopc >= 3) return false;
    t->opc[t->nopc++] = b;
    return true;
}

bool diff_template_parse(const char *s, Template *t) {
    memset(t, 0, sizeof(*t));
    t->modrm = -1;
    char buf[96];
    if (strlen(s) >= sizeof(buf)) return false;
    strcpy(buf, s);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        if (!parse_token(tok, t)) return false;
    }
    /* A mandatory prefix with no opcode after it was the opcode (never here). */
    return t->nopc > 0;
}

/* ---- emission ---- */

static bool put(Encoding *e, uint8_t b) {
    if (e->len >= DIFF_MAX_INSN) return false;
    e->bytes[e->len++] = b;
    return true;
}

static bool put_le(Encoding *e, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        if (!put(e, (uint8_t)(v >> (8 * i)))) return false;
    }
    return true;
}

unsigned diff_imm_bytes(char code, const Encoding *e) {
    switch (code) {
    case 'b':
    case 'B':
        return 1;
    case 'w':
        return 2;
    case 'd':
    case 'Z':
        return 4;
    case 'z':
        return e->opsize == 2 ? 2 : 4;
    case 'v':
        return e->opsize >= 8 ? 8 : e->opsize;
    case 'a':
        return e->compat || e->addr_prefix ? 4 : 8;
    default:
        return 0;
    }
}

static bool emit_legacy_prefixes(const Template *t, const Form *f, Encoding *e) {
    bool ok = true;
    if (e->lock) ok &= put(e, 0xf0);
    if (e->rep || e->repne) ok &= put(e, e->repne ? 0xf2 : 0xf3);
    if (e->seg_prefix) ok &= put(e, e->seg_prefix);
    if (e->addr_prefix) ok &= put(e, 0x67);
    if (e->opsize == 2 && f->sizes[0] != '-') ok &= put(e, 0x66);
    for (unsigned i = 0; i < t->npfx; i++)
        ok &= put(e, t->pfx[i]);
    return ok;
}

/* The r/m register or memory base number that REX.B / VEX.B extends. */
static unsigned b_ext(const Template *t, const Encoding *e) {
    if (t->plus == 'r') return e->reg >> 3;
    if (t->modrm < 0) return 0;
    if (!e->rm_mem) return e->rm_reg >> 3;
    return e->mem.base >= 0 ? (unsigned)e->mem.base >> 3 : 0;
}

static unsigned x_ext(const Encoding *e) {
    return e->rm_mem && e->mem.index >= 0 ? (unsigned)e->mem.index >> 3 : 0;
}

static unsigned r_ext(const Template *t, const Encoding *e) {
    return t->modrm == 8 ? e->reg >> 3 : 0;
}

static bool rex_w(const Form *f, const Encoding *e) {
    return e->opsize == 8 && !(f->attr & A_D64) && strchr(f->sizes, 'q') != NULL;
}

/* 8-bit forms: registers 4-7 mean SPL..DIL only with a REX prefix. */
static bool needs_rex(const Template *t, const Form *f, const Encoding *e) {
    return rex_w(f, e) || r_ext(t, e) || x_ext(e) || b_ext(t, e) || e->rex_noise;
}

static bool emit_rex_or_vex(const Template *t, const Form *f, Encoding *e) {
    if (t->vex_map) {
        if (e->compat) return false;
        uint8_t b1 =
            (uint8_t)((!r_ext(t, e) << 7) | (!x_ext(e) << 6) | (!b_ext(t, e) << 5) | t->vex_map);
        uint8_t b2 = (uint8_t)(((e->opsize == 8) << 7) | ((~e->vreg & 15) << 3) | t->vex_pp);
        return put(e, 0xc4) && put(e, b1) && put(e, b2);
    }
    if (e->compat) {
        /* No REX: registers above 7 cannot be encoded. */
        return !(r_ext(t, e) || x_ext(e) || b_ext(t, e) || rex_w(f, e));
    }
    if (!needs_rex(t, f, e)) return true;
    e->has_rex = true;
    return put(e, (uint8_t)(0x40 | (rex_w(f, e) << 3) | (r_ext(t, e) << 2) | (x_ext(e) << 1) |
                            b_ext(t, e)));
}

static bool emit_opcode(const Template *t, Encoding *e) {
    for (unsigned i = 0; i < t->nopc; i++) {
        uint8_t b = t->opc[i];
        if (i == t->nopc - 1u && t->plus == 'r')
            b = (uint8_t)(b | (e->reg & 7));
        else if (i == t->nopc - 1u && t->plus == 'c')
            b = (uint8_t)(b | (e->cc & 15));
        if (!put(e, b)) return false;
    }
    return true;
}

static unsigned disp_mod(unsigned disp_len) {
    return disp_len == 0 ? 0 : disp_len == 1 ? 1 : 2;
}

static bool emit_memory(Encoding *e, unsigned regfield) {
    MemOperand *m = &e->mem;
    unsigned r = (regfield & 7) << 3;
    if (m->riprel || (m->absolute && e->compat)) {
        e->disp_off = (int)e->len + 1;
        return put(e, (uint8_t)(r | 5)) && put_le(e, (uint64_t)m->disp, 4);
    }
    if (m->absolute || m->base < 0) {
        /* [index*scale + disp32] or [disp32] through a SIB byte with no base */
        unsigned idx = m->index >= 0 ? ((unsigned)m->index & 7) : 4;
        e->disp_off = (int)e->len + 2;
        return put(e, (uint8_t)(r | 4)) && put(e, (uint8_t)((m->scale << 6) | (idx << 3) | 5)) &&
               put_le(e, (uint64_t)m->disp, 4);
    }
    if ((m->base & 7) == 5 && m->disp_len == 0)
        m->disp_len = 1; /* [rbp] / [r13] need a displacement */
    unsigned mod = disp_mod(m->disp_len) << 6;
    bool sib = m->index >= 0 || (m->base & 7) == 4;
    bool ok;
    if (sib) {
        unsigned idx = m->index >= 0 ? ((unsigned)m->index & 7) : 4;
        ok = put(e, (uint8_t)(mod | r | 4)) &&
             put(e, (uint8_t)((m->scale << 6) | (idx << 3) | ((unsigned)m->base & 7)));
    } else {
        ok = put(e, (uint8_t)(mod | r | ((unsigned)m->base & 7)));
    }
    e->disp_off = m->disp_len ? (int)e->len : -1;
    return ok && put_le(e, (uint64_t)m->disp, m->disp_len);
}

static bool emit_modrm(const Template *t, Encoding *e) {
    if (t->modrm < 0) return true;
    unsigned regfield = t->modrm == 8 ? e->reg : (unsigned)t->modrm;
    if (!e->rm_mem) return put(e, (uint8_t)(0xc0 | ((regfield & 7) << 3) | (e->rm_reg & 7)));
    return emit_memory(e, regfield);
}

static bool emit_immediates(const Template *t, Encoding *e) {
    for (unsigned i = 0; i < 2; i++) {
        e->imm_off[i] = -1;
        e->imm_len[i] = diff_imm_bytes(t->imm[i], e);
        if (!e->imm_len[i]) continue;
        e->imm_off[i] = (int)e->len;
        if (!put_le(e, e->imm[i], e->imm_len[i])) return false;
    }
    return true;
}

bool diff_encode(const Template *t, const Form *f, Encoding *e) {
    e->len = 0;
    e->disp_off = -1;
    e->has_rex = false;
    if (e->compat && (e->reg > 7 || (!e->rm_mem && e->rm_reg > 7))) return false;
    return emit_legacy_prefixes(t, f, e) && emit_rex_or_vex(t, f, e) && emit_opcode(t, e) &&
           emit_modrm(t, e) && emit_immediates(t, e);
}
