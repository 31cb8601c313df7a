/*
 * Cache and TLB control (SDM Vol. 2 "INVD", "WBINVD", "INVLPG", "INVPCID",
 * "CLFLUSHOPT"; SDM Vol. 3A 4.10.4 "Invalidation of TLBs and
 * Paging-Structure Caches").  vmxsim models no data cache, so INVD, WBINVD
 * and CLFLUSHOPT do nothing once their checks pass; the software TLB is
 * flushed as the SDM requires.  The decoded-instruction cache is keyed by
 * physical address, so no TLB flush touches it.  CLFLUSH is exec_sse_ctl.c.
 */
#include "sim/cpu/branch.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/vmx_hooks.h"

/* The privileged instructions here: #GP(0) at CPL > 0 in protected and
 * virtual-8086 mode (CPL is 0 in real-address mode). */
static bool privileged_denied(const CpuState *cpu) {
    return cpu->mode != MODE_REAL && cpu->cpl != 0;
}

/* SDM Vol. 2 INVD/WBINVD "Protected Mode Exceptions": #GP(0) if CPL != 0.
 * WBNOINVD (F3 0F 09) decodes as WBINVD and behaves the same here. */
SimStatus exec_invd(CpuState *cpu, const DecodedInsn *d) {
    uint64_t unused = 0;
    if (privileged_denied(cpu)) return cpu_raise_gp0(cpu);
    return cpu_vmx_intercept(cpu, d, VMX_ICPT_INVD, &unused); /* SDM 25.1.2: unconditional */
}

/* SDM 25.1.3: "WBINVD exiting" after the CPL #GP (25.1.1). */
SimStatus exec_wbinvd(CpuState *cpu, const DecodedInsn *d) {
    uint64_t unused = 0;
    if (privileged_denied(cpu)) return cpu_raise_gp0(cpu);
    return cpu_vmx_intercept(cpu, d, VMX_ICPT_WBINVD, &unused);
}

/* The linear address of the memory operand through segmentation without the
 * limit or type checks INVLPG does not make: in 64-bit mode only FS and GS
 * have a base (SDM Vol. 3A 3.4.4); elsewhere base + offset wraps at 4 GBytes. */
static uint64_t operand_linear(const CpuState *cpu, const DecodedInsn *d) {
    uint64_t ea = insn_ea(cpu, d);
    if (cpu->mode == MODE_LONG64)
        return ea + ((d->seg == SEG_FS || d->seg == SEG_GS) ? cpu->seg[d->seg].base : 0);
    return (cpu->seg[d->seg].base + ea) & 0xffffffffu;
}

/* SDM Vol. 2 INVLPG: #GP(0) if CPL != 0; invalidates the TLB entries of the
 * page holding the linear address, global ones included (SDM 4.10.4.1).  In
 * 64-bit mode a non-canonical address makes it a no-op ("Description").
 * "INVLPG exiting" (SDM 25.1.3) comes after the #UD and the CPL #GP. */
SimStatus exec_invlpg(CpuState *cpu, const DecodedInsn *d) {
    if (d->op[0].kind != OPK_MEM) /* "#UD If the operand is a register" */
        return cpu_raise_ud(cpu);
    if (privileged_denied(cpu)) return cpu_raise_gp0(cpu);
    uint64_t lin = operand_linear(cpu, d);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_INVLPG, &lin);
    if (st != SIM_OK) return st;
    if (cpu->mode != MODE_LONG64 || cpu_is_canonical(cpu, lin)) mem_tlb_flush_page(&cpu->tlb, lin);
    return SIM_OK;
}

/* SDM Vol. 2 INVPCID "Protected Mode Exceptions" (each #GP(0)): type > 3;
 * descriptor bits 63:12 not zero; type 0 or 1 with a nonzero PCID while
 * CR4.PCIDE = 0; type 0 with a non-canonical linear address. */
static bool invpcid_invalid(const CpuState *cpu, uint64_t type, const uint64_t desc[2]) {
    uint64_t pcid = desc[0] & 0xfff;
    if (type > 3 || (desc[0] >> 12) != 0) return true;
    if (type <= 1 && pcid != 0 && !(cpu->cr4 & CR4_PCIDE)) return true;
    return type == 0 && !cpu_is_canonical(cpu, desc[1]);
}

/* Our TLB has no PCID tags: every INVPCID type flushes at least what the SDM
 * asks for its PCID and address, and may flush more, which is always
 * architecturally allowed (SDM Vol. 2 INVPCID: "In some cases, the
 * instruction may invalidate global translations or mappings for other
 * linear addresses (or other PCIDs) as well"). */
static void invpcid_flush(CpuState *cpu, uint64_t type, const uint64_t desc[2]) {
    if (type == 0)
        mem_tlb_flush_page(&cpu->tlb, desc[1]);
    else if (type == 2)
        mem_tlb_flush_all(&cpu->tlb);
    else
        mem_tlb_flush_nonglobal(&cpu->tlb);
}

/* SDM Vol. 2 INVPCID: #UD without CPUID.(EAX=07H,ECX=0):EBX.INVPCID[bit 10];
 * #GP(0) in virtual-8086 mode ("not recognized") and at CPL > 0; then the
 * operands are read (the Operation reads both before examining the type:
 * memory faults come first) and checked.  In VMX non-root operation (SDM
 * 25.3 INVPCID) "enable INVPCID" = 0 makes it #UD before any other fault;
 * the VM exit of "INVLPG exiting" (25.1.3) follows the #GP(0) checks and
 * precedes the operand accesses. */
SimStatus exec_invpcid(CpuState *cpu, const DecodedInsn *d) {
    uint64_t desc[2], unused = 0;
    if (!cpu_model_has(cpu->model, FEAT_INVPCID)) return cpu_raise_ud(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_ENABLE, &unused);
    if (st != SIM_OK) return st;
    if (cpu->mode == MODE_V86 || privileged_denied(cpu)) return cpu_raise_gp0(cpu);
    st = cpu_vmx_intercept(cpu, d, VMX_ICPT_INVPCID, &unused);
    if (st != SIM_OK) return st;
    /* Outside 64-bit mode the register operand is 32 bits (decoded so). */
    uint64_t type = reg_read(cpu, d->op[0].reg, d->op[0].size);
    if (cpu_mem_read_block(cpu, d->seg, insn_ea(cpu, d), desc, sizeof(desc)) != SIM_OK)
        return SIM_FAULT;
    if (invpcid_invalid(cpu, type, desc)) return cpu_raise_gp0(cpu);
    invpcid_flush(cpu, type, desc);
    return SIM_OK;
}

/* CPUID.(EAX=07H,ECX=0):EBX.CLFLUSHOPT[bit 23], read from the model's CPUID
 * (leaf 7 EBX depends on no CpuidEnv field), so the instruction appears as
 * soon as cpu_features.def has the row and a model advertises it. */
static bool clflushopt_present(const CpuState *cpu) {
    const CpuidEnv env = {.cpu_count = 1};
    uint32_t r[4];
    cpu_model_cpuid(cpu->model, &env, 7, 0, r);
    return (r[1] >> 23) & 1;
}

/* SDM Vol. 2 CLFLUSHOPT: "subject to all permission checking and faults
 * associated with a byte load", except that an execute-only code segment
 * may be named (only its limit is checked).  Translating the byte makes the
 * page walk and raises the #PF a load would, without reading the byte (no
 * device read side effects on MMIO). */
static SimStatus flush_line_checks(CpuState *cpu, const DecodedInsn *d) {
    uint64_t ea = insn_ea(cpu, d), lin, phys;
    const Segment *s = &cpu->seg[d->seg];
    bool legacy_pm = cpu->mode != MODE_LONG64 && cpu->mode != MODE_REAL && cpu->mode != MODE_V86;
    bool exec_only = (s->ar & AR_S) && (s->ar & AR_TYPE_CODE) && !(s->ar & AR_TYPE_WRITABLE);
    if (legacy_pm && exec_only && !(s->ar & AR_UNUSABLE)) {
        if (ea > s->limit) return cpu_raise_gp0(cpu);
        lin = (s->base + ea) & 0xffffffffu;
    } else if (cpu_seg_linear(cpu, d->seg, ea, 1, ACC_READ, &lin) != SIM_OK) {
        return SIM_FAULT;
    }
    return cpu_translate(cpu, lin, ACC_READ, false, &phys);
}

SimStatus exec_clflushopt(CpuState *cpu, const DecodedInsn *d) {
    if (!clflushopt_present(cpu)) return cpu_raise_ud(cpu);
    return flush_line_checks(cpu, d);
}
