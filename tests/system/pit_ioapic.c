/*
 * pit-ioapic: the legacy timers and interrupt routing of the PC platform
 * (docs/devices.md), with the state a BIOS leaves.
 *
 * Rules checked:
 *   8254 datasheet: counter 2 in mode 0 gated by port 61H bit 0, OUT2 in
 *     port 61H bit 5: the TSC calibrates against it to 2 GHz (the cycle
 *     clock); counter 0 in mode 2 interrupts every N input clocks.
 *   82093AA datasheet, SDM Vol. 3A 10.8.5: IRQ 0 reaches the local APIC
 *     through I/O APIC pin 2 (edge, fixed), EOI to the local APIC.
 *   8259A datasheet, SDM 10.5.1: IRQ 0 through the 8259s and LINT0 (ExtINT),
 *     EOI to the 8259.
 *   MC146818A datasheet: the RTC's date at the default epoch; periodic
 *     interrupts on IRQ 8 (I/O APIC pin 8), cleared by reading register C.
 *   QEMU fw_cfg: signature, RAM size, CPU count, command line.
 *   PCI 3.0 configuration mechanism #1: the host bridge at 00:00.0, nothing
 *     at 00:01.0.
 * With --append platform.shutdown a passing run ends through the "Shutdown"
 * port (exit status 0) instead of the debug-exit port.
 */
#include "guest/guest.h"
#include "guest/string.h"
#include "lib/desc.h"
#include "lib/platform.h"
#include "lib/systest.h"

#define VEC_IOAPIC 0x30
#define VEC_RTC 0x38
#define VEC_PIC 0x20
#define LATENCY 4000u

static volatile unsigned irqs;
static volatile uint64_t irq_tsc[8];

static void cmos_select(uint8_t reg) {
    outb(0x70, reg);
}

void systest_trap(TrapFrame *f) {
    if (irqs < 8) irq_tsc[irqs] = rdtsc();
    irqs++;
    switch (f->vector) {
    case VEC_IOAPIC:
        apic_write(APIC_EOI, 0);
        return;
    case VEC_RTC:
        cmos_select(0x0c);
        (void)inb(0x71);
        apic_write(APIC_EOI, 0);
        return;
    case VEC_PIC:
        outb(0x20, 0x20);
        return;
    default:
        guest_printf("FAIL - unexpected vector %llu at rip 0x%llx\n", (unsigned long long)f->vector,
                     (unsigned long long)f->rip);
        guest_exit(3);
    }
}

static void wait_irqs(unsigned n) {
    while (irqs < n)
        sti_hlt_cli();
}

static bool near(uint64_t got, uint64_t want, uint64_t slack) {
    return got + slack >= want && got <= want + slack;
}

/* The calibration loop of PC kernels: counter 2, mode 0, 10 ms. */
static void check_tsc_calibration(void) {
    const uint16_t count = 11932;
    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
    outb(0x43, 0xb0);
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        ;
    uint64_t hz = (rdtsc() - t0) * PIT_HZ / count;
    systest_true(near(hz, 2000000000ull, 10000000ull),
                 "TSC calibrated against PIT counter 2: 2 GHz");
    outb(0x61, inb(0x61) & ~0x01);
}

static void pit_rate(uint16_t count) {
    outb(0x43, 0x34); /* counter 0, LSB then MSB, mode 2 */
    outb(0x40, (uint8_t)count);
    outb(0x40, (uint8_t)(count >> 8));
}

static void check_intervals(const char *what, unsigned n, uint64_t period) {
    for (unsigned i = 1; i < n; i++)
        systest_true(near(irq_tsc[i] - irq_tsc[i - 1], period, LATENCY),
                     "%s: interrupt %u one period on", what, i);
}

static void check_ioapic_irq0(void) {
    systest_eq(ioapic_read(0x01), 0x00170020, "I/O APIC version 20H, 24 entries");
    systest_eq(ioapic_read(0x14), 0x10000, "I/O APIC pin 2: masked after reset");
    ioapic_write(0x15, 0);          /* destination: APIC ID 0 */
    ioapic_write(0x14, VEC_IOAPIC); /* fixed, physical, edge, active high */
    irqs = 0;
    pit_rate(1193);
    wait_irqs(4);
    ioapic_write(0x14, 0x10000 | VEC_IOAPIC);
    check_intervals("PIT -> I/O APIC pin 2", 4, 1193 * 2000000000ull / PIT_HZ);
}

static void check_pic_irq0(void) {
    outb(0x20, 0x11), outb(0x21, VEC_PIC), outb(0x21, 0x04), outb(0x21, 0x01);
    outb(0xa0, 0x11), outb(0xa1, 0x28), outb(0xa1, 0x02), outb(0xa1, 0x01);
    outb(0xa1, 0xff);
    irqs = 0;
    outb(0x21, 0xfe);
    wait_irqs(3);
    outb(0x21, 0xff);
    outb(0x43, 0x30); /* counter 0, mode 0, no count: stops */
    check_intervals("PIT -> 8259 -> LINT0", 3, 1193 * 2000000000ull / PIT_HZ);
}

static void check_rtc(void) {
    cmos_select(0x09);
    systest_eq(inb(0x71), 0x24, "RTC year (BCD) at the default epoch");
    cmos_select(0x32);
    systest_eq(inb(0x71), 0x20, "RTC century (BCD)");
    cmos_select(0x0d);
    systest_eq(inb(0x71), 0x80, "RTC register D: valid RAM and time");
    ioapic_write(0x21, 0);
    ioapic_write(0x20, VEC_RTC); /* pin 8 */
    cmos_select(0x0c);
    (void)inb(0x71); /* PF is set whatever PIE: clear it before enabling */
    irqs = 0;
    cmos_select(0x0b);
    outb(0x71, 0x42); /* PIE, 24-hour */
    wait_irqs(3);
    cmos_select(0x0b);
    outb(0x71, 0x02);
    check_intervals("RTC 1024 Hz periodic", 3, 2000000000ull / 1024);
}

static uint64_t fw_cfg_le(uint16_t key, unsigned n) {
    uint64_t v = 0;
    outw(0x510, key);
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)inb(0x511) << (8 * i);
    return v;
}

static void check_fw_cfg(const VmxsimBootInfo *info) {
    systest_eq(fw_cfg_le(0x00, 4), 0x554d4551, "fw_cfg signature \"QEMU\"");
    systest_eq(fw_cfg_le(0x03, 8), info->mem_size, "fw_cfg RAM size = --mem");
    systest_eq(fw_cfg_le(0x05, 2), 1, "fw_cfg CPU count 1");
    const char *cmdline = info->cmdline ? (const char *)(uintptr_t)info->cmdline : "";
    uint64_t size = fw_cfg_le(0x14, 4);
    systest_eq(size, strlen(cmdline) + 1, "fw_cfg command-line size");
    bool same = true;
    outw(0x510, 0x15);
    for (uint64_t i = 0; i < size; i++)
        same &= inb(0x511) == (uint8_t)cmdline[i];
    systest_true(same, "fw_cfg command line = the boot command line");
}

static uint32_t pci_read(unsigned dev, unsigned reg) {
    outl(0xcf8, 0x80000000u | dev << 11 | reg);
    return inl(0xcfc);
}

static void check_pci(void) {
    systest_eq(pci_read(0, 0), 0x12378086, "PCI 00:00.0: host bridge 8086:1237");
    systest_eq(pci_read(0, 8) >> 8, 0x060000, "PCI 00:00.0: class 060000H");
    systest_eq(pci_read(1, 0), 0xffffffff, "PCI 00:01.0: absent, all ones");
}

static bool wants_shutdown(const VmxsimBootInfo *info) {
    static const char key[] = "platform.shutdown";
    const char *s = info->cmdline ? (const char *)(uintptr_t)info->cmdline : "";
    for (; *s; s++) {
        unsigned i = 0;
        while (key[i] && s[i] == key[i])
            i++;
        if (!key[i]) return true;
    }
    return false;
}

int guest_main(const VmxsimBootInfo *info) {
    systest_init();
    systest_load_gdt_tss();
    for (unsigned v = 0; v < 256; v++)
        systest_set_gate(v, GATE_INT, 0, 0, true);
    systest_load_idt();
    check_tsc_calibration();
    check_ioapic_irq0();
    check_pic_irq0();
    check_rtc();
    check_fw_cfg(info);
    check_pci();
    int code = systest_finish();
    if (code == 0 && wants_shutdown(info)) {
        for (const char *s = "Shutdown"; *s; s++)
            outb(0x8900, (uint8_t)*s);
        return 4; /* the port did not stop the machine */
    }
    return code;
}
