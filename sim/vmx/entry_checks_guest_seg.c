/* SDM 26.3.1.2 "Checks on Guest Segment Registers" (rows of
 * entry_checks_guest.def).  The guest segment fields are in SEG_* order
 * (ES, CS, SS, DS, FS, GS, LDTR, TR) in vmcs_fields.def, as vmx_segments.c
 * uses them. */
#include "sim/vmx/entry_check_util.h"

#define AR_RSVD_LOW UINT64_C(0xf00)
#define AR_RSVD_HIGH UINT64_C(0xfffe0000)
#define AR_V86 UINT64_C(0xf3) /* type 3, S, DPL 3, P */

static uint64_t sel(const EntryCtx *c, unsigned s) { return c->f[VMCS_GUEST_ES_SELECTOR + s]; }
static uint64_t base(const EntryCtx *c, unsigned s) { return c->f[VMCS_GUEST_ES_BASE + s]; }
static uint64_t limit(const EntryCtx *c, unsigned s) { return c->f[VMCS_GUEST_ES_LIMIT + s]; }
static uint64_t ar(const EntryCtx *c, unsigned s) { return c->f[VMCS_GUEST_ES_ACCESS_RIGHTS + s]; }

static unsigned type(const EntryCtx *c, unsigned s) { return ar(c, s) & AR_TYPE_MASK; }
static unsigned dpl(const EntryCtx *c, unsigned s) { return (ar(c, s) >> AR_DPL_SHIFT) & 3; }
static unsigned rpl(const EntryCtx *c, unsigned s) { return sel(c, s) & 3; }
static bool usable(const EntryCtx *c, unsigned s) { return !(ar(c, s) & AR_UNUSABLE); }

/* "The guest will be virtual-8086 if the VM flag (bit 17) is 1 in the RFLAGS field." */
static bool v86(const EntryCtx *c) { return (F(GUEST_RFLAGS) & RFLAGS_VM) != 0; }

/* Which registers the access-rights sub-field rules apply to: CS, and SS,
 * DS, ES, FS, GS when usable, unless the guest is virtual-8086; TR always;
 * LDTR when usable. */
static bool ar_checked(const EntryCtx *c, unsigned s)
{
    if (s == SEG_TR)
        return true;
    if (s == SEG_LDTR)
        return usable(c, s);
    return !v86(c) && (s == SEG_CS || usable(c, s));
}

/* Selector fields: the TI flag (bit 2). */
static bool ti_clear(const EntryCtx *c, unsigned s) { return !(sel(c, s) & 4); }

/* Base-address fields: the virtual-8086 base, canonical bases, 32-bit bases. */
static bool v86_base_ok(const EntryCtx *c, unsigned s)
{
    return !v86(c) || base(c, s) == sel(c, s) << 4;
}

static bool base_canonical(const EntryCtx *c, unsigned s) { return canonical(base(c, s)); }

static bool base_high_ok(const EntryCtx *c, unsigned s)
{
    return !usable(c, s) || (base(c, s) >> 32) == 0;
}

/* Limit and access-rights fields of a virtual-8086 guest. */
static bool v86_limit_ok(const EntryCtx *c, unsigned s) { return !v86(c) || limit(c, s) == 0xffff; }
static bool v86_ar_ok(const EntryCtx *c, unsigned s) { return !v86(c) || ar(c, s) == AR_V86; }

/* DS, ES, FS, GS: accessed; code must be readable. */
static bool data_type_ok(const EntryCtx *c, unsigned s)
{
    unsigned t = type(c, s);
    bool readable = !(t & AR_TYPE_CODE) || (t & AR_TYPE_WRITABLE);
    return !ar_checked(c, s) || ((t & AR_TYPE_ACCESSED) && readable);
}

/* Code and data segments have S = 1; TR and LDTR are system segments (S = 0). */
static bool s_ok(const EntryCtx *c, unsigned s)
{
    bool system = s == SEG_TR || s == SEG_LDTR;
    return !ar_checked(c, s) || ((ar(c, s) & AR_S) == 0) == system;
}

/* DS, ES, FS, GS of type 0-11 (data or non-conforming code): DPL >= RPL. */
static bool data_dpl_ok(const EntryCtx *c, unsigned s)
{
    return !ar_checked(c, s) || type(c, s) > 11 || dpl(c, s) >= rpl(c, s);
}

static bool p_ok(const EntryCtx *c, unsigned s) { return !ar_checked(c, s) || (ar(c, s) & AR_P); }

static bool reserved_11_8_ok(const EntryCtx *c, unsigned s)
{
    return !ar_checked(c, s) || !(ar(c, s) & AR_RSVD_LOW);
}

static bool reserved_31_17_ok(const EntryCtx *c, unsigned s)
{
    return !ar_checked(c, s) || !(ar(c, s) & AR_RSVD_HIGH);
}

/* G: 0 if any of limit bits 11:0 is 0; 1 if any of limit bits 31:20 is 1. */
static bool g_ok(const EntryCtx *c, unsigned s)
{
    bool g = (ar(c, s) & AR_G) != 0;
    uint64_t lim = limit(c, s);
    return !ar_checked(c, s) || ((!g || (lim & 0xfff) == 0xfff) && (g || !(lim & 0xfff00000)));
}

/* check_GUEST_<REG>_<RULE>: one row per register and rule (entry_checks_guest.def). */
#define SEG_ROW(reg, rule, fn)                                                                     \
    bool check_GUEST_##reg##_##rule(const EntryCtx *c) { return fn(c, SEG_##reg); }
#define SEG_ROWS6(rule, fn)                                                                        \
    SEG_ROW(CS, rule, fn) SEG_ROW(SS, rule, fn) SEG_ROW(DS, rule, fn) SEG_ROW(ES, rule, fn)        \
    SEG_ROW(FS, rule, fn) SEG_ROW(GS, rule, fn)
#define SEG_ROWS8(rule, fn) SEG_ROWS6(rule, fn) SEG_ROW(TR, rule, fn) SEG_ROW(LDTR, rule, fn)

SEG_ROW(TR, SELECTOR_TI, ti_clear)
SEG_ROWS6(V86_BASE, v86_base_ok)
SEG_ROW(TR, BASE_CANONICAL, base_canonical)
SEG_ROW(FS, BASE_CANONICAL, base_canonical)
SEG_ROW(GS, BASE_CANONICAL, base_canonical)
SEG_ROW(SS, BASE_HIGH, base_high_ok)
SEG_ROW(DS, BASE_HIGH, base_high_ok)
SEG_ROW(ES, BASE_HIGH, base_high_ok)
SEG_ROWS6(V86_LIMIT, v86_limit_ok)
SEG_ROWS6(V86_AR, v86_ar_ok)
SEG_ROW(DS, TYPE, data_type_ok)
SEG_ROW(ES, TYPE, data_type_ok)
SEG_ROW(FS, TYPE, data_type_ok)
SEG_ROW(GS, TYPE, data_type_ok)
SEG_ROWS8(S, s_ok)
SEG_ROW(DS, DPL, data_dpl_ok)
SEG_ROW(ES, DPL, data_dpl_ok)
SEG_ROW(FS, DPL, data_dpl_ok)
SEG_ROW(GS, DPL, data_dpl_ok)
SEG_ROWS8(P, p_ok)
SEG_ROWS8(AR_RESERVED_11_8, reserved_11_8_ok)
SEG_ROWS8(G, g_ok)
SEG_ROWS8(AR_RESERVED_31_17, reserved_31_17_ok)

bool check_GUEST_LDTR_SELECTOR_TI(const EntryCtx *c)
{
    return !usable(c, SEG_LDTR) || ti_clear(c, SEG_LDTR);
}

bool check_GUEST_LDTR_BASE_CANONICAL(const EntryCtx *c)
{
    return !usable(c, SEG_LDTR) || base_canonical(c, SEG_LDTR);
}

bool check_GUEST_CS_BASE_HIGH(const EntryCtx *c) { return (base(c, SEG_CS) >> 32) == 0; }

/* "Unrestricted guest" = 0: SS.RPL = CS.RPL unless virtual-8086. */
bool check_GUEST_SS_SELECTOR_RPL(const EntryCtx *c)
{
    return v86(c) || rpl(c, SEG_SS) == rpl(c, SEG_CS);
}

/* "Unrestricted guest" = 0: type 3 is not allowed for CS. */
bool check_GUEST_CS_TYPE(const EntryCtx *c)
{
    unsigned t = type(c, SEG_CS);
    return v86(c) || t == 9 || t == 11 || t == 13 || t == 15;
}

bool check_GUEST_SS_TYPE(const EntryCtx *c)
{
    return !ar_checked(c, SEG_SS) || type(c, SEG_SS) == 3 || type(c, SEG_SS) == 7;
}

bool check_GUEST_CS_DPL_NONCONFORMING(const EntryCtx *c)
{
    unsigned t = type(c, SEG_CS);
    return v86(c) || (t != 9 && t != 11) || dpl(c, SEG_CS) == dpl(c, SEG_SS);
}

bool check_GUEST_CS_DPL_CONFORMING(const EntryCtx *c)
{
    unsigned t = type(c, SEG_CS);
    return v86(c) || (t != 13 && t != 15) || dpl(c, SEG_CS) <= dpl(c, SEG_SS);
}

/* "Unrestricted guest" = 0: SS.DPL = SS.RPL; the SS rule whether usable or not. */
bool check_GUEST_SS_DPL(const EntryCtx *c) { return v86(c) || dpl(c, SEG_SS) == rpl(c, SEG_SS); }

bool check_GUEST_CS_DB(const EntryCtx *c)
{
    return v86(c) || !ia32e_guest(c) || !(ar(c, SEG_CS) & AR_L) || !(ar(c, SEG_CS) & AR_DB);
}

bool check_GUEST_TR_TYPE(const EntryCtx *c)
{
    unsigned t = type(c, SEG_TR);
    return t == 11 || (t == 3 && !ia32e_guest(c));
}

bool check_GUEST_TR_UNUSABLE(const EntryCtx *c) { return usable(c, SEG_TR); }

bool check_GUEST_LDTR_TYPE(const EntryCtx *c)
{
    return !usable(c, SEG_LDTR) || type(c, SEG_LDTR) == 2;
}
