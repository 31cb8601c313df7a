/*
 * CPU models (sim/cpu/cpu_model.c) and CPUID (SDM Vol. 2 CPUID): the shipped
 * models and how they are found, every feature row of cpu_features.def
 * reported exactly when a model has it, leaves 0, 1, 2, 6, 7, 0BH, 0DH, 1FH
 * and 80000000H-80000008H, the values CPUID takes from CR4 and
 * IA32_MISC_ENABLE, and the differences between the models seen by running
 * code (gated instructions and CR4 bits).
 */
#include "check_main.h"
#include "gp_support.h"
#include "sim/cpu/exceptions.h"
#include "sim/mem/paging.h"

enum { EAX, EBX, ECX, EDX };

static const CpuidEnv one_cpu = {.apic_id = 0, .cpu_count = 1};

static void cpuid(const CpuModel *m, const CpuidEnv *env, uint32_t leaf, uint32_t sub,
                  uint32_t out[4]) {
    cpu_model_cpuid(m, env, leaf, sub, out);
}

/* ---- the models ---- */

START_TEST(test_cpu_model_list_has_base_default_and_nehalem) {
    ck_assert_uint_ge(cpu_model_count(), 2);
    ck_assert_str_eq(cpu_model_default()->name, "base");
    ck_assert_ptr_eq(cpu_model_find("base"), cpu_model_default());
    ck_assert_ptr_nonnull(cpu_model_find("nehalem"));
    ck_assert_ptr_null(cpu_model_find("no-such-cpu"));
    ck_assert_ptr_null(cpu_model_at(cpu_model_count()));
    for (unsigned i = 0; i < cpu_model_count(); i++) {
        const CpuModel *m = cpu_model_at(i);
        ck_assert_ptr_eq(cpu_model_find(m->name), m);
        ck_assert(strlen(m->brand) <= 47);
        ck_assert(strlen(m->description) > 0);
    }
}
END_TEST

START_TEST(test_cpu_model_machine_config_selects_model) {
    char err[128];
    MachineConfig cfg = {.mem_size = 16u << 20, .cpu_model = "nehalem"};
    Machine *m = machine_create(&cfg, err, sizeof(err));
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_eq(m->cpu.model, cpu_model_find("nehalem"));
    machine_destroy(m);
    cfg.cpu_model = "pentium-9000";
    ck_assert_ptr_null(machine_create(&cfg, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "pentium-9000"));
}
END_TEST

/* The older model differs from the default in features vmxsim implements. */
START_TEST(test_cpu_model_nehalem_lacks_recent_features) {
    const CpuModel *base = cpu_model_find("base"), *old = cpu_model_find("nehalem");
    static const CpuFeature recent[] = {FEAT_PDPE1GB, FEAT_MOVBE,      FEAT_ABM,      FEAT_BMI1,
                                        FEAT_BMI2,    FEAT_PCID,       FEAT_SMEP,     FEAT_SMAP,
                                        FEAT_PKU,     FEAT_TSC_ADJUST, FEAT_IBRS_IBPB};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(recent); i++) {
        ck_assert(cpu_model_has(base, recent[i]));
        ck_assert(!cpu_model_has(old, recent[i]));
    }
    static const CpuFeature both[] = {FEAT_LM,  FEAT_NX,  FEAT_PAE,    FEAT_MTRR,  FEAT_MCA,
                                      FEAT_MCE, FEAT_PAT, FEAT_POPCNT, FEAT_RDTSCP};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(both); i++)
        ck_assert(cpu_model_has(base, both[i]) && cpu_model_has(old, both[i]));
}
END_TEST

/* ---- every feature row, both sides ---- */

typedef struct FeatureRow {
    const char *name;
    CpuFeature feature;
    uint32_t leaf, subleaf;
    unsigned reg, bit;
} FeatureRow;

static const FeatureRow feature_rows[] = {
#define X(name, l, sl, r, b) {#name, FEAT_##name, l, sl, r, b},
#include "sim/cpu/cpu_features.def"
#undef X
};

START_TEST(test_cpu_model_feature_bit_reported_iff_model_has_it) {
    const FeatureRow *f = &feature_rows[_i];
    uint32_t out[4];
    for (unsigned i = 0; i < cpu_model_count(); i++) {
        const CpuModel *m = cpu_model_at(i);
        cpuid(m, &one_cpu, f->leaf, f->subleaf, out);
        bool bit = (out[f->reg] >> f->bit) & 1;
        ck_assert_msg(bit == cpu_model_has(m, f->feature), "%s on %s", f->name, m->name);
    }
    CpuModel only = {"only", "test", 0x000906a0, "t", UINT64_C(1) << f->feature};
    cpuid(&only, &one_cpu, f->leaf, f->subleaf, out);
    ck_assert(out[f->reg] & (UINT32_C(1) << f->bit));
    CpuModel all_but = *gp_model_all();
    all_but.features &= ~(UINT64_C(1) << f->feature);
    cpuid(&all_but, &one_cpu, f->leaf, f->subleaf, out);
    ck_assert(!(out[f->reg] & (UINT32_C(1) << f->bit)));
}
END_TEST

/* ---- basic leaves ---- */

START_TEST(test_cpu_model_leaf0_max_leaf_and_vendor) {
    uint32_t out[4];
    cpuid(cpu_model_default(), &one_cpu, 0, 0, out);
    ck_assert_uint_eq(out[EAX], 0x1f);
    char vendor[13] = {0};
    memcpy(vendor, &out[EBX], 4);
    memcpy(vendor + 4, &out[EDX], 4);
    memcpy(vendor + 8, &out[ECX], 4);
    ck_assert_str_eq(vendor, "GenuineIntel");
    CpuidEnv limited = {.cpu_count = 1, .limit_maxval = true};
    cpuid(cpu_model_default(), &limited, 0, 0, out);
    ck_assert_uint_eq(out[EAX], 2);
}
END_TEST

/* Table 3-8 (leaf 01H): signature, initial APIC ID, addressable IDs, HTT. */
START_TEST(test_cpu_model_leaf1_signature_apic_id_and_count) {
    uint32_t out[4];
    const CpuModel *old = cpu_model_find("nehalem");
    CpuidEnv env = {.apic_id = 3, .cpu_count = 1};
    cpuid(old, &env, 1, 0, out);
    ck_assert_uint_eq(out[EAX], old->signature);
    ck_assert_uint_eq(out[EBX] >> 24, 3);
    ck_assert_uint_eq((out[EBX] >> 16) & 0xff, 1);
    ck_assert_uint_eq((out[EBX] >> 8) & 0xff, 8);
    ck_assert(!(out[EDX] & (1u << 28)));
    env.cpu_count = 3;
    cpuid(old, &env, 1, 0, out);
    ck_assert_uint_eq((out[EBX] >> 16) & 0xff, 4);
    ck_assert(out[EDX] & (1u << 28));
    ck_assert(!(out[ECX] & (1u << 27)));
    env.osxsave = true;
    cpuid(old, &env, 1, 0, out);
    ck_assert(out[ECX] & (1u << 27));
}
END_TEST

START_TEST(test_cpu_model_leaf2_leaf6_report_nothing) {
    uint32_t out[4];
    cpuid(cpu_model_default(), &one_cpu, 2, 0, out);
    ck_assert_uint_eq(out[EAX], 1);
    ck_assert_uint_eq(out[EBX] | out[ECX] | out[EDX], 0);
    cpuid(cpu_model_default(), &one_cpu, 6, 0, out);
    ck_assert_uint_eq(out[EAX] | out[EBX] | out[ECX] | out[EDX], 0);
}
END_TEST

/* Leaf 07H: EAX of subleaf 0 is the highest subleaf (0); subleaf 1 is all
 * zero; OSPKE follows CR4.PKE. */
START_TEST(test_cpu_model_leaf7_subleaves_and_ospke) {
    uint32_t out[4];
    const CpuModel *base = cpu_model_default();
    cpuid(base, &one_cpu, 7, 0, out);
    ck_assert_uint_eq(out[EAX], 0);
    ck_assert(out[EBX] & (1u << 7)); /* SMEP */
    ck_assert(out[ECX] & (1u << 3)); /* PKU */
    ck_assert(!(out[ECX] & (1u << 4)));
    CpuidEnv pke = {.cpu_count = 1, .ospke = true};
    cpuid(base, &pke, 7, 0, out);
    ck_assert(out[ECX] & (1u << 4));
    cpuid(base, &one_cpu, 7, 1, out);
    ck_assert_uint_eq(out[EAX] | out[EBX] | out[ECX] | out[EDX], 0);
}
END_TEST

/* Leaves 0BH and 1FH: SMT level (one thread per core), Core level (one core
 * per CPU), then invalid levels; EDX is the x2APIC ID in every subleaf. */
START_TEST(test_cpu_model_topology_leaves) {
    static const uint32_t leaves[] = {0xb, 0x1f};
    uint32_t out[4];
    CpuidEnv env = {.apic_id = 2, .cpu_count = 4};
    for (unsigned i = 0; i < 2; i++) {
        cpuid(cpu_model_default(), &env, leaves[i], 0, out);
        ck_assert_uint_eq(out[EAX], 0);
        ck_assert_uint_eq(out[EBX], 1);
        ck_assert_uint_eq(out[ECX], 0x100);
        ck_assert_uint_eq(out[EDX], 2);
        cpuid(cpu_model_default(), &env, leaves[i], 1, out);
        ck_assert_uint_eq(out[EAX], 2);
        ck_assert_uint_eq(out[EBX], 4);
        ck_assert_uint_eq(out[ECX], 0x201);
        ck_assert_uint_eq(out[EDX], 2);
        cpuid(cpu_model_default(), &env, leaves[i], 2, out);
        ck_assert_uint_eq(out[EAX] | out[EBX], 0);
        ck_assert_uint_eq(out[ECX], 2);
        ck_assert_uint_eq(out[EDX], 2);
    }
    cpuid(cpu_model_default(), &one_cpu, 0xb, 1, out);
    ck_assert_uint_eq(out[EAX], 0);
    ck_assert_uint_eq(out[EBX], 1);
}
END_TEST

/* Leaf 0DH only with XSAVE: x87 | SSE in 576 bytes. */
START_TEST(test_cpu_model_leaf_d_only_with_xsave) {
    uint32_t out[4];
    CpuModel xsave = *cpu_model_default(), no_xsave = *cpu_model_default();
    xsave.features |= UINT64_C(1) << FEAT_XSAVE;
    no_xsave.features &= ~(UINT64_C(1) << FEAT_XSAVE);
    for (unsigned sub = 0; sub < 3; sub++) {
        cpuid(&no_xsave, &one_cpu, 0xd, sub, out);
        ck_assert_uint_eq(out[EAX] | out[EBX] | out[ECX] | out[EDX], 0);
    }
    cpuid(&xsave, &one_cpu, 0xd, 0, out);
    ck_assert_uint_eq(out[EAX], 3);
    ck_assert_uint_eq(out[EBX], 576);
    ck_assert_uint_eq(out[ECX], 576);
    ck_assert_uint_eq(out[EDX], 0);
    cpuid(&xsave, &one_cpu, 0xd, 1, out);
    ck_assert_uint_eq(out[EAX] | out[EBX] | out[ECX] | out[EDX], 0);
}
END_TEST

/* ---- extended leaves ---- */

START_TEST(test_cpu_model_extended_leaves) {
    uint32_t out[4];
    const CpuModel *m = cpu_model_find("nehalem");
    cpuid(m, &one_cpu, 0x80000000u, 0, out);
    ck_assert_uint_eq(out[EAX], 0x80000008u);
    char brand[49] = {0};
    for (unsigned i = 0; i < 3; i++) {
        cpuid(m, &one_cpu, 0x80000002u + i, 0, out);
        memcpy(brand + 16 * i, out, 16);
    }
    ck_assert_str_eq(brand, m->brand);
    cpuid(m, &one_cpu, 0x80000008u, 0, out);
    ck_assert_uint_eq(out[EAX], PAGING_MAXPHYADDR | (48u << 8));
    CpuidEnv xd = {.cpu_count = 1, .xd_disable = true};
    cpuid(m, &one_cpu, 0x80000001u, 0, out);
    ck_assert(out[EDX] & (1u << 20));
    cpuid(m, &xd, 0x80000001u, 0, out);
    ck_assert(!(out[EDX] & (1u << 20)));
    ck_assert(out[EDX] & (1u << 29)); /* LM stays */
}
END_TEST

/* SDM Vol. 2 CPUID: a leaf above the maximum returns the highest basic leaf. */
START_TEST(test_cpu_model_leaf_above_max_is_highest_basic) {
    uint32_t want[4], out[4];
    CpuidEnv env = {.apic_id = 1, .cpu_count = 2};
    static const uint32_t beyond[] = {0x20, 0x40000000u, 0x7fffffffu, 0x80000009u, 0xffffffffu};
    for (unsigned sub = 0; sub < 2; sub++) {
        cpuid(cpu_model_default(), &env, 0x1f, sub, want);
        for (unsigned i = 0; i < SIM_ARRAY_SIZE(beyond); i++) {
            cpuid(cpu_model_default(), &env, beyond[i], sub, out);
            ck_assert_mem_eq(out, want, sizeof(out));
        }
    }
}
END_TEST

/* ---- run on a machine ---- */

static const uint8_t CPUID_INSN[] = {0x0f, 0xa2};

/* The CPUID instruction: the machine's CPU is APIC ID 0, alone; OSXSAVE
 * and OSPKE follow CR4; results zero-extend into RAX..RDX. */
START_TEST(test_cpu_model_cpuid_instruction_uses_cpu_state) {
    Machine *m = gp_long64();
    m->cpu.gpr[GPR_RAX] = UINT64_C(0xffffffff00000001);
    m->cpu.gpr[GPR_RCX] = 0;
    m->cpu.gpr[GPR_RBX] = ~UINT64_C(0);
    ck_assert_int_eq(gp_run(m, CPUID_INSN, 2, 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x000906a0);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RBX], 0x00010800);
    ck_assert(!(m->cpu.gpr[GPR_RCX] & (1u << 27)));
    m->cpu.cr4 |= CR4_OSXSAVE | CR4_PKE;
    m->cpu.gpr[GPR_RAX] = 1;
    ck_assert_int_eq(gp_run(m, CPUID_INSN, 2, 1), STOP_BUDGET);
    ck_assert(m->cpu.gpr[GPR_RCX] & (1u << 27));
    m->cpu.gpr[GPR_RAX] = 7;
    m->cpu.gpr[GPR_RCX] = 0;
    ck_assert_int_eq(gp_run(m, CPUID_INSN, 2, 1), STOP_BUDGET);
    ck_assert(m->cpu.gpr[GPR_RCX] & (1u << 4));
    machine_destroy(m);
}
END_TEST

/* MOV to CR4 with a bit the model does not advertise is #GP(0): each bit on
 * both shipped models (the default one and the older one differ in SMEP,
 * SMAP, PKE and PCIDE), expected as the model's feature says. */
static const struct {
    uint64_t bit;
    CpuFeature feature;
} cr4_cases[] = {
    {CR4_SMEP, FEAT_SMEP}, {CR4_SMAP, FEAT_SMAP},     {CR4_PKE, FEAT_PKU},  {CR4_PCIDE, FEAT_PCID},
    {CR4_MCE, FEAT_MCE},   {CR4_OSXSAVE, FEAT_XSAVE}, {CR4_VMXE, FEAT_VMX},
};

/* Set the case's CR4 bit under `model`: allowed exactly when it has the feature. */
static void check_cr4_bit(const CpuModel *model, uint64_t bit, CpuFeature feature) {
    static const uint8_t mov_cr4_rax[] = {0x0f, 0x22, 0xe0};
    Machine *m = gp_long64();
    m->cpu.model = model;
    uint64_t before = m->cpu.cr4;
    m->cpu.gpr[GPR_RAX] = before | bit;
    MachineStop st = gp_run(m, mov_cr4_rax, sizeof(mov_cr4_rax), 1);
    if (cpu_model_has(model, feature)) {
        ck_assert_int_eq(st, STOP_BUDGET);
        ck_assert_uint_eq(m->cpu.cr4, before | bit);
    } else {
        gp_assert_fault(m, st, EXC_GP, 0);
        ck_assert_uint_eq(m->cpu.cr4, before);
    }
    machine_destroy(m);
}

START_TEST(test_cpu_model_cr4_bits_follow_model) {
    uint64_t bit = cr4_cases[_i].bit;
    CpuFeature f = cr4_cases[_i].feature;
    CpuModel without = *gp_model_all();
    without.features &= ~(UINT64_C(1) << f);
    check_cr4_bit(gp_model_all(), bit, f);
    check_cr4_bit(&without, bit, f);
    check_cr4_bit(cpu_model_find("base"), bit, f);
    check_cr4_bit(cpu_model_find("nehalem"), bit, f);
}
END_TEST

/* MOVBE is #UD on the older model and executes on the default one. */
START_TEST(test_cpu_model_movbe_gated_by_model) {
    static const uint8_t movbe[] = {0x0f, 0x38, 0xf0, 0x06}; /* movbe eax, [rsi] */
    Machine *m = gp_long64();
    gp_poke64(m, GP_DATA, 0x11223344);
    m->cpu.gpr[GPR_RSI] = GP_DATA;
    m->cpu.model = cpu_model_find("nehalem");
    gp_assert_fault(m, gp_run(m, movbe, sizeof(movbe), 1), EXC_UD, 0);
    m->cpu.model = cpu_model_find("base");
    ck_assert_int_eq(gp_run(m, movbe, sizeof(movbe), 1), STOP_BUDGET);
    ck_assert_uint_eq(m->cpu.gpr[GPR_RAX], 0x44332211);
    machine_destroy(m);
}
END_TEST

static Suite *cpu_model_suite(void) {
    Suite *s = suite_create("cpu_model");
    TCase *models = tcase_create("models");
    tcase_add_test(models, test_cpu_model_list_has_base_default_and_nehalem);
    tcase_add_test(models, test_cpu_model_machine_config_selects_model);
    tcase_add_test(models, test_cpu_model_nehalem_lacks_recent_features);
    tcase_add_loop_test(models, test_cpu_model_feature_bit_reported_iff_model_has_it, 0,
                        (int)SIM_ARRAY_SIZE(feature_rows));
    suite_add_tcase(s, models);
    TCase *leaves = tcase_create("leaves");
    tcase_add_test(leaves, test_cpu_model_leaf0_max_leaf_and_vendor);
    tcase_add_test(leaves, test_cpu_model_leaf1_signature_apic_id_and_count);
    tcase_add_test(leaves, test_cpu_model_leaf2_leaf6_report_nothing);
    tcase_add_test(leaves, test_cpu_model_leaf7_subleaves_and_ospke);
    tcase_add_test(leaves, test_cpu_model_topology_leaves);
    tcase_add_test(leaves, test_cpu_model_leaf_d_only_with_xsave);
    tcase_add_test(leaves, test_cpu_model_extended_leaves);
    tcase_add_test(leaves, test_cpu_model_leaf_above_max_is_highest_basic);
    suite_add_tcase(s, leaves);
    TCase *run = tcase_create("run");
    tcase_add_test(run, test_cpu_model_cpuid_instruction_uses_cpu_state);
    tcase_add_loop_test(run, test_cpu_model_cr4_bits_follow_model, 0,
                        (int)SIM_ARRAY_SIZE(cr4_cases));
    tcase_add_test(run, test_cpu_model_movbe_gated_by_model);
    suite_add_tcase(s, run);
    return s;
}

CHECK_MAIN(cpu_model_suite)
