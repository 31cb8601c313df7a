/*
 * VMX non-root operation (SDM chapter 25): which instructions and events
 * cause VM exits (25.1, 25.2) and how CR accesses change (25.3), for the
 * controls vmxsim offers (vmx_caps.c).
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/operands.h"
#include "sim/vmx/vmx_ops.h"

#include <Zydis/Zydis.h>

static uint64_t proc(const VmxCpu *v) { return v->field[VMCS_PROC_BASED_CONTROLS]; }

static SimStatus exit_plain(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, uint32_t reason)
{
    return vmx_exit_for_insn(cpu, v, d, reason, 0);
}

/* --- I/O instructions: SDM 25.1.3 and 25.1.3's I/O-bitmap rule --- */

/* With "use I/O bitmaps", an access exits if the bit of any port it touches
 * is 1, or if it wraps past FFFFH (bitmap A: 0-7FFFH, B: 8000H-FFFFH). */
static bool io_bitmap_exits(CpuState *cpu, const VmxCpu *v, unsigned port, unsigned size)
{
    if (port + size > 0x10000)
        return true;
    for (unsigned p = port; p < port + size; p++) {
        uint64_t base = v->field[p < 0x8000 ? VMCS_IO_BITMAP_A : VMCS_IO_BITMAP_B];
        if ((mem_phys_read(cpu->mem, base + ((p & 0x7fff) >> 3), 1) >> (p & 7)) & 1)
            return true;
    }
    return false;
}

static bool is_string_io(unsigned m)
{
    return m == ZYDIS_MNEMONIC_INSB || m == ZYDIS_MNEMONIC_INSW || m == ZYDIS_MNEMONIC_INSD ||
           m == ZYDIS_MNEMONIC_OUTSB || m == ZYDIS_MNEMONIC_OUTSW || m == ZYDIS_MNEMONIC_OUTSD;
}

static bool is_input(unsigned m)
{
    return m == ZYDIS_MNEMONIC_IN || m == ZYDIS_MNEMONIC_INSB || m == ZYDIS_MNEMONIC_INSW ||
           m == ZYDIS_MNEMONIC_INSD;
}

/* SDM 27.2.1 Table "Exit Qualification for I/O Instructions"; for INS and
 * OUTS also the guest-linear address (27.2.1) and the instruction
 * information (27.2.5, IA32_VMX_BASIC[54] = 1). */
static SimStatus io_exit(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, unsigned port,
                         unsigned size, bool imm)
{
    bool string = is_string_io(d->mnemonic), in = is_input(d->mnemonic);
    uint64_t q = (size - 1) | (in ? 8u : 0) | (string ? 16u : 0) |
                 ((d->prefix & (PFX_REP | PFX_REPNE)) ? 32u : 0) | (imm ? 64u : 0) |
                 ((uint64_t)port << 16);
    if (string) {
        unsigned seg = in ? SEG_ES : d->seg;
        uint64_t off = cpu->gpr[in ? GPR_RDI : GPR_RSI] & size_mask(d->addrsize);
        uint64_t lin = cpu->seg[seg].base + off;
        if (cpu->mode != MODE_LONG64)
            lin &= 0xffffffffu;
        else if (seg != SEG_FS && seg != SEG_GS)
            lin = off;
        vmcs_set(v, VMCS_GUEST_LINEAR_ADDRESS, lin);
        vmcs_set(v, VMCS_EXIT_INSTRUCTION_INFO,
                 ((((uint32_t)d->addrsize >> 2) & 3u) << 7) | ((uint32_t)seg << 15));
    }
    return vmx_exit_for_insn(cpu, v, d, EXIT_REASON_IO_INSTRUCTION, q);
}

static SimStatus io_intercept(CpuState *cpu, VmxCpu *v, const DecodedInsn *d)
{
    unsigned m = d->mnemonic, size, port;
    bool imm = false;
    if (is_string_io(m)) {
        size = d->opsize;
        port = (uint16_t)cpu->gpr[GPR_RDX];
    } else {
        const DecodedOperand *p = &d->op[m == ZYDIS_MNEMONIC_IN ? 1 : 0];
        size = d->op[m == ZYDIS_MNEMONIC_IN ? 0 : 1].size;
        imm = p->kind == OPK_IMM;
        port = imm ? (unsigned)(d->imm & 0xff) : (uint16_t)cpu->gpr[GPR_RDX];
    }
    bool exits = (proc(v) & VMX_PROC_USE_IO_BITMAPS) ? io_bitmap_exits(cpu, v, port, size)
                                                     : (proc(v) & VMX_PROC_UNCONDITIONAL_IO_EXITING) != 0;
    return exits ? io_exit(cpu, v, d, port, size, imm) : SIM_OK;
}

/* --- RDMSR/WRMSR: SDM 25.1.3 and 24.6.9 "MSR-Bitmap Address" --- */

static bool msr_exits(CpuState *cpu, const VmxCpu *v, uint32_t msr, bool write)
{
    if (!(proc(v) & VMX_PROC_USE_MSR_BITMAPS))
        return true;
    unsigned offset;
    if (msr <= 0x1fff)
        offset = 0;
    else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
        offset = 1024;
    else
        return true;
    offset += write ? 2048 : 0;
    uint32_t bit = msr & 0x1fff;
    return (mem_phys_read(cpu->mem, v->field[VMCS_MSR_BITMAP] + offset + (bit >> 3), 1) >> (bit & 7)) & 1;
}

/* --- control-register accesses: SDM 25.1.3, 25.3, 27.2.1 Table "Exit
 * Qualification for Control-Register Accesses" --- */

enum { CR_ACCESS_MOV_TO = 0, CR_ACCESS_MOV_FROM = 1, CR_ACCESS_CLTS = 2, CR_ACCESS_LMSW = 3 };

static SimStatus cr_exit(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, unsigned cr,
                         unsigned access, unsigned gpr, uint64_t extra)
{
    uint64_t q = cr | (access << 4) | ((uint64_t)gpr << 8) | extra;
    return vmx_exit_for_insn(cpu, v, d, EXIT_REASON_CR_ACCESS, q);
}

/* The guest/host mask and read shadow of CR0 or CR4. */
static void cr_mask(const VmxCpu *v, unsigned cr, uint64_t *mask, uint64_t *shadow)
{
    *mask = v->field[cr == 0 ? VMCS_CR0_GUEST_HOST_MASK : VMCS_CR4_GUEST_HOST_MASK];
    *shadow = v->field[cr == 0 ? VMCS_CR0_READ_SHADOW : VMCS_CR4_READ_SHADOW];
}

static bool cr3_target(const VmxCpu *v, uint64_t value)
{
    for (unsigned i = 0; i < v->field[VMCS_CR3_TARGET_COUNT] && i < VMX_CR3_TARGET_COUNT; i++) {
        if (v->field[VMCS_CR3_TARGET_VALUE0 + i] == value)
            return true;
    }
    return false;
}

static SimStatus mov_to_cr(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, uint64_t *value)
{
    unsigned cr = d->op[0].reg, gpr = d->op[1].reg >> 3;
    uint64_t mask, shadow;
    switch (cr) {
    case 3:
        if ((proc(v) & VMX_PROC_CR3_LOAD_EXITING) && !cr3_target(v, *value))
            return cr_exit(cpu, v, d, 3, CR_ACCESS_MOV_TO, gpr, 0);
        return SIM_OK;
    case 8:
        return (proc(v) & VMX_PROC_CR8_LOAD_EXITING) ? cr_exit(cpu, v, d, 8, CR_ACCESS_MOV_TO, gpr, 0)
                                                     : SIM_OK;
    default: /* CR0, CR4: a host-owned bit set to differ from the shadow exits */
        cr_mask(v, cr, &mask, &shadow);
        if ((*value ^ shadow) & mask)
            return cr_exit(cpu, v, d, cr, CR_ACCESS_MOV_TO, gpr, 0);
        /* SDM 25.3: host-owned bits are not modified */
        *value = (*value & ~mask) | ((cr == 0 ? cpu->cr0 : cpu->cr4) & mask);
        return SIM_OK;
    }
}

static SimStatus mov_from_cr(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, uint64_t *value)
{
    unsigned cr = d->op[1].reg, gpr = d->op[0].reg >> 3;
    uint64_t mask, shadow;
    switch (cr) {
    case 3:
        return (proc(v) & VMX_PROC_CR3_STORE_EXITING) ? cr_exit(cpu, v, d, 3, CR_ACCESS_MOV_FROM, gpr, 0)
                                                      : SIM_OK;
    case 8:
        return (proc(v) & VMX_PROC_CR8_STORE_EXITING) ? cr_exit(cpu, v, d, 8, CR_ACCESS_MOV_FROM, gpr, 0)
                                                      : SIM_OK;
    case 0: case 4: /* SDM 25.3: host-owned bits read from the shadow */
        cr_mask(v, cr, &mask, &shadow);
        *value = (*value & ~mask) | (shadow & mask);
        return SIM_OK;
    default:
        return SIM_OK;
    }
}

/* SDM 25.1.3 CLTS: exits when CR0.TS is host-owned and its shadow is 1;
 * when host-owned with shadow 0, CR0.TS is not modified (25.3). */
static SimStatus clts(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, uint64_t *value)
{
    uint64_t mask, shadow;
    cr_mask(v, 0, &mask, &shadow);
    if (mask & shadow & CR0_TS)
        return cr_exit(cpu, v, d, 0, CR_ACCESS_CLTS, 0, 0);
    if (mask & CR0_TS)
        *value |= cpu->cr0 & CR0_TS;
    return SIM_OK;
}

/* The linear address of a memory operand (for the guest-linear address field). */
static uint64_t operand_linear(const CpuState *cpu, const DecodedInsn *d)
{
    uint64_t ea = insn_ea(cpu, d);
    if (cpu->mode == MODE_LONG64)
        return (d->seg == SEG_FS || d->seg == SEG_GS) ? ea + cpu->seg[d->seg].base : ea;
    return (cpu->seg[d->seg].base + ea) & 0xffffffffu;
}

/* SDM 25.1.3 LMSW: exits if PE is host-owned with shadow 0 and the source
 * sets it, or if MP, EM or TS is host-owned and the source differs from the
 * shadow.  Qualification bits 31:16 hold the source, bit 6 the operand type
 * (27.2.1); a memory source also gives the guest-linear address.  Without an
 * exit, host-owned bits are not modified (25.3). */
static SimStatus lmsw(CpuState *cpu, VmxCpu *v, const DecodedInsn *d, uint64_t *value)
{
    uint64_t mask, shadow, src = *value & 0xffff;
    cr_mask(v, 0, &mask, &shadow);
    bool pe = (mask & CR0_PE) && !(shadow & CR0_PE) && (src & CR0_PE);
    if (pe || ((src ^ shadow) & mask & 0xe)) {
        bool mem = d->op[0].kind == OPK_MEM;
        if (mem)
            vmcs_set(v, VMCS_GUEST_LINEAR_ADDRESS, operand_linear(cpu, d));
        return cr_exit(cpu, v, d, 0, CR_ACCESS_LMSW, 0, (mem ? 64u : 0) | (src << 16));
    }
    *value = (src & ~(mask & 0xf)) | (cpu->cr0 & mask & 0xf);
    return SIM_OK;
}

SimStatus vmx_intercept(CpuState *cpu, const DecodedInsn *d, VmxIntercept what, uint64_t *value)
{
    VmxCpu *v = cpu->vmx;
    switch (what) {
    case VMX_ICPT_CPUID: return exit_plain(cpu, v, d, EXIT_REASON_CPUID);
    case VMX_ICPT_GETSEC: return exit_plain(cpu, v, d, EXIT_REASON_GETSEC);
    case VMX_ICPT_INVD: return exit_plain(cpu, v, d, EXIT_REASON_INVD);
    case VMX_ICPT_XSETBV: return exit_plain(cpu, v, d, EXIT_REASON_XSETBV);
    case VMX_ICPT_HLT:
        return (proc(v) & VMX_PROC_HLT_EXITING) ? exit_plain(cpu, v, d, EXIT_REASON_HLT) : SIM_OK;
    case VMX_ICPT_IO: return io_intercept(cpu, v, d);
    case VMX_ICPT_RDMSR:
        return msr_exits(cpu, v, (uint32_t)*value, false) ? exit_plain(cpu, v, d, EXIT_REASON_RDMSR) : SIM_OK;
    case VMX_ICPT_WRMSR:
        return msr_exits(cpu, v, (uint32_t)*value, true) ? exit_plain(cpu, v, d, EXIT_REASON_WRMSR) : SIM_OK;
    case VMX_ICPT_MOV_TO_CR: return mov_to_cr(cpu, v, d, value);
    case VMX_ICPT_MOV_FROM_CR: return mov_from_cr(cpu, v, d, value);
    case VMX_ICPT_CLTS: return clts(cpu, v, d, value);
    case VMX_ICPT_LMSW: return lmsw(cpu, v, d, value);
    case VMX_ICPT_IRET: return vmx_iret(cpu, v, *value);
    default: return vmx_intercept_insn(cpu, v, d, what, value); /* nonroot_insn.c */
    }
}
