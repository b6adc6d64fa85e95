/* SPDX-License-Identifier: MIT */
/* virtio_net.c - virtio network device (virtio 1.2, 5.1): one rx/tx queue pair, no offloads. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hw/virtio_net.h"

#define VIRTIO_NET_F_MAC    5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

#define RX_QUEUE 0
#define TX_QUEUE 1
#define CONFIG_LEN 8          /* mac[6], status */
#define FRAME_MAX 65550       /* what a TAP may hand us; far above the guest's 1500 MTU */
#define BACKLOG 64            /* frames held while the guest has no receive buffers */

struct virtio_net {
	struct virtio_dev vdev;
	struct net_backend *nb;
	uint8_t mac[6];
	/* Separate: sending a frame can make slirp answer at once, inside handle_tx. */
	struct virtq_elem rx_elem, tx_elem;
	uint8_t frame[FRAME_MAX + 12];
	struct {
		uint8_t *data;
		size_t len;
	} backlog[BACKLOG];
	unsigned bl_head, bl_count;
	uint64_t dropped;
};

/* virtio-net header: 12 bytes with VERSION_1 (num_buffers included), 10 for legacy. */
static size_t hdr_len(const struct virtio_dev *d)
{
	return virtio_is_modern(d) ? 12 : 10;
}

static void config_read(struct virtio_dev *d, unsigned off, uint8_t *buf, unsigned len)
{
	struct virtio_net *n = d->opaque;
	uint8_t cfg[CONFIG_LEN];

	memcpy(cfg, n->mac, 6);
	virtio_put16(d, cfg + 6, VIRTIO_NET_S_LINK_UP);
	memcpy(buf, cfg + off, len);
}

/* Put one frame in the next receive buffer: false when there is none. */
static bool deliver(struct virtio_net *n, const uint8_t *frame, size_t len)
{
	struct virtio_dev *d = &n->vdev;
	struct virtqueue *vq = &d->vq[RX_QUEUE];
	uint8_t hdr[12];
	size_t h = hdr_len(d), copied;

	if (!(d->status & VIRTIO_STATUS_DRIVER_OK) || virtq_pop(d, vq, &n->rx_elem) <= 0)
		return false;
	/* No offloads negotiated: flags 0, GSO none; num_buffers 1 (virtio 1.2, 5.1.6.4). */
	memset(hdr, 0, sizeof(hdr));
	if (h == 12)
		virtio_put16(d, hdr + 10, 1);
	if (n->rx_elem.in_len < h + len) {
		/* The driver gave a buffer too small for the frame: drop it, give the buffer back. */
		n->dropped++;
		virtq_push(d, vq, &n->rx_elem, 0);
		virtq_notify(d, vq);
		return true;
	}
	iov_from_buf(n->rx_elem.in, n->rx_elem.n_in, 0, hdr, h);
	copied = iov_from_buf(n->rx_elem.in, n->rx_elem.n_in, h, frame, len);
	virtq_push(d, vq, &n->rx_elem, (uint32_t)(h + copied));
	virtq_notify(d, vq);
	return true;
}

static void flush_backlog(struct virtio_net *n)
{
	while (n->bl_count) {
		unsigned i = n->bl_head;

		if (!deliver(n, n->backlog[i].data, n->backlog[i].len))
			return;
		free(n->backlog[i].data);
		n->backlog[i].data = NULL;
		n->bl_head = (i + 1) % BACKLOG;
		n->bl_count--;
	}
}

/* A frame from the host network. */
static void receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct virtio_net *n = opaque;
	unsigned i;

	if (!n->bl_count && deliver(n, frame, len))
		return;
	if (n->bl_count == BACKLOG || !(n->vdev.status & VIRTIO_STATUS_DRIVER_OK)) {
		n->dropped++;
		return;
	}
	i = (n->bl_head + n->bl_count) % BACKLOG;
	n->backlog[i].data = malloc(len);
	if (!n->backlog[i].data) {
		n->dropped++;
		return;
	}
	memcpy(n->backlog[i].data, frame, len);
	n->backlog[i].len = len;
	n->bl_count++;
	flush_backlog(n);
}

static void handle_rx(struct virtio_dev *d, struct virtqueue *vq)
{
	(void)vq;
	flush_backlog(d->opaque);
}

static void handle_tx(struct virtio_dev *d, struct virtqueue *vq)
{
	struct virtio_net *n = d->opaque;
	size_t h = hdr_len(d);
	bool pushed = false;

	while (virtq_pop(d, vq, &n->tx_elem) > 0) {
		size_t len = n->tx_elem.out_len > h ? n->tx_elem.out_len - h : 0;

		if (len > FRAME_MAX)
			len = FRAME_MAX;
		if (len) {
			iov_to_buf(n->tx_elem.out, n->tx_elem.n_out, h, n->frame, len);
			n->nb->send(n->nb, n->frame, len);
		}
		virtq_push(d, vq, &n->tx_elem, 0);
		pushed = true;
	}
	if (pushed)
		virtq_notify(d, vq);
}

static void drop_backlog(struct virtio_net *n)
{
	while (n->bl_count) {
		free(n->backlog[n->bl_head].data);
		n->backlog[n->bl_head].data = NULL;
		n->bl_head = (n->bl_head + 1) % BACKLOG;
		n->bl_count--;
	}
}

static void reset(struct virtio_dev *d)
{
	drop_backlog(d->opaque);
}

/*
 * The Ethernet address the guest knows; frames waiting for receive buffers
 * are not kept (a frame lost in flight, which the guest's protocols
 * recover from, as after a short link outage).
 */
static int net_save(struct virtio_dev *d, struct state_writer *w)
{
	struct virtio_net *n = d->opaque;

	state_put_bytes(w, n->mac, 6);
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

static int net_load(struct virtio_dev *d, struct state_reader *r)
{
	struct virtio_net *n = d->opaque;
	uint8_t mac[6];

	state_get_bytes(r, mac, 6);
	if (!state_reader_ok(r) || memcmp(mac, n->mac, 6))
		return -EINVAL;
	drop_backlog(n);
	return 0;
}

static void net_destroy(struct virtio_dev *d)
{
	virtio_net_destroy((struct virtio_net *)((char *)d - offsetof(struct virtio_net, vdev)));
}

static const struct virtio_ops net_ops = {
	.name = "virtio-net",
	.destroy = net_destroy,
	.config_read = config_read,
	.reset = reset,
	.save = net_save,
	.load = net_load,
};

struct virtio_net *virtio_net_create(struct net_backend *nb, const uint8_t mac[6], uint8_t *ram,
				     uint64_t ram_size)
{
	struct virtio_net *n = calloc(1, sizeof(*n));
	struct net_client client;

	if (!n)
		return NULL;
	n->nb = nb;
	memcpy(n->mac, mac, 6);
	virtio_init(&n->vdev, &net_ops, n, VIRTIO_ID_NET,
		    1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS, CONFIG_LEN, 2, ram, ram_size);
	n->vdev.vq[RX_QUEUE].handle = handle_rx;
	n->vdev.vq[TX_QUEUE].handle = handle_tx;
	client = (struct net_client){ .opaque = n, .receive = receive };
	net_set_client(nb, &client);
	return n;
}

struct virtio_dev *virtio_net_dev(struct virtio_net *n)
{
	return &n->vdev;
}

struct net_backend *virtio_net_backend(struct virtio_net *n)
{
	return n->nb;
}

void virtio_net_destroy(struct virtio_net *n)
{
	if (!n)
		return;
	drop_backlog(n);
	net_close(n->nb);
	free(n);
}
