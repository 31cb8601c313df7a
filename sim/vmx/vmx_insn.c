/*
 * The VMX instructions, each following its "Operation" section in SDM
 * chapter 30 "VMX Instruction Reference" in order: #UD, VM exit in non-root
 * operation, #GP(0) at CPL > 0, operand faults, then VMfailInvalid /
 * VMfailValid(n) (SDM 30.2 "Conventions") or the instruction's effect.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/operands.h"
#include "sim/mem/paging.h"
#include "sim/vmx/vmcs_region.h"
#include "sim/vmx/vmx_ops.h"

#include <Zydis/Zydis.h>

/* --- SDM 30.2 "Conventions": VMsucceed, VMfailInvalid, VMfailValid --- */

static SimStatus vm_succeed(CpuState *cpu)
{
    flags_set_arith(cpu, RFLAGS_ARITH, 0);
    return SIM_OK;
}

static SimStatus vm_fail_invalid(CpuState *cpu)
{
    flags_set_arith(cpu, RFLAGS_ARITH, RFLAGS_CF);
    return SIM_OK;
}

static SimStatus vm_fail_valid(CpuState *cpu, VmxCpu *v, VmxInsnError error)
{
    flags_set_arith(cpu, RFLAGS_ARITH, RFLAGS_ZF);
    vmcs_set(v, VMCS_VM_INSTRUCTION_ERROR, (uint64_t)error);
    return SIM_OK;
}

/* VMfail(n): VMfailValid when there is a current VMCS, else VMfailInvalid. */
static SimStatus vm_fail(CpuState *cpu, VmxCpu *v, VmxInsnError error)
{
    if (v->current_vmcs == VMCS_POINTER_INVALID)
        return vm_fail_invalid(cpu);
    return vm_fail_valid(cpu, v, error);
}

/* --- the checks that open every Operation section --- */

/* "(not in VMX operation) or (CR0.PE = 0) or (RFLAGS.VM = 1) or
 * (IA32_EFER.LMA = 1 and CS.L = 0) THEN #UD" */
static bool vmx_ud(const CpuState *cpu)
{
    return cpu->vmx_mode == VMX_MODE_OFF || cpu->mode == MODE_REAL || cpu->mode == MODE_V86 ||
           cpu->mode == MODE_COMPAT16 || cpu->mode == MODE_COMPAT32;
}

/* The exit reason of each VMX instruction in VMX non-root operation
 * (SDM 25.1.2 "Instructions That Cause VM Exits Unconditionally"). */
static uint32_t exit_reason_of(unsigned mnemonic)
{
    switch (mnemonic) {
    case ZYDIS_MNEMONIC_VMCLEAR: return EXIT_REASON_VMCLEAR;
    case ZYDIS_MNEMONIC_VMLAUNCH: return EXIT_REASON_VMLAUNCH;
    case ZYDIS_MNEMONIC_VMPTRLD: return EXIT_REASON_VMPTRLD;
    case ZYDIS_MNEMONIC_VMPTRST: return EXIT_REASON_VMPTRST;
    case ZYDIS_MNEMONIC_VMREAD: return EXIT_REASON_VMREAD;
    case ZYDIS_MNEMONIC_VMRESUME: return EXIT_REASON_VMRESUME;
    case ZYDIS_MNEMONIC_VMWRITE: return EXIT_REASON_VMWRITE;
    case ZYDIS_MNEMONIC_VMXOFF: return EXIT_REASON_VMXOFF;
    case ZYDIS_MNEMONIC_VMXON: return EXIT_REASON_VMXON;
    default: return EXIT_REASON_VMCALL;
    }
}

/* SDM 27.2.1: for VMCLEAR, VMPTRLD, VMPTRST, VMXON, VMREAD and VMWRITE the
 * exit qualification is the memory operand's displacement; SDM 27.2.5
 * gives the instruction information (Tables "Format of the VM-Exit
 * Instruction-Information Field as Used for VMREAD and VMWRITE" and "... for
 * VMCLEAR, VMPTRLD, VMPTRST, VMXON, XRSTORS, and XSAVES"). */
static SimStatus exit_for_vmx_insn(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    unsigned m = d->mnemonic;
    uint64_t qual = 0;
    uint32_t info = 0;
    if (m == ZYDIS_MNEMONIC_VMREAD || m == ZYDIS_MNEMONIC_VMWRITE) {
        /* r/m is op[0] for VMREAD, op[1] for VMWRITE; reg2 is the other */
        const DecodedOperand *rm = &d->op[m == ZYDIS_MNEMONIC_VMREAD ? 0 : 1];
        const DecodedOperand *r2 = &d->op[m == ZYDIS_MNEMONIC_VMREAD ? 1 : 0];
        if (rm->kind == OPK_REG)
            info = (1u << 10) | ((uint32_t)(rm->reg >> 3) << 3) | (((d->addrsize >> 2) & 3u) << 7);
        else {
            info = vmx_insn_info_mem(d);
            qual = (uint64_t)d->disp;
        }
        info |= (uint32_t)(r2->reg >> 3) << 28;
    } else if (d->op_count > 0 && d->op[0].kind == OPK_MEM) {
        info = vmx_insn_info_mem(d);
        qual = (uint64_t)d->disp;
    }
    vmcs_set(v, VMCS_EXIT_INSTRUCTION_INFO, info);
    return vmx_exit_for_insn(cpu, v, d, exit_reason_of(m), qual);
}

/* The common prologue: #UD, VM exit, #GP(0).  SIM_OK: go on in root operation. */
static SimStatus vmx_prologue(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    if (vmx_ud(cpu))
        return cpu_raise_ud(cpu);
    if (cpu->vmx_mode == VMX_MODE_NONROOT)
        return exit_for_vmx_insn(cpu, v, d);
    if (cpu->cpl > 0)
        return cpu_raise_gp0(cpu);
    return SIM_OK;
}

/* The 64-bit memory operand (VMXON, VMCLEAR, VMPTRLD). */
static SimStatus read_pointer(CpuState *cpu, const DecodedInsn *d, uint64_t *pa)
{
    return cpu_mem_read(cpu, d->seg, insn_ea(cpu, d), 8, pa);
}

/* "addr is not 4KB-aligned or sets any bits beyond the physical-address width" */
static bool bad_vmcs_address(uint64_t pa)
{
    return (pa & 0xfff) || (pa >> PAGING_MAXPHYADDR);
}

static uint32_t revision_at(CpuState *cpu, uint64_t pa)
{
    return (uint32_t)mem_phys_read(cpu->mem, pa, 4);
}

/* The CR0/CR4 values VMXON accepts (SDM 23.8), and while in VMX operation
 * the CPU keeps them (CrFixed, exec_cr.c). */
static bool crs_fixed_ok(const CpuState *cpu, const VmxCaps *c)
{
    return (cpu->cr0 & c->cr0_fixed0) == c->cr0_fixed0 && !(cpu->cr0 & ~c->cr0_fixed1) &&
           (cpu->cr4 & c->cr4_fixed0) == c->cr4_fixed0 && !(cpu->cr4 & ~c->cr4_fixed1);
}

/* SDM 30.3 VMXON "Operation" (A20M and SMX do not exist here). */
static SimStatus exec_vmxon(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    uint64_t pa;
    /* #UD also with CR4.VMXE = 0 */
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86 || cpu->mode == MODE_COMPAT16 ||
        cpu->mode == MODE_COMPAT32 || !(cpu->cr4 & CR4_VMXE))
        return cpu_raise_ud(cpu);
    if (cpu->vmx_mode == VMX_MODE_NONROOT)
        return exit_for_vmx_insn(cpu, v, d);
    if (cpu->vmx_mode == VMX_MODE_ROOT)
        return cpu->cpl > 0 ? cpu_raise_gp0(cpu) : vm_fail(cpu, v, VMXERR_VMXON_IN_ROOT);
    /* IA32_FEATURE_CONTROL: bit 0 lock, bit 2 VMXON outside SMX (SDM 23.7) */
    uint64_t fc = cpu->msr[MSR_SLOT_IA32_FEATURE_CONTROL];
    if (cpu->cpl > 0 || !crs_fixed_ok(cpu, &v->caps) || !(fc & 1) || !(fc & 4))
        return cpu_raise_gp0(cpu);
    if (read_pointer(cpu, d, &pa) != SIM_OK)
        return SIM_FAULT;
    uint32_t rev = revision_at(cpu, pa);
    if (bad_vmcs_address(pa) || (rev & 0x7fffffffu) != VMX_REVISION_ID || (rev >> 31))
        return vm_fail_invalid(cpu);
    v->vmxon_pointer = pa;
    v->current_vmcs = VMCS_POINTER_INVALID;
    cpu->vmx_mode = VMX_MODE_ROOT;
    cpu->cr0_fixed = (CrFixed){v->caps.cr0_fixed0, v->caps.cr0_fixed1};
    cpu->cr4_fixed = (CrFixed){v->caps.cr4_fixed0, v->caps.cr4_fixed1};
    return vm_succeed(cpu);
}

/* SDM 30.3 VMXOFF.  The current VMCS's data is written back to its region
 * (a processor may lose it; writing it is one of the allowed outcomes). */
static SimStatus exec_vmxoff(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    SimStatus st = vmx_prologue(cpu, v, d);
    if (st != SIM_OK)
        return st;
    if (v->current_vmcs != VMCS_POINTER_INVALID)
        vmcs_region_store(cpu, v);
    v->current_vmcs = VMCS_POINTER_INVALID;
    cpu->vmx_mode = VMX_MODE_OFF;
    cpu->cr0_fixed = cpu->cr4_fixed = (CrFixed){0, ~UINT64_C(0)};
    return vm_succeed(cpu);
}

/* VMCLEAR and VMPTRLD: the prologue, then the VMCS pointer operand and its
 * address checks (SDM 30.3).  *pa = VMCS_POINTER_INVALID when the
 * instruction has already completed (fault, VM exit or VMfail) with the
 * returned status. */
static SimStatus vmcs_pointer_operand(CpuState *cpu, VmxCpu *v, const DecodedInsn *d,
                                      VmxInsnError bad_address, VmxInsnError vmxon_pointer,
                                      uint64_t *pa)
{
    uint64_t p;
    *pa = VMCS_POINTER_INVALID;
    SimStatus st = vmx_prologue(cpu, v, d);
    if (st != SIM_OK)
        return st;
    if (read_pointer(cpu, d, &p) != SIM_OK)
        return SIM_FAULT;
    if (bad_vmcs_address(p))
        return vm_fail(cpu, v, bad_address);
    if (p == v->vmxon_pointer)
        return vm_fail(cpu, v, vmxon_pointer);
    *pa = p;
    return SIM_OK;
}

/* SDM 30.3 VMCLEAR. */
static SimStatus exec_vmclear(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    uint64_t pa;
    SimStatus st = vmcs_pointer_operand(cpu, v, d, VMXERR_VMCLEAR_INVALID_ADDRESS,
                                        VMXERR_VMCLEAR_VMXON_POINTER, &pa);
    if (pa == VMCS_POINTER_INVALID)
        return st;
    vmcs_region_clear(cpu, v, pa);
    return vm_succeed(cpu);
}

/* SDM 30.3 VMPTRLD.  VMCS shadowing is not offered, so a revision with
 * bit 31 (shadow-VMCS indicator) set is rejected too. */
static SimStatus exec_vmptrld(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    uint64_t pa;
    SimStatus st = vmcs_pointer_operand(cpu, v, d, VMXERR_VMPTRLD_INVALID_ADDRESS,
                                        VMXERR_VMPTRLD_VMXON_POINTER, &pa);
    if (pa == VMCS_POINTER_INVALID)
        return st;
    if (revision_at(cpu, pa) != VMX_REVISION_ID)
        return vm_fail(cpu, v, VMXERR_VMPTRLD_BAD_REVISION);
    if (v->current_vmcs != pa) {
        if (v->current_vmcs != VMCS_POINTER_INVALID)
            vmcs_region_store(cpu, v);
        vmcs_region_load(cpu, v, pa);
    }
    return vm_succeed(cpu);
}

/* SDM 30.3 VMPTRST. */
static SimStatus exec_vmptrst(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    SimStatus st = vmx_prologue(cpu, v, d);
    if (st != SIM_OK)
        return st;
    if (cpu_mem_write(cpu, d->seg, insn_ea(cpu, d), 8, v->current_vmcs) != SIM_OK)
        return SIM_FAULT;
    return vm_succeed(cpu);
}

/* SDM 24.11.2 / 30.3 VMREAD: the field for an encoding, or -1 (error 12). */
static int supported_field(const VmxCpu *v, uint64_t encoding, bool *high)
{
    int f = vmcs_field_lookup(encoding, high);
    return f >= 0 && v->caps.field_exists[f] ? f : -1;
}

/* The value VMREAD returns: the high access type reads bits 63:32 of a
 * 64-bit field; outside 64-bit mode a read is truncated to 32 bits. */
static uint64_t field_read(const VmxCpu *v, int f, bool high)
{
    uint64_t x = v->field[f] & vmcs_width_mask(vmcs_field_info[f].width);
    return high ? x >> 32 : x;
}

static SimStatus exec_vmread(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    bool high;
    SimStatus st = vmx_prologue(cpu, v, d);
    if (st != SIM_OK)
        return st;
    if (v->current_vmcs == VMCS_POINTER_INVALID)
        return vm_fail_invalid(cpu);
    int f = supported_field(v, reg_read(cpu, d->op[1].reg, d->op[1].size), &high);
    if (f < 0)
        return vm_fail_valid(cpu, v, VMXERR_UNSUPPORTED_COMPONENT);
    uint64_t value = field_read(v, f, high);
    if (opnd_write(cpu, d, 0, value) != SIM_OK)
        return SIM_FAULT;
    vmx_trace(cpu, v, &(VmxTrace){.kind = VMX_TRACE_VMREAD, .field = f, .new_value = value,
                                  .guest_rip = cpu->RIP - d->len});
    return vm_succeed(cpu);
}

/* SDM 30.3 VMWRITE: the source is read first; IA32_VMX_MISC[29] = 0, so
 * the VM-exit information fields are read-only (error 13). */
static SimStatus exec_vmwrite(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    bool high;
    uint64_t value;
    SimStatus st = vmx_prologue(cpu, v, d);
    if (st != SIM_OK)
        return st;
    if (v->current_vmcs == VMCS_POINTER_INVALID)
        return vm_fail_invalid(cpu);
    if (opnd_read(cpu, d, 1, &value) != SIM_OK)
        return SIM_FAULT;
    int f = supported_field(v, reg_read(cpu, d->op[0].reg, d->op[0].size), &high);
    if (f < 0)
        return vm_fail_valid(cpu, v, VMXERR_UNSUPPORTED_COMPONENT);
    if (vmcs_field_info[f].type == VMCS_TYPE_RO)
        return vm_fail_valid(cpu, v, VMXERR_VMWRITE_READ_ONLY);
    uint64_t old = v->field[f];
    if (high)
        value = (old & 0xffffffffu) | (value << 32);
    value &= vmcs_width_mask(vmcs_field_info[f].width);
    vmcs_set(v, (VmcsField)f, value);
    vmx_trace(cpu, v, &(VmxTrace){.kind = VMX_TRACE_VMWRITE, .field = f, .old_value = old,
                                  .new_value = value, .guest_rip = cpu->RIP - d->len});
    return vm_succeed(cpu);
}

/* SDM 30.3 VMLAUNCH/VMRESUME up to "Check settings of VMX controls". */
static SimStatus exec_vmlaunch(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, bool launch)
{
    SimStatus st = vmx_prologue(cpu, v, d);
    if (st != SIM_OK)
        return st;
    if (v->current_vmcs == VMCS_POINTER_INVALID)
        return vm_fail_invalid(cpu);
    if (cpu->movss_shadow || (cpu->ev.blocking_at_start & 2))
        return vm_fail_valid(cpu, v, VMXERR_ENTRY_MOVSS_BLOCKING);
    if (launch && v->launched)
        return vm_fail_valid(cpu, v, VMXERR_VMLAUNCH_NONCLEAR);
    if (!launch && !v->launched)
        return vm_fail_valid(cpu, v, VMXERR_VMRESUME_NONLAUNCHED);
    VmxInsnError error = 0;
    st = vmx_vm_entry(cpu, v, launch, &error);
    if (!error)
        return st;
    vmx_trace(cpu, v, &(VmxTrace){.kind = VMX_TRACE_ENTRY_FAIL, .insn_error = error,
                                  .guest_rip = cpu->RIP - d->len});
    return vm_fail_valid(cpu, v, error);
}

/* SDM 30.3 VMCALL: in VMX root operation without the dual-monitor treatment
 * (IA32_SMM_MONITOR_CTL[0] = 0 here), VMfail(1). */
static SimStatus exec_vmcall(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    if (cpu->vmx_mode == VMX_MODE_OFF)
        return cpu_raise_ud(cpu);
    if (cpu->vmx_mode == VMX_MODE_NONROOT)
        return exit_for_vmx_insn(cpu, v, d);
    if (vmx_ud(cpu))
        return cpu_raise_ud(cpu);
    if (cpu->cpl > 0)
        return cpu_raise_gp0(cpu);
    return vm_fail(cpu, v, VMXERR_VMCALL_IN_ROOT);
}

SimStatus vmx_instruction(CpuState *cpu, const DecodedInsn *d)
{
    VmxCpu *v = cpu->vmx;
    switch (d->mnemonic) {
    case ZYDIS_MNEMONIC_VMXON: return exec_vmxon(cpu, v, d);
    case ZYDIS_MNEMONIC_VMXOFF: return exec_vmxoff(cpu, v, d);
    case ZYDIS_MNEMONIC_VMCLEAR: return exec_vmclear(cpu, v, d);
    case ZYDIS_MNEMONIC_VMPTRLD: return exec_vmptrld(cpu, v, d);
    case ZYDIS_MNEMONIC_VMPTRST: return exec_vmptrst(cpu, v, d);
    case ZYDIS_MNEMONIC_VMREAD: return exec_vmread(cpu, v, d);
    case ZYDIS_MNEMONIC_VMWRITE: return exec_vmwrite(cpu, v, d);
    case ZYDIS_MNEMONIC_VMLAUNCH: return exec_vmlaunch(cpu, v, d, true);
    case ZYDIS_MNEMONIC_VMRESUME: return exec_vmlaunch(cpu, v, d, false);
    case ZYDIS_MNEMONIC_VMCALL: return exec_vmcall(cpu, v, d);
    default:
        /* INVEPT, INVVPID, VMFUNC: the processor does not support EPT, VPID
         * or VM functions (IA32_VMX_PROCBASED_CTLS2 does not exist), so they
         * are #UD (SDM 30.3 INVEPT/INVVPID "Description", VMFUNC). */
        return cpu_raise_ud(cpu);
    }
}
