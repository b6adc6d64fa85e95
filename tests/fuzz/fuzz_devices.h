/* SPDX-License-Identifier: MIT */
/* fuzz_devices.h - the four virtio devices over harmless host backends, shared by two harnesses. */
#ifndef HV440_FUZZ_DEVICES_H
#define HV440_FUZZ_DEVICES_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host/chardev.h"
#include "host/disk.h"
#include "host/loop.h"
#include "host/net.h"
#include "hw/virtio.h"
#include "hw/virtio_blk.h"
#include "hw/virtio_console.h"
#include "hw/virtio_net.h"
#include "hw/virtio_rng.h"

#define FUZZ_DISK_SIZE (64u << 10)

struct fuzz_devices {
	struct loop loop;
	struct virtio_dev *dev[4];   /* blk, rng, console, net */
	struct chardev *con_cd;      /* "null" chardev behind virtio-console */
	struct net_backend nb;       /* fake network: frames sent are read and dropped */
};

static volatile uint8_t fuzz_net_sum;

static int fuzz_net_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	uint8_t sum = 0;

	(void)nb;
	/* Touch every byte: ASan checks the device handed over a valid buffer. */
	for (size_t i = 0; i < len; i++)
		sum ^= frame[i];
	fuzz_net_sum = sum;
	return 0;
}

/* A transport's interrupt (virtio_pci_init() replaces it); the level is not looked at. */
static void fuzz_irq_update(struct virtio_dev *d)
{
	(void)d;
}

/* blk on a 64 KiB memfd disk, rng, console on a null chardev, net on the fake backend. */
static inline void fuzz_devices_create(struct fuzz_devices *fd, uint8_t *ram, uint64_t ram_size)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	char spec[64];
	struct disk *disk;
	int mfd;

	loop_init(&fd->loop);
	mfd = memfd_create("fuzz-disk", 0);
	if (mfd < 0 || ftruncate(mfd, FUZZ_DISK_SIZE) < 0)
		abort();
	snprintf(spec, sizeof(spec), "/proc/self/fd/%d,cache=unsafe", mfd);
	disk = disk_open(spec);
	if (!disk)
		abort();
	fd->dev[0] = virtio_blk_dev(virtio_blk_create(disk, 0, ram, ram_size));
	fd->dev[1] = virtio_rng_dev(virtio_rng_create(ram, ram_size));
	fd->con_cd = chardev_open("null", &fd->loop);
	if (!fd->con_cd)
		abort();
	fd->dev[2] = virtio_console_dev(virtio_console_create(fd->con_cd, ram, ram_size));
	fd->nb.send = fuzz_net_send;
	fd->nb.loop = &fd->loop;
	fd->dev[3] = virtio_net_dev(virtio_net_create(&fd->nb, mac, ram, ram_size));
	for (unsigned i = 0; i < 4; i++) {
		if (!fd->dev[i])
			abort();
		fd->dev[i]->irq_update = fuzz_irq_update;
	}
}

/* Host-side input: bytes typed at the console (as far as it takes them) or a received frame. */
static inline void fuzz_devices_input(struct fuzz_devices *fd, unsigned dev, const uint8_t *buf,
				      size_t len)
{
	const struct chardev_client *cl = &fd->con_cd->client;

	if (dev == 2 && cl->receive) {
		size_t room = cl->can_receive ? cl->can_receive(cl->opaque) : len;

		if (len > room)
			len = room;
		if (len)
			cl->receive(cl->opaque, buf, len);
	} else if (dev == 3 && fd->nb.client.receive) {
		fd->nb.client.receive(fd->nb.client.opaque, buf, len);
	}
}

#endif
