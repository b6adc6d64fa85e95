/* SPDX-License-Identifier: MIT */
/* virtio_console.c - virtio console (virtio 1.2, 5.3): port 0 only, no multiport. */
#include <stddef.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "hw/virtio_console.h"

#define RX_QUEUE 0
#define TX_QUEUE 1
#define CONFIG_LEN 12     /* cols, rows, max_nr_ports, emerg_wr */
/*
 * Bytes sent from one transmit chain at most. Linux hands the device at most
 * 32 KiB (a write) or a pipe's worth (a splice, 1 MiB unless root raised it);
 * a chain of 256 descriptors over all of RAM (up to 512 GiB, in 256 such
 * chains per notify) would otherwise hold the vcpu thread for many minutes.
 */
#define TX_MAX (1u << 20)

struct virtio_console {
	struct virtio_dev vdev;
	struct chardev *chr;
	struct virtq_elem rx;     /* a receive buffer taken off the queue, not yet filled */
	bool rx_held;
	struct virtq_elem tx;
	bool tx_held;             /* tx was popped and is not all written: the host side was full */
	size_t tx_off;            /* bytes of tx written so far */
	uint8_t buf[4096];
};

/* Hold the next receive buffer; its size is what the guest can take now. */
static size_t can_receive(void *opaque)
{
	struct virtio_console *c = opaque;
	struct virtio_dev *d = &c->vdev;

	if (!(d->status & VIRTIO_STATUS_DRIVER_OK))
		return 0;
	if (!c->rx_held)
		c->rx_held = virtq_pop(d, &d->vq[RX_QUEUE], &c->rx) > 0;
	return c->rx_held ? c->rx.in_len : 0;
}

static void receive(void *opaque, const uint8_t *buf, size_t len)
{
	struct virtio_console *c = opaque;
	struct virtio_dev *d = &c->vdev;
	size_t n;

	if (!c->rx_held && !can_receive(c))
		return;
	n = iov_from_buf(c->rx.in, c->rx.n_in, 0, buf, len);
	virtq_push(d, &d->vq[RX_QUEUE], &c->rx, (uint32_t)n);
	c->rx_held = false;
	virtq_notify(d, &d->vq[RX_QUEUE]);
}

static void handle_rx(struct virtio_dev *d, struct virtqueue *vq)
{
	struct virtio_console *c = d->opaque;

	(void)vq;
	chardev_kick(c->chr);  /* new buffers: deliver input the chardev held back */
}

/*
 * Send transmit chains to the chardev. When the host side is full (a slow
 * reader), the chain is held, unfinished and not yet used, and the queue
 * waits: the driver sees its buffer still in flight, as with a slow
 * device, and nothing is dropped. write_ready resumes here.
 */
static void handle_tx(struct virtio_dev *d, struct virtqueue *vq)
{
	struct virtio_console *c = d->opaque;
	bool pushed = false;

	for (;;) {
		size_t limit, n, w;

		if (!c->tx_held) {
			if (virtq_pop(d, vq, &c->tx) <= 0)
				break;
			c->tx_held = true;
			c->tx_off = 0;
			if (c->tx.out_len > TX_MAX)
				virtio_log(d, "transmit chain of %zu bytes: only the first %u sent",
					   c->tx.out_len, TX_MAX);
		}
		limit = c->tx.out_len < TX_MAX ? c->tx.out_len : TX_MAX;
		w = n = 0;
		while (c->tx_off < limit) {
			n = iov_to_buf(c->tx.out, c->tx.n_out, c->tx_off, c->buf,
				       sizeof(c->buf) < limit - c->tx_off ? sizeof(c->buf) : limit - c->tx_off);
			if (!n)
				break;
			w = chardev_write(c->chr, c->buf, n);
			c->tx_off += w;
			if (w < n)
				break;
		}
		if (w < n)
			break;  /* held: chardev calls write_ready when there is room */
		virtq_push(d, vq, &c->tx, 0);
		c->tx_held = false;
		pushed = true;
	}
	if (pushed)
		virtq_notify(d, vq);
}

static void write_ready(void *opaque)
{
	struct virtio_console *c = opaque;
	struct virtio_dev *d = &c->vdev;

	if (c->tx_held && (d->status & VIRTIO_STATUS_DRIVER_OK))
		handle_tx(d, &d->vq[TX_QUEUE]);
}

static void config_read(struct virtio_dev *d, unsigned off, uint8_t *buf, unsigned len)
{
	uint8_t cfg[CONFIG_LEN];

	memset(cfg, 0, sizeof(cfg));
	virtio_put16(d, cfg + 0, 80);
	virtio_put16(d, cfg + 2, 25);
	virtio_put32(d, cfg + 4, 1);
	memcpy(buf, cfg + off, len);
}

static void reset(struct virtio_dev *d)
{
	struct virtio_console *c = d->opaque;

	c->rx_held = false;
	c->tx_held = false;
}

/*
 * A held receive chain was taken but not written; a held transmit chain is
 * written up to tx_off. Both are the last chain taken from their queue, so
 * a load takes them again from the loaded ring.
 */
static int console_save(struct virtio_dev *d, struct state_writer *w)
{
	struct virtio_console *c = d->opaque;

	state_put_u8(w, c->rx_held);
	state_put_u8(w, c->tx_held);
	state_put_u32(w, c->tx_held ? (uint32_t)c->tx_off : 0);
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

static int console_load(struct virtio_dev *d, struct state_reader *r)
{
	struct virtio_console *c = d->opaque;
	bool rx = state_get_bool(r), tx = state_get_bool(r);
	uint32_t off = state_get_u32(r);

	if (!state_reader_ok(r))
		return -EINVAL;
	c->rx_held = rx && virtq_pop_again(d, &d->vq[RX_QUEUE], &c->rx);
	c->tx_held = tx && virtq_pop_again(d, &d->vq[TX_QUEUE], &c->tx);
	if ((rx && !c->rx_held) || (tx && (!c->tx_held || off > c->tx.out_len))) {
		c->rx_held = c->tx_held = false;
		return -EINVAL;
	}
	c->tx_off = off;
	return 0;
}

static void driver_ok(struct virtio_dev *d)
{
	struct virtio_console *c = d->opaque;

	chardev_kick(c->chr);
}

static void console_destroy(struct virtio_dev *d)
{
	virtio_console_destroy((struct virtio_console *)((char *)d - offsetof(struct virtio_console, vdev)));
}

static const struct virtio_ops console_ops = {
	.name = "virtio-console",
	.destroy = console_destroy,
	.config_read = config_read,
	.reset = reset,
	.driver_ok = driver_ok,
	.save = console_save,
	.load = console_load,
};

struct virtio_console *virtio_console_create(struct chardev *chr, uint8_t *ram, uint64_t ram_size)
{
	struct virtio_console *c = calloc(1, sizeof(*c));
	struct chardev_client client;

	if (!c)
		return NULL;
	c->chr = chr;
	virtio_init(&c->vdev, &console_ops, c, VIRTIO_ID_CONSOLE, 0, CONFIG_LEN, 2, ram, ram_size);
	c->vdev.vq[RX_QUEUE].handle = handle_rx;
	c->vdev.vq[TX_QUEUE].handle = handle_tx;
	client = (struct chardev_client){ .opaque = c, .can_receive = can_receive, .receive = receive,
					  .write_ready = write_ready };
	chardev_set_client(chr, &client);
	return c;
}

struct virtio_dev *virtio_console_dev(struct virtio_console *c)
{
	return &c->vdev;
}

void virtio_console_destroy(struct virtio_console *c)
{
	free(c);
}
