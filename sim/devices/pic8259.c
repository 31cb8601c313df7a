/*
 * 8259A PIC pair (pic8259.h).  Register semantics follow the Intel 8259A
 * datasheet ("Programming the 8259A": ICW1-ICW4, OCW1-OCW3); the ELCR
 * follows the PIIX datasheet.  Priorities are numbered so that 0 is the
 * highest: IR i has priority (i - lowest - 1) mod 8.
 */
#include "sim/devices/pic8259.h"

enum {
    ICW1_IC4 = 1u << 0,  /* ICW4 needed */
    ICW1_SNGL = 1u << 1, /* single: no slave */
    ICW1_LTIM = 1u << 3, /* level-triggered inputs */
    ICW1_SELECT = 1u << 4,
    ICW4_AEOI = 1u << 1,
    ICW4_SFNM = 1u << 4,
    OCW3_SELECT = 1u << 3,
    OCW3_RIS = 1u << 0,
    OCW3_RR = 1u << 1,
    OCW3_POLL = 1u << 2,
    OCW3_SMM = 1u << 5,
    OCW3_ESMM = 1u << 6,
};

/* PIIX ELCR1/ELCR2: IRQ 0, 1, 2 and IRQ 8, 13 are always edge-triggered. */
#define ELCR_MASTER_WRITABLE 0xf8u
#define ELCR_SLAVE_WRITABLE 0xdeu

static void pic_chip_reset(Pic8259 *c, bool master) {
    *c = (Pic8259){.imr = 0xff, .lowest = 7, .is_master = master};
    c->elcr_writable = master ? ELCR_MASTER_WRITABLE : ELCR_SLAVE_WRITABLE;
}

void dev_pic_init(PicPair *pic, Signals *signals) {
    *pic = (PicPair){.signals = signals};
    pic_chip_reset(&pic->master, true);
    pic_chip_reset(&pic->slave, false);
}

/* ---- priority resolution ---- */

static unsigned pic_priority(const Pic8259 *c, unsigned ir) {
    return (ir - c->lowest - 1) & 7;
}

/* The IR of `bits` with the highest priority, or -1. */
static int pic_highest(const Pic8259 *c, uint8_t bits) {
    for (unsigned p = 0; p < 8; p++) {
        unsigned ir = (c->lowest + 1 + p) & 7;
        if (bits & (1u << ir)) return (int)ir;
    }
    return -1;
}

static uint8_t pic_level_triggered(const Pic8259 *c) {
    return c->ltim ? 0xff : c->elcr;
}

/* The master's inputs that ICW3 names as slaves. */
static uint8_t pic_cascade_inputs(const Pic8259 *c) {
    return c->is_master && !c->single ? c->icw3 : 0;
}

/* The IR this chip requests service for: the highest-priority unmasked
 * request above every in-service level.  Special mask mode ignores masked
 * in-service levels; special fully nested mode lets a slave's further
 * requests through while its cascade input is in service (datasheet
 * "Special Mask Mode", "Special Fully Nested Mode"). */
static int pic_chip_request(const Pic8259 *c) {
    int ir = pic_highest(c, c->irr & (uint8_t)~c->imr);
    if (ir < 0 || c->init_step != 0) return -1;
    uint8_t isr = c->special_mask ? (uint8_t)(c->isr & ~c->imr) : c->isr;
    int top = pic_highest(c, isr);
    if (top < 0 || pic_priority(c, (unsigned)ir) < pic_priority(c, (unsigned)top)) return ir;
    if (c->sfnm && ir == top && (pic_cascade_inputs(c) & (1u << ir))) return ir;
    return -1;
}

/* Level-triggered requests follow their inputs (datasheet "Level
 * Triggered Mode"). */
static void pic_chip_refresh(Pic8259 *c) {
    uint8_t lvl = pic_level_triggered(c);
    c->irr = (uint8_t)((c->irr & ~lvl) | (c->level & lvl));
}

/* Edge-triggered inputs latch a request on the rising edge; it stays until
 * acknowledged (docs/devices.md: not withdrawn when the input falls). */
static void pic_chip_input(Pic8259 *c, unsigned ir, bool level) {
    uint8_t bit = (uint8_t)(1u << ir);
    bool was = c->level & bit;
    c->level = level ? (uint8_t)(c->level | bit) : (uint8_t)(c->level & ~bit);
    if (level && !was) c->irr |= bit;
}

/* The slave's INT drives the master's IR2 like any input, so a slave
 * request that goes away after the master latched IR2 is acknowledged as
 * the slave's IR7 (spurious IRQ 15).  Raise SIGNAL_INTR when INTR changed. */
static void pic_update(PicPair *p) {
    pic_chip_refresh(&p->slave);
    pic_chip_input(&p->master, PIC_CASCADE_IR, pic_chip_request(&p->slave) >= 0);
    pic_chip_refresh(&p->master);
    bool intr = pic_chip_request(&p->master) >= 0;
    if (intr != p->intr) {
        p->intr = intr;
        signals_raise(p->signals, SIGNAL_INTR);
    }
}

bool dev_pic_intr(const PicPair *pic) {
    return pic->intr;
}

/* ---- inputs ---- */

bool dev_pic_irq_unmasked(const PicPair *pic, unsigned irq) {
    if (irq >= 8 && (pic->master.imr & (1u << PIC_CASCADE_IR))) return false;
    return !((irq < 8 ? pic->master.imr : pic->slave.imr) & (1u << (irq & 7)));
}

void dev_pic_set_irq(void *opaque, unsigned irq, bool level) {
    PicPair *p = opaque;
    if (irq >= PIC_IRQ_COUNT || irq == PIC_CASCADE_IR) return;
    pic_chip_input(irq < 8 ? &p->master : &p->slave, irq & 7, level);
    pic_update(p);
}

/* ---- acknowledge ---- */

/* The chip's part of INTA for granted IR `ir`: IRR to ISR, or with AEOI
 * no ISR bit (and rotation with rotate-in-AEOI). */
static void pic_chip_ack(Pic8259 *c, unsigned ir) {
    uint8_t bit = (uint8_t)(1u << ir);
    c->irr &= (uint8_t)~bit;
    if (!c->auto_eoi)
        c->isr |= bit;
    else if (c->rotate_in_aeoi)
        c->lowest = (uint8_t)ir;
}

/* A chip with nothing to grant answers IR7 without setting ISR. */
static int pic_chip_inta(Pic8259 *c) {
    int ir = pic_chip_request(c);
    if (ir < 0) return c->vector_base | 7;
    pic_chip_ack(c, (unsigned)ir);
    return c->vector_base | ir;
}

int dev_pic_acknowledge(PicPair *pic) {
    int ir = pic_chip_request(&pic->master);
    int vector;
    if (ir >= 0 && (pic_cascade_inputs(&pic->master) & (1u << ir))) {
        pic_chip_ack(&pic->master, (unsigned)ir);
        vector = pic_chip_inta(&pic->slave);
        /* The slave's INT falls during INTA: a further request is a new edge. */
        pic->master.level &= (uint8_t) ~(1u << PIC_CASCADE_IR);
    } else {
        vector = pic_chip_inta(&pic->master);
    }
    pic_update(pic);
    return vector;
}

/* ---- programming ---- */

/* ICW1: the datasheet's initialisation list: edge sense reset, IMR
 * cleared, IR7 lowest priority, special mask mode off, status read IRR;
 * without IC4 every ICW4 function is 0.  vmxsim also clears ISR. */
static void pic_write_icw1(Pic8259 *c, uint8_t v) {
    c->irr = c->isr = c->imr = 0;
    c->lowest = 7;
    c->special_mask = c->read_isr = c->poll = c->rotate_in_aeoi = false;
    c->auto_eoi = c->sfnm = false;
    c->need_icw4 = v & ICW1_IC4;
    c->single = v & ICW1_SNGL;
    c->ltim = v & ICW1_LTIM;
    c->icw3 = 0;
    c->init_step = 2;
}

static void pic_write_icw(Pic8259 *c, uint8_t v) {
    switch (c->init_step) {
    case 2:
        c->vector_base = v & 0xf8;
        c->init_step = !c->single ? 3 : c->need_icw4 ? 4 : 0;
        break;
    case 3:
        c->icw3 = v;
        c->init_step = c->need_icw4 ? 4 : 0;
        break;
    default:
        c->auto_eoi = v & ICW4_AEOI;
        c->sfnm = v & ICW4_SFNM;
        c->init_step = 0;
        break;
    }
}

/* OCW2 bits 7:5 (R, SL, EOI) select the command, bits 2:0 the level. */
static void pic_write_ocw2(Pic8259 *c, uint8_t v) {
    unsigned level = v & 7;
    int top = pic_highest(c, c->isr);
    switch (v >> 5) {
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        if (top < 0) break;
        c->isr &= (uint8_t) ~(1u << top);
        if (v >> 5 == 5) c->lowest = (uint8_t)top;
        break;
    case 3: /* specific EOI */
    case 7: /* rotate on specific EOI */
        c->isr &= (uint8_t) ~(1u << level);
        if (v >> 5 == 7) c->lowest = (uint8_t)level;
        break;
    case 6: /* set priority */
        c->lowest = (uint8_t)level;
        break;
    case 4: /* set rotate in automatic EOI mode */
    case 0: /* clear rotate in automatic EOI mode */
        c->rotate_in_aeoi = v >> 5 == 4;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void pic_write_ocw3(Pic8259 *c, uint8_t v) {
    if (v & OCW3_POLL) c->poll = true;
    if (v & OCW3_RR) c->read_isr = v & OCW3_RIS;
    if (v & OCW3_ESMM) c->special_mask = v & OCW3_SMM;
}

static void pic_chip_write(Pic8259 *c, unsigned a0, uint8_t v) {
    if (a0 == 0 && (v & ICW1_SELECT))
        pic_write_icw1(c, v);
    else if (a0 == 0 && (v & OCW3_SELECT))
        pic_write_ocw3(c, v);
    else if (a0 == 0)
        pic_write_ocw2(c, v);
    else if (c->init_step != 0)
        pic_write_icw(c, v);
    else
        c->imr = v; /* OCW1 */
}

/* Poll command: the read acts as INTA for this chip and returns bit 7 =
 * request, bits 2:0 = the granted IR (datasheet "The Poll Command"). */
static uint8_t pic_chip_poll(Pic8259 *c) {
    c->poll = false;
    int ir = pic_chip_request(c);
    if (ir < 0) return 0;
    pic_chip_ack(c, (unsigned)ir);
    return (uint8_t)(0x80u | (unsigned)ir);
}

static uint8_t pic_chip_read(Pic8259 *c, unsigned a0) {
    if (c->poll) return pic_chip_poll(c);
    if (a0 == 1) return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

/* ---- bus callbacks ---- */

static Pic8259 *pic_chip_at(PicPair *p, uint16_t port) {
    return (port & 0xfff0u) == PIC_MASTER_BASE ? &p->master : &p->slave;
}

static uint32_t pic_io_read(void *opaque, uint16_t port, unsigned size) {
    PicPair *p = opaque;
    uint8_t v = pic_chip_read(pic_chip_at(p, port), port & 1u);
    pic_update(p);
    return v;
}

static void pic_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    PicPair *p = opaque;
    pic_chip_write(pic_chip_at(p, port), port & 1u, (uint8_t)value);
    pic_update(p);
}

static uint32_t elcr_io_read(void *opaque, uint16_t port, unsigned size) {
    PicPair *p = opaque;
    uint32_t v = 0;
    for (unsigned i = 0; i < size && port + i <= PIC_ELCR_BASE + 1; i++)
        v |= (uint32_t)(port + i == PIC_ELCR_BASE ? p->master.elcr : p->slave.elcr) << (8 * i);
    return v;
}

static void elcr_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    PicPair *p = opaque;
    for (unsigned i = 0; i < size && port + i <= PIC_ELCR_BASE + 1; i++) {
        Pic8259 *c = port + i == PIC_ELCR_BASE ? &p->master : &p->slave;
        c->elcr = (uint8_t)(value >> (8 * i)) & c->elcr_writable;
    }
    pic_update(p);
}

bool dev_pic_attach(PicPair *pic, IoBus *bus) {
    return dev_io_bus_claim(bus, PIC_MASTER_BASE, PIC_MASTER_BASE + 1, pic_io_read, pic_io_write,
                            pic) &&
           dev_io_bus_claim(bus, PIC_SLAVE_BASE, PIC_SLAVE_BASE + 1, pic_io_read, pic_io_write,
                            pic) &&
           dev_io_bus_claim(bus, PIC_ELCR_BASE, PIC_ELCR_BASE + 1, elcr_io_read, elcr_io_write,
                            pic);
}

void dev_pic_bios_setup(PicPair *pic) {
    static const uint8_t master[] = {0x11, 0x08, 1u << PIC_CASCADE_IR, 0x01, 0xff};
    static const uint8_t slave[] = {0x11, 0x70, PIC_CASCADE_IR, 0x01, 0xff};
    for (unsigned i = 0; i < sizeof(master); i++) {
        pic_chip_write(&pic->master, i == 0 ? 0 : 1, master[i]);
        pic_chip_write(&pic->slave, i == 0 ? 0 : 1, slave[i]);
    }
    pic_update(pic);
}
