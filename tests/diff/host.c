/*
 * The native world: the host CPU runs the instruction under test at CPL 3.
 *
 * A prologue in an executable page loads the x87/MMX/SSE state (FXRSTOR),
 * RFLAGS and all 16 general registers from a DiffRegs, then jumps to the
 * instruction.  Every
 * byte after the instruction and every landing place a branch may reach is
 * INT3, so the instruction always ends in a signal: SIGTRAP (vector 3, the
 * instruction completed; RIP - 1 is where it went) or the signal of its own
 * fault.  The handler runs on an alternate stack (RSP may point anywhere),
 * copies the state the kernel saved in the ucontext (REG_TRAPNO is the
 * vector, REG_ERR the error code, REG_CR2 the #PF address), then rewrites
 * the ucontext so that sigreturn resumes at a stub that restores the C
 * caller's stack and callee-saved registers (no siglongjmp: ASan's
 * interceptor rescans /proc/self/maps on every jump off the alternate stack).
 * Compatibility mode is reached with a far jump to the Linux 32-bit user
 * code selector 0x23; the rewritten ucontext returns through CS 0x33.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "diff.h"

#define PAGE 4096u
#define THUNK_OFFSET 0x1c0u /* jmp far [rip+ptr] to 0x23:DIFF_INSN32 */
#define FARPTR_OFFSET 0x1e0u
#define TARGET_OFFSET 0x1f0u    /* where the prologue's jmp [rip+...] goes */
#define SAVED_RSP_OFFSET 0x1f8u /* the C caller's RSP after the prologue's pushes */
#define RETURN_OFFSET 0x1a0u    /* the stub sigreturn resumes at */
#define ALTSTACK_SIZE (256u * 1024u)

/* What the prologue loads through RDI: the registers, then an FXSAVE image
 * (SDM Vol. 2 FXSAVE, Table 3-53) built from them. */
typedef struct HostBlock {
    DiffRegs regs;
    uint8_t fx[512] __attribute__((aligned(16)));
} HostBlock;

static HostBlock host_in;
static uint8_t code_template[2 * PAGE]; /* the code pages as written at init */
static DiffResult *host_out;
static volatile sig_atomic_t host_armed;
static uint8_t ro_page[PAGE];
static uint8_t altstack[ALTSTACK_SIZE] __attribute__((aligned(64)));

/* ---- a few instruction encodings for the prologue ---- */

typedef struct Emit {
    uint8_t *p;
} Emit;

static void put8(Emit *e, uint8_t b) {
    *e->p++ = b;
}
static void put32(Emit *e, uint32_t v) {
    memcpy(e->p, &v, 4);
    e->p += 4;
}

/* op reg, [rdi + disp32] with optional REX.W and mandatory prefix. */
static void emit_rdi_mem(Emit *e, int pfx, bool w, const uint8_t *op, unsigned oplen, unsigned reg,
                         uint32_t disp) {
    if (pfx) put8(e, (uint8_t)pfx);
    uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0));
    if (rex != 0x40) put8(e, rex);
    for (unsigned i = 0; i < oplen; i++)
        put8(e, op[i]);
    put8(e, (uint8_t)(0x80 | ((reg & 7) << 3) | 7)); /* mod=10, rm=rdi */
    put32(e, disp);
}

/* mov rsp, [rip + saved]; pop r15-r12, rbp, rbx; ret */
static void emit_return_stub(uint8_t *code) {
    static const uint8_t pops[] = {0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d,
                                   0x41, 0x5c, 0x5d, 0x5b, 0xc3};
    Emit e = {code + RETURN_OFFSET};
    put8(&e, 0x48);
    put8(&e, 0x8b);
    put8(&e, 0x25);
    put32(&e, (uint32_t)(SAVED_RSP_OFFSET - (RETURN_OFFSET + 7)));
    for (unsigned i = 0; i < sizeof(pops); i++)
        put8(&e, pops[i]);
}

static void emit_prologue(uint8_t *code) {
    static const uint8_t fxrstor[] = {0x0f, 0xae};
    static const uint8_t lea[] = {0x8d}, mov[] = {0x8b};
    static const uint8_t save[] = {0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57};
    Emit e = {code};
    for (unsigned i = 0; i < sizeof(save); i++) /* push rbx, rbp, r12-r15 */
        put8(&e, save[i]);
    put8(&e, 0x48); /* mov [rip + disp32], rsp */
    put8(&e, 0x89);
    put8(&e, 0x25);
    put32(&e, (uint32_t)(SAVED_RSP_OFFSET - (uint32_t)(e.p + 4 - code)));
    /* DS = ES = 0x2b: null in a 64-bit process, but compatibility mode
     * uses them (mov eax, 0x2b; mov ds, eax; mov es, eax) */
    static const uint8_t dses[] = {0xb8, DIFF_SEL_DATA, 0, 0, 0, 0x8e, 0xd8, 0x8e, 0xc0};
    for (unsigned i = 0; i < sizeof(dses); i++)
        put8(&e, dses[i]);
    /* fxrstor64 [rdi + fx]: x87, MMX, XMM0-15, MXCSR */
    emit_rdi_mem(&e, 0, true, fxrstor, 2, 1, offsetof(HostBlock, fx));
    emit_rdi_mem(&e, 0, true, lea, 1, 4, offsetof(DiffRegs, rflags)); /* lea rsp, [rdi+rflags] */
    put8(&e, 0x9d);                                                   /* popfq */
    for (unsigned i = 0; i < 16; i++) {
        if (i != 7) emit_rdi_mem(&e, 0, true, mov, 1, i, (uint32_t)(8 * i));
    }
    emit_rdi_mem(&e, 0, true, mov, 1, 7, 8 * 7); /* rdi last */
    /* jmp [rip + disp32] to the 8-byte target at TARGET_OFFSET */
    put8(&e, 0xff);
    put8(&e, 0x25);
    put32(&e, (uint32_t)(TARGET_OFFSET - (uint32_t)(e.p + 4 - code)));
    emit_return_stub(code);
    /* the compatibility-mode thunk: jmp far m16:32 [rip + disp32] */
    e.p = code + THUNK_OFFSET;
    put8(&e, 0xff);
    put8(&e, 0x2d);
    put32(&e, (uint32_t)(FARPTR_OFFSET - (THUNK_OFFSET + 6)));
    uint32_t off32 = (uint32_t)DIFF_INSN32;
    uint16_t sel = DIFF_SEL_CODE32;
    memcpy(code + FARPTR_OFFSET, &off32, 4);
    memcpy(code + FARPTR_OFFSET + 4, &sel, 2);
}

/* ---- signals ---- */

static const int gregs_order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                    REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                    REG_R12, REG_R13, REG_R14, REG_R15};

static void capture(const ucontext_t *uc, DiffResult *out) {
    const greg_t *g = uc->uc_mcontext.gregs;
    for (unsigned i = 0; i < 16; i++)
        out->regs.gpr[i] = (uint64_t)g[gregs_order[i]];
    out->regs.rflags = (uint64_t)g[REG_EFL];
    uint64_t trapno = (uint64_t)g[REG_TRAPNO];
    if (trapno == 3) {
        out->vector = DIFF_NO_FAULT;
        out->regs.rip = (uint64_t)g[REG_RIP] - 1; /* the INT3 that stopped it */
    } else {
        out->vector = (int)trapno;
        out->regs.rip = (uint64_t)g[REG_RIP];
        out->error = (uint32_t)g[REG_ERR];
        out->cr2 = (uint64_t)g[REG_CR2];
    }
    const struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    out->regs.mxcsr = fp->mxcsr;
    for (unsigned i = 0; i < 16; i++)
        memcpy(out->regs.xmm[i], fp->_xmm[i].element, 16);
    uint64_t csgsfs = (uint64_t)g[REG_CSGSFS];
    uint16_t ds, es;
    __asm__ volatile("mov %%ds, %0\n\tmov %%es, %1" : "=r"(ds), "=r"(es));
    out->regs.sel[DIFF_SEL_CS] = (uint16_t)csgsfs;
    out->regs.sel[DIFF_SEL_SS] = (uint16_t)(csgsfs >> 48);
    out->regs.sel[DIFF_SEL_DS] = ds;
    out->regs.sel[DIFF_SEL_ES] = es;
    out->regs.fcw = fp->cwd;
    out->regs.fsw = fp->swd;
    out->regs.ftw = (uint8_t)fp->ftw;
    for (unsigned i = 0; i < 8; i++) {
        memset(out->regs.st[i], 0, 16);
        memcpy(out->regs.st[i], fp->_st[i].significand, 8);
        out->regs.st[i][1] = fp->_st[i].exponent;
    }
}

/* The FXSAVE image of a DiffRegs (64-bit format; FOP, FIP, FDP zero). */
static void build_fx(const DiffRegs *r, uint8_t *fx) {
    memset(fx, 0, 512);
    memcpy(fx + 0, &r->fcw, 2);
    memcpy(fx + 2, &r->fsw, 2);
    fx[4] = r->ftw;
    memcpy(fx + 24, &r->mxcsr, 4);
    uint32_t mask = 0xffff;
    memcpy(fx + 28, &mask, 4);
    for (unsigned i = 0; i < 8; i++) {
        memcpy(fx + 32 + 16 * i, &r->st[i][0], 8);
        memcpy(fx + 40 + 16 * i, &r->st[i][1], 2);
    }
    memcpy(fx + 160, r->xmm, 256);
}

static void on_signal(int sig, siginfo_t *si, void *ucv) {
    (void)si;
    if (!host_armed) {
        /* Not ours: a harness bug.  Die with the default action. */
        signal(sig, SIG_DFL);
        return;
    }
    host_armed = 0;
    ucontext_t *uc = ucv;
    capture(uc, host_out);
    /* Resume in the return stub, 64-bit, with the C ABI's DF = 0, AC = 0,
     * default MXCSR and x87 control word (callee-saved), empty x87 stack. */
    greg_t *g = uc->uc_mcontext.gregs;
    g[REG_RIP] = (greg_t)(DIFF_CODE64 + RETURN_OFFSET);
    g[REG_EFL] = 0x202;
    g[REG_CSGSFS] = (g[REG_CSGSFS] & ~(greg_t)0xffff) | DIFF_SEL_CODE64;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    fp->mxcsr = 0x1f80;
    fp->cwd = 0x037f; /* and an empty x87 stack, as after FNINIT */
    fp->swd = 0;
    fp->ftw = 0;
}

static bool install_handlers(void) {
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) return false;
    static const int sigs[] = {SIGTRAP, SIGSEGV, SIGBUS, SIGILL, SIGFPE};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        if (sigaction(sigs[i], &sa, NULL) != 0) return false;
    }
    return true;
}

/* ---- the region ---- */

static uint8_t *at(uint64_t addr) {
    return (uint8_t *)(uintptr_t)addr;
}

const uint8_t *diff_ro_page(void) {
    return ro_page;
}

bool diff_host_init(char *err, size_t errlen) {
    void *p = mmap(at(DIFF_REGION), DIFF_REGION_PAGES * PAGE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != at(DIFF_REGION)) {
        snprintf(err, errlen, "cannot map the test region at 0x%llx",
                 (unsigned long long)DIFF_REGION);
        return false;
    }
    for (unsigned i = 0; i < PAGE; i++)
        ro_page[i] = (uint8_t)(i * 37 + 11);
    int rwx = PROT_READ | PROT_WRITE | PROT_EXEC;
    if (mprotect(at(DIFF_CODE64), 2 * PAGE, rwx) != 0 ||
        mprotect(at(DIFF_RO), PAGE + DIFF_SCRATCH_SIZE, PROT_READ | PROT_WRITE) != 0) {
        snprintf(err, errlen, "cannot make the code pages writable and executable");
        return false;
    }
    memcpy(at(DIFF_RO), ro_page, PAGE);
    if (mprotect(at(DIFF_RO), PAGE, PROT_READ) != 0) {
        snprintf(err, errlen, "mprotect of the read-only page failed");
        return false;
    }
    memset(at(DIFF_CODE64), 0xcc, 2 * PAGE);
    emit_prologue(at(DIFF_CODE64));
    memcpy(code_template, at(DIFF_CODE64), sizeof(code_template));
    if (!install_handlers()) {
        snprintf(err, errlen, "cannot install the signal handlers");
        return false;
    }
    return true;
}

/* The code pages as the harness wrote them: a case that changed them (a
 * harness bug: generated addresses must stay in the data pages) would make
 * every later case meaningless, so it stops the run. */
static void check_code_pages(const DiffCase *c) {
    if (memcmp(at(DIFF_CODE64), code_template, sizeof(code_template)) == 0) return;
    fprintf(stderr, "diff_test: harness bug: the case wrote the host's code pages (form %u)\n",
            c->form);
    abort();
}

void diff_host_run(const DiffCase *c, DiffResult *out) {
    uint64_t slot = c->compat ? DIFF_INSN32 : DIFF_INSN64;
    uint64_t target = c->compat ? DIFF_CODE64 + THUNK_OFFSET : DIFF_INSN64;
    memset(at(slot), 0xcc, 32);
    memcpy(at(slot), c->bytes, c->len);
    memcpy(at(DIFF_CODE64 + TARGET_OFFSET), &target, 8);
    memcpy(at(DIFF_SCRATCH), c->mem, DIFF_SCRATCH_SIZE);
    host_in.regs = c->in;
    build_fx(&c->in, host_in.fx);
    memset(out, 0, offsetof(DiffResult, mem));
    host_out = out;
    host_armed = 1;
    void (*entry)(HostBlock *) = (void (*)(HostBlock *))(uintptr_t)DIFF_CODE64;
    entry(&host_in); /* returns through the signal handler and the stub */
    memcpy(out->mem, at(DIFF_SCRATCH), DIFF_SCRATCH_SIZE);
    memset(at(slot), 0xcc, 32);
    memcpy(at(DIFF_CODE64 + TARGET_OFFSET), code_template + TARGET_OFFSET, 16); /* and saved RSP */
    check_code_pages(c);
}

/* Probe: mov al, [rbx] with RBX in the last page below the canonical boundary. */
static bool top_page_present(void) {
    static DiffCase probe;
    static DiffResult out;
    memset(&probe, 0, sizeof(probe));
    probe.bytes[0] = 0x8a;
    probe.bytes[1] = 0x03;
    probe.len = 2;
    probe.in.gpr[3] = UINT64_C(0x7ffffffffff0);
    probe.in.gpr[4] = DIFF_STACK;
    probe.in.rflags = 0x202;
    probe.in.mxcsr = 0x1f80;
    probe.in.fcw = 0x37f;
    diff_host_run(&probe, &out);
    return out.vector == 14 && (out.error & 1);
}

static uint64_t host_xcr0(void) {
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(c & (1u << 27))) /* OSXSAVE */
        return 0;
    __asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
    return ((uint64_t)d << 32) | a;
}

/* Run one probe instruction (no memory operand) with RCX = rcx. */
static const DiffResult *probe(const uint8_t *bytes, unsigned len, uint64_t rcx) {
    static DiffCase c;
    static DiffResult out;
    memset(&c, 0, sizeof(c));
    memcpy(c.bytes, bytes, len);
    c.len = (uint8_t)len;
    c.in.gpr[1] = rcx;
    c.in.gpr[4] = DIFF_STACK;
    c.in.rflags = 0x202;
    c.in.mxcsr = 0x1f80;
    c.in.fcw = 0x37f;
    diff_host_run(&c, &out);
    return &out;
}

/* LAR eax, ecx and LSL eax, ecx for every GDT selector with RPL 3. */
static void probe_gdt(DiffHostFacts *f) {
    static const uint8_t lar[] = {0x0f, 0x02, 0xc1}, lsl[] = {0x0f, 0x03, 0xc1};
    for (unsigned i = 0; i < DIFF_GDT_ENTRIES; i++) {
        const DiffResult *r = probe(lar, sizeof(lar), i * 8 + 3);
        f->gdt_valid[i] = r->vector == DIFF_NO_FAULT && (r->regs.rflags & 0x40);
        f->gdt_ar[i] = (uint32_t)r->regs.gpr[0] & 0xf0ff00u;
        r = probe(lsl, sizeof(lsl), i * 8 + 3);
        f->gdt_limit[i] = (r->regs.rflags & 0x40) ? (uint32_t)r->regs.gpr[0] : 0;
    }
}

void diff_host_facts(DiffHostFacts *facts) {
    static const uint8_t rdpkru[] = {0x0f, 0x01, 0xee};
    memset(facts, 0, sizeof(*facts));
    facts->top_page_present = top_page_present();
    facts->xcr0 = host_xcr0();
    const DiffResult *r = probe(rdpkru, sizeof(rdpkru), 0);
    facts->pke = r->vector == DIFF_NO_FAULT;
    facts->pkru = (uint32_t)r->regs.gpr[0];
    probe_gdt(facts);
}
