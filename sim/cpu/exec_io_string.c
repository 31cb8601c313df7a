/*
 * String port I/O: SDM Vol. 2 INS/INSB/INSW/INSD and OUTS/OUTSB/OUTSW/OUTSD,
 * with REP (the loop of string_repeat.h).  Each iteration checks I/O
 * permission exactly as IN/OUT do (io_permission.h, SDM Vol. 1 19.5), so a
 * REP with a zero count transfers nothing and checks nothing, as the REP
 * "Operation" runs the instruction only while the count is not zero.
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
#include "sim/cpu/write_probe.h"

static SimStatus step_ins(CpuState *cpu, const DecodedInsn *d, int64_t delta) {
    uint16_t port = (uint16_t)cpu->gpr[GPR_RDX];
    uint64_t di = cpu_string_index(cpu, d, GPR_RDI);
    if (cpu_io_permitted(cpu, port, d->opsize) != SIM_OK ||
        cpu_probe_write(cpu, SEG_ES, di, d->opsize) != SIM_OK)
        return SIM_FAULT;
    uint32_t v = dev_io_read(cpu->io, port, d->opsize);
    if (cpu_mem_write(cpu, SEG_ES, di, d->opsize, v) != SIM_OK) return SIM_FAULT;
    cpu_string_advance(cpu, d, GPR_RDI, delta);
    return SIM_OK;
}

static SimStatus step_outs(CpuState *cpu, const DecodedInsn *d, int64_t delta) {
    uint16_t port = (uint16_t)cpu->gpr[GPR_RDX];
    uint64_t v;
    if (cpu_io_permitted(cpu, port, d->opsize) != SIM_OK ||
        cpu_mem_read(cpu, d->seg, cpu_string_index(cpu, d, GPR_RSI), d->opsize, &v) != SIM_OK)
        return SIM_FAULT;
    dev_io_write(cpu->io, port, d->opsize, (uint32_t)v);
    cpu_string_advance(cpu, d, GPR_RSI, delta);
    return SIM_OK;
}

/* SDM Vol. 2 INS: ES:(E)DI := port DX; (E)DI += or -= size by DF. */
SimStatus exec_ins(CpuState *cpu, const DecodedInsn *d) {
    return cpu_string_run(cpu, d, step_ins, false);
}

/* SDM Vol. 2 OUTS: port DX := DS:(E)SI; (E)SI += or -= size by DF. */
SimStatus exec_outs(CpuState *cpu, const DecodedInsn *d) {
    return cpu_string_run(cpu, d, step_outs, false);
}
