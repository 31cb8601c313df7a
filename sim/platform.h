/*
 * The PC platform around the CPU (docs/devices.md): the 8259 pair, the 8254
 * PIT, the RTC/CMOS, the I/O APIC, the CPU's local APIC, QEMU's fw_cfg, the
 * "Shutdown" port and the PCI host bridge, wired as on a PC: ISA IRQ n to
 * PIC input n and I/O APIC pin n (IRQ 0 on pin 2); the PIC's INTR to the
 * local APIC's LINT0; the local APIC is the CPU's interrupt controller
 * (events.h) and answers the CPU's APIC hooks (apic_hooks.h).
 *
 * Time: the machine asks platform_next_event() for the cycle of the next
 * device event and calls platform_advance() between run chunks, so that
 * events are raised at the simulated cycle they are due (docs/devices.md
 * "Time").
 */
#ifndef VMXSIM_PLATFORM_H
#define VMXSIM_PLATFORM_H

#include "sim/cpu/cpu.h"
#include "sim/devices/fw_cfg.h"
#include "sim/devices/ioapic.h"
#include "sim/devices/lapic.h"
#include "sim/devices/pci_host.h"
#include "sim/devices/pic8259.h"
#include "sim/devices/pit8254.h"
#include "sim/devices/rtc.h"
#include "sim/devices/shutdown_port.h"
#include "sim/devices/uart16550.h"

typedef struct PlatformConfig {
    uint64_t ram_size;  /* reported through fw_cfg */
    uint64_t rtc_epoch; /* the RTC's time at cycle 0 (seconds since 1970); 0: RTC_DEFAULT_EPOCH */
} PlatformConfig;

typedef struct Platform {
    PicPair pic;
    Pit pit;
    Rtc rtc;
    IoApic ioapic;
    ApicBus apic_bus;
    Lapic lapic;
    FwCfg fw_cfg;
    ShutdownPort shutdown;
    PciHost pci;
    CpuState *cpu;
    Memory *mem;
    const Uart *com1; /* its irq_level is ISA IRQ 4 */
} Platform;

/* Build the devices, claim their ports and MMIO windows, and install the
 * CPU's APIC hooks; false when a port or window is taken. */
bool platform_attach(Platform *p, CpuState *cpu, Memory *mem, IoBus *io, const Uart *com1,
                     const PlatformConfig *cfg) SIM_MUST_CHECK;
/* The interrupt controller to wire to the CPU (machine_attach_intr_controller). */
IntrController platform_intr_controller(Platform *p);
/* What a BIOS leaves for a directly booted image (docs/devices.md "Boot
 * state"): the 8259s initialised and masked, the local APIC in virtual-wire
 * mode. */
void platform_bios_setup(Platform *p);
uint64_t platform_next_event(const Platform *p);
void platform_advance(Platform *p);

#endif
