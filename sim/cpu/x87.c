/*
 * x87 FPU core: register stack and tags, exception flags and their rules,
 * the waiting-instruction protocol, instruction/data pointers, and the host
 * x87 execution of arithmetic (see x87.h and docs/x87.md).
 */
#include "sim/cpu/x87.h"

#include <string.h>

#include "sim/cpu/exceptions.h"
#include "sim/cpu/fpu.h"
#include "sim/cpu/operands.h"

/* ---- register stack ---- */

/* SDM 8.1.7 "x87 FPU Tag Word": 01 zero, 10 special (NaN, infinity, denormal,
 * and the unsupported encodings of SDM 8.2.2 Table 8-3), 00 otherwise. */
unsigned x87_classify(X87Reg v) {
    unsigned exp = v.sign_exponent & 0x7fffu;
    if (exp == 0) return v.significand == 0 ? X87_TAG_ZERO : X87_TAG_SPECIAL;
    if (exp == 0x7fffu || !(v.significand >> 63)) /* NaN/infinity, unnormal */
        return X87_TAG_SPECIAL;
    return X87_TAG_VALID;
}

void x87_write(FpuState *f, unsigned i, X87Reg v) {
    unsigned p = x87_phys(f, i);
    f->r[p] = v;
    x87_set_tag(f, p, x87_classify(v));
}

/* SDM 8.1.2: a load decrements TOP, then writes the new ST(0). */
void x87_push(FpuState *f, X87Reg v) {
    x87_set_top(f, x87_top(f) - 1);
    x87_write(f, 0, v);
}

/* SDM 8.1.2: a pop marks ST(0) empty, then increments TOP. */
void x87_pop(FpuState *f) {
    x87_set_tag(f, x87_top(f), X87_TAG_EMPTY);
    x87_set_top(f, x87_top(f) + 1);
}

/* ---- exceptions ---- */

void x87_update_es(FpuState *f) {
    if (x87_unmasked(f, f->fsw))
        f->fsw |= FSW_ES | FSW_B;
    else
        f->fsw &= (uint16_t) ~(FSW_ES | FSW_B);
}

void x87_raise(FpuState *f, unsigned flags) {
    f->fsw |= (uint16_t)(flags & (FSW_EXC | FSW_SF));
    x87_update_es(f);
}

bool x87_stack_fault(FpuState *f, bool overflow) {
    f->fsw = (uint16_t)((f->fsw & ~FSW_C1) | (overflow ? FSW_C1 : 0));
    x87_raise(f, FSW_IE | FSW_SF);
    return !x87_unmasked(f, FSW_IE);
}

void x87_merge_status(FpuState *f, unsigned host_fsw) {
    f->fsw = (uint16_t)((f->fsw & ~FSW_CC) | (host_fsw & FSW_CC));
    x87_raise(f, host_fsw & FSW_EXC);
}

/* ---- instruction protocol ---- */

SimStatus x87_check_pending(CpuState *cpu) {
    if ((cpu->fpu.fsw & FSW_ES) && (cpu->cr0 & CR0_NE)) return cpu_raise(cpu, EXC_MF, 0);
    return SIM_OK;
}

SimStatus x87_begin(CpuState *cpu) {
    if (cpu_x87_available(cpu) != SIM_OK) return SIM_FAULT;
    return x87_check_pending(cpu);
}

/* One byte of code at CS:offset, as fetched (no fault is raised: the
 * instruction was fetched from there a moment ago). */
static bool code_byte(CpuState *cpu, uint64_t offset, uint8_t *byte) {
    uint64_t lin = offset, phys;
    if (cpu->mode != MODE_LONG64) lin = (cpu->seg[SEG_CS].base + offset) & 0xffffffffu;
    TlbEntry *e = mem_tlb_slot(&cpu->tlb, lin);
    uint32_t need = tlb_need(cpu, ACC_EXEC);
    if (e->tag == (lin & PAGE_MASK) && (e->perm & need) == need) {
        phys = e->phys | (lin & (PAGE_SIZE - 1));
    } else {
        PendingFault saved = cpu->fault;
        bool ok = cpu_translate(cpu, lin, ACC_EXEC, false, &phys) == SIM_OK;
        cpu->fault = saved;
        if (!ok) return false;
    }
    *byte = (uint8_t)mem_phys_read(cpu->mem, phys, 1);
    return true;
}

/* SDM 8.1.9 Figure 8-8: FOP is the low 3 bits of the first opcode byte
 * (D8-DF, after all prefixes) and the ModR/M byte. */
static void note_opcode(CpuState *cpu, uint64_t ip, unsigned len) {
    uint8_t b, modrm;
    for (unsigned k = 0; k + 1 < len; k++) {
        if (!code_byte(cpu, ip + k, &b)) return;
        if ((b & 0xf8) != 0xd8) continue; /* a prefix */
        if (code_byte(cpu, ip + k + 1, &modrm)) cpu->fpu.fop = (uint16_t)(((b & 7u) << 8) | modrm);
        return;
    }
}

/* SDM 8.1.8: FIP/FCS point at the instruction including its prefixes;
 * FDP/FDS at its memory operand, left unchanged when it has none. */
void x87_note_insn(CpuState *cpu, const DecodedInsn *d) {
    FpuState *f = &cpu->fpu;
    uint64_t ip = cpu->RIP - d->len;
    if (cpu->mode != MODE_LONG64) ip &= 0xffffffffu;
    f->fip = ip;
    f->fcs = cpu->seg[SEG_CS].selector;
    note_opcode(cpu, ip, d->len);
    for (unsigned i = 0; i < d->op_count; i++) {
        if (d->op[i].kind == OPK_MEM) {
            f->fdp = insn_ea(cpu, d);
            f->fds = cpu->seg[d->seg].selector;
        }
    }
}

/* M80_SIZE: an 80-bit value (FLD/FSTP m80, FBLD/FBSTP) is accessed as two
 * parts, the 8-byte significand (or BCD digits) then the 2-byte
 * sign-exponent, each with its own checks, so a store whose second part
 * faults has written the first: the SDM is silent; the Intel core does so
 * (docs/differential-testing.md).  The 8-byte part's alignment check is
 * the m80 rule of SDM 6.15 Table 6-7 (8). */
enum { M80_SIZE = 10, M80_LOW = 8, ENV16_BYTES = 14, SAVE16_BYTES = 94 };

/* The second part of an m80 operand, at the address size. */
static uint64_t m80_high(const CpuState *cpu, const DecodedInsn *d) {
    return (insn_ea(cpu, d) + M80_LOW) & size_mask(d->addrsize);
}

/* An environment or state image (FLDENV ... FRSTOR): SDM 6.15 Table 6-7,
 * "FSTENV/FLDENV Save Area, FSAVE/FRSTOR Save Area: 4 or 2, depending on
 * operand size" (#AC, in cpu_seg_linear's order); then the Intel core's
 * first accesses: the first field (2 or 4 bytes), the last byte
 * (cpu_mem_probe_image). */
static SimStatus x87_image_checks(CpuState *cpu, const DecodedInsn *d, unsigned size,
                                  AccessKind kind) {
    uint64_t ea = insn_ea(cpu, d);
    unsigned field = size == ENV16_BYTES || size == SAVE16_BYTES ? 2 : 4;
    if (cpu_seg_check_base(cpu, d->seg, ea) != SIM_OK ||
        cpu_check_alignment(cpu, cpu_seg_linear_unchecked(cpu, d->seg, ea), field) != SIM_OK)
        return SIM_FAULT;
    return cpu_mem_probe_image(cpu, d->seg, ea, size, field, kind);
}

SimStatus x87_read_mem(CpuState *cpu, const DecodedInsn *d, unsigned i, void *buf) {
    unsigned size = d->op[i].size;
    uint64_t v, hi;
    if (size == M80_SIZE) {
        if (cpu_mem_read(cpu, d->seg, insn_ea(cpu, d), M80_LOW, &v) != SIM_OK ||
            cpu_mem_read(cpu, d->seg, m80_high(cpu, d), 2, &hi) != SIM_OK)
            return SIM_FAULT;
        memcpy(buf, &v, M80_LOW);
        memcpy((uint8_t *)buf + M80_LOW, &hi, 2);
        return SIM_OK;
    }
    if (size > 8)
        return x87_image_checks(cpu, d, size, ACC_READ) != SIM_OK
                   ? SIM_FAULT
                   : cpu_mem_read_block(cpu, d->seg, insn_ea(cpu, d), buf, size);
    if (cpu_mem_read(cpu, d->seg, insn_ea(cpu, d), size, &v) != SIM_OK) return SIM_FAULT;
    memcpy(buf, &v, size);
    return SIM_OK;
}

SimStatus x87_write_mem(CpuState *cpu, const DecodedInsn *d, unsigned i, const void *buf) {
    unsigned size = d->op[i].size;
    uint64_t v = 0, hi = 0;
    if (size == M80_SIZE) {
        memcpy(&v, buf, M80_LOW);
        memcpy(&hi, (const uint8_t *)buf + M80_LOW, 2);
        if (cpu_mem_write(cpu, d->seg, insn_ea(cpu, d), M80_LOW, v) != SIM_OK) return SIM_FAULT;
        return cpu_mem_write(cpu, d->seg, m80_high(cpu, d), 2, hi);
    }
    if (size > 8)
        return x87_image_checks(cpu, d, size, ACC_WRITE) != SIM_OK
                   ? SIM_FAULT
                   : cpu_mem_write_block(cpu, d->seg, insn_ea(cpu, d), buf, size);
    memcpy(&v, buf, size);
    return cpu_mem_write(cpu, d->seg, insn_ea(cpu, d), size, v);
}

/* ---- host execution ---- */

/* What one host run uses besides X87Host: the FRSTOR image that gives the
 * host the guest's control word and condition codes with ST(0) = in[0] and
 * ST(1) = in[1] (TOP 6), the FNSAVE image it leaves (SDM 8.1.10 Figure 8-9,
 * 32-bit format, then ST(0)..ST(7)), and the host's own control word.  The
 * values are not loaded with FLD, which would clear C1. */
typedef struct HostFrame {
    uint8_t start[108];
    uint8_t img[108];
    uint16_t host_cw;
} HostFrame;

#define HOST_ASM(text)                                                                             \
    __asm__ volatile(                                                                              \
        "fnstcw %[cw]\n\t"                                                                         \
        "frstor %[start]\n\t"                                                                      \
        "movzbl %[fl], %%eax\n\t"                                                                  \
        "shll $8, %%eax\n\t"                                                                       \
        "sahf\n\t" text "\n\t"                                                                     \
        "lahf\n\t"                                                                                 \
        "shrl $8, %%eax\n\t"                                                                       \
        "movb %%al, %[fl]\n\t"                                                                     \
        "fnsave %[img]\n\t"                                                                        \
        "fldcw %[cw]"                                                                              \
        : [img] "=m"(fr->img), [cw] "=m"(fr->host_cw), [m] "+m"(h->mem), [fl] "+m"(h->flags)       \
        : [start] "m"(fr->start)                                                                   \
        : "rax", "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)")

#define X(name, text)                                                                              \
    static void host_##name(HostFrame *fr, X87Host *h) {                                           \
        HOST_ASM(text);                                                                            \
    }
X87_HOST_OPS(X)
#undef X

static void (*const host_ops[X87H_COUNT])(HostFrame *, X87Host *) = {
#define X(name, text) [X87H_##name] = host_##name,
    X87_HOST_OPS(X)
#undef X
};

static void put16(uint8_t *p, unsigned v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_reg(uint8_t *p, X87Reg r) {
    memcpy(p, &r.significand, 8);
    memcpy(p + 8, &r.sign_exponent, 2);
}

static X87Reg get_reg(const uint8_t *p) {
    X87Reg r;
    memcpy(&r.significand, p, 8);
    memcpy(&r.sign_exponent, p + 8, 2);
    return r;
}

void x87_host_run(X87HostOp op, const FpuState *f, X87Host *h) {
    HostFrame fr;
    memset(fr.start, 0, sizeof(fr.start));
    put16(fr.start + 0, f->fcw);
    put16(fr.start + 4, (f->fsw & FSW_CC) | 6u << FSW_TOP_SHIFT); /* no flags: ES clear */
    put16(fr.start + 8, 0x0fff); /* R6, R7 in use (the host recomputes their tags) */
    put_reg(fr.start + 28, h->in[0]);
    put_reg(fr.start + 38, h->in[1]);
    host_ops[op](&fr, h);
    uint16_t sw = (uint16_t)(fr.img[4] | fr.img[5] << 8);
    h->fsw = sw;
    h->pushed = (int8_t)(6 - (int)((sw >> FSW_TOP_SHIFT) & 7)); /* it started at TOP = 6 */
    h->out[0] = get_reg(fr.img + 28);
    h->out[1] = get_reg(fr.img + 38);
}

/* ---- the common shapes of stack computations ---- */

static void pop_n(FpuState *f, unsigned n) {
    for (unsigned k = 0; k < n; k++)
        x87_pop(f);
}

void x87_step(CpuState *cpu, X87Host *h, const X87Step *s) {
    FpuState *f = &cpu->fpu;
    if (x87_empty(f, 0) || x87_empty(f, s->j)) {
        f->fsw &= (uint16_t)~s->fault_clear;
        if (x87_stack_fault(f, false)) {
            x87_write(f, s->dest, x87_indefinite());
            pop_n(f, s->pops);
        }
        return;
    }
    h->in[0] = x87_st(f, 0);
    h->in[1] = x87_st(f, s->j);
    x87_host_run(s->op, f, h);
    x87_merge_status(f, h->fsw);
    if (x87_blocked(f, h->fsw)) return;
    x87_write(f, s->dest, h->out[s->slot]);
    pop_n(f, s->pops);
}

void x87_load(CpuState *cpu, X87Host *h, X87HostOp op) {
    FpuState *f = &cpu->fpu;
    if (!x87_empty(f, 7)) {
        if (x87_stack_fault(f, true)) x87_push(f, x87_indefinite());
        return;
    }
    h->in[0] = h->in[1] = x87_st(f, 0);
    x87_host_run(op, f, h);
    x87_merge_status(f, h->fsw);
    if (h->pushed > 0) x87_push(f, h->out[0]);
}
