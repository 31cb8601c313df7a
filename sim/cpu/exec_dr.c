/*
 * MOV to and from debug registers (SDM Vol. 2 "MOV—Move to/from Debug
 * Registers"; SDM Vol. 3B 17.2 "Debug Registers").  vmxsim keeps DR0-DR3,
 * DR6 and DR7 as state; no breakpoint is armed by them yet.  DR6 and DR7
 * are stored with their reserved bits at the fixed values they read back.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/vmx_hooks.h"

/* SDM Vol. 3B 17.2.3 "Debug Status Register (DR6)": B0-B3 (bits 3:0), BD
 * (13), BS (14), BT (15) are writable; bits 11:4 and 31:16 read as 1 (bit 16,
 * RTM, and bit 11, BLD, are reserved-as-1 on a model without RTM and
 * bus-lock detection); bit 12 reads as 0. */
#define DR6_WRITABLE UINT64_C(0xe00f)
#define DR6_FIXED1 UINT64_C(0xffff0ff0)
#define DR6_BD (UINT64_C(1) << 13)
/* SDM Vol. 3B 17.2.4 "Debug Control Register (DR7)": L0-G3, LE, GE (bits
 * 9:0), GD (13) and R/W0-LEN3 (31:16) are writable; bit 10 reads as 1,
 * bits 11, 12, 14 and 15 as 0. */
#define DR7_WRITABLE UINT64_C(0xffff23ff)
#define DR7_FIXED1 UINT64_C(0x400)
#define DR7_GD (UINT64_C(1) << 13)

/* The checks every MOV DR makes, in the order of the SDM's exception
 * lists: #GP(0) in virtual-8086 mode and at CPL > 0; #UD for DR8-DR15 and,
 * when CR4.DE = 1, for DR4/DR5 (which otherwise alias DR6/DR7); #DB when
 * DR7.GD = 1.  *n is the register actually named. */
static SimStatus dr_access(CpuState *cpu, unsigned reg, unsigned *n) {
    if (cpu->mode == MODE_V86 || cpu->cpl != 0) return cpu_raise_gp0(cpu);
    if (reg > 7) return cpu_raise_ud(cpu);
    if (reg == 4 || reg == 5) {
        if (cpu->cr4 & CR4_DE) return cpu_raise_ud(cpu);
        reg += 2;
    }
    /* SDM Vol. 3B 17.3.1.3 "General-Detect Exception Condition": a fault
     * taken before the MOV executes; DR6.BD is set and DR7.GD cleared so
     * the handler can use the debug registers (17.2.4, GD flag). */
    if (cpu->dr[7] & DR7_GD) {
        cpu->dr[6] |= DR6_BD;
        cpu->dr[7] &= ~DR7_GD;
        return cpu_raise(cpu, EXC_DB, 0);
    }
    *n = reg;
    return SIM_OK;
}

/* SDM Vol. 2 MOV DR "64-Bit Mode Exceptions": #GP(0) on writing a 1 to
 * bits 63:32 of DR6 or DR7.  Outside 64-bit mode the operand is 32 bits. */
static SimStatus write_dr(CpuState *cpu, unsigned n, uint64_t v) {
    if ((n == 6 || n == 7) && (v >> 32) != 0) return cpu_raise_gp0(cpu);
    if (n == 6)
        v = (v & DR6_WRITABLE) | DR6_FIXED1;
    else if (n == 7)
        v = (v & DR7_WRITABLE) | DR7_FIXED1;
    cpu->dr[n] = v;
    return SIM_OK;
}

/* SDM 25.1.3 MOV DR: the VM exit of "MOV-DR exiting" takes priority over
 * the CPL #GP(0) and the #UD of DR4/DR5 with CR4.DE = 1 (an exception to
 * 25.1.1), not over the #UD of DR8-DR15, an invalid opcode. */
static SimStatus dr_intercept(CpuState *cpu, const DecodedInsn *d, unsigned reg) {
    uint64_t unused = 0;
    if (reg > 7) return SIM_OK;
    return cpu_vmx_intercept(cpu, d, VMX_ICPT_MOV_DR, &unused);
}

/* MOV DRn, r32/r64: the operand size is 32 bits outside 64-bit mode and 64
 * bits in it, whatever the prefixes (decoded so). */
SimStatus exec_mov_to_dr(CpuState *cpu, const DecodedInsn *d) {
    unsigned n;
    SimStatus st = dr_intercept(cpu, d, d->op[0].reg);
    if (st != SIM_OK) return st;
    if (dr_access(cpu, d->op[0].reg, &n) != SIM_OK) return SIM_FAULT;
    return write_dr(cpu, n, reg_read(cpu, d->op[1].reg, d->op[1].size));
}

SimStatus exec_mov_from_dr(CpuState *cpu, const DecodedInsn *d) {
    unsigned n;
    SimStatus st = dr_intercept(cpu, d, d->op[1].reg);
    if (st != SIM_OK) return st;
    if (dr_access(cpu, d->op[1].reg, &n) != SIM_OK) return SIM_FAULT;
    reg_write(cpu, d->op[0].reg, d->op[0].size, cpu->dr[n]);
    return SIM_OK;
}
