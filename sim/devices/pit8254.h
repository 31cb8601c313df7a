/*
 * 8254 programmable interval timer (Intel 8254 datasheet, order no. 231164)
 * as wired on a PC: counters 0-2 at ports 0x40-0x42, the control word at
 * 0x43, a 1.193182 MHz input clock; OUT0 drives IRQ 0; counter 2's GATE is
 * bit 0 of port 0x61 and its OUT is read back in bit 5 (the system control
 * port B of the PC chipsets, which also holds the speaker enable).
 *
 * The counters are computed from the device clock (dev_clock.h) when read,
 * so polling loops see exact counts.  dev_pit_next_event() gives the cycle
 * of OUT0's next rising edge; dev_pit_advance() reports the edges that are
 * due on IRQ 0.  Behaviour choices are listed in docs/devices.md.
 */
#ifndef VMXSIM_DEVICES_PIT8254_H
#define VMXSIM_DEVICES_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/io_bus.h"
#include "sim/devices/irq_line.h"
#include "sim/devices/signals.h"

#define PIT_BASE 0x40u
#define PIT_CONTROL_PORT 0x43u
#define PIT_PORT_B 0x61u /* system control port B */
#define PIT_IRQ 0u

enum {
    PORTB_GATE2 = 1u << 0,   /* counter 2 GATE */
    PORTB_SPEAKER = 1u << 1, /* speaker data enable */
    PORTB_WRITABLE = 0x0fu,  /* bits 3:0: gate, speaker, SERR#/IOCHK# NMI enables */
    PORTB_REFRESH = 1u << 4, /* toggles every refresh period (counter 1's 18 clocks) */
    PORTB_OUT2 = 1u << 5,    /* counter 2 OUT */
};

typedef struct PitCounter {
    uint8_t mode;   /* 0-5 */
    uint8_t access; /* RW1:RW0: 1 LSB, 2 MSB, 3 LSB then MSB */
    bool bcd;
    bool gate;
    uint32_t count;    /* N, the count loaded: 1-65536 (binary) or 1-10000 (BCD) */
    bool loaded;       /* a count was written since the control word */
    bool running;      /* counting (not waiting for a count, a trigger or GATE) */
    uint64_t start;    /* PIT tick at which the counting element holds N */
    uint64_t paused_e; /* modes 0 and 4 with GATE low: the ticks counted so far */
    uint64_t edges;    /* OUT rising edges already reported */
    bool write_msb;    /* LSB-then-MSB write: the MSB comes next */
    uint8_t write_lsb;
    bool read_msb;      /* LSB-then-MSB read: the MSB comes next */
    bool count_latched; /* counter latch / read-back */
    uint16_t latch;
    bool status_latched;
    uint8_t status;
} PitCounter;

typedef struct Pit {
    PitCounter ch[3];
    uint8_t port_b; /* bits 3:0 of port 0x61 */
    const uint64_t *now;
    IrqLine irq0;     /* OUT0 */
    Signals *signals; /* SIGNAL_CLOCK when counter 0 is (re)programmed */
} Pit;

/* Power-on state: no counter counts until programmed (OUT high); counter 0
 * and 1 GATEs are tied high, counter 2's follows port 0x61 (0).  The line
 * is not driven until the first dev_pit_advance(). */
void dev_pit_init(Pit *pit, const uint64_t *now, IrqLine irq0, Signals *signals);
/* Claims 0x40-0x43 and 0x61. */
bool dev_pit_attach(Pit *pit, IoBus *bus);
/* Cycle of OUT0's next rising edge, or DEV_NO_EVENT. */
uint64_t dev_pit_next_event(const Pit *pit);
/* Report OUT0's rising edges up to now on IRQ 0 (several that were missed
 * give one edge) and leave the line at OUT0's level. */
void dev_pit_advance(Pit *pit);
/* OUT of counter i now. */
bool dev_pit_out(const Pit *pit, unsigned i);

#endif
