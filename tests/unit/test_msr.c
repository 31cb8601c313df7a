/*
 * RDMSR/WRMSR over the MSR table (sim/cpu/msr.def) run as machine code at
 * CPL 0 in 64-bit mode: unknown MSRs, feature-gated rows, reserved bits,
 * canonical addresses, read-only and write-only MSRs, the MTRR and PAT
 * memory-type rules (SDM 11.11, 11.12), the machine-check banks (SDM 15.3),
 * IA32_SPEC_CTRL/PRED_CMD, IA32_TSC_ADJUST (SDM 17.17.3), IA32_DEBUGCTL,
 * IA32_BIOS_SIGN_ID, IA32_MISC_ENABLE and EFER's feature bits.  Each rule
 * is exercised on both sides.
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/cpu/msr.h"

static const uint8_t RDMSR[] = {0x0f, 0x32};
static const uint8_t WRMSR[] = {0x0f, 0x30};
static const uint8_t CPUID[] = {0x0f, 0xa2};

/* Every row of msr.def: the kind and feature as written in the table. */
typedef struct MsrCase {
    const char *name;
    uint32_t index;
    uint64_t reset, reserved;
    const char *kind;
    CpuFeature feature;
} MsrCase;

static const MsrCase msr_rows[] = {
#define X(name, idx, rst, rsvd, k, feat) {#name, idx, rst, rsvd, #k, FEAT_##feat},
#include "sim/cpu/msr.def"
#undef X
};

#define MSR_COUNT ((int)SIM_ARRAY_SIZE(msr_rows))

static bool kind_is(const MsrCase *c, const char *k) {
    return strcmp(c->kind, k) == 0;
}

/* A model with every feature but `f`. */
static CpuModel model_without(CpuFeature f) {
    CpuModel m = *gp_model_all();
    m.features &= ~(UINT64_C(1) << f);
    return m;
}

static MachineStop rdmsr(Machine *m, uint32_t index, uint64_t *v) {
    m->cpu.gpr[GPR_RCX] = index;
    m->cpu.gpr[GPR_RAX] = m->cpu.gpr[GPR_RDX] = 0xdeadbeef;
    MachineStop st = gp_run(m, RDMSR, sizeof(RDMSR), 1);
    *v = (m->cpu.gpr[GPR_RDX] << 32) | (uint32_t)m->cpu.gpr[GPR_RAX];
    return st;
}

static MachineStop wrmsr(Machine *m, uint32_t index, uint64_t v) {
    m->cpu.gpr[GPR_RCX] = index;
    m->cpu.gpr[GPR_RAX] = (uint32_t)v;
    m->cpu.gpr[GPR_RDX] = v >> 32;
    return gp_run(m, WRMSR, sizeof(WRMSR), 1);
}

static uint64_t read_ok(Machine *m, uint32_t index) {
    uint64_t v;
    ck_assert_int_eq(rdmsr(m, index, &v), STOP_BUDGET);
    return v;
}

static void write_ok(Machine *m, uint32_t index, uint64_t v) {
    ck_assert_msg(wrmsr(m, index, v) == STOP_BUDGET, "WRMSR %#x <- %#llx faulted", index,
                  (unsigned long long)v);
}

static void write_gp(Machine *m, uint32_t index, uint64_t v) {
    ck_assert_msg(wrmsr(m, index, v) == STOP_EXCEPTION, "WRMSR %#x <- %#llx accepted", index,
                  (unsigned long long)v);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_GP);
    ck_assert_uint_eq(m->cpu.fault.error, 0);
}

static void read_gp(Machine *m, uint32_t index) {
    uint64_t v;
    ck_assert_int_eq(rdmsr(m, index, &v), STOP_EXCEPTION);
    ck_assert_uint_eq(m->cpu.fault.vector, EXC_GP);
    ck_assert_uint_eq(m->cpu.RIP, GP_CODE);
}

static uint32_t cpuid_reg(Machine *m, uint32_t leaf, unsigned reg) {
    m->cpu.gpr[GPR_RAX] = leaf;
    m->cpu.gpr[GPR_RCX] = 0;
    ck_assert_int_eq(gp_run(m, CPUID, sizeof(CPUID), 1), STOP_BUDGET);
    static const unsigned order[4] = {GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX};
    return (uint32_t)m->cpu.gpr[order[reg]];
}

/* ---- the table: existence, feature gating, reserved bits ---- */

/* Every row exists on a model with every feature: readable unless it is a
 * command MSR, and the stored rows read their reset value. */
START_TEST(test_msr_every_row_readable_with_its_feature) {
    const MsrCase *c = &msr_rows[_i];
    Machine *m = gp_long64();
    if (kind_is(c, "MSR_WRITE_ONLY")) {
        read_gp(m, c->index);
    } else {
        uint64_t v = read_ok(m, c->index);
        if (!kind_is(c, "MSR_SPECIAL"))
            ck_assert_msg(v == c->reset, "%s reads %#llx", c->name, (unsigned long long)v);
    }
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 4 2.1: a row whose CPUID condition fails does not exist. */
START_TEST(test_msr_row_without_its_feature_gp) {
    const MsrCase *c = &msr_rows[_i];
    if (c->feature == FEAT_NONE) return;
    Machine *m = gp_long64();
    CpuModel model = model_without(c->feature);
    m->cpu.model = &model;
    read_gp(m, c->index);
    write_gp(m, c->index, c->reset);
    machine_destroy(m);
}
END_TEST

/* A reserved bit on top of the current value is #GP(0) and changes nothing. */
START_TEST(test_msr_reserved_bit_gp_value_unchanged) {
    const MsrCase *c = &msr_rows[_i];
    if (!c->reserved || kind_is(c, "MSR_WRITE_ONLY")) return;
    Machine *m = gp_long64();
    uint64_t before = read_ok(m, c->index);
    uint64_t bit = c->reserved & -c->reserved;
    write_gp(m, c->index, before | bit);
    uint64_t high = UINT64_C(1) << (63 - __builtin_clzll(c->reserved));
    write_gp(m, c->index, before | high);
    ck_assert_uint_eq(read_ok(m, c->index), before);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 2 RDMSR/WRMSR: an MSR index the model does not have is #GP(0):
 * beyond the table, IA32_MCG_CTL without MCG_CTL_P, a third MC bank. */
static const uint32_t unknown_msrs[] = {0x12345678, 0x17b, 0x408, 0x40b, 0xc0000104};

START_TEST(test_msr_unknown_index_gp) {
    Machine *m = gp_long64();
    read_gp(m, unknown_msrs[_i]);
    write_gp(m, unknown_msrs[_i], 0);
    machine_destroy(m);
}
END_TEST

/* The code page and the tables above it user-accessible (U = 1). */
static void user_code_page(Machine *m) {
    gp_poke64(m, GP_PML4, (GP_PML4 + 0x1000) | 7);
    gp_poke64(m, GP_PML4 + 0x1000, (GP_PML4 + 0x2000) | 7);
    gp_poke64(m, GP_PML4 + 0x2000, GP_PT | 7);
    gp_set_pte(m, GP_CODE, 7);
}

START_TEST(test_msr_rdmsr_wrmsr_at_cpl3_gp) {
    Machine *m = gp_long64();
    user_code_page(m);
    m->cpu.seg[SEG_SS].ar |= 3u << AR_DPL_SHIFT;
    m->cpu.seg[SEG_CS].ar |= 3u << AR_DPL_SHIFT;
    cpu_update_mode(&m->cpu);
    read_gp(m, 0x277);
    write_gp(m, 0x277, 0x0007040600070406);
    machine_destroy(m);
}
END_TEST

/* ---- canonical addresses ---- */

static const uint32_t canonical_msrs[] = {0x175,      0x176,      0xc0000082, 0xc0000083,
                                          0xc0000100, 0xc0000101, 0xc0000102};

START_TEST(test_msr_non_canonical_address_gp_canonical_accepted) {
    Machine *m = gp_long64();
    uint32_t index = canonical_msrs[_i];
    write_gp(m, index, UINT64_C(0x0000800000000000));
    write_gp(m, index, UINT64_C(0xffff7fffffffffff));
    write_ok(m, index, UINT64_C(0xffff800000001000));
    ck_assert_uint_eq(read_ok(m, index), UINT64_C(0xffff800000001000));
    write_ok(m, index, UINT64_C(0x00007ffffffff000));
    ck_assert_uint_eq(read_ok(m, index), UINT64_C(0x00007ffffffff000));
    machine_destroy(m);
}
END_TEST

/* ---- read-only and write-only ---- */

/* SDM 11.11.1 "MTRR Feature Identification": VCNT 8, FIX, WC, no SMRR;
 * SDM 15.3.1.1: two banks, no IA32_MCG_CTL; MSR_PLATFORM_INFO ratio 20. */
static const struct {
    uint32_t index;
    uint64_t value;
} read_only_msrs[] = {{0xfe, 0x508}, {0x179, 0x2}, {0xce, 0x1400}};

START_TEST(test_msr_read_only_reads_value_write_gp) {
    Machine *m = gp_long64();
    uint32_t index = read_only_msrs[_i].index;
    ck_assert_uint_eq(read_ok(m, index), read_only_msrs[_i].value);
    write_gp(m, index, read_only_msrs[_i].value);
    write_gp(m, index, 0);
    ck_assert_uint_eq(read_ok(m, index), read_only_msrs[_i].value);
    machine_destroy(m);
}
END_TEST

/* SDM Vol. 4 (49H): IA32_PRED_CMD is write-only; bit 0 IBPB, others reserved. */
START_TEST(test_msr_pred_cmd_write_only) {
    Machine *m = gp_long64();
    write_ok(m, 0x49, 1);
    write_ok(m, 0x49, 0);
    write_gp(m, 0x49, 2);
    read_gp(m, 0x49);
    machine_destroy(m);
}
END_TEST

/* ---- MTRRs (SDM 11.11.2) ---- */

/* Table 11-8: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB are the only MTRR types. */
static bool mtrr_type_ok(unsigned t) {
    return t == 0 || t == 1 || (t >= 4 && t <= 6);
}

START_TEST(test_msr_mtrr_def_type_and_physbase_types) {
    Machine *m = gp_long64();
    unsigned type = (unsigned)_i;
    static const uint32_t type_msrs[] = {0x2ff, 0x200, 0x20e};
    for (unsigned k = 0; k < SIM_ARRAY_SIZE(type_msrs); k++) {
        uint64_t v = (k == 0 ? UINT64_C(0xc00) : UINT64_C(0x7f000000)) | type;
        if (mtrr_type_ok(type)) {
            write_ok(m, type_msrs[k], v);
            ck_assert_uint_eq(read_ok(m, type_msrs[k]), v);
        } else {
            write_gp(m, type_msrs[k], v);
        }
    }
    machine_destroy(m);
}
END_TEST

static const uint32_t fixed_mtrrs[] = {0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
                                       0x26b, 0x26c, 0x26d, 0x26e, 0x26f};

/* SDM 11.11.2.2: each byte of a fixed-range MTRR is a memory type. */
START_TEST(test_msr_mtrr_fixed_every_byte_checked) {
    Machine *m = gp_long64();
    uint32_t index = fixed_mtrrs[_i];
    uint64_t wb = UINT64_C(0x0606060606060606), mixed = UINT64_C(0x0605040100060504);
    write_ok(m, index, wb);
    ck_assert_uint_eq(read_ok(m, index), wb);
    write_ok(m, index, mixed);
    for (unsigned byte = 0; byte < 8; byte++) {
        write_gp(m, index, (wb & ~(UINT64_C(0xff) << (8 * byte))) | (UINT64_C(2) << (8 * byte)));
        write_gp(m, index, (wb & ~(UINT64_C(0xff) << (8 * byte))) | (UINT64_C(7) << (8 * byte)));
    }
    ck_assert_uint_eq(read_ok(m, index), mixed);
    machine_destroy(m);
}
END_TEST

/* SDM 11.11.2.3: PHYSMASK bits 10:0 and 63:MAXPHYADDR are reserved; V is bit
 * 11; PHYSBASE bits 11:8 and 63:MAXPHYADDR. */
START_TEST(test_msr_mtrr_variable_reserved_by_maxphyaddr) {
    Machine *m = gp_long64();
    uint64_t top = (UINT64_C(1) << PAGING_MAXPHYADDR) - 1;
    uint64_t mask = (top & ~UINT64_C(0xfff)) | 0x800;
    write_ok(m, 0x201, mask);
    ck_assert_uint_eq(read_ok(m, 0x201), mask);
    write_gp(m, 0x201, mask | (UINT64_C(1) << PAGING_MAXPHYADDR));
    write_gp(m, 0x201, mask | 0x400);
    write_ok(m, 0x200, (top & ~UINT64_C(0xfff)) | 6);
    write_gp(m, 0x200, (UINT64_C(1) << PAGING_MAXPHYADDR) | 6);
    write_gp(m, 0x200, 0x100 | 6);
    machine_destroy(m);
}
END_TEST

/* ---- PAT (SDM 11.12.2, Table 11-10) ---- */

START_TEST(test_msr_pat_reserved_types_gp) {
    Machine *m = gp_long64();
    unsigned field = (unsigned)_i;
    uint64_t base = UINT64_C(0x0007040600070406), clear = ~(UINT64_C(0xff) << (8 * field));
    write_gp(m, 0x277, (base & clear) | (UINT64_C(2) << (8 * field)));
    write_gp(m, 0x277, (base & clear) | (UINT64_C(3) << (8 * field)));
    write_gp(m, 0x277, (base & clear) | (UINT64_C(8) << (8 * field)));
    ck_assert_uint_eq(read_ok(m, 0x277), base);
    uint64_t uc_minus = (base & clear) | (UINT64_C(7) << (8 * field));
    write_ok(m, 0x277, uc_minus);
    ck_assert_uint_eq(read_ok(m, 0x277), uc_minus);
    uint64_t wc = (base & clear) | (UINT64_C(1) << (8 * field));
    write_ok(m, 0x277, wc);
    ck_assert_uint_eq(read_ok(m, 0x277), wc);
    machine_destroy(m);
}
END_TEST

/* ---- machine-check banks (SDM 15.3) ---- */

/* IA32_MCi_STATUS/ADDR/MISC: writing 0 clears, writing 1s is #GP. */
static const uint32_t clear_only_msrs[] = {0x401, 0x402, 0x403, 0x405, 0x406, 0x407};

START_TEST(test_msr_mc_log_registers_clear_only) {
    Machine *m = gp_long64();
    uint32_t index = clear_only_msrs[_i];
    write_ok(m, index, 0);
    write_gp(m, index, 1);
    write_gp(m, index, UINT64_C(1) << 63);
    ck_assert_uint_eq(read_ok(m, index), 0);
    machine_destroy(m);
}
END_TEST

/* IA32_MCi_CTL: every error-reporting enable bit is writable. */
START_TEST(test_msr_mc_ctl_any_value_stored) {
    Machine *m = gp_long64();
    write_ok(m, 0x400, ~UINT64_C(0));
    ck_assert_uint_eq(read_ok(m, 0x400), ~UINT64_C(0));
    write_ok(m, 0x404, 0x5a5a);
    ck_assert_uint_eq(read_ok(m, 0x404), 0x5a5a);
    machine_destroy(m);
}
END_TEST

/* SDM 15.3.1.2: MCG_STATUS RIPV, EIPV, MCIP writable, bits 63:3 reserved. */
START_TEST(test_msr_mcg_status_flags_writable_rest_reserved) {
    Machine *m = gp_long64();
    write_ok(m, 0x17a, 0x7);
    ck_assert_uint_eq(read_ok(m, 0x17a), 0x7);
    write_gp(m, 0x17a, 0x8);
    write_ok(m, 0x17a, 0);
    ck_assert_uint_eq(read_ok(m, 0x17a), 0);
    machine_destroy(m);
}
END_TEST

/* ---- IA32_DEBUGCTL: no debug-control feature is implemented ---- */

START_TEST(test_msr_debugctl_unsupported_bits_gp) {
    Machine *m = gp_long64();
    write_ok(m, 0x1d9, 0);
    ck_assert_uint_eq(read_ok(m, 0x1d9), 0);
    static const unsigned bits[] = {0, 1, 6, 7, 11, 14, 15};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(bits); i++)
        write_gp(m, 0x1d9, UINT64_C(1) << bits[i]);
    machine_destroy(m);
}
END_TEST

/* ---- IA32_SPEC_CTRL (SDM Vol. 4, 48H) ---- */

START_TEST(test_msr_spec_ctrl_bits_follow_cpuid) {
    Machine *m = gp_long64();
    write_ok(m, 0x48, 0x7);
    ck_assert_uint_eq(read_ok(m, 0x48), 0x7);
    write_gp(m, 0x48, 0x8);
    CpuModel ibrs_only = model_without(FEAT_STIBP);
    ibrs_only.features &= ~(UINT64_C(1) << FEAT_SSBD);
    m->cpu.model = &ibrs_only;
    write_ok(m, 0x48, 0x1);
    write_gp(m, 0x48, 0x2);
    write_gp(m, 0x48, 0x4);
    ck_assert_uint_eq(read_ok(m, 0x48), 0x1);
    machine_destroy(m);
}
END_TEST

/* ---- time-stamp counter (SDM 17.17.3) ---- */

START_TEST(test_msr_tsc_adjust_moves_tsc_and_back) {
    Machine *m = gp_long64();
    uint64_t tsc0 = read_ok(m, 0x10);
    write_ok(m, 0x3b, UINT64_C(1) << 40);
    uint64_t tsc1 = read_ok(m, 0x10);
    ck_assert_uint_ge(tsc1, tsc0 + (UINT64_C(1) << 40));
    ck_assert_uint_eq(read_ok(m, 0x3b), UINT64_C(1) << 40);
    /* A write to the TSC adds its delta to IA32_TSC_ADJUST: TSC = cycles + adjust. */
    write_ok(m, 0x10, 0);
    uint64_t adjust = read_ok(m, 0x3b);
    ck_assert_uint_lt(adjust + m->cpu.cycles, 1000);
    ck_assert_uint_lt(read_ok(m, 0x10), 1000);
    machine_destroy(m);
}
END_TEST

/* SDM 10.5.4.1: IA32_TSC_DEADLINE reads 0 and ignores writes unless the
 * LVT timer is in TSC-deadline mode (the local APIC, sim/devices/lapic.h). */
START_TEST(test_msr_tsc_deadline_stored_with_feature) {
    Machine *m = gp_long64();
    write_ok(m, 0x6e0, UINT64_C(0x123456789));
    ck_assert_uint_eq(read_ok(m, 0x6e0), 0);
    m->pc.lapic.lvt[LVT_TIMER] = 2u << LVT_TIMER_MODE_SHIFT | LVT_MASKED;
    write_ok(m, 0x6e0, UINT64_C(0x123456789));
    ck_assert_uint_eq(read_ok(m, 0x6e0), UINT64_C(0x123456789));
    CpuModel no_deadline = model_without(FEAT_TSC_DEADLINE);
    m->cpu.model = &no_deadline;
    read_gp(m, 0x6e0);
    machine_destroy(m);
}
END_TEST

/* ---- IA32_BIOS_SIGN_ID (SDM 9.11.7.1) ---- */

START_TEST(test_msr_bios_sign_id_loaded_by_cpuid_leaf1) {
    Machine *m = gp_long64();
    write_ok(m, 0x8b, 0);
    write_gp(m, 0x8b, 1);
    write_ok(m, 0x8b, UINT64_C(0x1234) << 32);
    ck_assert_uint_eq(read_ok(m, 0x8b), UINT64_C(0x1234) << 32);
    (void)cpuid_reg(m, 0, 0);
    ck_assert_uint_eq(read_ok(m, 0x8b), UINT64_C(0x1234) << 32); /* leaf 0 leaves it */
    (void)cpuid_reg(m, 1, 0);
    ck_assert_uint_eq(read_ok(m, 0x8b), 0); /* no microcode update loaded */
    machine_destroy(m);
}
END_TEST

/* ---- IA32_MISC_ENABLE (SDM Vol. 4, 1A0H) ---- */

START_TEST(test_msr_misc_enable_reset_and_read_only_bits) {
    Machine *m = gp_long64();
    uint64_t reset =
        MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAILABLE | MISC_ENABLE_PEBS_UNAVAILABLE;
    ck_assert_uint_eq(read_ok(m, 0x1a0), reset);
    /* Read-only bits keep their value; a read-modify-write succeeds. */
    write_ok(m, 0x1a0, MISC_ENABLE_PERFMON_AVAILABLE | MISC_ENABLE_TCC);
    ck_assert_uint_eq(read_ok(m, 0x1a0),
                      MISC_ENABLE_BTS_UNAVAILABLE | MISC_ENABLE_PEBS_UNAVAILABLE | MISC_ENABLE_TCC);
    write_ok(m, 0x1a0, reset);
    ck_assert_uint_eq(read_ok(m, 0x1a0), reset);
    static const unsigned reserved[] = {1, 2, 16, 18, 23, 33, 35, 63};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(reserved); i++)
        write_gp(m, 0x1a0, reset | (UINT64_C(1) << reserved[i]));
    machine_destroy(m);
}
END_TEST

/* Bit 22: CPUID.00H:EAX reports 2 while set. */
START_TEST(test_msr_misc_enable_limit_cpuid_maxval) {
    Machine *m = gp_long64();
    ck_assert_uint_eq(cpuid_reg(m, 0, 0), 0x1f);
    write_ok(m, 0x1a0, read_ok(m, 0x1a0) | MISC_ENABLE_LIMIT_CPUID_MAXVAL);
    ck_assert_uint_eq(cpuid_reg(m, 0, 0), 2);
    write_ok(m, 0x1a0, read_ok(m, 0x1a0) & ~MISC_ENABLE_LIMIT_CPUID_MAXVAL);
    ck_assert_uint_eq(cpuid_reg(m, 0, 0), 0x1f);
    machine_destroy(m);
}
END_TEST

/* Bit 34: NX disappears from CPUID and EFER.NXE becomes reserved; the bit
 * itself exists only with NX. */
START_TEST(test_msr_misc_enable_xd_disable) {
    Machine *m = gp_long64();
    ck_assert(cpuid_reg(m, 0x80000001, 3) & (1u << 20));
    write_ok(m, MSR_IA32_EFER, EFER_LME | EFER_NXE);
    write_ok(m, MSR_IA32_EFER, EFER_LME);
    write_ok(m, 0x1a0, read_ok(m, 0x1a0) | MISC_ENABLE_XD_DISABLE);
    ck_assert(!(cpuid_reg(m, 0x80000001, 3) & (1u << 20)));
    write_gp(m, MSR_IA32_EFER, EFER_LME | EFER_NXE);
    CpuModel no_nx = model_without(FEAT_NX);
    m->cpu.model = &no_nx;
    write_gp(m, 0x1a0, MISC_ENABLE_XD_DISABLE);
    write_ok(m, 0x1a0, 0);
    machine_destroy(m);
}
END_TEST

/* ---- IA32_EFER bits by feature (SDM Vol. 4, C000_0080H) ---- */

START_TEST(test_msr_efer_sce_nxe_need_their_features) {
    Machine *m = gp_long64();
    write_ok(m, MSR_IA32_EFER, EFER_LME | EFER_SCE | EFER_NXE);
    ck_assert_uint_eq(m->cpu.efer, EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE);
    CpuModel no_syscall = model_without(FEAT_SYSCALL);
    m->cpu.model = &no_syscall;
    write_gp(m, MSR_IA32_EFER, EFER_LME | EFER_SCE);
    CpuModel no_nx = model_without(FEAT_NX);
    m->cpu.model = &no_nx;
    write_gp(m, MSR_IA32_EFER, EFER_LME | EFER_NXE);
    write_ok(m, MSR_IA32_EFER, EFER_LME | EFER_SCE);
    /* SDM 9.8.5: LME cannot change while paging is on. */
    write_gp(m, MSR_IA32_EFER, EFER_SCE);
    machine_destroy(m);
}
END_TEST

/* SDM 23.7: IA32_FEATURE_CONTROL exists with VMX; locked, it is read-only. */
START_TEST(test_msr_feature_control_lock) {
    Machine *m = gp_long64();
    write_ok(m, 0x3a, 0x4);
    write_ok(m, 0x3a, 0x5);
    write_gp(m, 0x3a, 0x5);
    ck_assert_uint_eq(read_ok(m, 0x3a), 0x5);
    machine_destroy(m);
}
END_TEST

/* The shipped models: the MTRRs are there, the base model has TSC_ADJUST
 * and the speculation controls, the older one has neither. */
START_TEST(test_msr_models_gate_their_msrs) {
    Machine *m = gp_long64();
    m->cpu.model = cpu_model_find("base");
    ck_assert_uint_eq(read_ok(m, 0xfe), 0x508);
    write_ok(m, 0x3b, 5);
    write_ok(m, 0x48, 1);
    m->cpu.model = cpu_model_find("nehalem");
    ck_assert_uint_eq(read_ok(m, 0xfe), 0x508);
    read_gp(m, 0x3b);
    read_gp(m, 0x48);
    write_gp(m, 0x49, 1);
    machine_destroy(m);
}
END_TEST

static Suite *msr_suite(void) {
    Suite *s = suite_create("msr");
    TCase *table = tcase_create("table");
    tcase_add_loop_test(table, test_msr_every_row_readable_with_its_feature, 0, MSR_COUNT);
    tcase_add_loop_test(table, test_msr_row_without_its_feature_gp, 0, MSR_COUNT);
    tcase_add_loop_test(table, test_msr_reserved_bit_gp_value_unchanged, 0, MSR_COUNT);
    tcase_add_loop_test(table, test_msr_unknown_index_gp, 0, (int)SIM_ARRAY_SIZE(unknown_msrs));
    tcase_add_test(table, test_msr_rdmsr_wrmsr_at_cpl3_gp);
    tcase_add_loop_test(table, test_msr_non_canonical_address_gp_canonical_accepted, 0,
                        (int)SIM_ARRAY_SIZE(canonical_msrs));
    tcase_add_loop_test(table, test_msr_read_only_reads_value_write_gp, 0,
                        (int)SIM_ARRAY_SIZE(read_only_msrs));
    tcase_add_test(table, test_msr_pred_cmd_write_only);
    tcase_add_test(table, test_msr_models_gate_their_msrs);
    suite_add_tcase(s, table);
    TCase *types = tcase_create("memory_types");
    tcase_add_loop_test(types, test_msr_mtrr_def_type_and_physbase_types, 0, 256);
    tcase_add_loop_test(types, test_msr_mtrr_fixed_every_byte_checked, 0,
                        (int)SIM_ARRAY_SIZE(fixed_mtrrs));
    tcase_add_test(types, test_msr_mtrr_variable_reserved_by_maxphyaddr);
    tcase_add_loop_test(types, test_msr_pat_reserved_types_gp, 0, 8);
    suite_add_tcase(s, types);
    TCase *mca = tcase_create("machine_check");
    tcase_add_loop_test(mca, test_msr_mc_log_registers_clear_only, 0,
                        (int)SIM_ARRAY_SIZE(clear_only_msrs));
    tcase_add_test(mca, test_msr_mc_ctl_any_value_stored);
    tcase_add_test(mca, test_msr_mcg_status_flags_writable_rest_reserved);
    suite_add_tcase(s, mca);
    TCase *misc = tcase_create("misc");
    tcase_add_test(misc, test_msr_debugctl_unsupported_bits_gp);
    tcase_add_test(misc, test_msr_spec_ctrl_bits_follow_cpuid);
    tcase_add_test(misc, test_msr_tsc_adjust_moves_tsc_and_back);
    tcase_add_test(misc, test_msr_tsc_deadline_stored_with_feature);
    tcase_add_test(misc, test_msr_bios_sign_id_loaded_by_cpuid_leaf1);
    tcase_add_test(misc, test_msr_misc_enable_reset_and_read_only_bits);
    tcase_add_test(misc, test_msr_misc_enable_limit_cpuid_maxval);
    tcase_add_test(misc, test_msr_misc_enable_xd_disable);
    tcase_add_test(misc, test_msr_efer_sce_nxe_need_their_features);
    tcase_add_test(misc, test_msr_feature_control_lock);
    suite_add_tcase(s, misc);
    return s;
}

CHECK_MAIN(msr_suite)
