/* Telling the user why and where the run stopped (debugger.h). */
#include <inttypes.h>

#include "sim/cpu/access.h"
#include "sim/debug/dbg_names.h"
#include "sim/debug/debugger.h"
#include "sim/debug/disas.h"

static void print_exception(const CpuState *cpu, unsigned bp, FILE *out) {
    const PendingFault *f = &cpu->fault;
    fprintf(out, "Exception %s (vector %u)", dbg_exception_name(f->vector), f->vector);
    if (f->has_error) fprintf(out, ", error code 0x%x", f->error);
    if (f->vector == 14) fprintf(out, ", linear address 0x%" PRIx64, f->address);
    fprintf(out, ", not yet delivered");
    if (bp) fprintf(out, " (breakpoint %u)", bp);
    fputc('\n', out);
}

static void print_reason(Debugger *d, const DbgStop *s, FILE *out) {
    char text[256];
    switch (s->kind) {
    case DBG_STOP_STEP:
        break;
    case DBG_STOP_BREAK:
        fprintf(out, "Breakpoint %u\n", s->bp);
        break;
    case DBG_STOP_WATCH:
        fprintf(out, "Watchpoint %u\n", s->bp);
        break;
    case DBG_STOP_VMX:
        dbg_vmx_event_text(&s->event, text, sizeof(text));
        fprintf(out, "Breakpoint %u: %s\n", s->bp, text);
        break;
    case DBG_STOP_EXCEPTION:
        print_exception(&d->m->cpu, s->bp, out);
        break;
    case DBG_STOP_INTERRUPT:
        fputs("Interrupted\n", out);
        break;
    case DBG_STOP_EXITED:
        fprintf(out, "The guest exited: it wrote %d to the debug-exit port (exit status %d)\n",
                d->exit_status >> 1, d->exit_status & 0xff);
        break;
    case DBG_STOP_SHUTDOWN:
        fputs("Triple fault: the CPU shut down\n", out);
        break;
    case DBG_STOP_HALTED:
        fputs("The CPU halted with nothing that can wake it\n", out);
        break;
    case DBG_STOP_LIMIT:
        fprintf(out, "Stopped after %" PRIu64 " instructions (--max-insns)\n", d->m->cpu.insns);
        break;
    }
}

void dbg_print_stop(Debugger *d, const DbgStop *s, FILE *out) {
    const CpuState *cpu = &d->m->cpu;
    print_reason(d, s, out);
    if (s->kind == DBG_STOP_EXITED) return;
    dbg_disas(cpu, &d->syms, (DbgAddr){cpu_seg_linear_unchecked(cpu, SEG_CS, cpu->RIP), false}, 1,
              out);
}
