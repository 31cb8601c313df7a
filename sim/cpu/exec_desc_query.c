/*
 * Descriptor queries (SDM Vol. 2 "LAR—Load Access Rights Byte", "LSL—Load
 * Segment Limit", "VERR/VERW—Verify a Segment for Reading or Writing") and
 * ARPL ("ARPL—Adjust RPL Field of Segment Selector").  A query never faults
 * on the descriptor it inspects: a null selector, one beyond the limit of
 * its table, an invisible or unsuitable descriptor all give ZF = 0 and leave
 * the destination alone.  Only the selector operand (#GP/#SS/#PF) and the
 * descriptor-table read itself (#PF) can fault.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/segmentation.h"

#define TYPE_BIT(t) (1u << (t))
/* SDM Vol. 2 LAR, Table "Segment and Gate Types": the system types LAR
 * accepts in protected mode (TSSs, LDT, call gates, task gate) and in IA-32e
 * mode (64-bit TSSs and call gate only; LDT is "No" there). */
#define LAR_LEGACY_TYPES                                                                           \
    (TYPE_BIT(0x1) | TYPE_BIT(0x2) | TYPE_BIT(0x3) | TYPE_BIT(0x4) | TYPE_BIT(0x5) |               \
     TYPE_BIT(0x9) | TYPE_BIT(0xb) | TYPE_BIT(0xc))
#define LAR_IA32E_TYPES (TYPE_BIT(0x9) | TYPE_BIT(0xb) | TYPE_BIT(0xc))
/* SDM Vol. 2 LSL, Table "Segment and Gate Descriptor Types": TSSs and LDT
 * (no gates); in IA-32e mode also type 0, "Upper 8 byte of a 16-Byte
 * descriptor", which the table marks valid. */
#define LSL_LEGACY_TYPES                                                                           \
    (TYPE_BIT(0x1) | TYPE_BIT(0x2) | TYPE_BIT(0x3) | TYPE_BIT(0x9) | TYPE_BIT(0xb))
#define LSL_IA32E_TYPES (TYPE_BIT(0x0) | TYPE_BIT(0x2) | TYPE_BIT(0x9) | TYPE_BIT(0xb))

/* The descriptor a query inspects. */
typedef struct DescQuery {
    uint16_t selector;
    bool found; /* not null and within its table's limit */
    Descriptor raw;
    Segment seg;
} DescQuery;

static bool real_or_v86(const CpuState *cpu) {
    return cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
}

/* SDM Vol. 2 LAR/LSL "Description": the selector must not be null and must
 * point within the limit of the GDT or LDT it names (no LDT when LDTR is
 * unusable: SDM LLDT, "LDTR is marked invalid"). */
static bool within_table(const CpuState *cpu, uint16_t sel) {
    uint64_t limit = cpu->gdtr.limit;
    if ((sel & 0xfffc) == 0) return false;
    if (sel & 4) {
        if (cpu->seg[SEG_LDTR].ar & AR_UNUSABLE) return false;
        limit = cpu->seg[SEG_LDTR].limit;
    }
    return (uint64_t)(sel & 0xfff8) + 7 <= limit;
}

/* Read the selector from operand i (only bits 15:0 are used, SDM LAR/LSL
 * note) and, when it names one, its 8-byte descriptor. */
static SimStatus query_read(CpuState *cpu, const DecodedInsn *d, unsigned i, DescQuery *q) {
    uint64_t v;
    *q = (DescQuery){0};
    if (opnd_read(cpu, d, i, &v) != SIM_OK) return SIM_FAULT;
    q->selector = (uint16_t)v;
    q->found = within_table(cpu, q->selector);
    if (!q->found) return SIM_OK;
    if (cpu_read_descriptor(cpu, q->selector, false, &q->raw) != SIM_OK) return SIM_FAULT;
    q->seg = cpu_descriptor_to_segment(&q->raw, q->selector, false);
    return SIM_OK;
}

/* SDM Vol. 2 LAR/LSL/VERR/VERW "Operation": unless the descriptor is a
 * conforming code segment, CPL > DPL or RPL > DPL makes it invisible. */
static bool visible(const CpuState *cpu, const DescQuery *q) {
    uint32_t ar = q->seg.ar;
    unsigned dpl = seg_dpl(&q->seg);
    bool conforming = (ar & AR_S) && (ar & AR_TYPE_CODE) && (ar & 0x4);
    return conforming || (cpu->cpl <= dpl && (q->selector & 3u) <= dpl);
}

/* Every code and data descriptor is valid for LAR and LSL; system ones by
 * the instruction's table, whose IA-32e column applies when IA32_EFER.LMA = 1. */
static bool type_valid(const CpuState *cpu, const DescQuery *q, unsigned legacy, unsigned ia32e) {
    unsigned allowed = (cpu->efer & EFER_LMA) ? ia32e : legacy;
    return (q->seg.ar & AR_S) || ((allowed >> (q->seg.ar & AR_TYPE_MASK)) & 1);
}

static void set_zf(CpuState *cpu, bool ok) {
    flags_set_arith(cpu, RFLAGS_ZF, ok ? RFLAGS_ZF : 0);
}

/* SDM Vol. 2 LAR "Description": bytes 4-7 of the descriptor masked with
 * 00FxFF00H (32/64-bit: type, S, DPL, P, AVL, L, D/B, G) or FF00H (16-bit).
 * Bits 19:16 are undefined: vmxsim returns the descriptor's limit 19:16 there,
 * the raw bits of that doubleword (docs/system-instructions.md). */
static uint64_t lar_value(const DescQuery *q, unsigned size) {
    uint32_t hi = (uint32_t)(q->raw.lo >> 32);
    return size == 2 ? (hi & 0xff00u) : (hi & 0x00ffff00u);
}

SimStatus exec_lar(CpuState *cpu, const DecodedInsn *d) {
    DescQuery q;
    if (real_or_v86(cpu)) /* SDM: "can only be executed in protected mode and IA-32e mode" */
        return cpu_raise_ud(cpu);
    if (query_read(cpu, d, 1, &q) != SIM_OK) return SIM_FAULT;
    bool ok = q.found && visible(cpu, &q) && type_valid(cpu, &q, LAR_LEGACY_TYPES, LAR_IA32E_TYPES);
    if (ok) /* a 32-bit destination zero-extends into 64 bits (Vol. 1 3.4.1.1) */
        reg_write(cpu, d->op[0].reg, d->op[0].size, lar_value(&q, d->op[0].size));
    set_zf(cpu, ok);
    return SIM_OK;
}

/* SDM Vol. 2 LSL "Operation": the byte-granular limit (a page-granular
 * limit shifted left 12 with 1s filled in), truncated to a 16-bit
 * destination, zero-extended to a 64-bit one. */
SimStatus exec_lsl(CpuState *cpu, const DecodedInsn *d) {
    DescQuery q;
    if (real_or_v86(cpu)) return cpu_raise_ud(cpu);
    if (query_read(cpu, d, 1, &q) != SIM_OK) return SIM_FAULT;
    bool ok = q.found && visible(cpu, &q) && type_valid(cpu, &q, LSL_LEGACY_TYPES, LSL_IA32E_TYPES);
    if (ok) reg_write(cpu, d->op[0].reg, d->op[0].size, q.seg.limit);
    set_zf(cpu, ok);
    return SIM_OK;
}

/* SDM Vol. 2 VERR/VERW "Operation": system descriptors and invisible ones
 * fail; VERR accepts data segments and readable code segments (conforming
 * ones whatever their DPL), VERW only writable data segments. */
static SimStatus verify(CpuState *cpu, const DecodedInsn *d, bool write) {
    DescQuery q;
    if (real_or_v86(cpu)) return cpu_raise_ud(cpu);
    if (query_read(cpu, d, 0, &q) != SIM_OK) return SIM_FAULT;
    uint32_t ar = q.seg.ar;
    bool code = (ar & AR_TYPE_CODE) != 0, rw = (ar & AR_TYPE_WRITABLE) != 0;
    bool usable = write ? (!code && rw) : (!code || rw);
    set_zf(cpu, q.found && (ar & AR_S) && visible(cpu, &q) && usable);
    return SIM_OK;
}

SimStatus exec_verr(CpuState *cpu, const DecodedInsn *d) {
    return verify(cpu, d, false);
}
SimStatus exec_verw(CpuState *cpu, const DecodedInsn *d) {
    return verify(cpu, d, true);
}

/* SDM Vol. 2 ARPL "Operation": if DEST.RPL < SRC.RPL then ZF := 1 and
 * DEST.RPL := SRC.RPL, else ZF := 0.  Legacy modes only: in 64-bit mode
 * opcode 63 is MOVSXD (the decoder never routes it here); #UD in real-address
 * and virtual-8086 mode.  The destination is read with a plain read and
 * written only when the RPL is adjusted, so the #GP(0) of a memory
 * destination in a non-writable segment ("Protected Mode Exceptions") and a
 * #PF with W = 1 come only with the write: the SDM does not say whether the
 * check is made without one; the Intel core (docs/differential-testing.md)
 * makes it only then. */
SimStatus exec_arpl(CpuState *cpu, const DecodedInsn *d) {
    uint64_t dst, src;
    if (real_or_v86(cpu) || cpu->mode == MODE_LONG64) return cpu_raise_ud(cpu);
    if (opnd_read(cpu, d, 0, &dst) != SIM_OK || opnd_read(cpu, d, 1, &src) != SIM_OK)
        return SIM_FAULT;
    bool adjust = (dst & 3) < (src & 3);
    if (adjust && opnd_write(cpu, d, 0, (dst & ~UINT64_C(3)) | (src & 3)) != SIM_OK)
        return SIM_FAULT;
    set_zf(cpu, adjust);
    return SIM_OK;
}
