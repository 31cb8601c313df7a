/* Corrupted images (deterministic seeds): truncations, byte flips in the ELF
 * and program headers, extreme field values.  Every image either loads or is
 * rejected with a one-line, non-empty message; none crashes (the tests run
 * under ASan/UBSan in the sanitizer build). */
#include "check_main.h"
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/boot/boot.h"

#define RAM_SIZE (UINT64_C(32) << 20)
#define IMG_SIZE 0x3000u
#define MB_MAGIC 0x1BADB002u

typedef struct Fuzz {
    Memory mem;
    CpuState cpu;
    BootConfig cfg;
    char path[64];
    char mod_path[64];
    _Alignas(8) uint8_t base[IMG_SIZE]; /* the valid image */
    _Alignas(8) uint8_t img[IMG_SIZE];  /* the corrupted copy */
    uint64_t rng;
    unsigned loaded, rejected;
} Fuzz;

/* splitmix64: deterministic, seeded per test. */
static uint64_t next_rand(Fuzz *f) {
    uint64_t z = (f->rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void put32(uint8_t *b, size_t off, uint32_t v) {
    memcpy(b + off, &v, 4);
}

static void put_mb_header(uint8_t *b, size_t off, uint32_t flags, const uint32_t *addrs) {
    put32(b, off, MB_MAGIC);
    put32(b, off + 4, flags);
    put32(b, off + 8, 0u - MB_MAGIC - flags);
    for (unsigned i = 0; addrs && i < 5; i++)
        put32(b, off + 12 + 4 * i, addrs[i]);
}

static void fill_payload(uint8_t *b) {
    for (size_t i = 0x1000; i < IMG_SIZE; i++)
        b[i] = (uint8_t)(i * 13 + 1);
}

/* ELF64 x86-64: a text segment, a bss segment, a PT_NOTE. */
static void base_elf64(uint8_t *b, bool multiboot) {
    Elf64_Ehdr e = {
        .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
        .e_type = ET_EXEC,
        .e_machine = EM_X86_64,
        .e_version = EV_CURRENT,
        .e_entry = 0x100000,
        .e_phoff = sizeof(e),
        .e_ehsize = sizeof(e),
        .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = 3};
    Elf64_Phdr p[3] = {{PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000, 0x1000},
                       {PT_LOAD, PF_R | PF_W, 0x2000, 0x200000, 0x200000, 0x800, 0x5000, 0x1000},
                       {PT_NOTE, PF_R, 0x2800, 0, 0, 0x20, 0x20, 4}};
    fill_payload(b);
    memcpy(b, &e, sizeof(e));
    memcpy(b + sizeof(e), p, sizeof(p));
    if (multiboot) put_mb_header(b, 0x1000, 0x3, NULL);
}

/* ELF32 i386 with a multiboot header at the start of its text. */
static void base_elf32(uint8_t *b) {
    Elf32_Ehdr e = {
        .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB, EV_CURRENT},
        .e_type = ET_EXEC,
        .e_machine = EM_386,
        .e_version = EV_CURRENT,
        .e_entry = 0x100010,
        .e_phoff = sizeof(e),
        .e_ehsize = sizeof(e),
        .e_phentsize = sizeof(Elf32_Phdr),
        .e_phnum = 2};
    Elf32_Phdr p[2] = {{PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000, PF_R | PF_X, 0x1000},
                       {PT_LOAD, 0x2000, 0x101000, 0x101000, 0x1000, 0x3000, PF_R | PF_W, 0x1000}};
    fill_payload(b);
    memcpy(b, &e, sizeof(e));
    memcpy(b + sizeof(e), p, sizeof(p));
    put_mb_header(b, 0x1000, 0x3, NULL);
}

/* A raw image loaded by the multiboot address fields. */
static void base_aout(uint8_t *b) {
    static const uint32_t addrs[5] = {0x200020, 0x200000, 0, 0x204000, 0x200100};
    for (size_t i = 0; i < IMG_SIZE; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    put_mb_header(b, 0x20, 0x10003, addrs);
}

enum { BASE_ELF64, BASE_ELF32_MB, BASE_AOUT, BASE_ELF64_MB, BASE_COUNT };

static void fuzz_init(Fuzz *f, unsigned base, uint64_t seed) {
    memset(f, 0, sizeof(*f));
    ck_assert(mem_init(&f->mem, RAM_SIZE));
    f->cpu.mem = &f->mem;
    f->rng = seed * 1000003 + base;
    strcpy(f->path, "/tmp/test_boot_fuzz_XXXXXX");
    int fd = mkstemp(f->path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    strcpy(f->mod_path, "/tmp/test_boot_fuzz_mod_XXXXXX");
    fd = mkstemp(f->mod_path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "module", 6), 6);
    close(fd);
    f->cfg.image_path = f->path;
    f->cfg.append = "fuzz=1";
    f->cfg.modules[0] = (BootModule){f->mod_path, "m"};
    f->cfg.module_count = 1;
    if (base == BASE_ELF64 || base == BASE_ELF64_MB)
        base_elf64(f->base, base == BASE_ELF64_MB);
    else if (base == BASE_ELF32_MB)
        base_elf32(f->base);
    else
        base_aout(f->base);
}

static void fuzz_fini(Fuzz *f) {
    ck_assert_uint_gt(f->loaded + f->rejected, 0);
    unlink(f->path);
    unlink(f->mod_path);
    mem_destroy(&f->mem);
}

/* Boots the first len bytes of f->img and checks the contract. */
static void fuzz_run(Fuzz *f, size_t len, const char *what) {
    FILE *fp = fopen(f->path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(f->img, 1, len, fp), len);
    fclose(fp);
    char err[512];
    memset(err, 0, sizeof(err));
    BootProtocol proto = (BootProtocol)99;
    if (boot_load(&f->cfg, &f->mem, &f->cpu, &proto, err, sizeof(err))) {
        ck_assert_msg(proto == BOOT_DIRECT64 || proto == BOOT_MULTIBOOT, "%s: bad protocol", what);
        uint64_t info = f->cpu.gpr[proto == BOOT_DIRECT64 ? GPR_RDI : GPR_RBX];
        ck_assert_msg(info < RAM_SIZE, "%s: boot information outside RAM", what);
        f->loaded++;
        return;
    }
    ck_assert_msg(err[0] != '\0', "%s: rejected without a message", what);
    ck_assert_msg(!strchr(err, '\n'), "%s: message is not one line: %s", what, err);
    ck_assert_int_eq(proto, 99);
    f->rejected++;
}

START_TEST(test_boot_fuzz_truncations_never_crash) {
    Fuzz f;
    fuzz_init(&f, (unsigned)_i, 1);
    memcpy(f.img, f.base, IMG_SIZE);
    for (size_t len = 1; len <= 200; len++)
        fuzz_run(&f, len, "truncation");
    for (unsigned n = 0; n < 60; n++)
        fuzz_run(&f, 1 + next_rand(&f) % IMG_SIZE, "truncation");
    fuzz_run(&f, IMG_SIZE, "whole image");
    ck_assert_uint_ge(f.loaded, 1); /* the untruncated image loads */
    fuzz_fini(&f);
}
END_TEST

START_TEST(test_boot_fuzz_header_byte_flips_never_crash) {
    Fuzz f;
    fuzz_init(&f, (unsigned)_i, 2);
    for (unsigned n = 0; n < 300; n++) {
        memcpy(f.img, f.base, IMG_SIZE);
        unsigned flips = 1 + (unsigned)(next_rand(&f) % 8);
        for (unsigned k = 0; k < flips; k++) {
            uint64_t r = next_rand(&f);
            size_t at = (r & 1) ? (r >> 8) % 0x100 : 0x1000 + (r >> 8) % 0x40;
            f.img[at] ^= (uint8_t)(1u << ((r >> 4) & 7));
        }
        fuzz_run(&f, IMG_SIZE, "byte flips");
    }
    fuzz_fini(&f);
}
END_TEST

static const uint64_t extreme[] = {
    0,
    1,
    0xfff,
    0x1000,
    IMG_SIZE - 1,
    IMG_SIZE,
    IMG_SIZE + 1,
    RAM_SIZE - 1,
    RAM_SIZE,
    0x7fffffff,
    0x80000000,
    0xfffff000,
    0xffffffff,
    UINT64_C(0x100000000),
    UINT64_C(1) << 46,
    UINT64_C(0x7fffffffffffffff),
    UINT64_MAX - 0xfff,
    UINT64_MAX,
};

/* Writes v into the little-endian field of width bytes at off (truncating). */
static void set_field(uint8_t *b, size_t off, unsigned width, uint64_t v) {
    for (unsigned i = 0; i < width; i++)
        b[off + i] = (uint8_t)(v >> (8 * i));
}

typedef struct Field {
    size_t off;
    unsigned width;
} Field;

/* ELF64: e_phoff, e_shoff, e_phnum, e_shnum, e_phentsize; phdr 0 and 1 fields. */
static const Field fields64[] = {
    {32, 8},      {40, 8},       {56, 2},       {60, 2},       {54, 2},
    {24, 8},      {64 + 8, 8},   {64 + 24, 8},  {64 + 32, 8},  {64 + 40, 8},
    {120 + 8, 8}, {120 + 16, 8}, {120 + 24, 8}, {120 + 32, 8}, {120 + 40, 8},
};
/* ELF32: e_phoff, e_shoff, e_phnum, e_shnum, e_phentsize; phdr 0 and 1 fields. */
static const Field fields32[] = {
    {28, 4},     {32, 4},     {44, 2},      {48, 2},      {42, 2},
    {24, 4},     {52 + 4, 4}, {52 + 12, 4}, {52 + 16, 4}, {52 + 20, 4},
    {84 + 4, 4}, {84 + 8, 4}, {84 + 12, 4}, {84 + 16, 4}, {84 + 20, 4},
};
/* Multiboot address fields, and the flags (with a matching checksum). */
static const Field fields_mb[] = {
    {0x20 + 12, 4}, {0x20 + 16, 4}, {0x20 + 20, 4}, {0x20 + 24, 4}, {0x20 + 28, 4}};

static void run_fields(Fuzz *f, const Field *fields, size_t count) {
    for (size_t i = 0; i < count; i++) {
        for (size_t v = 0; v < SIM_ARRAY_SIZE(extreme); v++) {
            memcpy(f->img, f->base, IMG_SIZE);
            set_field(f->img, fields[i].off, fields[i].width, extreme[v]);
            fuzz_run(f, IMG_SIZE, "extreme field");
        }
    }
}

START_TEST(test_boot_fuzz_extreme_fields_never_crash) {
    Fuzz f;
    fuzz_init(&f, (unsigned)_i, 3);
    if (_i == BASE_ELF64 || _i == BASE_ELF64_MB)
        run_fields(&f, fields64, SIM_ARRAY_SIZE(fields64));
    else if (_i == BASE_ELF32_MB)
        run_fields(&f, fields32, SIM_ARRAY_SIZE(fields32));
    else
        run_fields(&f, fields_mb, SIM_ARRAY_SIZE(fields_mb));
    fuzz_fini(&f);
}
END_TEST

START_TEST(test_boot_fuzz_random_mb_flags_never_crash) {
    Fuzz f;
    fuzz_init(&f, (unsigned)_i, 4);
    size_t off = _i == BASE_AOUT ? 0x20 : 0x1000;
    for (unsigned n = 0; n < 100; n++) {
        memcpy(f.img, f.base, IMG_SIZE);
        uint32_t flags = (uint32_t)next_rand(&f);
        put32(f.img, off + 4, flags);
        put32(f.img, off + 8, 0u - MB_MAGIC - flags);
        fuzz_run(&f, IMG_SIZE, "multiboot flags");
    }
    fuzz_fini(&f);
}
END_TEST

static Suite *boot_fuzz_suite(void) {
    Suite *s = suite_create("boot_fuzz");
    TCase *tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_boot_fuzz_truncations_never_crash, 0, BASE_COUNT);
    tcase_add_loop_test(tc, test_boot_fuzz_header_byte_flips_never_crash, 0, BASE_COUNT);
    tcase_add_loop_test(tc, test_boot_fuzz_extreme_fields_never_crash, 0, BASE_COUNT);
    tcase_add_loop_test(tc, test_boot_fuzz_random_mb_flags_never_crash, BASE_ELF32_MB, BASE_COUNT);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(boot_fuzz_suite)
