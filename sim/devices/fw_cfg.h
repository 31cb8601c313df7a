/*
 * QEMU's firmware configuration interface, I/O-port flavour (QEMU
 * docs/specs/fw_cfg: "QEMU Firmware Configuration (fw_cfg) Device"): a
 * 16-bit selector at port 0x510 picks an item, and port 0x511 returns its
 * bytes one after the other (0 past the end).  vmxsim offers the items a
 * kernel written for QEMU reads to learn the machine's shape: the signature
 * "QEMU", the interface ID (traditional interface, no DMA), the RAM size,
 * the CPU count, the kernel command line, and an empty file directory.
 */
#ifndef VMXSIM_DEVICES_FW_CFG_H
#define VMXSIM_DEVICES_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/devices/io_bus.h"

#define FW_CFG_PORT_SELECTOR 0x510u
#define FW_CFG_PORT_DATA 0x511u

/* Selector keys (QEMU include/standard-headers/linux/qemu_fw_cfg.h). */
enum {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MAX_CPUS = 0x0f,
    FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_WRITE_CHANNEL = 0x4000,
    FW_CFG_ARCH_LOCAL = 0x8000,
};

typedef struct FwCfg {
    uint16_t selector;
    uint32_t offset; /* the next byte of the selected item */
    uint64_t ram_size;
    uint16_t cpus;
    const char *cmdline; /* never NULL: "" when there is no command line */
} FwCfg;

/* The command line starts empty. */
void dev_fw_cfg_init(FwCfg *fw, uint64_t ram_size, uint16_t cpus);
/* `cmdline` (NULL: empty) must outlive the device. */
void dev_fw_cfg_set_cmdline(FwCfg *fw, const char *cmdline);
/* Claims ports 0x510-0x511. */
bool dev_fw_cfg_attach(FwCfg *fw, IoBus *bus);

#endif
