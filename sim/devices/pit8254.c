/*
 * 8254 PIT (pit8254.h).  A counter is described by N (the count loaded),
 * the PIT tick at which its counting element first holds N, and the mode;
 * the count and OUT at any later tick follow from the mode's waveform
 * (8254 datasheet, "Modes of Operation"), with e = ticks since that load:
 *
 *   mode 0  interrupt on terminal count   OUT low, high from e = N on
 *   mode 1  hardware one-shot             OUT low from the trigger to e = N
 *   mode 2  rate generator                OUT low for the clock at count 1 (e % N = N-1)
 *   mode 3  square wave                   OUT high for ceil(N/2), low for floor(N/2)
 *   mode 4  software strobe               OUT low for the clock at e = N
 *   mode 5  hardware strobe               as 4, started by a GATE rising edge
 */
#include "sim/devices/pit8254.h"

#include "sim/devices/dev_clock.h"

#define REFRESH_TICKS 18u /* counter 1's refresh period as a PC BIOS programs it (15.1 us) */

/* The datasheet leaves mode, count and OUT undefined at power-on; vmxsim
 * starts every counter in mode 3 with no count (OUT high, not counting). */
void dev_pit_init(Pit *pit, const uint64_t *now, IrqLine irq0, Signals *signals) {
    *pit = (Pit){.now = now, .irq0 = irq0, .signals = signals};
    pit->ch[0].gate = pit->ch[1].gate = true;
    for (unsigned i = 0; i < 3; i++) {
        pit->ch[i].access = 3;
        pit->ch[i].mode = 3;
    }
}

static uint64_t pit_tick(const Pit *p) {
    return dev_clock_ticks(*p->now, DEV_PIT_HZ);
}

/* ---- the waveforms ---- */

static bool pit_out_at(const PitCounter *c, uint64_t e) {
    uint64_t n = c->count;
    switch (c->mode) {
    case 0:
    case 1:
        return e >= n;
    case 2:
        return e % n != n - 1 || n == 1;
    case 3:
        return e % n < (n + 1) / 2;
    default:
        return e != n;
    }
}

/* Rising edges of OUT in (0, e]. */
static uint64_t pit_edges_until(const PitCounter *c, uint64_t e) {
    uint64_t n = c->count;
    switch (c->mode) {
    case 0:
    case 1:
        return e >= n;
    case 2:
    case 3:
        return e / n;
    default:
        return e >= n + 1;
    }
}

/* The first e' > e with a rising edge; false when none comes. */
static bool pit_next_edge(const PitCounter *c, uint64_t e, uint64_t *next) {
    uint64_t n = c->count;
    switch (c->mode) {
    case 0:
    case 1:
        *next = n;
        return e < n;
    case 2:
    case 3:
        *next = (e / n + 1) * n;
        return true;
    default:
        *next = n + 1;
        return e < n + 1;
    }
}

/* Mode 3 counts down by two, from N (even) or N-1 (odd), twice a period. */
static uint64_t pit_count_at(const PitCounter *c, uint64_t e) {
    uint64_t n = c->count, modulus = c->bcd ? 10000 : 65536;
    if (c->mode == 2) return n - e % n;
    if (c->mode == 3) {
        uint64_t p = e % n, first = (n + 1) / 2;
        return (n & ~UINT64_C(1)) - 2 * (p < first ? p : p - first);
    }
    return (n + modulus - e % modulus) % modulus;
}

/* Ticks since the counting element was loaded; false before that and while
 * nothing counts (no count, no trigger, GATE low in modes 2 and 3). */
static bool pit_elapsed(const Pit *p, const PitCounter *c, uint64_t *e) {
    if (c->running) {
        uint64_t t = pit_tick(p);
        *e = t - c->start;
        return t >= c->start;
    }
    *e = c->paused_e;
    return c->loaded && (c->mode == 0 || c->mode == 4);
}

bool dev_pit_out(const Pit *pit, unsigned i) {
    const PitCounter *c = &pit->ch[i];
    uint64_t e;
    if (pit_elapsed(pit, c, &e)) return pit_out_at(c, e);
    return c->mode != 0; /* a control word sets OUT low in mode 0, high in the others */
}

/* ---- BCD ---- */

static uint32_t pit_from_bcd(uint32_t v) {
    return (v >> 12 & 0xf) * 1000 + (v >> 8 & 0xf) * 100 + (v >> 4 & 0xf) * 10 + (v & 0xf);
}

static uint16_t pit_to_bcd(uint32_t v) {
    return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* ---- IRQ 0 ---- */

static void pit_update_irq0(Pit *p) {
    dev_irq_set(&p->irq0, dev_pit_out(p, 0));
}

/* Counter 0 changed: report its OUT and let the machine reschedule. */
static void pit_reprogrammed(Pit *p, const PitCounter *c) {
    if (c != &p->ch[0]) return;
    pit_update_irq0(p);
    signals_raise(p->signals, SIGNAL_CLOCK);
}

uint64_t dev_pit_next_event(const Pit *pit) {
    const PitCounter *c = &pit->ch[0];
    if (!c->running) return DEV_NO_EVENT;
    uint64_t t = pit_tick(pit), e = t >= c->start ? t - c->start : 0, next;
    if (t >= c->start && pit_edges_until(c, e) > c->edges) return *pit->now;
    if (!pit_next_edge(c, e, &next)) return DEV_NO_EVENT;
    return dev_clock_cycle_of_tick(c->start + next, DEV_PIT_HZ);
}

void dev_pit_advance(Pit *pit) {
    PitCounter *c = &pit->ch[0];
    uint64_t e;
    if (pit_elapsed(pit, c, &e) && pit_edges_until(c, e) > c->edges) {
        c->edges = pit_edges_until(c, e);
        dev_irq_set(&pit->irq0, false);
        dev_irq_set(&pit->irq0, true);
    }
    pit_update_irq0(pit);
}

/* ---- programming ---- */

/* A count reaches the counting element on the next clock (datasheet
 * "Counter Loading"); modes 1 and 5 then wait for a GATE trigger, modes 0
 * and 4 hold it while GATE is low.  vmxsim also restarts modes 2 and 3 at
 * once instead of at the end of the current period. */
static void pit_load(Pit *p, PitCounter *c, uint32_t raw) {
    uint32_t n = c->bcd ? pit_from_bcd(raw) : raw;
    c->count = n != 0 ? n : (c->bcd ? 10000 : 65536);
    c->loaded = true;
    c->edges = 0;
    c->paused_e = 0;
    c->start = pit_tick(p) + 1;
    c->running = c->gate && c->mode != 1 && c->mode != 5;
    pit_reprogrammed(p, c);
}

static void pit_write_count(Pit *p, PitCounter *c, uint8_t v) {
    switch (c->access) {
    case 1:
        pit_load(p, c, v);
        break;
    case 2:
        pit_load(p, c, (uint32_t)v << 8);
        break;
    default:
        if (!c->write_msb) {
            c->write_lsb = v;
            c->write_msb = true;
            if (c->mode == 0) { /* mode 0: the first byte stops the count, OUT low */
                c->running = c->loaded = false;
                pit_reprogrammed(p, c);
            }
        } else {
            c->write_msb = false;
            pit_load(p, c, c->write_lsb | (uint32_t)v << 8);
        }
        break;
    }
}

static uint16_t pit_current_count(const Pit *p, const PitCounter *c) {
    uint64_t e;
    uint32_t v = pit_elapsed(p, c, &e) ? (uint32_t)pit_count_at(c, e) : c->count;
    return c->bcd ? pit_to_bcd(v % 10000) : (uint16_t)v;
}

/* Status byte (read-back): OUT, NULL COUNT, then the control word's
 * RW1 RW0 M2 M1 M0 BCD. */
static uint8_t pit_status(const Pit *p, const PitCounter *c, unsigned i) {
    bool null_count = !c->loaded || (c->running && pit_tick(p) < c->start);
    return (uint8_t)((dev_pit_out(p, i) ? 0x80 : 0) | (null_count ? 0x40 : 0) | c->access << 4 |
                     c->mode << 1 | (c->bcd ? 1 : 0));
}

static void pit_latch_count(const Pit *p, PitCounter *c) {
    if (c->count_latched) return; /* a second latch before the read is ignored */
    c->latch = pit_current_count(p, c);
    c->count_latched = true;
    c->read_msb = false;
}

/* Read-back command (datasheet "Read-Back Command"): bit 5 = 0 latches the
 * counts, bit 4 = 0 the status, of the counters selected by bits 3:1. */
static void pit_read_back(Pit *p, uint8_t v) {
    for (unsigned i = 0; i < 3; i++) {
        PitCounter *c = &p->ch[i];
        if (!(v & (2u << i))) continue;
        if (!(v & 0x20)) pit_latch_count(p, c);
        if (!(v & 0x10) && !c->status_latched) {
            c->status = pit_status(p, c, i);
            c->status_latched = true;
        }
    }
}

/* Control word: SC1:SC0 counter (3: read-back), RW1:RW0 (0: counter latch),
 * M2:M0 (6 and 7 are modes 2 and 3), BCD.  Programming a mode stops the
 * counter until a count is written. */
static void pit_write_control(Pit *p, uint8_t v) {
    unsigned sc = v >> 6, rw = (v >> 4) & 3;
    if (sc == 3) {
        pit_read_back(p, v);
        return;
    }
    PitCounter *c = &p->ch[sc];
    if (rw == 0) {
        pit_latch_count(p, c);
        return;
    }
    uint8_t mode = (v >> 1) & 7;
    c->mode = mode >= 6 ? mode - 4 : mode;
    c->access = (uint8_t)rw;
    c->bcd = v & 1;
    c->loaded = c->running = false;
    c->write_msb = c->read_msb = false;
    c->count_latched = c->status_latched = false;
    c->edges = 0;
    pit_reprogrammed(p, c);
}

static uint8_t pit_read_counter(const Pit *p, PitCounter *c) {
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v = c->count_latched ? c->latch : pit_current_count(p, c);
    bool msb = c->access == 2 || (c->access == 3 && c->read_msb);
    if (c->access == 3) c->read_msb = !c->read_msb;
    if (c->access != 3 || !c->read_msb) c->count_latched = false; /* the whole latch was read */
    return (uint8_t)(msb ? v >> 8 : v);
}

/* GATE (datasheet "Gate" table): modes 0 and 4 pause while low; a rising
 * edge restarts modes 2 and 3 (which hold OUT high while GATE is low) and
 * triggers modes 1 and 5. */
static void pit_set_gate(Pit *p, PitCounter *c, bool gate) {
    bool rising = gate && !c->gate, falling = !gate && c->gate;
    uint64_t e;
    c->gate = gate;
    if (!c->loaded || (!rising && !falling)) return;
    if (c->mode == 0 || c->mode == 4) {
        if (falling && c->running) {
            c->paused_e = pit_elapsed(p, c, &e) ? e : 0;
            c->running = false;
        } else if (rising) {
            c->start = pit_tick(p) - c->paused_e;
            c->running = true;
        }
    } else if (rising) {
        c->start = pit_tick(p) + 1;
        c->edges = 0;
        c->running = true;
    } else if (c->mode == 2 || c->mode == 3) {
        c->running = false;
    }
    pit_reprogrammed(p, c);
}

/* ---- bus callbacks ---- */

static uint8_t pit_read_port_b(const Pit *p) {
    bool refresh = (pit_tick(p) / REFRESH_TICKS) & 1;
    return (uint8_t)(p->port_b | (refresh ? PORTB_REFRESH : 0) |
                     (dev_pit_out(p, 2) ? PORTB_OUT2 : 0));
}

static uint32_t pit_io_read(void *opaque, uint16_t port, unsigned size) {
    Pit *p = opaque;
    if (port == PIT_PORT_B) return pit_read_port_b(p);
    uint32_t v = 0;
    for (unsigned i = 0; i < size && port + i <= PIT_CONTROL_PORT; i++) {
        unsigned n = port + i - PIT_BASE; /* the control word reads as all-ones */
        v |= (uint32_t)(n < 3 ? pit_read_counter(p, &p->ch[n]) : 0xff) << (8 * i);
    }
    return v;
}

static void pit_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    Pit *p = opaque;
    if (port == PIT_PORT_B) {
        p->port_b = (uint8_t)value & PORTB_WRITABLE;
        pit_set_gate(p, &p->ch[2], value & PORTB_GATE2);
        return;
    }
    for (unsigned i = 0; i < size && port + i <= PIT_CONTROL_PORT; i++) {
        unsigned n = port + i - PIT_BASE;
        uint8_t byte = (uint8_t)(value >> (8 * i));
        if (n < 3)
            pit_write_count(p, &p->ch[n], byte);
        else
            pit_write_control(p, byte);
    }
}

bool dev_pit_attach(Pit *pit, IoBus *bus) {
    return dev_io_bus_claim(bus, PIT_BASE, PIT_CONTROL_PORT, pit_io_read, pit_io_write, pit) &&
           dev_io_bus_claim(bus, PIT_PORT_B, PIT_PORT_B, pit_io_read, pit_io_write, pit);
}
