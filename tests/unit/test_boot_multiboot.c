/* Multiboot v1 (sim/boot/multiboot*.c): header detection, checksum, flags,
 * the address-field ("a.out kludge") path, the information structure,
 * memory map, modules, command line, and the 32-bit entry state. */
#include "check_main.h"
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/boot/boot.h"

#define MIB (UINT64_C(1) << 20)
#define RAM_SIZE (64 * MIB)
#define MB_MAGIC 0x1BADB002u
#define SEG_FILE 0x1000u /* the ELF segment's bytes start here in the file */
#define SEG_PADDR UINT64_C(0x100000)
#define IMG_CAP 0x4000u

typedef struct Harness {
    Memory mem;
    CpuState cpu;
    BootConfig cfg;
    BootProtocol proto;
    char path[64];
    char mod_path[2][64];
    char err[512];
    _Alignas(8) uint8_t img[IMG_CAP]; /* the image being built */
    size_t size;
} Harness;

static void make_temp(char *path) {
    strcpy(path, "/tmp/test_boot_mb_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void write_file(const char *path, const void *data, size_t size) {
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    fclose(fp);
}

static void put32(Harness *h, size_t off, uint32_t v) {
    memcpy(h->img + off, &v, 4);
}

/* A multiboot header at file offset off; with flag 16 the address fields follow. */
static void put_header(Harness *h, size_t off, uint32_t flags, const uint32_t *addrs) {
    put32(h, off, MB_MAGIC);
    put32(h, off + 4, flags);
    put32(h, off + 8, (uint32_t)(0u - MB_MAGIC - flags));
    for (unsigned i = 0; addrs && i < 5; i++)
        put32(h, off + 12 + 4 * i, addrs[i]);
}

/* ELF32 i386 (or ELF64 x86-64) with one PT_LOAD of the file bytes
 * [SEG_FILE, size) at SEG_PADDR, memsz = filesz + bss; byte i = i ^ 0x3c. */
static void build_elf(Harness *h, unsigned cls, size_t size, uint64_t bss, uint64_t vaddr,
                      uint64_t entry) {
    memset(h->img, 0, sizeof(h->img));
    h->size = size;
    for (size_t i = SEG_FILE; i < size; i++)
        h->img[i] = (uint8_t)((i - SEG_FILE) ^ 0x3c);
    const unsigned char id[EI_NIDENT] = {
        ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, (unsigned char)cls, ELFDATA2LSB, EV_CURRENT};
    uint64_t filesz = size - SEG_FILE;
    if (cls == ELFCLASS32) {
        Elf32_Ehdr e = {.e_type = ET_EXEC,
                        .e_machine = EM_386,
                        .e_version = EV_CURRENT,
                        .e_entry = (uint32_t)entry,
                        .e_phoff = sizeof(e),
                        .e_ehsize = sizeof(e),
                        .e_phentsize = sizeof(Elf32_Phdr),
                        .e_phnum = 1};
        Elf32_Phdr p = {PT_LOAD,          SEG_FILE,
                        (uint32_t)vaddr,  (uint32_t)SEG_PADDR,
                        (uint32_t)filesz, (uint32_t)(filesz + bss),
                        PF_R | PF_X,      0x1000};
        memcpy(e.e_ident, id, EI_NIDENT);
        memcpy(h->img, &e, sizeof(e));
        memcpy(h->img + sizeof(e), &p, sizeof(p));
    } else {
        Elf64_Ehdr e = {.e_type = ET_EXEC,
                        .e_machine = EM_X86_64,
                        .e_version = EV_CURRENT,
                        .e_entry = entry,
                        .e_phoff = sizeof(e),
                        .e_ehsize = sizeof(e),
                        .e_phentsize = sizeof(Elf64_Phdr),
                        .e_phnum = 1};
        Elf64_Phdr p = {PT_LOAD,   PF_R | PF_X, SEG_FILE,     vaddr,
                        SEG_PADDR, filesz,      filesz + bss, 0x1000};
        memcpy(e.e_ident, id, EI_NIDENT);
        memcpy(h->img, &e, sizeof(e));
        memcpy(h->img + sizeof(e), &p, sizeof(p));
    }
}

/* The usual test image: ELF32, header at the start of the segment. */
static void build_default(Harness *h) {
    build_elf(h, ELFCLASS32, 0x2000, 0x800, SEG_PADDR, SEG_PADDR + 0x40);
    put_header(h, SEG_FILE, 0x3, NULL);
}

static void harness_init_ram(Harness *h, uint64_t ram) {
    memset(h, 0, sizeof(*h));
    ck_assert(mem_init(&h->mem, ram));
    h->cpu.mem = &h->mem;
    make_temp(h->path);
    make_temp(h->mod_path[0]);
    make_temp(h->mod_path[1]);
    h->cfg.image_path = h->path;
}

static void harness_init(Harness *h) {
    harness_init_ram(h, RAM_SIZE);
}

static void harness_fini(Harness *h) {
    unlink(h->path);
    unlink(h->mod_path[0]);
    unlink(h->mod_path[1]);
    mem_destroy(&h->mem);
}

static bool harness_boot(Harness *h) {
    write_file(h->path, h->img, h->size);
    bool ok = boot_load(&h->cfg, &h->mem, &h->cpu, &h->proto, h->err, sizeof(h->err));
    if (!ok) {
        ck_assert(h->err[0] != '\0');
        ck_assert_ptr_null(strchr(h->err, '\n'));
    }
    return ok;
}

static void boot_multiboot_ok(Harness *h) {
    ck_assert_msg(harness_boot(h), "boot failed: %s", h->err);
    ck_assert_int_eq(h->proto, BOOT_MULTIBOOT);
}

static void expect_error(Harness *h, const char *needle) {
    ck_assert_msg(!harness_boot(h), "accepted; expected an error with \"%s\"", needle);
    ck_assert_msg(strstr(h->err, needle), "error \"%s\" lacks \"%s\"", h->err, needle);
}

static uint32_t rd32(Harness *h, uint64_t pa) {
    return (uint32_t)mem_phys_read(&h->mem, pa, 4);
}
static uint32_t info32(Harness *h, unsigned off) {
    return rd32(h, h->cpu.gpr[GPR_RBX] + off);
}

static const char *read_string(Harness *h, uint64_t pa) {
    static char s[256];
    for (size_t i = 0; i < sizeof(s); i++) {
        s[i] = (char)mem_phys_read(&h->mem, pa + i, 1);
        if (!s[i]) return s;
    }
    return "(unterminated)";
}

/* ---- detection ---- */

START_TEST(test_boot_multiboot_header_in_segment_selected) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    boot_multiboot_ok(&h);
    ck_assert_uint_eq(h.cpu.RIP, SEG_PADDR + 0x40);
    for (uint64_t i = 0x10; i < 0x1000; i++)
        ck_assert_uint_eq(mem_phys_read(&h.mem, SEG_PADDR + i, 1), (uint8_t)(i ^ 0x3c));
    for (uint64_t i = 0x1000; i < 0x1800; i++)
        ck_assert_uint_eq(mem_phys_read(&h.mem, SEG_PADDR + i, 1), 0);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_header_last_slot_found) {
    Harness h;
    harness_init(&h);
    build_elf(&h, ELFCLASS32, 0x3000, 0, SEG_PADDR, SEG_PADDR);
    put_header(&h, 8192 - 12, 0, NULL);
    boot_multiboot_ok(&h);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_header_beyond_8k_ignored) {
    Harness h;
    harness_init(&h);
    build_elf(&h, ELFCLASS32, 0x3000, 0, SEG_PADDR, SEG_PADDR);
    put_header(&h, 8192 - 8, 0, NULL); /* straddles the 8192-byte limit */
    put_header(&h, 8192, 0, NULL);
    expect_error(&h, "no multiboot header");
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_elf64_header_beyond_8k_direct) {
    Harness h;
    harness_init(&h);
    build_elf(&h, ELFCLASS64, 0x3000, 0, SEG_PADDR, SEG_PADDR);
    put_header(&h, 8192, 0, NULL);
    ck_assert_msg(harness_boot(&h), "%s", h.err);
    ck_assert_int_eq(h.proto, BOOT_DIRECT64);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_elf64_with_header_multiboot) {
    Harness h;
    harness_init(&h);
    build_elf(&h, ELFCLASS64, 0x2000, 0, SEG_PADDR, SEG_PADDR + 4);
    put_header(&h, SEG_FILE + 0x20, 0, NULL);
    boot_multiboot_ok(&h);
    ck_assert_int_eq(h.cpu.mode, MODE_PROT32);
    ck_assert_uint_eq(h.cpu.RIP, SEG_PADDR + 4);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_unaligned_header_ignored) {
    Harness h;
    harness_init(&h);
    build_elf(&h, ELFCLASS32, 0x2000, 0, SEG_PADDR, SEG_PADDR);
    put_header(&h, SEG_FILE + 2, 0, NULL);
    expect_error(&h, "no multiboot header");
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_bad_checksum_not_header) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    put32(&h, SEG_FILE + 8, 0x12345678);
    expect_error(&h, "ELF64"); /* an ELF32 without a header cannot boot */
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_bad_checksum_then_good_header_found) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    put32(&h, SEG_FILE + 8, 0x12345678);
    put_header(&h, SEG_FILE + 12, 0, NULL);
    boot_multiboot_ok(&h);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_raw_without_flag16_rejected) {
    Harness h;
    harness_init(&h);
    memset(h.img, 0x90, 0x100);
    h.size = 0x100;
    put_header(&h, 0, 0, NULL);
    expect_error(&h, "flag 16");
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_video_flag_accepted) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    put_header(&h, SEG_FILE, 0x7, NULL);
    boot_multiboot_ok(&h);
    ck_assert_uint_eq(info32(&h, 0) & (1u << 11 | 1u << 12), 0); /* no VBE, no framebuffer */
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_unsupported_flag_named) {
    static const unsigned bits[] = {3, 4, 8, 15};
    Harness h;
    harness_init(&h);
    build_default(&h);
    put_header(&h, SEG_FILE, 0x3 | 1u << bits[_i], NULL);
    char needle[32];
    snprintf(needle, sizeof(needle), "flag bit %u", bits[_i]);
    expect_error(&h, needle);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_optional_flag_ignored) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    put_header(&h, SEG_FILE, 0x3 | 1u << 20, NULL);
    boot_multiboot_ok(&h);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_entry_virtual_translated) {
    Harness h;
    harness_init(&h);
    build_elf(&h, ELFCLASS32, 0x2000, 0, 0xC0100000, 0xC0100010);
    put_header(&h, SEG_FILE, 0, NULL);
    boot_multiboot_ok(&h);
    ck_assert_uint_eq(h.cpu.RIP, SEG_PADDR + 0x10);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_segment_above_4g_rejected) {
    Harness h;
    harness_init_ram(&h, 5 * (UINT64_C(1) << 30));
    build_elf(&h, ELFCLASS64, 0x2000, 0, SEG_PADDR, SEG_PADDR);
    put_header(&h, SEG_FILE, 0, NULL);
    Elf64_Phdr *p = (Elf64_Phdr *)(h.img + sizeof(Elf64_Ehdr));
    p->p_paddr = UINT64_C(0xFFFFF800); /* 0x1000 bytes: crosses 4 GiB */
    expect_error(&h, "reaches above 0x100000000");
    ck_assert_ptr_nonnull(strstr(h.err, "program header 0"));
    harness_fini(&h);
}
END_TEST

/* ---- address fields (flag 16) ---- */

enum { A_HEADER, A_LOAD, A_LOAD_END, A_BSS_END, A_ENTRY };
#define AOUT_BASE 0x200000u
#define AOUT_HDR 0x40u
#define AOUT_SIZE 0x2000u

/* A raw image of AOUT_SIZE bytes whose byte i is i * 5; with addrs, a
 * header with flag 16 and those address fields at AOUT_HDR. */
static void build_aout(Harness *h, const uint32_t *addrs) {
    memset(h->img, 0, sizeof(h->img));
    h->size = AOUT_SIZE;
    for (size_t i = 0; i < AOUT_SIZE; i++)
        h->img[i] = (uint8_t)(i * 5 + 1); /* never forms the magic */
    if (addrs) put_header(h, AOUT_HDR, 0x10003, addrs);
}

static const uint32_t aout_good[5] = {AOUT_BASE + AOUT_HDR, AOUT_BASE, 0, AOUT_BASE + 0x3000,
                                      AOUT_BASE + 0x100};

START_TEST(test_boot_multiboot_aout_loaded_bss_zeroed) {
    Harness h;
    harness_init(&h);
    for (uint64_t a = AOUT_BASE; a < AOUT_BASE + 0x4000; a += 4)
        (void)mem_phys_write(&h.mem, a, 4, 0xAAAAAAAA);
    build_aout(&h, aout_good);
    boot_multiboot_ok(&h);
    for (uint64_t i = 0; i < AOUT_SIZE; i++)
        ck_assert_uint_eq(mem_phys_read(&h.mem, AOUT_BASE + i, 1), h.img[i]);
    for (uint64_t a = AOUT_BASE + AOUT_SIZE; a < AOUT_BASE + 0x3000; a++)
        ck_assert_uint_eq(mem_phys_read(&h.mem, a, 1), 0);
    ck_assert_uint_eq(h.cpu.RIP, AOUT_BASE + 0x100);
    ck_assert_uint_ge(h.cpu.gpr[GPR_RBX], AOUT_BASE + 0x3000);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_aout_load_end_partial) {
    static const uint32_t addrs[5] = {AOUT_BASE + 0x1040, AOUT_BASE + 0x1000, AOUT_BASE + 0x1800, 0,
                                      AOUT_BASE + 0x1000};
    Harness h;
    harness_init(&h);
    build_aout(&h, NULL);
    put_header(&h, AOUT_HDR + 0x1000, 0x10000, addrs); /* text starts at file offset 0x1000 */
    boot_multiboot_ok(&h);
    ck_assert_uint_eq(mem_phys_read(&h.mem, AOUT_BASE + 0x1000, 1), h.img[0x1000]);
    ck_assert_uint_eq(mem_phys_read(&h.mem, AOUT_BASE + 0x17ff, 1), h.img[0x17ff]);
    ck_assert_uint_eq(h.cpu.RIP, AOUT_BASE + 0x1000);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_aout_overrides_elf) {
    static const uint32_t addrs[5] = {0x400000 + SEG_FILE, 0x400000, 0, 0, 0x400000 + SEG_FILE};
    Harness h;
    harness_init(&h);
    build_elf(&h, ELFCLASS32, 0x2000, 0, SEG_PADDR, SEG_PADDR);
    put_header(&h, SEG_FILE, 0x10000, addrs);
    boot_multiboot_ok(&h);
    ck_assert_uint_eq(mem_phys_read(&h.mem, 0x400000, 4), 0x464c457f); /* the ELF magic */
    ck_assert_uint_eq(mem_phys_read(&h.mem, SEG_PADDR + 0x20, 1), 0);  /* not loaded by phdr */
    harness_fini(&h);
}
END_TEST

typedef struct BadAout {
    const char *name;
    unsigned field;
    uint32_t value;
    const char *needle;
} BadAout;

static const BadAout bad_aout[] = {
    {"header below load", A_LOAD, AOUT_BASE + AOUT_HDR + 4,
     "header_addr 0x200040 is below load_addr"},
    {"load_addr before file", A_LOAD, AOUT_BASE - 0x100, "precede the start of the file"},
    {"load_end below load", A_LOAD_END, AOUT_BASE - 4, "load_end_addr 0x1ffffc is below load_addr"},
    {"load_end beyond file", A_LOAD_END, AOUT_BASE + AOUT_SIZE + 1, "but the file has 0x2000"},
    {"header outside text", A_LOAD_END, AOUT_BASE + 0x20, "not inside the loaded text"},
    {"bss_end below load_end", A_BSS_END, AOUT_BASE + 0x1000, "bss_end_addr 0x201000 is below"},
    {"entry below image", A_ENTRY, AOUT_BASE - 1, "entry_addr 0x1fffff is outside"},
    {"entry past bss", A_ENTRY, AOUT_BASE + 0x3000, "entry_addr 0x203000 is outside"},
    {"beyond RAM", A_BSS_END, 0x7FFFFFFF, "does not fit in --mem"},
};

START_TEST(test_boot_multiboot_aout_inconsistent_rejected) {
    const BadAout *b = &bad_aout[_i];
    uint32_t addrs[5];
    memcpy(addrs, aout_good, sizeof(addrs));
    addrs[b->field] = b->value;
    Harness h;
    harness_init(&h);
    build_aout(&h, addrs);
    ck_assert_msg(!harness_boot(&h), "%s: accepted", b->name);
    ck_assert_msg(strstr(h.err, b->needle), "%s: \"%s\" lacks \"%s\"", b->name, h.err, b->needle);
    ck_assert_msg(strstr(h.err, "offset 0x40") || strstr(h.err, "--mem"), "%s: %s", b->name, h.err);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_aout_fields_past_8k_rejected) {
    Harness h;
    harness_init(&h);
    build_aout(&h, NULL);
    h.size = 0x3000;
    put_header(&h, 8192 - 12, 0x10000, NULL);
    expect_error(&h, "address fields");
    harness_fini(&h);
}
END_TEST

/* ---- the information structure ---- */

START_TEST(test_boot_multiboot_info_memory_fields) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    boot_multiboot_ok(&h);
    uint64_t info = h.cpu.gpr[GPR_RBX];
    ck_assert_uint_eq(info % 8, 0);
    ck_assert_uint_ge(info, SEG_PADDR + 0x1800);
    ck_assert_uint_eq(info32(&h, 0), 0x24D); /* mem, cmdline, mods, mmap, boot_loader_name */
    ck_assert_uint_eq(info32(&h, 4), 639);
    ck_assert_uint_eq(info32(&h, 8), (RAM_SIZE - MIB) / 1024);
    ck_assert_str_eq(read_string(&h, info32(&h, 64)), "vmxsim");
    ck_assert_uint_eq(info32(&h, 20), 0); /* mods_count */
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_mmap_pc_layout) {
    static const struct {
        uint64_t base, len;
        uint32_t type;
    } want[] = {
        {0, 0x9FC00, 1}, {0x9FC00, 0x400, 2}, {0xF0000, 0x10000, 2}, {MIB, RAM_SIZE - MIB, 1}};
    Harness h;
    harness_init(&h);
    build_default(&h);
    boot_multiboot_ok(&h);
    ck_assert_uint_eq(info32(&h, 44), 4 * 24);
    uint64_t e = info32(&h, 48);
    for (unsigned i = 0; i < 4; i++, e += 24) {
        ck_assert_uint_eq(rd32(&h, e), 20);
        ck_assert_uint_eq(mem_phys_read(&h.mem, e + 4, 8), want[i].base);
        ck_assert_uint_eq(mem_phys_read(&h.mem, e + 12, 8), want[i].len);
        ck_assert_uint_eq(rd32(&h, e + 20), want[i].type);
    }
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_cmdline_path_append) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    h.cfg.append = "loglevel=3 nested=1";
    boot_multiboot_ok(&h);
    char want[128];
    snprintf(want, sizeof(want), "%s loglevel=3 nested=1", h.path);
    ck_assert_str_eq(read_string(&h, info32(&h, 16)), want);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_cmdline_path_only) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    boot_multiboot_ok(&h);
    ck_assert_str_eq(read_string(&h, info32(&h, 16)), h.path);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_modules_listed) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    write_file(h.mod_path[0], "hello module", 12);
    uint8_t big[6000];
    memset(big, 0xEE, sizeof(big));
    write_file(h.mod_path[1], big, sizeof(big));
    h.cfg.modules[0] = (BootModule){h.mod_path[0], "guest.elf root=/dev/sda"};
    h.cfg.modules[1] = (BootModule){h.mod_path[1], NULL};
    h.cfg.module_count = 2;
    boot_multiboot_ok(&h);
    ck_assert_uint_eq(info32(&h, 20), 2);
    uint64_t m = info32(&h, 24);
    uint32_t s0 = rd32(&h, m), e0 = rd32(&h, m + 4), s1 = rd32(&h, m + 16), e1 = rd32(&h, m + 20);
    ck_assert_uint_eq(s0 % 4096, 0);
    ck_assert_uint_ge(s0, SEG_PADDR + 0x1800);
    ck_assert_uint_eq(e0 - s0, 12);
    ck_assert_uint_eq(s1 % 4096, 0);
    ck_assert_uint_ge(s1, e0);
    ck_assert_uint_eq(e1 - s1, sizeof(big));
    ck_assert_uint_eq(mem_phys_read(&h.mem, s0, 4), 0x6c6c6568); /* "hell" */
    ck_assert_uint_eq(mem_phys_read(&h.mem, e1 - 1, 1), 0xEE);
    ck_assert_str_eq(read_string(&h, rd32(&h, m + 8)), "guest.elf root=/dev/sda");
    ck_assert_str_eq(read_string(&h, rd32(&h, m + 24)), h.mod_path[1]);
    ck_assert_uint_eq(rd32(&h, m + 12), 0);
    ck_assert_uint_ge(h.cpu.gpr[GPR_RBX], e1);
    harness_fini(&h);
}
END_TEST

/* ---- entry state ---- */

START_TEST(test_boot_multiboot_cpu_state_protected32) {
    Harness h;
    harness_init(&h);
    for (unsigned r = 0; r < 16; r++)
        h.cpu.gpr[r] = 0x5555;
    build_default(&h);
    boot_multiboot_ok(&h);
    CpuState *c = &h.cpu;
    ck_assert_uint_eq(c->cr0, CR0_PE | CR0_ET);
    ck_assert_uint_eq(c->cr3 | c->cr4 | c->efer, 0);
    ck_assert_uint_eq(c->gpr[GPR_RAX], 0x2BADB002);
    ck_assert_uint_lt(c->gpr[GPR_RBX], UINT64_C(1) << 32);
    for (unsigned r = GPR_RCX; r < 16; r++) {
        if (r != GPR_RBX) ck_assert_uint_eq(c->gpr[r], 0);
    }
    ck_assert_uint_eq(c->rflags, 0x2);
    ck_assert(c->seg[SEG_CS].selector == 0x08 && c->seg[SEG_CS].ar == 0xC09B &&
              c->seg[SEG_CS].limit == 0xFFFFFFFF && c->seg[SEG_CS].base == 0);
    static const unsigned data[] = {SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(data); i++) {
        const Segment *s = &c->seg[data[i]];
        ck_assert(s->selector == 0x10 && s->ar == 0xC093 && s->limit == 0xFFFFFFFF && s->base == 0);
    }
    ck_assert(c->seg[SEG_TR].ar == 0x8B && c->seg[SEG_TR].base == 0 &&
              c->seg[SEG_TR].limit == 0x67);
    ck_assert_uint_eq(c->seg[SEG_LDTR].ar, AR_UNUSABLE);
    ck_assert_uint_eq(c->idtr.limit, 0);
    ck_assert_int_eq(c->mode, MODE_PROT32);
    ck_assert_uint_eq(c->cpl, 0);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_multiboot_gdt_flat_descriptors) {
    Harness h;
    harness_init(&h);
    build_default(&h);
    boot_multiboot_ok(&h);
    uint64_t gdt = h.cpu.gdtr.base;
    ck_assert_uint_eq(h.cpu.gdtr.limit, 23);
    ck_assert_uint_eq(mem_phys_read(&h.mem, gdt, 8), 0);
    ck_assert_uint_eq(mem_phys_read(&h.mem, gdt + 8, 8), UINT64_C(0x00CF9B000000FFFF));
    ck_assert_uint_eq(mem_phys_read(&h.mem, gdt + 16, 8), UINT64_C(0x00CF93000000FFFF));
    ck_assert_uint_ge(gdt, SEG_PADDR + 0x1800);
    harness_fini(&h);
}
END_TEST

static Suite *boot_multiboot_suite(void) {
    Suite *s = suite_create("boot_multiboot");
    TCase *det = tcase_create("detect");
    tcase_add_test(det, test_boot_multiboot_header_in_segment_selected);
    tcase_add_test(det, test_boot_multiboot_header_last_slot_found);
    tcase_add_test(det, test_boot_multiboot_header_beyond_8k_ignored);
    tcase_add_test(det, test_boot_multiboot_elf64_header_beyond_8k_direct);
    tcase_add_test(det, test_boot_multiboot_elf64_with_header_multiboot);
    tcase_add_test(det, test_boot_multiboot_unaligned_header_ignored);
    tcase_add_test(det, test_boot_multiboot_bad_checksum_not_header);
    tcase_add_test(det, test_boot_multiboot_bad_checksum_then_good_header_found);
    tcase_add_test(det, test_boot_multiboot_raw_without_flag16_rejected);
    tcase_add_test(det, test_boot_multiboot_video_flag_accepted);
    tcase_add_loop_test(det, test_boot_multiboot_unsupported_flag_named, 0, 4);
    tcase_add_test(det, test_boot_multiboot_optional_flag_ignored);
    tcase_add_test(det, test_boot_multiboot_entry_virtual_translated);
    tcase_add_test(det, test_boot_multiboot_segment_above_4g_rejected);
    suite_add_tcase(s, det);
    TCase *aout = tcase_create("aout");
    tcase_add_test(aout, test_boot_multiboot_aout_loaded_bss_zeroed);
    tcase_add_test(aout, test_boot_multiboot_aout_load_end_partial);
    tcase_add_test(aout, test_boot_multiboot_aout_overrides_elf);
    tcase_add_loop_test(aout, test_boot_multiboot_aout_inconsistent_rejected, 0,
                        SIM_ARRAY_SIZE(bad_aout));
    tcase_add_test(aout, test_boot_multiboot_aout_fields_past_8k_rejected);
    suite_add_tcase(s, aout);
    TCase *info = tcase_create("info");
    tcase_add_test(info, test_boot_multiboot_info_memory_fields);
    tcase_add_test(info, test_boot_multiboot_mmap_pc_layout);
    tcase_add_test(info, test_boot_multiboot_cmdline_path_append);
    tcase_add_test(info, test_boot_multiboot_cmdline_path_only);
    tcase_add_test(info, test_boot_multiboot_modules_listed);
    suite_add_tcase(s, info);
    TCase *cpu = tcase_create("cpu");
    tcase_add_test(cpu, test_boot_multiboot_cpu_state_protected32);
    tcase_add_test(cpu, test_boot_multiboot_gdt_flat_descriptors);
    suite_add_tcase(s, cpu);
    return s;
}

CHECK_MAIN(boot_multiboot_suite)
