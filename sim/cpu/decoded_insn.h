/*
 * The compact decoded instruction (style.md "Zydis"): Zydis output
 * translated once per cache miss into at most 64 bytes holding the handler,
 * sizes, prefixes, pre-extracted operands and an addressing recipe.
 */
#ifndef VMXSIM_CPU_DECODED_INSN_H
#define VMXSIM_CPU_DECODED_INSN_H

#include "sim/cpu/cpu.h"

typedef struct DecodedInsn DecodedInsn;
/* Handlers run with cpu->RIP already advanced to the next instruction; on
 * SIM_FAULT the loop restores it (faults report the faulting RIP). */
typedef SimStatus (*InsnHandler)(CpuState *cpu, const DecodedInsn *d);

typedef enum OperandKind {
    OPK_NONE,
    OPK_REG,  /* general register: `reg` is a byte offset into cpu->gpr */
    OPK_MEM,  /* memory: the addressing recipe in DecodedInsn */
    OPK_IMM,  /* DecodedInsn.imm */
    OPK_SREG, /* segment register: `reg` is SEG_* */
    OPK_CR,   /* control register: `reg` is its number */
    OPK_DR,   /* debug register: `reg` is its number */
    OPK_FAR,  /* far pointer immediate: offset in imm, selector in aux */
    OPK_XMM,  /* XMM register: `reg` is its number */
    OPK_ST,   /* x87 stack register: `reg` is i in ST(i) */
    OPK_MMX,  /* MMX register: `reg` is its number */
} OperandKind;

typedef struct DecodedOperand {
    uint8_t kind;  /* OperandKind */
    uint8_t reg;
    uint16_t size; /* bytes (FXSAVE's memory operand is 512) */
} DecodedOperand;

/* Prefix bits. */
enum {
    PFX_LOCK = 1u << 0,
    PFX_REP = 1u << 1,   /* F3 on a string instruction (REP / REPE) */
    PFX_REPNE = 1u << 2, /* F2 on a string instruction */
};

/* Misc flags. */
enum {
    DI_ENDS_BLOCK = 1u << 0, /* control transfer or mode change: stop the block */
    DI_RIP_REL = 1u << 1,
    /* may raise a signal (writes memory, which can overwrite decoded code or
     * reach a device; port I/O): the loop tests Signals after it */
    DI_CHECK_SIGNALS = 1u << 2,
};

struct DecodedInsn {
    InsnHandler handler;
    uint64_t imm;        /* sign-extended to 64 bits where the encoding sign-extends */
    int64_t disp;        /* displacement (RIP-relative: relative to the next RIP) */
    uint16_t mnemonic;   /* ZydisMnemonic, for diagnostics and the debugger */
    uint8_t len;         /* instruction length in bytes */
    uint8_t opsize;      /* effective operand size, bytes */
    uint8_t addrsize;    /* effective address size, bytes */
    uint8_t seg;         /* segment of the memory operand (SEG_*) */
    uint8_t base;        /* gpr slot: GPR_ZERO when absent, GPR_RIP for RIP-relative */
    uint8_t index;       /* gpr slot: GPR_ZERO when absent */
    uint8_t scale;       /* shift count 0..3 */
    uint8_t prefix;      /* PFX_* */
    uint8_t cycles;      /* cost from the timing model, charged by the loop */
    uint8_t flags;       /* DI_* */
    uint8_t op_count;    /* explicit operands */
    DecodedOperand op[3];
    uint16_t aux;        /* second immediate: far selector, ENTER nesting level */
};

_Static_assert(sizeof(DecodedInsn) <= 64, "a decoded instruction fits a cache line");

#endif
