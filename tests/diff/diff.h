/*
 * Differential testing of ordinary instructions against the host CPU
 * (design.md "Conformance evidence", docs/differential-testing.md).
 *
 * Both worlds see the same linear addresses: a region at DIFF_REGION holds
 * the code pages, a read-only page, the scratch block and a guard page.  The
 * host maps it with MAP_FIXED_NOREPLACE; vmxsim maps the same linear
 * addresses with 4-level paging onto guest RAM (and its GDT on the page
 * after the region, supervisor-only).
 */
#ifndef VMXSIM_TESTS_DIFF_H
#define VMXSIM_TESTS_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the shared address layout ---- */
#define DIFF_REGION UINT64_C(0x30000000)   /* below 4 GiB: compatibility mode reaches it */
#define DIFF_CODE64 (DIFF_REGION + 0x0000) /* host prologue, then the 64-bit slot */
#define DIFF_CODE32 (DIFF_REGION + 0x1000) /* the compatibility-mode slot */
#define DIFF_RO (DIFF_REGION + 0x2000)     /* read-only page (writes #PF) */
#define DIFF_SCRATCH (DIFF_REGION + 0x3000)
#define DIFF_SCRATCH_SIZE 0x2000u
#define DIFF_GUARD (DIFF_REGION + 0x5000) /* not present in either world */
#define DIFF_REGION_PAGES 6u
#define DIFF_SLOT_OFFSET 0x800u /* the instruction under test, in its code page */
#define DIFF_PAD_OFFSET 0x200u  /* int3 landing pad: [page + 0x200, page + 0x1000) */
#define DIFF_INSN64 (DIFF_CODE64 + DIFF_SLOT_OFFSET)
#define DIFF_INSN32 (DIFF_CODE32 + DIFF_SLOT_OFFSET)
#define DIFF_STACK (DIFF_SCRATCH + 0x1800) /* default RSP for stack instructions */
#define DIFF_MAX_INSN 15u

/* Linux x86-64 user selectors; vmxsim's segment caches use the same ones. */
#define DIFF_SEL_CODE32 0x23
#define DIFF_SEL_DATA 0x2b
#define DIFF_SEL_CODE64 0x33

/* Register state loaded before and captured after the instruction. */
typedef struct DiffRegs {
    uint64_t gpr[16]; /* encoding order RAX..R15 */
    uint64_t rflags;
    uint64_t rip;
    uint32_t mxcsr;
    uint32_t pad;
    uint64_t xmm[16][2]; /* low quadword first */
    /* x87 and MMX (SDM Vol. 1 8.1): control and status words (TOP in FSW
     * bits 13:11), the abridged tag byte of FXSAVE (bit i: physical register
     * i is not empty), and ST(0)..ST(7) as [0] = significand, [1] = sign and
     * exponent in bits 15:0.  MMi is the significand of physical register i. */
    uint16_t fcw, fsw;
    uint8_t ftw;
    uint8_t pad2[3];
    uint64_t st[8][2];
    /* segment selectors (outputs; inputs are CS by mode, SS = DS = ES = 0x2b) */
    uint16_t sel[4];
} DiffRegs;

enum { DIFF_SEL_CS, DIFF_SEL_SS, DIFF_SEL_DS, DIFF_SEL_ES };

#define DIFF_NO_FAULT (-1)

/* What one world did with one case. */
typedef struct DiffResult {
    DiffRegs regs;
    int vector;     /* DIFF_NO_FAULT or the exception vector */
    uint32_t error; /* error code, for vectors that have one */
    uint64_t cr2;   /* #PF linear address */
    uint8_t mem[DIFF_SCRATCH_SIZE];
} DiffResult;

/* One generated case: the bytes, the mode, the inputs. */
typedef struct DiffCase {
    unsigned form; /* index in the forms table */
    bool compat;   /* 32-bit compatibility mode rather than 64-bit mode */
    uint8_t len;
    uint8_t bytes[DIFF_MAX_INSN];
    DiffRegs in;
    uint8_t mem[DIFF_SCRATCH_SIZE];
    /* facts the flag rules need (operand size in bytes, shift/rotate count, ...) */
    uint8_t opsize;
    uint8_t count;     /* count operand as encoded (before masking) */
    uint8_t reg_field; /* ModRM.reg register (with REX.R) */
    uint8_t rm_reg;    /* ModRM.rm register, or 0xff for memory / no ModRM */
    uint64_t ea;       /* effective address of the memory operand, if any */
    uint64_t src;      /* r/m operand value (BSF/BSR: "source is zero") */
} DiffCase;

/* ---- host.c: the native world ---- */
bool diff_host_init(char *err, size_t errlen);
void diff_host_run(const DiffCase *c, DiffResult *out);
/* Facts about the host that vmxsim's set-up mirrors. */
#define DIFF_GDT_ENTRIES 32

typedef struct DiffHostFacts {
    bool top_page_present; /* the last page of the user half: present, not user-accessible */
    uint64_t xcr0;         /* XGETBV(0), 0 when CR4.OSXSAVE is clear */
    uint32_t pkru;         /* RDPKRU, when CR4.PKE is set */
    bool pke;
    /* The host's GDT as CPL 3 sees it (LAR and LSL of selector i*8+3):
     * access rights (LAR's EAX & 0xf0ff00) and byte-granular limit. */
    bool gdt_valid[DIFF_GDT_ENTRIES];
    uint32_t gdt_ar[DIFF_GDT_ENTRIES];
    uint32_t gdt_limit[DIFF_GDT_ENTRIES];
} DiffHostFacts;
void diff_host_facts(DiffHostFacts *facts);
/* Bytes of the read-only page (the same in both worlds). */
const uint8_t *diff_ro_page(void);

/* ---- simrun.c: vmxsim ---- */
bool diff_sim_init(const DiffHostFacts *facts, char *err, size_t errlen);
void diff_sim_run(const DiffCase *c, DiffResult *out);
void diff_sim_fini(void);

#endif
