/*
 * ELF executables (ELF32 or ELF64, x86 or x86-64, ET_EXEC): validation of
 * the headers and loading of the PT_LOAD segments at their p_paddr, with
 * the bytes from p_filesz to p_memsz zero-filled (System V ABI, "Program
 * Loading").  libelf (elf_memory) decodes a private copy of the ELF header
 * and of the program header table, made after our own bounds checks; it
 * never sees the rest of the file, and section headers are ignored.
 */
#ifndef VMXSIM_BOOT_ELF_IMAGE_H
#define VMXSIM_BOOT_ELF_IMAGE_H

#include "sim/boot/image_file.h"
#include "sim/mem/memory.h"
#include "sim/sim.h"

typedef struct ElfImage {
    unsigned elf_class;  /* ELFCLASS32 or ELFCLASS64 */
    unsigned machine;    /* EM_386 or EM_X86_64 */
    uint64_t entry;      /* e_entry */
    uint64_t entry_phys; /* e_entry moved by p_paddr - p_vaddr of the PT_LOAD
                            segment whose virtual range holds it, else e_entry */
    uint64_t start, end; /* lowest p_paddr, one past the highest p_paddr + p_memsz */
    unsigned segments;   /* PT_LOAD segments with p_memsz > 0 */
} ElfImage;

/* Checks the ELF identification and header: class, little-endian data,
 * version, ET_EXEC, EM_386 or EM_X86_64, a program header table inside the
 * file.  Fills elf_class, machine and entry. */
bool boot_elf_identify(const ImageFile *f, ElfImage *img, char *err, size_t errlen) SIM_MUST_CHECK;

/* boot_elf_identify, then checks every PT_LOAD segment (inside the file,
 * p_filesz <= p_memsz, inside RAM below limit, at least one non-empty) and
 * only then loads them.  Overlapping segments are allowed; later ones win. */
bool boot_elf_load(const ImageFile *f, Memory *mem, uint64_t limit, ElfImage *img, char *err,
                   size_t errlen) SIM_MUST_CHECK;

#endif
