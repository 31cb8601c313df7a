/*
 * Virtual-8086 mode (SDM Vol. 3B chapter 20 "8086 Emulation"): entering it
 * by IRET, its segment registers, the IOPL-sensitive instructions, the
 * virtual-8086 mode extensions (CR4.VME, 20.3.2 and 20.3.3) and
 * protected-mode virtual interrupts (CR4.PVI, 20.4).  Interrupt and
 * exception delivery out of virtual-8086 mode is in exceptions.c.
 */
#ifndef VMXSIM_CPU_V86_H
#define VMXSIM_CPU_V86_H

#include "sim/cpu/cpu.h"

/* The RFLAGS bits that exist (SDM Vol. 1 3.4.3 "EFLAGS Register"): an
 * EFLAGS image from a TSS or an IRET frame sets no others. */
#define RFLAGS_DEFINED                                                                             \
    (RFLAGS_ARITH | RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_RF |      \
     RFLAGS_VM | RFLAGS_AC | RFLAGS_VIF | RFLAGS_VIP | RFLAGS_ID)

/* Load ES, CS, SS, DS, FS, GS (Sreg order) with virtual-8086 segments and
 * recompute the mode (EFLAGS.VM must already be set). */
void cpu_v86_load_segments(CpuState *cpu, const uint16_t sel[6]);

/* SDM Vol. 2 IRET "RETURN-TO-VIRTUAL-8086-MODE" (20.2.5 "Entering
 * Virtual-8086 Mode"): IRETD at CPL 0 whose EFLAGS image has VM = 1.  The
 * first three slots (EIP, CS, EFLAGS) are already read; ESP, SS, ES, DS,
 * FS, GS follow.  Commits only on success. */
SimStatus cpu_v86_enter_by_iret(CpuState *cpu, uint64_t eip, uint16_t cs, uint64_t eflags)
    SIM_MUST_CHECK;

/* SDM Vol. 2 IRET "RETURN-FROM-VIRTUAL-8086-MODE": IRET executed in
 * virtual-8086 mode (IOPL = 3, or CR4.VME with a 16-bit IRET). */
SimStatus cpu_v86_iret(CpuState *cpu, unsigned opsize) SIM_MUST_CHECK;

/* INT n in virtual-8086 mode, SDM 20.3.3 Table 20-2 "Software Interrupt
 * Handling Methods While in Virtual-8086 Mode": #GP(0) (methods 2, 3),
 * redirection to the 8086 program's vector table (methods 5, 6: *redirected
 * = true, done), or *redirected = false: the protected-mode IDT handles it
 * (methods 1, 4). */
SimStatus cpu_v86_int(CpuState *cpu, unsigned vector, bool *redirected) SIM_MUST_CHECK;

/* PUSHF / POPF in virtual-8086 mode with IOPL < 3 (SDM Vol. 2 PUSHF/POPF,
 * 20.3.2): with CR4.VME and a 16-bit operand the virtual interrupt flag
 * stands in for IF; otherwise #GP(0). */
SimStatus cpu_v86_pushf(CpuState *cpu, unsigned opsize) SIM_MUST_CHECK;
SimStatus cpu_v86_popf(CpuState *cpu, unsigned opsize) SIM_MUST_CHECK;

/* The flag CLI (sti = false) or STI changes (SDM Vol. 2 CLI/STI
 * "Operation"; 20.3.2 for VME, 20.4 for PVI): RFLAGS_IF, RFLAGS_VIF, or 0
 * when the instruction raises #GP(0). */
uint64_t cpu_cli_sti_flag(const CpuState *cpu, bool sti);

#endif
