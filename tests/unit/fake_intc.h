/*
 * A fake interrupt controller for unit tests (sim/cpu/events.h
 * IntrController): one vector, an INTR line the test (or a write to a
 * claimed I/O port) raises, an optional NMI source, and a count of
 * acknowledge cycles.
 */
#ifndef VMXSIM_TEST_FAKE_INTC_H
#define VMXSIM_TEST_FAKE_INTC_H

#include "test_support.h"

typedef struct FakePic {
    Machine *m;
    bool intr;
    int vector;
    int acks;
    bool nmi;
    bool can_request;
} FakePic;

static inline bool fake_pic_intr(void *o) { return ((FakePic *)o)->intr; }

static inline int fake_pic_ack(void *o)
{
    FakePic *p = o;
    p->acks++;
    p->intr = false;
    return p->vector;
}

static inline bool fake_pic_nmi(void *o)
{
    FakePic *p = o;
    bool n = p->nmi;
    p->nmi = false;
    return n;
}

/* Could it request again without the CPU acting: when told so, or while
 * the line is up. */
static inline bool fake_pic_may_request(void *o)
{
    const FakePic *p = o;
    return p->can_request || p->intr;
}

/* The device side: change the line, then raise SIGNAL_INTR (design.md). */
static inline void fake_pic_set_intr(FakePic *p, bool on)
{
    p->intr = on;
    signals_raise(&p->m->signals, SIGNAL_INTR);
}

/* Wire p to the machine's INTR (and NMI, with_nmi) inputs with `vector`;
 * p->intr keeps its current value. */
static inline void fake_pic_attach(Machine *m, FakePic *p, int vector, bool with_nmi)
{
    IntrController ic = {p,    fake_pic_intr, fake_pic_ack, with_nmi ? fake_pic_nmi : NULL,
                         fake_pic_may_request, NULL, NULL};
    p->m = m;
    p->vector = vector;
    p->can_request = true;
    machine_attach_intr_controller(m, &ic);
}

static inline void fake_pic_port_write(void *o, uint16_t port, unsigned size, uint32_t value)
{
    (void)port, (void)size, (void)value;
    fake_pic_set_intr(o, true);
}

/* Raise the line only when the guest writes to `port` (an OUT makes the
 * interrupt at an exact instruction); nothing else will request one. */
static inline void fake_pic_raise_on_port(FakePic *p, uint16_t port)
{
    p->can_request = false;
    ck_assert(dev_io_bus_claim(&p->m->io, port, port, NULL, fake_pic_port_write, p));
}

#endif
