/* COM1 (16550 UART at 0x3f8), polled. */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#define GUEST_COM1 0x3f8u

/* 8N1, divisor 1 (115200 baud), FIFOs on, interrupts off. */
void guest_serial_init(void);
/* Waits (bounded) for THR empty, then writes c.  No '\n' -> "\r\n" translation. */
void guest_serial_putc(char c);
void guest_serial_puts(const char *s);

#endif
