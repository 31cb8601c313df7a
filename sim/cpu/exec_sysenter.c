/*
 * SYSENTER and SYSEXIT (SDM Vol. 2 "SYSENTER—Fast System Call" and
 * "SYSEXIT—Fast Return from Fast System Call"; SDM Vol. 3A 5.8.7
 * "Performing Fast Calls to System Procedures with the SYSENTER and SYSEXIT
 * Instructions").  CS and SS selectors come from IA32_SYSENTER_CS, their
 * descriptor caches are loaded with fixed values (the GDT is never read).
 */
#include "sim/cpu/branch.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/handlers.h"

/* A flat segment cache as SYSENTER/SYSEXIT load it: base 0, limit FFFFFH
 * with G = 1 (4 GBytes), S = 1, P = 1, the given type, DPL and L or D/B. */
static Segment flat_segment(uint16_t selector, uint32_t type, unsigned dpl, uint32_t size_bit) {
    uint32_t ar = type | AR_S | ((uint32_t)dpl << AR_DPL_SHIFT) | AR_P | AR_G | size_bit;
    return (Segment){selector, 0xffffffffu, ar, 0};
}

/* SDM Vol. 2 SYSENTER: the instructions exist when CPUID.01H:EDX.SEP[bit 11] = 1. */
static bool sep_present(const CpuState *cpu) {
    return cpu_model_has(cpu->model, FEAT_SEP);
}

/* SDM Vol. 2 SYSENTER "Operation": #GP(0) when CR0.PE = 0 or
 * IA32_SYSENTER_CS[15:2] = 0.  RFLAGS.VM := 0, RFLAGS.IF := 0; in IA-32e
 * mode RSP/RIP := IA32_SYSENTER_ESP/EIP and CS.L := 1, otherwise their low 32
 * bits and CS.D := 1; CS := SYSENTER_CS AND FFFCH, SS := CS + 8; CPL := 0. */
SimStatus exec_sysenter(CpuState *cpu, const DecodedInsn *d) {
    uint16_t cs = (uint16_t)cpu->msr[MSR_SLOT_IA32_SYSENTER_CS] & 0xfffc;
    if (!sep_present(cpu)) return cpu_raise_ud(cpu);
    if (!(cpu->cr0 & CR0_PE) || cs == 0) return cpu_raise_gp0(cpu);
    bool ia32e = (cpu->efer & EFER_LMA) != 0;
    uint64_t width = ia32e ? UINT64_MAX : UINT32_MAX;
    cpu_set_rflags(cpu, cpu_get_rflags(cpu) & ~(uint64_t)(RFLAGS_VM | RFLAGS_IF));
    cpu->gpr[GPR_RSP] = cpu->msr[MSR_SLOT_IA32_SYSENTER_ESP] & width;
    cpu->RIP = cpu->msr[MSR_SLOT_IA32_SYSENTER_EIP] & width;
    /* CS: type 11 (execute/read, accessed), DPL 0.  SS: type 3, DPL 0, B = 1. */
    cpu->seg[SEG_CS] = flat_segment(cs, 0xb, 0, ia32e ? AR_L : AR_DB);
    cpu->seg[SEG_SS] = flat_segment((uint16_t)(cs + 8), 0x3, 0, AR_DB);
    cpu_update_mode(cpu);
    return SIM_OK;
}

/* SDM Vol. 2 SYSEXIT "64-Bit Mode Exceptions": with a 64-bit operand size,
 * #GP(0) when RCX or RDX is not canonical. */
static bool sysexit_targets_canonical(const CpuState *cpu) {
    return cpu_is_canonical(cpu, cpu->gpr[GPR_RCX]) && cpu_is_canonical(cpu, cpu->gpr[GPR_RDX]);
}

/* SDM Vol. 2 SYSEXIT "Operation": #GP(0) when IA32_SYSENTER_CS[15:2] = 0,
 * CR0.PE = 0 or CPL != 0.  REX.W: RSP := RCX, RIP := RDX, CS := SYSENTER_CS
 * + 32 with L = 1 (64-bit mode); otherwise RSP := ECX, RIP := EDX, CS :=
 * SYSENTER_CS + 16 with D = 1 (protected or compatibility mode).  RPL 3,
 * SS := CS + 8; CPL := 3. */
SimStatus exec_sysexit(CpuState *cpu, const DecodedInsn *d) {
    uint16_t msr_cs = (uint16_t)cpu->msr[MSR_SLOT_IA32_SYSENTER_CS];
    bool to64 = d->opsize == 8;
    if (!sep_present(cpu)) return cpu_raise_ud(cpu);
    if ((msr_cs & 0xfffc) == 0 || !(cpu->cr0 & CR0_PE) || cpu->cpl != 0) return cpu_raise_gp0(cpu);
    if (to64 && !sysexit_targets_canonical(cpu)) return cpu_raise_gp0(cpu);
    uint64_t width = to64 ? UINT64_MAX : UINT32_MAX;
    uint16_t cs = (uint16_t)((msr_cs + (to64 ? 32 : 16)) | 3);
    cpu->gpr[GPR_RSP] = cpu->gpr[GPR_RCX] & width;
    cpu->RIP = cpu->gpr[GPR_RDX] & width;
    /* CS: type 11, DPL 3.  SS: type 3, DPL 3, B = 1. */
    cpu->seg[SEG_CS] = flat_segment(cs, 0xb, 3, to64 ? AR_L : AR_DB);
    cpu->seg[SEG_SS] = flat_segment((uint16_t)(cs + 8), 0x3, 3, AR_DB);
    cpu_update_mode(cpu);
    return SIM_OK;
}
