/*
 * MC146818A real-time clock and CMOS RAM (Motorola MC146818A datasheet) at
 * ports 0x70 (index; bit 7 masks NMI) and 0x71 (data), IRQ 8.  The time
 * starts at a fixed epoch (seconds since 1970-01-01 00:00:00 UTC) at cycle
 * 0 and runs with the device clock (dev_clock.h), so runs are repeatable.
 * Registers 0-9 hold the time and date (BCD or binary, 12- or 24-hour per
 * register B), 0x32 the century; A-D are the status registers; the rest is
 * CMOS RAM.  Periodic, alarm and update-ended interrupts set register C and
 * drive IRQ 8.  Behaviour choices are listed in docs/devices.md.
 */
#ifndef VMXSIM_DEVICES_RTC_H
#define VMXSIM_DEVICES_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/io_bus.h"
#include "sim/devices/irq_line.h"
#include "sim/devices/signals.h"

#define RTC_INDEX_PORT 0x70u
#define RTC_DATA_PORT 0x71u
#define RTC_IRQ 8u
#define RTC_DEFAULT_EPOCH UINT64_C(1704067200) /* 2024-01-01 00:00:00 UTC */

enum {
    RTC_SECONDS = 0x00,
    RTC_SECONDS_ALARM = 0x01,
    RTC_MINUTES = 0x02,
    RTC_MINUTES_ALARM = 0x03,
    RTC_HOURS = 0x04,
    RTC_HOURS_ALARM = 0x05,
    RTC_DAY_OF_WEEK = 0x06,
    RTC_DAY_OF_MONTH = 0x07,
    RTC_MONTH = 0x08,
    RTC_YEAR = 0x09,
    RTC_REG_A = 0x0a,
    RTC_REG_B = 0x0b,
    RTC_REG_C = 0x0c,
    RTC_REG_D = 0x0d,
    RTC_CENTURY = 0x32, /* the ACPI FADT's default century register */
};

enum {
    RTC_A_UIP = 1u << 7,
    RTC_B_SET = 1u << 7,
    RTC_B_PIE = 1u << 6,
    RTC_B_AIE = 1u << 5,
    RTC_B_UIE = 1u << 4,
    RTC_B_BINARY = 1u << 2,
    RTC_B_24H = 1u << 1,
    RTC_C_IRQF = 1u << 7,
    RTC_C_PF = 1u << 6,
    RTC_C_AF = 1u << 5,
    RTC_C_UF = 1u << 4,
    RTC_D_VRT = 1u << 7,
};

typedef struct Rtc {
    uint8_t index;
    bool nmi_masked;  /* port 0x70 bit 7 (no NMI source uses it) */
    uint8_t ram[128]; /* alarms, register A/B, CMOS RAM */
    uint8_t flags;    /* register C's PF, AF, UF latched at the last evaluation */
    uint64_t seconds; /* the time (seconds since 1970) at cycle `since` */
    uint64_t since;   /* while SET is 1 the time stands still at `seconds` */
    uint64_t checked; /* cycle up to which the flags have been evaluated */
    const uint64_t *now;
    IrqLine irq;
    Signals *signals;
} Rtc;

void dev_rtc_init(Rtc *rtc, uint64_t epoch, const uint64_t *now, IrqLine irq, Signals *signals);
/* Claims ports 0x70-0x71. */
bool dev_rtc_attach(Rtc *rtc, IoBus *bus);
uint64_t dev_rtc_next_event(const Rtc *rtc);
void dev_rtc_advance(Rtc *rtc);

/* Calendar helpers (proleptic Gregorian, UTC). */
typedef struct RtcDate {
    unsigned year, month, day, hour, minute, second, weekday; /* weekday 1 = Sunday */
} RtcDate;
RtcDate dev_rtc_date(uint64_t seconds);
uint64_t dev_rtc_seconds(const RtcDate *d);

#endif
