/*
 * Instruction exits of VMX non-root operation conditioned on the primary
 * and secondary processor-based controls (SDM 25.1.3 "Instructions That
 * Cause VM Exits Conditionally"): INVLPG, INVPCID, RDTSC, RDTSCP, RDPMC,
 * MOV DR, PAUSE, WBINVD and the descriptor-table instructions, with the
 * exit qualification of SDM 27.2.1 and the instruction information of
 * 27.2.5; and the "enable" controls of SDM 25.3 without which RDTSCP and
 * INVPCID are #UD.  The CPU asks after the faults that have priority over
 * VM exits (25.1.1).
 */
#include "sim/cpu/exceptions.h"
#include "sim/vmx/vmx_ops.h"

#include <Zydis/Zydis.h>

static uint64_t proc(const VmxCpu *v) {
    return v->field[VMCS_PROC_BASED_CONTROLS];
}

static SimStatus exit_if(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, bool cond,
                         uint32_t reason) {
    return cond ? vmx_exit_for_insn(cpu, v, d, reason, 0) : SIM_OK;
}

/* SDM 25.3 RDTSCP, INVPCID: with "enable RDTSCP" / "enable INVPCID" = 0 the
 * instruction is #UD, an exception that "takes priority over any other". */
static SimStatus enable_check(CpuState *cpu, const VmxCpu *v, const DecodedInsn *d) {
    uint64_t needed =
        d->mnemonic == ZYDIS_MNEMONIC_RDTSCP ? VMX_PROC2_ENABLE_RDTSCP : VMX_PROC2_ENABLE_INVPCID;
    return (vmx_proc2(v) & needed) ? SIM_OK : cpu_raise_ud(cpu);
}

/* SDM 27.2.5 Table "Format of the VM-Exit Instruction-Information Field as
 * Used for INVEPT, INVPCID, and INVVPID": the memory operand, Reg2 (31:28)
 * the register operand; 27.2.1: the qualification is the displacement. */
static SimStatus invpcid_exit(CpuState *cpu, VmxCpu *v, const DecodedInsn *d) {
    uint32_t info = vmx_insn_info_mem(d) | (uint32_t)(d->op[0].reg >> 3) << 28;
    vmcs_set(v, VMCS_EXIT_INSTRUCTION_INFO, info);
    return vmx_exit_for_insn(cpu, v, d, EXIT_REASON_INVPCID, (uint64_t)d->disp);
}

/* SDM 27.2.1 Table "Exit Qualification for MOV DR": the debug register
 * (2:0), the direction (bit 4, 1 = MOV from DR), the general register (11:8). */
static SimStatus mov_dr_exit(CpuState *cpu, VmxCpu *v, const DecodedInsn *d) {
    bool to_dr = d->op[0].kind == OPK_DR;
    const DecodedOperand *dr = &d->op[to_dr ? 0 : 1], *gpr = &d->op[to_dr ? 1 : 0];
    uint64_t q = (dr->reg & 7u) | (to_dr ? 0 : 16u) | (uint64_t)(gpr->reg >> 3) << 8;
    return vmx_exit_for_insn(cpu, v, d, EXIT_REASON_DR_ACCESS, q);
}

/* SDM 27.2.5 instruction identity (29:28) of the descriptor-table
 * instructions: SGDT 0, SIDT 1, LGDT 2, LIDT 3; SLDT 0, STR 1, LLDT 2, LTR 3. */
static uint32_t desc_table_identity(unsigned m) {
    switch (m) {
    case ZYDIS_MNEMONIC_SIDT:
    case ZYDIS_MNEMONIC_STR:
        return 1;
    case ZYDIS_MNEMONIC_LGDT:
    case ZYDIS_MNEMONIC_LLDT:
        return 2;
    case ZYDIS_MNEMONIC_LIDT:
    case ZYDIS_MNEMONIC_LTR:
        return 3;
    default:
        return 0; /* SGDT, SLDT */
    }
}

static bool gdtr_idtr(unsigned m) {
    return m == ZYDIS_MNEMONIC_LGDT || m == ZYDIS_MNEMONIC_LIDT || m == ZYDIS_MNEMONIC_SGDT ||
           m == ZYDIS_MNEMONIC_SIDT;
}

/* SDM 27.2.5 Tables "... as Used for LIDT, LGDT, SIDT, or SGDT" (the memory
 * operand; operand size in bit 11 outside 64-bit mode, 0 = 16-bit) and "...
 * for LLDT, LTR, SLDT, and STR" (a register operand: Reg1 in 6:3 and bit
 * 10); 27.2.1: the qualification is the displacement, 0 without one. */
static SimStatus desc_table_exit(CpuState *cpu, VmxCpu *v, const DecodedInsn *d) {
    bool table = gdtr_idtr(d->mnemonic), mem = d->op[0].kind == OPK_MEM;
    uint32_t info = desc_table_identity(d->mnemonic) << 28;
    if (mem)
        info |= vmx_insn_info_mem(d);
    else
        info |= (1u << 10) | (uint32_t)(d->op[0].reg >> 3) << 3;
    if (table && cpu->mode != MODE_LONG64 && d->opsize == 4) info |= 1u << 11;
    vmcs_set(v, VMCS_EXIT_INSTRUCTION_INFO, info);
    uint32_t reason = table ? EXIT_REASON_GDTR_IDTR_ACCESS : EXIT_REASON_LDTR_TR_ACCESS;
    return vmx_exit_for_insn(cpu, v, d, reason, mem ? (uint64_t)d->disp : 0);
}

/* SDM 25.1.3; 27.2.1: for INVLPG the qualification is the linear address. */
SimStatus vmx_intercept_insn(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, VmxIntercept what,
                             uint64_t *value) {
    uint64_t p = proc(v), p2 = vmx_proc2(v);
    switch (what) {
    case VMX_ICPT_ENABLE:
        return enable_check(cpu, v, d);
    case VMX_ICPT_INVLPG:
        return (p & VMX_PROC_INVLPG_EXITING)
                   ? vmx_exit_for_insn(cpu, v, d, EXIT_REASON_INVLPG, *value)
                   : SIM_OK;
    case VMX_ICPT_INVPCID: /* "enable INVPCID" is 1 here: "INVLPG exiting" decides */
        return (p & VMX_PROC_INVLPG_EXITING) ? invpcid_exit(cpu, v, d) : SIM_OK;
    case VMX_ICPT_RDTSC: /* RDTSCP gets here only with "enable RDTSCP" */
        return exit_if(cpu, v, d, p & VMX_PROC_RDTSC_EXITING,
                       d->mnemonic == ZYDIS_MNEMONIC_RDTSCP ? EXIT_REASON_RDTSCP
                                                            : EXIT_REASON_RDTSC);
    case VMX_ICPT_RDPMC:
        return exit_if(cpu, v, d, p & VMX_PROC_RDPMC_EXITING, EXIT_REASON_RDPMC);
    case VMX_ICPT_MOV_DR:
        return (p & VMX_PROC_MOV_DR_EXITING) ? mov_dr_exit(cpu, v, d) : SIM_OK;
    case VMX_ICPT_PAUSE:
        return exit_if(cpu, v, d, p & VMX_PROC_PAUSE_EXITING, EXIT_REASON_PAUSE);
    case VMX_ICPT_WBINVD:
        return exit_if(cpu, v, d, p2 & VMX_PROC2_WBINVD_EXITING, EXIT_REASON_WBINVD);
    case VMX_ICPT_DESC_TABLE:
        return (p2 & VMX_PROC2_DESCRIPTOR_TABLE_EXITING) ? desc_table_exit(cpu, v, d) : SIM_OK;
    default:
        return SIM_OK;
    }
}
