/*
 * The GDB remote stub (`vmxsim run --gdb :PORT`): one client over TCP, on
 * the loopback address unless --gdb-listen names another.  Registers
 * (gdb_regs.h), memory (linear addresses, as GDB sees them), software and
 * hardware breakpoints and watchpoints (the debugger's own: the guest's
 * memory and debug registers are untouched), single step, continue,
 * Ctrl-C, and `monitor` commands (qRcmd) run by the debugger's command
 * interpreter: `monitor vmcs`, `monitor explain`, `monitor break vmexit
 * CPUID` ...  A client that disconnects detaches: the run goes on.
 */
#ifndef VMXSIM_DEBUG_GDB_STUB_H
#define VMXSIM_DEBUG_GDB_STUB_H

#include "sim/debug/debugger.h"
#include "sim/debug/gdb_packet.h"

typedef enum GdbEnd {
    GDB_END_DETACH, /* the client detached or went away: run on without it */
    GDB_END_KILL,   /* the client killed the target */
    GDB_END_GUEST,  /* the guest exited or the CPU shut down */
    GDB_END_ERROR,  /* the socket could not be set up (err) */
} GdbEnd;

/* Listen on listen_addr:port (port 0: any free port), announce the port on
 * stderr, serve one client until it leaves.  Breakpoints are removed after. */
GdbEnd dbg_gdb_serve(Debugger *d, const char *listen_addr, unsigned port, char *err, size_t errlen);

/* --- internal: the session and the packet handlers (gdb_commands.c) --- */
typedef struct GdbSession {
    Debugger *d;
    int fd;
    bool done, lost;
    GdbEnd end;
    DbgStop last;
    GdbParser parser;
    char sent[2 * GDB_PACKET_MAX + 8]; /* the last reply, framed, for '-' */
    size_t sent_len;
} GdbSession;

/* Frame and send a reply (and keep it for a resend). */
void gdb_send(GdbSession *s, const char *data, size_t len);
void gdb_send_str(GdbSession *s, const char *data);
/* Handle one packet (NUL-terminated, len bytes); replies through gdb_send. */
void gdb_handle_packet(GdbSession *s, char *pkt, size_t len);

#endif
