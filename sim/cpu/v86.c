/* Virtual-8086 mode; see v86.h. */
#include "sim/cpu/v86.h"

#include "sim/cpu/access.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/flags.h"
#include "sim/cpu/segmentation.h"
#include "sim/cpu/stack.h"

static unsigned iopl(const CpuState *cpu) { return (unsigned)((cpu->rflags & RFLAGS_IOPL) >> 12); }

static bool vme(const CpuState *cpu) { return (cpu->cr4 & CR4_VME) != 0; }

void cpu_v86_load_segments(CpuState *cpu, const uint16_t sel[6])
{
    for (unsigned s = SEG_ES; s <= SEG_GS; s++)
        cpu->seg[s] = cpu_v86_segment(sel[s]);
    cpu_update_mode(cpu);
}

/* RETURN-TO-VIRTUAL-8086-MODE: "IF instruction pointer not within code
 * segment limits THEN #GP(0)" against the FFFFH limit CS gets; the stack
 * slots are read first (#SS(0) beyond SS).  EFLAGS is loaded whole (CPL 0),
 * the segments become virtual-8086 ones and CPL 3. */
SimStatus cpu_v86_enter_by_iret(CpuState *cpu, uint64_t eip, uint16_t cs, uint64_t eflags)
{
    uint64_t v[6]; /* ESP, SS, ES, DS, FS, GS */
    for (unsigned i = 0; i < 6; i++) {
        if (cpu_stack_peek(cpu, 12 + 4 * i, 4, &v[i]) != SIM_OK)
            return SIM_FAULT;
    }
    if (eip > 0xffff)
        return cpu_raise_gp0(cpu);
    const uint16_t sel[6] = {(uint16_t)v[2], cs, (uint16_t)v[1],
                             (uint16_t)v[3], (uint16_t)v[4], (uint16_t)v[5]};
    cpu_set_rflags(cpu, (eflags & RFLAGS_DEFINED) | RFLAGS_FIXED1 | RFLAGS_VM);
    cpu_v86_load_segments(cpu, sel);
    cpu->gpr[GPR_RSP] = (uint32_t)v[0];
    cpu->RIP = eip;
    return SIM_OK;
}

/* SDM 20.3.2: with VME, a FLAGS image that sets TF, or IF while VIP = 1,
 * is refused with #GP(0) by POPF and IRET. */
static bool vme_image_refused(const CpuState *cpu, uint64_t image)
{
    return (image & RFLAGS_TF) || ((image & RFLAGS_IF) && (cpu->rflags & RFLAGS_VIP));
}

/* The 16-bit FLAGS image under VME: IF, IOPL and the upper bits stay; VIF
 * takes the image's IF. */
static void vme_load_flags(CpuState *cpu, uint64_t image)
{
    uint64_t keep = ~UINT64_C(0xffff) | RFLAGS_IF | RFLAGS_IOPL;
    uint64_t f = (cpu_get_rflags(cpu) & keep) | (image & 0xffff & ~keep);
    f = (f & ~(uint64_t)RFLAGS_VIF) | ((image & RFLAGS_IF) ? RFLAGS_VIF : 0);
    cpu_set_rflags(cpu, f | RFLAGS_FIXED1);
}

/* RETURN-FROM-VIRTUAL-8086-MODE with IOPL = 3: VM, IOPL, VIP and VIF are not
 * loaded (a 16-bit IRET loads FLAGS[15:0] but IOPL). */
static void iopl3_load_flags(CpuState *cpu, uint64_t image, unsigned opsize)
{
    uint64_t mask = RFLAGS_ARITH | RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_NT;
    if (opsize == 4)
        mask |= RFLAGS_RF | RFLAGS_AC | RFLAGS_ID;
    cpu_set_rflags(cpu, (cpu_get_rflags(cpu) & ~mask) | (image & mask) | RFLAGS_FIXED1);
}

SimStatus cpu_v86_iret(CpuState *cpu, unsigned opsize)
{
    uint64_t ip, cs, fl;
    bool virtual_if = iopl(cpu) < 3;
    if (virtual_if && !(vme(cpu) && opsize == 2))
        return cpu_raise_gp0(cpu); /* trap to the virtual-8086 monitor */
    if (cpu_stack_peek(cpu, 0, opsize, &ip) != SIM_OK ||
        cpu_stack_peek(cpu, opsize, 2, &cs) != SIM_OK ||
        cpu_stack_peek(cpu, 2 * opsize, opsize, &fl) != SIM_OK)
        return SIM_FAULT;
    if (ip > cpu->seg[SEG_CS].limit || (virtual_if && vme_image_refused(cpu, fl)))
        return cpu_raise_gp0(cpu);
    cpu_stack_adjust(cpu, 3 * opsize);
    if (virtual_if)
        vme_load_flags(cpu, fl);
    else
        iopl3_load_flags(cpu, fl, opsize);
    cpu_load_real_segment(cpu, SEG_CS, (uint16_t)cs);
    cpu->RIP = ip;
    cpu->nmi_blocked = false; /* SDM 6.7.1: IRET ends NMI blocking */
    return SIM_OK;
}

/* SDM 20.3.3: the redirection bit map is the 32 bytes below the I/O map
 * base (offset 66H of a 32-bit TSS).  vmxsim's choice where the SDM is
 * silent: a bit that lies outside the TSS limit, or a TSS that is not a
 * 32-bit one, is #GP(0), as for the I/O permission bit map. */
static SimStatus redirection_bit(CpuState *cpu, unsigned vector, bool *set)
{
    const Segment *tr = &cpu->seg[SEG_TR];
    uint64_t base, bits;
    if (!(tr->ar & 0x8) || tr->limit < 0x67)
        return cpu_raise_gp0(cpu);
    if (cpu_lin_read_slow(cpu, (tr->base + 0x66) & 0xffffffffu, 2, &base, true) != SIM_OK)
        return SIM_FAULT;
    uint64_t at = (base & 0xffff) + vector / 8;
    if (at < 32 || at - 32 > tr->limit)
        return cpu_raise_gp0(cpu);
    if (cpu_lin_read_slow(cpu, (tr->base + at - 32) & 0xffffffffu, 1, &bits, true) != SIM_OK)
        return SIM_FAULT;
    *set = (bits >> (vector % 8)) & 1;
    return SIM_OK;
}

/* Methods 5 and 6 (SDM 20.3.3.4, 20.3.3.5): an implicit call through the
 * 8086 program's vector table at linear address 0.  Method 6 (IOPL < 3)
 * pushes FLAGS with IOPL = 3 and IF = VIF and clears VIF instead of IF. */
static SimStatus redirect(CpuState *cpu, unsigned vector, bool virtual_if)
{
    uint64_t entry, f = cpu_get_rflags(cpu), image = f & 0xffff, old_rsp = cpu->gpr[GPR_RSP];
    if (cpu_lin_read_slow(cpu, vector * 4u, 4, &entry, false) != SIM_OK)
        return SIM_FAULT;
    if (virtual_if)
        image = (image & ~(uint64_t)RFLAGS_IF) | RFLAGS_IOPL | ((f & RFLAGS_VIF) ? RFLAGS_IF : 0);
    if (cpu_push(cpu, 2, image) != SIM_OK ||
        cpu_push(cpu, 2, cpu->seg[SEG_CS].selector) != SIM_OK ||
        cpu_push(cpu, 2, cpu->RIP & 0xffff) != SIM_OK) {
        cpu->gpr[GPR_RSP] = old_rsp;
        return SIM_FAULT;
    }
    f &= ~(uint64_t)(RFLAGS_TF | (virtual_if ? RFLAGS_VIF : RFLAGS_IF));
    cpu_set_rflags(cpu, f);
    cpu_load_real_segment(cpu, SEG_CS, (uint16_t)(entry >> 16));
    cpu->RIP = entry & 0xffff;
    return SIM_OK;
}

SimStatus cpu_v86_int(CpuState *cpu, unsigned vector, bool *redirected)
{
    bool low_iopl = iopl(cpu) < 3, bit;
    *redirected = false;
    if (!vme(cpu)) /* methods 1 and 2 */
        return low_iopl ? cpu_raise_gp0(cpu) : SIM_OK;
    if (redirection_bit(cpu, vector, &bit) != SIM_OK)
        return SIM_FAULT;
    if (bit) /* methods 3 and 4 */
        return low_iopl ? cpu_raise_gp0(cpu) : SIM_OK;
    *redirected = true;
    return redirect(cpu, vector, low_iopl);
}

SimStatus cpu_v86_pushf(CpuState *cpu, unsigned opsize)
{
    if (!vme(cpu) || opsize != 2)
        return cpu_raise_gp0(cpu);
    uint64_t f = cpu_get_rflags(cpu);
    uint64_t image = (f & 0xffff & ~(uint64_t)RFLAGS_IF) | RFLAGS_IOPL |
                     ((f & RFLAGS_VIF) ? RFLAGS_IF : 0);
    return cpu_push(cpu, 2, image);
}

SimStatus cpu_v86_popf(CpuState *cpu, unsigned opsize)
{
    uint64_t image;
    if (!vme(cpu) || opsize != 2)
        return cpu_raise_gp0(cpu);
    if (cpu_stack_peek(cpu, 0, 2, &image) != SIM_OK)
        return SIM_FAULT;
    if (vme_image_refused(cpu, image))
        return cpu_raise_gp0(cpu);
    cpu_stack_adjust(cpu, 2);
    vme_load_flags(cpu, image);
    return SIM_OK;
}

/* CLI/STI: IF when CPL <= IOPL (always in real mode); otherwise VIF in
 * virtual-8086 mode with CR4.VME, or at CPL 3 in protected mode with
 * CR4.PVI; STI may set VIF only while VIP = 0. */
uint64_t cpu_cli_sti_flag(const CpuState *cpu, bool sti)
{
    if (cpu->mode == MODE_REAL || cpu->cpl <= iopl(cpu))
        return RFLAGS_IF;
    bool virtual_if = cpu->mode == MODE_V86 ? vme(cpu)
                                            : cpu->cpl == 3 && (cpu->cr4 & CR4_PVI);
    if (!virtual_if || (sti && (cpu->rflags & RFLAGS_VIP)))
        return 0;
    return RFLAGS_VIF;
}
