/* ELF loading (sim/boot/elf_image.c) through boot_load: bytes, bss, entry
 * state, and every malformed-header case rejected with a message naming it. */
#include "check_main.h"
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/boot/boot.h"

#define RAM_SIZE (UINT64_C(64) << 20)
#define FILE_DATA 0x1000u /* segment bytes start here in the file, page by page */
#define MAX_SEGS 4

typedef struct TestSeg {
    uint32_t type;
    uint64_t paddr, vaddr, filesz, memsz;
} TestSeg;

typedef struct TestImage {
    uint8_t *data;
    size_t size;
    uint64_t seg_offset[MAX_SEGS];
} TestImage;

typedef struct Harness {
    Memory mem;
    CpuState cpu;
    BootConfig cfg;
    BootProtocol proto;
    char path[64];
    char err[512];
} Harness;

static uint8_t pattern(unsigned seg, uint64_t i) {
    return (uint8_t)(0x11 * (seg + 1) + i * 7);
}

static void put_phdr(uint8_t *at, unsigned cls, const TestSeg *s, uint64_t off) {
    if (cls == ELFCLASS64) {
        Elf64_Phdr p = {.p_type = s->type,
                        .p_flags = PF_R | PF_W | PF_X,
                        .p_offset = off,
                        .p_vaddr = s->vaddr,
                        .p_paddr = s->paddr,
                        .p_filesz = s->filesz,
                        .p_memsz = s->memsz,
                        .p_align = 0x1000};
        memcpy(at, &p, sizeof(p));
    } else {
        Elf32_Phdr p = {.p_type = s->type,
                        .p_flags = PF_R | PF_W | PF_X,
                        .p_offset = (uint32_t)off,
                        .p_vaddr = (uint32_t)s->vaddr,
                        .p_paddr = (uint32_t)s->paddr,
                        .p_filesz = (uint32_t)s->filesz,
                        .p_memsz = (uint32_t)s->memsz,
                        .p_align = 0x1000};
        memcpy(at, &p, sizeof(p));
    }
}

static void put_ehdr(uint8_t *buf, unsigned cls, uint16_t machine, uint64_t entry, unsigned n) {
    unsigned char ident[EI_NIDENT] = {ELFMAG0,     ELFMAG1,   ELFMAG2, ELFMAG3, (unsigned char)cls,
                                      ELFDATA2LSB, EV_CURRENT};
    if (cls == ELFCLASS64) {
        Elf64_Ehdr e = {.e_type = ET_EXEC,
                        .e_machine = machine,
                        .e_version = EV_CURRENT,
                        .e_entry = entry,
                        .e_phoff = sizeof(Elf64_Ehdr),
                        .e_ehsize = sizeof(Elf64_Ehdr),
                        .e_phentsize = sizeof(Elf64_Phdr),
                        .e_phnum = (uint16_t)n};
        memcpy(e.e_ident, ident, EI_NIDENT);
        memcpy(buf, &e, sizeof(e));
    } else {
        Elf32_Ehdr e = {.e_type = ET_EXEC,
                        .e_machine = machine,
                        .e_version = EV_CURRENT,
                        .e_entry = (uint32_t)entry,
                        .e_phoff = sizeof(Elf32_Ehdr),
                        .e_ehsize = sizeof(Elf32_Ehdr),
                        .e_phentsize = sizeof(Elf32_Phdr),
                        .e_phnum = (uint16_t)n};
        memcpy(e.e_ident, ident, EI_NIDENT);
        memcpy(buf, &e, sizeof(e));
    }
}

/* Header, program headers, then each segment's file bytes on its own page. */
static TestImage build_elf(unsigned cls, uint16_t machine, uint64_t entry, const TestSeg *segs,
                           unsigned n) {
    TestImage img = {0};
    uint64_t off = FILE_DATA;
    for (unsigned i = 0; i < n; i++) {
        img.seg_offset[i] = off;
        off = (off + segs[i].filesz + 0xfff) & ~UINT64_C(0xfff);
    }
    img.size = off;
    img.data = calloc(1, img.size);
    ck_assert_ptr_nonnull(img.data);
    put_ehdr(img.data, cls, machine, entry, n);
    size_t phoff = cls == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    size_t phsize = cls == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    for (unsigned i = 0; i < n; i++) {
        put_phdr(img.data + phoff + i * phsize, cls, &segs[i], img.seg_offset[i]);
        for (uint64_t b = 0; b < segs[i].filesz; b++)
            img.data[img.seg_offset[i] + b] = pattern(i, b);
    }
    return img;
}

static const TestSeg two_segs[] = {
    {PT_LOAD, 0x100000, 0x100000, 0x180, 0x180},
    {PT_LOAD, 0x200000, 0x200000, 0x10, 0x1ff8},
};

static TestImage build_default64(void) {
    return build_elf(ELFCLASS64, EM_X86_64, 0x100040, two_segs, 2);
}

static void harness_init(Harness *h) {
    memset(h, 0, sizeof(*h));
    ck_assert(mem_init(&h->mem, RAM_SIZE));
    h->cpu.mem = &h->mem;
    strcpy(h->path, "/tmp/test_boot_elf_XXXXXX");
    int fd = mkstemp(h->path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    h->cfg.image_path = h->path;
}

static void harness_fini(Harness *h) {
    unlink(h->path);
    mem_destroy(&h->mem);
}

static void harness_write(Harness *h, const void *data, size_t size) {
    FILE *fp = fopen(h->path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    fclose(fp);
}

/* boot_load, checking the error contract: one non-empty line on failure. */
static bool harness_boot(Harness *h) {
    bool ok = boot_load(&h->cfg, &h->mem, &h->cpu, &h->proto, h->err, sizeof(h->err));
    if (!ok) {
        ck_assert_msg(h->err[0] != '\0', "failure without a message");
        ck_assert_ptr_null(strchr(h->err, '\n'));
    }
    return ok;
}

static void expect_error(Harness *h, const char *needle) {
    ck_assert_msg(!harness_boot(h), "image was accepted, expected an error with \"%s\"", needle);
    ck_assert_msg(strstr(h->err, needle), "error \"%s\" does not mention \"%s\"", h->err, needle);
}

START_TEST(test_boot_elf_segments_loaded_bytes_match) {
    Harness h;
    harness_init(&h);
    TestImage img = build_default64();
    harness_write(&h, img.data, img.size);
    ck_assert(harness_boot(&h));
    for (unsigned s = 0; s < 2; s++) {
        for (uint64_t i = 0; i < two_segs[s].filesz; i++)
            ck_assert_uint_eq(mem_phys_read(&h.mem, two_segs[s].paddr + i, 1), pattern(s, i));
    }
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_bss_dirty_ram_zeroed) {
    Harness h;
    harness_init(&h);
    for (uint64_t a = 0x200000; a < 0x203000; a += 8)
        (void)mem_phys_write(&h.mem, a, 8, UINT64_C(0xAAAAAAAAAAAAAAAA));
    TestImage img = build_default64();
    harness_write(&h, img.data, img.size);
    ck_assert(harness_boot(&h));
    for (uint64_t a = 0x200010; a < 0x201ff8; a++)
        ck_assert_uint_eq(mem_phys_read(&h.mem, a, 1), 0);
    /* past p_memsz and before the page-aligned boot area: left alone */
    ck_assert_uint_eq(mem_phys_read(&h.mem, 0x201ff8, 1), 0xAA);
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_elf64_entry_state_direct) {
    Harness h;
    harness_init(&h);
    TestImage img = build_default64();
    harness_write(&h, img.data, img.size);
    ck_assert(harness_boot(&h));
    ck_assert_int_eq(h.proto, BOOT_DIRECT64);
    ck_assert_uint_eq(h.cpu.RIP, 0x100040);
    ck_assert_int_eq(h.cpu.mode, MODE_LONG64);
    VmxsimBootInfo bi;
    mem_phys_read_bytes(&h.mem, h.cpu.gpr[GPR_RDI], &bi, sizeof(bi));
    ck_assert_uint_eq(bi.magic, VMXSIM_BOOT_MAGIC);
    ck_assert_uint_eq(bi.image_start, 0x100000);
    ck_assert_uint_eq(bi.image_end, 0x201ff8);
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_overlapping_segments_later_wins) {
    static const TestSeg segs[] = {
        {PT_LOAD, 0x100000, 0x100000, 0x100, 0x100},
        {PT_LOAD, 0x100080, 0x100080, 0x10, 0x10},
    };
    Harness h;
    harness_init(&h);
    TestImage img = build_elf(ELFCLASS64, EM_X86_64, 0x100000, segs, 2);
    harness_write(&h, img.data, img.size);
    ck_assert(harness_boot(&h));
    ck_assert_uint_eq(mem_phys_read(&h.mem, 0x10007f, 1), pattern(0, 0x7f));
    ck_assert_uint_eq(mem_phys_read(&h.mem, 0x100080, 1), pattern(1, 0));
    ck_assert_uint_eq(mem_phys_read(&h.mem, 0x100090, 1), pattern(0, 0x90));
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_bss_only_segment_any_offset_loads) {
    Harness h;
    harness_init(&h);
    TestImage img = build_default64();
    Elf64_Phdr *ph = (Elf64_Phdr *)(img.data + sizeof(Elf64_Ehdr));
    ph[1].p_filesz = 0;
    ph[1].p_offset = UINT64_C(0xFFFFFFFFFFFFFF00);
    harness_write(&h, img.data, img.size);
    ck_assert(harness_boot(&h));
    ck_assert_uint_eq(mem_phys_read(&h.mem, 0x200000, 1), 0);
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_non_load_headers_ignored) {
    static const TestSeg segs[] = {
        {PT_NOTE, 0xFFFFFFFFFFFF0000, 0, 0x10, 0x10},
        {PT_LOAD, 0x300000, 0x300000, 0x20, 0x20},
        {PT_GNU_STACK, 0, 0, 0, 0},
    };
    Harness h;
    harness_init(&h);
    TestImage img = build_elf(ELFCLASS64, EM_X86_64, 0x300000, segs, 3);
    harness_write(&h, img.data, img.size);
    ck_assert(harness_boot(&h));
    ck_assert_uint_eq(mem_phys_read(&h.mem, 0x30001f, 1), pattern(1, 0x1f));
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_garbage_section_headers_ignored) {
    static const struct {
        uint64_t shoff;
        uint16_t shnum, shentsize, shstrndx;
    } bad[] = {
        {1, 0, 64, 0},          {0xfff, 0, 0, 0},          {0x1000, 0, 64, 0},
        {UINT64_MAX, 9, 64, 3}, {0x40, 0xffff, 7, 0xffff},
    };
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(bad); i++) {
        Harness h;
        harness_init(&h);
        TestImage img = build_default64();
        Elf64_Ehdr *e = (Elf64_Ehdr *)img.data;
        e->e_shoff = bad[i].shoff;
        e->e_shnum = bad[i].shnum;
        e->e_shentsize = bad[i].shentsize;
        e->e_shstrndx = bad[i].shstrndx;
        harness_write(&h, img.data, img.size);
        ck_assert_msg(harness_boot(&h), "case %u: %s", i, h.err);
        /* the ELF header is not part of a segment here, but the bytes loaded are the file's */
        ck_assert_uint_eq(mem_phys_read(&h.mem, 0x100000, 1), pattern(0, 0));
        free(img.data);
        harness_fini(&h);
    }
}
END_TEST

START_TEST(test_boot_elf_header_in_segment_loaded_unchanged) {
    static const TestSeg seg = {PT_LOAD, 0x100000, 0x100000, 0x1000, 0x1000};
    Harness h;
    harness_init(&h);
    TestImage img = build_elf(ELFCLASS64, EM_X86_64, 0x100000, &seg, 1);
    Elf64_Phdr *ph = (Elf64_Phdr *)(img.data + sizeof(Elf64_Ehdr));
    ph->p_offset = 0; /* the first segment maps the headers, as ld does */
    ((Elf64_Ehdr *)img.data)->e_shoff = 0x123;
    ((Elf64_Ehdr *)img.data)->e_shnum = 5;
    harness_write(&h, img.data, img.size);
    ck_assert_msg(harness_boot(&h), "%s", h.err);
    for (unsigned i = 0; i < 0x100; i++)
        ck_assert_uint_eq(mem_phys_read(&h.mem, 0x100000 + i, 1), img.data[i]);
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_missing_file_cannot_open) {
    Harness h;
    harness_init(&h);
    h.cfg.image_path = "/tmp/test_boot_elf_does_not_exist/none.elf";
    expect_error(&h, "cannot open");
    ck_assert_ptr_nonnull(strstr(h.err, "none.elf"));
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_directory_not_regular) {
    Harness h;
    harness_init(&h);
    h.cfg.image_path = "/tmp";
    expect_error(&h, "not a regular file");
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_empty_file_rejected) {
    Harness h;
    harness_init(&h);
    expect_error(&h, "empty");
    ck_assert_ptr_nonnull(strstr(h.err, h.path));
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_no_image_path_rejected) {
    Harness h;
    harness_init(&h);
    h.cfg.image_path = NULL;
    expect_error(&h, "no image");
    harness_fini(&h);
}
END_TEST

/* ---- malformed images: one table, one loop test ---- */

typedef struct Malformed {
    const char *name;
    void (*mutate)(TestImage *img);
    const char *needle; /* the error must contain it */
} Malformed;

static Elf64_Ehdr *ehdr64(TestImage *img) {
    return (Elf64_Ehdr *)img->data;
}
static Elf64_Phdr *phdr64(TestImage *img, unsigned i) {
    return (Elf64_Phdr *)(img->data + sizeof(Elf64_Ehdr)) + i;
}

static void cut_ehdr(TestImage *img) {
    img->size = 40;
}
static void cut_ident(TestImage *img) {
    img->size = 10;
}
static void cut_phdrs(TestImage *img) {
    img->size = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 8;
}
static void huge_phnum(TestImage *img) {
    ehdr64(img)->e_phnum = 0xfffe;
}
static void xnum_phnum(TestImage *img) {
    ehdr64(img)->e_phnum = PN_XNUM;
}
static void zero_phnum(TestImage *img) {
    ehdr64(img)->e_phnum = 0;
}
static void zero_phoff(TestImage *img) {
    ehdr64(img)->e_phoff = 0;
}
static void huge_phoff(TestImage *img) {
    ehdr64(img)->e_phoff = UINT64_C(0xFFFFFFFFFFFFFFF0);
}
static void bad_phentsize(TestImage *img) {
    ehdr64(img)->e_phentsize = 32;
}
static void off_beyond(TestImage *img) {
    phdr64(img, 0)->p_offset = img->size - 0x10;
}
static void off_wraps(TestImage *img) {
    phdr64(img, 0)->p_offset = UINT64_C(0xFFFFFFFFFFFFFFF0);
}
static void filesz_beyond(TestImage *img) {
    phdr64(img, 1)->p_filesz = phdr64(img, 1)->p_memsz = 0x100000;
}
static void filesz_gt_memsz(TestImage *img) {
    phdr64(img, 0)->p_memsz = 0x10;
}
static void paddr_beyond_ram(TestImage *img) {
    phdr64(img, 1)->p_paddr = RAM_SIZE - 0x1000;
}
static void paddr_huge(TestImage *img) {
    phdr64(img, 0)->p_paddr = UINT64_C(0x0000800000000000);
}
static void memsz_wraps(TestImage *img) {
    phdr64(img, 1)->p_memsz = UINT64_C(0xFFFFFFFFFFFFF000);
}
static void no_load(TestImage *img) {
    phdr64(img, 0)->p_type = PT_NOTE;
    phdr64(img, 1)->p_type = PT_NULL;
}
static void all_load_empty(TestImage *img) {
    phdr64(img, 0)->p_filesz = phdr64(img, 0)->p_memsz = 0;
    phdr64(img, 1)->p_filesz = phdr64(img, 1)->p_memsz = 0;
}
static void machine_arm(TestImage *img) {
    ehdr64(img)->e_machine = EM_AARCH64;
}
static void type_dyn(TestImage *img) {
    ehdr64(img)->e_type = ET_DYN;
}
static void type_rel(TestImage *img) {
    ehdr64(img)->e_type = ET_REL;
}
static void big_endian(TestImage *img) {
    img->data[EI_DATA] = ELFDATA2MSB;
}
static void bad_class(TestImage *img) {
    img->data[EI_CLASS] = 7;
}
static void bad_version(TestImage *img) {
    img->data[EI_VERSION] = 9;
}
static void bad_magic(TestImage *img) {
    memcpy(img->data, "#!/bin/sh\n", 10);
}
static void class32_header(TestImage *img) {
    img->data[EI_CLASS] = ELFCLASS32;
}

static const Malformed malformed[] = {
    {"truncated ELF header", cut_ehdr, "ELF header truncated"},
    {"truncated e_ident", cut_ident, "truncated"},
    {"truncated program headers", cut_phdrs, "program header table"},
    {"huge e_phnum", huge_phnum, "program header table"},
    {"PN_XNUM", xnum_phnum, "PN_XNUM"},
    {"e_phnum 0", zero_phnum, "e_phnum 0: no program header table"},
    {"e_phoff 0", zero_phoff, "e_phoff 0x0"},
    {"huge e_phoff", huge_phoff, "e_phoff"},
    {"wrong e_phentsize", bad_phentsize, "e_phentsize"},
    {"p_offset near end", off_beyond, "beyond the end of the file"},
    {"p_offset wraps", off_wraps, "beyond the end of the file"},
    {"p_filesz beyond file", filesz_beyond, "beyond the end of the file"},
    {"p_filesz > p_memsz", filesz_gt_memsz, "p_filesz 0x180 exceeds p_memsz 0x10"},
    {"segment beyond RAM", paddr_beyond_ram, "does not fit in --mem"},
    {"p_paddr far beyond RAM", paddr_huge, "does not fit in --mem"},
    {"p_paddr + p_memsz wraps", memsz_wraps, "wraps"},
    {"no PT_LOAD", no_load, "no loadable segment"},
    {"only empty PT_LOAD", all_load_empty, "no loadable segment"},
    {"e_machine aarch64", machine_arm, "e_machine 183"},
    {"ET_DYN", type_dyn, "-no-pie"},
    {"ET_REL", type_rel, "not ET_EXEC"},
    {"big-endian", big_endian, "ELFDATA2LSB"},
    {"bad class", bad_class, "EI_CLASS"},
    {"bad version", bad_version, "EI_VERSION"},
    {"not ELF", bad_magic, "not an ELF file"},
    {"ELF32 header on ELF64 body", class32_header, "program header"},
};

START_TEST(test_boot_elf_malformed_rejected_named) {
    const Malformed *m = &malformed[_i];
    Harness h;
    harness_init(&h);
    TestImage img = build_default64();
    m->mutate(&img);
    harness_write(&h, img.data, img.size);
    ck_assert_msg(!harness_boot(&h), "%s: accepted", m->name);
    ck_assert_msg(strstr(h.err, m->needle), "%s: error \"%s\" lacks \"%s\"", m->name, h.err,
                  m->needle);
    ck_assert_msg(strstr(h.err, h.path), "%s: error \"%s\" does not name the file", m->name, h.err);
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_elf32_without_multiboot_rejected) {
    static const TestSeg seg = {PT_LOAD, 0x100000, 0x100000, 0x40, 0x40};
    Harness h;
    harness_init(&h);
    TestImage img = build_elf(ELFCLASS32, EM_386, 0x100000, &seg, 1);
    harness_write(&h, img.data, img.size);
    expect_error(&h, "ELF64");
    ck_assert_ptr_nonnull(strstr(h.err, "multiboot"));
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_elf64_i386_machine_rejected) {
    Harness h;
    harness_init(&h);
    TestImage img = build_elf(ELFCLASS64, EM_386, 0x100000, two_segs, 2);
    harness_write(&h, img.data, img.size);
    expect_error(&h, "EM_X86_64");
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_failure_leaves_cpu_and_proto) {
    Harness h;
    harness_init(&h);
    TestImage img = build_default64();
    paddr_beyond_ram(&img);
    harness_write(&h, img.data, img.size);
    h.proto = (BootProtocol)77;
    h.cpu.RIP = 0x1234;
    ck_assert(!harness_boot(&h));
    ck_assert_int_eq(h.proto, 77);
    ck_assert_uint_eq(h.cpu.RIP, 0x1234);
    free(img.data);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_elf_short_err_buffer_terminated) {
    Harness h;
    harness_init(&h);
    char small[16];
    memset(small, 'x', sizeof(small));
    ck_assert(!boot_load(&h.cfg, &h.mem, &h.cpu, &h.proto, small, sizeof(small)));
    ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
    ck_assert(!boot_load(&h.cfg, &h.mem, &h.cpu, &h.proto, NULL, 0));
    harness_fini(&h);
}
END_TEST

static Suite *boot_elf_suite(void) {
    Suite *s = suite_create("boot_elf");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, test_boot_elf_segments_loaded_bytes_match);
    tcase_add_test(tc, test_boot_elf_bss_dirty_ram_zeroed);
    tcase_add_test(tc, test_boot_elf_elf64_entry_state_direct);
    tcase_add_test(tc, test_boot_elf_overlapping_segments_later_wins);
    tcase_add_test(tc, test_boot_elf_bss_only_segment_any_offset_loads);
    tcase_add_test(tc, test_boot_elf_non_load_headers_ignored);
    tcase_add_test(tc, test_boot_elf_garbage_section_headers_ignored);
    tcase_add_test(tc, test_boot_elf_header_in_segment_loaded_unchanged);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("reject");
    tcase_add_test(bad, test_boot_elf_missing_file_cannot_open);
    tcase_add_test(bad, test_boot_elf_directory_not_regular);
    tcase_add_test(bad, test_boot_elf_empty_file_rejected);
    tcase_add_test(bad, test_boot_elf_no_image_path_rejected);
    tcase_add_loop_test(bad, test_boot_elf_malformed_rejected_named, 0, SIM_ARRAY_SIZE(malformed));
    tcase_add_test(bad, test_boot_elf_elf32_without_multiboot_rejected);
    tcase_add_test(bad, test_boot_elf_elf64_i386_machine_rejected);
    tcase_add_test(bad, test_boot_elf_failure_leaves_cpu_and_proto);
    tcase_add_test(bad, test_boot_elf_short_err_buffer_terminated);
    suite_add_tcase(s, bad);
    return s;
}

CHECK_MAIN(boot_elf_suite)
