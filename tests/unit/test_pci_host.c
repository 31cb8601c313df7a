/* Unit tests for PCI configuration mechanism #1 and the host bridge
 * (sim/devices/pci_host.c). */
#include "check_main.h"

#include "sim/devices/pci_host.h"

typedef struct Rig {
    IoBus bus;
    PciHost pci;
} Rig;

static void rig_init(Rig *r) {
    dev_io_bus_init(&r->bus);
    dev_pci_host_init(&r->pci);
    ck_assert(dev_pci_host_attach(&r->pci, &r->bus));
}

static uint32_t cfg_read(Rig *r, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
                         unsigned size) {
    dev_io_write(&r->bus, PCI_CONFIG_ADDRESS, 4,
                 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
    return dev_io_read(&r->bus, (uint16_t)(PCI_CONFIG_DATA + (reg & 3)), size);
}

START_TEST(test_pci_host_bridge_header) {
    Rig r;
    rig_init(&r);
    ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 0x00, 4), 0x12378086);
    ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 0x08, 4) >> 8, 0x060000);
    ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 0x0e, 1), 0x00); /* header type 0 */
    ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 0x02, 2), 0x1237);
    ck_assert_uint_eq(dev_io_read(&r.bus, PCI_CONFIG_ADDRESS, 4), 0x80000000u);
}
END_TEST

START_TEST(test_pci_absent_functions_read_all_ones) {
    Rig r;
    rig_init(&r);
    ck_assert_uint_eq(cfg_read(&r, 0, 1, 0, 0, 4), 0xffffffff);
    ck_assert_uint_eq(cfg_read(&r, 0, 0, 1, 0, 2), 0xffff);
    ck_assert_uint_eq(cfg_read(&r, 1, 0, 0, 0, 4), 0xffffffff);
    dev_io_write(&r.bus, PCI_CONFIG_ADDRESS, 4, 0); /* disabled */
    ck_assert_uint_eq(dev_io_read(&r.bus, PCI_CONFIG_DATA, 4), 0xffffffff);
}
END_TEST

START_TEST(test_pci_header_read_only_device_bytes_stored) {
    Rig r;
    rig_init(&r);
    dev_io_write(&r.bus, PCI_CONFIG_ADDRESS, 4, 0x80000000u);
    dev_io_write(&r.bus, PCI_CONFIG_DATA, 4, 0);
    ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 0, 4), 0x12378086);
    dev_io_write(&r.bus, PCI_CONFIG_ADDRESS, 4, 0x80000058u);
    dev_io_write(&r.bus, PCI_CONFIG_DATA + 1, 1, 0x33);
    ck_assert_uint_eq(cfg_read(&r, 0, 0, 0, 0x58, 4), 0x3300);
    dev_io_write(&r.bus, PCI_CONFIG_ADDRESS, 1, 0x12); /* not a dword: not CONFIG_ADDRESS */
    ck_assert_uint_eq(dev_io_read(&r.bus, PCI_CONFIG_ADDRESS, 4), 0x80000058u);
    dev_io_write(&r.bus, PCI_CONFIG_ADDRESS, 4, 0xffffffff);
    ck_assert_uint_eq(dev_io_read(&r.bus, PCI_CONFIG_ADDRESS, 4), 0x80fffffc);
}
END_TEST

static Suite *pci_suite(void) {
    Suite *s = suite_create("pci_host");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_pci_host_bridge_header);
    tcase_add_test(tc, test_pci_absent_functions_read_all_ones);
    tcase_add_test(tc, test_pci_header_read_only_device_bytes_stored);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(pci_suite)
