/*
 * apic-timer: the local APIC as a PC operating system or hypervisor uses it
 * on one CPU, with the state a BIOS leaves (docs/devices.md "Boot state").
 *
 * SDM Vol. 3A rules checked (chapter 10 "Advanced Programmable Interrupt
 * Controller (APIC)"):
 *   10.4.2, 10.4.4: CPUID.01H reports the APIC, x2APIC and TSC-deadline
 *     mode; IA32_APIC_BASE after RESET is FEE00000H with EN and BSP;
 *     10.4.5: the register page moves with IA32_APIC_BASE.
 *   10.5.4: one-shot and periodic timer interrupts at initial count x
 *     divide x the bus-clock period (20 cycles: docs/devices.md), the current
 *     count at 0 after a one-shot; 10.5.4.1: TSC-deadline mode interrupts
 *     when the TSC reaches IA32_TSC_DEADLINE, clears it, and ignores the
 *     initial count.
 *   10.6.1: a fixed self IPI; INIT and SIPI to all excluding self reach no
 *     one on a one-CPU machine (the guest runs on, no error logged).
 *   10.8.3.1, 10.8.6.1: MOV to CR8 sets TPR[7:4] and holds back lower
 *     classes until TPR is lowered.
 *   10.12.5.1, 10.12.1.2: xAPIC -> x2APIC; x2APIC MSRs (ID, version, SELF
 *     IPI, EOI); #GP for the DFR MSR and for x2APIC -> xAPIC; 10.4.3: with
 *     the APIC disabled CPUID.01H:EDX.APIC reads 0.
 */
#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/platform.h"
#include "lib/systest.h"

#define VEC_TIMER 0x40
#define VEC_SELF 0x41
#define VEC_SPURIOUS 0xff
#define CYCLES_PER_BUS_TICK 20u
#define LATENCY 2000u /* cycles an interrupt may take from its due time to the handler */

static volatile unsigned ticks, self_ipis, gps;
static volatile uint64_t tick_tsc[8];
static volatile int x2apic;

static void eoi(void) {
    if (x2apic)
        wrmsr(X2APIC_MSR(APIC_EOI), 0);
    else
        apic_write(APIC_EOI, 0);
}

void systest_trap(TrapFrame *f) {
    switch (f->vector) {
    case VEC_TIMER:
        if (ticks < 8) tick_tsc[ticks] = rdtsc();
        ticks++;
        eoi();
        return;
    case VEC_SELF:
        self_ipis++;
        eoi();
        return;
    case EXC_GP: /* RDMSR/WRMSR: two bytes */
        gps++;
        f->rip += 2;
        return;
    default:
        guest_printf("FAIL - unexpected vector %llu at rip 0x%llx\n", (unsigned long long)f->vector,
                     (unsigned long long)f->rip);
        guest_exit(3);
    }
}

static void wait_ticks(unsigned n) {
    while (ticks < n)
        sti_hlt_cli();
}

static void spin_cycles(uint64_t n) {
    uint64_t end = rdtsc() + n;
    while (rdtsc() < end)
        sti_nop_cli();
}

static bool within(uint64_t got, uint64_t want, uint64_t slack) {
    return got >= want && got <= want + slack;
}

static void check_identity(void) {
    GuestCpuid id = cpuid(1, 0);
    systest_true(id.edx & (1u << 9), "CPUID.01H:EDX.APIC[bit 9] = 1");
    systest_true(id.ecx & (1u << 21), "CPUID.01H:ECX.x2APIC[bit 21] = 1");
    systest_true(id.ecx & (1u << 24), "CPUID.01H:ECX.TSC-Deadline[bit 24] = 1");
    systest_eq(rdmsr(APIC_BASE_MSR), APIC_MMIO | APIC_BASE_EN | APIC_BASE_BSP,
               "IA32_APIC_BASE = FEE00900H (EN, BSP)");
    systest_eq(apic_read(APIC_VERSION), 0x00050014, "version 14H, max LVT entry 5");
    systest_eq(apic_read(APIC_SVR), 0x1ff, "SVR: software-enabled by the BIOS state");
    systest_eq(apic_read(APIC_LVT_LINT0), 0x700, "LVT LINT0: ExtINT (virtual wire)");
}

static void check_one_shot(void) {
    apic_write(APIC_TIMER_DIVIDE, 0xb); /* divide by 1 */
    apic_write(APIC_LVT_TIMER, VEC_TIMER);
    uint64_t t0 = rdtsc();
    apic_write(APIC_TIMER_INITIAL, 10000);
    wait_ticks(1);
    systest_true(within(tick_tsc[0] - t0, 10000 * CYCLES_PER_BUS_TICK, LATENCY),
                 "one-shot: interrupt 10000 bus ticks after the initial count");
    systest_eq(apic_read(APIC_TIMER_CURRENT), 0, "one-shot: current count 0 after it fired");
    spin_cycles(1000000);
    systest_eq(ticks, 1, "one-shot: no second interrupt");
}

static void check_periodic(void) {
    ticks = 0;
    apic_write(APIC_TIMER_DIVIDE, 0x3); /* divide by 16 */
    apic_write(APIC_LVT_TIMER, VEC_TIMER | 1u << 17);
    apic_write(APIC_TIMER_INITIAL, 625);
    wait_ticks(4);
    apic_write(APIC_TIMER_INITIAL, 0);
    uint64_t period = 625ull * 16 * CYCLES_PER_BUS_TICK;
    for (unsigned i = 1; i < 4; i++)
        systest_true(within(tick_tsc[i] - tick_tsc[i - 1] + LATENCY / 2, period, LATENCY),
                     "periodic: interrupt %u one period after the last", i);
    systest_eq(apic_read(APIC_TIMER_CURRENT), 0, "periodic: an initial count of 0 stops it");
}

static void check_tsc_deadline(void) {
    ticks = 0;
    apic_write(APIC_LVT_TIMER, VEC_TIMER | 2u << 17);
    apic_write(APIC_TIMER_INITIAL, 1234);
    systest_eq(apic_read(APIC_TIMER_INITIAL), 0, "TSC-deadline: the initial count is ignored");
    uint64_t deadline = rdtsc() + 300000;
    wrmsr(TSC_DEADLINE_MSR, deadline);
    systest_eq(rdmsr(TSC_DEADLINE_MSR), deadline, "TSC-deadline: IA32_TSC_DEADLINE armed");
    wait_ticks(1);
    systest_true(within(tick_tsc[0], deadline, LATENCY), "TSC-deadline: interrupt at the deadline");
    systest_eq(rdmsr(TSC_DEADLINE_MSR), 0, "TSC-deadline: IA32_TSC_DEADLINE cleared when it fired");
    apic_write(APIC_LVT_TIMER, 0x10000);
}

static void check_ipis_and_tpr(void) {
    apic_write(APIC_ICR_HIGH, 0);
    apic_write(APIC_ICR_LOW, 0x40000 | VEC_SELF); /* fixed, self */
    sti_nop_cli();
    systest_eq(self_ipis, 1, "fixed self IPI delivered");
    apic_write(APIC_ICR_LOW, 0xc4500); /* INIT, all excluding self */
    apic_write(APIC_ICR_LOW, 0xc0608); /* SIPI vector 08H, all excluding self */
    apic_write(APIC_ICR_LOW, 0xc0608);
    apic_write(APIC_ESR, 0);
    systest_eq(apic_read(APIC_ESR), 0,
               "INIT/SIPI/SIPI to all excluding self: no error, CPU runs on");
    __asm__ __volatile__("mov %0, %%cr8" : : "r"(5ull));
    systest_eq(apic_read(APIC_TPR), 0x50, "MOV CR8, 5: TPR = 50H");
    apic_write(APIC_ICR_LOW, 0x40000 | VEC_SELF);
    sti_nop_cli();
    systest_eq(self_ipis, 1, "TPR 50H holds back vector 41H");
    __asm__ __volatile__("mov %0, %%cr8" : : "r"(0ull));
    sti_nop_cli();
    systest_eq(self_ipis, 2, "CR8 = 0 lets it through");
}

static void check_x2apic(void) {
    uint64_t base = rdmsr(APIC_BASE_MSR);
    wrmsr(APIC_BASE_MSR, base | APIC_BASE_EXTD);
    x2apic = 1;
    systest_eq(rdmsr(APIC_BASE_MSR), base | APIC_BASE_EXTD, "x2APIC mode entered");
    systest_eq(rdmsr(X2APIC_MSR(APIC_ID)), 0, "x2APIC ID (MSR 802H) = 0");
    systest_eq(rdmsr(X2APIC_MSR(APIC_VERSION)), 0x00050014, "x2APIC version (MSR 803H)");
    wrmsr(0x83f, VEC_SELF); /* SELF IPI */
    sti_nop_cli();
    systest_eq(self_ipis, 3, "SELF IPI (MSR 83FH) delivered, EOI through MSR 80BH");
    (void)rdmsr(0x80e);
    systest_eq(gps, 1, "RDMSR 80EH (no DFR in x2APIC mode): #GP");
    wrmsr(APIC_BASE_MSR, base);
    systest_eq(gps, 2, "x2APIC -> xAPIC: #GP");
    wrmsr(APIC_BASE_MSR, base & ~APIC_BASE_EN);
    x2apic = 0;
    systest_eq(cpuid(1, 0).edx & (1u << 9), 0, "APIC disabled: CPUID.01H:EDX.APIC reads 0");
    wrmsr(APIC_BASE_MSR, base);
    systest_eq(rdmsr(APIC_BASE_MSR), base, "x2APIC -> disabled -> xAPIC");
    systest_eq(apic_read(APIC_SVR), 0xff, "the APIC is back at its power-up state");
}

/* SDM 10.4.5 "Relocating the Local APIC Registers". */
static void check_relocation(void) {
    uint64_t base = rdmsr(APIC_BASE_MSR);
    wrmsr(APIC_BASE_MSR, (base & ~APIC_MMIO) | 0xfed00000ull);
    systest_eq(*(volatile uint32_t *)(uintptr_t)(0xfed00000ull + APIC_VERSION), 0x00050014,
               "relocated to FED00000H: the registers answer there");
    systest_eq(apic_read(APIC_VERSION), 0xffffffff, "and FEE00000H is no longer decoded");
    wrmsr(APIC_BASE_MSR, base);
    systest_eq(apic_read(APIC_VERSION), 0x00050014, "moved back to FEE00000H");
}

int guest_main(const VmxsimBootInfo *info) {
    (void)info;
    systest_init();
    systest_load_gdt_tss();
    for (unsigned v = 0; v < 256; v++)
        systest_set_gate(v, GATE_INT, 0, 0, true);
    systest_load_idt();
    check_identity();
    check_one_shot();
    check_periodic();
    check_tsc_deadline();
    check_ipis_and_tpr();
    check_relocation();
    check_x2apic();
    return systest_finish();
}
