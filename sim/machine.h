/*
 * The simulated PC: RAM, devices and CPUs, owned by one struct (no globals,
 * design.md "Architectural state is plain data").  Every front-end — the
 * command, the debugger, the tests — drives it through machine_run().
 */
#ifndef VMXSIM_MACHINE_H
#define VMXSIM_MACHINE_H

#include "sim/cpu/cpu.h"
#include "sim/devices/debug_exit.h"
#include "sim/devices/io_bus.h"
#include "sim/devices/uart16550.h"
#include "sim/mem/memory.h"
#include "sim/platform.h"

typedef struct MachineConfig {
    uint64_t mem_size;  /* bytes of RAM */
    UartTxFn serial_tx; /* COM1 output sink; NULL discards */
    void *serial_opaque;
    const char *cpu_model; /* NULL: the default model */
    unsigned cpus;         /* processors (--cpus); 0 means 1 */
    uint64_t rtc_epoch;    /* the RTC's time at cycle 0 (--rtc-epoch); 0: RTC_DEFAULT_EPOCH */
} MachineConfig;

/* Why machine_run returned. */
typedef enum MachineStop {
    STOP_BUDGET,       /* the instruction budget of this call ran out */
    STOP_GUEST_EXIT,   /* the guest wrote the debug-exit port: see exit_code */
    STOP_SHUTDOWN,     /* triple fault: the CPU entered the shutdown state */
    STOP_HALTED,       /* HLT with nothing that could ever wake the CPU (no interrupt controller,
                        * or one that can request nothing; IF = 0 and no NMI source), or
                        * wait-for-SIPI with no SIPI pending (cpu.activity tells which) */
    STOP_EXCEPTION,    /* an exception in cpu.exception_stop_mask is pending, undelivered */
    STOP_DEBUG,        /* the debugger raised SIGNAL_DEBUG (sim/debug: a VMX event it stops at) */
} MachineStop;

typedef struct Machine {
    Memory mem;
    IoBus io;
    Signals signals;
    Uart com1;
    DebugExit debug_exit;
    CpuState cpu;
    Platform pc; /* PIC, PIT, RTC, APICs, fw_cfg, PCI host (platform.h) */
} Machine;

/* Returns NULL and writes a one-line reason to err on failure. */
Machine *machine_create(const MachineConfig *cfg, char *err, size_t errlen);
void machine_destroy(Machine *m);
/* Run at most `budget` instructions. */
MachineStop machine_run(Machine *m, uint64_t budget);
/* The guest's exit status after STOP_GUEST_EXIT ((value << 1) | 1). */
int machine_exit_code(const Machine *m);
/* Wire the CPU's INTR and NMI inputs to an interrupt controller (events.h);
 * NULL detaches it.  The controller's devices raise SIGNAL_INTR in
 * m->signals when its answers change; the CPU samples them at instruction
 * boundaries (design.md: devices raise lines, never call the CPU). */
void machine_attach_intr_controller(Machine *m, const IntrController *ic);
/* Put the platform in the state a BIOS leaves (platform_bios_setup), for
 * images booted without firmware. */
void machine_bios_setup(Machine *m);
/* The kernel command line fw_cfg reports (NULL: empty); it must outlive m. */
void machine_set_cmdline(Machine *m, const char *cmdline);
/* Assert NMI from outside the controller (front-end, tests): held pending
 * until the CPU can take it (SDM 6.7.1). */
void machine_raise_nmi(Machine *m);
/* Assert INIT / send a start-up IPI to the CPU from outside (its INIT# pin,
 * another processor): taken at its next boundary (cpu_events_raise_init/sipi). */
void machine_raise_init(Machine *m);
void machine_raise_sipi(Machine *m, uint8_t vector);

#endif
