/* Whole files read into host memory, with a size cap. */
#include "sim/boot/image_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/boot/boot_error.h"

/* Reads up to size bytes; returns the count read (less at a short file). */
static bool read_all(int fd, uint8_t *buf, size_t size, size_t *got) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, buf + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) break;
        done += (size_t)n;
    }
    *got = done;
    return true;
}

/* Checks the opened file's type and size; *size is its length. */
static bool check_stat(int fd, const char *path, uint64_t max_size, const char *what, size_t *size,
                       char *err, size_t errlen) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return boot_fail(err, errlen, "%s: %s: cannot stat: %s", path, what, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return boot_fail(err, errlen, "%s: %s: not a regular file", path, what);
    if (st.st_size == 0) return boot_fail(err, errlen, "%s: %s: file is empty", path, what);
    if ((uint64_t)st.st_size > max_size)
        return boot_fail(err, errlen, "%s: %s: file size " BOOT_X " exceeds the limit " BOOT_X,
                         path, what, (uint64_t)st.st_size, max_size);
    *size = (size_t)st.st_size;
    return true;
}

static bool read_opened(ImageFile *f, int fd, uint64_t max_size, const char *what, char *err,
                        size_t errlen) {
    size_t size = 0, got = 0;
    if (!check_stat(fd, f->path, max_size, what, &size, err, errlen)) return false;
    f->data = malloc(size);
    if (!f->data)
        return boot_fail(err, errlen, "%s: %s: out of host memory for " BOOT_X " bytes", f->path,
                         what, (uint64_t)size);
    if (!read_all(fd, f->data, size, &got))
        return boot_fail(err, errlen, "%s: %s: read failed: %s", f->path, what, strerror(errno));
    if (got == 0) return boot_fail(err, errlen, "%s: %s: file is empty", f->path, what);
    f->size = got; /* the file shrank while we read it: keep what is there */
    return true;
}

bool boot_file_read(ImageFile *f, const char *path, uint64_t max_size, const char *what, char *err,
                    size_t errlen) {
    memset(f, 0, sizeof(*f));
    f->path = path ? path : "(null)";
    if (!path || !*path) return boot_fail(err, errlen, "%s: no file name given", what);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return boot_fail(err, errlen, "%s: %s: cannot open: %s", path, what, strerror(errno));
    bool ok = read_opened(f, fd, max_size, what, err, errlen);
    close(fd);
    if (!ok) boot_file_free(f);
    return ok;
}

void boot_file_free(ImageFile *f) {
    free(f->data);
    f->data = NULL;
    f->size = 0;
}
