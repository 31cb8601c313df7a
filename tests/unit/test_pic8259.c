/* Unit tests for the 8259A PIC pair (sim/devices/pic8259.c), driven
 * through its ports with no CPU. */
#include "check_main.h"

#include "sim/devices/pic8259.h"

typedef struct Rig {
    IoBus bus;
    Signals signals;
    PicPair pic;
} Rig;

static void out8(Rig *r, uint16_t port, uint8_t v) {
    dev_io_write(&r->bus, port, 1, v);
}
static uint8_t in8(Rig *r, uint16_t port) {
    return (uint8_t)dev_io_read(&r->bus, port, 1);
}

/* ICW1-ICW4 as a PC operating system programs them: master at `mbase`,
 * slave at `sbase` on IR2, 8086 mode, then the masks. */
static void rig_init(Rig *r, uint8_t mbase, uint8_t sbase, uint8_t mmask, uint8_t smask) {
    dev_io_bus_init(&r->bus);
    r->signals = (Signals){0};
    dev_pic_init(&r->pic, &r->signals);
    ck_assert(dev_pic_attach(&r->pic, &r->bus));
    out8(r, 0x20, 0x11), out8(r, 0x21, mbase), out8(r, 0x21, 0x04), out8(r, 0x21, 0x01);
    out8(r, 0xa0, 0x11), out8(r, 0xa1, sbase), out8(r, 0xa1, 0x02), out8(r, 0xa1, 0x01);
    out8(r, 0x21, mmask), out8(r, 0xa1, smask);
    r->signals.pending = 0;
}

static uint8_t read_isr(Rig *r, uint16_t base) {
    out8(r, base, 0x0b); /* OCW3: read ISR */
    uint8_t v = in8(r, base);
    out8(r, base, 0x0a); /* back to IRR */
    return v;
}

START_TEST(test_pic_power_on_masked_no_intr) {
    Rig r;
    dev_io_bus_init(&r.bus);
    r.signals = (Signals){0};
    dev_pic_init(&r.pic, &r.signals);
    ck_assert(dev_pic_attach(&r.pic, &r.bus));
    ck_assert_uint_eq(in8(&r, 0x21), 0xff);
    ck_assert_uint_eq(in8(&r, 0xa1), 0xff);
    dev_pic_set_irq(&r.pic, 0, true);
    ck_assert(!dev_pic_intr(&r.pic));
    ck_assert_uint_eq(r.signals.pending, 0);
}
END_TEST

START_TEST(test_pic_irq0_edge_delivers_vector_and_eoi_clears) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0xfe, 0xff);
    dev_pic_set_irq(&r.pic, 0, true);
    ck_assert(dev_pic_intr(&r.pic));
    ck_assert_uint_eq(r.signals.pending, SIGNAL_INTR);
    ck_assert_uint_eq(in8(&r, 0x20) & 1, 1); /* IRR */
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x20);
    ck_assert(!dev_pic_intr(&r.pic));
    ck_assert_uint_eq(read_isr(&r, 0x20), 0x01);
    ck_assert_uint_eq(in8(&r, 0x20), 0); /* IRR cleared by the acknowledge */
    out8(&r, 0x20, 0x20);                /* non-specific EOI */
    ck_assert_uint_eq(read_isr(&r, 0x20), 0);
    /* The line is still high: no new edge, no new request. */
    ck_assert(!dev_pic_intr(&r.pic));
    dev_pic_set_irq(&r.pic, 0, false);
    dev_pic_set_irq(&r.pic, 0, true);
    ck_assert(dev_pic_intr(&r.pic));
}
END_TEST

START_TEST(test_pic_priority_and_nesting) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0x00, 0xff);
    dev_pic_set_irq(&r.pic, 3, true);
    dev_pic_set_irq(&r.pic, 1, true);
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x21); /* IR1 first */
    ck_assert(!dev_pic_intr(&r.pic));                    /* IR3 waits for IR1's EOI */
    dev_pic_set_irq(&r.pic, 0, true);
    ck_assert(dev_pic_intr(&r.pic)); /* IR0 nests above IR1 */
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x20);
    out8(&r, 0x20, 0x20); /* EOI: IR0 */
    ck_assert(!dev_pic_intr(&r.pic));
    out8(&r, 0x20, 0x61); /* specific EOI: IR1 */
    ck_assert(dev_pic_intr(&r.pic));
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x23);
}
END_TEST

START_TEST(test_pic_mask_holds_request_until_unmasked) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0xff, 0xff);
    dev_pic_set_irq(&r.pic, 4, true);
    ck_assert(!dev_pic_intr(&r.pic));
    out8(&r, 0x21, 0xef);
    ck_assert(dev_pic_intr(&r.pic));
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x24);
}
END_TEST

START_TEST(test_pic_cascade_slave_vector_and_both_isr) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0xfb, 0xfb);
    dev_pic_set_irq(&r.pic, 10, true);
    ck_assert(dev_pic_intr(&r.pic));
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x2a);
    ck_assert_uint_eq(read_isr(&r, 0x20), 0x04);
    ck_assert_uint_eq(read_isr(&r, 0xa0), 0x04);
    out8(&r, 0xa0, 0x20), out8(&r, 0x20, 0x20);
    ck_assert_uint_eq(read_isr(&r, 0x20), 0);
    ck_assert_uint_eq(read_isr(&r, 0xa0), 0);
}
END_TEST

/* A level-triggered (ELCR) request that goes away before the acknowledge:
 * the master answers IR7 and sets no ISR bit. */
START_TEST(test_pic_spurious_irq7) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0x00, 0xff);
    out8(&r, 0x4d0, 0x20); /* IRQ 5 level-triggered */
    ck_assert_uint_eq(in8(&r, 0x4d0), 0x20);
    dev_pic_set_irq(&r.pic, 5, true);
    ck_assert(dev_pic_intr(&r.pic));
    dev_pic_set_irq(&r.pic, 5, false);
    ck_assert(!dev_pic_intr(&r.pic));
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x27);
    ck_assert_uint_eq(read_isr(&r, 0x20), 0);
}
END_TEST

/* The slave's request is masked after the master latched IR2: the slave
 * answers its IR7 (IRQ 15) and only the master's ISR bit 2 is set. */
START_TEST(test_pic_spurious_irq15) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0xfb, 0xfe);
    dev_pic_set_irq(&r.pic, 8, true);
    ck_assert(dev_pic_intr(&r.pic));
    out8(&r, 0xa1, 0xff);
    ck_assert(dev_pic_intr(&r.pic));
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x2f);
    ck_assert_uint_eq(read_isr(&r, 0x20), 0x04);
    ck_assert_uint_eq(read_isr(&r, 0xa0), 0);
}
END_TEST

START_TEST(test_pic_elcr_reserved_bits_read_zero) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0xff, 0xff);
    out8(&r, 0x4d0, 0xff), out8(&r, 0x4d1, 0xff);
    ck_assert_uint_eq(in8(&r, 0x4d0), 0xf8);
    ck_assert_uint_eq(in8(&r, 0x4d1), 0xde);
    ck_assert_uint_eq(dev_io_read(&r.bus, 0x4d0, 2), 0xdef8);
}
END_TEST

START_TEST(test_pic_auto_eoi_sets_no_isr) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0xff, 0xff);
    out8(&r, 0x20, 0x11), out8(&r, 0x21, 0x40), out8(&r, 0x21, 0x04), out8(&r, 0x21, 0x03);
    out8(&r, 0x21, 0xfd);
    dev_pic_set_irq(&r.pic, 1, true);
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x41);
    ck_assert_uint_eq(read_isr(&r, 0x20), 0);
}
END_TEST

/* OCW2 "rotate on non-specific EOI": the serviced IR becomes the lowest. */
START_TEST(test_pic_rotate_on_eoi) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0x00, 0xff);
    dev_pic_set_irq(&r.pic, 1, true);
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x21);
    out8(&r, 0x20, 0xa0); /* rotate on non-specific EOI: IR1 lowest */
    dev_pic_set_irq(&r.pic, 1, false);
    dev_pic_set_irq(&r.pic, 1, true);
    dev_pic_set_irq(&r.pic, 6, true);
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x26); /* IR6 now above IR1 */
}
END_TEST

START_TEST(test_pic_poll_command) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0x00, 0xff);
    out8(&r, 0x20, 0x0c); /* OCW3 poll */
    ck_assert_uint_eq(in8(&r, 0x20), 0x00);
    dev_pic_set_irq(&r.pic, 3, true);
    out8(&r, 0x20, 0x0c);
    ck_assert_uint_eq(in8(&r, 0x20), 0x83);
    ck_assert_uint_eq(read_isr(&r, 0x20), 0x08);
}
END_TEST

/* Special mask mode: a masked in-service level no longer blocks lower ones. */
START_TEST(test_pic_special_mask_mode) {
    Rig r;
    rig_init(&r, 0x20, 0x28, 0x00, 0xff);
    dev_pic_set_irq(&r.pic, 1, true);
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x21);
    dev_pic_set_irq(&r.pic, 5, true);
    ck_assert(!dev_pic_intr(&r.pic));
    out8(&r, 0x21, 0x02); /* mask IR1 */
    out8(&r, 0x20, 0x68); /* OCW3: set special mask mode */
    ck_assert(dev_pic_intr(&r.pic));
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x25);
}
END_TEST

START_TEST(test_pic_bios_setup_vectors) {
    Rig r;
    dev_io_bus_init(&r.bus);
    r.signals = (Signals){0};
    dev_pic_init(&r.pic, &r.signals);
    ck_assert(dev_pic_attach(&r.pic, &r.bus));
    dev_pic_bios_setup(&r.pic);
    ck_assert_uint_eq(in8(&r, 0x21), 0xff);
    out8(&r, 0x21, 0xfa), out8(&r, 0xa1, 0xfe);
    dev_pic_set_irq(&r.pic, 8, true);
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x70);
    dev_pic_set_irq(&r.pic, 0, true);
    ck_assert(dev_pic_intr(&r.pic)); /* IR0 nests above the cascade in service */
    ck_assert_int_eq(dev_pic_acknowledge(&r.pic), 0x08);
}
END_TEST

static Suite *pic_suite(void) {
    Suite *s = suite_create("pic8259");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_pic_power_on_masked_no_intr);
    tcase_add_test(tc, test_pic_irq0_edge_delivers_vector_and_eoi_clears);
    tcase_add_test(tc, test_pic_priority_and_nesting);
    tcase_add_test(tc, test_pic_mask_holds_request_until_unmasked);
    tcase_add_test(tc, test_pic_cascade_slave_vector_and_both_isr);
    tcase_add_test(tc, test_pic_spurious_irq7);
    tcase_add_test(tc, test_pic_spurious_irq15);
    tcase_add_test(tc, test_pic_elcr_reserved_bits_read_zero);
    tcase_add_test(tc, test_pic_auto_eoi_sets_no_isr);
    tcase_add_test(tc, test_pic_rotate_on_eoi);
    tcase_add_test(tc, test_pic_poll_command);
    tcase_add_test(tc, test_pic_special_mask_mode);
    tcase_add_test(tc, test_pic_bios_setup_vectors);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(pic_suite)
