/*
 * Local APIC timer (SDM 10.5.4 "APIC Timer", 10.5.4.1 "TSC-Deadline
 * Mode").  One-shot and periodic modes count the bus clock divided by the
 * divide configuration; the state is the cycle of the next expiry
 * (timer_next), from which the current count follows.  TSC-deadline mode
 * arms timer_next from IA32_TSC_DEADLINE.
 */
#include "sim/devices/dev_clock.h"
#include "sim/devices/lapic_internal.h"

/* Figure 10-10 "Divide Configuration Register": bits 3, 1:0 = 000 -> 2,
 * 001 -> 4, ... 110 -> 128, 111 -> 1. */
static uint64_t lapic_timer_tick_cycles(const Lapic *a) {
    unsigned code = (a->timer_divide & 3) | ((a->timer_divide >> 1) & 4);
    return (uint64_t)(code == 7 ? 1 : 2u << code) * LAPIC_CYCLES_PER_TICK;
}

/* LVT timer bits 18:17 (Figure 10-8); the reserved value 11b counts as one-shot. */
static unsigned lapic_timer_mode(const Lapic *a) {
    unsigned mode = (a->lvt[LVT_TIMER] >> LVT_TIMER_MODE_SHIFT) & 3;
    return mode == 3 ? TIMER_ONE_SHOT : mode;
}

static bool lapic_timer_counting(const Lapic *a) {
    return lapic_timer_mode(a) != TIMER_TSC_DEADLINE && a->timer_next != DEV_NO_EVENT;
}

void lapic_timer_disarm(Lapic *a) {
    a->timer_next = DEV_NO_EVENT;
}

/* The current count: the bus ticks (divided) left until timer_next. */
uint32_t lapic_timer_current(const Lapic *a) {
    if (!lapic_timer_counting(a)) return 0;
    uint64_t now = *a->now, tick = lapic_timer_tick_cycles(a), left;
    if (now <= a->timer_next) {
        left = a->timer_next - now;
    } else if (lapic_timer_mode(a) == TIMER_PERIODIC) {
        uint64_t period = (uint64_t)a->timer_initial * tick;
        left = period - (now - a->timer_next) % period;
    } else {
        return 0;
    }
    return (uint32_t)((left + tick - 1) / tick);
}

static void lapic_timer_arm(Lapic *a, uint64_t at) {
    a->timer_next = at;
    signals_raise(a->signals, SIGNAL_CLOCK);
}

/* SDM 10.5.4: writing the initial count starts the count down; 0 stops the
 * timer.  In TSC-deadline mode the write is ignored (10.5.4.1). */
void lapic_timer_write_initial(Lapic *a, uint32_t v) {
    if (lapic_timer_mode(a) == TIMER_TSC_DEADLINE) return;
    a->timer_initial = v;
    if (v == 0)
        lapic_timer_disarm(a);
    else
        lapic_timer_arm(a, *a->now + (uint64_t)v * lapic_timer_tick_cycles(a));
}

/* A new divide value applies from now on: the count goes on from where it
 * is, at the new rate. */
void lapic_timer_write_divide(Lapic *a, uint32_t v) {
    uint32_t current = lapic_timer_current(a);
    bool counting = lapic_timer_counting(a) && current != 0;
    a->timer_divide = v & 0xb;
    if (counting) lapic_timer_arm(a, *a->now + (uint64_t)current * lapic_timer_tick_cycles(a));
}

/* SDM 10.5.4.1: "Transitions between TSC-deadline mode and other timer
 * modes also disarm the timer." */
void lapic_timer_lvt_written(Lapic *a, uint32_t old) {
    unsigned was = (old >> LVT_TIMER_MODE_SHIFT) & 3;
    bool deadline = lapic_timer_mode(a) == TIMER_TSC_DEADLINE;
    if ((was == TIMER_TSC_DEADLINE) != deadline) {
        lapic_timer_disarm(a);
        a->tsc_deadline = 0;
    }
}

/* SDM 10.5.4.1: in other timer modes IA32_TSC_DEADLINE reads 0 and writes
 * are ignored. */
uint64_t dev_lapic_read_tsc_deadline(const Lapic *a) {
    return lapic_timer_mode(a) == TIMER_TSC_DEADLINE ? a->tsc_deadline : 0;
}

/* A nonzero value arms the timer for the cycle at which the TSC reaches it
 * (at once when it already has); 0 disarms it. */
void dev_lapic_write_tsc_deadline(Lapic *a, uint64_t value, uint64_t tsc_now) {
    if (lapic_timer_mode(a) != TIMER_TSC_DEADLINE) return;
    a->tsc_deadline = value;
    if (value == 0)
        lapic_timer_disarm(a);
    else
        lapic_timer_arm(a, *a->now + (value > tsc_now ? value - tsc_now : 0));
}

uint64_t dev_lapic_next_event(const Lapic *a) {
    return a->timer_next;
}

/* Expiry: one-shot stops at 0; periodic reloads (expiries that were missed
 * collapse into one interrupt, as IRR holds one request per vector);
 * TSC-deadline "disarms the timer and clears the IA32_TSC_DEADLINE MSR".
 * The interrupt goes out through the LVT timer entry unless it is masked. */
void dev_lapic_advance(Lapic *a) {
    uint64_t now = *a->now;
    if (a->timer_next == DEV_NO_EVENT || now < a->timer_next) return;
    unsigned mode = lapic_timer_mode(a);
    if (mode == TIMER_PERIODIC) {
        uint64_t period = (uint64_t)a->timer_initial * lapic_timer_tick_cycles(a);
        a->timer_next += ((now - a->timer_next) / period + 1) * period;
    } else {
        a->timer_next = DEV_NO_EVENT;
        if (mode == TIMER_TSC_DEADLINE) a->tsc_deadline = 0;
    }
    lapic_local_interrupt(a, LVT_TIMER);
}
