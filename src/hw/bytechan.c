/* SPDX-License-Identifier: MIT */
/* bytechan.c - an ePAPR byte channel: a host character backend behind hypercalls, rx/tx interrupt lines. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "hw/bytechan.h"

/* Room the guest may always count on for a send: one hypercall's worth (ePAPR: 16 bytes). */
#define TX_ROOM 16u
/*
 * Host writes are batched (chardev_set_batch): a hypercall carries at most
 * 16 bytes, so a stream would otherwise cost a poll() and a write() per 16
 * bytes; this much is held for one write, the rest goes at the loop's next
 * poll (docs/system.md, "How it is carried").
 */
#define TX_BATCH 1024u

/* Room for a send: at most one hypercall's worth, none while the host side is full. */
static unsigned tx_room(const struct bytechan *bc)
{
	size_t room = bc->cd ? chardev_write_room(bc->cd) : SIZE_MAX;

	return room < TX_ROOM ? (unsigned)room : TX_ROOM;
}

static void update_irq(struct bytechan *bc)
{
	irq_set(&bc->rx_irq, bc->rx_count > 0);
	irq_set(&bc->tx_irq, tx_room(bc) > 0);
}

/* The host side took buffered output: the tx line rises again. */
static void bc_write_ready(void *opaque)
{
	update_irq(opaque);
}

static size_t bc_can_receive(void *opaque)
{
	struct bytechan *bc = opaque;

	return BYTECHAN_RX_SIZE - bc->rx_count;
}

static void bc_receive_host(void *opaque, const uint8_t *buf, size_t len)
{
	struct bytechan *bc = opaque;

	for (size_t i = 0; i < len && bc->rx_count < BYTECHAN_RX_SIZE; i++) {
		bc->rx[(bc->rx_head + bc->rx_count) % BYTECHAN_RX_SIZE] = buf[i];
		bc->rx_count++;
	}
	update_irq(bc);
}

static const struct device_ops bytechan_ops;

void bytechan_init(struct bytechan *bc, uint32_t handle, struct chardev *cd,
		   struct irq_line rx_irq, struct irq_line tx_irq)
{
	bc->handle = handle;
	bc->cd = cd;
	bc->rx_irq = rx_irq;
	bc->tx_irq = tx_irq;
	bc->rx_head = bc->rx_count = 0;
	bc->dev = (struct device){ .ops = &bytechan_ops, .name = "bytechan" };
	if (cd) {
		struct chardev_client c = {
			.opaque = bc,
			.can_receive = bc_can_receive,
			.receive = bc_receive_host,
			.write_ready = bc_write_ready,
		};

		chardev_set_client(cd, &c);
		chardev_set_batch(cd, TX_BATCH);
	}
}

void bytechan_reset(struct bytechan *bc)
{
	bc->rx_head = bc->rx_count = 0;
	update_irq(bc);
	if (bc->cd)
		chardev_kick(bc->cd);
}

/*
 * What the host side takes: fewer than len (the hypercall answers
 * EV_EAGAIN with the count sent) while a slow reader holds the channel
 * back. Linux's ehv_bytechan console retries at once, so a full channel
 * first lets a millisecond pass for the reader.
 */
unsigned bytechan_send(struct bytechan *bc, const uint8_t *buf, unsigned len)
{
	size_t n;

	if (!bc->cd || !len)
		return len;
	if (!chardev_write_room(bc->cd))
		chardev_wait_writable(bc->cd, 1);
	n = chardev_write(bc->cd, buf, len);
	if (n < len)
		update_irq(bc);
	return (unsigned)n;
}

unsigned bytechan_receive(struct bytechan *bc, uint8_t *buf, unsigned max)
{
	unsigned n = 0;

	/*
	 * Nothing here yet: look at the host side now rather than at the
	 * loop's next poll, a millisecond away while the guest runs, so a
	 * guest that polls the channel sees its peer's bytes at once.
	 */
	if (!bc->rx_count && bc->cd)
		chardev_poll_input(bc->cd);

	while (n < max && bc->rx_count) {
		buf[n++] = bc->rx[bc->rx_head];
		bc->rx_head = (bc->rx_head + 1) % BYTECHAN_RX_SIZE;
		bc->rx_count--;
	}
	update_irq(bc);
	if (n && bc->cd)
		chardev_kick(bc->cd);
	return n;
}

void bytechan_poll(const struct bytechan *bc, unsigned *rx, unsigned *tx)
{
	*rx = bc->rx_count;
	*tx = tx_room(bc);
}

int bytechan_fdt_node(const struct bytechan *bc, void *fdt, int parent, uint32_t uic_phandle,
		      unsigned rx_irq_n, unsigned tx_irq_n)
{
	/* interrupts: rx then tx, each <line 4> (4: level, active high), as ehv_bytechan parses them. */
	const fdt32_t irqs[4] = { cpu_to_fdt32(rx_irq_n), cpu_to_fdt32(4),
				  cpu_to_fdt32(tx_irq_n), cpu_to_fdt32(4) };
	char name[32];
	int node;

	snprintf(name, sizeof(name), "byte-channel@%x", bc->handle);
	FDT(node = fdt_add_subnode(fdt, parent, name));
	FDT(fdt_setprop_string(fdt, node, "compatible", "epapr,hv-byte-channel"));
	FDT(fdt_setprop_u32(fdt, node, "reg", bc->handle));
	FDT(fdt_setprop_u32(fdt, node, "hv-handle", bc->handle));
	FDT(fdt_setprop_u32(fdt, node, "interrupt-parent", uic_phandle));
	FDT(fdt_setprop(fdt, node, "interrupts", irqs, sizeof(irqs)));
	return node;
}

/* ---- the device contract (hw/device.h) ---- */

static struct bytechan *bytechan_of(struct device *dev)
{
	return (struct bytechan *)((char *)dev - offsetof(struct bytechan, dev));
}

static void bytechan_dev_reset(struct device *dev)
{
	bytechan_reset(bytechan_of(dev));
}

static int bytechan_dev_fdt_node(struct device *dev, void *fdt, int parent)
{
	return bytechan_fdt_node(bytechan_of(dev), fdt, parent, dev->fdt_intc, dev->fdt_irq[0],
				 dev->fdt_irq[1]) < 0 ? -1 : 0;
}

#define BC_STATE_TAG "BCHN"
#define BC_STATE_VERSION 1

/* The receive buffer the guest has not read yet; the lines follow from it and the host side. */
static int bytechan_dev_save(struct device *dev, struct state_writer *w)
{
	struct bytechan *bc = bytechan_of(dev);

	state_put_header(w, BC_STATE_TAG, BC_STATE_VERSION);
	state_put_u32(w, bc->handle);
	state_put_u32(w, bc->rx_head);
	state_put_u32(w, bc->rx_count);
	state_put_bytes(w, bc->rx, sizeof(bc->rx));
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

static int bytechan_dev_load(struct device *dev, struct state_reader *r)
{
	struct bytechan *bc = bytechan_of(dev);
	uint8_t rx[BYTECHAN_RX_SIZE];
	uint32_t head, count;

	if (state_get_header(r, BC_STATE_TAG) != BC_STATE_VERSION)
		return -EINVAL;
	if (state_get_u32(r) != bc->handle)
		state_fail(r);
	head = state_get_u32(r);
	count = state_get_u32(r);
	state_get_bytes(r, rx, sizeof(rx));
	if (head >= BYTECHAN_RX_SIZE || count > BYTECHAN_RX_SIZE)
		state_fail(r);
	if (!state_reader_ok(r))
		return -EINVAL;
	bc->rx_head = head;
	bc->rx_count = count;
	memcpy(bc->rx, rx, sizeof(rx));
	update_irq(bc);
	return 0;
}

static const struct device_ops bytechan_ops = {
	.name = "epapr,hv-byte-channel",
	.reset = bytechan_dev_reset,
	.fdt_node = bytechan_dev_fdt_node,
	.save = bytechan_dev_save,
	.load = bytechan_dev_load,
};
