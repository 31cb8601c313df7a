/* The GDB stub's registers and target description (gdb_regs.h). */
#include "sim/debug/gdb_regs.h"

#include <string.h>

#include "sim/cpu/flags.h"
#include "sim/debug/dbg_text.h"

typedef enum RegKind {
    R_GPR, /* gpr[index] */
    R_RIP,
    R_EFLAGS,
    R_SEL, /* seg[index].selector */
    R_ST,  /* ST(index) */
    R_FPU, /* fpu control registers: index selects */
    R_XMM, /* xmm[index] */
    R_MXCSR,
    R_BASE, /* seg[index].base */
    R_CR,   /* index 0, 2, 3, 4, 8 */
    R_EFER,
    R_DT, /* index 0 gdtr base, 1 gdtr limit, 2 idtr base, 3 idtr limit */
} RegKind;

typedef struct GdbReg {
    const char *name;
    uint8_t bits, kind, index;
    const char *type, *group;
} GdbReg;

/* The first register of each feature. */
#define FEATURE_CORE 0
#define FEATURE_SSE 40
#define FEATURE_SEGMENTS 57
#define FEATURE_SYSTEM 59

static const GdbReg regs[] = {
    /* org.gnu.gdb.i386.core */
    {"rax", 64, R_GPR, GPR_RAX, "int64", NULL},
    {"rbx", 64, R_GPR, GPR_RBX, "int64", NULL},
    {"rcx", 64, R_GPR, GPR_RCX, "int64", NULL},
    {"rdx", 64, R_GPR, GPR_RDX, "int64", NULL},
    {"rsi", 64, R_GPR, GPR_RSI, "int64", NULL},
    {"rdi", 64, R_GPR, GPR_RDI, "int64", NULL},
    {"rbp", 64, R_GPR, GPR_RBP, "data_ptr", NULL},
    {"rsp", 64, R_GPR, GPR_RSP, "data_ptr", NULL},
    {"r8", 64, R_GPR, GPR_R8, "int64", NULL},
    {"r9", 64, R_GPR, GPR_R9, "int64", NULL},
    {"r10", 64, R_GPR, GPR_R10, "int64", NULL},
    {"r11", 64, R_GPR, GPR_R11, "int64", NULL},
    {"r12", 64, R_GPR, GPR_R12, "int64", NULL},
    {"r13", 64, R_GPR, GPR_R13, "int64", NULL},
    {"r14", 64, R_GPR, GPR_R14, "int64", NULL},
    {"r15", 64, R_GPR, GPR_R15, "int64", NULL},
    {"rip", 64, R_RIP, 0, "code_ptr", NULL},
    {"eflags", 32, R_EFLAGS, 0, "int32", NULL},
    {"cs", 32, R_SEL, SEG_CS, "int32", NULL},
    {"ss", 32, R_SEL, SEG_SS, "int32", NULL},
    {"ds", 32, R_SEL, SEG_DS, "int32", NULL},
    {"es", 32, R_SEL, SEG_ES, "int32", NULL},
    {"fs", 32, R_SEL, SEG_FS, "int32", NULL},
    {"gs", 32, R_SEL, SEG_GS, "int32", NULL},
    {"st0", 80, R_ST, 0, "i387_ext", NULL},
    {"st1", 80, R_ST, 1, "i387_ext", NULL},
    {"st2", 80, R_ST, 2, "i387_ext", NULL},
    {"st3", 80, R_ST, 3, "i387_ext", NULL},
    {"st4", 80, R_ST, 4, "i387_ext", NULL},
    {"st5", 80, R_ST, 5, "i387_ext", NULL},
    {"st6", 80, R_ST, 6, "i387_ext", NULL},
    {"st7", 80, R_ST, 7, "i387_ext", NULL},
    {"fctrl", 32, R_FPU, 0, "int", "float"},
    {"fstat", 32, R_FPU, 1, "int", "float"},
    {"ftag", 32, R_FPU, 2, "int", "float"},
    {"fiseg", 32, R_FPU, 3, "int", "float"},
    {"fioff", 32, R_FPU, 4, "int", "float"},
    {"foseg", 32, R_FPU, 5, "int", "float"},
    {"fooff", 32, R_FPU, 6, "int", "float"},
    {"fop", 32, R_FPU, 7, "int", "float"},
    /* org.gnu.gdb.i386.sse */
    {"xmm0", 128, R_XMM, 0, "uint128", "vector"},
    {"xmm1", 128, R_XMM, 1, "uint128", "vector"},
    {"xmm2", 128, R_XMM, 2, "uint128", "vector"},
    {"xmm3", 128, R_XMM, 3, "uint128", "vector"},
    {"xmm4", 128, R_XMM, 4, "uint128", "vector"},
    {"xmm5", 128, R_XMM, 5, "uint128", "vector"},
    {"xmm6", 128, R_XMM, 6, "uint128", "vector"},
    {"xmm7", 128, R_XMM, 7, "uint128", "vector"},
    {"xmm8", 128, R_XMM, 8, "uint128", "vector"},
    {"xmm9", 128, R_XMM, 9, "uint128", "vector"},
    {"xmm10", 128, R_XMM, 10, "uint128", "vector"},
    {"xmm11", 128, R_XMM, 11, "uint128", "vector"},
    {"xmm12", 128, R_XMM, 12, "uint128", "vector"},
    {"xmm13", 128, R_XMM, 13, "uint128", "vector"},
    {"xmm14", 128, R_XMM, 14, "uint128", "vector"},
    {"xmm15", 128, R_XMM, 15, "uint128", "vector"},
    {"mxcsr", 32, R_MXCSR, 0, "int", "vector"},
    /* org.gnu.gdb.i386.segments */
    {"fs_base", 64, R_BASE, SEG_FS, "int64", NULL},
    {"gs_base", 64, R_BASE, SEG_GS, "int64", NULL},
    /* org.vmxsim.x86.system */
    {"cr0", 64, R_CR, 0, "int64", "system"},
    {"cr2", 64, R_CR, 2, "int64", "system"},
    {"cr3", 64, R_CR, 3, "int64", "system"},
    {"cr4", 64, R_CR, 4, "int64", "system"},
    {"cr8", 64, R_CR, 8, "int64", "system"},
    {"efer", 64, R_EFER, 0, "int64", "system"},
    {"es_base", 64, R_BASE, SEG_ES, "int64", "system"},
    {"cs_base", 64, R_BASE, SEG_CS, "int64", "system"},
    {"ss_base", 64, R_BASE, SEG_SS, "int64", "system"},
    {"ds_base", 64, R_BASE, SEG_DS, "int64", "system"},
    {"ldtr", 32, R_SEL, SEG_LDTR, "int32", "system"},
    {"tr", 32, R_SEL, SEG_TR, "int32", "system"},
    {"gdtr_base", 64, R_DT, 0, "int64", "system"},
    {"gdtr_limit", 32, R_DT, 1, "int32", "system"},
    {"idtr_base", 64, R_DT, 2, "int64", "system"},
    {"idtr_limit", 32, R_DT, 3, "int32", "system"},
};

_Static_assert(sizeof(regs) / sizeof(regs[0]) == FEATURE_SYSTEM + 16, "feature boundaries");

unsigned gdb_reg_count(void) {
    return sizeof(regs) / sizeof(regs[0]);
}

static uint64_t cr(const CpuState *cpu, unsigned n) {
    return n == 0 ? cpu->cr0 : n == 2 ? cpu->cr2 : n == 3 ? cpu->cr3 : n == 4 ? cpu->cr4 : cpu->cr8;
}

/* SDM Vol. 1 8.1.7 "x87 FPU Tag Word": the full tag word; ST(i) is R[(TOP + i) mod 8]. */
static uint64_t fpu_control(const FpuState *f, unsigned n) {
    const uint64_t v[8] = {f->fcw, f->fsw, f->ftw, f->fcs, f->fip, f->fds, f->fdp, f->fop};
    return n == 4 || n == 6 ? (uint32_t)v[n] : v[n];
}

static uint64_t scalar(const CpuState *cpu, const GdbReg *r) {
    switch (r->kind) {
    case R_GPR:
        return cpu->gpr[r->index];
    case R_RIP:
        return cpu->RIP;
    case R_EFLAGS:
        return cpu_get_rflags(cpu);
    case R_SEL:
        return cpu->seg[r->index].selector;
    case R_FPU:
        return fpu_control(&cpu->fpu, r->index);
    case R_MXCSR:
        return cpu->fpu.mxcsr;
    case R_BASE:
        return cpu->seg[r->index].base;
    case R_CR:
        return cr(cpu, r->index);
    case R_EFER:
        return cpu->efer;
    default: /* R_DT */
        return r->index == 0   ? cpu->gdtr.base
               : r->index == 1 ? cpu->gdtr.limit
               : r->index == 2 ? cpu->idtr.base
                               : cpu->idtr.limit;
    }
}

unsigned gdb_reg_read(const CpuState *cpu, unsigned n, uint8_t *out) {
    if (n >= gdb_reg_count()) return 0;
    const GdbReg *r = &regs[n];
    unsigned size = r->bits / 8;
    if (r->kind == R_ST) {
        const X87Reg *x = &cpu->fpu.r[(((cpu->fpu.fsw >> 11) & 7) + r->index) & 7];
        memcpy(out, &x->significand, 8);
        memcpy(out + 8, &x->sign_exponent, 2);
    } else if (r->kind == R_XMM) {
        memcpy(out, cpu->fpu.xmm[r->index], 16);
    } else {
        uint64_t v = scalar(cpu, r);
        memcpy(out, &v, size); /* little-endian host (x86-64) */
    }
    return size;
}

bool gdb_reg_write(CpuState *cpu, unsigned n, const uint8_t *in, size_t len) {
    if (n >= gdb_reg_count() || len != regs[n].bits / 8u) return false;
    uint64_t v = 0;
    const GdbReg *r = &regs[n];
    if (r->kind != R_GPR && r->kind != R_RIP && r->kind != R_EFLAGS)
        return false; /* state with side conditions (selectors, CRs) is not written */
    memcpy(&v, in, len);
    if (r->kind == R_GPR)
        cpu->gpr[r->index] = v;
    else if (r->kind == R_RIP)
        cpu->RIP = v;
    else
        cpu_set_rflags(cpu, (uint32_t)v | RFLAGS_FIXED1);
    return true;
}

static void feature(DbgText *t, const char *name, unsigned first, unsigned last) {
    dbg_text_add(t, "<feature name=\"%s\">\n", name);
    for (unsigned i = first; i < last; i++) {
        const GdbReg *r = &regs[i];
        dbg_text_add(t, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\"", r->name, r->bits, r->type);
        if (r->group) dbg_text_add(t, " group=\"%s\"", r->group);
        dbg_text_add(t, "/>\n");
    }
    dbg_text_add(t, "</feature>\n");
}

size_t gdb_target_xml(char *buf, size_t len) {
    DbgText t = dbg_text(buf, len);
    dbg_text_add(&t, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                     "<target version=\"1.0\">\n<architecture>i386:x86-64</architecture>\n");
    feature(&t, "org.gnu.gdb.i386.core", FEATURE_CORE, FEATURE_SSE);
    feature(&t, "org.gnu.gdb.i386.sse", FEATURE_SSE, FEATURE_SEGMENTS);
    feature(&t, "org.gnu.gdb.i386.segments", FEATURE_SEGMENTS, FEATURE_SYSTEM);
    feature(&t, "org.vmxsim.x86.system", FEATURE_SYSTEM, gdb_reg_count());
    dbg_text_add(&t, "</target>\n");
    return t.used;
}
