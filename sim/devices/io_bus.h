/*
 * Port-I/O dispatch.  A device claims a range of ports with read/write
 * callbacks; accesses to unclaimed ports read all-ones and drop writes, as
 * on a PC.  Sizes are 1, 2 or 4 bytes.
 */
#ifndef VMXSIM_DEVICES_IO_BUS_H
#define VMXSIM_DEVICES_IO_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define IO_BUS_MAX_RANGES 32

typedef uint32_t (*IoReadFn)(void *opaque, uint16_t port, unsigned size);
typedef void (*IoWriteFn)(void *opaque, uint16_t port, unsigned size, uint32_t value);

typedef struct IoRange {
    uint16_t first, last; /* inclusive */
    IoReadFn read;
    IoWriteFn write;
    void *opaque;
} IoRange;

typedef struct IoBus {
    IoRange ranges[IO_BUS_MAX_RANGES];
    unsigned count;
} IoBus;

void dev_io_bus_init(IoBus *bus);
/* Returns false when the table is full or the range overlaps a claimed one. */
bool dev_io_bus_claim(IoBus *bus, uint16_t first, uint16_t last, IoReadFn read, IoWriteFn write,
                      void *opaque);
uint32_t dev_io_read(IoBus *bus, uint16_t port, unsigned size);
void dev_io_write(IoBus *bus, uint16_t port, unsigned size, uint32_t value);

#endif
