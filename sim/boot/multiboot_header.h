/*
 * The Multiboot v1 header (Multiboot Specification 0.6.96, 3.1 "OS image
 * format"): detection in the first 8192 bytes, the flags, and the address
 * fields that flag 16 makes the loader use instead of the executable format.
 */
#ifndef VMXSIM_BOOT_MULTIBOOT_HEADER_H
#define VMXSIM_BOOT_MULTIBOOT_HEADER_H

#include "sim/boot/image_file.h"
#include "sim/sim.h"

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_BOOTLOADER_MAGIC 0x2BADB002u
#define MB_SEARCH_BYTES 8192u
#define MB_HEADER_BASE_BYTES 12u /* magic, flags, checksum */
#define MB_HEADER_ADDR_BYTES 32u /* ... header_addr .. entry_addr */

/* Header flags (spec 3.1.2).  Bits 0-15 are requirements, 16-31 optional. */
enum {
    MB_FLAG_PAGE_ALIGN = 1u << 0,  /* modules page-aligned: always so here */
    MB_FLAG_MEMORY_INFO = 1u << 1, /* mem_* and mmap_*: always provided */
    MB_FLAG_VIDEO_MODE = 1u << 2,  /* a video mode: ignored, no framebuffer reported */
    MB_FLAG_ADDRESSES = 1u << 16,  /* header_addr .. entry_addr are valid ("a.out kludge") */
    MB_FLAGS_REQUIRED = 0xFFFFu,
    MB_FLAGS_SUPPORTED = MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO | MB_FLAG_VIDEO_MODE,
};

typedef struct MultibootHeader {
    uint64_t offset; /* file offset of the magic, a multiple of 4 */
    uint32_t flags;
    bool has_addresses; /* the address fields lie inside the searched bytes */
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
} MultibootHeader;

/* Where the address fields put the image (flag 16). */
typedef struct MultibootAout {
    uint64_t file_offset; /* of the byte loaded at load_addr */
    uint64_t load_addr;   /* first byte loaded */
    uint64_t load_size;   /* bytes copied from the file */
    uint64_t end;         /* one past the image in memory, bss included */
    uint64_t entry;
} MultibootAout;

/* The first header in the first 8192 bytes: at a 4-byte aligned offset, its
 * 12 base bytes inside those 8192 and the file, magic + flags + checksum == 0
 * (mod 2^32).  A magic with a wrong checksum is not a header: search goes on. */
bool boot_mb_find_header(const ImageFile *f, MultibootHeader *h) SIM_MUST_CHECK;
/* Rejects a required flag (bits 0-15) the loader does not support, naming it. */
bool boot_mb_check_flags(const ImageFile *f, const MultibootHeader *h, char *err,
                         size_t errlen) SIM_MUST_CHECK;
/* Checks the address fields against each other and the file (flag 16). */
bool boot_mb_aout_layout(const ImageFile *f, const MultibootHeader *h, MultibootAout *out,
                         char *err, size_t errlen) SIM_MUST_CHECK;

#endif
