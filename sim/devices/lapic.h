/*
 * Local APIC (SDM Vol. 3A chapter 10 "Advanced Programmable Interrupt
 * Controller (APIC)"), one per CPU: the xAPIC register page at
 * IA32_APIC_BASE and the x2APIC MSRs 800H-8FFH (10.12 "Extended XAPIC
 * (x2APIC)"), the local vector table, the timer (one-shot, periodic,
 * TSC-deadline), IPIs through the ICR, and interrupt acceptance and
 * priority (10.8 "Handling Interrupts").
 *
 * The APIC is the CPU's interrupt controller: the CPU asks dev_lapic_intr()
 * and dev_lapic_acknowledge() (the machine wraps them in an IntrController)
 * after the APIC raised SIGNAL_INTR.  LINT0 is the 8259's INTR output
 * (ExtIntSource).  The APIC never calls the CPU; the CPU reaches it through
 * the machine's hooks for IA32_APIC_BASE, the x2APIC MSRs, CR8 and
 * IA32_TSC_DEADLINE.  docs/devices.md lists the choices made.
 */
#ifndef VMXSIM_DEVICES_LAPIC_H
#define VMXSIM_DEVICES_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/apic_bus.h"
#include "sim/devices/signals.h"

#define LAPIC_DEFAULT_BASE UINT64_C(0xfee00000)
#define LAPIC_PAGE_SIZE 0x1000u
#define LAPIC_NO_MMIO UINT64_MAX
/* SDM 10.4.4 "Local APIC Status and Location", Figure 10-5. */
#define APIC_BASE_BSP (UINT64_C(1) << 8)
#define APIC_BASE_EXTD (UINT64_C(1) << 10)
#define APIC_BASE_EN (UINT64_C(1) << 11)
#define APIC_BASE_ADDR_MASK UINT64_C(0x000ffffffffff000) /* bits MAXPHYADDR-1:12 */
/* The APIC timer counts the 100 MHz bus clock: 20 cycles of the 2 GHz
 * cycle clock (dev_clock.h) per tick, before the divide configuration. */
#define LAPIC_CYCLES_PER_TICK 20u
/* The x2APIC MSR range (SDM 10.12.1.2 "x2APIC Register Address Space"). */
#define X2APIC_MSR_FIRST 0x800u
#define X2APIC_MSR_LAST 0x8ffu

/* Register offsets in the xAPIC page (SDM Table 10-1 "Local APIC Register
 * Address Map"); the x2APIC MSR is 800H + offset / 16. */
enum {
    APIC_REG_ID = 0x20,
    APIC_REG_VERSION = 0x30,
    APIC_REG_TPR = 0x80,
    APIC_REG_APR = 0x90,
    APIC_REG_PPR = 0xa0,
    APIC_REG_EOI = 0xb0,
    APIC_REG_RRD = 0xc0,
    APIC_REG_LDR = 0xd0,
    APIC_REG_DFR = 0xe0,
    APIC_REG_SVR = 0xf0,
    APIC_REG_ISR = 0x100,
    APIC_REG_TMR = 0x180,
    APIC_REG_IRR = 0x200,
    APIC_REG_ESR = 0x280,
    APIC_REG_ICR_LOW = 0x300,
    APIC_REG_ICR_HIGH = 0x310,
    APIC_REG_LVT_TIMER = 0x320,
    APIC_REG_LVT_LINT0 = 0x350,
    APIC_REG_LVT_ERROR = 0x370,
    APIC_REG_TIMER_INITIAL = 0x380,
    APIC_REG_TIMER_CURRENT = 0x390,
    APIC_REG_TIMER_DIVIDE = 0x3e0,
    APIC_REG_SELF_IPI = 0x3f0, /* x2APIC only (MSR 83FH) */
};

/* Local vector table entries, in register order from 320H. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

/* SDM 10.5.1 "Local Vector Table", Figure 10-8. */
enum {
    LVT_VECTOR = 0xff,
    LVT_DELIVERY_SHIFT = 8,
    LVT_DELIVERY_STATUS = 1u << 12,
    LVT_POLARITY = 1u << 13,
    LVT_REMOTE_IRR = 1u << 14,
    LVT_LEVEL = 1u << 15,
    LVT_MASKED = 1u << 16,
    LVT_TIMER_MODE_SHIFT = 17, /* bits 18:17 */
};

enum { TIMER_ONE_SHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };

/* SDM 10.9 "Spurious Interrupt", Figure 10-23. */
enum { SVR_VECTOR = 0xff, SVR_ENABLE = 1u << 8 };

/* SDM 10.5.3 "Error Handling", Figure 10-9 (bits 0-3 exist on P6 and
 * Pentium processors only). */
enum {
    ESR_REDIRECTABLE_IPI = 1u << 4,
    ESR_SEND_ILLEGAL_VECTOR = 1u << 5,
    ESR_RECEIVE_ILLEGAL_VECTOR = 1u << 6,
    ESR_ILLEGAL_REGISTER = 1u << 7,
};

/* The 8259's INTR output and INTA cycle, wired to LINT0 (ExtINT). */
typedef struct ExtIntSource {
    void *opaque;
    bool (*intr)(void *opaque);
    int (*acknowledge)(void *opaque);
} ExtIntSource;

typedef struct LapicConfig {
    uint32_t id;       /* the (x2)APIC ID */
    bool bsp;          /* IA32_APIC_BASE.BSP */
    bool x2apic;       /* the CPU model has x2APIC mode (CPUID.01H:ECX[21]) */
    bool tsc_deadline; /* the model has TSC-deadline mode (CPUID.01H:ECX[24]) */
    const uint64_t *now;
    Signals *signals;
    ApicBus *bus;
    ExtIntSource extint;
} LapicConfig;

typedef struct Lapic {
    /* --- architectural --- */
    uint64_t base; /* IA32_APIC_BASE */
    uint32_t id;   /* x2APIC ID; the xAPIC ID is its low 8 bits */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t esr;         /* as latched by the last ESR write */
    uint32_t esr_pending; /* errors detected since that write */
    uint64_t icr;         /* xAPIC: destination in bits 63:56 */
    uint32_t lvt[LVT_COUNT];
    uint32_t timer_initial, timer_divide;
    uint64_t tsc_deadline; /* IA32_TSC_DEADLINE */
    uint32_t irr[8], isr[8], tmr[8];
    /* --- derived / bookkeeping --- */
    uint64_t timer_next; /* cycle of the next timer expiry; DEV_NO_EVENT: disarmed */
    bool nmi_pending;    /* NMI messages not yet taken by the CPU */
    bool extint_pending; /* an ExtINT message: the 8259 supplies the vector */
    bool init_pending;   /* INIT / SIPI received, not yet taken by the CPU */
    bool sipi_pending;
    uint8_t sipi_vector;
    bool has_x2apic, has_tsc_deadline;
    const uint64_t *now;
    Signals *signals;
    ApicBus *bus;
    ExtIntSource extint;
} Lapic;

/* RESET (SDM 10.12.5.1 "x2APIC States": xAPIC mode, registers initialised). */
void dev_lapic_init(Lapic *apic, const LapicConfig *cfg);
/* What a BIOS leaves (docs/devices.md "Boot state"): the APIC software-
 * enabled (SVR 1FFH), LINT0 ExtINT and LINT1 NMI unmasked: the 8259 reaches
 * the CPU through LINT0 (virtual-wire mode). */
void dev_lapic_bios_setup(Lapic *apic);

/* --- the CPU's interrupt inputs --- */
bool dev_lapic_intr(Lapic *apic);
int dev_lapic_acknowledge(Lapic *apic);
bool dev_lapic_take_nmi(Lapic *apic);
/* Take a latched INIT (true once) / start-up IPI (its vector, or -1). */
bool dev_lapic_take_init(Lapic *apic);
int dev_lapic_take_sipi(Lapic *apic);
/* The CPU performed an INIT: reset the registers (SDM 10.4.7.3). */
void dev_lapic_init_reset(Lapic *apic);
/* Could the APIC request an interrupt with no CPU action (a timer armed
 * whose LVT entry is unmasked, or the 8259 behind LINT0)? */
bool dev_lapic_may_request(const Lapic *apic);
/* Does the 8259's INTR reach the CPU through this APIC (APIC disabled,
 * LINT0 unmasked ExtINT, or an ExtINT message pending)? */
bool dev_lapic_extint_open(const Lapic *apic);

/* --- the CPU's accesses --- */
/* The xAPIC page's physical address, or LAPIC_NO_MMIO when it is not
 * decoded (APIC disabled or in x2APIC mode: SDM 10.12.1.2). */
uint64_t dev_lapic_mmio_base(const Lapic *apic);
uint64_t dev_lapic_mmio_read(void *apic, uint64_t offset, unsigned size);
void dev_lapic_mmio_write(void *apic, uint64_t offset, unsigned size, uint64_t value);
uint64_t dev_lapic_read_base(const Lapic *apic);
/* WRMSR IA32_APIC_BASE; false: #GP(0) (SDM 10.12.5 "x2APIC State Transitions"). */
bool dev_lapic_write_base(Lapic *apic, uint64_t value);
/* RDMSR/WRMSR 800H-8FFH; false: #GP(0) (SDM 10.12.1.2, 10.12.1.3). */
bool dev_lapic_msr_read(Lapic *apic, uint32_t index, uint64_t *value);
bool dev_lapic_msr_write(Lapic *apic, uint32_t index, uint64_t value);
/* CR8 (SDM 10.8.6.1 "Interaction of Task Priorities between CR8 and
 * APIC"): CR8[3:0] is TPR[7:4]. */
uint8_t dev_lapic_read_cr8(const Lapic *apic);
void dev_lapic_write_cr8(Lapic *apic, uint8_t cr8);
/* IA32_TSC_DEADLINE (SDM 10.5.4.1 "TSC-Deadline Mode"); tsc_now is the
 * TSC at the write. */
uint64_t dev_lapic_read_tsc_deadline(const Lapic *apic);
void dev_lapic_write_tsc_deadline(Lapic *apic, uint64_t value, uint64_t tsc_now);

/* --- the APIC bus --- */
bool dev_lapic_matches(const Lapic *apic, const ApicMessage *m);
void dev_lapic_accept(Lapic *apic, const ApicMessage *m);
bool dev_lapic_enabled(const Lapic *apic); /* IA32_APIC_BASE.EN */

/* --- time (dev_clock.h) --- */
uint64_t dev_lapic_next_event(const Lapic *apic);
void dev_lapic_advance(Lapic *apic);

#endif
