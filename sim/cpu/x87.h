/*
 * The x87 FPU (SDM Vol. 1 chapter 8 "Programming with the x87 FPU"): the
 * register stack and its tags, the status and control words, the exception
 * rules of SDM 8.4-8.7, and arithmetic computed by the host's own x87 unit
 * (design.md: the build machine is x86-64 and is the oracle).
 *
 * How an arithmetic instruction runs (docs/x87.md):
 *  1. x87_begin: #UD/#NM (CR0.EM/TS), then a pending unmasked exception (#MF);
 *  2. memory operands are read (faults leave everything unchanged);
 *  3. stack overflow/underflow is decided in software (SDM 8.5.1.1);
 *  4. otherwise the same operation runs on the host x87 with the guest's
 *     control word and condition codes, from which come the result, the
 *     exception flags, C0-C3 and the biased results of unmasked
 *     overflow/underflow (SDM 8.5.4, 8.5.5);
 *  5. the guest state is committed by the SDM 8.5 rules: nothing but the
 *     status word changes when an unmasked invalid-operation, denormal or
 *     zero-divide exception was detected.
 */
#ifndef VMXSIM_CPU_X87_H
#define VMXSIM_CPU_X87_H

#include "sim/cpu/decoded_insn.h"

/* SDM 8.1.3 "x87 FPU Status Register", Figure 8-4. */
enum {
    FSW_IE = 1u << 0,
    FSW_DE = 1u << 1,
    FSW_ZE = 1u << 2,
    FSW_OE = 1u << 3,
    FSW_UE = 1u << 4,
    FSW_PE = 1u << 5,
    FSW_SF = 1u << 6,
    FSW_ES = 1u << 7,
    FSW_C0 = 1u << 8,
    FSW_C1 = 1u << 9,
    FSW_C2 = 1u << 10,
    FSW_TOP_SHIFT = 11,
    FSW_TOP = 7u << 11,
    FSW_C3 = 1u << 14,
    FSW_B = 1u << 15,
    FSW_EXC = 0x3fu, /* the six exception flags */
    FSW_CC = FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3,
};

/* SDM 8.1.5 "x87 FPU Control Word", Figure 8-6. */
enum {
    FCW_MASKS = 0x3fu,      /* IM DM ZM OM UM PM, in FSW_IE..FSW_PE order */
    FCW_WRITABLE = 0x1f3fu, /* masks, PC, RC, X; bit 6 reads as 1, 7 and 13-15 as 0 */
    FCW_FIXED1 = 0x0040u,
    FCW_INIT = 0x037fu, /* FNINIT: all masked, 64-bit precision, round to nearest */
};

/* SDM 8.1.7 "x87 FPU Tag Word", Figure 8-7. */
enum { X87_TAG_VALID = 0, X87_TAG_ZERO = 1, X87_TAG_SPECIAL = 2, X87_TAG_EMPTY = 3 };

/* ---- register stack (SDM 8.1.2 "x87 FPU Data Registers") ---- */

static inline unsigned x87_top(const FpuState *f) {
    return (f->fsw >> FSW_TOP_SHIFT) & 7;
}

static inline void x87_set_top(FpuState *f, unsigned top) {
    f->fsw = (uint16_t)((f->fsw & ~FSW_TOP) | ((top & 7) << FSW_TOP_SHIFT));
}

/* Physical register number of ST(i). */
static inline unsigned x87_phys(const FpuState *f, unsigned i) {
    return (x87_top(f) + i) & 7;
}

static inline unsigned x87_tag(const FpuState *f, unsigned phys) {
    return (f->ftw >> (2 * phys)) & 3;
}

static inline void x87_set_tag(FpuState *f, unsigned phys, unsigned tag) {
    f->ftw = (uint16_t)((f->ftw & ~(3u << (2 * phys))) | ((tag & 3) << (2 * phys)));
}

static inline bool x87_empty(const FpuState *f, unsigned i) {
    return x87_tag(f, x87_phys(f, i)) == X87_TAG_EMPTY;
}

static inline X87Reg x87_st(const FpuState *f, unsigned i) {
    return f->r[x87_phys(f, i)];
}

/* SDM 4.8.3.7 Table 4-3: the QNaN floating-point indefinite. */
static inline X87Reg x87_indefinite(void) {
    return (X87Reg){UINT64_C(0xc000000000000000), 0xffff};
}

/* The tag a value gets when written (SDM 8.1.7): zero, special (NaN,
 * infinity, denormal, pseudo-denormal, unsupported) or valid. */
unsigned x87_classify(X87Reg v);
/* ST(i) := v, tagged by x87_classify. */
void x87_write(FpuState *f, unsigned i, X87Reg v);
/* TOP := TOP - 1, then ST(0) := v. */
void x87_push(FpuState *f, X87Reg v);
/* Tag ST(0) empty, then TOP := TOP + 1. */
void x87_pop(FpuState *f);

/* ---- exceptions (SDM 8.4 "x87 FPU Floating-Point Exception Handling") ---- */

/* The flags among `flags` whose mask bit in FCW is clear. */
static inline unsigned x87_unmasked(const FpuState *f, unsigned flags) {
    return flags & ~f->fcw & FSW_EXC;
}

/* ES and B follow the flags: set while an unmasked exception flag is set,
 * clear otherwise (SDM 8.1.3.3; measured on the host after FLDCW, FLDENV and
 * FNSTENV, which change the masks). */
void x87_update_es(FpuState *f);
/* Set exception flags (sticky), then ES/B. */
void x87_raise(FpuState *f, unsigned flags);
/* Stack overflow or underflow (SDM 8.5.1.1): IE and SF set, C1 = 1 for
 * overflow and 0 for underflow, C0/C2/C3 unchanged.  Returns true when IE is
 * masked, i.e. when the caller applies the masked response (usually the QNaN
 * indefinite in the destination); when unmasked nothing else changes. */
bool x87_stack_fault(FpuState *f, bool overflow);

/* Pre-computation exceptions (SDM 8.5.1.2, 8.5.2, 8.5.3): an unmasked
 * invalid-operation, denormal-operand or zero-divide exception leaves the
 * destination, the source operands and TOP unchanged. */
static inline bool x87_blocked(const FpuState *f, unsigned host_fsw) {
    return x87_unmasked(f, host_fsw & (FSW_IE | FSW_DE | FSW_ZE)) != 0;
}

/* A store to memory is also suppressed by unmasked numeric overflow or
 * underflow (SDM 8.5.4, 8.5.5 "Destination is a memory location"). */
static inline bool x87_store_blocked(const FpuState *f, unsigned host_fsw) {
    return x87_unmasked(f, host_fsw & (FSW_IE | FSW_DE | FSW_ZE | FSW_OE | FSW_UE)) != 0;
}

/* Take the exception flags (sticky) and C0-C3 of a host status word. */
void x87_merge_status(FpuState *f, unsigned host_fsw);

/* ---- instruction protocol ---- */

/* A waiting x87 instruction (SDM 8.3.12 "Waiting vs. Non-waiting
 * Instructions"): #UD without an FPU, #NM when CR0.EM or CR0.TS is set (SDM
 * Vol. 3A 2.5 Table 2-2), then #MF for a pending unmasked exception. */
SimStatus x87_begin(CpuState *cpu) SIM_MUST_CHECK;
/* #MF when FSW.ES is set and CR0.NE = 1 (SDM 8.7, Vol. 3A 6.15 "Interrupt 16").
 * With CR0.NE = 0 vmxsim behaves as if IGNNE# were asserted: nothing is
 * delivered and the exception stays pending (docs/x87.md). */
SimStatus x87_check_pending(CpuState *cpu) SIM_MUST_CHECK;
/* Record FOP, FIP/FCS and, for a memory operand, FDP/FDS of a non-control
 * instruction (SDM 8.1.8, 8.1.9). */
void x87_note_insn(CpuState *cpu, const DecodedInsn *d);

/* Memory operand of d (operand i) as raw bytes, at most 16. */
SimStatus x87_read_mem(CpuState *cpu, const DecodedInsn *d, unsigned i, void *buf) SIM_MUST_CHECK;
SimStatus x87_write_mem(CpuState *cpu, const DecodedInsn *d, unsigned i,
                        const void *buf) SIM_MUST_CHECK;

/* ---- host execution ---- */

/* Operations the host x87 runs, with their AT&T text.  Register forms are
 * emitted as bytes so that operand order is exactly the guest's encoding;
 * %[m] is the memory operand.  Before the operation the host has ST(0) =
 * in[0] and ST(1) = in[1]. */
/* clang-format off */
#define X87_HOST_OPS(X)                                                                            \
    X(FADD_ST0, ".byte 0xd8, 0xc1")                                                                \
    X(FADD_STI, ".byte 0xdc, 0xc1")                                                                \
    X(FMUL_ST0, ".byte 0xd8, 0xc9")                                                                \
    X(FMUL_STI, ".byte 0xdc, 0xc9")                                                                \
    X(FSUB_ST0, ".byte 0xd8, 0xe1")                                                                \
    X(FSUB_STI, ".byte 0xdc, 0xe9")                                                                \
    X(FSUBR_ST0, ".byte 0xd8, 0xe9")                                                               \
    X(FSUBR_STI, ".byte 0xdc, 0xe1")                                                               \
    X(FDIV_ST0, ".byte 0xd8, 0xf1")                                                                \
    X(FDIV_STI, ".byte 0xdc, 0xf9")                                                                \
    X(FDIVR_ST0, ".byte 0xd8, 0xf9")                                                               \
    X(FDIVR_STI, ".byte 0xdc, 0xf1")                                                               \
    X(FADD_M32, "fadds %[m]")                                                                      \
    X(FADD_M64, "faddl %[m]")                                                                      \
    X(FMUL_M32, "fmuls %[m]")                                                                      \
    X(FMUL_M64, "fmull %[m]")                                                                      \
    X(FSUB_M32, "fsubs %[m]")                                                                      \
    X(FSUB_M64, "fsubl %[m]")                                                                      \
    X(FSUBR_M32, "fsubrs %[m]")                                                                    \
    X(FSUBR_M64, "fsubrl %[m]")                                                                    \
    X(FDIV_M32, "fdivs %[m]")                                                                      \
    X(FDIV_M64, "fdivl %[m]")                                                                      \
    X(FDIVR_M32, "fdivrs %[m]")                                                                    \
    X(FDIVR_M64, "fdivrl %[m]")                                                                    \
    X(FIADD_M16, "fiadds %[m]")                                                                    \
    X(FIADD_M32, "fiaddl %[m]")                                                                    \
    X(FIMUL_M16, "fimuls %[m]")                                                                    \
    X(FIMUL_M32, "fimull %[m]")                                                                    \
    X(FISUB_M16, "fisubs %[m]")                                                                    \
    X(FISUB_M32, "fisubl %[m]")                                                                    \
    X(FISUBR_M16, "fisubrs %[m]")                                                                  \
    X(FISUBR_M32, "fisubrl %[m]")                                                                  \
    X(FIDIV_M16, "fidivs %[m]")                                                                    \
    X(FIDIV_M32, "fidivl %[m]")                                                                    \
    X(FIDIVR_M16, "fidivrs %[m]")                                                                  \
    X(FIDIVR_M32, "fidivrl %[m]")                                                                  \
    X(FCOM_ST, ".byte 0xd8, 0xd1")                                                                 \
    X(FUCOM_ST, ".byte 0xdd, 0xe1")                                                                \
    X(FCOM_M32, "fcoms %[m]")                                                                      \
    X(FCOM_M64, "fcoml %[m]")                                                                      \
    X(FICOM_M16, "ficoms %[m]")                                                                    \
    X(FICOM_M32, "ficoml %[m]")                                                                    \
    X(FCOMI, ".byte 0xdb, 0xf1")                                                                   \
    X(FUCOMI, ".byte 0xdb, 0xe9")                                                                  \
    X(FTST, ".byte 0xd9, 0xe4")                                                                    \
    X(FXAM, ".byte 0xd9, 0xe5")                                                                    \
    X(FLD_M32, "flds %[m]")                                                                        \
    X(FLD_M64, "fldl %[m]")                                                                        \
    X(FILD_M16, "filds %[m]")                                                                      \
    X(FILD_M32, "fildl %[m]")                                                                      \
    X(FILD_M64, "fildll %[m]")                                                                     \
    X(FBLD, "fbld %[m]")                                                                           \
    X(FLD1, ".byte 0xd9, 0xe8")                                                                    \
    X(FLDL2T, ".byte 0xd9, 0xe9")                                                                  \
    X(FLDL2E, ".byte 0xd9, 0xea")                                                                  \
    X(FLDPI, ".byte 0xd9, 0xeb")                                                                   \
    X(FLDLG2, ".byte 0xd9, 0xec")                                                                  \
    X(FLDLN2, ".byte 0xd9, 0xed")                                                                  \
    X(FLDZ, ".byte 0xd9, 0xee")                                                                    \
    X(FST_M32, "fsts %[m]")                                                                        \
    X(FST_M64, "fstl %[m]")                                                                        \
    X(FIST_M16, "fists %[m]")                                                                      \
    X(FIST_M32, "fistl %[m]")                                                                      \
    X(FISTP_M64, "fistpll %[m]")                                                                   \
    X(FISTTP_M16, "fisttps %[m]")                                                                  \
    X(FISTTP_M32, "fisttpl %[m]")                                                                  \
    X(FISTTP_M64, "fisttpll %[m]")                                                                 \
    X(FBSTP, "fbstp %[m]")                                                                         \
    X(FSQRT, ".byte 0xd9, 0xfa")                                                                   \
    X(FRNDINT, ".byte 0xd9, 0xfc")                                                                 \
    X(F2XM1, ".byte 0xd9, 0xf0")                                                                   \
    X(FSIN, ".byte 0xd9, 0xfe")                                                                    \
    X(FCOS, ".byte 0xd9, 0xff")                                                                    \
    X(FPTAN, ".byte 0xd9, 0xf2")                                                                   \
    X(FSINCOS, ".byte 0xd9, 0xfb")                                                                 \
    X(FXTRACT, ".byte 0xd9, 0xf4")                                                                 \
    X(FPREM, ".byte 0xd9, 0xf8")                                                                   \
    X(FPREM1, ".byte 0xd9, 0xf5")                                                                  \
    X(FSCALE, ".byte 0xd9, 0xfd")                                                                  \
    X(FPATAN, ".byte 0xd9, 0xf3")                                                                  \
    X(FYL2X, ".byte 0xd9, 0xf1")                                                                   \
    X(FYL2XP1, ".byte 0xd9, 0xf9")
/* clang-format on */

typedef enum X87HostOp {
#define X(name, text) X87H_##name,
    X87_HOST_OPS(X)
#undef X
        X87H_COUNT
} X87HostOp;

/* One operation on the host x87: inputs, then what the host produced. */
typedef struct X87Host {
    X87Reg in[2];    /* host ST(0), ST(1) before the operation */
    X87Reg out[2];   /* host ST(0), ST(1) after it */
    uint8_t mem[16]; /* memory operand: read by loads and arithmetic, written by stores */
    uint16_t fsw;    /* host status word after: exception flags and C0-C3 */
    int8_t pushed;   /* +1 when the operation pushed, -1 when it popped */
    uint8_t flags;   /* SF ZF AF PF CF around the operation (LAHF/SAHF layout) */
} X87Host;

/* Run `op` on the host x87 with the guest's control word (precision,
 * rounding and exception masks) and condition codes, no exception flags set,
 * host ST(0)/ST(1) = h->in[0]/h->in[1] and the arithmetic flags h->flags.
 * The host state is captured by FNSAVE, a non-waiting instruction that also
 * reinitialises the host x87, so the host never takes #MF itself (SDM 8.6).
 * The host's own control word is restored afterwards. */
void x87_host_run(X87HostOp op, const FpuState *f, X87Host *h);

/* ---- the common shapes of stack computations ---- */

/* A computation from ST(0) and ST(j) (j = 0: ST(0) alone, or ST(0) and a
 * memory operand already in h->mem) whose result, the host's ST(slot), is
 * written to ST(dest) before `pops` pops.  Stack underflow when ST(0) or
 * ST(j) is empty: the masked response writes the indefinite to ST(dest) and
 * pops (SDM 8.5.1.1; measured on the host); `fault_clear` names condition
 * codes a stack fault clears. */
typedef struct X87Step {
    X87HostOp op;
    uint8_t j;
    uint8_t dest;
    uint8_t slot;
    uint8_t pops;
    uint16_t fault_clear; /* condition codes a stack fault clears (C2 of FPREM, FSIN ...) */
} X87Step;

void x87_step(CpuState *cpu, X87Host *h, const X87Step *s);
/* A load: the host runs `op`, which pushes; its ST(0) is pushed when the host
 * pushed it.  That is not when an unmasked #IA (SNaN) stopped it, but it is
 * when an unmasked #D did: FLD m32/m64 of a denormal loads the value and
 * reports DE (measured on the host).  Stack overflow when ST(7) is not empty:
 * the masked response pushes the indefinite (SDM 8.5.1.1). */
void x87_load(CpuState *cpu, X87Host *h, X87HostOp op);

#endif
