/* SPDX-License-Identifier: MIT */
/* test_uic.c - unit tests of the UIC: masking, edge vs level, critical routing, SR w1c, MSR/VR. */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "hw/uic.h"

#include "check.h"

enum { SR, SRS, ER, CR, PR, TR, MSR, VR, VCR };

static bool out[2];
static unsigned changes;

static void cpu_set(void *opaque, unsigned n, bool level)
{
	out[n] = level;
	changes++;
}

static struct bus dcr;
static struct uic u;

static uint32_t rd(unsigned reg)
{
	uint64_t v = 0xdead;

	CHECK(bus_read(&dcr, 0xc0 + reg, 4, &v) == 0);
	return (uint32_t)v;
}

static void wr(unsigned reg, uint32_t v)
{
	CHECK(bus_write(&dcr, 0xc0 + reg, 4, v) == 0);
}

#define IRQ(n) (0x80000000u >> (n))

static void setup(void)
{
	struct irq_line i = { .set = cpu_set, .n = 0 }, c = { .set = cpu_set, .n = 1 };

	bus_init_dcr(&dcr, "dcr");
	uic_init(&u, 0xc0, i, c);
	CHECK(bus_add(&dcr, &u.dcr) == 0);
}

static void test_reset_and_regs(void)
{
	unsigned r;

	for (r = SR; r <= VCR; r++)
		CHECK(rd(r) == 0);
	CHECK(!out[0] && !out[1]);
	wr(ER, 0x12345678);
	wr(CR, 0x0000ff00);
	wr(PR, 0xffff0000);
	wr(TR, 0x00ff0000);
	wr(VCR, 0xfff00003);
	CHECK(rd(ER) == 0x12345678);
	CHECK(rd(CR) == 0x0000ff00);
	CHECK(rd(PR) == 0xffff0000);
	CHECK(rd(TR) == 0x00ff0000);
	CHECK(rd(VCR) == 0xfff00001);  /* bit 30 reserved */
	wr(MSR, 0xffffffff);           /* read-only */
	wr(VR, 0xffffffff);
	CHECK(rd(MSR) == 0);
	CHECK(rd(VR) == 0);
	uic_reset(&u);
	for (r = SR; r <= VCR; r++)
		CHECK(rd(r) == 0);
	/* Outside the 9 registers: nothing answers. */
	{
		uint64_t v;

		CHECK(bus_read(&dcr, 0xc9, 4, &v) == -ENOENT);
	}
}

static void test_level(void)
{
	struct irq_line l0 = uic_input(&u, 0), l31 = uic_input(&u, 31);

	uic_reset(&u);
	/* Masked: SR shows it, MSR and the output do not. */
	irq_set(&l0, true);
	CHECK(rd(SR) == IRQ(0));
	CHECK(rd(MSR) == 0);
	CHECK(!out[0]);
	wr(ER, IRQ(0) | IRQ(31));
	CHECK(rd(MSR) == IRQ(0));
	CHECK(out[0] && !out[1]);
	/* w1c while still asserted: the level input re-asserts SR. */
	wr(SR, IRQ(0));
	CHECK(rd(SR) == IRQ(0));
	CHECK(out[0]);
	/* Dropping the line clears a level input's status. */
	irq_set(&l0, false);
	CHECK(rd(SR) == 0);
	CHECK(!out[0]);
	irq_set(&l31, true);
	CHECK(rd(SR) == 1 && rd(MSR) == 1 && out[0]);
	/* Disable masks the output again. */
	wr(ER, 0);
	CHECK(!out[0] && rd(SR) == 1 && rd(MSR) == 0);
	irq_set(&l31, false);
	uic_set_input(&u, 32, true);  /* out of range: ignored */
	CHECK(rd(SR) == 0);
}

static void test_edge(void)
{
	uic_reset(&u);
	wr(TR, IRQ(5));
	wr(ER, IRQ(5));
	uic_set_input(&u, 5, true);
	CHECK(rd(SR) == IRQ(5) && out[0]);
	/* The line dropping does not clear a latched edge. */
	uic_set_input(&u, 5, false);
	CHECK(rd(SR) == IRQ(5) && out[0]);
	wr(SR, IRQ(5));
	CHECK(rd(SR) == 0 && !out[0]);
	/* Still high is not a new edge. */
	uic_set_input(&u, 5, true);
	wr(SR, IRQ(5));
	uic_set_input(&u, 5, true);
	CHECK(rd(SR) == 0);
	uic_set_input(&u, 5, false);
	uic_set_input(&u, 5, true);
	CHECK(rd(SR) == IRQ(5));
	/* w1c only touches the bits written. */
	wr(SRS, IRQ(6) | IRQ(7));
	wr(SR, IRQ(6));
	CHECK(rd(SR) == (IRQ(5) | IRQ(7)));
	CHECK(rd(SRS) == rd(SR));
	/* Switching an input to level makes SR follow its line. */
	wr(TR, 0);
	CHECK(rd(SR) == (IRQ(5)));
	uic_set_input(&u, 5, false);
	CHECK(rd(SR) == 0);
}

static void test_critical_and_vector(void)
{
	uic_reset(&u);
	wr(ER, 0xffffffff);
	wr(CR, IRQ(3) | IRQ(20));
	uic_set_input(&u, 10, true);
	CHECK(out[0] && !out[1]);
	uic_set_input(&u, 20, true);
	CHECK(out[0] && out[1]);
	uic_set_input(&u, 10, false);
	CHECK(!out[0] && out[1]);
	CHECK(rd(MSR) == IRQ(20));

	/* VR: VBA + 512 * distance from the highest-priority bit. */
	wr(VCR, 0x00100000);           /* PRO = 0: IRQ 0 highest */
	CHECK(rd(VR) == 0x00100000 + 20 * 512);
	uic_set_input(&u, 3, true);
	CHECK(rd(VR) == 0x00100000 + 3 * 512);
	wr(VCR, 0x00100001);           /* PRO = 1: IRQ 31 highest */
	CHECK(rd(VR) == 0x00100000 + (31 - 20) * 512);
	/* No vector for non-critical interrupts. */
	uic_set_input(&u, 3, false);
	uic_set_input(&u, 20, false);
	uic_set_input(&u, 10, true);
	CHECK(rd(VR) == 0);
	/* Moving an input to critical re-routes it at once. */
	wr(CR, IRQ(10));
	CHECK(!out[0] && out[1]);
	wr(CR, 0);
	CHECK(out[0] && !out[1]);
	/* SRS sets status from software, masked by ER as usual. */
	uic_set_input(&u, 10, false);
	wr(ER, IRQ(1));
	wr(SRS, IRQ(2));
	CHECK(!out[0] && rd(MSR) == 0 && rd(SR) == IRQ(2));
	wr(SRS, IRQ(1));
	CHECK(out[0] && rd(MSR) == IRQ(1));
	wr(SR, 0xffffffff);
	CHECK(!out[0] && rd(SR) == 0);
}

static void test_fdt(void)
{
	static char fdt[4096];
	const void *p;
	const uint32_t *cells;
	int len, node;

	CHECK(fdt_create_empty_tree(fdt, sizeof(fdt)) == 0);
	CHECK(uic_fdt_node(&u, fdt, 0, 2) == 2);
	node = fdt_path_offset(fdt, "/interrupt-controller0");
	CHECK(node >= 0);
	p = fdt_getprop(fdt, node, "compatible", &len);
	CHECK(p && len == sizeof("ibm,uic-440ep\0ibm,uic") &&
	      !memcmp(p, "ibm,uic-440ep\0ibm,uic", (size_t)len));
	CHECK(fdt_getprop(fdt, node, "interrupt-controller", &len) && len == 0);
	cells = fdt_getprop(fdt, node, "dcr-reg", &len);
	CHECK(cells && len == 8 && fdt32_to_cpu(cells[0]) == 0xc0 && fdt32_to_cpu(cells[1]) == 9);
	CHECK(fdt_get_phandle(fdt, node) == 2);
	cells = fdt_getprop(fdt, node, "#interrupt-cells", &len);
	CHECK(cells && fdt32_to_cpu(cells[0]) == 2);
	/* A full tree is an error, not a crash. */
	CHECK(fdt_create_empty_tree(fdt, 128) == 0);
	CHECK(uic_fdt_node(&u, fdt, 0, 2) == -1);
}

/*
 * A cascaded UIC (the 460EX's UIC1 into UIC0 30/31): its outputs are UIC0
 * inputs, so an enabled UIC1 input reaches the core only through UIC0's
 * enable; its node names its parent and the two inputs (dev.fdt_*).
 */
static void test_cascade(void)
{
	static struct uic u1;
	static char fdt[4096];
	const uint32_t *cells;
	int len, node;

	uic_reset(&u);
	uic_init(&u1, 0xd0, uic_input(&u, 30), uic_input(&u, 31));
	CHECK(bus_add(&dcr, &u1.dcr) == 0);
	/* UIC1 input 3, enabled there; UIC0 30 not yet enabled: nothing reaches the core. */
	CHECK(bus_write(&dcr, 0xd0 + ER, 4, IRQ(3)) == 0);
	uic_set_input(&u1, 3, true);
	CHECK(rd(SR) == IRQ(30) && !out[0]);
	wr(ER, IRQ(30));
	CHECK(out[0] && !out[1]);
	/* Routed critical in UIC1: UIC0 31 instead (enabled, non-critical there). */
	CHECK(bus_write(&dcr, 0xd0 + CR, 4, IRQ(3)) == 0);
	CHECK(rd(SR) == IRQ(31) && !out[0]);  /* level inputs: SR follows them */
	wr(ER, IRQ(31));
	CHECK(out[0]);
	uic_set_input(&u1, 3, false);
	CHECK(rd(SR) == 0 && !out[0] && !out[1]);

	u1.index = 1;
	u1.compat = "ibm,uic-460ex\0ibm,uic";
	u1.compat_len = sizeof("ibm,uic-460ex\0ibm,uic");
	u1.phandle = 4;
	u1.dev.fdt_intc = 2;
	u1.dev.fdt_irq[0] = 30;
	u1.dev.fdt_irq[1] = 31;
	CHECK(fdt_create_empty_tree(fdt, sizeof(fdt)) == 0);
	CHECK(u1.dev.ops->fdt_node(&u1.dev, fdt, 0) == 0);
	node = fdt_path_offset(fdt, "/interrupt-controller1");
	CHECK(node >= 0 && fdt_get_phandle(fdt, node) == 4);
	cells = fdt_getprop(fdt, node, "cell-index", &len);
	CHECK(cells && fdt32_to_cpu(cells[0]) == 1);
	cells = fdt_getprop(fdt, node, "interrupts", &len);
	CHECK(cells && len == 16 && fdt32_to_cpu(cells[0]) == 30 && fdt32_to_cpu(cells[2]) == 31 &&
	      fdt32_to_cpu(cells[3]) == 4);
	cells = fdt_getprop(fdt, node, "interrupt-parent", &len);
	CHECK(cells && fdt32_to_cpu(cells[0]) == 2);
	CHECK(fdt_getprop(fdt, node, "compatible", &len) && len == (int)u1.compat_len);
	bus_remove(&dcr, &u1.dcr);
	uic_reset(&u);
}

int main(void)
{
	setup();
	test_reset_and_regs();
	test_level();
	test_edge();
	test_critical_and_vector();
	test_fdt();
	test_cascade();
	printf("test_uic: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
