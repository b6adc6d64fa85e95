/* SPDX-License-Identifier: MIT */
/* pci_host.h - the 4xx PCI host bridges (440EP PCI, 460EX PCI-X): config address/data, registers, bus 0. */
#ifndef HV440_HW_PCI_HOST_H
#define HV440_HW_PCI_HOST_H

#include "hw/bus.h"
#include "hw/device.h"

#define PCI_MAX_SLOTS 32

/*
 * Where a board puts its bridge (board facts reach hw/ as parameters):
 * CPU (PLB, up to 36-bit) addresses of the config pair, the bridge's
 * registers and its I/O window, the outbound memory window (CPU base ->
 * PCI base), and how INTA of the slots reaches the interrupt controller.
 */
struct pci_host_layout {
	const char *node;          /* device-tree node name, e.g. "pci@ec000000" */
	const char *compat;        /* NUL-separated compatible list and its size */
	unsigned compat_len;
	bool pcix;                 /* 460EX PCI-X register file (else the 440EP's PCIL0) */
	uint64_t cfg_base;         /* CFGADDR (LE) at +0, CFGDATA (LE) at +4 */
	uint64_t iack_base;        /* interrupt acknowledge / special cycle (not modelled) */
	uint64_t regs_base;        /* PCIL0 (440EP) or PCIX0 (460EX) registers */
	uint32_t regs_size;
	uint64_t io_base;          /* PCI I/O space 0.. */
	uint32_t io_size;
	uint64_t mem_base;         /* CPU address of the memory window */
	uint32_t mem_pci;          /* PCI address it reaches */
	uint32_t mem_size;
	unsigned n_intx;           /* 4: slot s INTA on line (s-1)%4; 1: every slot on line 0 */
	uint32_t intx_irq[4];      /* each line's input on the interrupt controller (device tree) */
	uint32_t bus_hi;           /* last bus number for bus-range; 0: no bus-range */
};

/* The 440EP's bridge as on the bamboo (the layout pci_host_init() uses). */
extern const struct pci_host_layout pci_host_440ep;

/* A PCI function on bus 0 (virtio devices plug in here later). */
struct pci_function {
	uint8_t config[256];              /* little-endian config space */
	uint8_t wmask[256];               /* writable bits */
	uint32_t bar_size[6];
	void *opaque;
	/* Called after a config write (e.g. a BAR moved or COMMAND changed). */
	void (*config_written)(struct pci_function *f, unsigned offset, unsigned size);
	struct irq_line intx;             /* filled by the host bridge from its interrupt map */
	/*
	 * Added by devices: one region per BAR. The device fills name,
	 * min/max_access, opaque, read and write; the host bridge sets base
	 * and size and puts it on the MMIO bus (memory BAR, COMMAND[1]) or its
	 * I/O space (I/O BAR, COMMAND[0]) at the address the guest programs.
	 * Values follow the bus convention (hw/bus.h): a little-endian
	 * register swaps bytes itself.
	 */
	struct region bar[6];
	bool bar_mapped[6];
};

struct pci_host {
	struct device dev;        /* the contract (hw/device.h) */
	struct region cfg;        /* 0xEEC00000: CFGADDR (LE) at +0, CFGDATA (LE) at +4 */
	struct region regs;       /* 0xEF400000: PCIL0 PMM/PTM registers */
	struct region io;         /* 0xE8000000: 64 KiB I/O window */
	uint32_t cfgaddr;
	uint32_t pmm[3][4];       /* local addr, mask/attr, PCI lo, PCI hi */
	uint32_t ptm[2][3];
	struct pci_function *slot[PCI_MAX_SLOTS];
	struct irq_line inta[4];  /* slots 1-4 INTA -> UIC0 28, 27, 26, 25; slot s uses (s-1)%4 */
	uint32_t intx_level;      /* bit s: slot s asserts INTA (lines shared by slots are wired-OR) */
	struct bus *mmio_bus;     /* where BARs are mapped */
	/* Added by devices: the bridge's own function (devfn 0) and PCI I/O space. */
	struct pci_function bridge;
	struct bus io_bus;        /* I/O BARs, reached through the I/O window */
	const struct pci_host_layout *layout;  /* where the board put it */
	uint32_t pcix_regs[128];  /* PCI-X: the 512-byte register file, read back as written */
};

void pci_host_init(struct pci_host *h, struct bus *mmio_bus, const struct irq_line inta[4]);
/* The same at a board's layout; inta[i] is line i (n_intx of them). */
void pci_host_init_layout(struct pci_host *h, const struct pci_host_layout *l,
			  struct bus *mmio_bus, const struct irq_line inta[4]);
void pci_host_reset(struct pci_host *h);
/*
 * Plug f into slot 1..31 (slot 0 is the bridge): -EINVAL, -EBUSY or 0.
 * f->config holds IDs, class, header type, INTERRUPT_PIN and the BAR type
 * bits; bar_size[] the power-of-two BAR sizes (0: no BAR). The bridge
 * adds the standard writable bits (COMMAND, BARs, INTERRUPT_LINE, ...)
 * to f->wmask.
 */
int pci_host_plug(struct pci_host *h, unsigned slot, struct pci_function *f);
/* Writes the bridge's node (layout->node) with ranges and interrupt map under parent. */
int pci_host_fdt_node(struct pci_host *h, void *fdt, int parent, uint32_t uic_phandle);

#endif
