/* Whole files read into host memory, with a size cap: images and modules. */
#ifndef VMXSIM_BOOT_IMAGE_FILE_H
#define VMXSIM_BOOT_IMAGE_FILE_H

#include "sim/sim.h"

/* Largest image file read (loaded parts must fit in RAM anyway). */
#define BOOT_IMAGE_MAX_SIZE (UINT64_C(1) << 30)

typedef struct ImageFile {
    const char *path; /* as given, for messages */
    uint8_t *data;    /* size bytes, owned */
    size_t size;      /* never 0 after a successful read */
} ImageFile;

/* Reads the regular file at path; errors for missing, unreadable, empty or
 * larger than max_size.  `what` names the file's role in messages ("image",
 * "module 2"). */
bool boot_file_read(ImageFile *f, const char *path, uint64_t max_size, const char *what, char *err,
                    size_t errlen) SIM_MUST_CHECK;
void boot_file_free(ImageFile *f);

/* True when [offset, offset + len) lies inside the file. */
static inline bool boot_file_has(const ImageFile *f, uint64_t offset, uint64_t len) {
    return offset <= f->size && len <= f->size - offset;
}

/* Little-endian 32-bit value at offset; the caller checked boot_file_has. */
static inline uint32_t boot_file_le32(const ImageFile *f, uint64_t offset) {
    const uint8_t *p = f->data + offset;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
