/*
 * An interrupt line from a device to an interrupt controller input (an ISA
 * IRQ on the PIC and the I/O APIC).  The device drives a level; edge-
 * triggered inputs see the rising edges.  The callback belongs to the
 * receiving controller: devices never reach the CPU through it
 * (design.md "devices raise lines").  A line with a NULL callback goes
 * nowhere.
 */
#ifndef VMXSIM_DEVICES_IRQ_LINE_H
#define VMXSIM_DEVICES_IRQ_LINE_H

#include <stdbool.h>

typedef void (*IrqSetFn)(void *opaque, unsigned irq, bool level);

typedef struct IrqLine {
    IrqSetFn set;
    void *opaque;
    unsigned irq; /* the input number at the receiver */
} IrqLine;

static inline void dev_irq_set(const IrqLine *line, bool level) {
    if (line->set) line->set(line->opaque, line->irq, level);
}

/* A low-high-low pulse: one edge for edge-triggered inputs. */
static inline void dev_irq_pulse(const IrqLine *line) {
    dev_irq_set(line, true);
    dev_irq_set(line, false);
}

#endif
