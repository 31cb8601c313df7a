/*
 * PCI host bridge and configuration mechanism #1 (pci_host.h).
 * CONFIG_ADDRESS: bit 31 enable, 23:16 bus, 15:11 device, 10:8 function,
 * 7:2 register; bits 30:24 and 1:0 read as 0.  The bridge's header
 * (00H-3FH) is read-only; its device-specific bytes (40H-FFH) hold what is
 * written (docs/devices.md).
 */
#include "sim/devices/pci_host.h"

#include <string.h>

#define PCI_ADDRESS_ENABLE 0x80000000u
#define PCI_ADDRESS_WRITABLE 0x80fffffcu
#define PCI_HEADER_SIZE 0x40u

static void put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void dev_pci_host_init(PciHost *pci) {
    memset(pci, 0, sizeof(*pci));
    put16(pci->config + 0x00, PCI_HOST_VENDOR);
    put16(pci->config + 0x02, PCI_HOST_DEVICE);
    put16(pci->config + 0x04, 0x0006); /* command: memory space, bus master */
    pci->config[0x08] = 0x02;          /* revision */
    pci->config[0x0b] = 0x06;          /* class: bridge */
    pci->config[0x0a] = 0x00;          /* subclass: host bridge */
}

/* The selected register of 00:00.0, or NULL when the function is absent
 * or the address is disabled. */
static uint8_t *pci_selected(PciHost *pci) {
    if (!(pci->address & PCI_ADDRESS_ENABLE) || (pci->address & 0x00ffff00u) != 0) return NULL;
    return pci->config + (pci->address & 0xfc);
}

static uint32_t pci_io_read(void *opaque, uint16_t port, unsigned size) {
    PciHost *pci = opaque;
    if (port < PCI_CONFIG_DATA)
        return port == PCI_CONFIG_ADDRESS && size == 4 ? pci->address : UINT32_MAX;
    const uint8_t *reg = pci_selected(pci);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned byte = port - PCI_CONFIG_DATA + i;
        v |= (uint32_t)(reg && byte < 4 ? reg[byte] : 0xff) << (8 * i);
    }
    return v;
}

static void pci_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    PciHost *pci = opaque;
    if (port < PCI_CONFIG_DATA) {
        if (port == PCI_CONFIG_ADDRESS && size == 4) pci->address = value & PCI_ADDRESS_WRITABLE;
        return;
    }
    uint8_t *reg = pci_selected(pci);
    if (!reg || (pci->address & 0xfc) < PCI_HEADER_SIZE) return;
    for (unsigned i = 0; i < size && port - PCI_CONFIG_DATA + i < 4; i++)
        reg[port - PCI_CONFIG_DATA + i] = (uint8_t)(value >> (8 * i));
}

bool dev_pci_host_attach(PciHost *pci, IoBus *bus) {
    return dev_io_bus_claim(bus, PCI_CONFIG_ADDRESS, PCI_CONFIG_DATA + 3, pci_io_read, pci_io_write,
                            pci);
}
