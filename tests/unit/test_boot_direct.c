/* The vmxsim direct-boot protocol (sim/boot/direct_boot.c): identity map,
 * GDT and TSS, VmxsimBootInfo with command line and modules, CPU state. */
#include "check_main.h"
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/boot/boot.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define RAM_SIZE (64 * MIB)
#define IMAGE_BASE UINT64_C(0x100000)
#define IMAGE_MEMSZ UINT64_C(0x3100) /* not a page multiple: the boot area aligns up */
#define ENTRY (IMAGE_BASE + 0x20)

typedef struct Harness {
    Memory mem;
    CpuState cpu;
    BootConfig cfg;
    BootProtocol proto;
    char path[64];
    char mod_path[2][64];
    char err[512];
} Harness;

static void write_file(const char *path, const void *data, size_t size) {
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    fclose(fp);
}

static void make_temp(char *path) {
    strcpy(path, "/tmp/test_boot_direct_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

/* An ELF64 x86-64 executable with one PT_LOAD segment of filesz bytes
 * (byte i = i * 3) and memsz bytes at paddr. */
static void write_elf64(const char *path, uint64_t paddr, uint64_t filesz, uint64_t memsz,
                        uint64_t entry) {
    size_t size = 0x1000 + filesz;
    uint8_t *buf = calloc(1, size);
    ck_assert_ptr_nonnull(buf);
    Elf64_Ehdr e = {
        .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
        .e_type = ET_EXEC,
        .e_machine = EM_X86_64,
        .e_version = EV_CURRENT,
        .e_entry = entry,
        .e_phoff = sizeof(Elf64_Ehdr),
        .e_ehsize = sizeof(e),
        .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = 1};
    Elf64_Phdr p = {.p_type = PT_LOAD,
                    .p_flags = PF_R | PF_X,
                    .p_offset = 0x1000,
                    .p_vaddr = paddr,
                    .p_paddr = paddr,
                    .p_filesz = filesz,
                    .p_memsz = memsz,
                    .p_align = 0x1000};
    memcpy(buf, &e, sizeof(e));
    memcpy(buf + sizeof(e), &p, sizeof(p));
    for (uint64_t i = 0; i < filesz; i++)
        buf[0x1000 + i] = (uint8_t)(i * 3);
    write_file(path, buf, size);
    free(buf);
}

static void harness_init_ram(Harness *h, uint64_t ram) {
    memset(h, 0, sizeof(*h));
    ck_assert(mem_init(&h->mem, ram));
    h->cpu.mem = &h->mem;
    make_temp(h->path);
    make_temp(h->mod_path[0]);
    make_temp(h->mod_path[1]);
    h->cfg.image_path = h->path;
    write_elf64(h->path, IMAGE_BASE, 0x100, IMAGE_MEMSZ, ENTRY);
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
    bool ok = boot_load(&h->cfg, &h->mem, &h->cpu, &h->proto, h->err, sizeof(h->err));
    if (!ok) {
        ck_assert(h->err[0] != '\0');
        ck_assert_ptr_null(strchr(h->err, '\n'));
    }
    return ok;
}

static void boot_ok(Harness *h) {
    ck_assert_msg(harness_boot(h), "boot failed: %s", h->err);
    ck_assert_int_eq(h->proto, BOOT_DIRECT64);
}

static uint64_t rd64(Harness *h, uint64_t pa) {
    return mem_phys_read(&h->mem, pa, 8);
}

static VmxsimBootInfo read_info(Harness *h) {
    VmxsimBootInfo bi;
    mem_phys_read_bytes(&h->mem, h->cpu.gpr[GPR_RDI], &bi, sizeof(bi));
    return bi;
}

static bool read_string(Harness *h, uint64_t pa, char *out, size_t cap) {
    for (size_t i = 0; i < cap; i++) {
        out[i] = (char)mem_phys_read(&h->mem, pa + i, 1);
        if (!out[i]) return true;
    }
    return false;
}

/* SDM 4.5.4: walk CR3 -> PML4E -> PDPTE -> PDE (PS) for la; 0 when not present. */
static uint64_t walk_pde(Harness *h, uint64_t la) {
    uint64_t pml4e = rd64(h, (h->cpu.cr3 & ~UINT64_C(0xfff)) + ((la >> 39) & 511) * 8);
    if (!(pml4e & 1)) return 0;
    ck_assert_uint_eq(pml4e & ~UINT64_C(0xFFFFFFFFFF000), 0x3);
    uint64_t pdpte = rd64(h, (pml4e & UINT64_C(0xFFFFFFFFFF000)) + ((la >> 30) & 511) * 8);
    if (!(pdpte & 1)) return 0;
    ck_assert_uint_eq(pdpte & ~UINT64_C(0xFFFFFFFFFF000), 0x3);
    return rd64(h, (pdpte & UINT64_C(0xFFFFFFFFFF000)) + ((la >> 21) & 511) * 8);
}

static void expect_identity(Harness *h, uint64_t la) {
    uint64_t pde = walk_pde(h, la);
    ck_assert_msg(pde == ((la & ~(2 * MIB - 1)) | 0x83),
                  "PDE for "
                  "%llx is %llx",
                  (unsigned long long)la, (unsigned long long)pde);
}

START_TEST(test_boot_direct_page_tables_identity_4g) {
    static const uint64_t addrs[] = {0,          0x1FFFFF,   0x200000,  IMAGE_BASE, RAM_SIZE - 1,
                                     0x80000000, 0xFEE00000, 0xFFFFFFFF};
    Harness h;
    harness_init(&h);
    boot_ok(&h);
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(addrs); i++)
        expect_identity(&h, addrs[i]);
    ck_assert_uint_eq(walk_pde(&h, 4 * GIB), 0);
    ck_assert_uint_eq(walk_pde(&h, UINT64_C(1) << 39), 0);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_page_tables_large_ram_mapped) {
    Harness h;
    harness_init_ram(&h, 6 * GIB + 4 * MIB);
    boot_ok(&h);
    expect_identity(&h, 5 * GIB + 12345);
    expect_identity(&h, 6 * GIB + 2 * MIB);
    ck_assert_uint_eq(walk_pde(&h, 6 * GIB + 4 * MIB), 0);
    ck_assert_uint_eq(walk_pde(&h, 7 * GIB), 0);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_dirty_ram_unused_entries_zero) {
    Harness h;
    harness_init(&h);
    for (uint64_t a = IMAGE_BASE; a < 2 * MIB; a += 8)
        (void)mem_phys_write(&h.mem, a, 8, ~UINT64_C(0));
    boot_ok(&h);
    uint64_t pml4 = h.cpu.cr3;
    for (unsigned i = 1; i < 512; i++)
        ck_assert_uint_eq(rd64(&h, pml4 + i * 8), 0);
    uint64_t pdpt = rd64(&h, pml4) & ~UINT64_C(0xfff);
    for (unsigned i = 4; i < 512; i++)
        ck_assert_uint_eq(rd64(&h, pdpt + i * 8), 0);
    for (uint64_t a = h.cpu.gpr[GPR_RSP] - 64 * 1024; a < h.cpu.gpr[GPR_RSP]; a += 8)
        ck_assert_uint_eq(rd64(&h, a), 0);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_gdt_descriptors_flat) {
    Harness h;
    harness_init(&h);
    boot_ok(&h);
    uint64_t gdt = h.cpu.gdtr.base, tss = h.cpu.seg[SEG_TR].base;
    ck_assert_uint_eq(h.cpu.gdtr.limit, 39);
    ck_assert_uint_eq(rd64(&h, gdt), 0);
    ck_assert_uint_eq(rd64(&h, gdt + 0x08), UINT64_C(0x00AF9B000000FFFF));
    ck_assert_uint_eq(rd64(&h, gdt + 0x10), UINT64_C(0x00CF93000000FFFF));
    uint64_t lo = 0x67 | (tss & 0xFFFFFF) << 16 | UINT64_C(0x8B) << 40 | ((tss >> 24) & 0xFF) << 56;
    ck_assert_uint_eq(rd64(&h, gdt + 0x18), lo);
    ck_assert_uint_eq(rd64(&h, gdt + 0x20), tss >> 32);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_tss_no_io_bitmap) {
    Harness h;
    harness_init(&h);
    boot_ok(&h);
    uint64_t tss = h.cpu.seg[SEG_TR].base;
    ck_assert_uint_eq(tss % 16, 0);
    for (unsigned i = 0; i < 102; i++)
        ck_assert_uint_eq(mem_phys_read(&h.mem, tss + i, 1), 0);
    ck_assert_uint_eq(mem_phys_read(&h.mem, tss + 102, 2), 104);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_boot_info_fields) {
    Harness h;
    harness_init(&h);
    h.cfg.append = "console=ttyS0 debug";
    boot_ok(&h);
    VmxsimBootInfo bi = read_info(&h);
    char s[64];
    ck_assert_uint_eq(bi.magic, VMXSIM_BOOT_MAGIC);
    ck_assert_uint_eq(bi.version, VMXSIM_BOOT_VERSION);
    ck_assert_uint_eq(bi.mem_size, RAM_SIZE);
    ck_assert(read_string(&h, bi.cmdline, s, sizeof(s)));
    ck_assert_str_eq(s, "console=ttyS0 debug");
    ck_assert_uint_eq(bi.image_start, IMAGE_BASE);
    ck_assert_uint_eq(bi.image_end, IMAGE_BASE + IMAGE_MEMSZ);
    ck_assert_uint_eq(bi.boot_area_start, h.cpu.cr3);
    ck_assert_uint_eq(bi.boot_area_start, (IMAGE_BASE + IMAGE_MEMSZ + 0xfff) & ~UINT64_C(0xfff));
    ck_assert_uint_eq(bi.boot_area_end, h.cpu.gpr[GPR_RSP]);
    ck_assert_uint_eq(bi.module_count, 0);
    /* everything the info points at lies in the boot area */
    ck_assert(h.cpu.gpr[GPR_RDI] >= bi.boot_area_start && bi.cmdline < bi.boot_area_end);
    ck_assert(bi.cmdline >= h.cpu.gpr[GPR_RDI] + sizeof(bi));
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_no_append_empty_cmdline) {
    Harness h;
    harness_init(&h);
    boot_ok(&h);
    VmxsimBootInfo bi = read_info(&h);
    ck_assert_uint_eq(mem_phys_read(&h.mem, bi.cmdline, 1), 0);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_modules_loaded_page_aligned) {
    Harness h;
    harness_init(&h);
    uint8_t m0[5000];
    for (unsigned i = 0; i < sizeof(m0); i++)
        m0[i] = (uint8_t)(i ^ 0x5a);
    write_file(h.mod_path[0], m0, sizeof(m0));
    write_file(h.mod_path[1], "abc", 3);
    h.cfg.modules[0] = (BootModule){h.mod_path[0], "first arg"};
    h.cfg.modules[1] = (BootModule){h.mod_path[1], NULL};
    h.cfg.module_count = 2;
    boot_ok(&h);
    VmxsimBootInfo bi = read_info(&h);
    char s[64];
    ck_assert_uint_eq(bi.module_count, 2);
    ck_assert_uint_eq(bi.modules[0].start % 4096, 0);
    ck_assert_uint_ge(bi.modules[0].start, bi.image_end);
    ck_assert_uint_eq(bi.modules[0].end - bi.modules[0].start, sizeof(m0));
    ck_assert_uint_eq(bi.modules[1].start % 4096, 0);
    ck_assert_uint_ge(bi.modules[1].start, bi.modules[0].end);
    ck_assert_uint_eq(bi.modules[1].end - bi.modules[1].start, 3);
    ck_assert_uint_ge(bi.boot_area_start, bi.modules[1].end);
    for (unsigned i = 0; i < sizeof(m0); i++)
        ck_assert_uint_eq(mem_phys_read(&h.mem, bi.modules[0].start + i, 1), m0[i]);
    ck_assert_uint_eq(mem_phys_read(&h.mem, bi.modules[1].start, 3), 0x636261);
    ck_assert(read_string(&h, bi.modules[0].cmdline, s, sizeof(s)));
    ck_assert_str_eq(s, "first arg");
    ck_assert(read_string(&h, bi.modules[1].cmdline, s, sizeof(s)));
    ck_assert_str_eq(s, "");
    ck_assert(bi.modules[1].cmdline >= bi.boot_area_start &&
              bi.modules[1].cmdline < bi.boot_area_end);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_cpu_state_long_mode) {
    Harness h;
    harness_init(&h);
    boot_ok(&h);
    CpuState *c = &h.cpu;
    ck_assert_uint_eq(c->cr0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG);
    ck_assert_uint_eq(c->cr4, CR4_PAE);
    ck_assert_uint_eq(c->efer, EFER_LME | EFER_LMA | EFER_NXE);
    ck_assert_uint_eq(c->idtr.base, 0);
    ck_assert_uint_eq(c->idtr.limit, 0);
    ck_assert_uint_eq(c->seg[SEG_CS].selector, 0x08);
    ck_assert_uint_eq(c->seg[SEG_CS].ar, 0xA09B);
    ck_assert_uint_eq(c->seg[SEG_CS].limit, 0xFFFFFFFF);
    ck_assert_uint_eq(c->seg[SEG_CS].base, 0);
    static const unsigned data[] = {SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(data); i++) {
        const Segment *s = &c->seg[data[i]];
        ck_assert(s->selector == 0x10 && s->ar == 0xC093 && s->limit == 0xFFFFFFFF && s->base == 0);
    }
    ck_assert_uint_eq(c->seg[SEG_TR].selector, 0x18);
    ck_assert_uint_eq(c->seg[SEG_TR].ar, 0x8B);
    ck_assert_uint_eq(c->seg[SEG_TR].limit, 0x67);
    ck_assert_uint_eq(c->seg[SEG_LDTR].selector, 0);
    ck_assert_uint_eq(c->seg[SEG_LDTR].ar, AR_UNUSABLE);
    ck_assert_uint_eq(c->rflags, 0x2);
    ck_assert_uint_eq(c->RIP, ENTRY);
    ck_assert_int_eq(c->mode, MODE_LONG64);
    ck_assert_uint_eq(c->cpl, 0);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_gprs_only_rsp_rdi_set) {
    Harness h;
    harness_init(&h);
    for (unsigned r = 0; r < 16; r++)
        h.cpu.gpr[r] = 0xdead0000 + r;
    boot_ok(&h);
    for (unsigned r = 0; r < 16; r++) {
        if (r != GPR_RSP && r != GPR_RDI) ck_assert_uint_eq(h.cpu.gpr[r], 0);
    }
    uint64_t rsp = h.cpu.gpr[GPR_RSP];
    ck_assert_uint_eq(rsp % 4096, 0);
    ck_assert_uint_ge(rsp - 64 * 1024, h.cpu.gpr[GPR_RDI] + sizeof(VmxsimBootInfo));
    ck_assert_uint_le(rsp, RAM_SIZE);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_low_image_skips_legacy_hole) {
    Harness h;
    harness_init(&h);
    write_elf64(h.path, 0x90000, 0x100, 0x8000, 0x90000);
    boot_ok(&h);
    VmxsimBootInfo bi = read_info(&h);
    ck_assert_uint_eq(bi.boot_area_start, 0x100000);
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_too_many_modules_rejected) {
    Harness h;
    harness_init(&h);
    h.cfg.module_count = VMXSIM_BOOT_MAX_MODULES + 1;
    ck_assert(!harness_boot(&h));
    ck_assert_ptr_nonnull(strstr(h.err, "modules"));
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_missing_module_named) {
    Harness h;
    harness_init(&h);
    h.cfg.modules[0] = (BootModule){"/tmp/test_boot_direct_nonexistent.bin", NULL};
    h.cfg.module_count = 1;
    ck_assert(!harness_boot(&h));
    ck_assert_ptr_nonnull(strstr(h.err, "test_boot_direct_nonexistent.bin"));
    ck_assert_ptr_nonnull(strstr(h.err, "module 0"));
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_empty_module_rejected) {
    Harness h;
    harness_init(&h);
    h.cfg.modules[0] = (BootModule){h.mod_path[0], "x"};
    h.cfg.module_count = 1;
    ck_assert(!harness_boot(&h));
    ck_assert_ptr_nonnull(strstr(h.err, "empty"));
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_boot_area_beyond_ram_rejected) {
    Harness h;
    harness_init_ram(&h, 4 * MIB);
    write_elf64(h.path, IMAGE_BASE, 0x100, 3 * MIB - 0x4000, ENTRY);
    ck_assert(!harness_boot(&h));
    ck_assert_ptr_nonnull(strstr(h.err, "boot area"));
    ck_assert_ptr_nonnull(strstr(h.err, "does not fit in --mem"));
    harness_fini(&h);
}
END_TEST

START_TEST(test_boot_direct_module_beyond_ram_rejected) {
    Harness h;
    harness_init_ram(&h, 4 * MIB);
    uint8_t *big = calloc(1, 3 * MIB);
    ck_assert_ptr_nonnull(big);
    write_file(h.mod_path[0], big, 3 * MIB);
    free(big);
    h.cfg.modules[0] = (BootModule){h.mod_path[0], NULL};
    h.cfg.module_count = 1;
    ck_assert(!harness_boot(&h));
    ck_assert_ptr_nonnull(strstr(h.err, "module 0"));
    ck_assert_ptr_nonnull(strstr(h.err, "does not fit in --mem"));
    harness_fini(&h);
}
END_TEST

static uint64_t dummy_read(void *opaque, uint64_t offset, unsigned size) {
    return 0;
}
static void dummy_write(void *opaque, uint64_t offset, unsigned size, uint64_t value) {}

START_TEST(test_boot_direct_segment_over_mmio_rejected) {
    static const MmioOps ops = {dummy_read, dummy_write};
    Harness h;
    harness_init(&h);
    ck_assert(mem_add_mmio(&h.mem, IMAGE_BASE + 0x2000, 0x1000, &ops, NULL));
    ck_assert(!harness_boot(&h));
    ck_assert_ptr_nonnull(strstr(h.err, "MMIO"));
    harness_fini(&h);
}
END_TEST

static Suite *boot_direct_suite(void) {
    Suite *s = suite_create("boot_direct");
    TCase *tc = tcase_create("layout");
    tcase_add_test(tc, test_boot_direct_page_tables_identity_4g);
    tcase_add_test(tc, test_boot_direct_page_tables_large_ram_mapped);
    tcase_add_test(tc, test_boot_direct_dirty_ram_unused_entries_zero);
    tcase_add_test(tc, test_boot_direct_gdt_descriptors_flat);
    tcase_add_test(tc, test_boot_direct_tss_no_io_bitmap);
    tcase_add_test(tc, test_boot_direct_boot_info_fields);
    tcase_add_test(tc, test_boot_direct_no_append_empty_cmdline);
    tcase_add_test(tc, test_boot_direct_modules_loaded_page_aligned);
    tcase_add_test(tc, test_boot_direct_low_image_skips_legacy_hole);
    suite_add_tcase(s, tc);
    TCase *cpu = tcase_create("cpu");
    tcase_add_test(cpu, test_boot_direct_cpu_state_long_mode);
    tcase_add_test(cpu, test_boot_direct_gprs_only_rsp_rdi_set);
    suite_add_tcase(s, cpu);
    TCase *bad = tcase_create("reject");
    tcase_add_test(bad, test_boot_direct_too_many_modules_rejected);
    tcase_add_test(bad, test_boot_direct_missing_module_named);
    tcase_add_test(bad, test_boot_direct_empty_module_rejected);
    tcase_add_test(bad, test_boot_direct_boot_area_beyond_ram_rejected);
    tcase_add_test(bad, test_boot_direct_module_beyond_ram_rejected);
    tcase_add_test(bad, test_boot_direct_segment_over_mmio_rejected);
    suite_add_tcase(s, bad);
    return s;
}

CHECK_MAIN(boot_direct_suite)
