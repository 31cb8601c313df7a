/* ELF executables: header validation and PT_LOAD loading, via libelf. */
#include "sim/boot/elf_image.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "sim/boot/boot_error.h"
#include "sim/boot/guest_ram.h"

/* e_ident, before libelf sees the bytes (ELF gABI, "ELF Identification"). */
static bool check_ident(const ImageFile *f, char *err, size_t errlen) {
    if (f->size < SELFMAG || memcmp(f->data, ELFMAG, SELFMAG) != 0)
        return boot_fail(err, errlen, "%s: offset 0: not an ELF file (no \\177ELF magic)", f->path);
    if (f->size < EI_NIDENT)
        return boot_fail(err, errlen,
                         "%s: ELF header truncated: file has %zu bytes, e_ident needs %d", f->path,
                         f->size, EI_NIDENT);
    unsigned cls = f->data[EI_CLASS];
    if (cls != ELFCLASS32 && cls != ELFCLASS64)
        return boot_fail(err, errlen,
                         "%s: e_ident[EI_CLASS] %u is neither ELFCLASS32 (1) nor ELFCLASS64 (2)",
                         f->path, cls);
    if (f->data[EI_DATA] != ELFDATA2LSB)
        return boot_fail(err, errlen,
                         "%s: e_ident[EI_DATA] %u is not ELFDATA2LSB (1): x86 is little-endian",
                         f->path, f->data[EI_DATA]);
    if (f->data[EI_VERSION] != EV_CURRENT)
        return boot_fail(err, errlen, "%s: e_ident[EI_VERSION] %u is not EV_CURRENT (1)", f->path,
                         f->data[EI_VERSION]);
    size_t need = cls == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (f->size < need)
        return boot_fail(err, errlen,
                         "%s: ELF header truncated: file has %zu bytes, the ELF%u header needs %zu",
                         f->path, f->size, cls == ELFCLASS64 ? 64u : 32u, need);
    return true;
}

static size_t ehdr_size(unsigned cls) {
    return cls == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
}

static size_t phdr_size(unsigned cls) {
    return cls == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
}

/* The program header table: e_phnum entries of the class's size, in the file. */
static bool check_phdr_table(const ImageFile *f, const GElf_Ehdr *eh, unsigned cls, char *err,
                             size_t errlen) {
    if (eh->e_phoff == 0 || eh->e_phnum == 0)
        return boot_fail(err, errlen,
                         "%s: e_phoff " BOOT_X
                         ", e_phnum %u: no program header table, nothing to load",
                         f->path, (uint64_t)eh->e_phoff, eh->e_phnum);
    if (eh->e_phnum == PN_XNUM)
        return boot_fail(err, errlen,
                         "%s: e_phnum 0xffff (PN_XNUM, extended numbering) is not supported",
                         f->path);
    if (eh->e_phentsize != phdr_size(cls))
        return boot_fail(err, errlen,
                         "%s: e_phentsize %u is not %zu, the ELF%u program header size", f->path,
                         eh->e_phentsize, phdr_size(cls), cls == ELFCLASS64 ? 64u : 32u);
    if (!boot_file_has(f, eh->e_phoff, (uint64_t)eh->e_phnum * phdr_size(cls)))
        return boot_fail(err, errlen,
                         "%s: program header table (e_phoff " BOOT_X
                         ", e_phnum %u) extends beyond the end of the file (size " BOOT_X ")",
                         f->path, (uint64_t)eh->e_phoff, eh->e_phnum, (uint64_t)f->size);
    return true;
}

static bool check_ehdr(const ImageFile *f, const GElf_Ehdr *eh, unsigned cls, char *err,
                       size_t errlen) {
    if (eh->e_type != ET_EXEC)
        return boot_fail(err, errlen, "%s: e_type %u is not ET_EXEC (2)%s", f->path, eh->e_type,
                         eh->e_type == ET_DYN
                             ? ": position-independent images are not supported, link with -no-pie"
                             : "");
    if (eh->e_machine != EM_386 && eh->e_machine != EM_X86_64)
        return boot_fail(err, errlen, "%s: e_machine %u is neither EM_386 (3) nor EM_X86_64 (62)",
                         f->path, eh->e_machine);
    return check_phdr_table(f, eh, cls, err, errlen);
}

/* libelf never sees the file itself, only a private copy of the ELF header
 * (section-header fields cleared: loading never reads sections, so garbage
 * there must not stop a load) followed by the program header table, which
 * the copy's e_phoff points at.  KEEP_PHOFF leaves e_phoff as it is. */
#define KEEP_PHOFF UINT64_MAX
static void rewrite_header(uint8_t *head, unsigned cls, uint64_t phoff) {
    if (cls == ELFCLASS64) {
        Elf64_Ehdr e;
        memcpy(&e, head, sizeof(e));
        e.e_shoff = e.e_shnum = e.e_shstrndx = 0;
        e.e_phoff = phoff == KEEP_PHOFF ? e.e_phoff : phoff;
        memcpy(head, &e, sizeof(e));
    } else {
        Elf32_Ehdr e;
        memcpy(&e, head, sizeof(e));
        e.e_shoff = e.e_shnum = e.e_shstrndx = 0;
        e.e_phoff = phoff == KEEP_PHOFF ? e.e_phoff : (Elf32_Off)phoff;
        memcpy(head, &e, sizeof(e));
    }
}

/* The ELF header, decoded by libelf from a private copy. */
static bool read_ehdr(const ImageFile *f, unsigned cls, GElf_Ehdr *eh, char *err, size_t errlen) {
    uint8_t head[sizeof(Elf64_Ehdr)];
    memcpy(head, f->data, ehdr_size(cls));
    rewrite_header(head, cls, KEEP_PHOFF);
    Elf *elf = elf_memory((char *)head, ehdr_size(cls));
    bool ok = elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, eh);
    if (!ok) boot_fail(err, errlen, "%s: ELF header: libelf: %s", f->path, elf_errmsg(-1));
    elf_end(elf);
    return ok;
}

/* The ELF header and the program header table, as libelf sees them. */
typedef struct ElfView {
    GElf_Ehdr eh; /* as in the file */
    uint8_t *buf; /* the private copy */
    Elf *elf;
} ElfView;

static bool map_phdrs(ElfView *v, const ImageFile *f, unsigned cls, char *err, size_t errlen) {
    size_t head = ehdr_size(cls), table = (size_t)v->eh.e_phnum * phdr_size(cls);
    v->buf = malloc(head + table);
    if (!v->buf)
        return boot_fail(err, errlen, "%s: out of host memory for the program headers", f->path);
    memcpy(v->buf, f->data, head);
    rewrite_header(v->buf, cls, head);
    memcpy(v->buf + head, f->data + v->eh.e_phoff, table);
    v->elf = elf_memory((char *)v->buf, head + table);
    if (!v->elf)
        return boot_fail(err, errlen, "%s: program headers: libelf: %s", f->path, elf_errmsg(-1));
    return true;
}

static void view_close(ElfView *v) {
    elf_end(v->elf);
    free(v->buf);
    v->elf = NULL;
    v->buf = NULL;
}

/* Checks the identification and the headers, and opens them with libelf. */
static bool view_open(ElfView *v, const ImageFile *f, char *err, size_t errlen) {
    memset(v, 0, sizeof(*v));
    if (!check_ident(f, err, errlen)) return false;
    unsigned cls = f->data[EI_CLASS];
    if (elf_version(EV_CURRENT) == EV_NONE)
        return boot_fail(err, errlen, "%s: libelf: %s", f->path, elf_errmsg(-1));
    if (!read_ehdr(f, cls, &v->eh, err, errlen) || !check_ehdr(f, &v->eh, cls, err, errlen))
        return false;
    if (!map_phdrs(v, f, cls, err, errlen)) {
        view_close(v);
        return false;
    }
    return true;
}

static void fill_identity(ElfImage *img, const ImageFile *f, const GElf_Ehdr *eh) {
    memset(img, 0, sizeof(*img));
    img->elf_class = f->data[EI_CLASS];
    img->machine = eh->e_machine;
    img->entry = img->entry_phys = eh->e_entry;
}

bool boot_elf_identify(const ImageFile *f, ElfImage *img, char *err, size_t errlen) {
    ElfView v;
    if (!view_open(&v, f, err, errlen)) return false;
    fill_identity(img, f, &v.eh);
    view_close(&v);
    return true;
}

/* One PT_LOAD segment: its file bytes inside the file, its memory in RAM. */
static bool check_segment(const ImageFile *f, Memory *mem, uint64_t limit, size_t i,
                          const GElf_Phdr *ph, char *err, size_t errlen) {
    char why[128];
    if (ph->p_filesz > ph->p_memsz)
        return boot_fail(err, errlen,
                         "%s: program header %zu (PT_LOAD): p_filesz " BOOT_X
                         " exceeds p_memsz " BOOT_X,
                         f->path, i, (uint64_t)ph->p_filesz, (uint64_t)ph->p_memsz);
    /* A segment with no file bytes reads nothing, whatever its p_offset. */
    if (ph->p_filesz > 0 && !boot_file_has(f, ph->p_offset, ph->p_filesz))
        return boot_fail(err, errlen,
                         "%s: program header %zu (PT_LOAD): p_offset " BOOT_X " + p_filesz " BOOT_X
                         " is beyond the end of the file (size " BOOT_X ")",
                         f->path, i, (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz,
                         (uint64_t)f->size);
    if (ph->p_memsz > 0 && !boot_ram_check(mem, ph->p_paddr, ph->p_memsz, limit, why, sizeof(why)))
        return boot_fail(err, errlen,
                         "%s: program header %zu (PT_LOAD): p_paddr " BOOT_X " + p_memsz " BOOT_X
                         " %s",
                         f->path, i, (uint64_t)ph->p_paddr, (uint64_t)ph->p_memsz, why);
    return true;
}

/* Adds a checked, non-empty segment to the image's extent and entry point. */
static void account_segment(ElfImage *img, const GElf_Phdr *ph, bool *entry_found) {
    if (img->segments == 0 || ph->p_paddr < img->start) img->start = ph->p_paddr;
    if (img->segments == 0 || ph->p_paddr + ph->p_memsz > img->end)
        img->end = ph->p_paddr + ph->p_memsz;
    img->segments++;
    /* GRUB's rule for images linked at a virtual address other than p_paddr. */
    if (!*entry_found && img->entry >= ph->p_vaddr && img->entry - ph->p_vaddr < ph->p_memsz) {
        img->entry_phys = img->entry - ph->p_vaddr + ph->p_paddr;
        *entry_found = true;
    }
}

static bool check_segments(Elf *elf, const ImageFile *f, Memory *mem, uint64_t limit, size_t phnum,
                           ElfImage *img, char *err, size_t errlen) {
    bool entry_found = false;
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph))
            return boot_fail(err, errlen, "%s: program header %zu: libelf: %s", f->path, i,
                             elf_errmsg(-1));
        if (ph.p_type != PT_LOAD) continue;
        if (!check_segment(f, mem, limit, i, &ph, err, errlen)) return false;
        if (ph.p_memsz > 0) account_segment(img, &ph, &entry_found);
    }
    if (img->segments == 0)
        return boot_fail(err, errlen,
                         "%s: no loadable segment (no PT_LOAD program header with p_memsz > 0)",
                         f->path);
    return true;
}

/* Copies the checked segments in program-header order, then zero-fills. */
static void load_segments(Elf *elf, const ImageFile *f, Memory *mem, size_t phnum) {
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        if (ph.p_filesz > 0) boot_ram_copy(mem, ph.p_paddr, f->data + ph.p_offset, ph.p_filesz);
        boot_ram_zero(mem, ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz);
    }
}

bool boot_elf_load(const ImageFile *f, Memory *mem, uint64_t limit, ElfImage *img, char *err,
                   size_t errlen) {
    ElfView v;
    if (!view_open(&v, f, err, errlen)) return false;
    fill_identity(img, f, &v.eh);
    bool ok = check_segments(v.elf, f, mem, limit, v.eh.e_phnum, img, err, errlen);
    if (ok) load_segments(v.elf, f, mem, v.eh.e_phnum);
    view_close(&v);
    return ok;
}
