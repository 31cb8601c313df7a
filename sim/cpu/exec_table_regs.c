/*
 * System-table and machine-status registers (SDM Vol. 2 "LLDT", "SLDT",
 * "STR", "SGDT", "SIDT", "SMSW", "LMSW", "CLTS"), with the User-Mode
 * Instruction Prevention rule of CR4.UMIP (SDM Vol. 3A 2.5 "Control
 * Registers").  LGDT, LIDT and LTR are in exec_system.c.  In VMX non-root
 * operation "descriptor-table exiting" (SDM 25.1.3) makes LLDT, SLDT, STR,
 * SGDT and SIDT exit after their #UD and privilege (CPL, UMIP) faults and
 * before they access their operand.
 */
#include "sim/cpu/cpu_model.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/vmx_hooks.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/segmentation.h"

static bool real_or_v86(const CpuState *cpu) {
    return cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
}

/* SDM Vol. 3A 2.5, CR4.UMIP: "When set, the following instructions cannot
 * be executed if CPL > 0: SGDT, SIDT, SLDT, SMSW, and STR"; they raise
 * #GP(0).  CR4.UMIP exists only with CPUID.(EAX=07H,ECX=0):ECX.UMIP[bit 2]. */
static bool umip_blocks(const CpuState *cpu) {
    return cpu_model_has(cpu->model, FEAT_UMIP) && (cpu->cr4 & CR4_UMIP) && cpu->cpl > 0;
}

/* SDM Vol. 2 LLDT "Operation": the selector must point into the GDT
 * (#GP(selector)), within its limit (#GP(selector)), to an LDT descriptor
 * (#GP(selector)) that is present (#NP(selector)).  In IA-32e mode the LDT
 * descriptor is 16 bytes (SDM Vol. 3A 3.5.2 "Segment Descriptor Tables in
 * IA-32e Mode"). */
static SimStatus ldt_descriptor(CpuState *cpu, uint16_t sel, Segment *s) {
    bool wide = (cpu->efer & EFER_LMA) != 0;
    Descriptor desc;
    if (sel & 4) return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (cpu_read_descriptor(cpu, sel, wide, &desc) != SIM_OK) return SIM_FAULT;
    *s = cpu_descriptor_to_segment(&desc, sel, wide);
    if ((s->ar & AR_S) || (s->ar & AR_TYPE_MASK) != DESC_LDT)
        return cpu_raise(cpu, EXC_GP, sel & 0xfffc);
    if (!(s->ar & AR_P)) return cpu_raise(cpu, EXC_NP, sel & 0xfffc);
    return SIM_OK;
}

/* SDM Vol. 2 LLDT: #UD in real-address and virtual-8086 mode, #GP(0) at
 * CPL > 0; a selector with bits 15:2 = 0 marks LDTR invalid (unusable). */
SimStatus exec_lldt(CpuState *cpu, const DecodedInsn *d) {
    uint64_t v;
    Segment s;
    if (real_or_v86(cpu)) return cpu_raise_ud(cpu);
    if (cpu->cpl != 0) return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_DESC_TABLE, &v);
    if (st != SIM_OK) return st;
    if (opnd_read(cpu, d, 0, &v) != SIM_OK) return SIM_FAULT;
    uint16_t sel = (uint16_t)v;
    if ((sel & 0xfffc) == 0) {
        cpu->seg[SEG_LDTR] = (Segment){sel, 0, AR_UNUSABLE, 0};
        return SIM_OK;
    }
    if (ldt_descriptor(cpu, sel, &s) != SIM_OK) return SIM_FAULT;
    cpu->seg[SEG_LDTR] = s;
    return SIM_OK;
}

/* SDM Vol. 2 SLDT/STR: #UD in real-address and virtual-8086 mode, #GP(0) by
 * UMIP.  A memory destination gets 16 bits whatever the operand size; a
 * register gets the selector zero-extended to its size (16-bit registers
 * keep their upper bits). */
static SimStatus store_selector(CpuState *cpu, const DecodedInsn *d, unsigned seg) {
    uint64_t unused = 0;
    if (real_or_v86(cpu)) return cpu_raise_ud(cpu);
    if (umip_blocks(cpu)) return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_DESC_TABLE, &unused);
    if (st != SIM_OK) return st;
    return opnd_write(cpu, d, 0, cpu->seg[seg].selector);
}

SimStatus exec_sldt(CpuState *cpu, const DecodedInsn *d) {
    return store_selector(cpu, d, SEG_LDTR);
}
SimStatus exec_str(CpuState *cpu, const DecodedInsn *d) {
    return store_selector(cpu, d, SEG_TR);
}

/* SDM Vol. 2 SGDT/SIDT "Operation": the 16-bit limit, then the base: 24
 * bits and a zero byte with a 16-bit operand size, 32 bits with a 32-bit
 * one (legacy and compatibility mode), 64 bits in 64-bit mode.  #UD for a
 * register operand, #GP(0) by UMIP; the whole destination is checked before
 * any byte is written. */
static SimStatus store_table_register(CpuState *cpu, const DecodedInsn *d, const DescTable *t) {
    uint8_t buf[10];
    unsigned base_size = cpu->mode == MODE_LONG64 ? 8 : 4;
    uint64_t base = t->base, unused = 0;
    if (d->op[0].kind != OPK_MEM) return cpu_raise_ud(cpu);
    if (umip_blocks(cpu)) return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_DESC_TABLE, &unused);
    if (st != SIM_OK) return st;
    if (cpu->mode != MODE_LONG64) base &= d->opsize == 2 ? 0xffffffu : 0xffffffffu;
    buf[0] = (uint8_t)t->limit;
    buf[1] = (uint8_t)(t->limit >> 8);
    for (unsigned i = 0; i < base_size; i++)
        buf[2 + i] = (uint8_t)(base >> (8 * i));
    return cpu_mem_write_block(cpu, d->seg, insn_ea(cpu, d), buf, 2 + base_size);
}

SimStatus exec_sgdt(CpuState *cpu, const DecodedInsn *d) {
    return store_table_register(cpu, d, &cpu->gdtr);
}

SimStatus exec_sidt(CpuState *cpu, const DecodedInsn *d) {
    return store_table_register(cpu, d, &cpu->idtr);
}

/* SDM Vol. 2 SMSW "Operation": DEST := CR0[15:0]; a memory destination is
 * 16 bits whatever the operand size.  A register gets CR0 zero-extended to
 * its size, as the SDM gives for 64-bit mode (r32: CR0[31:0], r64:
 * CR0[63:0]); outside 64-bit mode bits 31:16 of r32 are undefined and vmxsim
 * stores CR0[31:16] there too.  Not privileged, except by UMIP. */
SimStatus exec_smsw(CpuState *cpu, const DecodedInsn *d) {
    if (umip_blocks(cpu)) return cpu_raise_gp0(cpu);
    return opnd_write(cpu, d, 0, cpu->cr0);
}

/* SDM Vol. 2 LMSW "Operation": CR0[3:0] := SRC[3:0] (PE, MP, EM, TS); the
 * other bits are untouched and PE can be set but not cleared.  #GP(0) at
 * CPL > 0 (virtual-8086 mode included). */
SimStatus exec_lmsw(CpuState *cpu, const DecodedInsn *d) {
    uint64_t src;
    if (cpu->mode != MODE_REAL && cpu->cpl != 0) return cpu_raise_gp0(cpu);
    if (opnd_read(cpu, d, 0, &src) != SIM_OK) return SIM_FAULT;
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_LMSW, &src);
    if (st != SIM_OK) return st;
    cpu->cr0 = (cpu->cr0 & ~UINT64_C(0xf)) | (src & 0xf) | (cpu->cr0 & CR0_PE);
    cpu_update_mode(cpu); /* setting PE enters protected mode */
    return SIM_OK;
}

/* SDM Vol. 2 CLTS "Operation": CR0.TS := 0; #GP(0) at CPL > 0 (virtual-8086
 * mode included). */
SimStatus exec_clts(CpuState *cpu, const DecodedInsn *d) {
    uint64_t cr0 = cpu->cr0 & ~CR0_TS;
    if (cpu->mode != MODE_REAL && cpu->cpl != 0) return cpu_raise_gp0(cpu);
    SimStatus st = cpu_vmx_intercept(cpu, d, VMX_ICPT_CLTS, &cr0);
    if (st != SIM_OK) return st;
    cpu->cr0 = cr0;
    return SIM_OK;
}
