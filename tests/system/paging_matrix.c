/*
 * paging-matrix: the same table of accesses run under 4-level, PAE and
 * 32-bit paging.  Each row sets the PDE and PTE that map one test page, the
 * CPL, the access (read, write, instruction fetch), CR0.WP and IA32_EFER.NXE,
 * and says what must happen.  paging_probe.S switches to the paging mode
 * (leaving and re-entering IA-32e mode for PAE and 32-bit paging), performs
 * the access and records the exception.  After each access the guest checks:
 *   - the outcome: no exception, or #PF with the exact error code;
 *   - CR2 = the linear address, for a #PF;
 *   - the accessed and dirty bits of every entry used: set on a successful
 *     access (D only for a write, only in the leaf), left clear by a
 *     faulting one.
 *
 * SDM Vol. 3A rules checked:
 *   4.1.2 Table 4-1 "Paging modes": CR4.PAE and IA32_EFER.LME select 32-bit,
 *       PAE or 4-level paging; 9.8.5 / 9.8.5.4: entering and leaving IA-32e
 *       mode.
 *   4.3 (32-bit), 4.4.2 (PAE), 4.5 (4-level) translation: the P flag of every
 *       level ("not present" faults with P = 0).
 *   4.6.1 "Determination of Access Rights": U/S and R/W combine over all
 *       levels (a supervisor or read-only PDE restricts a user or writable
 *       PTE); user-mode accesses need U/S = 1; user writes need R/W = 1 with
 *       either CR0.WP value; supervisor writes to read-only pages fault only
 *       with CR0.WP = 1; supervisor reads of user pages are allowed (no SMAP);
 *       with IA32_EFER.NXE = 1, fetches from an XD page (XD in the PTE or the
 *       PDE) fault; 32-bit paging has no XD.
 *   4.7 "Page-Fault Exceptions": error-code bits P, W/R, U/S, RSVD and I/D;
 *       I/D is set for fetches only with PAE or 4-level paging and NXE = 1;
 *       CR2 holds the linear address.
 *   4.4.2 / 4.5 reserved bits: XD (bit 63) with NXE = 0, and bit 51 (above
 *       MAXPHYADDR), give #PF with RSVD = 1.
 *   4.3 / 4.4.2 / 4.5: a PDE with PS = 1 maps a 4 MiB page (32-bit paging,
 *       CR4.PSE = 1) or a 2 MiB page (PAE, 4-level) and is itself the leaf.
 *   4.8 "Accessed and Dirty Flags": A in every entry used, D in the leaf on a
 *       write; not set for an access that faults (vmxsim sets them only when
 *       the access succeeds, sim/mem/paging.h).
 */
#include "guest/guest.h"
#include "lib/desc.h"
#include "lib/systest.h"
#include "paging_probe.h"

#define TEST_LA_64 ((1ull << 39) | 0x800000) /* PML4E 1, PDPTE 0, PDE 4, PTE 0 */
#define TEST_LA_32 0x40800000ull             /* PDPTE 1 / PDE 0x102, PDE 4, PTE 0 */
#define RSVD51 (1ull << 51)
#define PWU (PTE_P | PTE_W | PTE_U)
#define IDENTITY_END 0x400000ull /* the probe's own pages must lie below */
#define LARGE_FRAME 0x800000ull  /* 4 MiB-aligned frame for the PDE.PS = 1 rows */

Probe probe;

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt_id[512] __attribute__((aligned(4096)));
static uint64_t pdpt_test[512] __attribute__((aligned(4096)));
static uint64_t pd_id[512] __attribute__((aligned(4096)));
static uint64_t pd_test[512] __attribute__((aligned(4096)));
static uint64_t pt_id[1024] __attribute__((aligned(4096))); /* 0-4 MiB, two tables */
static uint64_t pt_test[512] __attribute__((aligned(4096)));
static uint64_t pdpt_pae[4] __attribute__((aligned(32)));
static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint32_t pt32_id[1024] __attribute__((aligned(4096)));
static uint32_t pt32_test[1024] __attribute__((aligned(4096)));
static uint8_t test_frame[4096] __attribute__((aligned(4096)));
static uint8_t user_stack[4096] __attribute__((aligned(4096)));
static uint8_t probe_stack[8192] __attribute__((aligned(16)));
extern uint64_t probe_idt32[256];

enum { OK = -1, SKIP = -2 };

/* One row: the test page's PDE and PTE flags, who accesses it how, and the
 * expected #PF error code (OK: no fault) for PAE/4-level and 32-bit paging.
 * A PDE with PS = 1 maps LARGE_FRAME directly (2 MiB page, or 4 MiB with
 * CR4.PSE = 1 under 32-bit paging); its PTE column is unused. */
typedef struct Case {
    const char *what;
    uint64_t pde, pte;
    unsigned cpl, access, wp, nxe;
    int err, err32;
} Case;

#define R PROBE_READ
#define W PROBE_WRITE
#define X PROBE_EXEC

static const Case cases[] = {
    {"CPL 0 read, supervisor page", PWU, PTE_P | PTE_W, 0, R, 1, 1, OK, OK},
    {"CPL 0 write, supervisor page", PWU, PTE_P | PTE_W, 0, W, 1, 1, OK, OK},
    {"CPL 0 fetch, supervisor page", PWU, PTE_P | PTE_W, 0, X, 1, 1, OK, OK},
    {"CPL 3 read, supervisor page", PWU, PTE_P | PTE_W, 3, R, 1, 1, 0x5, 0x5},
    {"CPL 3 write, supervisor page", PWU, PTE_P | PTE_W, 3, W, 1, 1, 0x7, 0x7},
    {"CPL 3 fetch, supervisor page, NXE 1", PWU, PTE_P | PTE_W, 3, X, 1, 1, 0x15, 0x5},
    {"CPL 3 fetch, supervisor page, NXE 0", PWU, PTE_P | PTE_W, 3, X, 1, 0, 0x5, 0x5},
    {"CPL 3 read, user page", PWU, PWU, 3, R, 1, 1, OK, OK},
    {"CPL 3 write, user page", PWU, PWU, 3, W, 1, 1, OK, OK},
    {"CPL 3 fetch, user page", PWU, PWU, 3, X, 1, 1, OK, OK},
    {"CPL 0 read, user page (no SMAP)", PWU, PWU, 0, R, 1, 1, OK, OK},
    {"CPL 0 write, user page (no SMAP)", PWU, PWU, 0, W, 1, 1, OK, OK},
    {"CPL 3 read, supervisor PDE, user PTE", PTE_P | PTE_W, PWU, 3, R, 1, 1, 0x5, 0x5},
    {"CPL 3 write, read-only user page, WP 1", PWU, PTE_P | PTE_U, 3, W, 1, 1, 0x7, 0x7},
    {"CPL 3 write, read-only user page, WP 0", PWU, PTE_P | PTE_U, 3, W, 0, 1, 0x7, 0x7},
    {"CPL 3 write, read-only PDE, writable PTE", PTE_P | PTE_U, PWU, 3, W, 1, 1, 0x7, 0x7},
    {"CPL 3 read, read-only user page", PWU, PTE_P | PTE_U, 3, R, 1, 1, OK, OK},
    {"CPL 0 write, read-only page, WP 1", PWU, PTE_P, 0, W, 1, 1, 0x3, 0x3},
    {"CPL 0 write, read-only page, WP 0", PWU, PTE_P, 0, W, 0, 1, OK, OK},
    {"CPL 0 write, read-only PDE, WP 1", PTE_P | PTE_U, PWU, 0, W, 1, 1, 0x3, 0x3},
    {"CPL 0 write, read-only PDE, WP 0", PTE_P | PTE_U, PWU, 0, W, 0, 1, OK, OK},
    {"CPL 0 read, read-only page", PWU, PTE_P, 0, R, 1, 1, OK, OK},
    {"CPL 0 read, PTE not present", PWU, 0, 0, R, 1, 1, 0x0, 0x0},
    {"CPL 3 write, PTE not present", PWU, 0, 3, W, 1, 1, 0x6, 0x6},
    {"CPL 0 fetch, PTE not present, NXE 1", PWU, 0, 0, X, 1, 1, 0x10, 0x0},
    {"CPL 3 read, PDE not present", 0, PWU, 3, R, 1, 1, 0x4, 0x4},
    {"CPL 0 fetch, XD page, NXE 1", PWU, PTE_P | PTE_W | PTE_XD, 0, X, 1, 1, 0x11, SKIP},
    {"CPL 3 fetch, XD user page, NXE 1", PWU, PWU | PTE_XD, 3, X, 1, 1, 0x15, SKIP},
    {"CPL 3 read, XD user page, NXE 1", PWU, PWU | PTE_XD, 3, R, 1, 1, OK, SKIP},
    {"CPL 0 fetch, XD in the PDE, NXE 1", PWU | PTE_XD, PTE_P | PTE_W, 0, X, 1, 1, 0x11, SKIP},
    {"CPL 0 read, XD set with NXE 0 (reserved)", PWU, PTE_P | PTE_W | PTE_XD, 0, R, 1, 0, 0x9,
     SKIP},
    {"CPL 0 fetch, XD set with NXE 0 (reserved)", PWU, PTE_P | PTE_W | PTE_XD, 0, X, 1, 0, 0x9,
     SKIP},
    {"CPL 0 read, PTE bit 51 set (reserved)", PWU, PTE_P | PTE_W | RSVD51, 0, R, 1, 1, 0x9, SKIP},
    {"CPL 3 write, PTE bit 51 set (reserved)", PWU, PWU | RSVD51, 3, W, 1, 1, 0xf, SKIP},
    {"CPL 3 write, large user page", PWU | PTE_PS, 0, 3, W, 1, 1, OK, OK},
    {"CPL 3 fetch, large user page", PWU | PTE_PS, 0, 3, X, 1, 1, OK, OK},
    {"CPL 3 read, large supervisor page", PTE_P | PTE_W | PTE_PS, 0, 3, R, 1, 1, 0x5, 0x5},
    {"CPL 0 write, large read-only page, WP 1", PTE_P | PTE_PS, 0, 0, W, 1, 1, 0x3, 0x3},
    {"CPL 0 fetch, large XD page, NXE 1", PTE_P | PTE_W | PTE_PS | PTE_XD, 0, 0, X, 1, 1, 0x11,
     SKIP},
};

static const char *const mode_names[] = {"4-level", "PAE", "32-bit"};

/* Identity map of [0, 4 MiB) with 4 KiB supervisor pages, except the
 * probe's CPL 3 code and stack, which are user pages. */
static bool user_page(uint64_t pa) {
    return (pa >= (uint64_t)probe_user_start && pa < (uint64_t)probe_user_end) ||
           pa == (uint64_t)user_stack;
}

static void build_identity_maps(void) {
    for (uint64_t i = 0; i < 1024; i++) {
        uint64_t pa = i << 12, flags = PTE_P | PTE_W | (user_page(pa) ? PTE_U : 0);
        pt_id[i] = pa | flags;
        pt32_id[i] = (uint32_t)(pa | flags);
    }
    pd_id[0] = (uint64_t)&pt_id[0] | PWU;
    pd_id[1] = (uint64_t)&pt_id[512] | PWU;
    pdpt_id[0] = (uint64_t)pd_id | PWU;
    pml4[0] = (uint64_t)pdpt_id | PWU;
    pdpt_pae[0] = (uint64_t)pd_id | PTE_P; /* PAE PDPTEs: no R/W, U/S (SDM 4.4.1) */
    pdpt_pae[1] = (uint64_t)pd_test | PTE_P;
    pd32[0] = (uint32_t)(uint64_t)pt32_id | PWU;
    test_frame[0] = 0xc3; /* RET: a fetch that succeeds comes straight back */
    *(volatile uint8_t *)LARGE_FRAME = 0xc3;
}

static bool large(const Case *c) {
    return (c->pde & PTE_PS) != 0;
}

/* Fresh entries for one row: A and D clear everywhere on the test path. */
static void set_test_entries(const Case *c) {
    uint64_t pd_target = large(c) ? LARGE_FRAME : (uint64_t)pt_test;
    uint64_t pd32_target = large(c) ? LARGE_FRAME : (uint64_t)pt32_test;
    pml4[1] = (uint64_t)pdpt_test | PWU;
    pdpt_test[0] = (uint64_t)pd_test | PWU;
    pd_test[4] = c->pde ? pd_target | c->pde : 0;
    pt_test[0] = c->pte ? (uint64_t)test_frame | c->pte : 0;
    pd32[TEST_LA_32 >> 22] = c->pde ? (uint32_t)(pd32_target | c->pde) : 0;
    pt32_test[0] = c->pte ? (uint32_t)((uint64_t)test_frame | c->pte) : 0;
}

/* A/D bits of the entries on the test path: bit 0 leaf.A, 1 leaf.D (the PTE,
 * or the PDE of a large page), 2 PDE.A of a PDE that references a page table,
 * 3 PDPTE.A, 4 PML4E.A (the last two only for 4-level paging; PAE PDPTEs
 * have no A flag). */
static uint64_t ad_bits(int mode, const Case *c) {
    uint64_t pte = mode == PROBE_MODE_32BIT ? pt32_test[0] : pt_test[0];
    uint64_t pde = mode == PROBE_MODE_32BIT ? pd32[TEST_LA_32 >> 22] : pd_test[4];
    uint64_t leaf = large(c) ? pde : pte;
    uint64_t r = (leaf & PTE_A ? 1 : 0) | (leaf & PTE_D ? 2 : 0);
    if (!large(c)) r |= pde & PTE_A ? 4 : 0;
    if (mode == PROBE_MODE_4LEVEL) r |= (pdpt_test[0] & PTE_A ? 8 : 0) | (pml4[1] & PTE_A ? 16 : 0);
    return r;
}

static uint64_t expected_ad(int mode, const Case *c, bool ok) {
    if (!ok) return 0;
    uint64_t r = 1 | (c->access == W ? 2 : 0) | (large(c) ? 0 : 4);
    return mode == PROBE_MODE_4LEVEL ? r | 8 | 16 : r;
}

/* 0x1000: no exception; a #PF: its error code; any other vector v: 0x2000 + v. */
static uint64_t outcome(const Case *c) {
    unsigned none = c->cpl == 3 ? PROBE_RETURN : PROBE_NONE;
    if (probe.vector == none) return 0x1000;
    return probe.vector == EXC_PF ? probe.error : 0x2000 + probe.vector;
}

static void run_case(int mode, const Case *c) {
    int err = mode == PROBE_MODE_32BIT ? c->err32 : c->err;
    if (err == SKIP) return;
    uint64_t la = mode == PROBE_MODE_4LEVEL ? TEST_LA_64 : TEST_LA_32;
    set_test_entries(c);
    probe.mode = (uint64_t)mode;
    probe.cr3 = mode == PROBE_MODE_4LEVEL ? (uint64_t)pml4
                : mode == PROBE_MODE_PAE  ? (uint64_t)pdpt_pae
                                          : (uint64_t)pd32;
    probe.wp = c->wp;
    probe.nxe = c->nxe;
    probe.cpl = c->cpl;
    probe.access = c->access;
    probe.address = la;
    probe_run();
    const char *m = mode_names[mode];
    if (err == OK)
        systest_eq(outcome(c), 0x1000, "%s: %s: no fault", m, c->what);
    else
        systest_eq(outcome(c), (uint64_t)err, "%s: %s: #PF error 0x%x", m, c->what, err);
    if (err != OK)
        systest_eq(probe.cr2, la, "%s: %s: CR2 = 0x%llx", m, c->what, (unsigned long long)la);
    systest_eq(ad_bits(mode, c), expected_ad(mode, c, err == OK), "%s: %s: A/D bits %s", m, c->what,
               err != OK        ? "all clear"
               : c->access == W ? "A on every level, D in the leaf"
                                : "A on every level, no D");
}

/* SDM 4.1.2 Table 4-1: the last access really ran in the paging mode asked
 * for (IA32_EFER.LMA and CR4.PAE; CR0.PG is on or nothing would fault). */
static void check_mode(int mode) {
    uint64_t lma = probe.efer_in & EFER_LMA, pae = probe.cr4_in & CR4_PAE;
    uint64_t want = mode == PROBE_MODE_4LEVEL ? EFER_LMA | CR4_PAE
                    : mode == PROBE_MODE_PAE  ? CR4_PAE
                                              : 0;
    systest_eq(lma | pae, want, "%s: IA32_EFER.LMA %d, CR4.PAE %d during the accesses",
               mode_names[mode], mode == PROBE_MODE_4LEVEL, mode != PROBE_MODE_32BIT);
}

/* The systest IDT for the 4-level probe: every exception and the CPL 3
 * stub's INT 0x81 end the access (systest_trap). */
static void setup_idts(void) {
    for (unsigned v = 0; v < 32; v++) {
        systest_set_gate(v, GATE_INT, 0, 0, true);
        uint64_t off = (uint64_t)probe_legacy_stubs + 16 * v; /* SDM 6.11 Figure 6-2 */
        probe_idt32[v] =
            (off & 0xffff) | (uint64_t)SEL_KCODE32 << 16 | 0x8eull << 40 | (off >> 16) << 48;
    }
    systest_set_gate(PROBE_RETURN, GATE_INT, 3, 0, true);
    uint64_t off = (uint64_t)probe_legacy_stubs + 16 * PROBE_RETURN;
    probe_idt32[PROBE_RETURN] =
        (off & 0xffff) | (uint64_t)SEL_KCODE32 << 16 | 0xeeull << 40 | (off >> 16) << 48;
    systest_load_idt();
}

void systest_trap(TrapFrame *f) {
    probe.vector = f->vector;
    probe.error = f->error;
    probe.cr2 = read_cr2();
    f->rip = (uint64_t)probe_resume64; /* IRETQ to CPL 0, on the saved stack */
    f->cs = SEL_KCODE64;
    f->ss = SEL_KDATA;
    f->rsp = probe_saved_rsp;
    f->rflags = 0x2;
}

int guest_main(const VmxsimBootInfo *info) {
    systest_init();
    if (info->boot_area_end > IDENTITY_END || (uint64_t)test_frame >= IDENTITY_END) {
        guest_printf("FAIL - the image and boot area must lie below 4 MiB\n");
        return 3;
    }
    systest_load_gdt_tss();
    setup_idts();
    build_identity_maps();
    probe.stack_top = (uint64_t)probe_stack + sizeof(probe_stack);
    probe.user_stack_top = (uint64_t)user_stack + sizeof(user_stack);
    for (int mode = PROBE_MODE_4LEVEL; mode <= PROBE_MODE_32BIT; mode++) {
        systest_note("%s paging", mode_names[mode]);
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            run_case(mode, &cases[i]);
        check_mode(mode);
    }
    return systest_finish();
}
