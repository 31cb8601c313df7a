/*
 * The GDB stub's untrusted input (sim/debug/gdb_packet.h, gdb_commands.c):
 * well-formed packets round-trip; bad checksums, bad hex digits, oversized
 * and truncated packets are refused without touching memory outside the
 * parser (run under ASan); random byte streams and random packets never
 * crash the parser or the packet handlers.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "sim/debug/gdb_stub.h"
#include "test_support.h"

/* Feed a string; the last non-NONE result. */
static GdbInput feed(GdbParser *p, const char *s, size_t n) {
    GdbInput last = GDB_IN_NONE;
    for (size_t i = 0; i < n; i++) {
        GdbInput r = gdb_parser_feed(p, (uint8_t)s[i]);
        if (r != GDB_IN_NONE) last = r;
    }
    return last;
}

static GdbInput feed_str(GdbParser *p, const char *s) {
    return feed(p, s, strlen(s));
}

/* Deterministic xorshift64 (no host randomness in tests). */
static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(test_gdb_packet_good_checksum_parsed) {
    static GdbParser p;
    gdb_parser_init(&p);
    ck_assert_int_eq(feed_str(&p, "$m1000,4#8e"), GDB_IN_PACKET); /* the bytes sum to 0x18e */
    ck_assert_str_eq(p.data, "m1000,4");
    ck_assert_uint_eq(p.len, 7);
}
END_TEST

START_TEST(test_gdb_packet_bad_checksum_refused) {
    static GdbParser p;
    gdb_parser_init(&p);
    ck_assert_int_eq(feed_str(&p, "$m1000,4#8f"), GDB_IN_BAD_PACKET);
    ck_assert_int_eq(feed_str(&p, "$g#6z"), GDB_IN_BAD_PACKET); /* not a hex digit */
    ck_assert_int_eq(feed_str(&p, "$g#x7"), GDB_IN_BAD_PACKET);
    ck_assert_int_eq(feed_str(&p, "$g#67"), GDB_IN_PACKET); /* and the parser recovers */
}
END_TEST

START_TEST(test_gdb_packet_acks_and_interrupt) {
    static GdbParser p;
    gdb_parser_init(&p);
    ck_assert_int_eq(feed_str(&p, "+"), GDB_IN_ACK);
    ck_assert_int_eq(feed_str(&p, "-"), GDB_IN_NAK);
    ck_assert_int_eq(feed_str(&p, "\x03"), GDB_IN_INTERRUPT);
    ck_assert_int_eq(feed_str(&p, "garbage"), GDB_IN_NONE);
}
END_TEST

START_TEST(test_gdb_packet_escape_decoded) {
    static GdbParser p;
    char framed[64];
    gdb_parser_init(&p);
    size_t n = gdb_frame("a#b$c}d*e", 9, framed, sizeof(framed));
    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(feed(&p, framed, n), GDB_IN_PACKET);
    ck_assert_str_eq(p.data, "a#b$c}d*e");
}
END_TEST

START_TEST(test_gdb_packet_truncated_then_resynced) {
    static GdbParser p;
    gdb_parser_init(&p);
    ck_assert_int_eq(feed_str(&p, "$m10"), GDB_IN_NONE);    /* cut short ... */
    ck_assert_int_eq(feed_str(&p, "$g#67"), GDB_IN_PACKET); /* ... a new packet starts */
    ck_assert_str_eq(p.data, "g");
    ck_assert_int_eq(feed_str(&p, "$g}"), GDB_IN_NONE);    /* cut inside an escape: */
    ck_assert_int_eq(feed_str(&p, "##07"), GDB_IN_PACKET); /* the first '#' is data */
    ck_assert_uint_eq(p.len, 2);
    ck_assert_int_eq(p.data[1], '#' ^ 0x20);
}
END_TEST

START_TEST(test_gdb_packet_oversized_refused) {
    static GdbParser p;
    static char big[GDB_PACKET_MAX + 100];
    gdb_parser_init(&p);
    memset(big, 'A', sizeof(big));
    ck_assert_int_eq(gdb_parser_feed(&p, '$'), GDB_IN_NONE);
    ck_assert_int_eq(feed(&p, big, sizeof(big)), GDB_IN_NONE);
    ck_assert_uint_le(p.len, GDB_PACKET_MAX);
    ck_assert_int_eq(feed_str(&p, "#00"), GDB_IN_BAD_PACKET);
}
END_TEST

/* Any data up to the packet size frames and parses back unchanged. */
START_TEST(test_gdb_packet_frame_round_trip) {
    static GdbParser p;
    static char data[GDB_PACKET_MAX], framed[2 * GDB_PACKET_MAX + 8];
    uint64_t seed = 0x9e3779b97f4a7c15ull + (uint64_t)_i;
    size_t len = (size_t)(next_random(&seed) % GDB_PACKET_MAX);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)(1 + next_random(&seed) % 255); /* no NUL: packets are strings */
    gdb_parser_init(&p);
    size_t n = gdb_frame(data, len, framed, sizeof(framed));
    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(feed(&p, framed, n), GDB_IN_PACKET);
    ck_assert_uint_eq(p.len, len);
    ck_assert(memcmp(p.data, data, len) == 0);
}
END_TEST

/* Random bytes, biased to the framing characters: no crash, no overflow. */
START_TEST(test_gdb_packet_fuzz_parser) {
    static GdbParser p;
    static const char special[] = "$#}*+-\x03"
                                  "0123456789abcdef";
    uint64_t seed = 0x1234567ull + (uint64_t)_i;
    gdb_parser_init(&p);
    for (unsigned i = 0; i < 200000; i++) {
        uint64_t r = next_random(&seed);
        uint8_t c =
            (r & 3) ? (uint8_t)special[(r >> 8) % (sizeof(special) - 1)] : (uint8_t)(r >> 16);
        if (gdb_parser_feed(&p, c) == GDB_IN_PACKET)
            ck_assert(p.len <= GDB_PACKET_MAX && p.data[p.len] == '\0');
    }
}
END_TEST

/* A session on one end of a socket pair; the other end is drained. */
typedef struct Harness {
    Machine *m;
    Debugger *d;
    GdbSession *s;
    int peer;
} Harness;

static Harness harness(void) {
    Harness h = {test_machine(), NULL, NULL, -1};
    char err[256];
    int sv[2];
    DbgOptions o = {NULL, 2000, stdout, NULL, NULL};
    h.d = dbg_create(h.m, &o, err, sizeof(err));
    ck_assert_msg(h.d != NULL, "%s", err);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    h.s = calloc(1, sizeof(*h.s));
    h.s->d = h.d;
    h.s->fd = sv[0];
    h.peer = sv[1];
    gdb_parser_init(&h.s->parser);
    return h;
}

/* The replies so far, concatenated (NUL-terminated). */
static size_t drain(const Harness *h, char *buf, size_t len) {
    size_t n = 0;
    ssize_t got;
    while (n + 1 < len && (got = read(h->peer, buf + n, len - 1 - n)) > 0)
        n += (size_t)got;
    buf[n] = '\0';
    return n;
}

static void harness_free(Harness *h) {
    close(h->s->fd);
    close(h->peer);
    free(h->s);
    ck_assert(dbg_destroy(h->d));
    machine_destroy(h->m);
}

static const char *ask(Harness *h, const char *pkt) {
    static char reply[1 << 16];
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", pkt);
    gdb_handle_packet(h->s, copy, strlen(copy));
    drain(h, reply, sizeof(reply));
    return reply;
}

START_TEST(test_gdb_packet_handlers_answer) {
    Harness h = harness();
    static const uint8_t code[4] = {0x90, 0x90, 0xf4, 0x00};
    test_poke(h.m, 0x1000, code, sizeof(code));
    ck_assert(strstr(ask(&h, "qSupported:multiprocess+"), "PacketSize=4000") != NULL);
    ck_assert(strstr(ask(&h, "m1000,3"), "$9090f4#") != NULL);
    ck_assert(strstr(ask(&h, "qXfer:features:read:target.xml:0,ffff"), "i386:x86-64") != NULL);
    ck_assert(strstr(ask(&h, "Z0,1000,1"), "$OK#") != NULL);
    ck_assert_uint_eq(h.d->bps.count, 1);
    ck_assert(strstr(ask(&h, "z0,1000,1"), "$OK#") != NULL);
    ck_assert_uint_eq(h.d->bps.count, 0);
    ck_assert(strstr(ask(&h, "qRcmd,7768657265"), "$O") != NULL); /* "where" */
    ck_assert(strstr(ask(&h, "p10"), "$") != NULL);
    harness_free(&h);
}
END_TEST

/* Random packets of every command letter with random arguments. */
START_TEST(test_gdb_packet_fuzz_handlers) {
    static const char letters[] = "?gGpPmMcsvZzqHTDkX!Qi";
    static const char body[] = "0123456789abcdefABCDEF,:;=+-#$}xXvContqRcmdSupported";
    Harness h = harness();
    uint64_t seed = 0xfeedfaceull + (uint64_t)_i;
    for (unsigned i = 0; i < 3000; i++) {
        char pkt[GDB_PACKET_MAX / 4];
        size_t len = 1 + next_random(&seed) % 80;
        pkt[0] = letters[next_random(&seed) % (sizeof(letters) - 1)];
        for (size_t k = 1; k < len; k++)
            pkt[k] = body[next_random(&seed) % (sizeof(body) - 1)];
        pkt[len] = '\0';
        gdb_handle_packet(h.s, pkt, len);
        char sink[1 << 16];
        drain(&h, sink, sizeof(sink));
        h.s->done = false;
    }
    harness_free(&h);
}
END_TEST

static Suite *gdb_packet_suite(void) {
    Suite *s = suite_create("gdb_packet");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_gdb_packet_good_checksum_parsed);
    tcase_add_test(tc, test_gdb_packet_bad_checksum_refused);
    tcase_add_test(tc, test_gdb_packet_acks_and_interrupt);
    tcase_add_test(tc, test_gdb_packet_escape_decoded);
    tcase_add_test(tc, test_gdb_packet_truncated_then_resynced);
    tcase_add_test(tc, test_gdb_packet_oversized_refused);
    tcase_add_loop_test(tc, test_gdb_packet_frame_round_trip, 0, 32);
    tcase_add_loop_test(tc, test_gdb_packet_fuzz_parser, 0, 8);
    tcase_add_test(tc, test_gdb_packet_handlers_answer);
    tcase_add_loop_test(tc, test_gdb_packet_fuzz_handlers, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(gdb_packet_suite)
