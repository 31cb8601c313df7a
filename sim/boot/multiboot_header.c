/* The Multiboot v1 header (Multiboot Specification 0.6.96, 3.1). */
#include "sim/boot/multiboot_header.h"

#include "sim/boot/boot_error.h"

static void read_addresses(const ImageFile *f, MultibootHeader *h) {
    h->header_addr = boot_file_le32(f, h->offset + 12);
    h->load_addr = boot_file_le32(f, h->offset + 16);
    h->load_end_addr = boot_file_le32(f, h->offset + 20);
    h->bss_end_addr = boot_file_le32(f, h->offset + 24);
    h->entry_addr = boot_file_le32(f, h->offset + 28);
}

/* Spec 3.1.1: "contained completely within the first 8192 bytes of the OS
 * image, and must be longword (32-bit) aligned". */
bool boot_mb_find_header(const ImageFile *f, MultibootHeader *h) {
    uint64_t window = f->size < MB_SEARCH_BYTES ? f->size : MB_SEARCH_BYTES;
    for (uint64_t off = 0; off + MB_HEADER_BASE_BYTES <= window; off += 4) {
        if (boot_file_le32(f, off) != MB_HEADER_MAGIC) continue;
        uint32_t flags = boot_file_le32(f, off + 4);
        uint32_t checksum = boot_file_le32(f, off + 8);
        if ((uint32_t)(MB_HEADER_MAGIC + flags + checksum) != 0)
            continue; /* spec 3.1.2: the checksum makes the sum zero */
        *h = (MultibootHeader){.offset = off, .flags = flags};
        h->has_addresses = off + MB_HEADER_ADDR_BYTES <= window;
        if (h->has_addresses) read_addresses(f, h);
        return true;
    }
    return false;
}

bool boot_mb_check_flags(const ImageFile *f, const MultibootHeader *h, char *err, size_t errlen) {
    uint32_t unsupported = h->flags & MB_FLAGS_REQUIRED & ~(uint32_t)MB_FLAGS_SUPPORTED;
    if (unsupported == 0) return true;
    return boot_fail(err, errlen,
                     "%s: multiboot header at offset " BOOT_X ": flags " BOOT_X
                     ": required flag bit %d is not supported (only bits 0, 1 and 2 are)",
                     f->path, h->offset, (uint64_t)h->flags, __builtin_ctz(unsupported));
}

/* Spec 3.1.3: header_addr and load_addr give the file offset of the text;
 * load_end_addr (0: the rest of the file) how much of it to load. */
static bool aout_file_part(const ImageFile *f, const MultibootHeader *h, MultibootAout *out,
                           char *err, size_t errlen) {
    if (h->header_addr < h->load_addr)
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X
                         ": header_addr 0x%x is below load_addr 0x%x",
                         f->path, h->offset, h->header_addr, h->load_addr);
    uint64_t delta = (uint64_t)h->header_addr - h->load_addr;
    if (delta > h->offset)
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X
                         ": header_addr 0x%x - load_addr 0x%x exceeds the header's file offset, so "
                         "load_addr would precede the start of the file",
                         f->path, h->offset, h->header_addr, h->load_addr);
    out->file_offset = h->offset - delta;
    out->load_addr = h->load_addr;
    if (h->load_end_addr == 0) {
        out->load_size = f->size - out->file_offset;
        return true;
    }
    if (h->load_end_addr < h->load_addr)
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X
                         ": load_end_addr 0x%x is below load_addr 0x%x",
                         f->path, h->offset, h->load_end_addr, h->load_addr);
    out->load_size = (uint64_t)h->load_end_addr - h->load_addr;
    if (!boot_file_has(f, out->file_offset, out->load_size))
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X
                         ": load_end_addr 0x%x needs file bytes [" BOOT_X ", " BOOT_X
                         ") but the file has " BOOT_X,
                         f->path, h->offset, h->load_end_addr, out->file_offset,
                         out->file_offset + out->load_size, (uint64_t)f->size);
    return true;
}

/* Spec 3.1.3: bss_end_addr (0: no bss) and entry_addr, inside the image. */
static bool aout_memory_part(const ImageFile *f, const MultibootHeader *h, MultibootAout *out,
                             char *err, size_t errlen) {
    uint64_t load_end = out->load_addr + out->load_size;
    if ((uint64_t)h->header_addr + MB_HEADER_BASE_BYTES > load_end)
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X
                         ": header_addr 0x%x is not inside the loaded text [0x%x, " BOOT_X ")",
                         f->path, h->offset, h->header_addr, h->load_addr, load_end);
    out->end = load_end;
    if (h->bss_end_addr != 0 && h->bss_end_addr < load_end)
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X
                         ": bss_end_addr 0x%x is below the end of the loaded text " BOOT_X,
                         f->path, h->offset, h->bss_end_addr, load_end);
    if (h->bss_end_addr != 0) out->end = h->bss_end_addr;
    if (h->entry_addr < out->load_addr || h->entry_addr >= out->end)
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X
                         ": entry_addr 0x%x is outside the loaded image [0x%x, " BOOT_X ")",
                         f->path, h->offset, h->entry_addr, h->load_addr, out->end);
    out->entry = h->entry_addr;
    return true;
}

bool boot_mb_aout_layout(const ImageFile *f, const MultibootHeader *h, MultibootAout *out,
                         char *err, size_t errlen) {
    if (!h->has_addresses)
        return boot_fail(err, errlen,
                         "%s: multiboot header at offset " BOOT_X
                         ": flag 16 is set but the address fields (header bytes 12-31) extend past "
                         "the first 8192 bytes or the end of the file",
                         f->path, h->offset);
    *out = (MultibootAout){0};
    return aout_file_part(f, h, out, err, errlen) && aout_memory_part(f, h, out, err, errlen);
}
