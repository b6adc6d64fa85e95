/* SPDX-License-Identifier: MIT */
/* uart16550.c - NS16550A UART: DLAB, 16-byte receive FIFO, IIR priorities, loopback. */
#include <errno.h>
#include <libfdt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hw/uart16550.h"

/* Register offsets (NS16550A datasheet, register summary). */
enum {
	REG_RBR_THR_DLL = 0,
	REG_IER_DLM = 1,
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_ERBFI 0x01 /* received data available */
#define IER_ETBEI 0x02 /* transmitter holding register empty */
#define IER_ELSI  0x04 /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */

#define IIR_NO_INT 0x01
#define IIR_MSI    0x00
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_RLSI   0x06
#define IIR_CTI    0x0c /* character timeout, FIFO mode only */
#define IIR_FIFOS  0xc0 /* both bits set when FCR[0] enables the FIFOs */

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_TRIGGER  0xc0

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_PE   0x04
#define LSR_FE   0x08
#define LSR_BI   0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_ERRS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80
#define MSR_DELTAS 0x0f

#define FIFO_SIZE 16

static const struct device_ops uart16550_ops;

static unsigned rx_capacity(const struct uart16550 *u)
{
	/* Without FCR[0] the 16550 behaves as a 16450: one receive holding register. */
	return (u->fcr & FCR_ENABLE) ? FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };

	if (!(u->fcr & FCR_ENABLE))
		return 1;
	return levels[(u->fcr & FCR_TRIGGER) >> 6];
}

static uint8_t lsr(const struct uart16550 *u)
{
	/*
	 * The line is as fast as the host side takes bytes: THR (or the
	 * transmit FIFO) and the shift register are empty as soon as the
	 * backend has taken everything, and stay full while it cannot, as
	 * on a line held by flow control (NS16550A datasheet, LSR bits 5-6).
	 */
	uint8_t tx = u->tx_count ? 0 : LSR_THRE | LSR_TEMT;

	return (u->lsr & LSR_ERRS) | tx | (u->rx_count ? LSR_DR : 0);
}

/* The interrupt identification by priority (NS16550A datasheet, IIR table). */
static uint8_t compute_iir(const struct uart16550 *u)
{
	uint8_t id = IIR_NO_INT;

	if ((u->ier & IER_ELSI) && (u->lsr & LSR_ERRS))
		id = IIR_RLSI;
	else if ((u->ier & IER_ERBFI) && u->rx_count >= rx_trigger(u))
		id = IIR_RDI;
	else if ((u->ier & IER_ERBFI) && u->rx_count)
		/*
		 * Below the trigger level: the character timeout. It is reported
		 * at once instead of after four character times, which a driver
		 * cannot tell from a fast line.
		 */
		id = IIR_CTI;
	else if ((u->ier & IER_ETBEI) && u->thr_ipending)
		id = IIR_THRI;
	else if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		id = IIR_MSI;
	return id | ((u->fcr & FCR_ENABLE) ? IIR_FIFOS : 0);
}

static void update_irq(struct uart16550 *u)
{
	u->iir = compute_iir(u);
	irq_set(&u->irq, !(u->iir & IIR_NO_INT));
}

/* Modem status lines: fixed "cable connected" unless looped back onto MCR. */
static uint8_t modem_lines(const struct uart16550 *u)
{
	uint8_t m = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	if (u->mcr & MCR_RTS)
		m |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		m |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		m |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		m |= MSR_DCD;
	return m;
}

static void set_modem_lines(struct uart16550 *u, uint8_t lines)
{
	uint8_t old = u->msr & ~MSR_DELTAS, d = u->msr & MSR_DELTAS;

	if ((old ^ lines) & MSR_CTS)
		d |= MSR_DCTS;
	if ((old ^ lines) & MSR_DSR)
		d |= MSR_DDSR;
	if ((old ^ lines) & MSR_DCD)
		d |= MSR_DDCD;
	if ((old & MSR_RI) && !(lines & MSR_RI))
		d |= MSR_TERI; /* trailing edge of RI only */
	u->msr = lines | d;
}

/*
 * A break belongs to its character (a 0) in the FIFO and sets LSR[BI] when
 * that character reaches the top (NS16550A datasheet, LSR bit 4, FIFO mode).
 */
static void rx_top(struct uart16550 *u)
{
	if (u->rx_count && (u->rx_break & (1u << u->rx_head))) {
		u->rx_break &= (uint16_t)~(1u << u->rx_head);
		u->lsr |= LSR_BI;
	}
}

static void rx_push(struct uart16550 *u, uint8_t c)
{
	unsigned slot = (u->rx_head + u->rx_count) % FIFO_SIZE;

	if (u->rx_count >= rx_capacity(u)) {
		/* Overrun: the character in the shift register is lost. */
		u->lsr |= LSR_OE;
		return;
	}
	u->rx[slot] = c;
	u->rx_break &= (uint16_t)~(1u << slot);
	u->rx_count++;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
	u->rx_count--;
	rx_top(u);
	return c;
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->rx_break = 0;
}

static unsigned tx_capacity(const struct uart16550 *u)
{
	/* Without FCR[0], one transmit holding register. */
	return (u->fcr & FCR_ENABLE) ? FIFO_SIZE : 1;
}

/* Hand the transmit FIFO to the backend; when it empties, THRE is pending. */
static void tx_drain(struct uart16550 *u)
{
	bool had = u->tx_count != 0;

	while (u->tx_count) {
		unsigned n = u->tx_count;
		size_t w;

		if (n > FIFO_SIZE - u->tx_head)
			n = FIFO_SIZE - u->tx_head;
		w = u->cd ? chardev_write(u->cd, u->tx + u->tx_head, n) : n;
		u->tx_head = (u->tx_head + (unsigned)w) % FIFO_SIZE;
		u->tx_count -= (unsigned)w;
		if (w < n)
			break;  /* the host side is full: chardev calls write_ready later */
	}
	if (had && !u->tx_count) {
		u->tx_head = 0;
		u->thr_ipending = true;
		update_irq(u);
	}
}

static void uart_write_ready(void *opaque)
{
	tx_drain(opaque);
}

static void tx_clear(struct uart16550 *u)
{
	u->tx_head = 0;
	u->tx_count = 0;
}

static size_t uart_can_receive(void *opaque)
{
	struct uart16550 *u = opaque;

	/* In loopback the receiver is disconnected from the line. */
	if (u->mcr & MCR_LOOP)
		return 0;
	return rx_capacity(u) - u->rx_count;
}

static void uart_receive(void *opaque, const uint8_t *buf, size_t len)
{
	struct uart16550 *u = opaque;
	size_t i;

	for (i = 0; i < len; i++)
		rx_push(u, buf[i]);
	update_irq(u);
}

/* The line held at space for a character time or longer: a 0 with BI, and the line status interrupt. */
static void uart_receive_break(void *opaque)
{
	struct uart16550 *u = opaque;
	unsigned slot = (u->rx_head + u->rx_count) % FIFO_SIZE;
	bool room = u->rx_count < rx_capacity(u);

	if (u->mcr & MCR_LOOP)
		return; /* the receiver is disconnected from the line */
	rx_push(u, 0);
	if (room) {
		u->rx_break |= (uint16_t)(1u << slot);
		rx_top(u);
	}
	update_irq(u);
}

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
	struct uart16550 *u = opaque;
	uint8_t v = 0;

	switch (offset) {
	case REG_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		v = rx_pop(u);
		update_irq(u);
		if (u->cd)
			chardev_kick(u->cd);
		return v;
	case REG_IER_DLM:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = compute_iir(u);
		/* Reading IIR while it reports THRE acknowledges that interrupt. */
		if ((v & 0x0f) == IIR_THRI)
			u->thr_ipending = false;
		update_irq(u);
		return v;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		/*
		 * A guest polling for THRE while the host side is full: let a
		 * millisecond pass for it (a slow line), instead of spinning.
		 */
		if (u->tx_count) {
			chardev_wait_writable(u->cd, 1);
			tx_drain(u);
		}
		v = lsr(u);
		/* Error bits clear on read (NS16550A datasheet, LSR). */
		u->lsr &= ~LSR_ERRS;
		update_irq(u);
		return v;
	case REG_MSR:
		v = u->msr;
		u->msr &= ~MSR_DELTAS;
		update_irq(u);
		return v;
	case REG_SCR:
		return u->scr;
	}
	return 0;
}

static void transmit(struct uart16550 *u, uint8_t c)
{
	if (u->mcr & MCR_LOOP) {
		rx_push(u, c);
		u->thr_ipending = true;
		return;
	}
	if (!u->cd) {
		u->thr_ipending = true;  /* no backend: the byte leaves at once, into nothing */
		return;
	}
	/* A write to a full THR/FIFO is lost, as on the chip: a driver waits for THRE. */
	if (u->tx_count < tx_capacity(u)) {
		u->tx[(u->tx_head + u->tx_count) % FIFO_SIZE] = c;
		u->tx_count++;
	}
	tx_drain(u);
}

static void uart_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct uart16550 *u = opaque;
	uint8_t v = (uint8_t)value, old;

	switch (offset) {
	case REG_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			break;
		}
		u->thr_ipending = false;
		transmit(u, v);
		break;
	case REG_IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		old = u->ier;
		u->ier = v & 0x0f;
		/* Enabling ETBEI with THR empty raises THRE (as Linux's 8250 THRE test expects). */
		if ((u->ier & IER_ETBEI) && !(old & IER_ETBEI))
			u->thr_ipending = true;
		break;
	case REG_IIR_FCR:
		/* Changing FCR[0] resets both FIFOs (NS16550A datasheet, FCR). */
		if ((v ^ u->fcr) & FCR_ENABLE)
			rx_clear(u);
		if ((v ^ u->fcr) & FCR_ENABLE)
			tx_clear(u);
		if (v & FCR_CLEAR_RX)
			rx_clear(u);
		if (v & FCR_CLEAR_TX)
			tx_clear(u);
		u->fcr = v & (FCR_ENABLE | FCR_TRIGGER);
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & MCR_MASK;
		set_modem_lines(u, modem_lines(u));
		break;
	case REG_LSR:
	case REG_MSR:
		/* Factory test registers on some parts; read-only here. */
		break;
	case REG_SCR:
		u->scr = v;
		break;
	}
	update_irq(u);
	if (offset == REG_MCR && u->cd)
		chardev_kick(u->cd);
}

void uart16550_reset(struct uart16550 *u)
{
	/* Reset values: NS16550A datasheet, master reset column. */
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr = 0;
	u->scr = 0;
	u->dll = 0;
	u->dlm = 0;
	u->fcr = 0;
	u->msr = modem_lines(u);
	u->thr_ipending = false;
	rx_clear(u);
	tx_clear(u);
	update_irq(u);
}

void uart16550_init(struct uart16550 *u, uint64_t base, uint32_t clock_hz,
		    struct irq_line irq, struct chardev *cd)
{
	memset(u, 0, sizeof(*u));
	u->mmio.name = "uart16550";
	u->mmio.base = base;
	u->mmio.size = 8;
	u->mmio.min_access = 1;
	u->mmio.max_access = 1;
	u->mmio.opaque = u;
	u->mmio.read = uart_read;
	u->mmio.write = uart_write;
	u->clock_hz = clock_hz;
	u->irq = irq;
	u->cd = cd;
	u->dev.ops = &uart16550_ops;
	u->dev.name = "uart16550";
	uart16550_reset(u);
	if (cd) {
		struct chardev_client c = {
			.opaque = u,
			.can_receive = uart_can_receive,
			.receive = uart_receive,
			.receive_break = uart_receive_break,
			.write_ready = uart_write_ready,
		};

		chardev_set_client(cd, &c);
	}
}

int uart16550_fdt_node(struct uart16550 *u, void *fdt, int parent, uint32_t uic_phandle, unsigned irq_n)
{
	char name[32];
	uint32_t base = (uint32_t)u->mmio.base;
	uint32_t reg[2] = { cpu_to_fdt32(base), cpu_to_fdt32(8) };
	uint32_t irqs[2] = { cpu_to_fdt32(irq_n), cpu_to_fdt32(4) }; /* 4: level, active high */
	int node;

	if (u->node_name)
		snprintf(name, sizeof(name), "%s", u->node_name);
	else
		snprintf(name, sizeof(name), "serial@%x", base);
	FDT(node = fdt_add_subnode(fdt, parent, name));
	FDT(fdt_setprop_string(fdt, node, "device_type", "serial"));
	FDT(fdt_setprop_string(fdt, node, "compatible", "ns16550"));
	FDT(fdt_setprop(fdt, node, "reg", reg, sizeof(reg)));
	FDT(fdt_setprop_u32(fdt, node, "virtual-reg", base));
	FDT(fdt_setprop_u32(fdt, node, "clock-frequency", u->clock_hz));
	FDT(fdt_setprop_u32(fdt, node, "current-speed", 115200));
	FDT(fdt_setprop_u32(fdt, node, "interrupt-parent", uic_phandle));
	FDT(fdt_setprop(fdt, node, "interrupts", irqs, sizeof(irqs)));
	return node;
}

/* ---- the device contract (hw/device.h) ---- */

static struct uart16550 *uart_of(struct device *dev)
{
	return (struct uart16550 *)((char *)dev - offsetof(struct uart16550, dev));
}

static void uart_dev_reset(struct device *dev)
{
	uart16550_reset(uart_of(dev));
}

static int uart_dev_fdt_node(struct device *dev, void *fdt, int parent)
{
	return uart16550_fdt_node(uart_of(dev), fdt, parent, dev->fdt_intc, dev->fdt_irq[0]);
}

/* The state's tag and version (util/state.h); a new field is a new version. */
#define UART_STATE_TAG "U550"
#define UART_STATE_VERSION 3 /* 2: the receive FIFO's break flags; 3: the transmit FIFO */

/* Every register the guest reads or that decides what it reads, and both FIFOs. */
static int uart_dev_save(struct device *dev, struct state_writer *w)
{
	struct uart16550 *u = uart_of(dev);

	state_put_header(w, UART_STATE_TAG, UART_STATE_VERSION);
	state_put_u8(w, u->ier);
	state_put_u8(w, u->lcr);
	state_put_u8(w, u->mcr);
	state_put_u8(w, u->lsr);
	state_put_u8(w, u->msr);
	state_put_u8(w, u->scr);
	state_put_u8(w, u->dll);
	state_put_u8(w, u->dlm);
	state_put_u8(w, u->fcr);
	state_put_u8(w, u->thr_ipending);
	state_put_u8(w, (uint8_t)u->rx_head);
	state_put_u8(w, (uint8_t)u->rx_count);
	state_put_bytes(w, u->rx, sizeof(u->rx));
	state_put_u32(w, u->rx_break);
	state_put_u8(w, (uint8_t)u->tx_head);
	state_put_u8(w, (uint8_t)u->tx_count);
	state_put_bytes(w, u->tx, sizeof(u->tx));
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

static int uart_dev_load(struct device *dev, struct state_reader *r)
{
	struct uart16550 *u = uart_of(dev), n = *u;
	uint8_t thr;
	uint32_t brk, held = 0;

	if (state_get_header(r, UART_STATE_TAG) != UART_STATE_VERSION)
		return -EINVAL;
	n.ier = state_get_u8(r);
	n.lcr = state_get_u8(r);
	n.mcr = state_get_u8(r);
	n.lsr = state_get_u8(r);
	n.msr = state_get_u8(r);
	n.scr = state_get_u8(r);
	n.dll = state_get_u8(r);
	n.dlm = state_get_u8(r);
	n.fcr = state_get_u8(r);
	thr = state_get_u8(r);
	n.rx_head = state_get_u8(r);
	n.rx_count = state_get_u8(r);
	state_get_bytes(r, n.rx, sizeof(n.rx));
	brk = state_get_u32(r);
	n.tx_head = state_get_u8(r);
	n.tx_count = state_get_u8(r);
	state_get_bytes(r, n.tx, sizeof(n.tx));
	for (unsigned i = 0; i < n.rx_count && i < FIFO_SIZE; i++)
		held |= 1u << ((n.rx_head + i) % FIFO_SIZE);
	/* What a 16550 cannot hold: bits above IER[3] and MCR[4], a FIFO fuller than FCR allows. */
	if (thr > 1 || n.ier & ~0x0fu || n.mcr & ~MCR_MASK || n.fcr & ~(FCR_ENABLE | FCR_TRIGGER) ||
	    n.rx_head >= FIFO_SIZE || n.rx_count > rx_capacity(&n) || (brk & ~held) ||
	    n.tx_head >= FIFO_SIZE || n.tx_count > tx_capacity(&n))
		state_fail(r);	/* ... or a break flag on a slot that holds no character */
	if (!state_reader_ok(r))
		return -EINVAL;
	n.thr_ipending = thr;
	n.rx_break = (uint16_t)brk;
	*u = n;
	update_irq(u);
	if (u->cd)
		tx_drain(u); /* what the saved machine had not sent yet goes out now */
	return 0;
}

static const struct device_ops uart16550_ops = {
	.name = "ns16550",
	.reset = uart_dev_reset,
	.fdt_node = uart_dev_fdt_node,
	.save = uart_dev_save,
	.load = uart_dev_load,
};
