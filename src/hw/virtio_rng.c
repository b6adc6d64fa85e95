/* SPDX-License-Identifier: MIT */
/* virtio_rng.c - virtio entropy device (virtio 1.2, 5.4): fills buffers from getrandom(). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/random.h>

#include "hw/virtio_rng.h"

/*
 * Bytes per request at most: the device may use less than the whole buffer
 * (virtio 1.2, 5.4.6.1), and a chain of 256 descriptors over all of RAM
 * must not keep the vcpu thread in getrandom() for minutes.
 */
#define RNG_MAX_PER_REQUEST 65536u

struct virtio_rng {
	struct virtio_dev vdev;
	struct virtq_elem elem;
};

/* Fill the writable segments up to RNG_MAX_PER_REQUEST; returns the bytes written. */
static size_t fill(struct virtq_elem *e)
{
	size_t total = 0;
	unsigned i;

	for (i = 0; i < e->n_in && total < RNG_MAX_PER_REQUEST; i++) {
		uint8_t *p = e->in[i].iov_base;
		size_t left = e->in[i].iov_len;

		if (left > RNG_MAX_PER_REQUEST - total)
			left = RNG_MAX_PER_REQUEST - total;

		while (left) {
			ssize_t r = getrandom(p, left, 0);

			if (r < 0) {
				if (errno == EINTR)
					continue;
				return total;
			}
			p += r;
			left -= (size_t)r;
			total += (size_t)r;
		}
	}
	return total;
}

static void handle_queue(struct virtio_dev *d, struct virtqueue *vq)
{
	struct virtio_rng *r = d->opaque;
	bool pushed = false;

	while (virtq_pop(d, vq, &r->elem) > 0) {
		virtq_push(d, vq, &r->elem, (uint32_t)fill(&r->elem));
		pushed = true;
	}
	if (pushed)
		virtq_notify(d, vq);
}

static void config_read(struct virtio_dev *d, unsigned off, uint8_t *buf, unsigned len)
{
	(void)d;
	(void)off;
	(void)buf;
	(void)len;
}

static void rng_destroy(struct virtio_dev *d)
{
	virtio_rng_destroy((struct virtio_rng *)((char *)d - offsetof(struct virtio_rng, vdev)));
}

static const struct virtio_ops rng_ops = {
	.name = "virtio-rng",
	.destroy = rng_destroy,
	.config_read = config_read,
};

struct virtio_rng *virtio_rng_create(uint8_t *ram, uint64_t ram_size)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	virtio_init(&r->vdev, &rng_ops, r, VIRTIO_ID_RNG, 0, 0, 1, ram, ram_size);
	r->vdev.vq[0].handle = handle_queue;
	return r;
}

struct virtio_dev *virtio_rng_dev(struct virtio_rng *r)
{
	return &r->vdev;
}

void virtio_rng_destroy(struct virtio_rng *r)
{
	free(r);
}
