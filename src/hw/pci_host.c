/* SPDX-License-Identifier: MIT */
/* pci_host.c - the 4xx PCI host bridges: indirect config access, PCIL0/PCIX0 registers, BAR mapping. */
#include <errno.h>
#include <libfdt.h>
#include <stddef.h>
#include <string.h>

#include "hw/pci_host.h"
#include "util/byteorder.h"

#define PCI_CFG_BASE   0xeec00000u  /* CFGADDR, CFGDATA at +4 (440EP: PCI configuration registers) */
#define PCI_IACK_BASE  0xeed00000u  /* interrupt acknowledge / special cycle (not modelled) */
#define PCIL0_BASE     0xef400000u  /* PCIL0 local configuration registers */
#define PCIL0_SIZE     0x40u
#define PCI_IO_BASE    0xe8000000u  /* PCI I/O space window */
#define PCI_IO_SIZE    0x10000u
#define PCI_MEM_BASE   0xa0000000u  /* PCI memory window, identity mapped */
#define PCI_MEM_SIZE   0x20000000u

/* As QEMU's bamboo, which Linux 6.1 boots: slots 1-4 INTA on UIC0 28, 27, 26, 25. */
const struct pci_host_layout pci_host_440ep = {
	.node = "pci@ec000000",
	.compat = "ibm,plb440ep-pci\0ibm,plb-pci",
	.compat_len = sizeof("ibm,plb440ep-pci\0ibm,plb-pci"),
	.cfg_base = PCI_CFG_BASE, .iack_base = PCI_IACK_BASE,
	.regs_base = PCIL0_BASE, .regs_size = PCIL0_SIZE,
	.io_base = PCI_IO_BASE, .io_size = PCI_IO_SIZE,
	.mem_base = PCI_MEM_BASE, .mem_pci = PCI_MEM_BASE, .mem_size = PCI_MEM_SIZE,
	.n_intx = 4, .intx_irq = { 28, 27, 26, 25 },
};

/* PCI Local Bus Specification 3.0, type-0 configuration header. */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_CLASS_PROG     0x09
#define PCI_CLASS_DEVICE   0x0a
#define PCI_CACHE_LINE     0x0c
#define PCI_LATENCY_TIMER  0x0d
#define PCI_HEADER_TYPE    0x0e
#define PCI_BAR0           0x10
#define PCI_BAR5_END       0x28
#define PCI_INTERRUPT_LINE 0x3c

#define PCI_COMMAND_IO     0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_BAR_IO         0x01

/* CFGADDR: enable, bus, device/function, register (PPC440EP manual, PCI CFGADDR). */
#define CFGADDR_EN 0x80000000u

/* The bridge's IDs as QEMU's ppc4xx host bridge presents them to Linux. */
#define IBM_VENDOR_ID      0x1014
#define IBM_440GX_DEVICE   0x027f
#define PCI_CLASS_BRIDGE_OTHER 0x0680

/* The function CFGADDR selects: type 0 on bus 0, function 0 only; NULL reads all ones. */
static struct pci_function *selected(struct pci_host *h)
{
	unsigned bus = (h->cfgaddr >> 16) & 0xff, devfn = (h->cfgaddr >> 8) & 0xff;

	if (!(h->cfgaddr & CFGADDR_EN) || bus != 0 || (devfn & 7))
		return NULL;
	return h->slot[devfn >> 3];
}

static struct bus *bar_bus(struct pci_host *h, struct pci_function *f, unsigned i)
{
	return (f->config[PCI_BAR0 + 4 * i] & PCI_BAR_IO) ? &h->io_bus : h->mmio_bus;
}

static void unmap_bar(struct pci_host *h, struct pci_function *f, unsigned i)
{
	if (!f->bar_mapped[i])
		return;
	if (bar_bus(h, f, i))
		bus_remove(bar_bus(h, f, i), &f->bar[i]);
	f->bar_mapped[i] = false;
}

/*
 * Put each BAR where the guest programmed it while COMMAND enables its
 * space; take it off when moved or disabled. A BAR left at 0 (or still
 * holding a sizing pattern that collides with something) stays unmapped.
 */
static void update_bars(struct pci_host *h, struct pci_function *f)
{
	uint16_t cmd = ld_le16(&f->config[PCI_COMMAND]);
	unsigned i;

	for (i = 0; i < 6; i++) {
		uint32_t raw = ld_le32(&f->config[PCI_BAR0 + 4 * i]);
		bool io = raw & PCI_BAR_IO;
		uint64_t addr = raw & (io ? ~3u : ~15u), size = f->bar_size[i];
		bool want = size && addr && (cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY));
		struct bus *b = bar_bus(h, f, i);

		if (io && addr + size > PCI_IO_SIZE)
			want = false;
		/* A memory BAR appears at the CPU address of the outbound window that reaches it. */
		if (!io && want)
			addr = addr - h->layout->mem_pci + h->layout->mem_base;
		if (f->bar_mapped[i] && (!want || f->bar[i].base != addr))
			unmap_bar(h, f, i);
		if (want && !f->bar_mapped[i] && b) {
			f->bar[i].base = addr;
			f->bar[i].size = size;
			f->bar_mapped[i] = bus_add(b, &f->bar[i]) == 0;
		}
	}
}

static void config_write(struct pci_host *h, struct pci_function *f, unsigned off,
			 const uint8_t *bytes, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint8_t m = f->wmask[off + i];

		f->config[off + i] = (uint8_t)((f->config[off + i] & ~m) | (bytes[i] & m));
	}
	if (off < PCI_BAR5_END && off + n > PCI_COMMAND)
		update_bars(h, f);
	if (f->config_written)
		f->config_written(f, off, n);
}

/*
 * CFGADDR and CFGDATA are little-endian (Linux's indirect_pci uses
 * out_le32/in_le32 and sub-word accesses at CFGDATA + (reg & 3)). Values
 * on the bus are the bytes in address order read big-endian, so byte i
 * of an access is bits 8*(size-1-i).
 */
static uint64_t cfg_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pci_host *h = opaque;
	struct pci_function *f = selected(h);
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++) {
		unsigned a = (unsigned)offset + i;
		uint8_t b;

		if (a < 4)
			b = (uint8_t)(h->cfgaddr >> (8 * a));
		else if (f)
			b = f->config[(h->cfgaddr & 0xfc) + (a - 4)];
		else
			b = 0xff;  /* no device: master abort reads all ones */
		v = v << 8 | b;
	}
	return v;
}

static void cfg_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pci_host *h = opaque;
	uint8_t data[4];
	unsigned i, n = 0, first = 0;

	for (i = 0; i < size; i++) {
		unsigned a = (unsigned)offset + i;
		uint8_t b = (uint8_t)(value >> (8 * (size - 1 - i)));

		if (a < 4) {
			h->cfgaddr &= ~(0xffu << (8 * a));
			h->cfgaddr |= (uint32_t)b << (8 * a);
		} else {
			if (!n)
				first = a - 4;
			data[n++] = b;
		}
	}
	if (n) {
		struct pci_function *f = selected(h);

		if (f)
			config_write(h, f, (h->cfgaddr & 0xfc) + first, data, n);
	}
}

/* PCIL0 register i (offset 4*i): PMM0-2 LA, MA, PCILA, PCIHA; PTM1/2 MS, LA. */
static uint32_t *pcil0_reg(struct pci_host *h, unsigned i)
{
	if (i < 12)
		return &h->pmm[i / 4][i % 4];
	i -= 12;
	return &h->ptm[i / 2][i % 2];
}

/*
 * PCI-X register i (offset 4*i): the POM/PIM windows and the bridge's own
 * config header; Linux only writes them (ppc4xx_probe_pcix_bridge), so they
 * read back what was written, as a file of 128 words.
 */
static uint32_t *reg_word(struct pci_host *h, unsigned i)
{
	return h->layout->pcix ? &h->pcix_regs[i % 128] : pcil0_reg(h, i);
}

/* The PCIL0/PCIX0 registers are little-endian too (Linux writes them with writel). */
static uint64_t regs_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pci_host *h = opaque;
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++) {
		unsigned a = (unsigned)offset + i;

		v = v << 8 | (uint8_t)(*reg_word(h, a / 4) >> (8 * (a % 4)));
	}
	return v;
}

static void regs_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pci_host *h = opaque;
	unsigned i;

	for (i = 0; i < size; i++) {
		unsigned a = (unsigned)offset + i;
		uint32_t *r = reg_word(h, a / 4);
		uint32_t b = (uint8_t)(value >> (8 * (size - 1 - i)));

		*r = (*r & ~(0xffu << (8 * (a % 4)))) | b << (8 * (a % 4));
	}
}

/* The I/O window forwards to I/O BARs; nothing there reads all ones. */
static uint64_t io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pci_host *h = opaque;
	uint64_t v;

	if (bus_read(&h->io_bus, offset, size, &v))
		return ~0ull;
	return v;
}

static void io_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pci_host *h = opaque;

	bus_write(&h->io_bus, offset, size, value);
}

static void bridge_init(struct pci_function *f)
{
	memset(f->config, 0, sizeof(f->config));
	memset(f->wmask, 0, sizeof(f->wmask));
	st_le16(&f->config[PCI_VENDOR_ID], IBM_VENDOR_ID);
	st_le16(&f->config[PCI_DEVICE_ID], IBM_440GX_DEVICE);
	f->config[PCI_CLASS_PROG] = 0;
	st_le16(&f->config[PCI_CLASS_DEVICE], PCI_CLASS_BRIDGE_OTHER);
	f->config[PCI_HEADER_TYPE] = 0;
	/* Linux sets COMMAND = MEMORY | MASTER on the bridge; BARs read as 0. */
	st_le16(&f->wmask[PCI_COMMAND], 0x0147);
	f->wmask[PCI_CACHE_LINE] = 0xff;
	f->wmask[PCI_LATENCY_TIMER] = 0xff;
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

static void function_reset(struct pci_host *h, struct pci_function *f)
{
	unsigned i;

	for (i = 0; i < 6; i++)
		unmap_bar(h, f, i);
	st_le16(&f->config[PCI_COMMAND], 0);
	for (i = PCI_BAR0; i < PCI_BAR5_END; i++)
		f->config[i] &= (uint8_t)~f->wmask[i];
	f->config[PCI_CACHE_LINE] = 0;
	f->config[PCI_LATENCY_TIMER] = 0;
	f->config[PCI_INTERRUPT_LINE] = 0;
}

void pci_host_reset(struct pci_host *h)
{
	unsigned s;

	h->cfgaddr = 0;
	memset(h->pmm, 0, sizeof(h->pmm));
	memset(h->ptm, 0, sizeof(h->ptm));
	memset(h->pcix_regs, 0, sizeof(h->pcix_regs));
	bridge_init(&h->bridge);
	for (s = 1; s < PCI_MAX_SLOTS; s++)
		if (h->slot[s])
			function_reset(h, h->slot[s]);
}

static const struct device_ops pci_host_ops;

void pci_host_init(struct pci_host *h, struct bus *mmio_bus, const struct irq_line inta[4])
{
	pci_host_init_layout(h, &pci_host_440ep, mmio_bus, inta);
}

void pci_host_init_layout(struct pci_host *h, const struct pci_host_layout *l,
			  struct bus *mmio_bus, const struct irq_line inta[4])
{
	unsigned i;

	memset(h, 0, sizeof(*h));
	h->layout = l;
	h->mmio_bus = mmio_bus;
	if (inta)
		for (i = 0; i < 4; i++)
			h->inta[i] = inta[i];
	bus_init(&h->io_bus, "pci-io");

	h->cfg = (struct region){ .name = "pci-cfg", .base = l->cfg_base, .size = 8,
				  .min_access = 1, .max_access = 4, .opaque = h,
				  .read = cfg_read, .write = cfg_write };
	h->regs = (struct region){ .name = l->pcix ? "pcix0" : "pcil0", .base = l->regs_base,
				   .size = l->regs_size,
				   .min_access = 1, .max_access = 4, .opaque = h,
				   .read = regs_read, .write = regs_write };
	h->io = (struct region){ .name = "pci-io", .base = l->io_base, .size = l->io_size,
				 .min_access = 1, .max_access = 4, .opaque = h,
				 .read = io_read, .write = io_write };
	h->slot[0] = &h->bridge;
	h->dev.ops = &pci_host_ops;
	h->dev.name = "pci";
	pci_host_reset(h);
}

static bool bar_size_ok(const struct pci_function *f, unsigned i)
{
	uint32_t s = f->bar_size[i];
	bool io = f->config[PCI_BAR0 + 4 * i] & PCI_BAR_IO;

	if (!s)
		return true;
	if (s & (s - 1))
		return false;
	return io ? (s >= 4 && s <= PCI_IO_SIZE) : s >= 16;
}

/* A slot's INTA changed: the shared line is asserted while any slot on it is. */
static void intx_set(void *opaque, unsigned slot, bool level)
{
	struct pci_host *h = opaque;
	unsigned n = h->layout->n_intx, line = (slot - 1) % n, s;
	bool any = false;

	if (level)
		h->intx_level |= 1u << slot;
	else
		h->intx_level &= ~(1u << slot);
	for (s = line + 1; s < PCI_MAX_SLOTS; s += n)
		any |= (h->intx_level >> s) & 1;
	irq_set(&h->inta[line], any);
}

int pci_host_plug(struct pci_host *h, unsigned slot, struct pci_function *f)
{
	unsigned i;

	if (!f || slot == 0 || slot >= PCI_MAX_SLOTS)
		return -EINVAL;
	if (h->slot[slot])
		return -EBUSY;
	for (i = 0; i < 6; i++)
		if (!bar_size_ok(f, i))
			return -EINVAL;

	/* Standard writable bits of a type-0 header (PCI 3.0, section 6.2). */
	f->wmask[PCI_COMMAND] |= 0x47;      /* IO, MEMORY, MASTER, PARITY */
	f->wmask[PCI_COMMAND + 1] |= 0x05;  /* SERR, INTX_DISABLE */
	f->wmask[PCI_CACHE_LINE] = 0xff;
	f->wmask[PCI_LATENCY_TIMER] = 0xff;
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	for (i = 0; i < 6; i++) {
		uint32_t m = f->bar_size[i] ? ~(f->bar_size[i] - 1) : 0;

		/* Address bits above the size are writable; the type bits are not. */
		if (f->config[PCI_BAR0 + 4 * i] & PCI_BAR_IO)
			m &= ~3u;
		else
			m &= ~15u;
		st_le32(&f->wmask[PCI_BAR0 + 4 * i], m);
		f->bar_mapped[i] = false;
	}
	/* INTA of slot s drives line (s-1)%4, wired-OR with the other slots on it. */
	f->intx = (struct irq_line){ .set = intx_set, .opaque = h, .n = slot };
	h->slot[slot] = f;
	function_reset(h, f);
	return 0;
}

static int set_cells(void *fdt, int node, const char *name, const uint32_t *cells, unsigned n)
{
	uint32_t be[256];
	unsigned i;

	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	return fdt_setprop(fdt, node, name, be, n * sizeof(be[0]));
}

static uint32_t hi32(uint64_t x)
{
	return (uint32_t)(x >> 32);
}

int pci_host_fdt_node(struct pci_host *h, void *fdt, int parent, uint32_t uic_phandle)
{
	const struct pci_host_layout *l = h->layout;
	/*
	 * Config, IACK, special cycle and the bridge's registers (as QEMU's
	 * bamboo.dtb); the 460EX's PCI-X has no IACK cycles and splits its
	 * registers in two, as canyonlands.dts has it (Linux takes entry 3).
	 */
	const uint32_t reg_ep[] = {
		hi32(l->cfg_base), (uint32_t)l->cfg_base, 8,
		hi32(l->iack_base), (uint32_t)l->iack_base, 4,
		hi32(l->iack_base), (uint32_t)l->iack_base, 4,
		hi32(l->regs_base), (uint32_t)l->regs_base, l->regs_size,
	};
	const uint32_t reg_x[] = {
		hi32(l->cfg_base), (uint32_t)l->cfg_base, 8,
		0, 0, 0,
		hi32(l->iack_base), (uint32_t)l->iack_base, 4,
		hi32(l->regs_base), (uint32_t)l->regs_base, l->regs_size / 2,
		hi32(l->regs_base), (uint32_t)l->regs_base + l->regs_size / 2, l->regs_size / 2 - 4,
	};
	/* The memory window (CPU base -> PCI base) and I/O space 0 at the I/O window. */
	const uint32_t ranges[] = {
		0x02000000, 0, l->mem_pci, hi32(l->mem_base), (uint32_t)l->mem_base, 0, l->mem_size,
		0x01000000, 0, 0, hi32(l->io_base), (uint32_t)l->io_base, 0, l->io_size,
	};
	/* Inbound: prefetchable memory, PCI 0 = RAM 0, 2 GiB. */
	const uint32_t dma_ranges[] = { 0x42000000, 0, 0, 0, 0, 0, 0x80000000 };
	const uint32_t map_mask[] = { l->n_intx > 1 ? 0xf800 : 0, 0, 0, 0 };
	const uint32_t bus_range[] = { 0, l->bus_hi };
	/*
	 * Slot s INTA -> line (s-1)%n_intx and that line's controller input;
	 * with one line, one entry matches every slot. 8 = level, active low.
	 */
	uint32_t map[7 * (PCI_MAX_SLOTS - 1)];
	unsigned s, n_map = l->n_intx > 1 ? PCI_MAX_SLOTS - 1 : 1;
	int node;

	for (s = 1; s <= n_map; s++) {
		uint32_t *e = &map[7 * (s - 1)];

		e[0] = l->n_intx > 1 ? s << 11 : 0;
		e[1] = e[2] = e[3] = 0;
		e[4] = uic_phandle;
		e[5] = l->intx_irq[(s - 1) % l->n_intx];
		e[6] = 8;
	}
	FDT(node = fdt_add_subnode(fdt, parent, l->node));
	FDT(fdt_setprop_string(fdt, node, "device_type", "pci"));
	FDT(fdt_setprop_u32(fdt, node, "#interrupt-cells", 1));
	FDT(fdt_setprop_u32(fdt, node, "#size-cells", 2));
	FDT(fdt_setprop_u32(fdt, node, "#address-cells", 3));
	FDT(fdt_setprop(fdt, node, "compatible", l->compat, (int)l->compat_len));
	FDT(fdt_setprop(fdt, node, "primary", NULL, 0));
	if (l->pcix)
		FDT(set_cells(fdt, node, "reg", reg_x, sizeof(reg_x) / sizeof(reg_x[0])));
	else
		FDT(set_cells(fdt, node, "reg", reg_ep, sizeof(reg_ep) / sizeof(reg_ep[0])));
	FDT(set_cells(fdt, node, "ranges", ranges, sizeof(ranges) / sizeof(ranges[0])));
	FDT(set_cells(fdt, node, "dma-ranges", dma_ranges, sizeof(dma_ranges) / sizeof(dma_ranges[0])));
	if (l->bus_hi)
		FDT(set_cells(fdt, node, "bus-range", bus_range, 2));
	FDT(set_cells(fdt, node, "interrupt-map-mask", map_mask, sizeof(map_mask) / sizeof(map_mask[0])));
	FDT(set_cells(fdt, node, "interrupt-map", map, 7 * n_map));
	return node;
}

/* ---- the device contract (hw/device.h) ---- */

static struct pci_host *pci_host_of(struct device *dev)
{
	return (struct pci_host *)((char *)dev - offsetof(struct pci_host, dev));
}

static void pci_host_dev_reset(struct device *dev)
{
	pci_host_reset(pci_host_of(dev));
}

static int pci_host_dev_fdt_node(struct device *dev, void *fdt, int parent)
{
	return pci_host_fdt_node(pci_host_of(dev), fdt, parent, dev->fdt_intc) < 0 ? -1 : 0;
}

#define PCI_STATE_TAG "PCIH"
#define PCI_STATE_VERSION 2 /* 2: the PCI-X register file (sam460ex) */

/*
 * The bridge's registers and the configuration space of every function on
 * the bus (the bus owns config space; each function's own registers are its
 * device's). A slot's presence and its read-only bytes (IDs, class, BAR
 * types, capabilities) must match the board being loaded into.
 */
static int pci_host_dev_save(struct device *dev, struct state_writer *w)
{
	struct pci_host *h = pci_host_of(dev);

	state_put_header(w, PCI_STATE_TAG, PCI_STATE_VERSION);
	state_put_u32(w, h->cfgaddr);
	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 4; j++)
			state_put_u32(w, h->pmm[i][j]);
	for (unsigned i = 0; i < 2; i++)
		for (unsigned j = 0; j < 3; j++)
			state_put_u32(w, h->ptm[i][j]);
	for (unsigned i = 0; i < 128; i++)
		state_put_u32(w, h->pcix_regs[i]);
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		state_put_u8(w, h->slot[s] != NULL);
		if (h->slot[s])
			state_put_bytes(w, h->slot[s]->config, 256);
	}
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

static int pci_host_dev_load(struct device *dev, struct state_reader *r)
{
	struct pci_host *h = pci_host_of(dev);
	uint8_t config[PCI_MAX_SLOTS][256];
	uint32_t cfgaddr, pmm[3][4], ptm[2][3], pcix[128];

	if (state_get_header(r, PCI_STATE_TAG) != PCI_STATE_VERSION)
		return -EINVAL;
	cfgaddr = state_get_u32(r);
	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 4; j++)
			pmm[i][j] = state_get_u32(r);
	for (unsigned i = 0; i < 2; i++)
		for (unsigned j = 0; j < 3; j++)
			ptm[i][j] = state_get_u32(r);
	for (unsigned i = 0; i < 128; i++)
		pcix[i] = state_get_u32(r);
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		struct pci_function *f = h->slot[s];

		if (state_get_bool(r) != (f != NULL)) {
			state_fail(r);
			break;
		}
		if (!f)
			continue;
		state_get_bytes(r, config[s], 256);
		for (unsigned i = 0; i < 256; i++)
			if ((config[s][i] ^ f->config[i]) & ~f->wmask[i])
				state_fail(r); /* another device, or a bit the guest cannot set */
	}
	if (!state_reader_ok(r))
		return -EINVAL;
	h->cfgaddr = cfgaddr;
	memcpy(h->pmm, pmm, sizeof(pmm));
	memcpy(h->ptm, ptm, sizeof(ptm));
	memcpy(h->pcix_regs, pcix, sizeof(pcix));
	/* Everything off the buses first, so no BAR collides with one not yet moved. */
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++)
		if (h->slot[s])
			for (unsigned i = 0; i < 6; i++)
				unmap_bar(h, h->slot[s], i);
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		if (!h->slot[s])
			continue;
		memcpy(h->slot[s]->config, config[s], 256);
		update_bars(h, h->slot[s]);
	}
	return 0;
}

static const struct device_ops pci_host_ops = {
	.name = "ibm,plb-pci",
	.reset = pci_host_dev_reset,
	.fdt_node = pci_host_dev_fdt_node,
	.save = pci_host_dev_save,
	.load = pci_host_dev_load,
};
