/* SPDX-License-Identifier: MIT */
/* virtio_pci.h - the virtio PCI transport: transitional (virtio 1.x capabilities + legacy I/O BAR). */
#ifndef HV440_HW_VIRTIO_PCI_H
#define HV440_HW_VIRTIO_PCI_H

#include "hw/pci_host.h"
#include "hw/virtio.h"

/*
 * BAR0: legacy I/O registers (virtio 0.9.5 header, device config at 0x14).
 * BAR1: 32-bit memory BAR with the modern structures:
 *   0x0000 common cfg, 0x1000 ISR, 0x2000 device cfg, 0x3000 notify
 *   (queue n at 0x3000 + 4n).
 */
#define VIRTIO_PCI_LEGACY_SIZE 0x100u
#define VIRTIO_PCI_MODERN_SIZE 0x4000u

struct virtio_pci {
	struct device dev;        /* the contract (hw/device.h): reset; no node (PCI is probed) */
	struct pci_function f;
	struct virtio_dev *vdev;
	uint32_t dev_feature_select, drv_feature_select;
	uint16_t queue_select;
};

/* Fill the PCI function for vdev (IDs, class, capabilities, BARs); plug it with pci_host_plug(). */
void virtio_pci_init(struct virtio_pci *p, struct virtio_dev *vdev);
/* Bus reset: the device goes back to its power-on state and its interrupt drops. */
void virtio_pci_reset(struct virtio_pci *p);

#endif
