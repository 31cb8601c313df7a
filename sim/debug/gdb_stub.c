/* The GDB stub's socket and session loop (gdb_stub.h). */
#include "sim/debug/gdb_stub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void send_raw(GdbSession *s, const char *buf, size_t len) {
    while (len && !s->lost) {
        ssize_t n = send(s->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            s->lost = true;
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

void gdb_send(GdbSession *s, const char *data, size_t len) {
    s->sent_len = gdb_frame(data, len, s->sent, sizeof(s->sent));
    if (!s->sent_len) /* cannot happen for replies within GDB_PACKET_MAX: send an error */
        s->sent_len = gdb_frame("E01", 3, s->sent, sizeof(s->sent));
    send_raw(s, s->sent, s->sent_len);
}

void gdb_send_str(GdbSession *s, const char *data) {
    gdb_send(s, data, strlen(data));
}

static void input(GdbSession *s, uint8_t byte) {
    switch (gdb_parser_feed(&s->parser, byte)) {
    case GDB_IN_PACKET:
        send_raw(s, "+", 1);
        gdb_handle_packet(s, s->parser.data, s->parser.len);
        break;
    case GDB_IN_BAD_PACKET:
        send_raw(s, "-", 1);
        break;
    case GDB_IN_NAK:
        send_raw(s, s->sent, s->sent_len);
        break;
    default:
        break; /* acks; an interrupt while stopped has nothing to stop */
    }
}

/* While the guest runs: has the client sent Ctrl-C (or gone away)? */
static bool poll_interrupt(void *opaque) {
    GdbSession *s = opaque;
    struct pollfd p = {s->fd, POLLIN, 0};
    while (!s->lost && poll(&p, 1, 0) > 0) {
        uint8_t byte;
        ssize_t n = recv(s->fd, &byte, 1, 0);
        if (n <= 0) {
            s->lost = true;
            break;
        }
        if (gdb_parser_feed(&s->parser, byte) == GDB_IN_INTERRUPT) return true;
    }
    return s->lost;
}

static int listen_socket(const char *addr, unsigned port, char *err, size_t errlen) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "bad --gdb-listen address '%s': expected an IPv4 address", addr);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        snprintf(err, errlen, "cannot listen for GDB on %s:%u: %s", addr, port, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    fprintf(stderr, "vmxsim: GDB stub listening on %s:%u\n", addr, ntohs(sa.sin_port));
    fflush(stderr);
    return fd;
}

static int accept_client(int lfd, char *err, size_t errlen) {
    int fd;
    do
        fd = accept(lfd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        snprintf(err, errlen, "cannot accept a GDB connection: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void serve(GdbSession *s) {
    uint8_t buf[4096];
    while (!s->done && !s->lost) {
        ssize_t n = recv(s->fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* the client went away: detach */
        for (ssize_t i = 0; i < n && !s->done; i++)
            input(s, buf[i]);
    }
}

GdbEnd dbg_gdb_serve(Debugger *d, const char *listen_addr, unsigned port, char *err,
                     size_t errlen) {
    int lfd = listen_socket(listen_addr, port, err, errlen);
    if (lfd < 0) return GDB_END_ERROR;
    int fd = accept_client(lfd, err, errlen);
    close(lfd);
    if (fd < 0) return GDB_END_ERROR;
    GdbSession *s = calloc(1, sizeof(*s));
    if (!s) {
        close(fd);
        snprintf(err, errlen, "out of host memory");
        return GDB_END_ERROR;
    }
    s->d = d;
    s->fd = fd;
    s->end = GDB_END_DETACH;
    s->last.kind = DBG_STOP_STEP;
    gdb_parser_init(&s->parser);
    d->poll = poll_interrupt;
    d->poll_opaque = s;
    serve(s);
    GdbEnd end = s->end;
    d->poll = NULL;
    dbg_bp_clear(&d->bps);
    dbg_breakpoints_changed(d);
    close(fd);
    free(s);
    return end;
}
