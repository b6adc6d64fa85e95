/* SPDX-License-Identifier: MIT */
/* test_pci.c - unit tests of the 4xx PCI hosts: empty bus, bridge IDs, BAR sizing and mapping, 460EX PCI-X. */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/pci_host.h"

#include "check.h"

#define CFG 0xeec00000u
#define REGS 0xef400000u
#define IOWIN 0xe8000000u

static struct bus mmio;
static struct pci_host h;
static uint64_t cfg_base = CFG;  /* where the bridge under test has CFGADDR */

/* As Linux's indirect_pci: out_le32 to CFGADDR, in_le32/le16/8 at CFGDATA + (reg & 3). */
static void cfg_addr(unsigned devfn, unsigned reg)
{
	uint32_t a = 0x80000000u | devfn << 8 | (reg & 0xfc);

	CHECK(bus_write(&mmio, cfg_base, 4, __builtin_bswap32(a)) == 0);
}

static uint32_t cfg_read(unsigned devfn, unsigned reg, unsigned size)
{
	uint64_t v = 0;

	cfg_addr(devfn, reg);
	CHECK(bus_read(&mmio, cfg_base + 4 + (reg & 3), size, &v) == 0);
	if (size == 4)
		return __builtin_bswap32((uint32_t)v);
	if (size == 2)
		return __builtin_bswap16((uint16_t)v);
	return (uint32_t)v;
}

static void cfg_write(unsigned devfn, unsigned reg, unsigned size, uint32_t val)
{
	uint64_t v = size == 4 ? __builtin_bswap32(val) : size == 2 ? __builtin_bswap16((uint16_t)val) : val;

	cfg_addr(devfn, reg);
	CHECK(bus_write(&mmio, cfg_base + 4 + (reg & 3), size, v) == 0);
}

/* A fake function: BAR0 4 KiB memory, BAR1 32 bytes I/O, BAR2 absent. */
struct fake {
	struct pci_function f;
	uint32_t reg[8];
	unsigned written;
	bool level;
};

static uint64_t fake_read(void *opaque, uint64_t off, unsigned size)
{
	struct fake *d = opaque;

	return d->reg[(off / 4) % 8] + off;
}

static void fake_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
	struct fake *d = opaque;

	d->reg[(off / 4) % 8] = (uint32_t)v;
}

static void fake_config_written(struct pci_function *f, unsigned off, unsigned size)
{
	((struct fake *)f->opaque)->written++;
}

static void inta_set(void *opaque, unsigned n, bool level)
{
	((bool *)opaque)[n] = level;
}

static void fake_init(struct fake *d)
{
	memset(d, 0, sizeof(*d));
	d->f.config[0] = 0xf4;  /* vendor 0x1af4 */
	d->f.config[1] = 0x1a;
	d->f.config[2] = 0x00;  /* device 0x1000 */
	d->f.config[3] = 0x10;
	d->f.config[0x0b] = 0x02;
	d->f.config[0x3d] = 1;  /* INTA */
	d->f.config[0x14] = 0x01;  /* BAR1 is I/O */
	d->f.bar_size[0] = 0x1000;
	d->f.bar_size[1] = 0x20;
	d->f.opaque = d;
	d->f.config_written = fake_config_written;
	for (unsigned i = 0; i < 2; i++) {
		d->f.bar[i].name = "fake";
		d->f.bar[i].min_access = 1;
		d->f.bar[i].max_access = 4;
		d->f.bar[i].opaque = d;
		d->f.bar[i].read = fake_read;
		d->f.bar[i].write = fake_write;
	}
}

static void test_empty_bus(void)
{
	unsigned slot;
	uint64_t v;

	CHECK(cfg_read(0, 0x00, 4) == 0x027f1014);
	CHECK(cfg_read(0, 0x08, 4) >> 8 == 0x068000);
	CHECK(cfg_read(0, 0x0e, 1) == 0);
	CHECK(cfg_read(0, 0x02, 2) == 0x027f);
	for (slot = 1; slot < 32; slot++)
		CHECK(cfg_read(slot << 3, 0, 4) == 0xffffffff);
	CHECK(cfg_read(1, 0, 4) == 0xffffffff);   /* function 1 of the bridge */
	CHECK(cfg_read(0, 0x00, 2) == 0x1014);
	CHECK(cfg_read(8, 0x00, 1) == 0xff);
	CHECK(cfg_read(8, 0x02, 2) == 0xffff);
	/* Bus 1 does not exist. */
	CHECK(bus_write(&mmio, CFG, 4, __builtin_bswap32(0x80010000u)) == 0);
	CHECK(bus_read(&mmio, CFG + 4, 4, &v) == 0 && v == 0xffffffff);
	/* Without the enable bit nothing answers. */
	CHECK(bus_write(&mmio, CFG, 4, 0) == 0);
	CHECK(bus_read(&mmio, CFG + 4, 4, &v) == 0 && v == 0xffffffff);
	/* CFGADDR reads back (little-endian). */
	CHECK(bus_write(&mmio, CFG, 4, __builtin_bswap32(0x80000804u)) == 0);
	CHECK(bus_read(&mmio, CFG, 4, &v) == 0 && v == __builtin_bswap32(0x80000804u));
	CHECK(bus_read(&mmio, CFG, 1, &v) == 0 && v == 0x04);
	/* Writes to absent functions vanish. */
	cfg_write(8, 0x10, 4, 0x12345678);
	/* Linux's bridge setup: BAR1/2, COMMAND. The bridge's BARs read 0. */
	cfg_write(0, 0x14, 4, 0);
	cfg_write(0, 0x18, 4, 0);
	cfg_write(0, 0x04, 2, 0x0006);
	CHECK(cfg_read(0, 0x04, 2) == 0x0006);
	cfg_write(0, 0x10, 4, 0xffffffff);
	CHECK(cfg_read(0, 0x10, 4) == 0);
	CHECK(cfg_read(0, 0x00, 4) == 0x027f1014);  /* IDs read-only */
	cfg_write(0, 0x00, 4, 0);
	CHECK(cfg_read(0, 0x00, 4) == 0x027f1014);
}

static void test_pcil0(void)
{
	uint64_t v;
	unsigned i;

	/* Linux's writel: little-endian. */
	for (i = 0; i < 16; i++)
		CHECK(bus_write(&mmio, REGS + 4 * i, 4, __builtin_bswap32(0x11110000u + i)) == 0);
	CHECK(h.pmm[0][0] == 0x11110000 && h.pmm[0][1] == 0x11110001);
	CHECK(h.pmm[2][3] == 0x1111000b);
	CHECK(h.ptm[0][0] == 0x1111000c && h.ptm[0][1] == 0x1111000d);
	CHECK(h.ptm[1][1] == 0x1111000f);
	for (i = 0; i < 16; i++)
		CHECK(bus_read(&mmio, REGS + 4 * i, 4, &v) == 0 && v == __builtin_bswap32(0x11110000u + i));
	CHECK(bus_read(&mmio, REGS + 4, 1, &v) == 0 && v == 0x01);
	CHECK(bus_read(&mmio, REGS + 0x40, 4, &v) == -ENOENT);
	pci_host_reset(&h);
	CHECK(bus_read(&mmio, REGS + 4, 4, &v) == 0 && v == 0);
}

static void test_function(void)
{
	static struct fake d, d2;
	bool lines[4] = { 0 };
	struct irq_line inta[4];
	uint64_t v;
	unsigned i;

	for (i = 0; i < 4; i++)
		inta[i] = (struct irq_line){ .set = inta_set, .opaque = lines, .n = i };
	bus_init(&mmio, "mmio");
	pci_host_init(&h, &mmio, inta);
	CHECK(bus_add(&mmio, &h.cfg) == 0);
	CHECK(bus_add(&mmio, &h.regs) == 0);
	CHECK(bus_add(&mmio, &h.io) == 0);

	fake_init(&d);
	CHECK(pci_host_plug(&h, 0, &d.f) == -EINVAL);
	CHECK(pci_host_plug(&h, 32, &d.f) == -EINVAL);
	CHECK(pci_host_plug(&h, 2, &d.f) == 0);
	fake_init(&d2);
	CHECK(pci_host_plug(&h, 2, &d2.f) == -EBUSY);
	d2.f.bar_size[0] = 0x1800;
	CHECK(pci_host_plug(&h, 3, &d2.f) == -EINVAL);

	/* Slot 2 INTA is the second line (UIC0 27). */
	irq_set(&d.f.intx, true);
	CHECK(lines[1] && !lines[0]);
	irq_set(&d.f.intx, false);
	CHECK(!lines[1]);

	CHECK(cfg_read(2 << 3, 0, 4) == 0x10001af4);
	CHECK(cfg_read(2 << 3, 0x3d, 1) == 1);
	CHECK(cfg_read(3 << 3, 0, 4) == 0xffffffff);

	/* BAR sizing: all ones, read back, restore. */
	d.written = 0;
	cfg_write(2 << 3, 0x10, 4, 0xffffffff);
	CHECK(cfg_read(2 << 3, 0x10, 4) == 0xfffff000);
	CHECK(d.written == 1);
	cfg_write(2 << 3, 0x14, 4, 0xffffffff);
	CHECK(cfg_read(2 << 3, 0x14, 4) == 0xffffffe1);
	cfg_write(2 << 3, 0x18, 4, 0xffffffff);
	CHECK(cfg_read(2 << 3, 0x18, 4) == 0);
	/* Nothing is mapped before COMMAND enables decoding. */
	CHECK(!d.f.bar_mapped[0] && !d.f.bar_mapped[1]);

	cfg_write(2 << 3, 0x10, 4, 0xa0001000);
	cfg_write(2 << 3, 0x14, 4, 0x00001000);
	CHECK(!d.f.bar_mapped[0]);
	cfg_write(2 << 3, 0x04, 2, 0x0003);
	CHECK(d.f.bar_mapped[0] && d.f.bar_mapped[1]);
	CHECK(bus_find(&mmio, 0xa0001000) == &d.f.bar[0]);
	CHECK(bus_find(&mmio, 0xa0001fff) == &d.f.bar[0]);
	CHECK(bus_find(&mmio, 0xa0002000) == NULL);
	CHECK(bus_write(&mmio, 0xa0001008, 4, 0x55) == 0);
	CHECK(d.reg[2] == 0x55);
	CHECK(bus_read(&mmio, 0xa0001008, 4, &v) == 0 && v == 0x55 + 8);
	/* The I/O window reaches the I/O BAR; elsewhere it reads all ones. */
	CHECK(bus_write(&mmio, IOWIN + 0x1004, 2, 0x77) == 0);
	CHECK(d.reg[1] == 0x77);
	CHECK(bus_read(&mmio, IOWIN + 0x1004, 1, &v) == 0 && v == 0x77 + 4);
	CHECK(bus_read(&mmio, IOWIN + 0x2000, 4, &v) == 0 && v == 0xffffffff);

	/* Moving the BAR moves the region. */
	cfg_write(2 << 3, 0x10, 4, 0xa0010000);
	CHECK(bus_find(&mmio, 0xa0001000) == NULL);
	CHECK(bus_find(&mmio, 0xa0010000) == &d.f.bar[0]);
	/* Clearing COMMAND.MEM takes it off; I/O stays. */
	cfg_write(2 << 3, 0x04, 2, 0x0001);
	CHECK(bus_find(&mmio, 0xa0010000) == NULL && !d.f.bar_mapped[0]);
	CHECK(d.f.bar_mapped[1]);
	/* A BAR over an existing region stays unmapped instead of clobbering it. */
	cfg_write(2 << 3, 0x10, 4, REGS & ~0xfffu);
	cfg_write(2 << 3, 0x04, 2, 0x0002);
	CHECK(!d.f.bar_mapped[0] && bus_find(&mmio, REGS) == &h.regs);
	CHECK(!d.f.bar_mapped[1]);
	cfg_write(2 << 3, 0x10, 4, 0xa0000000);
	CHECK(d.f.bar_mapped[0]);

	/* Sub-word config access. */
	cfg_write(2 << 3, 0x3c, 1, 27);
	CHECK(cfg_read(2 << 3, 0x3c, 4) == 0x0000011b);

	/* Reset unmaps and clears addresses and COMMAND. */
	pci_host_reset(&h);
	CHECK(!d.f.bar_mapped[0] && bus_find(&mmio, 0xa0000000) == NULL);
	CHECK(cfg_read(2 << 3, 0x04, 2) == 0);
	CHECK(cfg_read(2 << 3, 0x10, 4) == 0);
	CHECK(cfg_read(2 << 3, 0x14, 4) == 1);
	CHECK(cfg_read(2 << 3, 0, 4) == 0x10001af4);
	CHECK(cfg_read(0, 0, 4) == 0x027f1014);
}

/* The node matches QEMU's bamboo.dtb property for property, when that file is here. */
static void test_fdt(void)
{
	static const char *props[] = { "device_type", "#interrupt-cells", "#size-cells",
				       "#address-cells", "compatible", "primary", "reg", "ranges",
				       "dma-ranges", "interrupt-map-mask", "interrupt-map" };
	static char fdt[8192], ref[65536];
	int fd, node, rnode, len, rlen;
	unsigned i;
	ssize_t n;

	CHECK(fdt_create_empty_tree(fdt, sizeof(fdt)) == 0);
	node = pci_host_fdt_node(&h, fdt, 0, 2);
	CHECK(node >= 0);
	CHECK(fdt_path_offset(fdt, "/pci@ec000000") == node);
	fd = open("/usr/share/qemu/bamboo.dtb", O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "test_pci: no bamboo.dtb, skipping the comparison\n");
		return;
	}
	n = read(fd, ref, sizeof(ref));
	close(fd);
	CHECK(n > 0 && fdt_check_header(ref) == 0);
	rnode = fdt_path_offset(ref, "/plb/pci@ec000000");
	CHECK(rnode >= 0);
	if (rnode < 0)
		return;
	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		const void *a = fdt_getprop(fdt, node, props[i], &len);
		const void *b = fdt_getprop(ref, rnode, props[i], &rlen);

		/* QEMU maps slots 1-4; ours goes on to slot 31 with the same 4-line rotation. */
		if (a && b && !strcmp(props[i], "interrupt-map") && len > rlen) {
			const fdt32_t *m = a;
			int e;

			for (e = rlen / 28; e < len / 28; e++)
				CHECK(fdt32_to_cpu(m[7 * e]) == (uint32_t)(e + 1) << 11 &&
				      fdt32_to_cpu(m[7 * e + 5]) == 28u - (uint32_t)e % 4);
			len = rlen;
		}
		CHECK(a && b && len == rlen && !memcmp(a, b, (size_t)len));
		if (!(a && b && len == rlen && !memcmp(a, b, (size_t)len)))
			fprintf(stderr, "  property %s differs\n", props[i]);
	}
}

/*
 * The 460EX's PCI-X bridge as the sam460ex places it (src/board/sam460ex.c):
 * everything above 4 GiB, memory BARs at PCI 0x80000000+ appear at CPU
 * 0xD_80000000+, every slot's INTA on one wired-OR line, a 512-byte register
 * file that reads back, and a device-tree node of canyonlands.dts's shape.
 */
static void test_pcix(void)
{
	static const struct pci_host_layout lx = {
		.node = "pci@c0ec00000", .compat = "ibm,plb-pcix-460ex\0ibm,plb-pcix",
		.compat_len = sizeof("ibm,plb-pcix-460ex\0ibm,plb-pcix"), .pcix = true,
		.cfg_base = 0xC0EC00000ull, .iack_base = 0xC0ED00000ull,
		.regs_base = 0xC0EC80000ull, .regs_size = 0x200,
		.io_base = 0xC08000000ull, .io_size = 0x10000,
		.mem_base = 0xD80000000ull, .mem_pci = 0x80000000u, .mem_size = 0x80000000u,
		.n_intx = 1, .bus_hi = 0x3f,
	};
	static struct fake a, b;
	static char fdt[8192];
	bool lines[4] = { 0 };
	struct irq_line inta[4];
	uint64_t v;
	unsigned i;
	int node, len;
	const fdt32_t *p;

	for (i = 0; i < 4; i++)
		inta[i] = (struct irq_line){ .set = inta_set, .opaque = lines, .n = i };
	bus_init(&mmio, "mmio");
	pci_host_init_layout(&h, &lx, &mmio, inta);
	CHECK(bus_add(&mmio, &h.cfg) == 0);
	CHECK(bus_add(&mmio, &h.regs) == 0);
	CHECK(bus_add(&mmio, &h.io) == 0);
	cfg_base = lx.cfg_base;
	CHECK(bus_find(&mmio, 0xC0EC00000ull) == &h.cfg);
	CHECK(bus_find(&mmio, 0x0EC00000u) == NULL);  /* not at the 32-bit alias */
	CHECK(cfg_read(0, 0x00, 4) == 0x027f1014);

	/* Two slots, one line: it stays up while either asserts. */
	fake_init(&a);
	fake_init(&b);
	CHECK(pci_host_plug(&h, 1, &a.f) == 0);
	CHECK(pci_host_plug(&h, 6, &b.f) == 0);
	irq_set(&a.f.intx, true);
	irq_set(&b.f.intx, true);
	CHECK(lines[0] && !lines[1] && !lines[2] && !lines[3]);
	irq_set(&a.f.intx, false);
	CHECK(lines[0]);
	irq_set(&b.f.intx, false);
	CHECK(!lines[0]);

	/* A memory BAR at PCI 0x80001000 answers at CPU 0xD_80001000; the I/O BAR in the window. */
	cfg_write(1 << 3, 0x10, 4, 0x80001000u);
	cfg_write(1 << 3, 0x14, 4, 0x00000100u);
	cfg_write(1 << 3, 0x04, 2, 0x0003);
	CHECK(a.f.bar_mapped[0] && bus_find(&mmio, 0xD80001000ull) == &a.f.bar[0]);
	CHECK(bus_find(&mmio, 0x80001000u) == NULL);
	CHECK(bus_write(&mmio, 0xD80001004ull, 4, 0x99) == 0 && a.reg[1] == 0x99);
	CHECK(bus_read(&mmio, 0xC08000100ull, 4, &v) == 0 && v == a.reg[0]);

	/* The register file reads back what Linux wrote (little-endian), all 512 bytes of it. */
	CHECK(bus_write(&mmio, 0xC0EC80000ull + 0x1fc, 4, __builtin_bswap32(0x12345678u)) == 0);
	CHECK(bus_read(&mmio, 0xC0EC80000ull + 0x1fc, 4, &v) == 0 && v == __builtin_bswap32(0x12345678u));
	CHECK(bus_read(&mmio, 0xC0EC80000ull + 0x1fc, 1, &v) == 0 && v == 0x78);
	CHECK(bus_read(&mmio, 0xC0EC80000ull + 0x200, 4, &v) == -ENOENT);
	pci_host_reset(&h);
	CHECK(bus_read(&mmio, 0xC0EC80000ull + 0x1fc, 4, &v) == 0 && v == 0);

	/* The node: 36-bit reg and ranges, one interrupt-map entry for every slot. */
	CHECK(fdt_create_empty_tree(fdt, sizeof(fdt)) == 0);
	CHECK(pci_host_fdt_node(&h, fdt, 0, 4) >= 0);
	node = fdt_path_offset(fdt, "/pci@c0ec00000");
	CHECK(node >= 0);
	p = fdt_getprop(fdt, node, "reg", &len);
	CHECK(p && len == 15 * 4 && fdt32_to_cpu(p[0]) == 0xc && fdt32_to_cpu(p[1]) == 0x0ec00000 &&
	      fdt32_to_cpu(p[9]) == 0xc && fdt32_to_cpu(p[10]) == 0x0ec80000 &&
	      fdt32_to_cpu(p[11]) == 0x100);
	p = fdt_getprop(fdt, node, "ranges", &len);
	CHECK(p && len == 14 * 4 && fdt32_to_cpu(p[2]) == 0x80000000u && fdt32_to_cpu(p[3]) == 0xd &&
	      fdt32_to_cpu(p[4]) == 0x80000000u && fdt32_to_cpu(p[10]) == 0xc &&
	      fdt32_to_cpu(p[11]) == 0x08000000u);
	p = fdt_getprop(fdt, node, "interrupt-map", &len);
	CHECK(p && len == 7 * 4 && fdt32_to_cpu(p[0]) == 0 && fdt32_to_cpu(p[4]) == 4 &&
	      fdt32_to_cpu(p[5]) == 0 && fdt32_to_cpu(p[6]) == 8);
	p = fdt_getprop(fdt, node, "interrupt-map-mask", &len);
	CHECK(p && len == 16 && fdt32_to_cpu(p[0]) == 0);
	p = fdt_getprop(fdt, node, "bus-range", &len);
	CHECK(p && len == 8 && fdt32_to_cpu(p[1]) == 0x3f);
	cfg_base = CFG;
}

int main(void)
{
	bus_init(&mmio, "mmio");
	pci_host_init(&h, &mmio, NULL);
	CHECK(bus_add(&mmio, &h.cfg) == 0);
	CHECK(bus_add(&mmio, &h.regs) == 0);
	CHECK(bus_add(&mmio, &h.io) == 0);
	test_empty_bus();
	test_pcil0();
	test_function();
	test_fdt();
	test_pcix();
	printf("test_pci: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
