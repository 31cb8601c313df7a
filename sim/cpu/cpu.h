/*
 * Architectural state of one x86-64 CPU, plus the state derived from it and
 * the simulator's bookkeeping, kept apart (style.md rule 5).
 *
 * Segment caches use the VMX access-rights format (SDM 24.4.1 "Guest
 * Register State", Table 24-2), so VMCS save and load is a copy.
 */
#ifndef VMXSIM_CPU_CPU_H
#define VMXSIM_CPU_CPU_H

#include "sim/cpu/events.h"
#include "sim/devices/io_bus.h"
#include "sim/devices/signals.h"
#include "sim/mem/memory.h"
#include "sim/mem/tlb.h"
#include "sim/sim.h"

/* General registers in encoding order, then two pseudo-registers that let an
 * effective address be computed as gpr[base] + (gpr[index] << scale) + disp
 * with no branches: RIP (for RIP-relative operands) and a constant zero. */
enum {
    GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
    GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
    GPR_RIP, GPR_ZERO, CPU_GPR_SLOTS
};

/* Segment registers in the SDM's encoding order (Sreg field), then LDTR, TR. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT, SEG_NONE = 0xff };

/* VMX access-rights bits (SDM 24.4.1, Table 24-2). */
enum {
    AR_TYPE_MASK = 0xf,
    AR_TYPE_ACCESSED = 1u << 0,
    AR_TYPE_WRITABLE = 1u << 1, /* data; readable for code */
    AR_TYPE_CODE = 1u << 3,
    AR_S = 1u << 4,
    AR_DPL_SHIFT = 5,
    AR_P = 1u << 7,
    AR_AVL = 1u << 12,
    AR_L = 1u << 13,
    AR_DB = 1u << 14,
    AR_G = 1u << 15,
    AR_UNUSABLE = 1u << 16,
};

typedef struct Segment {
    uint16_t selector;
    uint32_t limit; /* byte granular (already scaled by G) */
    uint32_t ar;    /* VMX access-rights format */
    uint64_t base;
} Segment;

typedef struct DescTable {
    uint64_t base;
    uint32_t limit;
} DescTable;

/* RFLAGS bits (SDM Vol. 1, 3.4.3). */
enum {
    RFLAGS_CF = 1u << 0,
    RFLAGS_FIXED1 = 1u << 1,
    RFLAGS_PF = 1u << 2,
    RFLAGS_AF = 1u << 4,
    RFLAGS_ZF = 1u << 6,
    RFLAGS_SF = 1u << 7,
    RFLAGS_TF = 1u << 8,
    RFLAGS_IF = 1u << 9,
    RFLAGS_DF = 1u << 10,
    RFLAGS_OF = 1u << 11,
    RFLAGS_IOPL = 3u << 12,
    RFLAGS_NT = 1u << 14,
    RFLAGS_RF = 1u << 16,
    RFLAGS_VM = 1u << 17,
    RFLAGS_AC = 1u << 18,
    RFLAGS_VIF = 1u << 19,
    RFLAGS_VIP = 1u << 20,
    RFLAGS_ID = 1u << 21,
    RFLAGS_ARITH = RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF,
};

/* Control-register and EFER bits (SDM Vol. 3A, 2.5 "Control Registers", 2.2.1). */
#define CR0_PE (UINT64_C(1) << 0)
#define CR0_MP (UINT64_C(1) << 1)
#define CR0_EM (UINT64_C(1) << 2)
#define CR0_TS (UINT64_C(1) << 3)
#define CR0_ET (UINT64_C(1) << 4)
#define CR0_NE (UINT64_C(1) << 5)
#define CR0_WP (UINT64_C(1) << 16)
#define CR0_AM (UINT64_C(1) << 18)
#define CR0_NW (UINT64_C(1) << 29)
#define CR0_CD (UINT64_C(1) << 30)
#define CR0_PG (UINT64_C(1) << 31)
#define CR4_VME (UINT64_C(1) << 0)
#define CR4_PVI (UINT64_C(1) << 1)
#define CR4_TSD (UINT64_C(1) << 2)
#define CR4_DE (UINT64_C(1) << 3)
#define CR4_PSE (UINT64_C(1) << 4)
#define CR4_PAE (UINT64_C(1) << 5)
#define CR4_MCE (UINT64_C(1) << 6)
#define CR4_PGE (UINT64_C(1) << 7)
#define CR4_PCE (UINT64_C(1) << 8)
#define CR4_OSFXSR (UINT64_C(1) << 9)
#define CR4_OSXMMEXCPT (UINT64_C(1) << 10)
#define CR4_UMIP (UINT64_C(1) << 11)
#define CR4_LA57 (UINT64_C(1) << 12)
#define CR4_VMXE (UINT64_C(1) << 13)
#define CR4_SMXE (UINT64_C(1) << 14)
#define CR4_FSGSBASE (UINT64_C(1) << 16)
#define CR4_PCIDE (UINT64_C(1) << 17)
#define CR4_OSXSAVE (UINT64_C(1) << 18)
#define CR4_SMEP (UINT64_C(1) << 20)
#define CR4_SMAP (UINT64_C(1) << 21)
#define CR4_PKE (UINT64_C(1) << 22)
#define EFER_SCE (UINT64_C(1) << 0)
#define EFER_LME (UINT64_C(1) << 8)
#define EFER_LMA (UINT64_C(1) << 10)
#define EFER_NXE (UINT64_C(1) << 11)

/* One slot per row of msr.def. */
enum {
#define X(name, ...) MSR_SLOT_##name,
#include "sim/cpu/msr.def"
#undef X
    MSR_SLOT_COUNT
};

/* Fetch mode: the decoder and the decoded-instruction cache are keyed by it. */
typedef enum CpuMode {
    MODE_REAL,
    MODE_V86,
    MODE_PROT16,
    MODE_PROT32,
    MODE_COMPAT16,
    MODE_COMPAT32,
    MODE_LONG64,
    MODE_COUNT
} CpuMode;

/* SDM 9.x / 24.4.2 activity states. */
typedef enum ActivityState {
    ACTIVITY_ACTIVE = 0,
    ACTIVITY_HLT = 1,
    ACTIVITY_SHUTDOWN = 2,
    ACTIVITY_WAIT_SIPI = 3,
} ActivityState;

/* Lazy arithmetic flags (design.md "Lazy flags"): the last flag-producing
 * operation and its operands; flags are computed only when read. */
typedef struct LazyFlags {
    uint64_t result;
    uint64_t src1;
    uint64_t src2;
    uint32_t op;   /* LazyOp, see flags.h */
    uint32_t size; /* operand size in bytes */
} LazyFlags;

/* An exception raised by the current instruction, delivered by the loop. */
typedef struct PendingFault {
    uint8_t vector;
    bool has_error;
    uint32_t error;
    uint64_t address; /* #PF: the linear address, written to CR2 only on delivery */
} PendingFault;

/* x87 FPU, MMX and SSE state (SDM Vol. 1 chapters 8-11).  The x87 data
 * registers are kept by physical number R0..R7 (ST(i) is R[(TOP + i) & 7]);
 * MMi aliases the significand of Ri.  FXSAVE/FXRSTOR convert to and from
 * the memory image (SDM Vol. 2 FXSAVE, Table 3-53). */
typedef struct X87Reg {
    uint64_t significand;
    uint16_t sign_exponent; /* bit 15 sign, bits 14:0 biased exponent */
} X87Reg;

typedef struct FpuState {
    X87Reg r[8];
    uint16_t fcw;  /* control word, reset 0x037f by FNINIT */
    uint16_t fsw;  /* status word incl. TOP in bits 13:11 */
    uint16_t ftw;  /* full tag word, 2 bits per physical register (11 = empty) */
    uint16_t fop;  /* last non-control instruction opcode (11 bits) */
    uint64_t fip, fdp; /* last instruction / data pointer */
    uint16_t fcs, fds;
    uint32_t mxcsr; /* reset 0x1f80 */
    uint64_t xmm[16][2]; /* XMM0-15, low quadword first */
} FpuState;

struct DecodeCache;
struct CpuModel;
struct CpuVmxOps;
struct CpuApicOps;
struct VmxCpu;

/* SDM 23.3 "Introduction to VMX Operation": outside VMX operation, in VMX
 * root operation, in VMX non-root operation. */
typedef enum VmxMode { VMX_MODE_OFF, VMX_MODE_ROOT, VMX_MODE_NONROOT } VmxMode;

/* What the TLB's entries were made under (tlb_context.h). */
typedef struct TlbContext {
    uint64_t cr0, cr3, cr4, efer, pdpte[4];
    uint64_t pkru;
} TlbContext;

typedef struct TlbStamp {
    uint64_t epoch;         /* the TLB epoch the stamp describes */
    uint64_t paging_writes; /* Memory.paging_writes then */
    TlbContext context;
} TlbStamp;

/* SDM 23.8 "Restrictions on VMX Operation": in VMX operation the bits of
 * CR0 and CR4 fixed by IA32_VMX_CR0/CR4_FIXED0/1 cannot change (MOV to CR
 * #GP(0)).  Outside VMX operation must1 = 0 and may1 = all ones. */
typedef struct CrFixed {
    uint64_t must1, may1;
} CrFixed;

typedef struct CpuState {
    /* --- architectural --- */
    uint64_t gpr[CPU_GPR_SLOTS];
    uint64_t rflags; /* arithmetic bits live in `lazy` while lazy.op != LAZY_NONE */
    LazyFlags lazy;
    Segment seg[SEG_COUNT];
    DescTable gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8, xcr0;
    uint64_t pdpte[4]; /* PAE PDPTE registers, loaded by MOV to CR (SDM 4.4.1) */
    uint32_t pkru;     /* protection-key rights for user pages (SDM 4.6.2) */
    uint64_t efer;
    uint64_t dr[8];
    FpuState fpu;
    uint64_t msr[MSR_SLOT_COUNT]; /* stored MSRs, indexed by msr.def row */
    uint64_t tsc_adjust;          /* WRMSR IA32_TSC: TSC = cycles + tsc_adjust */
    uint64_t tsc_offset; /* what RDTSC, RDTSCP and RDMSR of IA32_TSC add to the TSC: the VMX TSC
                          * offset in non-root operation (SDM 25.3), else 0; cpu_tsc_read() */
    ActivityState activity;
    bool sti_shadow, movss_shadow; /* blocking by STI / by MOV SS (SDM 6.8.3) */
    bool nmi_blocked;
    CpuEvents ev; /* pending NMI and debug traps, INTR input, access checks (events.h) */
    uint8_t vmx_mode;      /* VmxMode */
    /* Non-root with "external-interrupt exiting": RFLAGS.IF does not block
     * external interrupts (SDM 24.6.1, pin-based controls); set by the VMX layer. */
    bool intr_ignores_if;
    CrFixed cr0_fixed, cr4_fixed; /* written by the VMX layer */

    /* --- derived (written only by cpu_update_mode) --- */
    CpuMode mode;
    uint8_t cpl;

    /* --- bookkeeping --- */
    uint64_t insns;  /* instructions retired */
    uint64_t cycles; /* simulated clock, the TSC source */
    /* The cycle at which a CPU timer needs an instruction boundary (the VMX-preemption
     * timer, sim/vmx): a block that would run past it runs on the careful path, whose
     * boundaries check the timers (interp.c, events.c), and a halted CPU lets time pass up
     * to it (machine.c).  UINT64_MAX: none. */
    uint64_t deadline;
    PendingFault fault;
    uint32_t exception_stop_mask; /* vectors at which cpu_run stops before delivery */
    Memory *mem;
    IoBus *io;
    Signals *signals;
    struct DecodeCache *cache;
    const struct CpuModel *model;
    const struct CpuVmxOps *vmx_ops; /* NULL: the model has no VMX (vmx_hooks.h) */
    struct VmxCpu *vmx;              /* the VMX layer's state, owned by it */
    const struct CpuApicOps *apic_ops; /* NULL: no local APIC attached (apic_hooks.h) */
    void *apic;                        /* what apic_ops act on */
    Tlb tlb;
    TlbStamp tlb_stamp; /* tlb_context.h */
    unsigned id;
} CpuState;

#define RIP gpr[GPR_RIP]

bool cpu_init(CpuState *cpu, unsigned id, Memory *mem, IoBus *io, Signals *signals) SIM_MUST_CHECK;
void cpu_destroy(CpuState *cpu);
/* Power-on (RESET) state, SDM 9.1.1 Table 9-1. */
void cpu_reset(CpuState *cpu);
/* The INIT state (SDM 9.1 Table 9-1 "INIT" column): as RESET, except that
 * x87, SSE, XCR0, the MSRs and CR0.CD/NW keep their values. */
void cpu_init_reset(CpuState *cpu);
/* Recompute mode and CPL from CR0, EFER, RFLAGS.VM and the segment caches. */
void cpu_update_mode(CpuState *cpu);

static inline unsigned seg_dpl(const Segment *s) { return (s->ar >> AR_DPL_SHIFT) & 3; }

#endif
