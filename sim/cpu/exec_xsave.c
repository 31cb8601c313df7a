/*
 * x87/MMX/SSE state save and restore: FXSAVE/FXRSTOR (SDM Vol. 2 FXSAVE,
 * Tables 3-53 "Non-64-bit-Mode Layout of FXSAVE and FXRSTOR Memory Region"
 * and 3-56 "Layout of the 64-bit-mode FXSAVE64 Map"), and the XSAVE feature
 * set for XCR0 = x87 | SSE (SDM Vol. 1 chapter 13 "Managing State Using the
 * XSAVE Feature Set"): XSAVE, XRSTOR, XGETBV, XSETBV.
 */
#include <Zydis/Zydis.h>

#include "sim/cpu/handlers.h"
#include "sim/cpu/vmx_hooks.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/sse.h"

/* Byte offsets in the FXSAVE image / XSAVE legacy region and header. */
enum {
    FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6, FX_FIP = 8, FX_FCS = 12, FX_FDP = 16,
    FX_FDS = 20, FX_MXCSR = 24, FX_MXCSR_MASK = 28, FX_ST0 = 32, FX_XMM0 = 160,
    FX_SAVED = 464, /* bytes 464-511 are for software: never written */
    FX_SIZE = 512,
    XS_HEADER = 512, /* XSTATE_BV at +0, XCOMP_BV at +8 (SDM Vol. 1 13.4.2) */
    XS_SIZE = 576,
};

/* State components (SDM Vol. 1 13.1 "XSAVE-Supported Features and
 * State-Component Bitmaps"): x87 and SSE; everything else is reserved. */
#define XCOMP_X87 UINT64_C(1)
#define XCOMP_SSE UINT64_C(2)
#define XCR0_SUPPORTED (XCOMP_X87 | XCOMP_SSE)

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* XMM registers in the image: all 16 in 64-bit mode, else XMM0-7. */
static unsigned xmm_count(const CpuState *cpu) { return cpu->mode == MODE_LONG64 ? 16 : 8; }

static bool is_64bit_format(const DecodedInsn *d)
{
    return d->mnemonic == ZYDIS_MNEMONIC_FXSAVE64 || d->mnemonic == ZYDIS_MNEMONIC_FXRSTOR64 ||
           d->mnemonic == ZYDIS_MNEMONIC_XSAVE64 || d->mnemonic == ZYDIS_MNEMONIC_XRSTOR64;
}

/* SDM Vol. 2 FXSAVE "Abridged x87 FPU Tag Word": bit i set when physical
 * register i is not empty (tag != 11). */
static uint8_t abridged_tags(uint16_t ftw)
{
    uint8_t t = 0;
    for (unsigned i = 0; i < 8; i++) {
        if (((ftw >> (2 * i)) & 3) != X87_TAG_EMPTY)
            t |= (uint8_t)(1u << i);
    }
    return t;
}

/* SDM Vol. 2 FXSAVE, 32-bit format (Table 3-53) or, with REX.W, the 64-bit
 * format (Table 3-56): FIP/FDP as 64-bit offsets without FCS/FDS.  ST(i)
 * (physical register (TOP + i) mod 8) in slot i. */
static void put_x87(const FpuState *f, uint8_t *img, bool fmt64)
{
    put16(img + FX_FCW, f->fcw);
    put16(img + FX_FSW, f->fsw);
    img[FX_FTW] = abridged_tags(f->ftw);
    put16(img + FX_FOP, f->fop & 0x7ff);
    if (fmt64) {
        put64(img + FX_FIP, f->fip);
        put64(img + FX_FDP, f->fdp);
    } else {
        put32(img + FX_FIP, (uint32_t)f->fip);
        put16(img + FX_FCS, f->fcs);
        put32(img + FX_FDP, (uint32_t)f->fdp);
        put16(img + FX_FDS, f->fds);
    }
    for (unsigned i = 0; i < 8; i++) {
        const X87Reg *r = &f->r[(x87_top(f) + i) & 7];
        put64(img + FX_ST0 + 16 * i, r->significand);
        put16(img + FX_ST0 + 16 * i + 8, r->sign_exponent);
    }
}

static void put_mxcsr(const FpuState *f, uint8_t *img)
{
    put32(img + FX_MXCSR, f->mxcsr);
    put32(img + FX_MXCSR_MASK, MXCSR_MASK_SUPPORTED);
}

static void put_xmm(const FpuState *f, uint8_t *img, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        memcpy(img + FX_XMM0 + 16 * i, f->xmm[i], 16);
}

/* SDM Vol. 2 FXRSTOR / SDM Vol. 1 8.1.7 "x87 FPU Tag Word": a non-empty
 * register's full tag is recomputed from its contents (x87_classify: valid,
 * zero, or special for NaN, infinity, denormal and unnormal). */
static uint16_t full_tags(const FpuState *f, uint8_t abridged)
{
    uint16_t ftw = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned tag = (abridged >> i) & 1 ? x87_classify(f->r[i]) : X87_TAG_EMPTY;
        ftw |= (uint16_t)(tag << (2 * i));
    }
    return ftw;
}

/* The inverse of put_x87.  The 64-bit format has no FCS/FDS: they are kept. */
static void get_x87(FpuState *f, const uint8_t *img, bool fmt64)
{
    f->fcw = get16(img + FX_FCW);
    f->fsw = get16(img + FX_FSW);
    f->fop = get16(img + FX_FOP) & 0x7ff;
    f->fip = fmt64 ? get64(img + FX_FIP) : get32(img + FX_FIP);
    f->fdp = fmt64 ? get64(img + FX_FDP) : get32(img + FX_FDP);
    if (!fmt64) {
        f->fcs = get16(img + FX_FCS);
        f->fds = get16(img + FX_FDS);
    }
    for (unsigned i = 0; i < 8; i++) {
        X87Reg *r = &f->r[(x87_top(f) + i) & 7];
        r->significand = get64(img + FX_ST0 + 16 * i);
        r->sign_exponent = get16(img + FX_ST0 + 16 * i + 8);
    }
    f->ftw = full_tags(f, img[FX_FTW]);
}

static void get_xmm(FpuState *f, const uint8_t *img, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        memcpy(f->xmm[i], img + FX_XMM0 + 16 * i, 16);
}

/* SDM Vol. 2 FXSAVE/FXRSTOR: #UD without FXSR or with CR0.EM, #NM with
 * CR0.TS.  The choice for CR4.OSFXSR = 0 (the SDM leaves it to the
 * implementation): XMM and MXCSR are saved and restored anyway. */
static SimStatus fx_available(CpuState *cpu)
{
    if (!cpu_model_has(cpu->model, FEAT_FXSR) || (cpu->cr0 & CR0_EM))
        return cpu_raise_ud(cpu);
    if (cpu->cr0 & CR0_TS)
        return cpu_raise(cpu, EXC_NM, 0);
    return SIM_OK;
}

/* SDM Vol. 2 FXSAVE: 16-byte aligned 512-byte area (#GP(0)); the whole area
 * is checked before anything is written; bytes from the end of the saved
 * XMM registers on are not written. */
SimStatus exec_fxsave(CpuState *cpu, const DecodedInsn *d)
{
    uint8_t img[FX_SAVED] = {0};
    uint64_t off = insn_ea(cpu, d);
    if (fx_available(cpu) != SIM_OK || sse_mem_probe_write(cpu, d->seg, off, FX_SIZE, 16) != SIM_OK)
        return SIM_FAULT;
    put_x87(&cpu->fpu, img, is_64bit_format(d));
    put_mxcsr(&cpu->fpu, img);
    put_xmm(&cpu->fpu, img, xmm_count(cpu));
    return sse_mem_write(cpu, d->seg, off, img, FX_XMM0 + 16 * xmm_count(cpu), 0);
}

/* SDM Vol. 2 FXRSTOR: #GP(0) for a misaligned area or reserved MXCSR bits,
 * before any state changes. */
SimStatus exec_fxrstor(CpuState *cpu, const DecodedInsn *d)
{
    uint8_t img[FX_SIZE];
    FpuState next = cpu->fpu;
    if (fx_available(cpu) != SIM_OK ||
        sse_mem_read(cpu, d->seg, insn_ea(cpu, d), img, FX_SIZE, 16) != SIM_OK)
        return SIM_FAULT;
    if (get32(img + FX_MXCSR) & ~MXCSR_MASK_SUPPORTED)
        return cpu_raise_gp0(cpu);
    get_x87(&next, img, is_64bit_format(d));
    next.mxcsr = get32(img + FX_MXCSR);
    get_xmm(&next, img, xmm_count(cpu));
    cpu->fpu = next;
    return SIM_OK;
}

/* SDM Vol. 1 13.7 "Operation of XSAVE" / 13.8: #UD without XSAVE or with
 * CR4.OSXSAVE = 0, #NM with CR0.TS. */
static SimStatus xsave_available(CpuState *cpu)
{
    if (!cpu_model_has(cpu->model, FEAT_XSAVE) || !(cpu->cr4 & CR4_OSXSAVE))
        return cpu_raise_ud(cpu);
    if (cpu->cr0 & CR0_TS)
        return cpu_raise(cpu, EXC_NM, 0);
    return SIM_OK;
}

/* SDM Vol. 1 13.7: the requested-feature bitmap RFBM = EDX:EAX AND XCR0. */
static uint64_t xsave_rfbm(const CpuState *cpu)
{
    uint64_t mask = (cpu->gpr[GPR_RDX] << 32) | (uint32_t)cpu->gpr[GPR_RAX];
    return mask & cpu->xcr0;
}

static uint64_t xsave_header_offset(const DecodedInsn *d, uint64_t off)
{
    return (off + XS_HEADER) & size_mask(d->addrsize);
}

/* Write [from, to) of the image at seg:off (the area is already probed). */
static SimStatus put_range(CpuState *cpu, const DecodedInsn *d, uint64_t off, const uint8_t *img,
                           unsigned from, unsigned to)
{
    uint64_t at = (off + from) & size_mask(d->addrsize);
    return sse_mem_write(cpu, d->seg, at, img + from, to - from, 0);
}

/* SDM Vol. 1 13.7: x87 state is bytes 0-23 and 32-159 (13.5.1), SSE state
 * MXCSR/MXCSR_MASK (bytes 24-31) and the XMM registers (13.5.2). */
static SimStatus xsave_write(CpuState *cpu, const DecodedInsn *d, uint64_t off, uint64_t rfbm)
{
    uint8_t img[FX_SAVED] = {0};
    unsigned xmm_end = FX_XMM0 + 16 * xmm_count(cpu);
    put_x87(&cpu->fpu, img, is_64bit_format(d));
    put_mxcsr(&cpu->fpu, img);
    put_xmm(&cpu->fpu, img, xmm_count(cpu));
    if ((rfbm & XCOMP_X87) && (put_range(cpu, d, off, img, 0, FX_MXCSR) != SIM_OK ||
                               put_range(cpu, d, off, img, FX_ST0, FX_XMM0) != SIM_OK))
        return SIM_FAULT;
    if ((rfbm & XCOMP_SSE) && (put_range(cpu, d, off, img, FX_MXCSR, FX_ST0) != SIM_OK ||
                               put_range(cpu, d, off, img, FX_XMM0, xmm_end) != SIM_OK))
        return SIM_FAULT;
    return SIM_OK;
}

/* SDM Vol. 1 13.7 "Operation of XSAVE": 64-byte aligned area (#GP(0)); the
 * requested components are written, and in the header only XSTATE_BV,
 * whose RFBM bits become XINUSE.  The choice: XINUSE is 1 for x87 and SSE
 * (SDM Vol. 1 13.6 allows 1 for a component in its initial configuration).
 * The whole 576-byte area is checked before anything is written. */
SimStatus exec_xsave(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t off = insn_ea(cpu, d), bv, rfbm = xsave_rfbm(cpu);
    if (xsave_available(cpu) != SIM_OK ||
        sse_mem_probe_write(cpu, d->seg, off, XS_SIZE, 64) != SIM_OK ||
        sse_mem_read(cpu, d->seg, xsave_header_offset(d, off), &bv, 8, 0) != SIM_OK)
        return SIM_FAULT;
    if (xsave_write(cpu, d, off, rfbm) != SIM_OK)
        return SIM_FAULT;
    bv |= rfbm;
    return sse_mem_write(cpu, d->seg, xsave_header_offset(d, off), &bv, 8, 0);
}

/* SDM Vol. 1 13.8.1 "Standard Form of XRSTOR" (vmxsim has no compacted
 * form: XCOMP_BV[63] = 1 is a #GP(0) with the rest): #GP(0) when XSTATE_BV
 * sets a bit not set in XCR0 or header bytes 23:8 are not zero, and (13.8)
 * when MXCSR would be loaded with a reserved bit set. */
static bool xrstor_faults(const CpuState *cpu, const uint8_t *img, uint64_t rfbm)
{
    uint64_t bv = get64(img + XS_HEADER);
    if ((bv & ~cpu->xcr0) || get64(img + XS_HEADER + 8) || get64(img + XS_HEADER + 16))
        return true;
    return (rfbm & XCOMP_SSE) && (get32(img + FX_MXCSR) & ~MXCSR_MASK_SUPPORTED);
}

/* SDM Vol. 1 13.6 "Processor Tracking of XSAVE-Managed State": the initial
 * configuration of x87 state. */
static void xsave_init_x87(FpuState *f)
{
    f->fcw = FCW_INIT;
    f->fsw = f->fop = 0;
    f->ftw = 0xffff;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
    memset(f->r, 0, sizeof(f->r));
}

/* SDM Vol. 1 13.8.1: for each RFBM component, load it when its XSTATE_BV
 * bit is set, else initialize it (SSE: XMM registers zero); MXCSR is loaded
 * whenever RFBM[1] is set. */
static void xrstor_load(CpuState *cpu, FpuState *f, const uint8_t *img, uint64_t rfbm,
                        bool fmt64)
{
    uint64_t bv = get64(img + XS_HEADER);
    if ((rfbm & XCOMP_X87) && (bv & XCOMP_X87))
        get_x87(f, img, fmt64);
    else if (rfbm & XCOMP_X87)
        xsave_init_x87(f);
    if (!(rfbm & XCOMP_SSE))
        return;
    f->mxcsr = get32(img + FX_MXCSR);
    if (bv & XCOMP_SSE)
        get_xmm(f, img, xmm_count(cpu));
    else
        memset(f->xmm, 0, 16 * xmm_count(cpu));
}

/* SDM Vol. 1 13.8 "Operation of XRSTOR". */
SimStatus exec_xrstor(CpuState *cpu, const DecodedInsn *d)
{
    uint8_t img[XS_SIZE];
    uint64_t rfbm = xsave_rfbm(cpu);
    FpuState next = cpu->fpu;
    if (xsave_available(cpu) != SIM_OK ||
        sse_mem_read(cpu, d->seg, insn_ea(cpu, d), img, XS_SIZE, 64) != SIM_OK)
        return SIM_FAULT;
    if (xrstor_faults(cpu, img, rfbm))
        return cpu_raise_gp0(cpu);
    xrstor_load(cpu, &next, img, rfbm, is_64bit_format(d));
    cpu->fpu = next;
    return SIM_OK;
}

/* SDM Vol. 2 XGETBV: #UD without XSAVE or with CR4.OSXSAVE = 0; #GP(0) for
 * an ECX other than 0 (XCR0; ECX = 1 needs CPUID.(EAX=0DH,ECX=1):EAX[2],
 * which vmxsim does not report).  EDX:EAX = XCR0, upper halves cleared. */
SimStatus exec_xgetbv(CpuState *cpu, const DecodedInsn *d)
{
    if (!cpu_model_has(cpu->model, FEAT_XSAVE) || !(cpu->cr4 & CR4_OSXSAVE))
        return cpu_raise_ud(cpu);
    if ((uint32_t)cpu->gpr[GPR_RCX] != 0)
        return cpu_raise_gp0(cpu);
    cpu->gpr[GPR_RAX] = (uint32_t)cpu->xcr0;
    cpu->gpr[GPR_RDX] = cpu->xcr0 >> 32;
    return SIM_OK;
}

/* SDM Vol. 2 XSETBV: #UD without XSAVE or with CR4.OSXSAVE = 0; #GP(0) at
 * CPL > 0 (so always in virtual-8086 mode), for ECX other than 0, for a bit
 * of EDX:EAX reserved in XCR0 (every bit but x87 and SSE here, SDM Vol. 1
 * 13.3 "Enabling the XSAVE Feature Set and XSAVE-Enabled Features"), or
 * when bit 0 (x87) is clear. */
SimStatus exec_xsetbv(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t v = (cpu->gpr[GPR_RDX] << 32) | (uint32_t)cpu->gpr[GPR_RAX];
    uint64_t unused = 0;
    if (!cpu_model_has(cpu->model, FEAT_XSAVE) || !(cpu->cr4 & CR4_OSXSAVE))
        return cpu_raise_ud(cpu);
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_XSETBV, &unused); /* SDM 25.1.2 */
    if (st != SIM_OK)
        return st;
    if ((uint32_t)cpu->gpr[GPR_RCX] != 0 || (v & ~XCR0_SUPPORTED) ||
        !(v & XCOMP_X87))
        return cpu_raise_gp0(cpu);
    cpu->xcr0 = v;
    return SIM_OK;
}
