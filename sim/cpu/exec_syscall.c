/*
 * SYSCALL and SYSRET (SDM Vol. 2 "SYSCALL—Fast System Call" and
 * "SYSRET—Return From Fast System Call"; SDM Vol. 3A 5.8.8 "Fast System
 * Calls in 64-Bit Mode").  Both load CS and SS with selectors derived from
 * IA32_STAR and their descriptor caches with fixed values: the GDT is never
 * read.  IA32_CSTAR is not used: on Intel processors SYSCALL outside 64-bit
 * mode is #UD (SDM Vol. 2 SYSCALL, "Compatibility Mode Exceptions").
 */
#include "sim/cpu/branch.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"

/* SDM Vol. 2 SYSRET "Operation": RFLAGS := (R11 & 3C7FD7H) | 2 clears RF,
 * VM and the reserved bits and sets bit 1. */
#define SYSRET_RFLAGS_KEEP UINT64_C(0x3c7fd7)

/* A flat segment cache as SYSCALL/SYSRET load it: base 0, limit FFFFFH with
 * G = 1 (4 GBytes), S = 1, P = 1, the given type, DPL and L or D/B bit. */
static Segment flat_segment(uint16_t selector, uint32_t type, unsigned dpl, uint32_t size_bit) {
    uint32_t ar = type | AR_S | ((uint32_t)dpl << AR_DPL_SHIFT) | AR_P | AR_G | size_bit;
    return (Segment){selector, 0xffffffffu, ar, 0};
}

/* SDM Vol. 2 SYSCALL/SYSRET "Operation": #UD when CS.L != 1 or
 * IA32_EFER.LMA != 1 (not 64-bit mode) or IA32_EFER.SCE != 1.  The
 * instructions exist only when CPUID.80000001H:EDX.SYSCALL[bit 11] = 1. */
static bool syscall_enabled(const CpuState *cpu) {
    return cpu_model_has(cpu->model, FEAT_SYSCALL) && cpu->mode == MODE_LONG64 &&
           (cpu->efer & EFER_SCE);
}

/* SDM Vol. 2 SYSCALL "Operation": RCX := RIP of the next instruction,
 * RIP := IA32_LSTAR, R11 := RFLAGS, RFLAGS &= ~IA32_FMASK; CS := STAR[47:32]
 * AND FFFCH and SS := STAR[47:32] + 8 with fixed caches; CPL := 0. */
SimStatus exec_syscall(CpuState *cpu, const DecodedInsn *d) {
    if (!syscall_enabled(cpu)) return cpu_raise_ud(cpu);
    uint64_t star = cpu->msr[MSR_SLOT_IA32_STAR];
    uint64_t rflags = cpu_get_rflags(cpu);
    cpu->gpr[GPR_RCX] = cpu->RIP;
    cpu->gpr[GPR_R11] = rflags;
    cpu->RIP = cpu->msr[MSR_SLOT_IA32_LSTAR];
    /* Bit 1 of RFLAGS is fixed to 1 whatever IA32_FMASK says (SDM Vol. 1 3.4.3). */
    cpu_set_rflags(cpu, (rflags & ~cpu->msr[MSR_SLOT_IA32_FMASK]) | RFLAGS_FIXED1);
    /* CS: type 11 (execute/read, accessed), DPL 0, L = 1, D = 0. */
    cpu->seg[SEG_CS] = flat_segment((uint16_t)(star >> 32) & 0xfffc, 0xb, 0, AR_L);
    /* SS: type 3 (read/write, accessed), DPL 0, B = 1; its selector keeps
     * the RPL bits of STAR[33:32] (only CS is masked by the SDM). */
    cpu->seg[SEG_SS] = flat_segment((uint16_t)((star >> 32) + 8), 0x3, 0, AR_DB);
    cpu_update_mode(cpu);
    return SIM_OK;
}

/* SDM Vol. 2 SYSRET "Operation": CPL 0 only; with REX.W back to 64-bit mode
 * (RIP := RCX, CS := STAR[63:48] + 16), otherwise to compatibility mode
 * (RIP := ECX, CS := STAR[63:48]); SS := STAR[63:48] + 8; RPLs forced to 3. */
SimStatus exec_sysret(CpuState *cpu, const DecodedInsn *d) {
    if (!syscall_enabled(cpu)) return cpu_raise_ud(cpu);
    if (cpu->cpl != 0) return cpu_raise_gp0(cpu);
    bool to64 = d->opsize == 8;
    uint64_t rip = to64 ? cpu->gpr[GPR_RCX] : (uint32_t)cpu->gpr[GPR_RCX];
    /* SDM Vol. 2 SYSRET: a non-canonical RCX raises #GP(0) before anything
     * changes, so the #GP is delivered at CPL 0 on the stack the OS set up
     * for user mode (the SDM's note asks the OS to guard against this). */
    if (to64 && !cpu_is_canonical(cpu, rip)) return cpu_raise_gp0(cpu);
    uint16_t base = (uint16_t)(cpu->msr[MSR_SLOT_IA32_STAR] >> 48);
    uint16_t cs = (uint16_t)((to64 ? base + 16 : base) | 3);
    cpu_set_rflags(cpu, (cpu->gpr[GPR_R11] & SYSRET_RFLAGS_KEEP) | RFLAGS_FIXED1);
    cpu->RIP = rip;
    /* CS: type 11, DPL 3, L = 1 and D = 0 for 64-bit mode, L = 0 and D = 1
     * for compatibility mode.  SS: type 3, DPL 3, B = 1. */
    cpu->seg[SEG_CS] = flat_segment(cs, 0xb, 3, to64 ? AR_L : AR_DB);
    cpu->seg[SEG_SS] = flat_segment((uint16_t)((base + 8) | 3), 0x3, 3, AR_DB);
    cpu_update_mode(cpu);
    return SIM_OK;
}
