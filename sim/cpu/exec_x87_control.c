/*
 * x87 control instructions: FNINIT FNCLEX FWAIT FLDCW FNSTCW FNSTSW FFREE
 * FFREEP FDECSTP FINCSTP FNOP and the obsolete FENI/FDISI/FSETPM.  SDM Vol. 2
 * (each instruction) and SDM Vol. 1 8.3.11 "x87 FPU Control Instructions".
 *
 * FINIT, FCLEX, FSTCW and FSTSW are FWAIT followed by the FN form: the
 * decoder gives two instructions, as the processor executes them (SDM 8.3.12
 * "Waiting vs. Non-waiting Instructions").  The FN forms do not check for a
 * pending exception; FLDCW does (it is a waiting instruction) but, like the
 * other control instructions of SDM 8.1.8, leaves FIP/FDP/FOP alone.
 */
#include "sim/cpu/exceptions.h"
#include "sim/cpu/fpu.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/operands.h"
#include "sim/cpu/x87.h"

/* SDM Vol. 2 FINIT/FNINIT: FCW := 037FH, FSW := 0, FTW := FFFFH (all empty),
 * FIP/FDP/FOP and the selectors := 0; the data registers are unchanged. */
SimStatus exec_fninit(CpuState *cpu, const DecodedInsn *d) {
    FpuState *f = &cpu->fpu;
    if (cpu_x87_available(cpu) != SIM_OK) return SIM_FAULT;
    f->fcw = FCW_INIT;
    f->fsw = 0;
    f->ftw = 0xffff;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
    return SIM_OK;
}

/* SDM Vol. 2 FCLEX/FNCLEX: clear PE UE OE ZE DE IE, SF, ES and B; C0-C3
 * undefined (unchanged on the host). */
SimStatus exec_fnclex(CpuState *cpu, const DecodedInsn *d) {
    if (cpu_x87_available(cpu) != SIM_OK) return SIM_FAULT;
    cpu->fpu.fsw &= (uint16_t) ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
    return SIM_OK;
}

/* SDM Vol. 2 WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set (Vol. 3A
 * Table 2-2), then #MF for a pending unmasked exception.  It exists without
 * an x87 FPU too. */
SimStatus exec_fwait(CpuState *cpu, const DecodedInsn *d) {
    if (cpu_wait_available(cpu) != SIM_OK) return SIM_FAULT;
    return x87_check_pending(cpu);
}

/* SDM Vol. 2 FLDCW: load FCW.  Reserved bits read as the host shows them
 * (bit 6 one, 7 and 13-15 zero); an exception flag the new masks unmask
 * becomes pending at once (ES/B), to be raised by the next waiting
 * instruction. */
SimStatus exec_fldcw(CpuState *cpu, const DecodedInsn *d) {
    uint64_t v;
    if (x87_begin(cpu) != SIM_OK || opnd_read(cpu, d, 0, &v) != SIM_OK) return SIM_FAULT;
    cpu->fpu.fcw = (uint16_t)((v & FCW_WRITABLE) | FCW_FIXED1);
    x87_update_es(&cpu->fpu);
    return SIM_OK;
}

/* SDM Vol. 2 FSTCW/FNSTCW: store FCW to m16. */
SimStatus exec_fnstcw(CpuState *cpu, const DecodedInsn *d) {
    if (cpu_x87_available(cpu) != SIM_OK) return SIM_FAULT;
    return opnd_write(cpu, d, 0, cpu->fpu.fcw);
}

/* SDM Vol. 2 FSTSW/FNSTSW: store FSW to m16 or AX. */
SimStatus exec_fnstsw(CpuState *cpu, const DecodedInsn *d) {
    if (cpu_x87_available(cpu) != SIM_OK) return SIM_FAULT;
    return opnd_write(cpu, d, 0, cpu->fpu.fsw);
}

/* SDM Vol. 2 FFREE: tag ST(i) empty; TOP and the contents are unchanged.
 * C0-C3 are "undefined": the host clears C1 and keeps the others. */
SimStatus exec_ffree(CpuState *cpu, const DecodedInsn *d) {
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    x87_set_tag(&cpu->fpu, x87_phys(&cpu->fpu, d->op[0].reg), X87_TAG_EMPTY);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* FFREEP (DF C0+i): not in the SDM's instruction reference, but Intel cores
 * execute it as FFREE ST(i) followed by a pop, C1 := 0 (measured on the
 * host; Zydis decodes it).  No exception but #NM/#MF. */
SimStatus exec_ffreep(CpuState *cpu, const DecodedInsn *d) {
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    x87_set_tag(&cpu->fpu, x87_phys(&cpu->fpu, d->op[0].reg), X87_TAG_EMPTY);
    x87_pop(&cpu->fpu);
    cpu->fpu.fsw &= (uint16_t)~FSW_C1;
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM Vol. 2 FDECSTP/FINCSTP: TOP := TOP -/+ 1 (tags unchanged); C1 := 0. */
static SimStatus move_top(CpuState *cpu, const DecodedInsn *d, unsigned delta) {
    FpuState *f = &cpu->fpu;
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    x87_set_top(f, x87_top(f) + delta);
    f->fsw &= (uint16_t)~FSW_C1;
    x87_note_insn(cpu, d);
    return SIM_OK;
}

SimStatus exec_fdecstp(CpuState *cpu, const DecodedInsn *d) {
    return move_top(cpu, d, 7);
}
SimStatus exec_fincstp(CpuState *cpu, const DecodedInsn *d) {
    return move_top(cpu, d, 1);
}

/* SDM Vol. 2 FNOP: no operation; it is a non-control instruction, so it
 * does update FIP/FOP (SDM 8.1.8). */
SimStatus exec_fnop(CpuState *cpu, const DecodedInsn *d) {
    if (x87_begin(cpu) != SIM_OK) return SIM_FAULT;
    x87_note_insn(cpu, d);
    return SIM_OK;
}

/* SDM 8.3.13 "Unsupported x87 FPU Instructions": FENI, FDISI (8087) and
 * FSETPM (287) perform no operation and affect no x87 state. */
SimStatus exec_fobsolete(CpuState *cpu, const DecodedInsn *d) {
    return cpu_x87_available(cpu);
}
