/* COM1 output through the 16550 UART registers (polled, no interrupts). */
#include "guest/serial.h"
#include "guest/io.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear RX and TX */
#define MCR_DTR_RTS 0x03
#define LSR_THRE 0x20

/* A real UART drains a byte in ~87 us at 115200 baud; give up well after that. */
#define THRE_POLL_LIMIT 100000

void guest_serial_init(void) {
    outb(GUEST_COM1 + UART_IER, 0);
    outb(GUEST_COM1 + UART_LCR, LCR_DLAB);
    outb(GUEST_COM1 + UART_DLL, 1);
    outb(GUEST_COM1 + UART_DLM, 0);
    outb(GUEST_COM1 + UART_LCR, LCR_8N1);
    outb(GUEST_COM1 + UART_FCR, FCR_ENABLE_CLEAR);
    outb(GUEST_COM1 + UART_MCR, MCR_DTR_RTS);
}

void guest_serial_putc(char c) {
    for (int i = 0; i < THRE_POLL_LIMIT; i++) {
        if (inb(GUEST_COM1 + UART_LSR) & LSR_THRE) break;
    }
    outb(GUEST_COM1 + UART_THR, (uint8_t)c);
}

void guest_serial_puts(const char *s) {
    while (*s)
        guest_serial_putc(*s++);
}
