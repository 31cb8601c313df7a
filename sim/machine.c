/* Machine assembly and the run loop over CPUs. */
#include "sim/machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cpu/cpu_model.h"
#include "sim/vmx/vmx.h"
#include "sim/cpu/interp.h"
#include "sim/devices/dev_clock.h"
#include "vmxsim/boot_info.h"

static bool attach_devices(Machine *m, const MachineConfig *cfg)
{
    dev_io_bus_init(&m->io);
    dev_uart_init(&m->com1, cfg->serial_tx, cfg->serial_opaque);
    return dev_uart_attach(&m->com1, &m->io, UART_COM1_BASE) &&
           dev_debug_exit_attach(&m->debug_exit, &m->io, VMXSIM_DEBUG_EXIT_PORT, &m->signals);
}

Machine *machine_create(const MachineConfig *cfg, char *err, size_t errlen)
{
    const CpuModel *model = cfg->cpu_model ? cpu_model_find(cfg->cpu_model) : cpu_model_default();
    if (!model) {
        snprintf(err, errlen, "unknown CPU model '%s' (see --list-cpu-models)", cfg->cpu_model);
        return NULL;
    }
    Machine *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of host memory");
        return NULL;
    }
    if (!mem_init(&m->mem, cfg->mem_size)) {
        snprintf(err, errlen, "cannot allocate %llu bytes of guest RAM: %s",
                 (unsigned long long)cfg->mem_size, strerror(errno));
        free(m);
        return NULL;
    }
    if (!attach_devices(m, cfg) || !cpu_init(&m->cpu, 0, &m->mem, &m->io, &m->signals)) {
        snprintf(err, errlen, "cannot set up the machine's devices and CPU");
        mem_destroy(&m->mem);
        free(m);
        return NULL;
    }
    m->cpu.model = model;
    cpu_reset(&m->cpu); /* again: the reset signature and CPUID come from the model */
    if (!vmx_attach(&m->cpu)) {
        snprintf(err, errlen, "cannot set up the CPU's VMX state: out of memory");
        machine_destroy(m);
        return NULL;
    }
    PlatformConfig pc = {cfg->mem_size, cfg->rtc_epoch};
    if (!platform_attach(&m->pc, &m->cpu, &m->mem, &m->io, &m->com1, &pc)) {
        snprintf(err, errlen, "cannot set up the platform's devices");
        machine_destroy(m);
        return NULL;
    }
    IntrController ic = platform_intr_controller(&m->pc);
    machine_attach_intr_controller(m, &ic);
    return m;
}

void machine_destroy(Machine *m)
{
    if (!m)
        return;
    vmx_detach(&m->cpu);
    cpu_destroy(&m->cpu);
    mem_destroy(&m->mem);
    free(m);
}

/* Run the CPU; a halted CPU with an event pending is woken and runs on
 * (SDM Vol. 2 HLT), within the same instruction budget. */
static SimStatus run_cpu(Machine *m, uint64_t budget)
{
    uint64_t end = m->cpu.insns + budget;
    for (;;) {
        SimStatus st = cpu_run(&m->cpu, end - m->cpu.insns);
        if (m->signals.pending & SIGNAL_DEBUG)
            return st;
        if (st == SIM_VMEXIT && m->cpu.insns < end)
            continue; /* the CPU now runs the host: go on */
        if (st != SIM_HALT || m->cpu.insns >= end || !cpu_events_wake_pending(&m->cpu))
            return st;
    }
}

/* The instructions to run before the next device event: half the cycles
 * left to it (an instruction costs at least one cycle), so the chunks close
 * in on the event, which is raised within a few cycles of its due time
 * (docs/devices.md "Time"). */
static uint64_t run_chunk(const Machine *m, uint64_t left)
{
    uint64_t next = platform_next_event(&m->pc), now = m->cpu.cycles;
    if (next == DEV_NO_EVENT)
        return left;
    uint64_t chunk = next > now ? (next - now + 1) / 2 : 1;
    return chunk < left ? chunk : left;
}

/* A halted CPU that nothing wakes yet: time passes to the next device
 * event or CPU timer (cpu.h deadline: the VMX-preemption timer), whichever
 * comes first (SDM Vol. 2 HLT: the clock runs while halted); false when none. */
static bool idle_until_event(Machine *m)
{
    uint64_t next = platform_next_event(&m->pc);
    if (m->cpu.deadline < next)
        next = m->cpu.deadline;
    if (next == DEV_NO_EVENT)
        return false;
    if (next > m->cpu.cycles)
        m->cpu.cycles = next;
    return true;
}

/* The CPU runs in chunks that end at device events; the devices advance
 * between chunks.  A SIGNAL_CLOCK stop (a timer was reprogrammed) only ends
 * a chunk.  A halted CPU lets time pass once per wake-up, so a CPU that
 * stays halted returns SIM_HALT. */
static SimStatus run_timed(Machine *m, uint64_t budget)
{
    uint64_t end = m->cpu.insns + budget, idle_at = UINT64_MAX;
    for (;;) {
        platform_advance(&m->pc);
        m->signals.pending &= ~(uint32_t)SIGNAL_CLOCK;
        SimStatus st = run_cpu(m, run_chunk(m, end - m->cpu.insns));
        if (m->signals.pending & SIGNAL_DEBUG)
            return st;
        if (st == SIM_STOP && !(m->signals.pending & SIGNAL_STOP))
            continue;
        if ((st == SIM_OK || st == SIM_VMEXIT) && m->cpu.insns < end)
            continue;
        if (st != SIM_HALT || idle_at == m->cpu.insns || !cpu_events_may_wake(&m->cpu) ||
            !idle_until_event(m))
            return st;
        idle_at = m->cpu.insns;
    }
}

MachineStop machine_run(Machine *m, uint64_t budget)
{
    SimStatus st = run_timed(m, budget);
    bool debug = m->signals.pending & SIGNAL_DEBUG;
    m->signals.pending &= ~(uint32_t)SIGNAL_DEBUG;
    switch (st) {
    case SIM_STOP:
        if (!(m->signals.pending & SIGNAL_STOP))
            return STOP_DEBUG;
        m->signals.pending &= ~(uint32_t)SIGNAL_STOP;
        return STOP_GUEST_EXIT;
    case SIM_SHUTDOWN:
        return STOP_SHUTDOWN;
    case SIM_EXCEPTION:
        return STOP_EXCEPTION;
    case SIM_HALT:
        /* Halted: an interrupt controller that may still request an
         * interrupt (or an NMI) can wake it, so time passes (the budget
         * call ends); without one nothing ever will. */
        if (debug)
            return STOP_DEBUG;
        return cpu_events_may_wake(&m->cpu) ? STOP_BUDGET : STOP_HALTED;
    default:
        return debug ? STOP_DEBUG : STOP_BUDGET;
    }
}

int machine_exit_code(const Machine *m) { return m->signals.exit_code; }

void machine_attach_intr_controller(Machine *m, const IntrController *ic)
{
    m->cpu.ev.intc = ic ? *ic : (IntrController){0};
    m->cpu.ev.force &= ~(uint32_t)EV_INTR;
    cpu_events_sample(&m->cpu);
}

void machine_bios_setup(Machine *m) { platform_bios_setup(&m->pc); }

void machine_set_cmdline(Machine *m, const char *cmdline)
{
    dev_fw_cfg_set_cmdline(&m->pc.fw_cfg, cmdline);
}

void machine_raise_nmi(Machine *m) { cpu_events_raise_nmi(&m->cpu); }
void machine_raise_init(Machine *m) { cpu_events_raise_init(&m->cpu); }
void machine_raise_sipi(Machine *m, uint8_t vector) { cpu_events_raise_sipi(&m->cpu, vector); }
