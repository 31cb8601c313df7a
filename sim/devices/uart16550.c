/*
 * 16550A UART (uart16550.h).  Register behaviour follows the PC16550D
 * datasheet; where the device has no clock, the choice is written down here
 * and in docs/devices.md.
 */
#include "sim/devices/uart16550.h"

/* Modem inputs when nothing is in loopback: a host console that is always
 * ready (CTS, DSR and DCD asserted, RI not). */
#define UART_MSR_IDLE_INPUTS (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

void dev_uart_init(Uart *uart, UartTxFn tx, void *opaque) {
    *uart = (Uart){.tx = tx, .tx_opaque = opaque};
}

/* ---- receive FIFO ---- */

static bool uart_rx_push(Uart *u, uint8_t byte) {
    if (u->rx_count == UART_FIFO_SIZE) {
        u->overrun = true;
        u->rx_dropped++;
        return false;
    }
    u->rx_fifo[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
    u->rx_count++;
    return true;
}

/* Reading RBR with nothing received returns 0 (hardware returns a stale byte). */
static uint8_t uart_rx_pop(Uart *u) {
    if (u->rx_count == 0) return 0;
    uint8_t byte = u->rx_fifo[u->rx_head];
    u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
    u->rx_count--;
    return byte;
}

static void uart_rx_clear(Uart *u) {
    u->rx_head = 0;
    u->rx_count = 0;
}

/* FCR bits 7:6 select the receive trigger level: 1, 4, 8 or 14 bytes. */
static unsigned uart_rx_trigger(const Uart *u) {
    static const unsigned levels[4] = {1, 4, 8, 14};
    return levels[(u->fcr & UART_FCR_TRIGGER_MASK) >> 6];
}

/* ---- modem lines ---- */

/* MSR bits 7:4.  In loopback the inputs are wired to the MCR outputs:
 * RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD (PC16550D, MCR bit 4). */
static uint8_t uart_modem_inputs(uint8_t mcr) {
    if (!(mcr & UART_MCR_LOOP)) return UART_MSR_IDLE_INPUTS;
    uint8_t in = 0;
    in |= (mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0;
    in |= (mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0;
    in |= (mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0;
    in |= (mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0;
    return in;
}

/* MSR bits 3:0: DCTS, DDSR, DDCD on any change; TERI when RI goes low. */
static uint8_t uart_modem_deltas(uint8_t before, uint8_t after) {
    uint8_t changed = (uint8_t)(before ^ after);
    uint8_t deltas = (uint8_t)((changed >> 4) & (UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD));
    if ((before & UART_MSR_RI) && !(after & UART_MSR_RI)) deltas |= UART_MSR_TERI;
    return deltas;
}

/* ---- interrupts ---- */

static uint8_t uart_rx_source(const Uart *u) {
    if (!(u->fcr & UART_FCR_ENABLE) || u->rx_count >= uart_rx_trigger(u)) return UART_IIR_RDA;
    /* Below the trigger level the datasheet raises the character timeout
     * after four character times; with no clock it is raised at once. */
    return UART_IIR_CTI;
}

/* The highest-priority enabled source, or UART_IIR_NO_INT (PC16550D table 4). */
static uint8_t uart_pending_source(const Uart *u) {
    if ((u->ier & UART_IER_ELSI) && u->overrun) return UART_IIR_RLS;
    if ((u->ier & UART_IER_ERBFI) && u->rx_count > 0) return uart_rx_source(u);
    if ((u->ier & UART_IER_ETBEI) && u->thre_pending) return UART_IIR_THRE;
    if ((u->ier & UART_IER_EDSSI) && u->msr_delta != 0) return UART_IIR_MSI;
    return UART_IIR_NO_INT;
}

/* On a PC, OUT2 enables the IRQ pin's buffer; loopback forces the OUT2 pin
 * inactive (PC16550D, MCR bit 4), so the IRQ is off in loopback. */
static void uart_update_irq(Uart *u) {
    bool pending = uart_pending_source(u) != UART_IIR_NO_INT;
    bool pin_enabled = (u->mcr & UART_MCR_OUT2) && !(u->mcr & UART_MCR_LOOP);
    u->irq_level = pending && pin_enabled;
}

/* ---- register reads ---- */

static uint8_t uart_read_iir(Uart *u) {
    uint8_t source = uart_pending_source(u);
    if (source == UART_IIR_THRE)
        u->thre_pending = false; /* reading IIR clears THRE when it is the source */
    return (uint8_t)(source | ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO_ENABLED : 0));
}

/* THR and the transmitter are always empty: a write is sent at once. */
static uint8_t uart_read_lsr(Uart *u) {
    uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT;
    lsr |= u->rx_count > 0 ? UART_LSR_DR : 0;
    lsr |= u->overrun ? UART_LSR_OE : 0;
    u->overrun = false;
    return lsr;
}

static uint8_t uart_read_msr(Uart *u) {
    uint8_t msr = (uint8_t)(uart_modem_inputs(u->mcr) | u->msr_delta);
    u->msr_delta = 0;
    return msr;
}

static uint8_t uart_read_reg(Uart *u, unsigned offset) {
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (offset) {
    case UART_RBR:
        return dlab ? u->dll : uart_rx_pop(u);
    case UART_IER:
        return dlab ? u->dlm : u->ier;
    case UART_IIR:
        return uart_read_iir(u);
    case UART_LCR:
        return u->lcr;
    case UART_MCR:
        return u->mcr;
    case UART_LSR:
        return uart_read_lsr(u);
    case UART_MSR:
        return uart_read_msr(u);
    default:
        return u->scr;
    }
}

/* ---- register writes ---- */

/* Writing THR clears the THRE interrupt; the byte leaves at once, so THR is
 * empty again and the THRE interrupt is pending again. */
static void uart_write_thr(Uart *u, uint8_t byte) {
    if (u->mcr & UART_MCR_LOOP)
        (void)uart_rx_push(u, byte);
    else if (u->tx != NULL)
        u->tx(u->tx_opaque, byte);
    u->thre_pending = true;
}

/* Setting ETBEI while THR is empty (always) makes THRE pending. */
static void uart_write_ier(Uart *u, uint8_t value) {
    uint8_t newly_enabled = (uint8_t)(value & ~u->ier);
    u->ier = value & UART_IER_MASK;
    if (newly_enabled & UART_IER_ETBEI) u->thre_pending = true;
}

/* FCR0 must be 1 for the other bits to be programmed; changing FCR0 clears
 * the FIFOs; bits 1 and 2 clear them and self-clear (PC16550D, FCR). */
static void uart_write_fcr(Uart *u, uint8_t value) {
    bool enable = value & UART_FCR_ENABLE;
    bool toggled = enable != (bool)(u->fcr & UART_FCR_ENABLE);
    if (toggled || (enable && (value & UART_FCR_CLEAR_RX))) uart_rx_clear(u);
    u->fcr = enable ? value & (UART_FCR_ENABLE | UART_FCR_DMA_MODE | UART_FCR_TRIGGER_MASK) : 0;
}

static void uart_write_mcr(Uart *u, uint8_t value) {
    uint8_t before = uart_modem_inputs(u->mcr);
    u->mcr = value & UART_MCR_MASK;
    u->msr_delta |= uart_modem_deltas(before, uart_modem_inputs(u->mcr));
}

static void uart_write_reg(Uart *u, unsigned offset, uint8_t value) {
    bool dlab = u->lcr & UART_LCR_DLAB;
    switch (offset) {
    case UART_THR:
        if (dlab)
            u->dll = value;
        else
            uart_write_thr(u, value);
        break;
    case UART_IER:
        if (dlab)
            u->dlm = value;
        else
            uart_write_ier(u, value);
        break;
    case UART_FCR:
        uart_write_fcr(u, value);
        break;
    case UART_LCR:
        u->lcr = value;
        break;
    case UART_MCR:
        uart_write_mcr(u, value);
        break;
    case UART_SCR:
        u->scr = value;
        break;
    default: /* LSR and MSR: writes ignored */
        break;
    }
}

/* ---- bus callbacks: an access wider than a byte is split into byte
 * accesses to consecutive registers, as an ISA bus does; bytes past the
 * eighth register read all-ones and are dropped. ---- */

static uint32_t uart_io_read(void *opaque, uint16_t port, unsigned size) {
    Uart *u = opaque;
    uint32_t value = 0;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned offset = (unsigned)port + i - u->base;
        uint32_t byte = offset < UART_PORT_COUNT ? uart_read_reg(u, offset) : 0xffu;
        value |= byte << (8 * i);
    }
    uart_update_irq(u);
    return value;
}

static void uart_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    Uart *u = opaque;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned offset = (unsigned)port + i - u->base;
        if (offset < UART_PORT_COUNT) uart_write_reg(u, offset, (uint8_t)(value >> (8 * i)));
    }
    uart_update_irq(u);
}

bool dev_uart_attach(Uart *uart, IoBus *bus, uint16_t base) {
    if (base > UINT16_MAX - (UART_PORT_COUNT - 1)) return false;
    uint16_t last = (uint16_t)(base + UART_PORT_COUNT - 1);
    if (!dev_io_bus_claim(bus, base, last, uart_io_read, uart_io_write, uart)) return false;
    uart->base = base;
    return true;
}

/* In loopback the serial input is disconnected from the receiver. */
size_t dev_uart_receive(Uart *uart, const uint8_t *bytes, size_t n) {
    size_t queued = 0;
    if (uart->mcr & UART_MCR_LOOP) {
        uart->rx_dropped += n;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        queued += uart_rx_push(uart, bytes[i]) ? 1 : 0;
    uart_update_irq(uart);
    return queued;
}
