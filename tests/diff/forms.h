/*
 * The instruction forms the differential harness tests (forms.def), the
 * tiny encoder that turns a form into bytes, and the case generator.
 */
#ifndef VMXSIM_TESTS_DIFF_FORMS_H
#define VMXSIM_TESTS_DIFF_FORMS_H

#include "diff.h"

/* How a form's operand values are chosen (gen.c). */
typedef enum GenKind {
    G_ALU,     /* interesting values in every operand */
    G_ACC,     /* same, with the accumulator (RAX) reserved: AL/AX/EAX/RAX forms, CBW... */
    G_SHIFT,   /* count from {0, 1, width-1, width, width+1, 31, 32, 63, 64, ...} */
    G_DIV,     /* RDX:RAX and divisor so that most cases divide and some #DE */
    G_MUL,     /* one-operand MUL/IMUL, MULX: RAX/RDX reserved */
    G_BT,      /* BT* r/m, r: the bit offset reaches only the scratch block */
    G_ZERO,    /* BSF/BSR/LZCNT/TZCNT/POPCNT/BMI: source zero in some cases */
    G_CMPXCHG, /* the accumulator equals the destination in half the cases */
    G_CX8,     /* CMPXCHG8B/16B: EDX:EAX equals memory in half the cases */
    G_LEA,     /* addressing registers arbitrary: no memory access */
    G_MOFFS,   /* MOV moffs: the absolute address targets the scratch block */
    G_XLAT,    /* XLAT: RBX + AL in the scratch block */
    G_STR,     /* string instructions: RSI, RDI, RCX, DF; REP prefixes */
    G_PUSH,    /* stack in the scratch block, sometimes at its edge */
    G_POP,     /* ...and random data on it */
    G_POPF,    /* a random RFLAGS image on the stack (TF clear) */
    G_LEAVE,   /* RBP in the scratch block */
    G_JREL,    /* relative branch: the target lands in the INT3 pad */
    G_JIND,    /* indirect branch: the r/m value is a pad address (or non-canonical) */
    G_RET,     /* the return address on the stack is a pad address */
    G_LOOP,    /* LOOP/JRCXZ: small RCX */
    G_BCD,     /* AAA...AAM: decimal-looking AL/AH */
    G_XMM,     /* SSE integer: random bytes */
    G_PS,      /* SSE single precision: special and random floats, random MXCSR */
    G_PD,      /* SSE double precision */
    G_PSHIFT,  /* SSE shifts by XMM: small counts in the low quadword */
    G_MXCSR,   /* LDMXCSR: a valid (sometimes invalid) MXCSR image in memory */
    G_PRIV,    /* privileged at CPL 3: #GP is expected in both worlds */
    G_MASKMOV, /* MASKMOVDQU: RDI in the scratch block */
    G_ENTER,   /* ENTER: RBP and RSP in the block, nesting levels 0..31 */
    G_BOUND,   /* BOUND: a signed range in memory and an index in or out of it */
    G_XGETBV,  /* XGETBV: ECX 0 (XCR0) or an invalid index (#GP) */
    /* x87 and MMX: a random x87 state (TOP, tags, specials, control word),
     * and memory operands of the given type */
    G_X87, /* register forms, or memory written by the instruction */
    G_F32,
    G_F64,
    G_F80, /* m32fp, m64fp, m80fp */
    G_I16,
    G_I32,
    G_I64,    /* m16int, m32int, m64int */
    G_BCD80,  /* m80bcd */
    G_FENV,   /* FLDENV/FNSTENV: 28 bytes (14 with a 16-bit operand size) */
    G_FSAVE,  /* FRSTOR/FNSAVE: 108 bytes (94) */
    G_FXSAVE, /* FXRSTOR/FXSAVE: a 512-byte image (MXCSR sometimes invalid: #GP) */
    G_CW,     /* FLDCW: a control word */
    G_MMX,    /* MMX registers: random significands */
    /* segments and far transfers, against the host's GDT */
    G_SEL,    /* a selector in the r/m operand: Linux's, null, LDT, beyond the GDT, random */
    G_POPSEL, /* POP Sreg: a selector on the stack */
    G_FARPTR, /* LSS/LDS/LES: offset and selector in memory */
    G_FAR,    /* JMP/CALL m16:32/m16:64: a pad address in 0x33 (64-bit) or 0x23 (compat) */
    G_RETF,   /* RETF: offset and selector on the stack */
    G_IRET,   /* IRET: RIP, CS, RFLAGS (TF clear) and, in 64-bit mode, RSP and SS */
    G_COUNT
} GenKind;

/* Form attributes. */
enum {
    A_LOCK = 1u << 0,   /* LOCK allowed with a memory destination (added to some cases) */
    A_REP = 1u << 1,    /* REP (F3) prefix in some cases */
    A_REPCC = 1u << 2,  /* REPE/REPNE (F3/F2) in some cases */
    A_BOTH = 1u << 3,   /* also in compatibility mode */
    A_C32 = 1u << 4,    /* compatibility mode only */
    A_D64 = 1u << 5,    /* operand size defaults to 64 bits in 64-bit mode (no REX.W) */
    A_ALIGN = 1u << 6,  /* 16-byte aligned memory operand (misaligned: #GP) */
    A_STACK = 1u << 7,  /* uses the stack implicitly: RSP never addresses the r/m operand */
    A_ADDR = 1u << 8,   /* an address-size prefix is meaningful (RCX/RSI/RDI forms) */
    A_MEM16 = 1u << 10, /* the memory operand is 16 bytes regardless of operand size */
};

typedef struct Form {
    const char *name;  /* mnemonic, for --filter and failure reports */
    const char *tmpl;  /* template, see encode.c */
    const char *sizes; /* operand sizes among "bwdq"; "-" when none */
    const char *ops; /* ModRM classes: reg field G/V/P/Z/Y/-, r/m E/M/R/W/U/S/Q/N/-, v: VEX.vvvv */
    GenKind gen;
    unsigned attr;
} Form;

extern const Form diff_forms[];
extern const unsigned diff_form_count;

/* ---- encode.c ---- */

/* Memory-operand addressing as generated. */
typedef struct MemOperand {
    int base, index; /* register numbers, -1 when absent */
    unsigned scale;  /* 0..3 */
    int64_t disp;
    bool riprel;   /* 64-bit RIP-relative (or the compatibility-mode absolute disp32) */
    bool absolute; /* no base and no index: disp32 is the address */
    bool addr32;
    unsigned disp_len;
} MemOperand;

/* The choices the generator makes, then the encoder's record of the bytes. */
typedef struct Encoding {
    /* in */
    unsigned opsize; /* 1, 2, 4, 8 (or 16 for SSE) */
    bool compat;
    bool lock, rep, repne, addr_prefix, rex_noise;
    uint8_t seg_prefix; /* 0 or 26/2E/36/3E */
    unsigned reg;       /* reg-field register (0-15) */
    unsigned vreg;      /* VEX.vvvv register */
    unsigned cc;        /* condition code for +c templates */
    bool rm_mem;
    unsigned rm_reg;
    MemOperand mem;
    uint64_t imm[2];
    /* out */
    uint8_t bytes[DIFF_MAX_INSN];
    unsigned len;
    int imm_off[2]; /* offset of each immediate in bytes, -1 when absent */
    unsigned imm_len[2];
    int disp_off;
    bool has_rex;
} Encoding;

/* Parsed template. */
typedef struct Template {
    uint8_t pfx[2], npfx; /* mandatory prefixes (66/F2/F3), after the size prefix */
    uint8_t opc[3], nopc;
    char plus;       /* 0, 'r' (+r) or 'c' (+cc) on the last opcode byte */
    int8_t modrm;    /* -1 none, 8 for /r, 0..7 for /digit */
    uint8_t vex_map; /* 0 legacy, 1 (0F), 2 (0F38), 3 (0F3A) for VEX forms */
    uint8_t vex_pp;  /* 0 none, 1 66, 2 F3, 3 F2 */
    char imm[2];     /* 0, 'b', 'w', 'd', 'z', 'v', 'a' (moffs), 'B' (rel8), 'Z' (rel32) */
} Template;

bool diff_template_parse(const char *s, Template *t);
/* Encode; false when the choices cannot be encoded (the caller retries). */
bool diff_encode(const Template *t, const Form *f, Encoding *e);
/* Bytes of immediate `code` for these choices. */
unsigned diff_imm_bytes(char code, const Encoding *e);
/* Register class of the reg field / r/m field for a form. */
static inline char form_reg_class(const Form *f) {
    return f->ops[0];
}
static inline char form_rm_class(const Form *f) {
    return f->ops[1];
}
static inline bool form_has_vvvv(const Form *f) {
    return f->ops[2] == 'v';
}

/* ---- gen.c ---- */

typedef struct Rng {
    uint64_t s;
} Rng;

static inline uint64_t rng_next(Rng *r) {
    /* splitmix64 */
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline unsigned rng_below(Rng *r, unsigned n) {
    return (unsigned)(rng_next(r) % n);
}

bool diff_gen_init(uint64_t seed, char *err, size_t errlen);
/* Generate case number `n` of form `fi` from the run's seed. */
void diff_gen_case(uint64_t seed, unsigned fi, uint64_t n, DiffCase *c);

#endif
