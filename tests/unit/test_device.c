// SPDX-License-Identifier: MIT
/* test_device.c - the device contract: UART and UIC state round-trips, bad state refused, the device list. */
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "hw/device.h"
#include "hw/uart16550.h"
#include "hw/uic.h"

#include "check.h"

enum { RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
enum { SR = 0, SRS = 1, ER = 2, CR = 3, PR = 4, TR = 5, UMSR = 6, VR = 7, VCR = 8 };

static bool line[4];

static void line_cb(void *opaque, unsigned n, bool level)
{
	line[n] = level;
}

static uint8_t urd(struct uart16550 *u, unsigned reg)
{
	return (uint8_t)u->mmio.read(u->mmio.opaque, reg, 1);
}

static void uwr(struct uart16550 *u, unsigned reg, uint8_t v)
{
	u->mmio.write(u->mmio.opaque, reg, 1, v);
}

static uint32_t crd(struct uic *c, unsigned reg)
{
	return (uint32_t)c->dcr.read(c->dcr.opaque, reg, 4);
}

static void cwr(struct uic *c, unsigned reg, uint32_t v)
{
	c->dcr.write(c->dcr.opaque, reg, 4, v);
}

/* Everything a guest can see of a UART, without changing it: the registers and the FIFO in order. */
struct uart_view {
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	bool thr_ipending, irq;
	unsigned n;
	uint8_t fifo[16];
};

static void uart_view(struct uart16550 *u, struct uart_view *v)
{
	memset(v, 0, sizeof(*v));
	v->ier = u->ier, v->iir = u->iir, v->lcr = u->lcr, v->mcr = u->mcr, v->lsr = u->lsr;
	v->msr = u->msr, v->scr = u->scr, v->dll = u->dll, v->dlm = u->dlm, v->fcr = u->fcr;
	v->thr_ipending = u->thr_ipending;
	v->irq = line[0];
	v->n = u->rx_count;
	for (unsigned i = 0; i < u->rx_count && i < 16; i++)
		v->fifo[i] = u->rx[(u->rx_head + i) % 16];
}

static bool uart_same(struct uart16550 *u, const struct uart_view *want)
{
	struct uart_view now;

	uart_view(u, &now);
	return memcmp(&now, want, sizeof(now)) == 0;
}

/* The guest's own reads agree too: drain the FIFO through RBR, then read the registers. */
static void uart_drain(struct uart16550 *u, uint8_t out[24])
{
	memset(out, 0, 24);
	out[0] = urd(u, IIR);
	out[1] = urd(u, LSR);
	for (unsigned i = 0; i < 16; i++)
		out[2 + i] = urd(u, RBR);
	out[18] = urd(u, LSR);
	out[19] = urd(u, MSR);
	out[20] = urd(u, SCR);
	out[21] = urd(u, IER);
	out[22] = urd(u, MCR);
	out[23] = line[0];
}

/* A UART in a state far from reset: divisor, FIFO at trigger 8, loopback, 7 bytes in, 2 read. */
static void uart_busy(struct uart16550 *u)
{
	uwr(u, LCR, 0x80);
	uwr(u, THR, 0x0c); /* DLL */
	uwr(u, IER, 0x01); /* DLM */
	uwr(u, LCR, 0x1b);
	uwr(u, FCR, 0x81);
	uwr(u, MCR, 0x1b); /* loop, OUT2, RTS, DTR */
	uwr(u, SCR, 0x5a);
	for (unsigned i = 0; i < 7; i++)
		uwr(u, THR, (uint8_t)(0x41 + i));
	(void)urd(u, RBR);
	(void)urd(u, RBR);
	uwr(u, IER, 0x05);
}

static void test_uart_roundtrip(void)
{
	struct uart16550 u, fresh;
	struct uart_view before;
	uint8_t buf[256], d1[24], d2[24];
	struct state_writer w;
	struct state_reader r;
	size_t len;

	uart16550_init(&u, 0xef600300, 11059200, (struct irq_line){ .set = line_cb, .n = 0 }, NULL);
	uart_busy(&u);
	CHECK(u.rx_count == 5 && u.rx_head == 2 && line[0]);
	u.rx_break = 1u << 3; /* the second character in the FIFO came with a break (Ctrl-A b) */
	uart_view(&u, &before);

	state_writer_init(&w, buf, sizeof(buf));
	CHECK(u.dev.ops->save(&u.dev, &w) == 0);
	len = w.len;
	CHECK(len > 8);

	/* mutate: every register and the FIFO, then load the saved state back */
	uwr(&u, FCR, 0x07);
	uwr(&u, MCR, 0x00);
	uwr(&u, IER, 0x00);
	uwr(&u, SCR, 0x00);
	uwr(&u, LCR, 0x80);
	uwr(&u, THR, 0x01);
	uwr(&u, LCR, 0x03);
	CHECK(!uart_same(&u, &before));
	state_reader_init(&r, buf, len);
	CHECK(u.dev.ops->load(&u.dev, &r) == 0);
	CHECK(uart_same(&u, &before));
	CHECK(u.rx_break == 1u << 3);
	CHECK(line[0] == before.irq);

	/* a second UART loaded from the same bytes reads back exactly as the first */
	uart16550_init(&fresh, 0xef600400, 11059200, (struct irq_line){ .set = line_cb, .n = 0 }, NULL);
	state_reader_init(&r, buf, len);
	CHECK(fresh.dev.ops->load(&fresh.dev, &r) == 0);
	CHECK(fresh.rx_break == 1u << 3);
	uart_drain(&u, d1);
	uart_drain(&fresh, d2);
	CHECK(memcmp(d1, d2, sizeof(d1)) == 0);
	CHECK(d1[2] == 0x43 && d1[6] == 0x47); /* the FIFO in order: C..G */
}

/* Every prefix, a wrong tag, a newer version and values a 16550 cannot hold: refused, state kept. */
static void test_uart_bad_state(void)
{
	struct uart16550 u;
	struct uart_view before;
	uint8_t buf[256], bad[256];
	struct state_writer w;
	struct state_reader r;
	size_t len, k;
	unsigned refused = 0;

	uart16550_init(&u, 0xef600300, 11059200, (struct irq_line){ .set = line_cb, .n = 0 }, NULL);
	uart_busy(&u);
	state_writer_init(&w, buf, sizeof(buf));
	CHECK(u.dev.ops->save(&u.dev, &w) == 0);
	len = w.len;
	uart16550_reset(&u);
	uart_view(&u, &before);

	for (k = 0; k < len; k++) {
		state_reader_init(&r, buf, k);
		refused += u.dev.ops->load(&u.dev, &r) == -EINVAL;
	}
	CHECK(refused == len);
	CHECK(uart_same(&u, &before));

	memcpy(bad, buf, len);
	bad[0] ^= 0x20; /* the tag */
	state_reader_init(&r, bad, len);
	CHECK(u.dev.ops->load(&u.dev, &r) == -EINVAL);
	memcpy(bad, buf, len);
	bad[7] = 0xfe; /* a newer version */
	state_reader_init(&r, bad, len);
	CHECK(u.dev.ops->load(&u.dev, &r) == -EINVAL);
	memcpy(bad, buf, len);
	/* the break flags: a big-endian u32 before the transmit FIFO (head, count, 16 bytes) */
	bad[len - 19] |= 0x80; /* a break flag on slot 7, which is empty */
	bad[len - 20] |= 0x80; /* and on slot 15 */
	state_reader_init(&r, bad, len);
	CHECK(u.dev.ops->load(&u.dev, &r) == -EINVAL);
	memcpy(bad, buf, len);
	bad[8 + 11] = 17; /* rx_count past the FIFO */
	state_reader_init(&r, bad, len);
	CHECK(u.dev.ops->load(&u.dev, &r) == -EINVAL);
	memcpy(bad, buf, len);
	bad[8 + 10] = 16; /* rx_head past the FIFO */
	state_reader_init(&r, bad, len);
	CHECK(u.dev.ops->load(&u.dev, &r) == -EINVAL);
	memcpy(bad, buf, len);
	bad[8 + 8] = 0x00; /* FIFOs off: at most one byte held, five saved */
	state_reader_init(&r, bad, len);
	CHECK(u.dev.ops->load(&u.dev, &r) == -EINVAL);
	CHECK(uart_same(&u, &before));

	/* random bytes under a valid header: loaded or refused, never an impossible UART */
	srand(440);
	for (unsigned t = 0; t < 20000; t++) {
		memcpy(bad, buf, 8);
		for (k = 8; k < len; k++)
			bad[k] = (uint8_t)rand();
		state_reader_init(&r, bad, (size_t)rand() % (len + 1));
		if (u.dev.ops->load(&u.dev, &r) == 0)
			CHECK(u.rx_head < 16 && u.rx_count <= 16);
	}

	/* a writer without room fails and writes nothing past its end */
	memset(bad, 0xee, sizeof(bad));
	state_writer_init(&w, bad, len - 1);
	CHECK(u.dev.ops->save(&u.dev, &w) == -ENOSPC);
	CHECK(bad[len - 1] == 0xee && !state_writer_ok(&w));
}

struct uic_view {
	uint32_t reg[9], level;
	bool out_int, out_crit;
};

static void uic_view(struct uic *c, struct uic_view *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned i = 0; i < 9; i++)
		v->reg[i] = crd(c, i);
	v->level = c->level;
	v->out_int = line[1];
	v->out_crit = line[2];
}

static void uic_busy(struct uic *c)
{
	cwr(c, TR, 0x00ff0000u);   /* 8 edge inputs */
	cwr(c, PR, 0xf0000000u);
	cwr(c, CR, 0x0000000fu);   /* 4 critical */
	cwr(c, VCR, 0x12345601u);  /* vector base, highest priority at bit 0 */
	uic_set_input(c, 0, true);  /* level, asserted */
	uic_set_input(c, 9, true);  /* edge: latched */
	uic_set_input(c, 9, false);
	uic_set_input(c, 31, true); /* critical */
	cwr(c, SRS, 0x00001000u);  /* software-set */
	cwr(c, ER, 0x80401001u);
}

static void test_uic_roundtrip(void)
{
	struct uic c, fresh;
	struct uic_view before, now;
	uint8_t buf[128], bad[128];
	struct state_writer w;
	struct state_reader r;
	size_t len, k;
	unsigned refused = 0;

	uic_init(&c, 0xc0, (struct irq_line){ .set = line_cb, .n = 1 },
		 (struct irq_line){ .set = line_cb, .n = 2 });
	uic_busy(&c);
	uic_view(&c, &before);
	CHECK(before.out_int && before.out_crit);

	state_writer_init(&w, buf, sizeof(buf));
	CHECK(c.dev.ops->save(&c.dev, &w) == 0);
	len = w.len;
	CHECK(len == 8 + 7 * 4);

	/* mutate, load, compare */
	cwr(&c, SR, 0xffffffffu);
	cwr(&c, ER, 0);
	cwr(&c, TR, 0);
	cwr(&c, VCR, 0);
	uic_set_input(&c, 31, false);
	uic_view(&c, &now);
	CHECK(memcmp(&now, &before, sizeof(now)) != 0);
	state_reader_init(&r, buf, len);
	CHECK(c.dev.ops->load(&c.dev, &r) == 0);
	uic_view(&c, &now);
	CHECK(memcmp(&now, &before, sizeof(now)) == 0);

	/* into a fresh UIC: the same registers, vector and outputs */
	line[1] = line[2] = false;
	uic_init(&fresh, 0xc0, (struct irq_line){ .set = line_cb, .n = 1 },
		 (struct irq_line){ .set = line_cb, .n = 2 });
	state_reader_init(&r, buf, len);
	CHECK(fresh.dev.ops->load(&fresh.dev, &r) == 0);
	uic_view(&fresh, &now);
	CHECK(memcmp(&now, &before, sizeof(now)) == 0);

	/* bad state: every prefix, a wrong tag, reserved VCR bits, a level input not in SR */
	uic_reset(&c);
	uic_view(&c, &before);
	for (k = 0; k < len; k++) {
		state_reader_init(&r, buf, k);
		refused += c.dev.ops->load(&c.dev, &r) == -EINVAL;
	}
	CHECK(refused == len);
	memcpy(bad, buf, len);
	bad[1] ^= 1;
	state_reader_init(&r, bad, len);
	CHECK(c.dev.ops->load(&c.dev, &r) == -EINVAL);
	memcpy(bad, buf, len);
	bad[8 + 5 * 4 + 3] |= 0x02; /* VCR bit 30: reserved */
	state_reader_init(&r, bad, len);
	CHECK(c.dev.ops->load(&c.dev, &r) == -EINVAL);
	memcpy(bad, buf, len);
	memset(bad + 8, 0, 4); /* SR 0 while input 0 (level) is asserted */
	state_reader_init(&r, bad, len);
	CHECK(c.dev.ops->load(&c.dev, &r) == -EINVAL);
	uic_view(&c, &now);
	CHECK(memcmp(&now, &before, sizeof(now)) == 0);
}

/* The list: reset in creation order, nodes under the parents the board named, in creation order. */
static unsigned resets[8], n_resets;
static void rec_reset(struct device *d) { resets[n_resets++] = d->fdt_irq[1]; }
static const struct device_ops rec_ops = { .name = "rec", .reset = rec_reset };

static void test_list(void)
{
	struct device_list l;
	struct device rec[3];
	struct uart16550 u0, u1;
	struct uic c;
	char fdt[4096];
	int opb, node;

	device_list_init(&l);
	for (unsigned i = 0; i < 3; i++) {
		rec[i] = (struct device){ .ops = &rec_ops, .name = "rec" };
		rec[i].fdt_irq[1] = i;
		device_add(&l, &rec[i]);
	}
	device_reset_all(&l);
	CHECK(n_resets == 3 && resets[0] == 0 && resets[1] == 1 && resets[2] == 2);
	device_destroy_all(&l);
	CHECK(l.head == NULL && l.n == 0);

	uic_init(&c, 0xc0, (struct irq_line){ 0 }, (struct irq_line){ 0 });
	uart16550_init(&u0, 0xef600300, 11059200, (struct irq_line){ 0 }, NULL);
	uart16550_init(&u1, 0xef600400, 11059200, (struct irq_line){ 0 }, NULL);
	c.dev.fdt_parent = "/";
	c.dev.fdt_intc = 2;
	u0.dev.fdt_parent = u1.dev.fdt_parent = "/opb";
	u0.dev.fdt_intc = u1.dev.fdt_intc = 2;
	u1.dev.fdt_irq[0] = 1;
	device_add(&l, &c.dev);
	device_add(&l, &u0.dev);
	device_add(&l, &u1.dev);
	CHECK(fdt_create_empty_tree(fdt, sizeof(fdt)) == 0);
	opb = fdt_add_subnode(fdt, 0, "opb");
	CHECK(opb > 0);
	CHECK(device_fdt_all(&l, fdt) == 0);
	opb = fdt_path_offset(fdt, "/opb"); /* the UIC's node went in before it */
	node = fdt_first_subnode(fdt, opb);
	CHECK(node > 0 && strcmp(fdt_get_name(fdt, node, NULL), "serial@ef600300") == 0);
	node = fdt_next_subnode(fdt, node);
	CHECK(node > 0 && strcmp(fdt_get_name(fdt, node, NULL), "serial@ef600400") == 0);
	CHECK(fdt_path_offset(fdt, "/interrupt-controller0") > 0);
	/* a parent the tree does not have, and a tree without room: -1, never a crash */
	u1.dev.fdt_parent = "/nowhere";
	CHECK(fdt_create_empty_tree(fdt, sizeof(fdt)) == 0);
	CHECK(device_fdt_all(&l, fdt) == -1);
	u1.dev.fdt_parent = "/";
	CHECK(fdt_create_empty_tree(fdt, 200) == 0);
	CHECK(device_fdt_all(&l, fdt) == -1);
}

int main(void)
{
	test_uart_roundtrip();
	test_uart_bad_state();
	test_uic_roundtrip();
	test_list();
	printf("device: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
