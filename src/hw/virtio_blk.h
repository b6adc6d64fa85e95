/* SPDX-License-Identifier: MIT */
/* virtio_blk.h - virtio block device on a host disk image. */
#ifndef HV440_HW_VIRTIO_BLK_H
#define HV440_HW_VIRTIO_BLK_H

#include "host/disk.h"
#include "hw/virtio.h"

struct virtio_blk;

/* Takes ownership of disk; index names it in logs and GET_ID ("hv440-diskN"). */
struct virtio_blk *virtio_blk_create(struct disk *disk, unsigned index, uint8_t *ram,
				     uint64_t ram_size);
struct virtio_dev *virtio_blk_dev(struct virtio_blk *b);
struct disk *virtio_blk_disk(struct virtio_blk *b);
/*
 * check() is asked between pieces of I/O: true stops the queue (the vcpu
 * thread must stop). What is left waits for virtio_blk_resume(), which the
 * board calls when it polls the host.
 */
void virtio_blk_set_stop_check(struct virtio_blk *b, bool (*check)(void *opaque), void *opaque);
void virtio_blk_resume(struct virtio_blk *b);
/*
 * Before a snapshot: finish the request a stop left unfinished (it runs to
 * its end and is answered) and flush the image, so the saved queue holds
 * no request in flight and the file holds what the guest was told.
 */
void virtio_blk_drain(struct virtio_blk *b);
void virtio_blk_destroy(struct virtio_blk *b);

#endif
