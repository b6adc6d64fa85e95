/* SPDX-License-Identifier: MIT */
/* virtio_rng.c - virtio entropy device (virtio 1.2, 5.4): fills buffers from getrandom(). */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "hw/virtio_rng.h"

struct virtio_rng {
	struct virtio_dev vdev;
	struct virtq_elem elem;
};

/* Fill every writable segment; returns the bytes written (short only if the host fails). */
static size_t fill(struct virtq_elem *e)
{
	size_t total = 0;
	unsigned i;

	for (i = 0; i < e->n_in; i++) {
		uint8_t *p = e->in[i].iov_base;
		size_t left = e->in[i].iov_len;

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

static const struct virtio_ops rng_ops = {
	.name = "virtio-rng",
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
