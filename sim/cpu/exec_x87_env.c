/*
 * x87 environment and state images: FLDENV FNSTENV FNSAVE FRSTOR (FSTENV and
 * FSAVE are FWAIT + the FN form).  SDM Vol. 1 8.1.10 "Saving the x87 FPU's
 * State with FSTENV/FNSTENV and FSAVE/FNSAVE", Figures 8-9 to 8-12, and
 * SDM Vol. 2 FLDENV, FSTENV/FNSTENV, FSAVE/FNSAVE, FRSTOR.
 *
 * The layout depends on the mode (real-address and virtual-8086 modes use the
 * real-mode layouts) and on the operand size (14/94-byte 16-bit images,
 * 28/108-byte 32-bit images; 64-bit mode uses the 32-bit protected-mode one).
 * vmxsim keeps FIP/FDP as offsets with FCS/FDS selectors; a real-mode image
 * holds the linear pointer selector * 16 + offset, and loading one sets
 * FCS = FDS = 0 with the linear pointers as offsets (docs/x87.md).  Reserved
 * fields are stored as the host stores them: the upper halves of the 32-bit
 * FCW, FSW, FTW and FDS slots read FFFFH.
 */
#include <string.h>

#include "sim/cpu/fpu.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/x87.h"

typedef enum EnvFormat { ENV_PROT32, ENV_REAL32, ENV_PROT16, ENV_REAL16 } EnvFormat;

enum { ENV32_SIZE = 28, ENV16_SIZE = 14, REG_IMAGE_SIZE = 10, SAVE32_SIZE = 108 };

static EnvFormat env_format(const CpuState *cpu, unsigned operand_bytes) {
    bool real = cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
    bool small = operand_bytes == ENV16_SIZE || operand_bytes == ENV16_SIZE + 8 * REG_IMAGE_SIZE;
    if (small) return real ? ENV_REAL16 : ENV_PROT16;
    return real ? ENV_REAL32 : ENV_PROT32;
}

static unsigned env_size(EnvFormat fmt) {
    return fmt == ENV_PROT32 || fmt == ENV_REAL32 ? ENV32_SIZE : ENV16_SIZE;
}

static void put16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
    put16(p, v), put16(p + 2, v >> 16);
}
static uint32_t get16(const uint8_t *p) {
    return p[0] | (uint32_t)p[1] << 8;
}
static uint32_t get32(const uint8_t *p) {
    return get16(p) | get16(p + 2) << 16;
}

/* Real-mode images hold linear pointers (SDM 8.1.10 Figures 8-10, 8-12). */
static uint32_t linear(uint16_t sel, uint64_t offset) {
    return (uint32_t)(sel * 16u + offset);
}

/* Figure 8-9 (protected mode) and Figure 8-10 (real mode), 32-bit format. */
static void store_env32(const FpuState *f, bool real, uint8_t *p) {
    put32(p + 0, 0xffff0000u | f->fcw);
    put32(p + 4, 0xffff0000u | f->fsw);
    put32(p + 8, 0xffff0000u | f->ftw);
    if (!real) {
        put32(p + 12, (uint32_t)f->fip);
        put32(p + 16, f->fcs | (uint32_t)(f->fop & 0x7ff) << 16);
        put32(p + 20, (uint32_t)f->fdp);
        put32(p + 24, 0xffff0000u | f->fds);
        return;
    }
    uint32_t ip = linear(f->fcs, f->fip), dp = linear(f->fds, f->fdp);
    put32(p + 12, 0xffff0000u | (ip & 0xffff));
    put32(p + 16, (ip >> 16) << 12 | (f->fop & 0x7ffu));
    put32(p + 20, 0xffff0000u | (dp & 0xffff));
    put32(p + 24, (dp >> 16) << 12);
}

/* Figure 8-11 (protected mode) and Figure 8-12 (real mode), 16-bit format. */
static void store_env16(const FpuState *f, bool real, uint8_t *p) {
    put16(p + 0, f->fcw);
    put16(p + 2, f->fsw);
    put16(p + 4, f->ftw);
    if (!real) {
        put16(p + 6, (uint32_t)f->fip);
        put16(p + 8, f->fcs);
        put16(p + 10, (uint32_t)f->fdp);
        put16(p + 12, f->fds);
        return;
    }
    uint32_t ip = linear(f->fcs, f->fip), dp = linear(f->fds, f->fdp);
    put16(p + 6, ip);
    put16(p + 8, ((ip >> 16) & 0xf) << 12 | (f->fop & 0x7ffu));
    put16(p + 10, dp);
    put16(p + 12, ((dp >> 16) & 0xf) << 12);
}

static void store_env(const FpuState *f, EnvFormat fmt, uint8_t *p) {
    if (fmt == ENV_PROT32 || fmt == ENV_REAL32)
        store_env32(f, fmt == ENV_REAL32, p);
    else
        store_env16(f, fmt == ENV_REAL16, p);
}

/* Pointers of a 32-bit image. */
static void load_pointers32(FpuState *f, bool real, const uint8_t *p) {
    if (!real) {
        f->fip = get32(p + 12);
        f->fcs = (uint16_t)get16(p + 16);
        f->fop = (uint16_t)(get16(p + 18) & 0x7ff);
        f->fdp = get32(p + 20);
        f->fds = (uint16_t)get16(p + 24);
        return;
    }
    f->fip = get16(p + 12) | ((get32(p + 16) >> 12) & 0xffff) << 16;
    f->fop = (uint16_t)(get16(p + 16) & 0x7ff);
    f->fdp = get16(p + 20) | ((get32(p + 24) >> 12) & 0xffff) << 16;
    f->fcs = f->fds = 0;
}

/* Pointers of a 16-bit image; the protected-mode one has no FOP (FOP := 0). */
static void load_pointers16(FpuState *f, bool real, const uint8_t *p) {
    if (!real) {
        f->fip = get16(p + 6);
        f->fcs = (uint16_t)get16(p + 8);
        f->fdp = get16(p + 10);
        f->fds = (uint16_t)get16(p + 12);
        f->fop = 0;
        return;
    }
    f->fip = get16(p + 6) | (get16(p + 8) >> 12) << 16;
    f->fop = (uint16_t)(get16(p + 8) & 0x7ff);
    f->fdp = get16(p + 10) | (get16(p + 12) >> 12) << 16;
    f->fcs = f->fds = 0;
}

/* SDM 8.1.7: of a loaded tag word only "empty" is taken; the other tags are
 * recomputed from the registers' contents. */
static uint16_t tags_from_image(const FpuState *f, uint32_t image_tags) {
    uint16_t ftw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t =
            ((image_tags >> (2 * p)) & 3) == X87_TAG_EMPTY ? X87_TAG_EMPTY : x87_classify(f->r[p]);
        ftw |= (uint16_t)(t << (2 * p));
    }
    return ftw;
}

/* Load an environment: FCW as FLDCW does, FSW with ES/B recomputed (as the
 * host does), the tags, and the pointers. */
static void load_env(FpuState *f, EnvFormat fmt, const uint8_t *p) {
    bool wide = fmt == ENV_PROT32 || fmt == ENV_REAL32;
    unsigned step = wide ? 4 : 2;
    f->fcw = (uint16_t)((get16(p) & FCW_WRITABLE) | FCW_FIXED1);
    f->fsw = (uint16_t)get16(p + step);
    f->ftw = tags_from_image(f, get16(p + 2 * step));
    x87_update_es(f);
    if (wide)
        load_pointers32(f, fmt == ENV_REAL32, p);
    else
        load_pointers16(f, fmt == ENV_REAL16, p);
}

/* SDM Vol. 2 FSTENV/FNSTENV: store the environment, then mask all
 * exceptions (which clears ES/B, as on the host). */
SimStatus exec_fnstenv(CpuState *cpu, const DecodedInsn *d) {
    uint8_t img[ENV32_SIZE];
    EnvFormat fmt = env_format(cpu, d->op[0].size);
    if (cpu_x87_available(cpu) != SIM_OK) return SIM_FAULT;
    store_env(&cpu->fpu, fmt, img);
    if (x87_write_mem(cpu, d, 0, img) != SIM_OK) return SIM_FAULT;
    cpu->fpu.fcw |= FCW_MASKS;
    x87_update_es(&cpu->fpu);
    return SIM_OK;
}

/* SDM Vol. 2 FLDENV: load the environment (a waiting instruction). */
SimStatus exec_fldenv(CpuState *cpu, const DecodedInsn *d) {
    uint8_t img[ENV32_SIZE];
    EnvFormat fmt = env_format(cpu, d->op[0].size);
    if (x87_begin(cpu) != SIM_OK || x87_read_mem(cpu, d, 0, img) != SIM_OK) return SIM_FAULT;
    load_env(&cpu->fpu, fmt, img);
    return SIM_OK;
}

/* SDM Vol. 2 FSAVE/FNSAVE: the environment, then ST(0)..ST(7) as 80-bit
 * values, then the FPU is initialised as by FNINIT. */
SimStatus exec_fnsave(CpuState *cpu, const DecodedInsn *d) {
    uint8_t img[SAVE32_SIZE];
    FpuState *f = &cpu->fpu;
    EnvFormat fmt = env_format(cpu, d->op[0].size);
    if (cpu_x87_available(cpu) != SIM_OK) return SIM_FAULT;
    store_env(f, fmt, img);
    for (unsigned i = 0; i < 8; i++) {
        X87Reg v = x87_st(f, i);
        memcpy(img + env_size(fmt) + REG_IMAGE_SIZE * i, &v.significand, 8);
        memcpy(img + env_size(fmt) + REG_IMAGE_SIZE * i + 8, &v.sign_exponent, 2);
    }
    if (x87_write_mem(cpu, d, 0, img) != SIM_OK) return SIM_FAULT;
    return exec_fninit(cpu, d);
}

/* SDM Vol. 2 FRSTOR: the registers (ST(i) relative to the loaded TOP), then
 * the environment, whose tags are checked against them. */
SimStatus exec_frstor(CpuState *cpu, const DecodedInsn *d) {
    uint8_t img[SAVE32_SIZE];
    FpuState *f = &cpu->fpu;
    EnvFormat fmt = env_format(cpu, d->op[0].size);
    unsigned base = env_size(fmt), step = base == ENV32_SIZE ? 4 : 2;
    if (x87_begin(cpu) != SIM_OK || x87_read_mem(cpu, d, 0, img) != SIM_OK) return SIM_FAULT;
    unsigned top = (get16(img + step) >> FSW_TOP_SHIFT) & 7;
    for (unsigned i = 0; i < 8; i++) {
        X87Reg *r = &f->r[(top + i) & 7];
        memcpy(&r->significand, img + base + REG_IMAGE_SIZE * i, 8);
        memcpy(&r->sign_exponent, img + base + REG_IMAGE_SIZE * i + 8, 2);
    }
    load_env(f, fmt, img);
    return SIM_OK;
}
