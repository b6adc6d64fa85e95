/* SPDX-License-Identifier: MIT */
/*
 * fuzz_virtq.c - libFuzzer harness for split-virtqueue processing by each
 * virtio device (hw/virtio.h): a hostile driver owns all of guest RAM.
 *
 * Input, in order (bytes past the end read as zero):
 *   device (1): 0 blk, 1 rng, 2 console, 3 net (mod 4)
 *   flags (1): bit 0 modern (else legacy PFN layout), 1 INDIRECT_DESC,
 *              2 EVENT_IDX, 3-4 queue number, 5 a host frame/bytes first
 *   queue size (2), desc / avail / used addresses (3 x 4), legacy PFN (4)
 *   notifies (1): how many times the queue is kicked (1..8)
 *   host input length (2) and bytes (console input or a received net frame)
 *   RAM (the rest): copied to guest physical 0 (64 KiB of RAM)
 * RAM is one malloc() of exactly its size, so ASan reports any device access
 * past it. Checked: no crash, no sanitizer report, and a device that reports
 * NEEDS_RESET comes back after a reset. HV440_FUZZ_VERBOSE=1 prints what
 * each input did (to check seeds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_devices.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE (64u << 10)

static uint8_t *ram;
static struct fuzz_devices fd;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	unsigned dev, qn, notifies;
	uint8_t flags, hbuf[2048];
	uint64_t features;
	uint16_t qsize, hlen;
	uint32_t desc, avail, used, pfn;
	struct virtio_dev *d;
	const uint8_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	if (!ram) {
		ram = malloc(RAM_SIZE);
		if (!ram)
			abort();
		fuzz_devices_create(&fd, ram, RAM_SIZE);
	}
	dev = fin_u8(&in) % 4;
	flags = fin_u8(&in);
	qsize = fin_u16(&in);
	desc = fin_u32(&in);
	avail = fin_u32(&in);
	used = fin_u32(&in);
	pfn = fin_u32(&in);
	notifies = fin_u8(&in) % 8 + 1;
	hlen = fin_u16(&in) % sizeof(hbuf);
	hlen = (uint16_t)fin_bytes(&in, hbuf, hlen);
	memset(ram, 0, RAM_SIZE);
	fin_bytes(&in, ram, fin_left(&in) < RAM_SIZE ? fin_left(&in) : RAM_SIZE);

	d = fd.dev[dev];
	qn = (flags >> 3) & 3;
	features = d->host_features;
	if (!(flags & 1))
		features &= ~(1ull << VIRTIO_F_VERSION_1);
	if (!(flags & 2))
		features &= ~(1ull << VIRTIO_RING_F_INDIRECT_DESC);
	if (!(flags & 4))
		features &= ~(1ull << VIRTIO_RING_F_EVENT_IDX);

	/* A driver's start-up (virtio 1.2, 3.1.1), with the fuzzer's rings. */
	virtio_set_status(d, 0);
	d->modern_access = flags & 1;
	d->guest_features = features;
	virtio_set_status(d, st);
	virtio_set_status(d, st | VIRTIO_STATUS_FEATURES_OK);
	if (qn < d->num_queues) {
		if (flags & 1) {
			d->vq[qn].size = qsize;
			d->vq[qn].desc = desc;
			d->vq[qn].avail = avail;
			d->vq[qn].used = used;
			virtio_queue_enable(d, qn);
		} else {
			d->vq[qn].size = VIRTIO_QUEUE_MAX;
			virtio_queue_set_legacy(d, qn, pfn);
		}
	}
	virtio_set_status(d, st | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	if (flags & 0x20)
		fuzz_devices_input(&fd, dev, hbuf, hlen);
	for (unsigned k = 0; k < notifies; k++)
		virtio_notify_queue(d, qn);
	if (!(flags & 0x20))
		fuzz_devices_input(&fd, dev, hbuf, hlen);
	loop_poll(&fd.loop, 0);

	if (getenv("HV440_FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz_virtq: %s queue %u ready %d used %u status 0x%x isr 0x%x\n",
			d->ops->name, qn, qn < d->num_queues && d->vq[qn].ready,
			qn < d->num_queues ? d->vq[qn].used_idx : 0, d->status, d->isr);
	/* Whatever the driver did, a reset brings the device back. */
	virtio_set_status(d, 0);
	if (d->status != 0) {
		fprintf(stderr, "fuzz_virtq: status 0x%x after reset\n", d->status);
		abort();
	}
	return 0;
}
