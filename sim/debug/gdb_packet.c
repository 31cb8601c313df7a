/* GDB remote protocol framing (gdb_packet.h). */
#include "sim/debug/gdb_packet.h"

enum { WAIT, BODY, ESCAPE, CHECK1, CHECK2 };

void gdb_parser_init(GdbParser *p) {
    p->state = WAIT;
    p->len = 0;
    p->overflow = 0;
    p->data[0] = '\0';
}

static int hex_value(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static GdbInput outside(GdbParser *p, uint8_t c) {
    switch (c) {
    case '$':
        p->state = BODY;
        p->len = 0;
        p->sum = 0;
        p->overflow = 0;
        return GDB_IN_NONE;
    case '+':
        return GDB_IN_ACK;
    case '-':
        return GDB_IN_NAK;
    case 0x03:
        return GDB_IN_INTERRUPT;
    default:
        return GDB_IN_NONE; /* noise between packets */
    }
}

static void store(GdbParser *p, uint8_t c) {
    if (p->len < GDB_PACKET_MAX)
        p->data[p->len++] = (char)c;
    else
        p->overflow = 1;
}

static GdbInput finish(GdbParser *p, int digit) {
    p->state = WAIT;
    if (digit < 0 || ((p->check << 4) | digit) != p->sum || p->overflow) return GDB_IN_BAD_PACKET;
    p->data[p->len] = '\0';
    return GDB_IN_PACKET;
}

GdbInput gdb_parser_feed(GdbParser *p, uint8_t c) {
    switch (p->state) {
    case WAIT:
        return outside(p, c);
    case BODY:
        if (c == '#') {
            p->state = CHECK1;
            return GDB_IN_NONE;
        }
        if (c == '$') /* a new packet starts: the old one was truncated */
            return outside(p, c);
        p->sum = (uint8_t)(p->sum + c);
        if (c == '}')
            p->state = ESCAPE;
        else
            store(p, c);
        return GDB_IN_NONE;
    case ESCAPE:
        p->sum = (uint8_t)(p->sum + c);
        store(p, c ^ 0x20);
        p->state = BODY;
        return GDB_IN_NONE;
    case CHECK1: {
        int d = hex_value(c);
        if (d < 0) {
            p->state = WAIT;
            return GDB_IN_BAD_PACKET;
        }
        p->check = (uint8_t)d;
        p->state = CHECK2;
        return GDB_IN_NONE;
    }
    default:
        return finish(p, hex_value(c));
    }
}

size_t gdb_frame(const char *data, size_t len, char *out, size_t outlen) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    uint8_t sum = 0;
    if (outlen < 4) return 0;
    out[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)data[i];
        bool esc = c == '$' || c == '#' || c == '}' || c == '*';
        if (n + (esc ? 2 : 1) + 3 > outlen) return 0;
        if (esc) {
            out[n++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        out[n++] = (char)c;
        sum = (uint8_t)(sum + c);
    }
    out[n++] = '#';
    out[n++] = hex[sum >> 4];
    out[n++] = hex[sum & 15];
    return n;
}

void gdb_hex_encode(const uint8_t *in, size_t len, char *out) {
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * len] = '\0';
}

bool gdb_hex_decode(const char *in, size_t len, uint8_t *out) {
    for (size_t i = 0; i < len; i++) {
        int hi = hex_value((uint8_t)in[2 * i]),
            lo = hi < 0 ? -1 : hex_value((uint8_t)in[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}
