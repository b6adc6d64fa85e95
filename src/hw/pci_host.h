/* SPDX-License-Identifier: MIT */
/* pci_host.h - the 440EP PCI host bridge: config address/data, PCIL0 registers, bus 0. */
#ifndef HV440_HW_PCI_HOST_H
#define HV440_HW_PCI_HOST_H

#include "hw/bus.h"

#define PCI_MAX_SLOTS 32

/* A PCI function on bus 0 (virtio devices plug in here later). */
struct pci_function {
	uint8_t config[256];              /* little-endian config space */
	uint8_t wmask[256];               /* writable bits */
	uint32_t bar_size[6];
	void *opaque;
	/* Called after a config write (e.g. a BAR moved or COMMAND changed). */
	void (*config_written)(struct pci_function *f, unsigned offset, unsigned size);
	struct irq_line intx;             /* filled by the host bridge from its interrupt map */
};

struct pci_host {
	struct region cfg;        /* 0xEEC00000: CFGADDR (LE) at +0, CFGDATA (LE) at +4 */
	struct region regs;       /* 0xEF400000: PCIL0 PMM/PTM registers */
	struct region io;         /* 0xE8000000: 64 KiB I/O window */
	uint32_t cfgaddr;
	uint32_t pmm[3][4];       /* local addr, mask/attr, PCI lo, PCI hi */
	uint32_t ptm[2][3];
	struct pci_function *slot[PCI_MAX_SLOTS];
	struct irq_line inta[4];  /* slots 1-4 INTA -> UIC0 28, 27, 26, 25 */
	struct bus *mmio_bus;     /* where BARs are mapped */
};

void pci_host_init(struct pci_host *h, struct bus *mmio_bus, const struct irq_line inta[4]);
void pci_host_reset(struct pci_host *h);
int pci_host_plug(struct pci_host *h, unsigned slot, struct pci_function *f);
/* Writes the pci@ec000000 node with ranges and interrupt map under parent. */
int pci_host_fdt_node(struct pci_host *h, void *fdt, int parent, uint32_t uic_phandle);

#endif
