/* SPDX-License-Identifier: MIT */
/* virtio_rng.h - virtio entropy device fed by the host's getrandom(). */
#ifndef HV440_HW_VIRTIO_RNG_H
#define HV440_HW_VIRTIO_RNG_H

#include "hw/virtio.h"

struct virtio_rng;

struct virtio_rng *virtio_rng_create(uint8_t *ram, uint64_t ram_size);
struct virtio_dev *virtio_rng_dev(struct virtio_rng *r);
void virtio_rng_destroy(struct virtio_rng *r);

#endif
