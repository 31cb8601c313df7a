/*
 * MC146818A RTC and CMOS (rtc.h).  The time is kept as seconds since 1970
 * plus the cycle they were taken at; registers are computed from it when
 * read.  Register C's flags are evaluated lazily over the cycles since the
 * last evaluation: PF when a periodic-rate tick passed, UF when a second
 * boundary (an update cycle) passed, AF when a second matching the alarm
 * passed ("the flag bits are set independent of the enable bits").
 */
#include "sim/devices/rtc.h"

#include "sim/devices/dev_clock.h"

#define RTC_UIP_CYCLES (DEV_CPU_HZ / 1000000 * 244) /* UIP rises 244 us before the update */
#define RTC_DIVIDER_HZ UINT64_C(32768)              /* the time base: 32.768 kHz crystal */
#define RTC_SECONDS_PER_DAY 86400u

/* ---- calendar ---- */

static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d) {
    y -= m <= 2;
    uint64_t era = y / 400, yoe = y - era * 400;
    uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

RtcDate dev_rtc_date(uint64_t seconds) {
    uint64_t z = seconds / RTC_SECONDS_PER_DAY + 719468, rem = seconds % RTC_SECONDS_PER_DAY;
    uint64_t era = z / 146097, doe = z - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    RtcDate d = {.day = (unsigned)(doy - (153 * mp + 2) / 5 + 1),
                 .month = (unsigned)(mp < 10 ? mp + 3 : mp - 9),
                 .hour = (unsigned)(rem / 3600),
                 .minute = (unsigned)(rem / 60 % 60),
                 .second = (unsigned)(rem % 60),
                 .weekday = (unsigned)((seconds / RTC_SECONDS_PER_DAY + 4) % 7 + 1)};
    d.year = (unsigned)(yoe + era * 400) + (d.month <= 2);
    return d;
}

uint64_t dev_rtc_seconds(const RtcDate *d) {
    return days_from_civil(d->year, d->month, d->day) * RTC_SECONDS_PER_DAY + d->hour * 3600u +
           d->minute * 60u + d->second;
}

/* ---- the time ---- */

static bool rtc_halted(const Rtc *r) {
    return r->ram[RTC_REG_B] & RTC_B_SET;
}

static uint64_t rtc_time_at(const Rtc *r, uint64_t cycle) {
    if (rtc_halted(r) || cycle < r->since) return r->seconds;
    return r->seconds + (cycle - r->since) / DEV_CPU_HZ;
}

static uint64_t rtc_time(const Rtc *r) {
    return rtc_time_at(r, *r->now);
}

/* Cycle of the first second boundary after `cycle`. */
static uint64_t rtc_next_second(const Rtc *r, uint64_t cycle) {
    uint64_t start = cycle < r->since ? r->since : cycle;
    return r->since + ((start - r->since) / DEV_CPU_HZ + 1) * DEV_CPU_HZ;
}

void dev_rtc_init(Rtc *rtc, uint64_t epoch, const uint64_t *now, IrqLine irq, Signals *signals) {
    *rtc = (Rtc){.seconds = epoch,
                 .since = *now,
                 .checked = *now,
                 .now = now,
                 .irq = irq,
                 .signals = signals};
    rtc->ram[RTC_REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz periodic rate */
    rtc->ram[RTC_REG_B] = RTC_B_24H;
}

/* ---- BCD and the 12-hour format ---- */

static uint8_t rtc_encode(const Rtc *r, unsigned v) {
    return (r->ram[RTC_REG_B] & RTC_B_BINARY) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned rtc_decode(const Rtc *r, uint8_t v) {
    return (r->ram[RTC_REG_B] & RTC_B_BINARY) ? v : (unsigned)(v >> 4) * 10 + (v & 0xf);
}

/* 12-hour mode: 12 AM is 12, PM sets bit 7. */
static uint8_t rtc_encode_hour(const Rtc *r, unsigned h) {
    if (r->ram[RTC_REG_B] & RTC_B_24H) return rtc_encode(r, h);
    unsigned h12 = h % 12 == 0 ? 12 : h % 12;
    return (uint8_t)(rtc_encode(r, h12) | (h >= 12 ? 0x80 : 0));
}

static unsigned rtc_decode_hour(const Rtc *r, uint8_t v) {
    if (r->ram[RTC_REG_B] & RTC_B_24H) return rtc_decode(r, v);
    unsigned h12 = rtc_decode(r, v & 0x7f) % 12;
    return h12 + ((v & 0x80) ? 12 : 0);
}

/* ---- interrupts ---- */

/* Register A RS3:0: 0 none, 1 and 2 are 256 and 128 Hz, 3-15 are 8192 Hz
 * down to 2 Hz (datasheet Table 5): the period in 32.768 kHz ticks. */
static uint64_t rtc_periodic_ticks(const Rtc *r) {
    unsigned rs = r->ram[RTC_REG_A] & 0xf;
    if (rs == 0) return 0;
    return UINT64_C(1) << (rs < 3 ? rs + 6 : rs - 1);
}

/* An alarm byte: the value it wants, or -1 for C0H-FFH ("don't care"). */
static int rtc_alarm_field(const Rtc *r, unsigned reg) {
    uint8_t v = r->ram[reg];
    if ((v & 0xc0) == 0xc0) return -1;
    return (int)(reg == RTC_HOURS_ALARM ? rtc_decode_hour(r, v) : rtc_decode(r, v));
}

/* The first second after `t` whose time of day matches the alarm, or
 * DEV_NO_EVENT when none does within two days (an impossible alarm). */
static uint64_t rtc_next_alarm(const Rtc *r, uint64_t t) {
    int wh = rtc_alarm_field(r, RTC_HOURS_ALARM), wm = rtc_alarm_field(r, RTC_MINUTES_ALARM);
    int ws = rtc_alarm_field(r, RTC_SECONDS_ALARM);
    for (uint64_t c = t + 1; c <= t + 2 * RTC_SECONDS_PER_DAY;) {
        unsigned tod = (unsigned)(c % RTC_SECONDS_PER_DAY);
        if (wh >= 0 && tod / 3600 != (unsigned)wh)
            c += 3600 - tod % 3600;
        else if (wm >= 0 && tod / 60 % 60 != (unsigned)wm)
            c += 60 - tod % 60;
        else if (ws >= 0 && tod % 60 != (unsigned)ws)
            c++;
        else
            return c;
    }
    return DEV_NO_EVENT;
}

/* Latch the flags for what happened between `checked` and now. */
static void rtc_update_flags(Rtc *r) {
    uint64_t now = *r->now, period = rtc_periodic_ticks(r);
    if (period && dev_clock_ticks(now, RTC_DIVIDER_HZ) / period >
                      dev_clock_ticks(r->checked, RTC_DIVIDER_HZ) / period)
        r->flags |= RTC_C_PF;
    uint64_t before = rtc_time_at(r, r->checked), after = rtc_time(r);
    if (after > before) r->flags |= RTC_C_UF;
    if (after > before && rtc_next_alarm(r, before) <= after) r->flags |= RTC_C_AF;
    r->checked = now;
}

/* IRQF = (PF & PIE) | (AF & AIE) | (UF & UIE); IRQ 8 follows it. */
static uint8_t rtc_irqf(const Rtc *r) {
    uint8_t enabled = r->ram[RTC_REG_B] & (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);
    return (r->flags & enabled) ? RTC_C_IRQF : 0;
}

static void rtc_update_irq(Rtc *r) {
    dev_irq_set(&r->irq, rtc_irqf(r) != 0);
}

uint64_t dev_rtc_next_event(const Rtc *r) {
    uint8_t b = r->ram[RTC_REG_B], want = (uint8_t)(b & ~r->flags);
    uint64_t now = *r->now, next = DEV_NO_EVENT, period = rtc_periodic_ticks(r);
    if ((want & RTC_B_PIE) && period) {
        uint64_t tick = (dev_clock_ticks(now, RTC_DIVIDER_HZ) / period + 1) * period;
        next = dev_clock_cycle_of_tick(tick, RTC_DIVIDER_HZ);
    }
    if (rtc_halted(r)) return next;
    uint64_t second = rtc_next_second(r, now);
    if ((want & RTC_B_UIE) && second < next) next = second;
    uint64_t at = (want & RTC_B_AIE) ? rtc_next_alarm(r, rtc_time(r)) : DEV_NO_EVENT;
    if (at != DEV_NO_EVENT && second + (at - rtc_time(r) - 1) * DEV_CPU_HZ < next)
        next = second + (at - rtc_time(r) - 1) * DEV_CPU_HZ;
    return next;
}

void dev_rtc_advance(Rtc *rtc) {
    rtc_update_flags(rtc);
    rtc_update_irq(rtc);
}

/* ---- registers ---- */

static uint8_t rtc_read_time(const Rtc *r, unsigned reg) {
    RtcDate d = dev_rtc_date(rtc_time(r));
    switch (reg) {
    case RTC_SECONDS:
        return rtc_encode(r, d.second);
    case RTC_MINUTES:
        return rtc_encode(r, d.minute);
    case RTC_HOURS:
        return rtc_encode_hour(r, d.hour);
    case RTC_DAY_OF_WEEK:
        return rtc_encode(r, d.weekday);
    case RTC_DAY_OF_MONTH:
        return rtc_encode(r, d.day);
    case RTC_MONTH:
        return rtc_encode(r, d.month);
    case RTC_YEAR:
        return rtc_encode(r, d.year % 100);
    default:
        return rtc_encode(r, d.year / 100); /* century */
    }
}

/* A time register written: the time becomes the date with that field
 * replaced, counted from now (the day of week follows the date). */
static void rtc_write_time(Rtc *r, unsigned reg, uint8_t v) {
    RtcDate d = dev_rtc_date(rtc_time(r));
    unsigned x = reg == RTC_HOURS ? rtc_decode_hour(r, v) : rtc_decode(r, v);
    switch (reg) {
    case RTC_SECONDS:
        d.second = x % 60;
        break;
    case RTC_MINUTES:
        d.minute = x % 60;
        break;
    case RTC_HOURS:
        d.hour = x % 24;
        break;
    case RTC_DAY_OF_MONTH:
        d.day = x >= 1 && x <= 31 ? x : 1;
        break;
    case RTC_MONTH:
        d.month = x >= 1 && x <= 12 ? x : 1;
        break;
    case RTC_YEAR:
        d.year = d.year / 100 * 100 + x % 100;
        break;
    case RTC_CENTURY:
        d.year = x * 100 + d.year % 100;
        break;
    default:
        return; /* day of week: follows the date */
    }
    if (d.year < 1970) d.year = 1970;
    r->seconds = dev_rtc_seconds(&d);
    r->since = r->checked = *r->now;
}

static bool rtc_is_time(unsigned reg) {
    return (reg <= RTC_YEAR && (reg & 1) == 0) || reg == RTC_DAY_OF_WEEK ||
           reg == RTC_DAY_OF_MONTH || reg == RTC_YEAR || reg == RTC_CENTURY;
}

/* UIP: set from 244 us before each update (second boundary) until it. */
static uint8_t rtc_read_a(const Rtc *r) {
    uint64_t now = *r->now;
    bool uip = !rtc_halted(r) && now >= r->since && rtc_next_second(r, now) - now <= RTC_UIP_CYCLES;
    return (uint8_t)((r->ram[RTC_REG_A] & 0x7f) | (uip ? RTC_A_UIP : 0));
}

/* Reading C returns and clears the flags (and IRQF). */
static uint8_t rtc_read_c(Rtc *r) {
    rtc_update_flags(r);
    uint8_t v = (uint8_t)(r->flags | rtc_irqf(r));
    r->flags = 0;
    rtc_update_irq(r);
    return v;
}

static uint8_t rtc_read(Rtc *r, unsigned reg) {
    if (rtc_is_time(reg)) return rtc_read_time(r, reg);
    switch (reg) {
    case RTC_REG_A:
        return rtc_read_a(r);
    case RTC_REG_C:
        return rtc_read_c(r);
    case RTC_REG_D:
        return RTC_D_VRT;
    default:
        return r->ram[reg];
    }
}

/* SET = 1 stops the updates and clears UIE; SET = 0 restarts them from the
 * registers' time. */
static void rtc_write_b(Rtc *r, uint8_t v) {
    bool was = rtc_halted(r);
    rtc_update_flags(r);
    if (!was && (v & RTC_B_SET)) r->seconds = rtc_time(r);
    if (v & RTC_B_SET) v &= (uint8_t)~RTC_B_UIE;
    r->ram[RTC_REG_B] = v;
    if (was && !(v & RTC_B_SET)) r->since = r->checked = *r->now;
}

static void rtc_write(Rtc *r, unsigned reg, uint8_t v) {
    if (rtc_is_time(reg)) {
        rtc_write_time(r, reg, v);
        return;
    }
    switch (reg) {
    case RTC_REG_A:
        r->ram[RTC_REG_A] = v & 0x7f;
        break;
    case RTC_REG_B:
        rtc_write_b(r, v);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        return; /* read-only */
    default:
        r->ram[reg] = v;
        break;
    }
    rtc_update_irq(r);
    signals_raise(r->signals, SIGNAL_CLOCK);
}

static uint32_t rtc_io_read(void *opaque, uint16_t port, unsigned size) {
    Rtc *r = opaque;
    if (port == RTC_INDEX_PORT) return 0xff; /* the index register is write-only */
    return rtc_read(r, r->index);
}

static void rtc_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    Rtc *r = opaque;
    if (port == RTC_INDEX_PORT) {
        r->index = value & 0x7f;
        r->nmi_masked = value & 0x80;
    } else {
        rtc_write(r, r->index, (uint8_t)value);
    }
}

bool dev_rtc_attach(Rtc *rtc, IoBus *bus) {
    return dev_io_bus_claim(bus, RTC_INDEX_PORT, RTC_DATA_PORT, rtc_io_read, rtc_io_write, rtc);
}
