/*
 * EXPECTED FAILURES: vmxsim bugs found by this harness that are not fixed
 * yet.  A failing case that matches an entry is reported under the entry's
 * id and does not fail the run.  Delete an entry when its bug is fixed; an
 * entry that matches nothing is printed as stale.
 */
#include "known_bugs.h"

#include "forms.h"

#include <string.h>

#define EXC_PF 14
#define EXC_GP 13
#define EXC_SS 12
#define EXC_AC 17
#define PFERR_W 2u

/* SDM Vol. 3A 6.15 "Interrupt 17-Alignment Check Exception (#AC)": at CPL 3
 * with CR0.AM = 1 and RFLAGS.AC = 1 an unaligned data access faults. */
static bool no_alignment_check(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                               const DiffResult *s) {
    return h->vector == EXC_AC && s->vector == DIFF_NO_FAULT; /* seen: ENTER's new RSP */
}

/* ...and an unaligned access that would also #PF (or #GP/#SS) takes #AC on
 * an Intel core: the alignment check comes before the page walk. */
static bool alignment_check_late(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                 const DiffResult *s) {
    return h->vector == EXC_AC && s->vector != EXC_AC;
}

/* SDM Vol. 3A 3.3.7.1 "Canonical Addressing": an access whose last byte is
 * non-canonical is #GP (#SS through RSP/RBP) before any page walk. */
static bool straddle_noncanonical(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                  const DiffResult *s) {
    return (h->vector == EXC_GP || h->vector == EXC_SS) && s->vector == EXC_PF;
}

/* SDM Vol. 3A 4.7 "Page-Fault Exceptions": the read of a read-modify-write
 * destination is a write access: W = 1 in the error code. */
static bool rmw_read_fault_w(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                             const DiffResult *s) {
    return h->vector == EXC_PF && s->vector == EXC_PF && (h->error ^ s->error) == PFERR_W &&
           (h->error & PFERR_W);
}

/* POPA that faults part-way: an Intel core has already written DI, SI, BP
 * (the pops before the fault); vmxsim commits nothing.  The SDM is silent;
 * design.md says to follow the core. */
static bool popa_partial(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                         const DiffResult *s) {
    return (mn == ZYDIS_MNEMONIC_POPA || mn == ZYDIS_MNEMONIC_POPAD) && h->vector == EXC_PF &&
           s->vector == EXC_PF;
}

/* 66 63 /r: MOVSXD r16, r/m16 reads 16 bits on Intel cores; vmxsim reads
 * 32 (Zydis reports a dword operand), so it faults on the next page. */
static bool movsxd16_reads_dword(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                 const DiffResult *s) {
    return mn == ZYDIS_MNEMONIC_MOVSXD && c->opsize == 2 && h->vector != s->vector;
}

/* 67 E0-E2 in 64-bit mode: LOOP with a 32-bit address size counts in ECX,
 * and writing ECX zero-extends into RCX (SDM Vol. 1 3.4.1.1); vmxsim keeps
 * RCX[63:32]. */
static bool loop_ecx_keeps_upper(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                 const DiffResult *s) {
    bool loop =
        mn == ZYDIS_MNEMONIC_LOOP || mn == ZYDIS_MNEMONIC_LOOPE || mn == ZYDIS_MNEMONIC_LOOPNE;
    return loop && !c->compat && memchr(c->bytes, 0x67, c->len) != NULL &&
           h->regs.gpr[1] != s->regs.gpr[1] && (uint32_t)h->regs.gpr[1] == (uint32_t)s->regs.gpr[1];
}

static bool is_string(ZydisMnemonic mn) {
    switch (mn) {
    case ZYDIS_MNEMONIC_MOVSB:
    case ZYDIS_MNEMONIC_MOVSW:
    case ZYDIS_MNEMONIC_MOVSD:
    case ZYDIS_MNEMONIC_MOVSQ:
    case ZYDIS_MNEMONIC_STOSB:
    case ZYDIS_MNEMONIC_STOSW:
    case ZYDIS_MNEMONIC_STOSD:
    case ZYDIS_MNEMONIC_STOSQ:
    case ZYDIS_MNEMONIC_LODSB:
    case ZYDIS_MNEMONIC_LODSW:
    case ZYDIS_MNEMONIC_LODSD:
    case ZYDIS_MNEMONIC_LODSQ:
    case ZYDIS_MNEMONIC_CMPSB:
    case ZYDIS_MNEMONIC_CMPSW:
    case ZYDIS_MNEMONIC_CMPSD:
    case ZYDIS_MNEMONIC_CMPSQ:
    case ZYDIS_MNEMONIC_SCASB:
    case ZYDIS_MNEMONIC_SCASW:
    case ZYDIS_MNEMONIC_SCASD:
    case ZYDIS_MNEMONIC_SCASQ:
        return true;
    default:
        return false;
    }
}

/* REP string with a 32-bit address size in 64-bit mode: an Intel core
 * writes ECX, ESI, EDI (zero-extending RCX, RSI, RDI) even when ECX = 0 or
 * the first iteration faults; vmxsim leaves the upper halves. */
static bool rep32_upper_halves(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                               const DiffResult *s) {
    if (!is_string(mn) || c->compat || !memchr(c->bytes, 0x67, c->len)) return false;
    for (unsigned r = 0; r < 16; r++) {
        uint64_t d = h->regs.gpr[r] ^ s->regs.gpr[r];
        if (d && (r < 1 || (r > 1 && r < 6) || r > 7 || (uint32_t)d || (h->regs.gpr[r] >> 32)))
            return false;
    }
    return true;
}

/* REP CMPS/SCAS that faults after some iterations: an Intel core leaves
 * RFLAGS as they were before the instruction; vmxsim has the flags of the
 * last completed iteration. */
static bool rep_compare_fault_flags(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                    const DiffResult *s) {
    bool cmp = mn == ZYDIS_MNEMONIC_CMPSB || mn == ZYDIS_MNEMONIC_CMPSW ||
               mn == ZYDIS_MNEMONIC_CMPSD || mn == ZYDIS_MNEMONIC_CMPSQ ||
               mn == ZYDIS_MNEMONIC_SCASB || mn == ZYDIS_MNEMONIC_SCASW ||
               mn == ZYDIS_MNEMONIC_SCASD || mn == ZYDIS_MNEMONIC_SCASQ;
    return cmp && h->vector == EXC_PF && s->vector == EXC_PF &&
           ((h->regs.rflags ^ c->in.rflags) & 0x8d5) == 0 &&
           ((h->regs.rflags ^ s->regs.rflags) & 0x8d5);
}

/* A misaligned 16-byte SSE operand is #GP(0) whatever the segment (SDM
 * Vol. 2 MOVAPS etc., "Protected Mode Exceptions"); vmxsim raises #SS for
 * operands addressed through RSP/RBP. */
static bool sse_misaligned_ss(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                              const DiffResult *s) {
    return h->vector == EXC_GP && s->vector == EXC_SS && (c->ea & 15) != 0;
}

/* An unmasked SIMD underflow/overflow (#XM) sets only the flag of the
 * unmasked exception on an Intel core; vmxsim also sets PE. */
static bool xm_sets_pe(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                       const DiffResult *s) {
    return h->vector == 19 && s->vector == 19 && (h->regs.mxcsr ^ s->regs.mxcsr) == 0x20 &&
           (s->regs.mxcsr & 0x20);
}

/* REP INS/OUTS at CPL 3 with IOPL 0 and RCX = 0: an Intel core checks I/O
 * permission (#GP) before the count; vmxsim does nothing. */
static bool rep_io_zero_count(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                              const DiffResult *s) {
    bool io = mn == ZYDIS_MNEMONIC_INSB || mn == ZYDIS_MNEMONIC_INSW || mn == ZYDIS_MNEMONIC_INSD ||
              mn == ZYDIS_MNEMONIC_OUTSB || mn == ZYDIS_MNEMONIC_OUTSW ||
              mn == ZYDIS_MNEMONIC_OUTSD;
    return io && h->vector == EXC_GP && s->vector == DIFF_NO_FAULT;
}

/* INTO with OF = 1 raises #OF as a trap; vmxsim delivers it through the IDT
 * instead of stopping (cpu.exception_stop_mask is honoured for faults
 * only), and the harness's machine has no IDT: #PF. */
static bool into_not_stopped(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                             const DiffResult *s) {
    return mn == ZYDIS_MNEMONIC_INTO && h->vector == 4 && s->vector != 4;
}

/* BOUND with the lower bound readable and the upper bound on a faulting
 * page: an Intel core raises #BR when the index is below the lower bound
 * without reading the upper; vmxsim reads both first (#PF). */
static bool bound_lower_first(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                              const DiffResult *s) {
    return mn == ZYDIS_MNEMONIC_BOUND && h->vector == 5 && s->vector == EXC_PF;
}

/* ARPL r/m16, r16 (compatibility mode) writes the destination only when it
 * adjusts the RPL (ZF = 1); the read is a plain read.  vmxsim writes (or
 * checks for writing) always: #PF with W = 1, or on a read-only page. */
static bool arpl_always_writes(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                               const DiffResult *s) {
    if (mn != ZYDIS_MNEMONIC_ARPL || (s->vector != EXC_PF && s->vector != EXC_GP))
        return false; /* #GP: a CS-override destination is not writable */
    return h->vector == DIFF_NO_FAULT || (h->vector == EXC_PF && (s->error & PFERR_W));
}

/* POP ES/SS/DS (and FS/GS) with a 32- or 64-bit operand size: the core reads
 * the 2-byte selector only (RSP still moves by the operand size); vmxsim
 * reads the whole slot, so a slot crossing into a faulting page faults. */
static bool pop_sreg_reads_slot(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                const DiffResult *s) {
    return mn == ZYDIS_MNEMONIC_POP && diff_forms[c->form].gen == G_POPSEL &&
           h->vector != s->vector && (s->vector == EXC_PF || s->vector == EXC_AC);
}

/* Operands of more than 8 bytes that an Intel core accesses in parts. */
static bool is_multipart(const DiffCase *c, ZydisMnemonic mn) {
    switch (mn) {
    case ZYDIS_MNEMONIC_FLDENV:
    case ZYDIS_MNEMONIC_FNSTENV:
    case ZYDIS_MNEMONIC_FRSTOR:
    case ZYDIS_MNEMONIC_FNSAVE:
    case ZYDIS_MNEMONIC_FXRSTOR:
    case ZYDIS_MNEMONIC_FXRSTOR64:
    case ZYDIS_MNEMONIC_FXSAVE:
    case ZYDIS_MNEMONIC_FXSAVE64:
    case ZYDIS_MNEMONIC_FBLD:
    case ZYDIS_MNEMONIC_FBSTP:
        return true;
    case ZYDIS_MNEMONIC_FLD:
    case ZYDIS_MNEMONIC_FSTP: /* the m80 forms */
        return diff_forms[c->form].gen == G_F80;
    case ZYDIS_MNEMONIC_RET:
    case ZYDIS_MNEMONIC_IRET:
    case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_IRETQ:
    case ZYDIS_MNEMONIC_JMP:
    case ZYDIS_MNEMONIC_CALL:
        /* far forms: the core reads CS (the later slot) before RIP */
        return diff_forms[c->form].gen == G_RETF || diff_forms[c->form].gen == G_IRET ||
               diff_forms[c->form].gen == G_FAR;
    default:
        return false;
    }
}

/* A multi-part operand crossing into a faulting page: the core accesses it
 * part by part, so CR2 is the first faulting part's address (not the page
 * start), a #PF on an early part comes before the #GP/#SS of a
 * non-canonical later part, and parts stored before the fault stay written
 * (FSTP m80, FBSTP, FNSTENV...).  vmxsim checks the whole operand first. */
static bool multipart_fault(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                            const DiffResult *s) {
    if (!is_multipart(c, mn) || h->vector != EXC_PF) return false;
    if (s->vector == EXC_GP || s->vector == EXC_SS) return true;
    return s->vector == EXC_PF && (h->cr2 >> 12) == (s->cr2 >> 12) &&
           (h->cr2 != s->cr2 || memcmp(h->mem, s->mem, DIFF_SCRATCH_SIZE) != 0);
}

/* EMMS: an Intel core also sets TOP to 0 (as MMX instructions do); vmxsim
 * only empties the tags. */
static bool emms_keeps_top(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                           const DiffResult *s) {
    return mn == ZYDIS_MNEMONIC_EMMS && (h->regs.fsw & 0x3800) == 0 && (s->regs.fsw & 0x3800) != 0;
}

/* MOVD/MOVQ m, mm and MOVNTQ: an Intel core sets TOP to 0 as for every
 * MMX instruction (the tags stay as they were); vmxsim leaves TOP. */
static bool mmx_store_keeps_top(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                const DiffResult *s) {
    bool store =
        mn == ZYDIS_MNEMONIC_MOVD || mn == ZYDIS_MNEMONIC_MOVQ || mn == ZYDIS_MNEMONIC_MOVNTQ;
    return store && diff_forms[c->form].gen == G_MMX && (h->regs.fsw & 0x3800) == 0 &&
           (s->regs.fsw & 0x3800) != 0;
}

/* vmxsim raises #AC where an Intel core does not: the unaligned 16-byte SSE
 * moves (MOVUPS, MOVUPD, MOVDQU: SDM Vol. 3A 6.15, no alignment check),
 * the x87 environment and state images (FLDENV, FNSTENV, FRSTOR, FNSAVE,
 * accessed by the core in 16-bit fields), POP SS. */
static bool spurious_alignment_check(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                     const DiffResult *s) {
    return s->vector == EXC_AC && h->vector != EXC_AC;
}

/* CALL to a non-canonical target: an Intel core pushes the return address
 * before it checks the target, so a push that faults (#PF) wins over the
 * target's #GP (the written slot itself is left open by compare.c). */
static bool call_push_before_target(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h,
                                    const DiffResult *s) {
    return mn == ZYDIS_MNEMONIC_CALL && h->vector == EXC_PF && s->vector == EXC_GP;
}

/* CMPXCHG8B/16B whose operand crosses into a not-present page: CR2 must be
 * the first byte on that page; vmxsim reports the operand's last byte. */
static bool cx8_cr2(const DiffCase *c, ZydisMnemonic mn, const DiffResult *h, const DiffResult *s) {
    bool cx = mn == ZYDIS_MNEMONIC_CMPXCHG8B || mn == ZYDIS_MNEMONIC_CMPXCHG16B;
    return cx && h->vector == EXC_PF && s->vector == EXC_PF && h->cr2 != s->cr2;
}

const KnownBug diff_known_bugs[] = {
    {"KB-AC", "no #AC (CR0.AM=1, RFLAGS.AC=1): ENTER whose new RSP is unaligned",
     no_alignment_check},
    {"KB-AC-LATE", "unaligned access that also faults: #PF/#GP first, the core takes #AC",
     alignment_check_late},
    {"KB-AC-EXTRA",
     "#AC where the core has none: MOVUPS/MOVUPD/MOVDQU, FLDENV/FNSTENV/"
     "FRSTOR/FNSAVE, POP SS",
     spurious_alignment_check},
    {"KB-CANON", "access straddling the end of the canonical lower half: #PF instead of #GP/#SS",
     straddle_noncanonical},
    {"KB-RMW-W", "#PF on the read of a read-modify-write destination reports W=0",
     rmw_read_fault_w},
    {"KB-MOVSXD16", "MOVSXD r16, m: reads 4 bytes instead of 2", movsxd16_reads_dword},
    {"KB-LOOP32", "LOOPcc with 67 prefix in 64-bit mode does not zero RCX[63:32]",
     loop_ecx_keeps_upper},
    {"KB-REP32", "REP string, 67 prefix: RCX/RSI/RDI upper halves not cleared (ECX = 0 or fault)",
     rep32_upper_halves},
    {"KB-REPFLAGS", "REP CMPS/SCAS faulting after some iterations: RFLAGS not as before",
     rep_compare_fault_flags},
    {"KB-SSE-SS", "misaligned 16-byte SSE operand through RSP/RBP: #SS instead of #GP",
     sse_misaligned_ss},
    {"KB-XM-PE", "unmasked SIMD underflow/overflow #XM also sets MXCSR.PE", xm_sets_pe},
    {"KB-REPIO", "REP INS/OUTS with RCX = 0 at CPL 3, IOPL 0: no #GP", rep_io_zero_count},
    {"KB-INTO", "INTO with OF = 1 is not stopped by exception_stop_mask (delivered via the IDT)",
     into_not_stopped},
    {"KB-BOUND", "BOUND below the lower bound, upper bound unreadable: #PF instead of #BR",
     bound_lower_first},
    {"KB-ARPL",
     "ARPL writes (checks for writing) its destination even when the RPL is not adjusted",
     arpl_always_writes},
    {"KB-POPSEG", "POP Sreg, 32-bit operand size: reads the whole slot, not the 2-byte selector",
     pop_sreg_reads_slot},
    {"KB-SPLIT",
     "multi-part operand (m80, env, save image, far pointer, RETF/IRET frame) "
     "faulting part-way: CR2, fault order, partial stores",
     multipart_fault},
    {"KB-EMMS", "EMMS does not set TOP to 0", emms_keeps_top},
    {"KB-MMXST", "MOVD/MOVQ m, mm and MOVNTQ do not set TOP to 0", mmx_store_keeps_top},
    {"KB-CALL", "CALL to a non-canonical target with a faulting push: #GP instead of #PF",
     call_push_before_target},
    {"KB-CX8-CR2", "CMPXCHG8B/16B crossing into a not-present page: CR2 is the last byte", cx8_cr2},
    {"KB-POPA", "POPA faulting part-way: the core has already popped DI, SI, BP", popa_partial},
};
const unsigned diff_known_bug_count = sizeof(diff_known_bugs) / sizeof(diff_known_bugs[0]);

int diff_known_bug(const DiffCase *c, ZydisMnemonic mn, const DiffResult *host,
                   const DiffResult *sim) {
    for (unsigned i = 0; i < diff_known_bug_count; i++) {
        if (diff_known_bugs[i].matches(c, mn, host, sim)) return (int)i;
    }
    return -1;
}
