/* System instructions: SDM Vol. 2 HLT, CLI, STI, LGDT, LIDT, LTR, RDMSR, WRMSR,
 * CPUID, RDTSC, INT n, INT3. */
#include "sim/cpu/apic_hooks.h"
#include "sim/cpu/branch.h"
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/msr.h"
#include "sim/cpu/segmentation.h"
#include "sim/cpu/v86.h"
#include "sim/cpu/vmx_hooks.h"
#include "sim/devices/lapic.h"

static bool real_or_v86(const CpuState *cpu)
{
    return cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
}

/* SDM Vol. 2 HLT: privileged (#GP(0) at CPL > 0). */
SimStatus exec_hlt(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t unused = 0;
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_HLT, &unused);
    return st == SIM_OK ? SIM_HALT : st;
}

/* SDM Vol. 2 CLI/STI: IF changes when CPL <= IOPL; otherwise, with CR4.VME
 * in virtual-8086 mode or CR4.PVI at CPL 3, VIF does (SDM 20.3.2, 20.4);
 * else #GP(0).  cpu_cli_sti_flag (v86.c) decides. */
SimStatus exec_cli(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t flag = cpu_cli_sti_flag(cpu, false);
    if (!flag)
        return cpu_raise_gp0(cpu);
    cpu->rflags &= ~flag;
    return SIM_OK;
}

SimStatus exec_sti(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t flag = cpu_cli_sti_flag(cpu, true);
    if (!flag)
        return cpu_raise_gp0(cpu);
    /* SDM 6.8.3: STI blocks interrupts until after the next instruction if IF was 0. */
    if (flag == RFLAGS_IF && !(cpu->rflags & RFLAGS_IF))
        cpu->sti_shadow = true;
    cpu->rflags |= flag;
    return SIM_OK;
}

/* SDM Vol. 2 LGDT/LIDT: a 16-bit limit then a base of 24 (16-bit operand),
 * 32 or 64 (64-bit mode) bits.  SDM 25.1.3: "descriptor-table exiting"
 * makes LGDT, LIDT, LLDT, LTR, SGDT, SIDT, SLDT and STR exit after their
 * #UD and privilege faults (CPL, UMIP: 25.1.1), before any operand access. */
static SimStatus load_table_register(CpuState *cpu, const DecodedInsn *d, DescTable *t)
{
    uint64_t limit, base, ea = insn_ea(cpu, d);
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_DESC_TABLE, &limit);
    if (st != SIM_OK)
        return st;
    unsigned base_size = cpu->mode == MODE_LONG64 ? 8 : 4;
    if (cpu_mem_read(cpu, d->seg, ea, 2, &limit) != SIM_OK ||
        cpu_mem_read(cpu, d->seg, (ea + 2) & size_mask(d->addrsize), base_size, &base) != SIM_OK)
        return SIM_FAULT;
    if (cpu->mode == MODE_LONG64 && !cpu_is_canonical(cpu, base))
        return cpu_raise_gp0(cpu);
    if (cpu->mode != MODE_LONG64 && d->opsize == 2)
        base &= 0xffffff;
    t->limit = (uint32_t)limit;
    t->base = base;
    return SIM_OK;
}

SimStatus exec_lgdt(CpuState *cpu, const DecodedInsn *d) { return load_table_register(cpu, d, &cpu->gdtr); }
SimStatus exec_lidt(CpuState *cpu, const DecodedInsn *d) { return load_table_register(cpu, d, &cpu->idtr); }

/* SDM Vol. 2 LTR: an available TSS descriptor in the GDT; it is marked busy. */
SimStatus exec_ltr(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t sel;
    if (real_or_v86(cpu))
        return cpu_raise_ud(cpu);
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_DESC_TABLE, &sel);
    if (st != SIM_OK)
        return st;
    if (opnd_read(cpu, d, 0, &sel) != SIM_OK)
        return SIM_FAULT;
    if ((sel & 0xfffc) == 0)
        return cpu_raise_gp0(cpu);
    bool long_mode = (cpu->efer & EFER_LMA) != 0;
    Descriptor desc;
    if ((sel & 4) || cpu_read_descriptor(cpu, (uint16_t)sel, long_mode, &desc) != SIM_OK)
        return (sel & 4) ? cpu_raise(cpu, EXC_GP, sel & 0xfffc) : SIM_FAULT;
    Segment s = cpu_descriptor_to_segment(&desc, (uint16_t)sel, long_mode);
    unsigned type = s.ar & AR_TYPE_MASK;
    /* SDM Vol. 3A 3.5 Table 3-2: type 1 (16-bit TSS) is reserved in IA-32e mode. */
    if ((s.ar & AR_S) || (type != DESC_TSS32_AVAIL && (long_mode || type != 0x1)))
        return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (!(s.ar & AR_P))
        return cpu_raise(cpu, EXC_NP, sel & 0xfffc);
    if (cpu_lin_write_slow(cpu, cpu->gdtr.base + (sel & 0xfff8) + 5, 1,
                           (uint8_t)((desc.lo >> 40) | 2), true) != SIM_OK)
        return SIM_FAULT;
    s.ar |= 2; /* busy */
    cpu->seg[SEG_TR] = s;
    return SIM_OK;
}

/* SDM Vol. 2 RDMSR/WRMSR: CPL 0 only; unknown MSR or bad value #GP(0). */
SimStatus exec_rdmsr(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t v = (uint32_t)cpu->gpr[GPR_RCX];
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_RDMSR, &v);
    if (st != SIM_OK)
        return st;
    if (cpu_msr_read(cpu, (uint32_t)cpu->gpr[GPR_RCX], &v) != SIM_OK)
        return SIM_FAULT;
    cpu->gpr[GPR_RAX] = (uint32_t)v;
    cpu->gpr[GPR_RDX] = v >> 32;
    return SIM_OK;
}

SimStatus exec_wrmsr(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t index = (uint32_t)cpu->gpr[GPR_RCX];
    if (cpu->cpl != 0)
        return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_WRMSR, &index);
    if (st != SIM_OK)
        return st;
    uint64_t v = (cpu->gpr[GPR_RAX] & 0xffffffffu) | (cpu->gpr[GPR_RDX] << 32);
    return cpu_msr_write(cpu, (uint32_t)cpu->gpr[GPR_RCX], v);
}

/* SDM Vol. 2 CPUID: leaf in EAX, subleaf in ECX; results zero-extend.  The
 * machine has one CPU (machine.h), so the topology leaves report one. */
SimStatus exec_cpuid(CpuState *cpu, const DecodedInsn *d)
{
    uint32_t out[4], leaf = (uint32_t)cpu->gpr[GPR_RAX];
    uint64_t unused = 0;
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_CPUID, &unused);
    if (st != SIM_OK)
        return st;
    uint64_t misc = cpu->msr[MSR_SLOT_IA32_MISC_ENABLE];
    CpuidEnv env = {
        .apic_id = cpu->id,
        .cpu_count = 1,
        .osxsave = (cpu->cr4 & CR4_OSXSAVE) != 0,
        .ospke = (cpu->cr4 & CR4_PKE) != 0,
        .limit_maxval = (misc & MISC_ENABLE_LIMIT_CPUID_MAXVAL) != 0,
        .xd_disable = (misc & MISC_ENABLE_XD_DISABLE) != 0,
        .apic_disabled = !(cpu_apic_base_read(cpu) & APIC_BASE_EN),
    };
    cpu_model_cpuid(cpu->model, &env, leaf, (uint32_t)cpu->gpr[GPR_RCX], out);
    if (leaf == 1)
        cpu_msr_cpuid_signature(cpu);
    cpu->gpr[GPR_RAX] = out[0];
    cpu->gpr[GPR_RBX] = out[1];
    cpu->gpr[GPR_RCX] = out[2];
    cpu->gpr[GPR_RDX] = out[3];
    return SIM_OK;
}

/* SDM Vol. 2 RDTSC: #GP(0) when CR4.TSD = 1 and CPL > 0, a privilege fault
 * that comes before the "RDTSC exiting" VM exit (SDM 25.1.1, 25.1.3).  The
 * TSC is the simulated cycle counter (design.md "Cycle-level means
 * accountable time"), with the VMX TSC offset in non-root operation (25.3). */
SimStatus exec_rdtsc(CpuState *cpu, const DecodedInsn *d)
{
    uint64_t unused = 0;
    if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0 && cpu->mode != MODE_REAL)
        return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_RDTSC, &unused);
    if (st != SIM_OK)
        return st;
    uint64_t tsc = cpu_tsc_read(cpu);
    cpu->gpr[GPR_RAX] = (uint32_t)tsc;
    cpu->gpr[GPR_RDX] = tsc >> 32;
    return SIM_OK;
}

/* SDM Vol. 2 INT n / INT3: delivered with the next RIP; gate DPL checked.
 * INT n in virtual-8086 mode is IOPL-sensitive and, with CR4.VME, may be
 * redirected to the 8086 program's handler (v86.c, SDM 20.3.3); INT3 is
 * not IOPL-sensitive. */
static SimStatus software_interrupt(CpuState *cpu, unsigned vector, bool int_n)
{
    if (int_n && cpu->mode == MODE_V86) {
        bool redirected;
        if (cpu_v86_int(cpu, vector, &redirected) != SIM_OK)
            return SIM_FAULT;
        if (redirected)
            return SIM_OK;
    }
    return cpu_deliver_event(cpu, vector, EVENT_SOFT_INT);
}

SimStatus exec_int(CpuState *cpu, const DecodedInsn *d)
{
    return software_interrupt(cpu, d->imm & 0xff, true);
}

SimStatus exec_int3(CpuState *cpu, const DecodedInsn *d)
{
    SimStatus st = cpu_vmx_soft_exception(cpu, d, EXC_BP);
    return st != SIM_OK ? st : software_interrupt(cpu, EXC_BP, false);
}
