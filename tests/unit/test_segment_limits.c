/*
 * Limits of expand-down data segments (SDM Vol. 3A 3.4.5.1 "Code- and
 * Data-Segment Descriptor Types", 5.3 "Limit Checking"): for an
 * expand-down segment the valid offsets are limit + 1 up to FFFFH when
 * B = 0 and up to FFFFFFFFH when B = 1.  An access whose bytes all lie in
 * (limit, top] succeeds; one that touches an offset at or below the limit,
 * or beyond the top, faults: #GP(0), or #SS(0) through SS (SDM 6.15 "#SS").
 * The segments are loaded by MOV DS / MOV SS from the GDT, so the
 * descriptor's E, B and G bits are decoded as the processor does.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"

/* Expand-down, writable, accessed data, DPL 0 (access byte 97H). */
#define SEL_DOWN16 0x38u /* B = 0, G = 0: base 10000H, limit 0FFFH, top FFFFH */
#define SEL_DOWN32 0x40u /* B = 1, G = 1: base 200000H, limit FFFFH, top FFFFFFFFH */
#define BASE_DOWN16 0x10000u
#define BASE_DOWN32 0x200000u
#define MARKER 0x5a5a1234u
#define EAX_BEFORE 0xdeadbeefu

static const uint64_t down_descs[] = {0x0000970100000fffull, 0x00c097200000000full};

/* The flat GDT of gp_support.h plus the two expand-down segments. */
static Machine *limits_machine(void) {
    Machine *m = gp_flat32();
    test_poke(m, GP_GDT + SEL_DOWN16, down_descs, sizeof(down_descs));
    m->cpu.gdtr.limit = SEL_DOWN32 + 7;
    return m;
}

typedef enum { VIA_DS_READ, VIA_SS_READ, VIA_PUSH } Via;

typedef struct LimitCase {
    const char *what;
    uint16_t sel;
    Via via;
    uint32_t offset; /* EBX (DS read), EBP (SS read) or ESP before the PUSH */
    unsigned vector; /* 0: the access succeeds */
} LimitCase;

static const LimitCase limit_cases[] = {
    /* B = 0: (0FFFH, FFFFH] */
    {"DS B=0 read at limit + 1", SEL_DOWN16, VIA_DS_READ, 0x1000, 0},
    {"DS B=0 dword ending at FFFFH", SEL_DOWN16, VIA_DS_READ, 0xfffc, 0},
    {"DS B=0 read at the limit", SEL_DOWN16, VIA_DS_READ, 0x0fff, EXC_GP},
    {"DS B=0 read at offset 0", SEL_DOWN16, VIA_DS_READ, 0, EXC_GP},
    {"DS B=0 dword crossing FFFFH", SEL_DOWN16, VIA_DS_READ, 0xfffd, EXC_GP},
    {"DS B=0 read above FFFFH", SEL_DOWN16, VIA_DS_READ, 0x10000, EXC_GP},
    {"SS B=0 read at limit + 1", SEL_DOWN16, VIA_SS_READ, 0x1000, 0},
    {"SS B=0 read at the limit", SEL_DOWN16, VIA_SS_READ, 0x0fff, EXC_SS},
    {"SS B=0 push to limit + 1", SEL_DOWN16, VIA_PUSH, 0x1004, 0},
    {"SS B=0 push reaching the limit", SEL_DOWN16, VIA_PUSH, 0x1003, EXC_SS},
    {"SS B=0 push with SP = 0 wraps to FFFCH", SEL_DOWN16, VIA_PUSH, 0, 0},
    /* B = 1: (FFFFH, FFFFFFFFH] */
    {"DS B=1 read at limit + 1", SEL_DOWN32, VIA_DS_READ, 0x10000, 0},
    {"DS B=1 dword ending at FFFFFFFFH", SEL_DOWN32, VIA_DS_READ, 0xfffffffc, 0},
    {"DS B=1 read at the limit", SEL_DOWN32, VIA_DS_READ, 0xffff, EXC_GP},
    {"DS B=1 read at offset 0", SEL_DOWN32, VIA_DS_READ, 0, EXC_GP},
    {"DS B=1 dword crossing FFFFFFFFH", SEL_DOWN32, VIA_DS_READ, 0xfffffffd, EXC_GP},
    {"SS B=1 read at limit + 1", SEL_DOWN32, VIA_SS_READ, 0x10000, 0},
    {"SS B=1 read at the limit", SEL_DOWN32, VIA_SS_READ, 0xffff, EXC_SS},
    {"SS B=1 push to limit + 1", SEL_DOWN32, VIA_PUSH, 0x10004, 0},
    {"SS B=1 push reaching the limit", SEL_DOWN32, VIA_PUSH, 0x10003, EXC_SS},
};

/* MOV DS, AX or MOV SS, AX, then the access: MOV EAX, [EBX] / [EBP] or PUSH EAX. */
typedef struct CaseCode {
    uint8_t bytes[5];
    size_t n;
} CaseCode;

static const CaseCode case_code[] = {
    [VIA_DS_READ] = {{0x8e, 0xd8, 0x8b, 0x03}, 4},
    [VIA_SS_READ] = {{0x8e, 0xd0, 0x8b, 0x45, 0x00}, 5},
    [VIA_PUSH] = {{0x8e, 0xd0, 0x50}, 3},
};

static MachineStop run_case(Machine *m, const LimitCase *t) {
    CpuState *c = &m->cpu;
    c->gpr[GPR_RAX] = t->sel;
    c->gpr[GPR_RBX] = c->gpr[GPR_RBP] = t->offset;
    if (t->via == VIA_PUSH) c->gpr[GPR_RSP] = t->offset;
    MachineStop st = gp_run(m, case_code[t->via].bytes, case_code[t->via].n, 1);
    if (st != STOP_BUDGET) return st;
    c->gpr[GPR_RAX] = t->via == VIA_PUSH ? MARKER : EAX_BEFORE;
    return machine_run(m, 1);
}

static uint32_t case_base(const LimitCase *t) {
    return t->sel == SEL_DOWN16 ? BASE_DOWN16 : BASE_DOWN32;
}

/* The linear address of the access: base + offset, wrapped at 4 GiB; a
 * push with SS.B = 0 decrements SP, not ESP (SDM Vol. 1 6.2.3
 * "Address-Size Attributes for Stack Accesses"). */
static uint32_t access_linear(const LimitCase *t) {
    uint32_t off = t->offset;
    if (t->via == VIA_PUSH) off = t->sel == SEL_DOWN16 ? (uint16_t)(off - 4) : off - 4;
    return case_base(t) + off;
}

START_TEST(test_limits_expand_down_case) {
    const LimitCase *t = &limit_cases[_i];
    Machine *m = limits_machine();
    uint32_t lin = access_linear(t);
    if (t->via != VIA_PUSH) {
        uint32_t v = MARKER;
        test_poke(m, lin, &v, 4);
    }
    MachineStop st = run_case(m, t);
    if (t->vector) {
        ck_assert_msg(st == STOP_EXCEPTION, "%s: stop %d", t->what, st);
        ck_assert_msg(m->cpu.fault.vector == t->vector, "%s: vector %u", t->what,
                      m->cpu.fault.vector);
        ck_assert_uint_eq(m->cpu.fault.error, 0);
        ck_assert_uint_eq(m->cpu.RIP, GP_CODE + 2); /* the access faults, not the load */
        ck_assert_uint_eq(m->cpu.gpr[GPR_RSP], t->via == VIA_PUSH ? t->offset : 0x8000);
        if (t->via != VIA_PUSH) ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], EAX_BEFORE);
    } else {
        ck_assert_msg(st == STOP_BUDGET, "%s: stop %d vector %u", t->what, st, m->cpu.fault.vector);
        if (t->via == VIA_PUSH)
            ck_assert_uint_eq(gp_peek(m, lin, 4), MARKER);
        else
            ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], MARKER);
    }
    machine_destroy(m);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("segment_limits");
    TCase *tc = tcase_create("expand_down");
    tcase_add_loop_test(tc, test_limits_expand_down_case, 0, SIM_ARRAY_SIZE(limit_cases));
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(suite)
