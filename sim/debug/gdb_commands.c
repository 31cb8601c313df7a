/*
 * The GDB stub's packets (GDB manual, "Remote Protocol": "Packets",
 * "Stop Reply Packets", "General Query Packets", "Target Description
 * Format"), answered from the debugger (gdb_stub.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cpu/access.h"
#include "sim/debug/commands.h"
#include "sim/debug/gdb_regs.h"
#include "sim/debug/gdb_stub.h"

#define MEM_MAX ((GDB_PACKET_MAX - 8) / 2) /* bytes an 'm' reply carries */
#define CONSOLE_CHUNK 1024                 /* bytes of text per 'O' packet */

/* A hex number ended by sep (or the end of the packet for sep '\0'). */
static bool hex_arg(const char **p, char sep, uint64_t *v) {
    char *end;
    if (!isxdigit((unsigned char)**p)) return false;
    *v = strtoull(*p, &end, 16);
    if (*end != sep) return false;
    *p = sep ? end + 1 : end;
    return true;
}

/* Text for the GDB console: 'O' packets, hex-encoded. */
static void console(GdbSession *s, const char *text, size_t len) {
    char pkt[2 * CONSOLE_CHUNK + 2];
    for (size_t off = 0; off < len; off += CONSOLE_CHUNK) {
        size_t n = len - off < CONSOLE_CHUNK ? len - off : CONSOLE_CHUNK;
        pkt[0] = 'O';
        gdb_hex_encode((const uint8_t *)text + off, n, pkt + 1);
        gdb_send_str(s, pkt);
    }
}

/* --- registers and memory --- */

static void read_registers(GdbSession *s) {
    char *out = malloc(gdb_reg_count() * GDB_REG_MAX_BYTES * 2 + 1), *p = out;
    if (!out) {
        gdb_send_str(s, "E01");
        return;
    }
    for (unsigned n = 0; n < gdb_reg_count(); n++) {
        uint8_t bytes[GDB_REG_MAX_BYTES];
        unsigned size = gdb_reg_read(&s->d->m->cpu, n, bytes);
        gdb_hex_encode(bytes, size, p);
        p += 2 * size;
    }
    gdb_send(s, out, (size_t)(p - out));
    free(out);
}

/* 'G': GPRs, RIP and EFLAGS are written; the rest of the packet is ignored. */
static void write_registers(GdbSession *s, const char *hex) {
    size_t have = strlen(hex) / 2, at = 0;
    for (unsigned n = 0; n < gdb_reg_count(); n++) {
        uint8_t bytes[GDB_REG_MAX_BYTES];
        unsigned size = gdb_reg_read(&s->d->m->cpu, n, bytes);
        if (at + size > have || !gdb_hex_decode(hex + 2 * at, size, bytes)) {
            gdb_send_str(s, "E01");
            return;
        }
        (void)gdb_reg_write(&s->d->m->cpu, n, bytes, size);
        at += size;
    }
    gdb_send_str(s, "OK");
}

static void read_register(GdbSession *s, const char *args) {
    uint64_t n;
    uint8_t bytes[GDB_REG_MAX_BYTES];
    char hex[2 * GDB_REG_MAX_BYTES + 1];
    unsigned size =
        hex_arg(&args, '\0', &n) && n < 1000 ? gdb_reg_read(&s->d->m->cpu, (unsigned)n, bytes) : 0;
    if (!size) {
        gdb_send_str(s, "E01");
        return;
    }
    gdb_hex_encode(bytes, size, hex);
    gdb_send_str(s, hex);
}

static void write_register(GdbSession *s, const char *args) {
    uint64_t n;
    bool ok = hex_arg(&args, '=', &n) && n < 1000;
    if (ok) {
        uint8_t bytes[GDB_REG_MAX_BYTES];
        size_t len = strlen(args) / 2;
        ok = len <= GDB_REG_MAX_BYTES && gdb_hex_decode(args, len, bytes) &&
             gdb_reg_write(&s->d->m->cpu, (unsigned)n, bytes, len);
    }
    gdb_send_str(s, ok ? "OK" : "E01");
}

static void read_memory(GdbSession *s, const char *args) {
    uint64_t addr, len;
    if (!hex_arg(&args, ',', &addr) || !hex_arg(&args, '\0', &len)) {
        gdb_send_str(s, "E01");
        return;
    }
    size_t n = len < MEM_MAX ? (size_t)len : MEM_MAX;
    uint8_t *buf = malloc(n + 1);
    char *hex = malloc(2 * n + 1);
    size_t got = buf && hex ? dbg_mem_read(&s->d->m->cpu, (DbgAddr){addr, false}, buf, n) : 0;
    if (got || !n) {
        gdb_hex_encode(buf, got, hex);
        gdb_send(s, hex, 2 * got);
    } else {
        gdb_send_str(s, "E14"); /* EFAULT */
    }
    free(buf);
    free(hex);
}

static void write_memory(GdbSession *s, const char *args) {
    uint64_t addr, len;
    if (!hex_arg(&args, ',', &addr) || !hex_arg(&args, ':', &len) || len > MEM_MAX ||
        strlen(args) != 2 * len) {
        gdb_send_str(s, "E01");
        return;
    }
    uint8_t *buf = malloc(len + 1);
    bool ok = buf && gdb_hex_decode(args, len, buf) &&
              dbg_mem_write(&s->d->m->cpu, (DbgAddr){addr, false}, buf, len) == len;
    free(buf);
    gdb_send_str(s, ok ? "OK" : "E14");
}

/* --- breakpoints: Z0/Z1 code, Z2 write, Z3 read, Z4 access watchpoints --- */

static DbgBreakpoint *find_bp(Debugger *d, const DbgBreakpoint *want) {
    for (size_t i = 0; i < d->bps.count; i++) {
        DbgBreakpoint *b = &d->bps.bp[i];
        if (b->kind == want->kind && b->addr.addr == want->addr.addr && !b->addr.phys &&
            (b->kind == BP_CODE || (b->len == want->len && b->access == want->access)))
            return b;
    }
    return NULL;
}

static void breakpoint(GdbSession *s, bool insert, const char *args) {
    static const unsigned access[5] = {0, 0, WATCH_WRITE, WATCH_READ, WATCH_READ | WATCH_WRITE};
    uint64_t type = 0, addr = 0, kind = 0;
    if (!hex_arg(&args, ',', &type) || !hex_arg(&args, ',', &addr) ||
        !(hex_arg(&args, '\0', &kind) || hex_arg(&args, ';', &kind)) || type > 4 ||
        (type >= 2 && (kind == 0 || kind > DBG_WATCH_MAX))) {
        gdb_send_str(s, type > 4 ? "" : "E01");
        return;
    }
    DbgBreakpoint b = {.kind = type < 2 ? BP_CODE : BP_WATCH,
                       .addr = {addr, false},
                       .len = (unsigned)kind,
                       .access = access[type]};
    DbgBreakpoint *old = find_bp(s->d, &b);
    if (insert && !old && !dbg_bp_add(&s->d->bps, &b)) {
        gdb_send_str(s, "E01");
        return;
    }
    if (!insert && old) (void)dbg_bp_delete(&s->d->bps, old->id);
    dbg_breakpoints_changed(s->d);
    gdb_send_str(s, "OK");
}

/* --- running and stop replies --- */

/* A POSIX signal number for GDB: SIGTRAP for breakpoints and steps. */
static unsigned stop_signal(const Debugger *d, const DbgStop *st) {
    if (st->kind == DBG_STOP_INTERRUPT) return 2; /* SIGINT */
    if (st->kind != DBG_STOP_EXCEPTION) return 5; /* SIGTRAP */
    switch (d->m->cpu.fault.vector) {
    case 0:
    case 16:
    case 19:
        return 8; /* #DE #MF #XM: SIGFPE */
    case 6:
        return 4; /* #UD: SIGILL */
    case 17:
        return 7; /* #AC: SIGBUS */
    case 1:
    case 3:
        return 5; /* #DB #BP: SIGTRAP */
    default:
        return 11; /* SIGSEGV */
    }
}

static void stop_reply(GdbSession *s, const DbgStop *st) {
    static const char *const watch[4] = {"", "rwatch", "watch", "awatch"};
    char pkt[128];
    Debugger *d = s->d;
    if (st->kind == DBG_STOP_EXITED || st->kind == DBG_STOP_SHUTDOWN) {
        snprintf(pkt, sizeof(pkt), st->kind == DBG_STOP_EXITED ? "W%02x" : "X0b",
                 (unsigned)d->exit_status & 0xff);
        s->done = true;
        s->end = GDB_END_GUEST;
    } else if (st->kind == DBG_STOP_WATCH) {
        const DbgBreakpoint *b = dbg_bp_find(&d->bps, st->bp);
        snprintf(pkt, sizeof(pkt), "T05%s:%" PRIx64 ";thread:01;",
                 b ? watch[b->access & 3] : "watch", b ? b->addr.addr : 0);
    } else {
        snprintf(pkt, sizeof(pkt), "T%02xthread:01;", stop_signal(d, st));
    }
    gdb_send_str(s, pkt);
}

/* The debugger's own report of the stop, on the GDB console. */
static void describe_stop(GdbSession *s, const DbgStop *st) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return;
    dbg_print_stop(s->d, st, f);
    fclose(f);
    console(s, text, len);
    free(text);
}

static void resume(GdbSession *s, DbgRunMode mode, const char *args) {
    uint64_t addr;
    if (*args && hex_arg(&args, '\0', &addr))
        s->d->m->cpu.RIP = addr; /* "c addr": continue at addr */
    if (!dbg_can_run(s->d)) {
        stop_reply(s, &s->last);
        return;
    }
    s->last = dbg_run(s->d, mode, 1);
    if (s->last.kind != DBG_STOP_STEP && s->last.kind != DBG_STOP_BREAK) describe_stop(s, &s->last);
    stop_reply(s, &s->last);
}

/* vCont;ACTION[:thread]...: the first action applies (one CPU). */
static void vcont(GdbSession *s, const char *p) {
    if (strcmp(p, "vCont?") == 0) {
        gdb_send_str(s, "vCont;c;C;s;S");
    } else if (strncmp(p, "vCont;", 6) == 0 && strchr("cCsS", p[6]) && p[6]) {
        resume(s, tolower((unsigned char)p[6]) == 's' ? DBG_STEP : DBG_CONTINUE, "");
    } else if (strncmp(p, "vKill", 5) == 0) {
        gdb_send_str(s, "OK");
        s->done = true;
        s->end = GDB_END_KILL;
    } else {
        gdb_send_str(s, "");
    }
}

/* --- queries --- */

/* qXfer:features:read:target.xml:OFFSET,LENGTH */
static void target_xml(GdbSession *s, const char *args) {
    uint64_t off, len;
    char xml[GDB_TARGET_XML_MAX];
    size_t total = gdb_target_xml(xml, sizeof(xml));
    if (!hex_arg(&args, ',', &off) || !hex_arg(&args, '\0', &len)) {
        gdb_send_str(s, "E01");
        return;
    }
    if (off > total) off = total;
    size_t n = total - off < len ? total - off : (size_t)len;
    if (n > GDB_PACKET_MAX - 8) n = GDB_PACKET_MAX - 8;
    char *reply = malloc(n + 2);
    if (!reply) {
        gdb_send_str(s, "E01");
        return;
    }
    reply[0] = off + n < total ? 'm' : 'l';
    memcpy(reply + 1, xml + off, n);
    gdb_send(s, reply, n + 1);
    free(reply);
}

/* qRcmd,HEX: a debugger command that does not run the CPU. */
static void monitor(GdbSession *s, const char *hex) {
    size_t n = strlen(hex) / 2;
    char cmd[1024], *text = NULL;
    size_t len = 0;
    if (n >= sizeof(cmd) || strlen(hex) % 2 || !gdb_hex_decode(hex, n, (uint8_t *)cmd)) {
        gdb_send_str(s, "E01");
        return;
    }
    cmd[n] = '\0';
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        gdb_send_str(s, "E01");
        return;
    }
    DbgCmdResult r = dbg_command(s->d, cmd, false, f);
    if (r == DBG_CMD_QUIT) fputs("use GDB's detach or kill to end the session\n", f);
    fclose(f);
    console(s, text, len);
    free(text);
    gdb_send_str(s, "OK");
}

static void query(GdbSession *s, const char *p) {
    if (strncmp(p, "qSupported", 10) == 0)
        gdb_send_str(s, "PacketSize=4000;qXfer:features:read+");
    else if (strncmp(p, "qXfer:features:read:target.xml:", 31) == 0)
        target_xml(s, p + 31);
    else if (strncmp(p, "qRcmd,", 6) == 0)
        monitor(s, p + 6);
    else if (strcmp(p, "qAttached") == 0)
        gdb_send_str(s, "1");
    else if (strcmp(p, "qC") == 0)
        gdb_send_str(s, "QC01");
    else if (strcmp(p, "qfThreadInfo") == 0)
        gdb_send_str(s, "m01");
    else if (strcmp(p, "qsThreadInfo") == 0)
        gdb_send_str(s, "l");
    else if (strncmp(p, "qSymbol", 7) == 0)
        gdb_send_str(s, "OK");
    else
        gdb_send_str(s, "");
}

void gdb_handle_packet(GdbSession *s, char *p, size_t len) {
    if (strlen(p) != len) { /* a NUL inside: no command has binary data here */
        gdb_send_str(s, "E01");
        return;
    }
    switch (p[0]) {
    case '?':
        stop_reply(s, &s->last);
        break;
    case 'g':
        read_registers(s);
        break;
    case 'G':
        write_registers(s, p + 1);
        break;
    case 'p':
        read_register(s, p + 1);
        break;
    case 'P':
        write_register(s, p + 1);
        break;
    case 'm':
        read_memory(s, p + 1);
        break;
    case 'M':
        write_memory(s, p + 1);
        break;
    case 'c':
        resume(s, DBG_CONTINUE, p + 1);
        break;
    case 's':
        resume(s, DBG_STEP, p + 1);
        break;
    case 'v':
        vcont(s, p);
        break;
    case 'Z':
    case 'z':
        breakpoint(s, p[0] == 'Z', p + 1);
        break;
    case 'q':
        query(s, p);
        break;
    case 'H':
    case 'T':
        gdb_send_str(s, "OK");
        break;
    case 'D':
        gdb_send_str(s, "OK");
        s->done = true;
        s->end = GDB_END_DETACH;
        break;
    case 'k':
        s->done = true;
        s->end = GDB_END_KILL;
        break;
    default:
        gdb_send_str(s, "");
        break; /* unsupported (X: GDB falls back to M) */
    }
}
