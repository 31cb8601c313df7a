/* Unit tests for the local APIC (sim/devices/lapic*.c) and the APIC bus,
 * driven through the xAPIC page, the x2APIC MSR interface and the
 * IA32_APIC_BASE hook with a virtual clock and a fake 8259. */
#include "check_main.h"

#include "sim/devices/dev_clock.h"
#include "sim/devices/lapic.h"

typedef struct FakePic {
    bool intr;
    int vector;
    unsigned acks;
} FakePic;

static bool fake_intr(void *o) {
    return ((FakePic *)o)->intr;
}
static int fake_ack(void *o) {
    FakePic *p = o;
    p->acks++;
    return p->vector;
}

typedef struct Rig {
    ApicBus bus;
    Lapic apic;
    Signals signals;
    uint64_t now;
    FakePic pic;
} Rig;

static void rig_init(Rig *r) {
    *r = (Rig){.now = 1000};
    dev_apic_bus_init(&r->bus);
    LapicConfig cfg = {.id = 0,
                       .bsp = true,
                       .x2apic = true,
                       .tsc_deadline = true,
                       .now = &r->now,
                       .signals = &r->signals,
                       .bus = &r->bus,
                       .extint = {&r->pic, fake_intr, fake_ack}};
    dev_lapic_init(&r->apic, &cfg);
    ck_assert(dev_apic_bus_add_cpu(&r->bus, &r->apic));
}

static uint32_t rd(Rig *r, unsigned reg) {
    return (uint32_t)dev_lapic_mmio_read(&r->apic, reg, 4);
}
static void wr(Rig *r, unsigned reg, uint32_t v) {
    dev_lapic_mmio_write(&r->apic, reg, 4, v);
}
static void enable(Rig *r) {
    wr(r, APIC_REG_SVR, SVR_ENABLE | 0xff);
}
static void self_ipi(Rig *r, uint8_t vector) {
    wr(r, APIC_REG_ICR_LOW, 0x40000u | vector);
}
static uint32_t esr(Rig *r) {
    wr(r, APIC_REG_ESR, 0);
    return rd(r, APIC_REG_ESR);
}
static bool bit256(Rig *r, unsigned base, unsigned v) {
    return (rd(r, base + (v >> 5) * 16) >> (v & 31)) & 1;
}
static void to_x2apic(Rig *r) {
    ck_assert(dev_lapic_write_base(&r->apic, LAPIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD));
}

/* ---- reset state (SDM 10.12.5.1) ---- */

START_TEST(test_lapic_reset_state) {
    Rig r;
    rig_init(&r);
    ck_assert_uint_eq(dev_lapic_read_base(&r.apic), 0xfee00900);
    ck_assert_uint_eq(dev_lapic_mmio_base(&r.apic), 0xfee00000);
    ck_assert_uint_eq(rd(&r, APIC_REG_VERSION), 0x00050014);
    ck_assert_uint_eq(rd(&r, APIC_REG_SVR), 0xff);
    ck_assert_uint_eq(rd(&r, APIC_REG_DFR), 0xffffffff);
    for (unsigned i = 0; i < LVT_COUNT; i++)
        ck_assert_uint_eq(rd(&r, APIC_REG_LVT_TIMER + 16 * i), LVT_MASKED);
    ck_assert_uint_eq(rd(&r, APIC_REG_TPR) | rd(&r, APIC_REG_PPR) | rd(&r, APIC_REG_ID), 0);
    ck_assert(!dev_lapic_intr(&r.apic));
}
END_TEST

/* ---- acceptance, priority, EOI (SDM 10.8) ---- */

START_TEST(test_lapic_fixed_ipi_ack_and_eoi) {
    Rig r;
    rig_init(&r);
    enable(&r);
    r.signals.pending = 0;
    self_ipi(&r, 0x41);
    ck_assert(r.signals.pending & SIGNAL_INTR);
    ck_assert(bit256(&r, APIC_REG_IRR, 0x41));
    ck_assert(!bit256(&r, APIC_REG_TMR, 0x41));
    ck_assert(dev_lapic_intr(&r.apic));
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x41);
    ck_assert(!bit256(&r, APIC_REG_IRR, 0x41));
    ck_assert(bit256(&r, APIC_REG_ISR, 0x41));
    ck_assert_uint_eq(rd(&r, APIC_REG_PPR), 0x40);
    ck_assert(!dev_lapic_intr(&r.apic));
    wr(&r, APIC_REG_EOI, 0);
    ck_assert(!bit256(&r, APIC_REG_ISR, 0x41));
    ck_assert_uint_eq(rd(&r, APIC_REG_PPR), 0);
}
END_TEST

/* PPR = max(TPR, ISRV class); only IRRV[7:4] > PPR[7:4] is dispensed. */
START_TEST(test_lapic_priority_classes) {
    Rig r;
    rig_init(&r);
    enable(&r);
    wr(&r, APIC_REG_TPR, 0x52);
    ck_assert_uint_eq(rd(&r, APIC_REG_PPR), 0x52);
    self_ipi(&r, 0x5f);
    ck_assert(!dev_lapic_intr(&r.apic)); /* class 5 is not above TPR class 5 */
    self_ipi(&r, 0x61);
    self_ipi(&r, 0x90);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x90);
    ck_assert_uint_eq(rd(&r, APIC_REG_PPR), 0x90);
    ck_assert(!dev_lapic_intr(&r.apic)); /* 0x61 waits */
    self_ipi(&r, 0x95);
    ck_assert(!dev_lapic_intr(&r.apic)); /* same class as the one in service */
    self_ipi(&r, 0xa0);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0xa0); /* nests */
    wr(&r, APIC_REG_EOI, 0);                                /* 0xa0 */
    wr(&r, APIC_REG_EOI, 0);                                /* 0x90 */
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x95);
    wr(&r, APIC_REG_EOI, 0);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x61);
    wr(&r, APIC_REG_TPR, 0);
    wr(&r, APIC_REG_EOI, 0);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x5f);
}
END_TEST

/* SDM 10.8.4: one request in IRR and one in ISR per vector; more collapse. */
START_TEST(test_lapic_irr_and_isr_queue_one_each) {
    Rig r;
    rig_init(&r);
    enable(&r);
    self_ipi(&r, 0x50);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x50);
    self_ipi(&r, 0x50);
    self_ipi(&r, 0x50);
    ck_assert(bit256(&r, APIC_REG_IRR, 0x50) && bit256(&r, APIC_REG_ISR, 0x50));
    wr(&r, APIC_REG_EOI, 0);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x50);
    wr(&r, APIC_REG_EOI, 0);
    ck_assert(!dev_lapic_intr(&r.apic));
}
END_TEST

/* SDM 10.9: the request was masked (TPR) after INTR was sampled. */
START_TEST(test_lapic_spurious_vector_when_masked_before_ack) {
    Rig r;
    rig_init(&r);
    wr(&r, APIC_REG_SVR, SVR_ENABLE | 0xef);
    self_ipi(&r, 0x30);
    ck_assert(dev_lapic_intr(&r.apic));
    wr(&r, APIC_REG_TPR, 0xf0);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0xef);
    ck_assert(!bit256(&r, APIC_REG_ISR, 0xef));
    ck_assert(bit256(&r, APIC_REG_IRR, 0x30));
}
END_TEST

/* ---- errors (SDM 10.5.3) ---- */

START_TEST(test_lapic_illegal_vectors_and_registers) {
    Rig r;
    rig_init(&r);
    enable(&r);
    ck_assert_uint_eq(esr(&r), 0);
    self_ipi(&r, 0x05);
    ck_assert_uint_eq(esr(&r), ESR_SEND_ILLEGAL_VECTOR);
    ck_assert(!dev_lapic_intr(&r.apic));
    ck_assert_uint_eq(esr(&r), 0); /* the write clears what it latched */
    wr(&r, APIC_REG_LVT_ERROR, 0xe0);
    (void)rd(&r, 0x40); /* reserved */
    ck_assert_uint_eq(esr(&r), ESR_ILLEGAL_REGISTER);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0xe0); /* the error interrupt */
    wr(&r, APIC_REG_EOI, 0);
    wr(&r, APIC_REG_LVT_TIMER, 0x03); /* an LVT entry with an illegal vector */
    wr(&r, APIC_REG_TIMER_DIVIDE, 0xb);
    wr(&r, APIC_REG_TIMER_INITIAL, 1);
    r.now += LAPIC_CYCLES_PER_TICK;
    dev_lapic_advance(&r.apic);
    ck_assert_uint_eq(esr(&r), ESR_RECEIVE_ILLEGAL_VECTOR);
}
END_TEST

/* ---- software disable (SDM 10.4.7.2) ---- */

START_TEST(test_lapic_software_disabled_masks_lvt_drops_fixed) {
    Rig r;
    rig_init(&r);
    wr(&r, APIC_REG_LVT_LINT0, 0x700);
    ck_assert_uint_eq(rd(&r, APIC_REG_LVT_LINT0), LVT_MASKED | 0x700);
    enable(&r);
    wr(&r, APIC_REG_LVT_LINT0, 0x700);
    ck_assert_uint_eq(rd(&r, APIC_REG_LVT_LINT0), 0x700);
    wr(&r, APIC_REG_SVR, 0xff);
    ck_assert_uint_eq(rd(&r, APIC_REG_LVT_LINT0), LVT_MASKED | 0x700);
    self_ipi(&r, 0x40);
    ck_assert(!dev_lapic_intr(&r.apic));
    wr(&r, APIC_REG_ICR_LOW, 0x40400); /* NMI, self: invalid combination, not sent */
    ck_assert(!dev_lapic_take_nmi(&r.apic));
    wr(&r, APIC_REG_ICR_HIGH, 0);
    wr(&r, APIC_REG_ICR_LOW, 0x400); /* NMI to APIC ID 0 */
    ck_assert(dev_lapic_take_nmi(&r.apic));
    ck_assert(!dev_lapic_take_nmi(&r.apic));
}
END_TEST

/* ---- the 8259 behind LINT0 ---- */

START_TEST(test_lapic_extint_through_lint0_and_when_disabled) {
    Rig r;
    rig_init(&r);
    r.pic.intr = true;
    r.pic.vector = 0x20;
    ck_assert(!dev_lapic_intr(&r.apic)); /* RESET: LINT0 masked */
    dev_lapic_bios_setup(&r.apic);
    ck_assert(dev_lapic_intr(&r.apic));
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x20);
    ck_assert_uint_eq(r.pic.acks, 1);
    self_ipi(&r, 0x80);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x80);       /* the APIC's own first */
    ck_assert(dev_lapic_write_base(&r.apic, LAPIC_DEFAULT_BASE)); /* EN = 0 */
    ck_assert(dev_lapic_intr(&r.apic));
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x20);
    r.pic.intr = false;
    ck_assert(!dev_lapic_intr(&r.apic));
}
END_TEST

/* ---- the timer (SDM 10.5.4) ---- */

START_TEST(test_lapic_timer_one_shot) {
    Rig r;
    rig_init(&r);
    enable(&r);
    wr(&r, APIC_REG_TIMER_DIVIDE, 0x3); /* divide by 16 */
    wr(&r, APIC_REG_LVT_TIMER, 0x30);
    r.signals.pending = 0;
    wr(&r, APIC_REG_TIMER_INITIAL, 100);
    ck_assert(r.signals.pending & SIGNAL_CLOCK);
    uint64_t due = 1000 + 100 * 16 * LAPIC_CYCLES_PER_TICK;
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), due);
    ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_CURRENT), 100);
    r.now += 16 * LAPIC_CYCLES_PER_TICK * 40;
    ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_CURRENT), 60);
    r.now = due - 1;
    dev_lapic_advance(&r.apic);
    ck_assert(!dev_lapic_intr(&r.apic));
    ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_CURRENT), 1);
    r.now = due;
    dev_lapic_advance(&r.apic);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x30);
    ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_CURRENT), 0);
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), DEV_NO_EVENT);
}
END_TEST

START_TEST(test_lapic_timer_periodic_and_divide_change) {
    Rig r;
    rig_init(&r);
    enable(&r);
    wr(&r, APIC_REG_TIMER_DIVIDE, 0xb); /* divide by 1 */
    wr(&r, APIC_REG_LVT_TIMER, 0x20031);
    wr(&r, APIC_REG_TIMER_INITIAL, 50);
    uint64_t period = 50 * LAPIC_CYCLES_PER_TICK;
    for (unsigned k = 1; k <= 3; k++) {
        r.now = dev_lapic_next_event(&r.apic);
        ck_assert_uint_eq(r.now, 1000 + k * period);
        dev_lapic_advance(&r.apic);
        ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x31);
        wr(&r, APIC_REG_EOI, 0);
        ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_CURRENT), 50);
    }
    r.now += 10 * period + 10 * LAPIC_CYCLES_PER_TICK; /* ten periods missed: one interrupt */
    ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_CURRENT), 40);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x31);
    wr(&r, APIC_REG_EOI, 0);
    ck_assert(!dev_lapic_intr(&r.apic));
    wr(&r, APIC_REG_TIMER_DIVIDE, 0x0); /* divide by 2: the 40 left take twice as long */
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), r.now + 40 * 2 * LAPIC_CYCLES_PER_TICK);
    wr(&r, APIC_REG_TIMER_INITIAL, 0); /* stops */
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), DEV_NO_EVENT);
}
END_TEST

START_TEST(test_lapic_timer_masked_counts_silently) {
    Rig r;
    rig_init(&r);
    enable(&r);
    wr(&r, APIC_REG_TIMER_DIVIDE, 0xb);
    wr(&r, APIC_REG_LVT_TIMER, LVT_MASKED | 0x20040);
    wr(&r, APIC_REG_TIMER_INITIAL, 10);
    ck_assert(!dev_lapic_may_request(&r.apic));
    r.now += 10 * LAPIC_CYCLES_PER_TICK;
    dev_lapic_advance(&r.apic);
    ck_assert(!dev_lapic_intr(&r.apic));
    ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_CURRENT), 10); /* reloaded */
}
END_TEST

/* SDM 10.5.4.1 "TSC-Deadline Mode". */
START_TEST(test_lapic_tsc_deadline_mode) {
    Rig r;
    rig_init(&r);
    enable(&r);
    dev_lapic_write_tsc_deadline(&r.apic, 5000, 1000); /* one-shot mode: ignored */
    ck_assert_uint_eq(dev_lapic_read_tsc_deadline(&r.apic), 0);
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), DEV_NO_EVENT);
    wr(&r, APIC_REG_LVT_TIMER, 0x40050);
    wr(&r, APIC_REG_TIMER_INITIAL, 77); /* ignored in TSC-deadline mode */
    ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_INITIAL), 0);
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), DEV_NO_EVENT);
    /* TSC = cycles + 500 here: deadline 6500 is cycle 6000. */
    dev_lapic_write_tsc_deadline(&r.apic, 6500, 1500);
    ck_assert_uint_eq(dev_lapic_read_tsc_deadline(&r.apic), 6500);
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), 6000);
    ck_assert_uint_eq(rd(&r, APIC_REG_TIMER_CURRENT), 0);
    r.now = 6000;
    dev_lapic_advance(&r.apic);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x50);
    ck_assert_uint_eq(dev_lapic_read_tsc_deadline(&r.apic), 0);
    dev_lapic_write_tsc_deadline(&r.apic, 10, 6500); /* already passed: at once */
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), 6000);
    wr(&r, APIC_REG_LVT_TIMER, 0x50); /* to one-shot: disarms */
    ck_assert_uint_eq(dev_lapic_next_event(&r.apic), DEV_NO_EVENT);
    wr(&r, APIC_REG_LVT_TIMER, 0x40050);
    ck_assert_uint_eq(dev_lapic_read_tsc_deadline(&r.apic), 0);
}
END_TEST

/* ---- IA32_APIC_BASE and x2APIC (SDM 10.12.5) ---- */

START_TEST(test_lapic_x2apic_state_transitions) {
    Rig r;
    rig_init(&r);
    uint64_t base = LAPIC_DEFAULT_BASE;
    ck_assert(!dev_lapic_write_base(&r.apic, base | APIC_BASE_EXTD));       /* invalid state */
    ck_assert(!dev_lapic_write_base(&r.apic, base | APIC_BASE_EN | 0x200)); /* reserved bit 9 */
    to_x2apic(&r);
    ck_assert_uint_eq(dev_lapic_read_base(&r.apic), 0xfee00d00);
    ck_assert_uint_eq(dev_lapic_mmio_base(&r.apic), LAPIC_NO_MMIO);
    ck_assert(!dev_lapic_write_base(&r.apic, base | APIC_BASE_EN)); /* x2APIC -> xAPIC */
    ck_assert(dev_lapic_write_base(&r.apic, base));                 /* -> disabled */
    ck_assert_uint_eq(dev_lapic_mmio_base(&r.apic), LAPIC_NO_MMIO);
    ck_assert(!dev_lapic_write_base(&r.apic, base | APIC_BASE_EN | APIC_BASE_EXTD));
    ck_assert(dev_lapic_write_base(&r.apic, base | APIC_BASE_EN));       /* -> xAPIC */
    ck_assert(dev_lapic_write_base(&r.apic, 0xfed00000 | APIC_BASE_EN)); /* relocate; BSP stays */
    ck_assert_uint_eq(dev_lapic_read_base(&r.apic), 0xfed00900);
    ck_assert_uint_eq(dev_lapic_mmio_base(&r.apic), 0xfed00000);
}
END_TEST

START_TEST(test_lapic_x2apic_needs_feature) {
    Rig r;
    rig_init(&r);
    r.apic.has_x2apic = false;
    ck_assert(!dev_lapic_write_base(&r.apic, LAPIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD));
}
END_TEST

START_TEST(test_lapic_disable_resets_registers) {
    Rig r;
    rig_init(&r);
    enable(&r);
    wr(&r, APIC_REG_TPR, 0x30);
    self_ipi(&r, 0x44);
    ck_assert(dev_lapic_write_base(&r.apic, LAPIC_DEFAULT_BASE));
    ck_assert(dev_lapic_write_base(&r.apic, LAPIC_DEFAULT_BASE | APIC_BASE_EN));
    ck_assert_uint_eq(rd(&r, APIC_REG_SVR), 0xff);
    ck_assert_uint_eq(rd(&r, APIC_REG_TPR), 0);
    ck_assert(!bit256(&r, APIC_REG_IRR, 0x44));
}
END_TEST

/* SDM 10.12.1.2 / Table 10-6: which MSRs exist and how they may be used. */
START_TEST(test_lapic_x2apic_msr_gp_rules) {
    Rig r;
    uint64_t v;
    rig_init(&r);
    r.apic.id = 0x35;
    ck_assert(!dev_lapic_msr_read(&r.apic, 0x802, &v)); /* xAPIC mode */
    to_x2apic(&r);
    ck_assert(dev_lapic_msr_read(&r.apic, 0x802, &v));
    ck_assert_uint_eq(v, 0x35);
    ck_assert(dev_lapic_msr_read(&r.apic, 0x80d, &v));
    ck_assert_uint_eq(v, 0x00030020); /* cluster 3, bit 5 */
    ck_assert(dev_lapic_msr_read(&r.apic, 0x803, &v));
    ck_assert_uint_eq(v, 0x00050014);
    ck_assert(!dev_lapic_msr_write(&r.apic, 0x802, 0)); /* read-only */
    ck_assert(!dev_lapic_msr_write(&r.apic, 0x80d, 0)); /* LDR read-only in x2APIC mode */
    ck_assert(!dev_lapic_msr_read(&r.apic, 0x80b, &v)); /* EOI write-only */
    ck_assert(!dev_lapic_msr_read(&r.apic, 0x83f, &v)); /* SELF IPI write-only */
    ck_assert(!dev_lapic_msr_read(&r.apic, 0x80e, &v)); /* no DFR */
    ck_assert(!dev_lapic_msr_read(&r.apic, 0x831, &v)); /* no ICR high */
    ck_assert(!dev_lapic_msr_read(&r.apic, 0x809, &v)); /* no APR */
    ck_assert(!dev_lapic_msr_read(&r.apic, 0x82f, &v)); /* no CMCI */
    ck_assert(!dev_lapic_msr_read(&r.apic, 0x8ff, &v));
    ck_assert(!dev_lapic_msr_write(&r.apic, 0x80b, 1));     /* EOI: nonzero */
    ck_assert(!dev_lapic_msr_write(&r.apic, 0x828, 1));     /* ESR: nonzero */
    ck_assert(!dev_lapic_msr_write(&r.apic, 0x808, 0x100)); /* TPR reserved bits */
    ck_assert(!dev_lapic_msr_write(&r.apic, 0x80f, UINT64_C(1) << 32));
    ck_assert(!dev_lapic_msr_write(&r.apic, 0x83e, 0x4));    /* divide bit 2 */
    ck_assert(!dev_lapic_msr_write(&r.apic, 0x830, 0x1000)); /* ICR delivery status */
    ck_assert(dev_lapic_msr_write(&r.apic, 0x808, 0x20));
    ck_assert_uint_eq(dev_lapic_read_cr8(&r.apic), 2);
    ck_assert(dev_lapic_msr_write(&r.apic, 0x80b, 0));
    ck_assert(dev_lapic_msr_write(&r.apic, 0x828, 0));
}
END_TEST

START_TEST(test_lapic_x2apic_icr_and_self_ipi) {
    Rig r;
    uint64_t v;
    rig_init(&r);
    r.apic.id = 0x100; /* beyond 8 bits: only x2APIC reaches it */
    to_x2apic(&r);
    ck_assert(dev_lapic_msr_write(&r.apic, 0x80f, SVR_ENABLE | 0xff));
    ck_assert(dev_lapic_msr_write(&r.apic, 0x830, UINT64_C(0x100) << 32 | 0x61));
    ck_assert(dev_lapic_msr_read(&r.apic, 0x830, &v));
    ck_assert_uint_eq(v, UINT64_C(0x100) << 32 | 0x61);
    ck_assert(dev_lapic_msr_write(&r.apic, 0x83f, 0x62));
    ck_assert(dev_lapic_msr_read(&r.apic, 0x820 + 3, &v)); /* IRR bits 127:96 */
    ck_assert_uint_eq(v, 0x6);
    ck_assert_int_eq(dev_lapic_acknowledge(&r.apic), 0x62);
    ck_assert(dev_lapic_msr_write(&r.apic, 0x83f, 0x07));
    ck_assert(dev_lapic_msr_write(&r.apic, 0x828, 0));
    ck_assert(dev_lapic_msr_read(&r.apic, 0x828, &v));
    ck_assert_uint_eq(v, ESR_RECEIVE_ILLEGAL_VECTOR);
    ck_assert(dev_lapic_msr_write(&r.apic, 0x830, UINT64_C(0x101) << 32 | 0x61 | 0x800));
}
END_TEST

/* ---- destinations and IPIs (SDM 10.6) ---- */

START_TEST(test_lapic_logical_destinations) {
    Rig r;
    rig_init(&r);
    enable(&r);
    ApicMessage m = {.vector = 0x70, .logical = true};
    wr(&r, APIC_REG_LDR, 0x04000000);
    m.dest = 0x06;
    ck_assert(dev_lapic_matches(&r.apic, &m)); /* flat: 0x06 & 0x04 */
    m.dest = 0x08;
    ck_assert(!dev_lapic_matches(&r.apic, &m));
    wr(&r, APIC_REG_DFR, 0x0fffffff); /* cluster model */
    wr(&r, APIC_REG_LDR, 0x21000000); /* cluster 2, member bit 0 */
    m.dest = 0x21;
    ck_assert(dev_lapic_matches(&r.apic, &m));
    m.dest = 0x11;
    ck_assert(!dev_lapic_matches(&r.apic, &m));
    m.dest = 0xff;
    ck_assert(dev_lapic_matches(&r.apic, &m));
    m = (ApicMessage){.dest = 0x00};
    ck_assert(dev_lapic_matches(&r.apic, &m)); /* physical: APIC ID 0 */
}
END_TEST

/* With one CPU: INIT to all-but-self reaches nobody; INIT with the self
 * shorthand is an invalid combination (Table 10-3) and is not sent; INIT
 * level de-assert has no effect. */
START_TEST(test_lapic_init_sipi_with_one_cpu_do_nothing) {
    Rig r;
    rig_init(&r);
    enable(&r);
    wr(&r, APIC_REG_ICR_LOW, 0xc4500); /* INIT, assert, all excluding self */
    wr(&r, APIC_REG_ICR_LOW, 0xc0608); /* SIPI vector 8, all excluding self */
    wr(&r, APIC_REG_ICR_LOW, 0x44500); /* INIT to self: invalid */
    wr(&r, APIC_REG_ICR_LOW, 0x8500);  /* INIT level de-assert to ID 0 */
    ck_assert(!r.apic.init_pending && !r.apic.sipi_pending);
    ck_assert_uint_eq(esr(&r), 0);
    wr(&r, APIC_REG_ICR_LOW, 0x4500); /* INIT to ID 0: latched */
    ck_assert(r.apic.init_pending);
    ck_assert_uint_eq(rd(&r, APIC_REG_ICR_LOW) & LVT_DELIVERY_STATUS, 0);
}
END_TEST

START_TEST(test_lapic_cr8_is_tpr_high_nibble) {
    Rig r;
    rig_init(&r);
    dev_lapic_write_cr8(&r.apic, 0xa);
    ck_assert_uint_eq(rd(&r, APIC_REG_TPR), 0xa0);
    wr(&r, APIC_REG_TPR, 0x7f);
    ck_assert_uint_eq(dev_lapic_read_cr8(&r.apic), 7);
}
END_TEST

START_TEST(test_lapic_narrow_and_wide_accesses) {
    Rig r;
    rig_init(&r);
    wr(&r, APIC_REG_TPR, 0x5a);
    ck_assert_uint_eq(dev_lapic_mmio_read(&r.apic, APIC_REG_TPR, 1), 0x5a);
    ck_assert_uint_eq(dev_lapic_mmio_read(&r.apic, APIC_REG_VERSION + 2, 1), 0x05);
    ck_assert_uint_eq(dev_lapic_mmio_read(&r.apic, APIC_REG_TPR + 4, 4), 0);
    ck_assert_uint_eq(dev_lapic_mmio_read(&r.apic, APIC_REG_VERSION, 8), 0x00050014);
}
END_TEST

static Suite *lapic_suite(void) {
    Suite *s = suite_create("lapic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_lapic_reset_state);
    tcase_add_test(tc, test_lapic_fixed_ipi_ack_and_eoi);
    tcase_add_test(tc, test_lapic_priority_classes);
    tcase_add_test(tc, test_lapic_irr_and_isr_queue_one_each);
    tcase_add_test(tc, test_lapic_spurious_vector_when_masked_before_ack);
    tcase_add_test(tc, test_lapic_illegal_vectors_and_registers);
    tcase_add_test(tc, test_lapic_software_disabled_masks_lvt_drops_fixed);
    tcase_add_test(tc, test_lapic_extint_through_lint0_and_when_disabled);
    tcase_add_test(tc, test_lapic_timer_one_shot);
    tcase_add_test(tc, test_lapic_timer_periodic_and_divide_change);
    tcase_add_test(tc, test_lapic_timer_masked_counts_silently);
    tcase_add_test(tc, test_lapic_tsc_deadline_mode);
    tcase_add_test(tc, test_lapic_x2apic_state_transitions);
    tcase_add_test(tc, test_lapic_x2apic_needs_feature);
    tcase_add_test(tc, test_lapic_disable_resets_registers);
    tcase_add_test(tc, test_lapic_x2apic_msr_gp_rules);
    tcase_add_test(tc, test_lapic_x2apic_icr_and_self_ipi);
    tcase_add_test(tc, test_lapic_logical_destinations);
    tcase_add_test(tc, test_lapic_init_sipi_with_one_cpu_do_nothing);
    tcase_add_test(tc, test_lapic_cr8_is_tpr_high_nibble);
    tcase_add_test(tc, test_lapic_narrow_and_wide_accesses);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(lapic_suite)
