/*
 * The device clock (design.md "Cycle-level means accountable time").  Every
 * timed device reads the one simulated clock, the CPU's cycle counter (the
 * TSC's source), through a `const uint64_t *now` pointer: tests point it at
 * a variable they advance by hand (a virtual clock), the machine at the
 * CPU's counter.  A timed device answers dev_*_next_event() with the cycle
 * of its next event (DEV_NO_EVENT when none) and, in dev_*_advance(),
 * raises the lines of the events that are due; the machine calls both
 * between run chunks (docs/devices.md "Time").  Registers are computed
 * from *now when read, so polling loops see the time of the access.
 */
#ifndef VMXSIM_DEVICES_DEV_CLOCK_H
#define VMXSIM_DEVICES_DEV_CLOCK_H

#include <stdint.h>

#define DEV_NO_EVENT UINT64_MAX

/* The cycle clock: 2.0 GHz, the nominal frequency MSR_PLATFORM_INFO reports
 * (ratio 20 of the 100 MHz bus clock; sim/cpu/msr.def). */
#define DEV_CPU_HZ UINT64_C(2000000000)
/* The 8254 PIT's input clock: 1.193182 MHz (8254 datasheet, PC wiring). */
#define DEV_PIT_HZ UINT64_C(1193182)

/* Whole ticks of an `hz` clock elapsed at cycle `cycles` (both clocks start
 * at 0); 64-bit safe for any cycle count. */
static inline uint64_t dev_clock_ticks(uint64_t cycles, uint64_t hz) {
    return cycles / DEV_CPU_HZ * hz + cycles % DEV_CPU_HZ * hz / DEV_CPU_HZ;
}

/* The first cycle at which dev_clock_ticks() reaches `ticks`. */
static inline uint64_t dev_clock_cycle_of_tick(uint64_t ticks, uint64_t hz) {
    return ticks / hz * DEV_CPU_HZ + (ticks % hz * DEV_CPU_HZ + hz - 1) / hz;
}

#endif
