/* SPDX-License-Identifier: MIT */
/* test_uart.c - unit tests of the 16550 (THRE/RDA interrupts, FIFO, DLAB, loopback) and chardevs. */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/chardev.h"
#include "host/loop.h"
#include "hw/uart16550.h"

#include "check.h"

enum { RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define BASE 0xef600300u

static bool irq_level;
static unsigned irq_raises;
static struct bus mmio;

static void irq_cb(void *opaque, unsigned n, bool level)
{
	if (level && !irq_level)
		irq_raises++;
	irq_level = level;
}

static uint8_t rd(unsigned reg)
{
	uint64_t v = 0xdead;

	CHECK(bus_read(&mmio, BASE + reg, 1, &v) == 0);
	return (uint8_t)v;
}

static void wr(unsigned reg, uint8_t v)
{
	CHECK(bus_write(&mmio, BASE + reg, 1, v) == 0);
}

static void feed(struct chardev *cd, const char *s)
{
	cd->client.receive(cd->client.opaque, (const uint8_t *)s, strlen(s));
}

static void test_registers(struct uart16550 *u)
{
	uint64_t v;

	CHECK(rd(IIR) == 0x01);
	CHECK(rd(LSR) == 0x60);
	CHECK(rd(MSR) == 0xb0);
	CHECK(rd(IER) == 0 && rd(LCR) == 0 && rd(MCR) == 0);
	/* Byte-wide only. */
	CHECK(bus_read(&mmio, BASE, 2, &v) == -EINVAL);
	CHECK(bus_read(&mmio, BASE + 8, 1, &v) == -ENOENT);
	/* DLAB switches 0/1 to the divisor latches. */
	wr(IER, 0x05);
	wr(LCR, 0x83);
	wr(RBR, 0x06);
	wr(IER, 0x00);
	CHECK(rd(RBR) == 0x06 && rd(IER) == 0x00);
	wr(LCR, 0x03);
	CHECK(rd(IER) == 0x05);
	CHECK(u->dll == 0x06 && u->dlm == 0);
	wr(SCR, 0x5a);
	CHECK(rd(SCR) == 0x5a);
	wr(IER, 0);
	CHECK(!irq_level);
}

static void test_thre(struct uart16550 *u, const char *outpath)
{
	char buf[64] = { 0 };
	int fd;
	ssize_t n;

	/* Enabling ETBEI with THR empty raises THRE at once. */
	irq_raises = 0;
	wr(IER, 0x02);
	CHECK(irq_level && irq_raises == 1);
	CHECK(rd(IIR) == 0x02);
	/* Reading IIR acknowledged it. */
	CHECK(!irq_level);
	CHECK(rd(IIR) == 0x01);
	/* A THR write empties at once and raises THRE again. */
	wr(RBR, 'h');
	CHECK(irq_level);
	wr(RBR, 'i');
	CHECK(rd(LSR) == 0x60);
	CHECK(rd(IIR) == 0x02);
	/* Linux's THRE test: IER off then on again re-raises THRE. */
	wr(IER, 0);
	CHECK(!irq_level);
	wr(IER, 0x02);
	CHECK(irq_level && rd(IIR) == 0x02);
	wr(IER, 0);

	fd = open(outpath, O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n == 2 && !strcmp(buf, "hi"));
	close(fd);
}

static void test_rx_fifo(struct uart16550 *u, struct chardev *cd)
{
	unsigned i;

	/* 16450 mode: one holding register, then overrun. */
	CHECK(cd->client.can_receive(cd->client.opaque) == 1);
	wr(IER, 0x01);
	feed(cd, "a");
	CHECK(irq_level && rd(IIR) == 0x04);
	CHECK(rd(LSR) == 0x61);
	feed(cd, "b");  /* past can_receive: overrun, 'b' is lost */
	CHECK(rd(RBR) == 'a');
	CHECK(!irq_level && rd(LSR) == 0x62);
	CHECK(rd(LSR) == 0x60);
	/* Overrun reported through RLS when ELSI is on; LSR read clears it. */
	wr(IER, 0x05);
	feed(cd, "c");
	feed(cd, "d");
	CHECK(rd(IIR) == 0x06);
	CHECK(rd(LSR) == 0x63);
	CHECK(rd(IIR) == 0x04);
	CHECK(rd(RBR) == 'c');
	CHECK(rd(LSR) == 0x60);

	/* FIFO mode, trigger level 8. */
	wr(FCR, 0x87);
	CHECK((rd(IIR) & 0xc0) == 0xc0);
	CHECK(cd->client.can_receive(cd->client.opaque) == 16);
	feed(cd, "0123");
	/* Below the trigger: character timeout. */
	CHECK(irq_level && rd(IIR) == 0xcc);
	feed(cd, "4567");
	CHECK(rd(IIR) == 0xc4);
	feed(cd, "89abcdef");
	CHECK(cd->client.can_receive(cd->client.opaque) == 0);
	for (i = 0; i < 16; i++)
		CHECK(rd(RBR) == "0123456789abcdef"[i]);
	CHECK(!irq_level && rd(IIR) == 0xc1);
	CHECK(rd(RBR) == 0);  /* empty FIFO reads 0 */
	/* FCR clear-RX drops what is waiting. */
	feed(cd, "xyz");
	wr(FCR, 0x03);
	CHECK(rd(LSR) == 0x60 && !irq_level);
	/* RDA outranks THRE. */
	wr(IER, 0x03);
	feed(cd, "q");
	CHECK(rd(IIR) == 0xc4);  /* FCR 0x03: trigger level 1 */
	wr(IER, 0);
	CHECK(rd(RBR) == 'q');
	wr(FCR, 0);
}

static void test_loopback(struct uart16550 *u, struct chardev *cd)
{
	wr(FCR, 0x01);
	wr(IER, 0x09);
	CHECK(rd(MSR) == 0xb0);
	/* Linux's 8250 loopback probe: LOOP | OUT2 | RTS reads DCD | CTS. */
	wr(MCR, 0x1a);
	CHECK((rd(MSR) & 0xf0) == 0x90);
	CHECK(cd->client.can_receive(cd->client.opaque) == 0);
	/* Deltas were consumed by the read above; a change makes new ones and an MSI. */
	wr(MCR, 0x1b);
	CHECK(irq_level && rd(IIR) == 0xc0);
	CHECK(rd(MSR) == (0xb0 | 0x02));
	CHECK(!irq_level);
	wr(MCR, 0x1f);
	wr(MCR, 0x1b);
	CHECK(rd(MSR) & 0x04);  /* trailing edge of RI */
	/* Transmit comes back as receive. */
	wr(RBR, 'L');
	CHECK(rd(LSR) & 0x01);
	CHECK(irq_level && rd(IIR) == 0xc4);
	CHECK(rd(RBR) == 'L');
	/* Leaving loopback with DTR|RTS|OUT2 set changes no line: no deltas. */
	wr(MCR, 0);
	CHECK(rd(MSR) == 0xb0);
	wr(IER, 0);
	uart16550_reset(u);
	CHECK(rd(IIR) == 0x01 && rd(LSR) == 0x60 && rd(MCR) == 0 && !irq_level);
}

/*
 * A break (Ctrl-A b on the console): a 0 in the FIFO whose LSR[BI] shows
 * when it reaches the top, with the line status interrupt (IIR 0x06) under
 * IER[ELSI]; LSR reads clear BI; the bytes around it keep their order.
 */
static void test_break(struct uart16550 *u, struct chardev *cd)
{
	CHECK(cd->client.receive_break != NULL);
	if (!cd->client.receive_break)
		return;
	uart16550_reset(u);
	wr(FCR, 0x01);            /* FIFOs on, trigger 1 */
	wr(IER, 0x05);            /* ELSI | ERBFI, as Linux's 8250 */
	feed(cd, "a");
	cd->client.receive_break(cd->client.opaque);
	feed(cd, "h");
	CHECK(rd(LSR) == 0x61);   /* 'a' at the top: DR, no BI yet */
	CHECK((rd(IIR) & 0x0f) == 0x04);
	CHECK(rd(RBR) == 'a');
	CHECK(irq_level);
	CHECK((rd(IIR) & 0x0f) == 0x06); /* the break at the top: receiver line status first */
	CHECK(rd(LSR) == 0x71);   /* DR | BI */
	CHECK(rd(LSR) == 0x61);   /* BI cleared by the read */
	CHECK(rd(RBR) == 0x00);   /* the break's character */
	CHECK(rd(RBR) == 'h');
	CHECK(rd(LSR) == 0x60);
	CHECK(rd(IIR) == 0xc1);
	/* A full FIFO: the break is an overrun instead. */
	for (int i = 0; i < 16; i++)
		feed(cd, "x");
	cd->client.receive_break(cd->client.opaque);
	CHECK(rd(LSR) == 0x63);   /* DR | OE, no BI */
	wr(FCR, 0x03);
	/* In loopback the receiver is off the line: no break. */
	wr(MCR, 0x10);
	cd->client.receive_break(cd->client.opaque);
	CHECK(rd(LSR) == 0x60);
	uart16550_reset(u);
}

static void test_fdt(struct uart16550 *u)
{
	static char fdt[4096];
	const uint32_t *c;
	int len, node;

	CHECK(fdt_create_empty_tree(fdt, sizeof(fdt)) == 0);
	node = uart16550_fdt_node(u, fdt, 0, 2, 0);
	CHECK(node >= 0);
	CHECK(fdt_path_offset(fdt, "/serial@ef600300") == node);
	c = fdt_getprop(fdt, node, "reg", &len);
	CHECK(c && len == 8 && fdt32_to_cpu(c[0]) == BASE && fdt32_to_cpu(c[1]) == 8);
	c = fdt_getprop(fdt, node, "interrupts", &len);
	CHECK(c && len == 8 && fdt32_to_cpu(c[0]) == 0 && fdt32_to_cpu(c[1]) == 4);
	c = fdt_getprop(fdt, node, "clock-frequency", &len);
	CHECK(c && fdt32_to_cpu(c[0]) == 11059200);
	c = fdt_getprop(fdt, node, "interrupt-parent", &len);
	CHECK(c && fdt32_to_cpu(c[0]) == 2);
	CHECK(!strcmp(fdt_getprop(fdt, node, "compatible", NULL), "ns16550"));
}

/* A unix-socket chardev end to end: accept, input with flow control, output, reconnect. */
static void test_unix_socket(void)
{
	struct loop l;
	struct uart16550 u;
	struct chardev *cd;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct irq_line irq = { .set = irq_cb };
	char path[64], buf[80];
	int s, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/tmp/hv440-test-uart-%d.sock", (int)getpid());
	loop_init(&l);
	snprintf(buf, sizeof(buf), "unix:%s", path);
	cd = chardev_open(buf, &l);
	CHECK(cd != NULL);
	if (!cd)
		return;
	bus_init(&mmio, "mmio");
	uart16550_init(&u, BASE, 11059200, irq, cd);
	CHECK(bus_add(&mmio, &u.mmio) == 0);
	/* Output with no client is dropped, not blocking. */
	wr(RBR, 'z');

	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	loop_poll(&l, 100000000);
	CHECK(cd->in_fd >= 0);

	/* 20 bytes in, the 16450 holding register takes one at a time. */
	CHECK(write(s, "abcdefghijklmnopqrst", 20) == 20);
	for (i = 0; i < 20; i++) {
		loop_poll(&l, 10000000);
		CHECK(rd(LSR) & 0x01);
		CHECK(rd(RBR) == 'a' + i);
	}
	loop_poll(&l, 0);
	CHECK(!(rd(LSR) & 0x01));

	wr(RBR, 'o');
	wr(RBR, 'k');
	n = read(s, buf, sizeof(buf));
	CHECK(n == 2 && buf[0] == 'o' && buf[1] == 'k');

	/* Hang up and come back. */
	close(s);
	loop_poll(&l, 100000000);
	CHECK(cd->in_fd < 0);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	loop_poll(&l, 100000000);
	CHECK(cd->in_fd >= 0);
	wr(RBR, '!');
	n = read(s, buf, sizeof(buf));
	CHECK(n == 1 && buf[0] == '!');
	close(s);
	chardev_close(cd);
	CHECK(access(path, F_OK) != 0);
}

static void test_specs(void)
{
	struct loop l;
	struct chardev *cd;

	loop_init(&l);
	CHECK(chardev_open("bogus", &l) == NULL);
	CHECK(chardev_open("file:/nonexistent-dir/x", &l) == NULL);
	CHECK(chardev_open("unix:", &l) == NULL);
	cd = chardev_open("null", &l);
	CHECK(cd != NULL);
	chardev_write(cd, (const uint8_t *)"x", 1);
	chardev_close(cd);
	cd = chardev_open("pty", &l);
	CHECK(cd != NULL && cd->in_fd >= 0);
	chardev_close(cd);
}

int main(void)
{
	struct uart16550 u;
	struct chardev *cd;
	struct loop l;
	struct irq_line irq = { .set = irq_cb };
	char outpath[64], spec[80];

	snprintf(outpath, sizeof(outpath), "/tmp/hv440-test-uart-%d.out", (int)getpid());
	unlink(outpath);
	loop_init(&l);
	snprintf(spec, sizeof(spec), "file:%s", outpath);
	cd = chardev_open(spec, &l);
	CHECK(cd != NULL);
	if (!cd)
		return 1;
	bus_init(&mmio, "mmio");
	uart16550_init(&u, BASE, 11059200, irq, cd);
	CHECK(bus_add(&mmio, &u.mmio) == 0);
	/* file: is output only, but the device is still its client. */
	CHECK(cd->client.receive != NULL);

	test_registers(&u);
	test_thre(&u, outpath);
	test_rx_fifo(&u, cd);
	test_loopback(&u, cd);
	test_break(&u, cd);
	test_fdt(&u);
	chardev_close(cd);
	unlink(outpath);

	test_unix_socket();
	test_specs();
	printf("test_uart: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
