/* SPDX-License-Identifier: MIT */
/*
 * virtio_pci.h - what the bare-metal device tests need to drive virtio-pci
 * on the bamboo: PCI configuration access through the 440EP bridge, hv440's
 * modern BAR1 layout (hw/virtio_pci.c) with the common config of virtio
 * 1.2, 4.1.4.3, the device status bits and the split ring's descriptor
 * flags. Include after isa.h.
 */
#ifndef HV440_TEST_VIRTIO_PCI_H
#define HV440_TEST_VIRTIO_PCI_H

/* The bridge's configuration address/data pair (hw/pci_host.c). */
#define PCI_CFG 0xeec00000u

static inline void cfg_w32(unsigned slot, unsigned reg, uint32_t v)
{
	out_le32(PCI_CFG, 0x80000000u | slot << 11 | reg);
	out_le32(PCI_CFG + 4, v);
}

static inline uint32_t cfg_r32(unsigned slot, unsigned reg)
{
	out_le32(PCI_CFG, 0x80000000u | slot << 11 | reg);
	return in_le32(PCI_CFG + 4);
}

#define CC_DFSELECT 0x00
#define CC_DF       0x04
#define CC_GFSELECT 0x08
#define CC_GF       0x0c
#define CC_NUMQ     0x12
#define CC_STATUS   0x14
#define CC_QSELECT  0x16
#define CC_QSIZE    0x18
#define CC_QENABLE  0x1c
#define CC_QDESC    0x20
#define CC_QDRIVER  0x28
#define CC_QDEVICE  0x30
#define ISR         0x1000
#define NOTIFY      0x3000

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

/*
 * A driver's start-up of the device at bar (modern BAR1): reset, features
 * INDIRECT_DESC and VERSION_1, queue q with qsize entries at d/a/u,
 * DRIVER_OK. Returns the status read back.
 */
static inline uint8_t virtio_setup(uint32_t bar, uint16_t q, uint16_t qsize, uint32_t d,
				   uint32_t a, uint32_t u)
{
	out_8(bar + CC_STATUS, 0);
	out_8(bar + CC_STATUS, S_ACK | S_DRIVER);
	out_le32(bar + CC_GFSELECT, 0);
	out_le32(bar + CC_GF, 1u << 28);         /* indirect descriptors */
	out_le32(bar + CC_GFSELECT, 1);
	out_le32(bar + CC_GF, 1);                /* VERSION_1 */
	out_8(bar + CC_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	out_le16(bar + CC_QSELECT, q);
	out_le16(bar + CC_QSIZE, qsize);
	out_le32(bar + CC_QDESC, d);
	out_le32(bar + CC_QDESC + 4, 0);
	out_le32(bar + CC_QDRIVER, a);
	out_le32(bar + CC_QDRIVER + 4, 0);
	out_le32(bar + CC_QDEVICE, u);
	out_le32(bar + CC_QDEVICE + 4, 0);
	out_le16(bar + CC_QENABLE, 1);
	out_8(bar + CC_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return in_8(bar + CC_STATUS);
}

#endif
