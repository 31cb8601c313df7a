/*
 * The PC's two cascaded 8259A programmable interrupt controllers (Intel
 * 8259A datasheet, order no. 231468) and the ELCR edge/level control
 * registers of the PC chipsets (Intel 82371 PIIX datasheet, "ELCR1/ELCR2").
 *
 * The master at ports 0x20-0x21 takes IRQ 0-7, the slave at 0xa0-0xa1 IRQ
 * 8-15 on the master's IR2; ELCR at 0x4d0-0x4d1.  Inputs are driven with
 * dev_pic_set_irq() (an IrqLine callback); the INTR output is
 * dev_pic_intr() and the interrupt-acknowledge cycle dev_pic_acknowledge().
 * When INTR changes the PIC raises SIGNAL_INTR; it never calls the CPU.
 * Behaviour choices are listed in docs/devices.md.
 */
#ifndef VMXSIM_DEVICES_PIC8259_H
#define VMXSIM_DEVICES_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/io_bus.h"
#include "sim/devices/signals.h"

#define PIC_MASTER_BASE 0x20u
#define PIC_SLAVE_BASE 0xa0u
#define PIC_ELCR_BASE 0x4d0u
#define PIC_CASCADE_IR 2u
#define PIC_IRQ_COUNT 16u

/* One 8259A. */
typedef struct Pic8259 {
    uint8_t irr, isr, imr; /* request, in-service and mask registers */
    uint8_t level;         /* IR7-IR0 input levels */
    uint8_t elcr;          /* inputs the ELCR makes level-triggered */
    uint8_t elcr_writable; /* ELCR bits that are not reserved */
    uint8_t vector_base;   /* ICW2 bits 7:3 */
    uint8_t icw3;          /* master: IRs with a slave; slave: its ID */
    uint8_t lowest;        /* the IR with the lowest priority (7 after ICW1) */
    uint8_t init_step;     /* 0: operational; 2, 3, 4: the ICW expected next */
    bool is_master;
    bool need_icw4, single, ltim; /* ICW1 */
    bool auto_eoi, sfnm;          /* ICW4: automatic EOI, special fully nested mode */
    bool rotate_in_aeoi;          /* OCW2 R=1 SL=0 EOI=0 */
    bool special_mask;            /* OCW3 ESMM/SMM */
    bool read_isr;                /* OCW3 RR/RIS: port 0 reads ISR instead of IRR */
    bool poll;                    /* OCW3 P: the next port 0 read is a poll */
} Pic8259;

typedef struct PicPair {
    Pic8259 master, slave;
    Signals *signals;
    bool intr; /* the INTR output, as last reported with SIGNAL_INTR */
} PicPair;

/* Power-on state: every input masked, not initialised (ICW1 expected). */
void dev_pic_init(PicPair *pic, Signals *signals);
/* Claims 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1. */
bool dev_pic_attach(PicPair *pic, IoBus *bus);
/* Drive input `irq` (0-15); IRQ 2 is the cascade and is ignored.  Matches IrqSetFn. */
void dev_pic_set_irq(void *pic, unsigned irq, bool level);
/* The INTR output. */
bool dev_pic_intr(const PicPair *pic);
/* The interrupt-acknowledge cycle: the vector; IR7 of the chip that has no
 * request left (spurious IRQ 7 or 15), as the 8259A answers. */
int dev_pic_acknowledge(PicPair *pic);
/* Can input `irq` reach INTR: unmasked in its chip's IMR (and, for the
 * slave's inputs, the master's cascade input unmasked)? */
bool dev_pic_irq_unmasked(const PicPair *pic, unsigned irq);
/* What a BIOS leaves (docs/devices.md "Boot state"): vectors 0x08 and 0x70,
 * slave on IR2, every input masked. */
void dev_pic_bios_setup(PicPair *pic);

#endif
