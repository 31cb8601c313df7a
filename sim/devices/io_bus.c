/*
 * Port-I/O dispatch (io_bus.h).  A handful of ranges, searched linearly: a
 * PC has a dozen port devices, and port I/O is rare next to memory access.
 *
 * Choices (docs/devices.md):
 * - the range that holds the access's first port receives the whole access;
 *   the device splits it if it models byte-wide registers;
 * - sizes other than 1, 2 and 4 read all-ones and drop writes;
 * - values are masked to the access size in both directions;
 * - a range with a NULL read (write) callback reads all-ones (drops writes).
 */
#include "sim/devices/io_bus.h"

#include <stddef.h>

void dev_io_bus_init(IoBus *bus) {
    *bus = (IoBus){.count = 0};
}

static bool io_range_overlaps(const IoRange *r, uint16_t first, uint16_t last) {
    return first <= r->last && r->first <= last;
}

bool dev_io_bus_claim(IoBus *bus, uint16_t first, uint16_t last, IoReadFn read, IoWriteFn write,
                      void *opaque) {
    if (first > last || bus->count >= IO_BUS_MAX_RANGES) return false;
    for (unsigned i = 0; i < bus->count; i++) {
        if (io_range_overlaps(&bus->ranges[i], first, last)) return false;
    }
    bus->ranges[bus->count++] =
        (IoRange){.first = first, .last = last, .read = read, .write = write, .opaque = opaque};
    return true;
}

static const IoRange *io_bus_find(const IoBus *bus, uint16_t port) {
    for (unsigned i = 0; i < bus->count; i++) {
        const IoRange *r = &bus->ranges[i];
        if (port >= r->first && port <= r->last) return r;
    }
    return NULL;
}

static bool io_size_valid(unsigned size) {
    return size == 1 || size == 2 || size == 4;
}

/* All-ones for the access size: 0xff, 0xffff or 0xffffffff. */
static uint32_t io_size_mask(unsigned size) {
    return size >= 4 ? UINT32_MAX : (UINT32_C(1) << (8 * size)) - 1;
}

uint32_t dev_io_read(IoBus *bus, uint16_t port, unsigned size) {
    if (!io_size_valid(size)) return UINT32_MAX;
    uint32_t mask = io_size_mask(size);
    const IoRange *r = io_bus_find(bus, port);
    if (r == NULL || r->read == NULL) return mask;
    return r->read(r->opaque, port, size) & mask;
}

void dev_io_write(IoBus *bus, uint16_t port, unsigned size, uint32_t value) {
    if (!io_size_valid(size)) return;
    const IoRange *r = io_bus_find(bus, port);
    if (r == NULL || r->write == NULL) return;
    r->write(r->opaque, port, size, value & io_size_mask(size));
}
