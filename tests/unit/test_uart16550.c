/*
 * Unit tests for the 16550A UART (sim/devices/uart16550.c), driven through
 * the port-I/O bus with no CPU, as a serial driver would drive it.
 */
#include "check_main.h"
#include <stdlib.h>

#include "sim/devices/uart16550.h"
#include "sim/sim.h"

#define COM1 UART_COM1_BASE

typedef struct Sink {
    uint8_t bytes[64];
    size_t n;
} Sink;

static void sink_tx(void *opaque, uint8_t byte) {
    Sink *s = opaque;
    ck_assert_uint_lt(s->n, sizeof(s->bytes));
    s->bytes[s->n++] = byte;
}

typedef struct Rig {
    IoBus bus;
    Uart uart;
    Sink sink;
} Rig;

static void rig_setup(Rig *r) {
    r->sink.n = 0;
    dev_io_bus_init(&r->bus);
    dev_uart_init(&r->uart, sink_tx, &r->sink);
    ck_assert(dev_uart_attach(&r->uart, &r->bus, COM1));
}

static uint8_t uart_in(Rig *r, unsigned offset) {
    return (uint8_t)dev_io_read(&r->bus, (uint16_t)(COM1 + offset), 1);
}

static void uart_out(Rig *r, unsigned offset, uint8_t value) {
    dev_io_write(&r->bus, (uint16_t)(COM1 + offset), 1, value);
}

static void rig_receive(Rig *r, const char *text, size_t n) {
    ck_assert_uint_eq(dev_uart_receive(&r->uart, (const uint8_t *)text, n), n);
}

/* ---- reset, routing, transmit ---- */

START_TEST(test_uart_reset_no_interrupt_transmitter_empty) {
    Rig r;
    rig_setup(&r);
    ck_assert_uint_eq(uart_in(&r, UART_IER), 0);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_NO_INT);
    ck_assert_uint_eq(uart_in(&r, UART_LCR), 0);
    ck_assert_uint_eq(uart_in(&r, UART_MCR), 0);
    ck_assert_uint_eq(uart_in(&r, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    ck_assert_uint_eq(uart_in(&r, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
    ck_assert(!r.uart.irq_level);
}
END_TEST

START_TEST(test_uart_dlab_set_routes_offsets_0_1_to_divisor) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_LCR, UART_LCR_DLAB | 0x03);
    uart_out(&r, UART_DLL, 0x0c);
    uart_out(&r, UART_DLM, 0x01);
    ck_assert_uint_eq(uart_in(&r, UART_DLL), 0x0c);
    ck_assert_uint_eq(uart_in(&r, UART_DLM), 0x01);
    ck_assert_uint_eq(r.sink.n, 0);
    ck_assert_uint_eq(r.uart.ier, 0);
    uart_out(&r, UART_LCR, 0x03);
    ck_assert_uint_eq(uart_in(&r, UART_IER), 0);
}
END_TEST

START_TEST(test_uart_dlab_clear_routes_offset_0_to_thr_sink) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_LCR, UART_LCR_DLAB);
    uart_out(&r, UART_DLL, 0x0c);
    uart_out(&r, UART_LCR, 0x03);
    uart_out(&r, UART_THR, 'h');
    uart_out(&r, UART_THR, 'i');
    ck_assert_uint_eq(r.sink.n, 2);
    ck_assert_uint_eq(r.sink.bytes[0], 'h');
    ck_assert_uint_eq(r.sink.bytes[1], 'i');
    uart_out(&r, UART_LCR, UART_LCR_DLAB);
    ck_assert_uint_eq(uart_in(&r, UART_DLL), 0x0c);
}
END_TEST

START_TEST(test_uart_null_sink_discards_transmit) {
    IoBus bus;
    Uart uart;
    dev_io_bus_init(&bus);
    dev_uart_init(&uart, NULL, NULL);
    ck_assert(dev_uart_attach(&uart, &bus, COM1));
    dev_io_write(&bus, COM1 + UART_THR, 1, 'x');
    ck_assert_uint_eq(dev_io_read(&bus, COM1 + UART_LSR, 1), UART_LSR_THRE | UART_LSR_TEMT);
    ck_assert_uint_eq(uart.rx_count, 0);
}
END_TEST

START_TEST(test_uart_scratch_and_ier_read_back) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_SCR, 0xa5);
    ck_assert_uint_eq(uart_in(&r, UART_SCR), 0xa5);
    uart_out(&r, UART_IER, 0xff);
    ck_assert_uint_eq(uart_in(&r, UART_IER), UART_IER_MASK);
    uart_out(&r, UART_MCR, 0xff);
    ck_assert_uint_eq(uart_in(&r, UART_MCR), UART_MCR_MASK);
}
END_TEST

/* ---- receive ---- */

START_TEST(test_uart_receive_sets_dr_reads_in_order) {
    Rig r;
    rig_setup(&r);
    rig_receive(&r, "ab", 2);
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
    ck_assert_uint_eq(uart_in(&r, UART_RBR), 'a');
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
    ck_assert_uint_eq(uart_in(&r, UART_RBR), 'b');
    ck_assert_uint_eq(uart_in(&r, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
    ck_assert_uint_eq(uart_in(&r, UART_RBR), 0);
}
END_TEST

START_TEST(test_uart_fifo_overflow_drops_counts_sets_oe) {
    Rig r;
    const char *text = "0123456789abcdefXYZW";
    rig_setup(&r);
    ck_assert_uint_eq(dev_uart_receive(&r.uart, (const uint8_t *)text, 20), UART_FIFO_SIZE);
    ck_assert_uint_eq(r.uart.rx_dropped, 4);
    ck_assert_uint_eq(uart_in(&r, UART_LSR),
                      UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_OE, 0);
    for (unsigned i = 0; i < UART_FIFO_SIZE; i++)
        ck_assert_uint_eq(uart_in(&r, UART_RBR), (uint8_t)text[i]);
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_DR, 0);
}
END_TEST

START_TEST(test_uart_fifo_wraps_after_reads_keeps_order) {
    Rig r;
    rig_setup(&r);
    rig_receive(&r, "0123456789abcd", 14);
    for (unsigned i = 0; i < 10; i++)
        (void)uart_in(&r, UART_RBR);
    rig_receive(&r, "efghijkl", 8);
    const char *rest = "abcdefghijkl";
    for (unsigned i = 0; i < 12; i++)
        ck_assert_uint_eq(uart_in(&r, UART_RBR), (uint8_t)rest[i]);
    ck_assert_uint_eq(r.uart.rx_dropped, 0);
}
END_TEST

START_TEST(test_uart_fcr_clear_rx_empties_fifo) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_FCR, UART_FCR_ENABLE);
    rig_receive(&r, "abc", 3);
    uart_out(&r, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_DR, 0);
    rig_receive(&r, "d", 1);
    uart_out(&r, UART_FCR, 0); /* disabling the FIFO clears it too */
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_DR, 0);
}
END_TEST

/* ---- interrupts ---- */

START_TEST(test_uart_ier_zero_iir_no_interrupt) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_MCR, UART_MCR_OUT2);
    uart_out(&r, UART_THR, 'x');
    rig_receive(&r, "y", 1);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_NO_INT);
    ck_assert(!r.uart.irq_level);
}
END_TEST

START_TEST(test_uart_etbei_enabled_iir_thre_cleared_by_read) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_IER, UART_IER_ETBEI);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_THRE);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_NO_INT);
    uart_out(&r, UART_THR, 'x');
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_THRE);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_NO_INT);
}
END_TEST

/* Linux's serial8250_do_startup THRE test: re-enabling ETBEI re-arms THRE,
 * rewriting it while already set does not. */
START_TEST(test_uart_etbei_reenabled_thre_pending_again) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_IER, UART_IER_ETBEI);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_THRE);
    uart_out(&r, UART_IER, UART_IER_ETBEI);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_NO_INT);
    uart_out(&r, UART_IER, 0);
    uart_out(&r, UART_IER, UART_IER_ETBEI);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_THRE);
}
END_TEST

START_TEST(test_uart_iir_thre_not_source_read_keeps_pending) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_IER, UART_IER_ETBEI | UART_IER_ERBFI);
    rig_receive(&r, "a", 1);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_RDA);
    ck_assert_uint_eq(uart_in(&r, UART_RBR), 'a');
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_THRE);
}
END_TEST

/* Every source at once, in loopback: RLS > RDA > THRE > MSI. */
START_TEST(test_uart_iir_all_sources_reported_by_priority) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_MCR, UART_MCR_LOOP); /* CTS, DSR, DCD drop: modem deltas */
    for (unsigned i = 0; i <= UART_FIFO_SIZE; i++)
        uart_out(&r, UART_THR, (uint8_t)i); /* the 17th overruns */
    uart_out(&r, UART_IER, UART_IER_MASK);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_RLS);
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_OE, UART_LSR_OE);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_RDA);
    for (unsigned i = 0; i < UART_FIFO_SIZE; i++)
        ck_assert_uint_eq(uart_in(&r, UART_RBR), i);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_THRE);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_MSI);
    ck_assert_uint_eq(uart_in(&r, UART_MSR), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_NO_INT);
    ck_assert_uint_eq(r.sink.n, 0);
}
END_TEST

START_TEST(test_uart_fcr_enable_iir_fifo_bits_set) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_FCR, UART_FCR_ENABLE);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_FIFO_ENABLED | UART_IIR_NO_INT);
    uart_out(&r, UART_FCR, 0);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_NO_INT);
    uart_out(&r, UART_FCR, 0xc0); /* FCR0 = 0: other bits not programmed */
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_NO_INT);
    ck_assert_uint_eq(r.uart.fcr, 0);
}
END_TEST

START_TEST(test_uart_fifo_below_trigger_cti_at_trigger_rda) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_FCR, UART_FCR_ENABLE | 0x80); /* trigger level 8 */
    uart_out(&r, UART_IER, UART_IER_ERBFI);
    rig_receive(&r, "abc", 3);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_FIFO_ENABLED | UART_IIR_CTI);
    rig_receive(&r, "defgh", 5);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_FIFO_ENABLED | UART_IIR_RDA);
    (void)uart_in(&r, UART_RBR);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_FIFO_ENABLED | UART_IIR_CTI);
}
END_TEST

START_TEST(test_uart_out2_clear_irq_low_set_irq_high) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_IER, UART_IER_ERBFI);
    rig_receive(&r, "a", 1);
    ck_assert(!r.uart.irq_level);
    uart_out(&r, UART_MCR, UART_MCR_OUT2);
    ck_assert(r.uart.irq_level);
    ck_assert_uint_eq(uart_in(&r, UART_RBR), 'a');
    ck_assert(!r.uart.irq_level);
    rig_receive(&r, "b", 1);
    ck_assert(r.uart.irq_level);
}
END_TEST

START_TEST(test_uart_thre_irq_raised_by_enable_lowered_by_iir_read) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_MCR, UART_MCR_OUT2);
    ck_assert(!r.uart.irq_level);
    uart_out(&r, UART_IER, UART_IER_ETBEI);
    ck_assert(r.uart.irq_level);
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_THRE);
    ck_assert(!r.uart.irq_level);
    uart_out(&r, UART_THR, 'z');
    ck_assert(r.uart.irq_level);
}
END_TEST

/* ---- loopback ---- */

START_TEST(test_uart_loopback_thr_reaches_rbr_not_sink) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_MCR, UART_MCR_LOOP);
    uart_out(&r, UART_THR, 0x5a);
    ck_assert_uint_eq(r.sink.n, 0);
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
    ck_assert_uint_eq(uart_in(&r, UART_RBR), 0x5a);
    uart_out(&r, UART_MCR, 0);
    uart_out(&r, UART_THR, 0x5b);
    ck_assert_uint_eq(r.sink.n, 1);
    ck_assert_uint_eq(r.sink.bytes[0], 0x5b);
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & UART_LSR_DR, 0);
}
END_TEST

/* MCR outputs -> MSR inputs in loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
typedef struct LoopLines {
    uint8_t mcr, msr_inputs;
} LoopLines;

static const LoopLines loop_lines[] = {
    {UART_MCR_LOOP, 0x00},
    {UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2, UART_MSR_CTS | UART_MSR_DCD}, /* Linux probe */
    {UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1, UART_MSR_DSR | UART_MSR_RI},
    {UART_MCR_LOOP | 0x0f, 0xf0},
    {0x0f, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD}, /* no loopback: console lines */
};

START_TEST(test_uart_loopback_msr_reflects_mcr) {
    Rig r;
    rig_setup(&r);
    const LoopLines *l = &loop_lines[_i];
    uart_out(&r, UART_MCR, l->mcr);
    ck_assert_uint_eq(uart_in(&r, UART_MSR) & 0xf0, l->msr_inputs);
}
END_TEST

START_TEST(test_uart_loopback_line_changes_set_deltas) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
    (void)uart_in(&r, UART_MSR);
    ck_assert_uint_eq(uart_in(&r, UART_MSR), UART_MSR_RI); /* deltas cleared by read */
    uart_out(&r, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);  /* RI falls, CTS rises */
    ck_assert_uint_eq(uart_in(&r, UART_MSR), UART_MSR_CTS | UART_MSR_DCTS | UART_MSR_TERI);
    uart_out(&r, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT1); /* RI rises */
    ck_assert_uint_eq(uart_in(&r, UART_MSR), UART_MSR_CTS | UART_MSR_RI);
}
END_TEST

START_TEST(test_uart_loopback_external_input_dropped) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_MCR, UART_MCR_LOOP);
    ck_assert_uint_eq(dev_uart_receive(&r.uart, (const uint8_t *)"abc", 3), 0);
    ck_assert_uint_eq(r.uart.rx_dropped, 3);
    ck_assert_uint_eq(uart_in(&r, UART_LSR) & (UART_LSR_DR | UART_LSR_OE), 0);
}
END_TEST

START_TEST(test_uart_loopback_out2_irq_stays_low) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
    uart_out(&r, UART_IER, UART_IER_ERBFI);
    uart_out(&r, UART_THR, 'q');
    ck_assert_uint_eq(uart_in(&r, UART_IIR), UART_IIR_RDA);
    ck_assert(!r.uart.irq_level);
    uart_out(&r, UART_MCR, UART_MCR_OUT2);
    ck_assert(r.uart.irq_level);
}
END_TEST

/* ---- bus attachment and access widths ---- */

START_TEST(test_uart_attach_claims_eight_ports) {
    Rig r;
    Uart other;
    rig_setup(&r);
    dev_uart_init(&other, NULL, NULL);
    ck_assert(!dev_uart_attach(&other, &r.bus, COM1 + 7));
    ck_assert(!dev_uart_attach(&other, &r.bus, COM1 - 7));
    ck_assert(!dev_uart_attach(&other, &r.bus, 0xfff9));
    ck_assert(dev_uart_attach(&other, &r.bus, COM1 + 8));
    ck_assert(dev_uart_attach(&other, &r.bus, COM1 - 8));
    ck_assert_uint_eq(r.uart.base, COM1);
}
END_TEST

START_TEST(test_uart_word_access_splits_into_byte_registers) {
    Rig r;
    rig_setup(&r);
    dev_io_write(&r.bus, COM1 + UART_LCR, 2, 0x0b03);
    ck_assert_uint_eq(uart_in(&r, UART_LCR), 0x03);
    ck_assert_uint_eq(uart_in(&r, UART_MCR), 0x0b);
    ck_assert_uint_eq(dev_io_read(&r.bus, COM1 + UART_LCR, 2), 0x0b03);
    uart_out(&r, UART_SCR, 0x42);
    ck_assert_uint_eq(dev_io_read(&r.bus, COM1 + UART_SCR, 2), 0xff42);
    ck_assert_uint_eq(dev_io_read(&r.bus, COM1 + UART_MSR, 4), 0xffff42b0u);
}
END_TEST

/* The register sequence of Linux's 8250 autoconfig for a 16550A. */
START_TEST(test_uart_linux_probe_sequence_detects_16550a) {
    Rig r;
    rig_setup(&r);
    uart_out(&r, UART_IER, 0);
    ck_assert_uint_eq(uart_in(&r, UART_IER) & 0x0f, 0);
    uart_out(&r, UART_IER, 0x0f);
    ck_assert_uint_eq(uart_in(&r, UART_IER) & 0x0f, 0x0f);
    uart_out(&r, UART_IER, 0);
    uart_out(&r, UART_MCR, UART_MCR_LOOP | 0x0a);
    ck_assert_uint_eq(uart_in(&r, UART_MSR) & 0xf0, 0x90);
    uart_out(&r, UART_MCR, 0);
    uart_out(&r, UART_FCR, UART_FCR_ENABLE);
    ck_assert_uint_eq(uart_in(&r, UART_IIR) >> 6, 3);
    ck_assert_uint_eq(uart_in(&r, UART_IIR) & 0x20, 0); /* no 64-byte FIFO: not a 16750 */
}
END_TEST

static Suite *uart_suite(void) {
    Suite *s = suite_create("uart16550");
    TCase *regs = tcase_create("registers");
    tcase_add_test(regs, test_uart_reset_no_interrupt_transmitter_empty);
    tcase_add_test(regs, test_uart_dlab_set_routes_offsets_0_1_to_divisor);
    tcase_add_test(regs, test_uart_dlab_clear_routes_offset_0_to_thr_sink);
    tcase_add_test(regs, test_uart_null_sink_discards_transmit);
    tcase_add_test(regs, test_uart_scratch_and_ier_read_back);
    tcase_add_test(regs, test_uart_attach_claims_eight_ports);
    tcase_add_test(regs, test_uart_word_access_splits_into_byte_registers);
    tcase_add_test(regs, test_uart_linux_probe_sequence_detects_16550a);
    suite_add_tcase(s, regs);

    TCase *rx = tcase_create("receive");
    tcase_add_test(rx, test_uart_receive_sets_dr_reads_in_order);
    tcase_add_test(rx, test_uart_fifo_overflow_drops_counts_sets_oe);
    tcase_add_test(rx, test_uart_fifo_wraps_after_reads_keeps_order);
    tcase_add_test(rx, test_uart_fcr_clear_rx_empties_fifo);
    suite_add_tcase(s, rx);

    TCase *irq = tcase_create("interrupts");
    tcase_add_test(irq, test_uart_ier_zero_iir_no_interrupt);
    tcase_add_test(irq, test_uart_etbei_enabled_iir_thre_cleared_by_read);
    tcase_add_test(irq, test_uart_etbei_reenabled_thre_pending_again);
    tcase_add_test(irq, test_uart_iir_thre_not_source_read_keeps_pending);
    tcase_add_test(irq, test_uart_iir_all_sources_reported_by_priority);
    tcase_add_test(irq, test_uart_fcr_enable_iir_fifo_bits_set);
    tcase_add_test(irq, test_uart_fifo_below_trigger_cti_at_trigger_rda);
    tcase_add_test(irq, test_uart_out2_clear_irq_low_set_irq_high);
    tcase_add_test(irq, test_uart_thre_irq_raised_by_enable_lowered_by_iir_read);
    suite_add_tcase(s, irq);

    TCase *loop = tcase_create("loopback");
    tcase_add_test(loop, test_uart_loopback_thr_reaches_rbr_not_sink);
    tcase_add_loop_test(loop, test_uart_loopback_msr_reflects_mcr, 0,
                        (int)SIM_ARRAY_SIZE(loop_lines));
    tcase_add_test(loop, test_uart_loopback_line_changes_set_deltas);
    tcase_add_test(loop, test_uart_loopback_external_input_dropped);
    tcase_add_test(loop, test_uart_loopback_out2_irq_stays_low);
    suite_add_tcase(s, loop);
    return s;
}

CHECK_MAIN(uart_suite)
