/* SPDX-License-Identifier: MIT */
/* test_virtio.c - unit tests of virtqueues and virtio-blk against a hostile driver, RAM fenced by guard pages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host/disk.h"
#include "hw/virtio_blk.h"
#include "hw/virtio_pci.h"

#include "check.h"

/* Guest RAM with an inaccessible page on each side: any stray access faults. */
#define RAM_SIZE (1u << 20)
#define PAGE 4096u
static uint8_t *ram;

#define DESC  0x10000u
#define AVAIL 0x11000u
#define USED  0x12000u
#define QSIZE 16u
#define HDR   0x20000u
#define DATA  0x21000u
#define STAT  0x22000u
#define ITAB  0x23000u

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

static bool modern = true;   /* ring byte order: LE (modern) or BE (legacy) */

static void st16(uint32_t a, uint16_t v)
{
	if (modern) {
		ram[a] = (uint8_t)v;
		ram[a + 1] = (uint8_t)(v >> 8);
	} else {
		ram[a] = (uint8_t)(v >> 8);
		ram[a + 1] = (uint8_t)v;
	}
}

static void st32(uint32_t a, uint32_t v)
{
	st16(a + (modern ? 0 : 2), (uint16_t)v);
	st16(a + (modern ? 2 : 0), (uint16_t)(v >> 16));
}

static void st64(uint32_t a, uint64_t v)
{
	st32(a + (modern ? 0 : 4), (uint32_t)v);
	st32(a + (modern ? 4 : 0), (uint32_t)(v >> 32));
}

static uint16_t ld16(uint32_t a)
{
	return modern ? (uint16_t)(ram[a] | ram[a + 1] << 8) : (uint16_t)(ram[a] << 8 | ram[a + 1]);
}

static uint32_t ld32(uint32_t a)
{
	return modern ? ld16(a) | (uint32_t)ld16(a + 2) << 16 : (uint32_t)ld16(a) << 16 | ld16(a + 2);
}

static void desc(uint32_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint32_t p = table + 16 * i;

	st64(p, addr);
	st32(p + 8, len);
	st16(p + 12, flags);
	st16(p + 14, next);
}

static uint16_t avail_idx;

static void make_avail(uint16_t head)
{
	st16(AVAIL + 4 + 2 * (avail_idx % QSIZE), head);
	avail_idx++;
	st16(AVAIL + 2, avail_idx);
}

static struct virtio_blk *blk;
static struct virtio_dev *d;
static struct virtio_pci pci;
static char path[] = "/tmp/hv440-test-virtio-XXXXXX";

/* A driver's start-up (virtio 1.2, 3.1.1) on queue 0 with our ring addresses. */
static bool setup(uint64_t features, uint16_t size, uint64_t desc_at)
{
	virtio_set_status(d, 0);
	avail_idx = 0;
	memset(ram + DESC, 0, 3 * PAGE);
	d->modern_access = modern;
	d->guest_features = features;
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!modern) {
		d->vq[0].size = VIRTIO_QUEUE_MAX;
		virtio_queue_set_legacy(d, 0, DESC >> 12);
	} else {
		d->vq[0].size = size;
		d->vq[0].desc = desc_at;
		d->vq[0].avail = AVAIL;
		d->vq[0].used = USED;
		virtio_queue_enable(d, 0);
	}
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	return d->vq[0].ready;
}

static const uint64_t all = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_RING_F_INDIRECT_DESC |
			    1ull << VIRTIO_RING_F_EVENT_IDX;

static void blk_header(uint32_t type, uint64_t sector)
{
	st32(HDR, type);
	st32(HDR + 4, 0);
	st64(HDR + 8, sector);
}

static bool needs_reset(void)
{
	return d->status & VIRTIO_STATUS_NEEDS_RESET;
}

static uint16_t used_idx(void)
{
	return ld16(USED + 2);
}

static void test_good_requests(void)
{
	uint8_t buf[512];

	CHECK(setup(all, QSIZE, DESC));
	/* Read sector 1 (the file holds the byte value (offset / 512) in each sector). */
	blk_header(0, 1);
	desc(DESC, 0, HDR, 16, F_NEXT, 1);
	desc(DESC, 1, DATA, 512, F_NEXT | F_WRITE, 2);
	desc(DESC, 2, STAT, 1, F_WRITE, 0);
	ram[STAT] = 0xff;
	make_avail(0);
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 1 && ld32(USED + 4) == 0 && ld32(USED + 8) == 513);
	CHECK(ram[STAT] == 0 && ram[DATA] == 1 && ram[DATA + 511] == 1);
	CHECK(d->isr & VIRTIO_ISR_QUEUE);
	d->isr = 0;

	/* Write sector 3 through an indirect table. */
	memset(ram + DATA, 0xab, 512);
	blk_header(1, 3);
	desc(ITAB, 0, HDR, 16, F_NEXT, 1);
	desc(ITAB, 1, DATA, 512, F_NEXT, 2);
	desc(ITAB, 2, STAT, 1, F_WRITE, 0);
	desc(DESC, 3, ITAB, 48, F_INDIRECT, 0);
	make_avail(3);
	/* Event idx: used_event = 5 suppresses the interrupt for used idx 2. */
	st16(AVAIL + 4 + 2 * QSIZE, 5);
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 2 && ram[STAT] == 0 && !needs_reset());
	CHECK(!(d->isr & VIRTIO_ISR_QUEUE));
	{
		int fd = open(path, O_RDONLY);

		CHECK(pread(fd, buf, 512, 3 * 512) == 512 && buf[0] == 0xab);
		close(fd);
	}
	/* The device asks to be notified at the next entry (avail_event). */
	CHECK(ld16(USED + 4 + 8 * QSIZE) == 2);

	/* FLUSH, GET_ID, an unknown type. */
	blk_header(4, 0);
	desc(DESC, 4, HDR, 16, F_NEXT, 5);
	desc(DESC, 5, STAT, 1, F_WRITE, 0);
	make_avail(4);
	st16(AVAIL + 4 + 2 * QSIZE, 2);  /* used_event = 2: interrupt when used idx passes 2 */
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 3 && ram[STAT] == 0 && (d->isr & VIRTIO_ISR_QUEUE));
	blk_header(8, 0);
	desc(DESC, 6, HDR, 16, F_NEXT, 7);
	desc(DESC, 7, DATA, 20, F_NEXT | F_WRITE, 8);
	desc(DESC, 8, STAT, 1, F_WRITE, 0);
	make_avail(6);
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 4 && ram[STAT] == 0 && !memcmp(ram + DATA, "hv440-disk0", 12));
	blk_header(77, 0);
	make_avail(4);
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 5 && ram[STAT] == 2);
	/* Past the end of the disk: an I/O error, not a crash. */
	blk_header(0, 1ull << 40);
	make_avail(0);
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 6 && ram[STAT] == 1 && !needs_reset());
	/* Zero-length data descriptor on a write: nothing written, OK. */
	blk_header(1, 0);
	desc(DESC, 9, HDR, 16, F_NEXT, 10);
	desc(DESC, 10, DATA, 0, F_NEXT, 11);
	desc(DESC, 11, STAT, 1, F_WRITE, 0);
	make_avail(9);
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 7 && ram[STAT] == 0 && !needs_reset());
}

/* Each hostile chain: NEEDS_RESET, nothing used, and a reset brings the device back. */
static void expect_broken(const char *what)
{
	bool ok = needs_reset() && used_idx() == 0;

	CHECK(ok);
	if (!ok)
		fprintf(stderr, "  case: %s\n", what);
	/* A broken device does nothing more until reset. */
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 0);
}

static void test_hostile(void)
{
	/* Buffer outside RAM. */
	setup(all, QSIZE, DESC);
	blk_header(0, 0);
	desc(DESC, 0, HDR, 16, F_NEXT, 1);
	desc(DESC, 1, RAM_SIZE - 256, 512, F_NEXT | F_WRITE, 2);
	desc(DESC, 2, STAT, 1, F_WRITE, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("buffer straddles the end of RAM");

	setup(all, QSIZE, DESC);
	desc(DESC, 0, 0xfffffffffffff000ull, 16, F_NEXT, 1);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("address wraps");

	/* Huge length. */
	setup(all, QSIZE, DESC);
	desc(DESC, 0, HDR, 0xffffffffu, 0, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("huge length");

	/* Loop: 0 -> 1 -> 0. */
	setup(all, QSIZE, DESC);
	desc(DESC, 0, HDR, 16, F_NEXT, 1);
	desc(DESC, 1, DATA, 16, F_NEXT, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("descriptor loop");

	/* Self loop inside an indirect table. */
	setup(all, QSIZE, DESC);
	desc(ITAB, 0, HDR, 16, F_NEXT, 0);
	desc(DESC, 0, ITAB, 16, F_INDIRECT, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("indirect loop");

	/* Nested indirect, bad table length, table outside RAM, indirect not negotiated. */
	setup(all, QSIZE, DESC);
	desc(ITAB, 0, ITAB, 16, F_INDIRECT, 0);
	desc(DESC, 0, ITAB, 16, F_INDIRECT, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("nested indirect");
	setup(all, QSIZE, DESC);
	desc(DESC, 0, ITAB, 20, F_INDIRECT, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("indirect length 20");
	setup(all, QSIZE, DESC);
	desc(DESC, 0, RAM_SIZE - 16, 32, F_INDIRECT, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("indirect table outside RAM");
	setup(1ull << VIRTIO_F_VERSION_1, QSIZE, DESC);
	desc(DESC, 0, ITAB, 16, F_INDIRECT, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("indirect not negotiated");

	/* Head and next indices out of range; avail index running ahead. */
	setup(all, QSIZE, DESC);
	make_avail(QSIZE);
	virtio_notify_queue(d, 0);
	expect_broken("head out of range");
	setup(all, QSIZE, DESC);
	desc(DESC, 0, HDR, 16, F_NEXT, 999);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("next out of range");
	setup(all, QSIZE, DESC);
	st16(AVAIL + 2, QSIZE + 1);
	virtio_notify_queue(d, 0);
	expect_broken("avail idx ahead by more than the queue");

	/* Writable then readable. */
	setup(all, QSIZE, DESC);
	desc(DESC, 0, STAT, 1, F_NEXT | F_WRITE, 1);
	desc(DESC, 1, HDR, 16, 0, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	expect_broken("readable after writable");

	/* A request without header or status. */
	setup(all, QSIZE, DESC);
	desc(DESC, 0, HDR, 8, 0, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	CHECK(needs_reset());

	/* Bad queue sizes and rings outside RAM never become ready. */
	CHECK(!setup(all, 3, DESC) && needs_reset());
	CHECK(!setup(all, 512, DESC));
	CHECK(!setup(all, 0, DESC));
	CHECK(!setup(all, QSIZE, RAM_SIZE - 16 * QSIZE + 16));
	/* Notify of a queue that does not exist. */
	setup(all, QSIZE, DESC);
	virtio_notify_queue(d, 3);
	CHECK(needs_reset());
	/* Reset clears NEEDS_RESET and the queue. */
	virtio_set_status(d, 0);
	CHECK(d->status == 0 && !d->vq[0].ready && d->isr == 0);
	/* Features we did not offer: FEATURES_OK does not stick. */
	virtio_set_status(d, 0);
	d->guest_features = 1ull << 40;
	virtio_set_status(d, VIRTIO_STATUS_FEATURES_OK);
	CHECK(!(d->status & VIRTIO_STATUS_FEATURES_OK));
}

static void test_legacy(void)
{
	modern = false;
	CHECK(setup(1ull << VIRTIO_RING_F_INDIRECT_DESC, QSIZE, 0));
	/* Legacy layout: desc at PFN, avail after 256 descriptors, used on the next page. */
	CHECK(d->vq[0].desc == DESC && d->vq[0].avail == DESC + 16 * 256 &&
	      d->vq[0].used == ((DESC + 16 * 256 + 6 + 2 * 256 + 4095) & ~4095u));
	{
		uint32_t avail = (uint32_t)d->vq[0].avail, used = (uint32_t)d->vq[0].used;

		blk_header(0, 2);
		desc(DESC, 0, HDR, 16, F_NEXT, 1);
		desc(DESC, 1, DATA, 512, F_NEXT | F_WRITE, 2);
		desc(DESC, 2, STAT, 1, F_WRITE, 0);
		ram[STAT] = 0xff;
		st16(avail + 4, 0);
		st16(avail + 2, 1);
		virtio_notify_queue(d, 0);
		CHECK(ld16(used + 2) == 1 && ld32(used + 8) == 513 && ram[STAT] == 0 && ram[DATA] == 2);
	}
	modern = true;
}

static void test_readonly(void)
{
	struct disk *ro;
	char spec[64];

	virtio_blk_destroy(blk);
	snprintf(spec, sizeof(spec), "%s,readonly=on", path);
	ro = disk_open(spec);
	CHECK(ro != NULL);
	if (!ro)
		return;
	blk = virtio_blk_create(ro, 0, ram, RAM_SIZE);
	d = virtio_blk_dev(blk);
	virtio_pci_init(&pci, d);
	CHECK(d->host_features & (1ull << 5));  /* VIRTIO_BLK_F_RO */
	setup(all, QSIZE, DESC);
	memset(ram + DATA, 0x5a, 512);
	blk_header(1, 0);
	desc(DESC, 0, HDR, 16, F_NEXT, 1);
	desc(DESC, 1, DATA, 512, F_NEXT, 2);
	desc(DESC, 2, STAT, 1, F_WRITE, 0);
	make_avail(0);
	virtio_notify_queue(d, 0);
	CHECK(used_idx() == 1 && ram[STAT] == 1 && !needs_reset());  /* VIRTIO_BLK_S_IOERR */
	{
		uint8_t b = 0xee;
		int fd = open(path, O_RDONLY);

		CHECK(pread(fd, &b, 1, 0) == 1 && b == 0);
		close(fd);
	}
}

static void test_lock(void)
{
	struct disk *a = disk_open(path), *b;

	/* blk still holds a read lock: a writer is refused, a second reader is fine. */
	CHECK(a == NULL);
	b = disk_open(path);
	CHECK(b == NULL);
	{
		char spec[64];

		snprintf(spec, sizeof(spec), "%s,ro", path);
		b = disk_open(spec);
		CHECK(b != NULL);
		disk_close(b);
	}
	CHECK(disk_open("/nonexistent/disk.img") == NULL);
	CHECK(disk_open("x,cache=bogus") == NULL);
}

int main(void)
{
	uint8_t *map = mmap(NULL, RAM_SIZE + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t sector[512];
	struct disk *disk;
	int fd;
	unsigned i;

	if (map == MAP_FAILED)
		return 1;
	ram = map + PAGE;
	mprotect(ram, RAM_SIZE, PROT_READ | PROT_WRITE);

	fd = mkstemp(path);
	for (i = 0; i < 64; i++) {
		memset(sector, (int)i, sizeof(sector));
		if (write(fd, sector, sizeof(sector)) != (ssize_t)sizeof(sector))
			return 1;
	}
	close(fd);
	disk = disk_open(path);
	CHECK(disk != NULL);
	if (!disk)
		return 1;
	blk = virtio_blk_create(disk, 0, ram, RAM_SIZE);
	d = virtio_blk_dev(blk);
	virtio_pci_init(&pci, d);

	fprintf(stderr, "(guest-error lines below are expected)\n");
	test_good_requests();
	test_hostile();
	test_legacy();
	test_readonly();
	test_lock();
	virtio_blk_destroy(blk);
	unlink(path);
	printf("test_virtio: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
