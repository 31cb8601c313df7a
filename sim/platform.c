/* The PC platform: device wiring, the CPU's APIC hooks, device time (platform.h). */
#include "sim/platform.h"

#include "sim/cpu/apic_hooks.h"
#include "sim/cpu/cpu_model.h"
#include "sim/devices/dev_clock.h"

/* ---- ISA interrupt lines ---- */

/* ISA IRQ n goes to PIC input n and I/O APIC pin n, except IRQ 0 (the
 * PIT), which is on pin 2 (the MADT's interrupt source override). */
static unsigned isa_gsi(unsigned irq) {
    return irq == PIT_IRQ ? 2 : irq;
}

static void platform_isa_irq(void *opaque, unsigned irq, bool level) {
    Platform *p = opaque;
    dev_pic_set_irq(&p->pic, irq, level);
    dev_ioapic_set_irq(&p->ioapic, isa_gsi(irq), level);
}

/* Could ISA IRQ `irq` interrupt the CPU (an NMI, with nmi_only)? */
static bool platform_irq_routed(const Platform *p, unsigned irq, bool nmi_only) {
    if (dev_ioapic_routes(&p->ioapic, isa_gsi(irq), nmi_only)) return true;
    return !nmi_only && dev_pic_irq_unmasked(&p->pic, irq) && dev_lapic_extint_open(&p->lapic);
}

/* ---- the CPU's interrupt controller: the local APIC ---- */

static bool platform_intr(void *opaque) {
    return dev_lapic_intr(&((Platform *)opaque)->lapic);
}
static int platform_ack(void *opaque) {
    return dev_lapic_acknowledge(&((Platform *)opaque)->lapic);
}
static bool platform_nmi(void *opaque) {
    return dev_lapic_take_nmi(&((Platform *)opaque)->lapic);
}
static bool platform_init_signal(void *opaque) {
    return dev_lapic_take_init(&((Platform *)opaque)->lapic);
}
static int platform_sipi(void *opaque) {
    return dev_lapic_take_sipi(&((Platform *)opaque)->lapic);
}

/* A halted CPU can be woken by an armed timer whose interrupt reaches it:
 * with RFLAGS.IF = 0 only as an NMI. */
static bool platform_may_request(void *opaque) {
    const Platform *p = opaque;
    bool nmi_only = !(p->cpu->rflags & RFLAGS_IF);
    if (!nmi_only && dev_lapic_may_request(&p->lapic)) return true;
    if (dev_pit_next_event(&p->pit) != DEV_NO_EVENT && platform_irq_routed(p, PIT_IRQ, nmi_only))
        return true;
    return dev_rtc_next_event(&p->rtc) != DEV_NO_EVENT && platform_irq_routed(p, RTC_IRQ, nmi_only);
}

IntrController platform_intr_controller(Platform *p) {
    return (IntrController){p,
                            platform_intr,
                            platform_ack,
                            platform_nmi,
                            platform_may_request,
                            platform_init_signal,
                            platform_sipi};
}

/* ---- the CPU's APIC hooks ---- */

/* The xAPIC page follows IA32_APIC_BASE; it is not decoded while the APIC
 * is disabled or in x2APIC mode (SDM 10.12.1.2), nor where it would
 * overlap another device's window (docs/devices.md). */
static void platform_map_lapic(Platform *p) {
    uint64_t base = dev_lapic_mmio_base(&p->lapic);
    bool on = base != LAPIC_NO_MMIO;
    (void)mem_move_mmio(p->mem, &p->lapic, on ? base : 0, on ? LAPIC_PAGE_SIZE : 0);
}

static uint64_t apic_read_base(void *o) {
    return dev_lapic_read_base(&((Platform *)o)->lapic);
}

static bool apic_write_base(void *o, uint64_t value) {
    Platform *p = o;
    uint64_t before = dev_lapic_mmio_base(&p->lapic);
    if (!dev_lapic_write_base(&p->lapic, value)) return false;
    if (dev_lapic_mmio_base(&p->lapic) != before) platform_map_lapic(p);
    return true;
}

static bool apic_read_msr(void *o, uint32_t index, uint64_t *value) {
    return dev_lapic_msr_read(&((Platform *)o)->lapic, index, value);
}

static bool apic_write_msr(void *o, uint32_t index, uint64_t value) {
    return dev_lapic_msr_write(&((Platform *)o)->lapic, index, value);
}

static uint8_t apic_read_cr8(void *o) {
    return dev_lapic_read_cr8(&((Platform *)o)->lapic);
}
static void apic_write_cr8(void *o, uint8_t v) {
    dev_lapic_write_cr8(&((Platform *)o)->lapic, v);
}

static uint64_t apic_read_deadline(void *o) {
    return dev_lapic_read_tsc_deadline(&((Platform *)o)->lapic);
}

static void apic_write_deadline(void *o, uint64_t value, uint64_t tsc_now) {
    dev_lapic_write_tsc_deadline(&((Platform *)o)->lapic, value, tsc_now);
}

static void apic_init(void *o) {
    dev_lapic_init_reset(&((Platform *)o)->lapic);
}

static const CpuApicOps platform_apic_ops = {
    apic_read_base, apic_write_base, apic_read_msr,      apic_write_msr,
    apic_read_cr8,  apic_write_cr8,  apic_read_deadline, apic_write_deadline,
    apic_init,
};

/* ---- assembly ---- */

static bool pic_extint_intr(void *o) {
    return dev_pic_intr(o);
}
static int pic_extint_ack(void *o) {
    return dev_pic_acknowledge(o);
}

static const MmioOps lapic_mmio = {dev_lapic_mmio_read, dev_lapic_mmio_write};
static const MmioOps ioapic_mmio = {dev_ioapic_mmio_read, dev_ioapic_mmio_write};

static void platform_init_apics(Platform *p, CpuState *cpu) {
    dev_apic_bus_init(&p->apic_bus);
    dev_ioapic_init(&p->ioapic, &p->apic_bus, 0);
    p->apic_bus.ioapic = &p->ioapic;
    LapicConfig lc = {.id = cpu->id,
                      .bsp = cpu->id == 0,
                      .x2apic = cpu_model_has(cpu->model, FEAT_X2APIC),
                      .tsc_deadline = cpu_model_has(cpu->model, FEAT_TSC_DEADLINE),
                      .now = &cpu->cycles,
                      .signals = cpu->signals,
                      .bus = &p->apic_bus,
                      .extint = {&p->pic, pic_extint_intr, pic_extint_ack}};
    dev_lapic_init(&p->lapic, &lc);
}

static void platform_init(Platform *p, CpuState *cpu, const PlatformConfig *cfg) {
    IrqLine irq0 = {platform_isa_irq, p, PIT_IRQ}, irq8 = {platform_isa_irq, p, RTC_IRQ};
    dev_pic_init(&p->pic, cpu->signals);
    platform_init_apics(p, cpu);
    dev_pit_init(&p->pit, &cpu->cycles, irq0, cpu->signals);
    dev_rtc_init(&p->rtc, cfg->rtc_epoch ? cfg->rtc_epoch : RTC_DEFAULT_EPOCH, &cpu->cycles, irq8,
                 cpu->signals);
    dev_fw_cfg_init(&p->fw_cfg, cfg->ram_size, 1);
    dev_pci_host_init(&p->pci);
}

bool platform_attach(Platform *p, CpuState *cpu, Memory *mem, IoBus *io, const Uart *com1,
                     const PlatformConfig *cfg) {
    *p = (Platform){.cpu = cpu, .mem = mem, .com1 = com1};
    platform_init(p, cpu, cfg);
    if (!dev_pic_attach(&p->pic, io) || !dev_pit_attach(&p->pit, io) ||
        !dev_rtc_attach(&p->rtc, io) || !dev_fw_cfg_attach(&p->fw_cfg, io) ||
        !dev_shutdown_port_attach(&p->shutdown, io, cpu->signals) ||
        !dev_pci_host_attach(&p->pci, io) || !dev_apic_bus_add_cpu(&p->apic_bus, &p->lapic) ||
        !mem_add_mmio(mem, IOAPIC_DEFAULT_BASE, IOAPIC_MMIO_SIZE, &ioapic_mmio, &p->ioapic) ||
        !mem_add_mmio(mem, LAPIC_DEFAULT_BASE, LAPIC_PAGE_SIZE, &lapic_mmio, &p->lapic))
        return false;
    cpu->apic_ops = &platform_apic_ops;
    cpu->apic = p;
    platform_advance(p); /* the lines start at the devices' output levels */
    return true;
}

void platform_bios_setup(Platform *p) {
    dev_pic_bios_setup(&p->pic);
    dev_lapic_bios_setup(&p->lapic);
}

/* ---- time ---- */

static uint64_t earliest(uint64_t a, uint64_t b) {
    return a < b ? a : b;
}

uint64_t platform_next_event(const Platform *p) {
    uint64_t next = earliest(dev_pit_next_event(&p->pit), dev_rtc_next_event(&p->rtc));
    return earliest(next, dev_lapic_next_event(&p->lapic));
}

/* The UART has no clock; its interrupt output is sampled here. */
void platform_advance(Platform *p) {
    dev_pit_advance(&p->pit);
    dev_rtc_advance(&p->rtc);
    dev_lapic_advance(&p->lapic);
    platform_isa_irq(p, UART_COM1_IRQ, p->com1->irq_level);
}
