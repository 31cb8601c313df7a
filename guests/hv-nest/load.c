/*
 * L1 as vmxsim's direct boot would start it (include/vmxsim/boot_info.h):
 * module 0's ELF64 PT_LOAD segments at their physical addresses, 64-bit
 * mode at CPL 0 with the first 4 GiB identity-mapped, a flat GDT with a
 * TSS, a 64 KiB stack, RDI = a VmxsimBootInfo with the module's ARGS as the
 * command line; then vmcs01's controls (what hv-nest intercepts).
 */
#include "hv_nest.h"

#include "guest/io.h"
#include "guest/printf.h"
#include "guest/string.h"
#include "guest/vmx_guest.h"

/* ELF-64 Object File Format: file header and program header. */
typedef struct Elf64Header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} Elf64Header;

typedef struct Elf64Phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
} Elf64Phdr;

#define ELF_EXEC 2u
#define ELF_X86_64 62u
#define PT_LOAD 1u
#define MSR_IA32_PAT 0x277u
#define L1_STACK 65536u

extern char __image_start[];

/* L1's boot area: everything vmxsim would put after the image. */
static struct L1Boot {
    VmxPageTables64 page_tables;
    VmxGuestTables tables;
    VmxsimBootInfo info;
    uint8_t stack[L1_STACK] __attribute__((aligned(16)));
} l1_boot __attribute__((aligned(4096)));

static VmxIoBitmaps io_bitmaps;
static VmxMsrBitmap msr_bitmap;

static bool valid_elf(const Elf64Header *h, uint64_t size) {
    static const uint8_t magic[7] = {0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LSB */, 1};
    return size >= sizeof(*h) && memcmp(h->ident, magic, sizeof(magic)) == 0 &&
           h->type == ELF_EXEC && h->machine == ELF_X86_64 && h->phentsize == sizeof(Elf64Phdr) &&
           h->phoff + (uint64_t)h->phnum * sizeof(Elf64Phdr) <= size;
}

/* Copies the segments; they must lie below hv-nest's own image. */
static bool load_segments(const uint8_t *file, uint64_t size, VmxsimBootInfo *l1) {
    const Elf64Header *h = (const Elf64Header *)file;
    l1->image_start = ~0ull;
    for (unsigned i = 0; i < h->phnum; i++) {
        const Elf64Phdr *p = (const Elf64Phdr *)(file + h->phoff) + i;
        if (p->type != PT_LOAD) continue;
        if (p->offset + p->filesz > size || p->filesz > p->memsz ||
            p->paddr + p->memsz > (uint64_t)(uintptr_t)__image_start)
            return false;
        memcpy((void *)(uintptr_t)p->paddr, file + p->offset, p->filesz);
        memset((void *)(uintptr_t)(p->paddr + p->filesz), 0, p->memsz - p->filesz);
        if (p->paddr < l1->image_start) l1->image_start = p->paddr;
        if (p->paddr + p->memsz > l1->image_end) l1->image_end = p->paddr + p->memsz;
    }
    return l1->image_end != 0;
}

static void write_boot_info(const VmxsimBootInfo *info) {
    VmxsimBootInfo *l1 = &l1_boot.info;
    l1->magic = VMXSIM_BOOT_MAGIC;
    l1->version = VMXSIM_BOOT_VERSION;
    l1->mem_size = info->mem_size;
    l1->cmdline = info->modules[0].cmdline;
    l1->boot_area_start = (uint64_t)(uintptr_t)&l1_boot;
    l1->boot_area_end = l1->boot_area_start + sizeof(l1_boot);
    l1->module_count = 0;
}

/* What L1 runs with: every exception and HLT exit (hv-nest reports them);
 * the debug-exit port (I/O bitmap); IA32_FEATURE_CONTROL and the VMX
 * capability MSRs (MSR bitmap); CR4.VMXE (guest/host mask, 25.3). */
static bool write_l1_controls(void) {
    const VmxControlSet want = {
        .proc = PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS,
        .exit = EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_EFER | EXIT_SAVE_IA32_PAT,
        .entry = ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT,
    };
    VmxControlSet c;
    if (!vmx_controls_adjust(&want, &c, NULL)) return false;
    vmx_io_intercept(&io_bitmaps, VMXSIM_DEBUG_EXIT_PORT, 4);
    vmx_msr_intercept(&msr_bitmap, MSR_IA32_FEATURE_CONTROL, true, true);
    for (uint32_t msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++)
        vmx_msr_intercept(&msr_bitmap, msr, true, true);
    vmx_check(vmx_write_controls(&c), "VMWRITE of vmcs01's controls", 0);
    vmx_write(VMCS_IO_BITMAP_A, (uint64_t)(uintptr_t)io_bitmaps.a);
    vmx_write(VMCS_IO_BITMAP_B, (uint64_t)(uintptr_t)io_bitmaps.b);
    vmx_write(VMCS_MSR_BITMAP, (uint64_t)(uintptr_t)&msr_bitmap);
    vmx_write(VMCS_EXCEPTION_BITMAP, 0xffffffffu);
    vmx_write(VMCS_CR4_GUEST_HOST_MASK, CR4_VMXE);
    return true;
}

/* L1's registers: the entry point, its stack, RDI = the boot info. */
static void write_l1_state(uint64_t entry) {
    VmxGuestSpec g = {
        .rip = entry,
        .rsp = (uint64_t)(uintptr_t)(l1_boot.stack + L1_STACK),
        .cr3 = vmx_page_tables_64(&l1_boot.page_tables, 4ull << 30),
        .tables = &l1_boot.tables,
    };
    vmx_check(vmx_write_host_state(), "VMWRITE of vmcs01's host state", 0);
    vmx_check(vmx_guest_state_64(&g), "VMWRITE of L1's state", 0);
    if (vmx_controls_allowed(VMX_ENTRY, ENTRY_LOAD_IA32_PAT))
        vmx_write(VMCS_GUEST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    vcpu.cr4 = vmx_read(VMCS_GUEST_CR4) & ~CR4_VMXE; /* L1 has not set VMXE */
    vmx_write(VMCS_CR4_READ_SHADOW, vcpu.cr4);
    vcpu.regs.rdi = (uint64_t)(uintptr_t)&l1_boot.info;
}

bool nest_load_l1(const VmxsimBootInfo *info) {
    const VmxsimBootModule *m = &info->modules[0];
    const uint8_t *file = (const uint8_t *)(uintptr_t)m->start;
    uint64_t size = m->end - m->start;
    if (!valid_elf((const Elf64Header *)file, size) || !load_segments(file, size, &l1_boot.info)) {
        guest_printf("hv-nest: module 0 is not an ELF64 executable that fits below 0x%llx\n",
                     (unsigned long long)(uintptr_t)__image_start);
        return false;
    }
    write_boot_info(info);
    if (!write_l1_controls()) {
        guest_printf("hv-nest: the CPU lacks a control vmcs01 needs\n");
        return false;
    }
    write_l1_state(((const Elf64Header *)file)->entry);
    return true;
}
