/*
 * String port I/O: SDM Vol. 2 INS/INSB/INSW/INSD and OUTS/OUTSB/OUTSW/OUTSD,
 * with REP (the loop of string_repeat.h).  I/O permission is checked as
 * IN/OUT check it (io_permission.h, SDM Vol. 1 19.5), once, before the REP
 * count: a REP with a zero count transfers nothing but still raises the
 * #GP(0) of a denied port.  The SDM's REP "Operation" would run nothing at
 * all; the INS/OUTS "Operation" makes the check first, and the Intel core
 * makes it whatever the count (docs/differential-testing.md).
 *
 * INS writes ES:(E)DI (ES cannot be overridden); OUTS reads DS:(E)SI (the
 * segment may be overridden: DecodedInsn.seg).  INS checks that the
 * destination is writable before it reads the port, so a #GP/#SS/#PF on the
 * destination does not consume device data that the restarted instruction
 * would read again.
 */
#include "sim/cpu/handlers.h"
#include "sim/cpu/io_permission.h"
#include "sim/cpu/string_repeat.h"
#include "sim/cpu/vmx_hooks.h"
#include "sim/cpu/write_probe.h"

static SimStatus step_ins(CpuState *cpu, const DecodedInsn *d, int64_t delta) {
    uint16_t port = (uint16_t)cpu->gpr[GPR_RDX];
    uint64_t di = cpu_string_index(cpu, d, GPR_RDI);
    if (cpu_probe_write(cpu, SEG_ES, di, d->opsize) != SIM_OK) return SIM_FAULT;
    uint32_t v = dev_io_read(cpu->io, port, d->opsize);
    if (cpu_mem_write(cpu, SEG_ES, di, d->opsize, v) != SIM_OK) return SIM_FAULT;
    cpu_string_advance(cpu, d, GPR_RDI, delta);
    return SIM_OK;
}

static SimStatus step_outs(CpuState *cpu, const DecodedInsn *d, int64_t delta) {
    uint16_t port = (uint16_t)cpu->gpr[GPR_RDX];
    uint64_t v;
    if (cpu_mem_read(cpu, d->seg, cpu_string_index(cpu, d, GPR_RSI), d->opsize, &v) != SIM_OK)
        return SIM_FAULT;
    dev_io_write(cpu->io, port, d->opsize, (uint32_t)v);
    cpu_string_advance(cpu, d, GPR_RSI, delta);
    return SIM_OK;
}

/* The I/O-permission #GP, before the count; then, in VMX non-root
 * operation, the VM exit the whole instruction may cause (SDM 25.1.3),
 * which the #GP has priority over (SDM 25.1.1), before any iteration. */
static SimStatus string_io_intercept(CpuState *cpu, const DecodedInsn *d) {
    uint64_t unused = 0;
    if (cpu_io_permitted(cpu, (uint16_t)cpu->gpr[GPR_RDX], d->opsize) != SIM_OK) return SIM_FAULT;
    if (SIM_LIKELY(!cpu_vmx_nonroot(cpu))) return SIM_OK;
    return cpu_vmx_intercept(cpu, d, VMX_ICPT_IO, &unused);
}

/* SDM Vol. 2 INS: ES:(E)DI := port DX; (E)DI += or -= size by DF. */
SimStatus exec_ins(CpuState *cpu, const DecodedInsn *d) {
    SimStatus st = string_io_intercept(cpu, d);
    return st != SIM_OK ? st : cpu_string_run(cpu, d, step_ins, false);
}

/* SDM Vol. 2 OUTS: port DX := DS:(E)SI; (E)SI += or -= size by DF. */
SimStatus exec_outs(CpuState *cpu, const DecodedInsn *d) {
    SimStatus st = string_io_intercept(cpu, d);
    return st != SIM_OK ? st : cpu_string_run(cpu, d, step_outs, false);
}
