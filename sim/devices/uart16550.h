/*
 * 16550A UART (National Semiconductor / TI PC16550D datasheet), as wired on
 * a PC: COM1 at ports 0x3f8-0x3ff, IRQ 4, the IRQ pin gated by MCR.OUT2.
 *
 * The device has no clock: a byte written to THR is transmitted at once
 * (THR and the transmitter are always empty), and received bytes are queued
 * by the front-end with dev_uart_receive().  The interrupt output is the
 * plain field `irq_level`, sampled by the interrupt controller; the UART
 * never calls the CPU.  Behaviour choices are listed in docs/devices.md.
 */
#ifndef VMXSIM_DEVICES_UART16550_H
#define VMXSIM_DEVICES_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/devices/io_bus.h"

#define UART_COM1_BASE 0x3f8u
#define UART_COM1_IRQ 4u
#define UART_PORT_COUNT 8u
#define UART_FIFO_SIZE 16u

/* Register offsets from the base port. */
enum {
    UART_RBR = 0, /* receiver buffer (read, DLAB=0) */
    UART_THR = 0, /* transmitter holding (write, DLAB=0) */
    UART_DLL = 0, /* divisor latch LSB (DLAB=1) */
    UART_IER = 1, /* interrupt enable (DLAB=0) */
    UART_DLM = 1, /* divisor latch MSB (DLAB=1) */
    UART_IIR = 2, /* interrupt identification (read) */
    UART_FCR = 2, /* FIFO control (write) */
    UART_LCR = 3, /* line control */
    UART_MCR = 4, /* modem control */
    UART_LSR = 5, /* line status */
    UART_MSR = 6, /* modem status */
    UART_SCR = 7, /* scratch */
};

enum {
    UART_IER_ERBFI = 1u << 0, /* received data available */
    UART_IER_ETBEI = 1u << 1, /* transmitter holding register empty */
    UART_IER_ELSI = 1u << 2,  /* receiver line status */
    UART_IER_EDSSI = 1u << 3, /* modem status */
    UART_IER_MASK = 0x0fu,
};

/* IIR bits 3:0 name the pending source, highest priority first. */
enum {
    UART_IIR_NO_INT = 0x01u, /* bit 0 = 1: nothing pending */
    UART_IIR_RLS = 0x06u,    /* receiver line status */
    UART_IIR_RDA = 0x04u,    /* received data available */
    UART_IIR_CTI = 0x0cu,    /* character timeout (FIFO mode) */
    UART_IIR_THRE = 0x02u,   /* transmitter holding register empty */
    UART_IIR_MSI = 0x00u,    /* modem status */
    UART_IIR_FIFO_ENABLED = 0xc0u,
};

enum {
    UART_FCR_ENABLE = 1u << 0,
    UART_FCR_CLEAR_RX = 1u << 1,
    UART_FCR_CLEAR_TX = 1u << 2,
    UART_FCR_DMA_MODE = 1u << 3,
    UART_FCR_TRIGGER_MASK = 0xc0u, /* 1, 4, 8 or 14 bytes */
};

enum { UART_LCR_DLAB = 1u << 7 };

enum {
    UART_MCR_DTR = 1u << 0,
    UART_MCR_RTS = 1u << 1,
    UART_MCR_OUT1 = 1u << 2,
    UART_MCR_OUT2 = 1u << 3,
    UART_MCR_LOOP = 1u << 4,
    UART_MCR_MASK = 0x1fu,
};

enum {
    UART_LSR_DR = 1u << 0,   /* data ready */
    UART_LSR_OE = 1u << 1,   /* overrun error */
    UART_LSR_THRE = 1u << 5, /* transmitter holding register empty */
    UART_LSR_TEMT = 1u << 6, /* transmitter empty */
};

enum {
    UART_MSR_DCTS = 1u << 0,
    UART_MSR_DDSR = 1u << 1,
    UART_MSR_TERI = 1u << 2,
    UART_MSR_DDCD = 1u << 3,
    UART_MSR_CTS = 1u << 4,
    UART_MSR_DSR = 1u << 5,
    UART_MSR_RI = 1u << 6,
    UART_MSR_DCD = 1u << 7,
};

typedef void (*UartTxFn)(void *opaque, uint8_t byte);

typedef struct Uart {
    /* Architectural registers. */
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t fcr;       /* FIFO enable, DMA mode and trigger bits as last written */
    uint8_t msr_delta; /* MSR bits 3:0; cleared by reading MSR */
    bool overrun;      /* LSR.OE; cleared by reading LSR */
    bool thre_pending; /* THRE interrupt pending */
    uint8_t rx_fifo[UART_FIFO_SIZE];
    unsigned rx_head, rx_count;
    /* Output line: an interrupt is pending and MCR.OUT2 enables the IRQ pin. */
    bool irq_level;
    /* Bookkeeping. */
    uint64_t rx_dropped; /* bytes given to dev_uart_receive that were not queued */
    uint16_t base;
    UartTxFn tx; /* NULL: transmitted bytes are discarded */
    void *tx_opaque;
} Uart;

/* Power-on reset state; tx receives every transmitted byte (not in loopback). */
void dev_uart_init(Uart *uart, UartTxFn tx, void *opaque);
/* Claims base..base+7; false if the bus refuses the range. */
bool dev_uart_attach(Uart *uart, IoBus *bus, uint16_t base);
/* Queues bytes at the serial input; returns how many were queued.  Bytes that
 * do not fit the receive FIFO set LSR.OE; they and bytes sent while the
 * serial input is disconnected (loopback) are counted in rx_dropped. */
size_t dev_uart_receive(Uart *uart, const uint8_t *bytes, size_t n);

#endif
