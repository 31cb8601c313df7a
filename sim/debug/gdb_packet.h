/*
 * The GDB remote serial protocol's framing (GDB manual, "Remote Protocol",
 * "Overview"): packets "$data#cs" with a two-digit hex checksum (the sum of
 * the data bytes modulo 256), '}' escaping the next byte XOR 0x20, the
 * acknowledgments '+' and '-', and the interrupt byte 0x03.  The parser
 * takes untrusted bytes one at a time: malformed, oversized or truncated
 * packets never overflow its buffer (tests/unit/test_gdb_packet.c).
 */
#ifndef VMXSIM_DEBUG_GDB_PACKET_H
#define VMXSIM_DEBUG_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_PACKET_MAX 16384 /* advertised as PacketSize; longer ones are refused */

typedef enum GdbInput {
    GDB_IN_NONE,       /* nothing complete yet */
    GDB_IN_PACKET,     /* a packet with a good checksum: p->data[0..p->len) */
    GDB_IN_ACK,        /* '+' */
    GDB_IN_NAK,        /* '-': resend the last reply */
    GDB_IN_INTERRUPT,  /* 0x03 outside a packet */
    GDB_IN_BAD_PACKET, /* bad checksum, bad hex digit or too long: answer '-' */
} GdbInput;

typedef struct GdbParser {
    int state;
    uint8_t sum, check;
    size_t len;
    int overflow;
    char data[GDB_PACKET_MAX + 1]; /* NUL-terminated on GDB_IN_PACKET */
} GdbParser;

void gdb_parser_init(GdbParser *p);
GdbInput gdb_parser_feed(GdbParser *p, uint8_t byte);

/* "$data#cs" into out, escaping '$', '#', '}' and '*'; the framed length,
 * or 0 when out is too small. */
size_t gdb_frame(const char *data, size_t len, char *out, size_t outlen);

/* Hex helpers: bytes <-> two hex digits per byte. */
void gdb_hex_encode(const uint8_t *in, size_t len, char *out);
/* false on a non-hex digit; len is the byte count (2 * len digits). */
bool gdb_hex_decode(const char *in, size_t len, uint8_t *out);

#endif
