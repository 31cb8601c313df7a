/*
 * PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2
 * "Software Generation of Configuration Transactions"): CONFIG_ADDRESS at
 * 0xcf8 (32-bit accesses only), CONFIG_DATA at 0xcfc-0xcff.  Bus 0 holds one
 * function, a host bridge at 00:00.0 (Intel 82441FX IDs, class 060000h);
 * every other function is absent and reads all-ones.
 */
#ifndef VMXSIM_DEVICES_PCI_HOST_H
#define VMXSIM_DEVICES_PCI_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/io_bus.h"

#define PCI_CONFIG_ADDRESS 0xcf8u
#define PCI_CONFIG_DATA 0xcfcu
#define PCI_HOST_VENDOR 0x8086u
#define PCI_HOST_DEVICE 0x1237u

typedef struct PciHost {
    uint32_t address;    /* CONFIG_ADDRESS */
    uint8_t config[256]; /* the host bridge's configuration space */
} PciHost;

void dev_pci_host_init(PciHost *pci);
/* Claims 0xcf8-0xcff. */
bool dev_pci_host_attach(PciHost *pci, IoBus *bus);

#endif
