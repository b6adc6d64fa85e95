/* SPDX-License-Identifier: MIT */
/* virtio_blk.c - virtio block device (virtio 1.2, 5.2) on a raw image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/virtio_blk.h"

/* Feature bits (virtio 1.2, 5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9

/* Request types and status (virtio 1.2, 5.2.6). */
#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20

#define SECTOR 512u
#define CONFIG_LEN 24     /* capacity, size_max, seg_max, geometry, blk_size */
#define SEG_MAX (VIRTQ_MAX_SEGS - 2)  /* header and status take two */

/*
 * Reads and writes go to the host in pieces of at most this much, with a
 * look at the stop check between them: a guest that queues 256 requests
 * of 64 MiB in one notify holds a stop (SIGTERM, Ctrl-A x) for one piece,
 * not for 16 GiB of I/O (docs/devices.md, "Stopping").
 */
#define IO_CHUNK (1u << 20)
#define STATUS_HELD 0xffu   /* do_request: interrupted by a stop, the request is held */

struct virtio_blk {
	struct virtio_dev vdev;
	struct disk *disk;
	unsigned index;
	struct virtq_elem elem;
	bool held;               /* elem is popped, unfinished, not used: a stop came */
	bool pending;            /* the queue may hold requests a stop left behind */
	size_t done;             /* bytes of held's data transferred so far */
	bool (*stop_check)(void *opaque);
	void *stop_opaque;
	struct iovec data[VIRTQ_MAX_SEGS];
	unsigned ro_warned;
};

static struct virtio_blk *blk_of(struct virtio_dev *d)
{
	return d->opaque;
}

static void config_read(struct virtio_dev *d, unsigned off, uint8_t *buf, unsigned len)
{
	struct virtio_blk *b = blk_of(d);
	uint8_t cfg[CONFIG_LEN];

	memset(cfg, 0, sizeof(cfg));
	virtio_put64(d, cfg + 0, b->disk->size / SECTOR);
	virtio_put32(d, cfg + 12, SEG_MAX);
	virtio_put32(d, cfg + 20, SECTOR);
	memcpy(buf, cfg + off, len);
}

/*
 * The segments covering bytes [skip, skip+len) of iov, into out; the
 * count. Pointers stay inside the chain's (already checked) buffers.
 */
static unsigned iov_slice(const struct iovec *iov, unsigned n, size_t skip, size_t len,
			  struct iovec *out)
{
	unsigned i, k = 0;

	for (i = 0; i < n && len; i++) {
		size_t l = iov[i].iov_len, c;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		c = l - skip < len ? l - skip : len;
		out[k++] = (struct iovec){ (uint8_t *)iov[i].iov_base + skip, c };
		len -= c;
		skip = 0;
	}
	return k;
}

static bool stopping(struct virtio_blk *b)
{
	return b->stop_check && b->stop_check(b->stop_opaque);
}

/*
 * Transfer bytes [b->done, len) of a request's data at byte offset pos of
 * the image, a piece at a time; STATUS_HELD when a stop comes first (the
 * request resumes from b->done), else the virtio status.
 */
static uint8_t transfer(struct virtio_blk *b, const struct iovec *iov, unsigned n, size_t skip,
			size_t len, uint64_t pos, bool write)
{
	while (b->done < len) {
		size_t piece = len - b->done < IO_CHUNK ? len - b->done : IO_CHUNK;
		unsigned k = iov_slice(iov, n, skip + b->done, piece, b->data);
		int err = write ? disk_pwritev(b->disk, b->data, k, pos + b->done)
				: disk_preadv(b->disk, b->data, k, pos + b->done);

		if (err)
			return VIRTIO_BLK_S_IOERR;
		b->done += piece;
		if (b->done < len && stopping(b))
			return STATUS_HELD;
	}
	return VIRTIO_BLK_S_OK;
}

/* One request; returns the status and sets *written to the bytes put in the in buffers. */
static uint8_t do_request(struct virtio_blk *b, struct virtq_elem *e, size_t *written)
{
	struct virtio_dev *d = &b->vdev;
	uint8_t hdr[16];
	uint32_t type;
	uint64_t sector;
	size_t len;
	uint8_t st;

	*written = 0;
	iov_to_buf(e->out, e->n_out, 0, hdr, sizeof(hdr));
	type = virtio_get32(d, hdr);
	sector = virtio_get64(d, hdr + 8);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		len = e->in_len - 1;
		if (len % SECTOR || sector > UINT64_MAX / SECTOR || len > b->disk->size ||
		    sector * SECTOR > b->disk->size - len)
			return VIRTIO_BLK_S_IOERR;
		st = transfer(b, e->in, e->n_in, 0, len, sector * SECTOR, false);
		if (st == VIRTIO_BLK_S_OK)
			*written = len;
		return st;
	case VIRTIO_BLK_T_OUT:
		len = e->out_len - sizeof(hdr);
		if (b->disk->readonly) {
			if (!b->ro_warned++)
				virtio_log(d, "disk %u is read-only: write refused", b->index);
			return VIRTIO_BLK_S_IOERR;
		}
		if (len % SECTOR || sector > UINT64_MAX / SECTOR || len > b->disk->size ||
		    sector * SECTOR > b->disk->size - len)
			return VIRTIO_BLK_S_IOERR;
		return transfer(b, e->out, e->n_out, sizeof(hdr), len, sector * SECTOR, true);
	case VIRTIO_BLK_T_FLUSH:
		/* Acknowledged only once the data is on stable storage. */
		return disk_flush(b->disk) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID: {
		char id[VIRTIO_BLK_ID_BYTES + 1];

		memset(id, 0, sizeof(id));
		snprintf(id, sizeof(id), "hv440-disk%u", b->index);
		*written = iov_from_buf(e->in, e->n_in, 0, id,
					e->in_len - 1 < VIRTIO_BLK_ID_BYTES ? e->in_len - 1
									    : VIRTIO_BLK_ID_BYTES);
		return VIRTIO_BLK_S_OK;
	}
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/*
 * Serve the queue until it is empty or a stop comes. A stop leaves the
 * requests not yet taken in the ring and an interrupted one held (popped,
 * not used: the driver has no answer for it, so nothing unfinished is ever
 * acknowledged); virtio_blk_resume() goes on from there.
 */
static void handle_queue(struct virtio_dev *d, struct virtqueue *vq)
{
	struct virtio_blk *b = blk_of(d);
	struct virtq_elem *e = &b->elem;
	bool pushed = false;

	for (;;) {
		uint8_t status;
		size_t written;

		if (!b->held) {
			if (stopping(b)) {
				b->pending = true;
				break;
			}
			if (virtq_pop(d, vq, e) <= 0)
				break;
			b->done = 0;
			/* virtio 1.2, 5.2.6: a 16-byte header to read and a status byte to write. */
			if (e->out_len < 16 || e->in_len < 1) {
				virtio_guest_error(d, "request without header or status byte "
						   "(out %zu, in %zu)", e->out_len, e->in_len);
				virtq_push(d, vq, e, 0);
				pushed = true;
				break;
			}
		}
		status = do_request(b, e, &written);
		if (status == STATUS_HELD) {
			b->held = true;
			b->pending = true;
			break;
		}
		b->held = false;
		iov_from_buf(e->in, e->n_in, e->in_len - 1, &status, 1);
		virtq_push(d, vq, e, (uint32_t)(written + 1));
		pushed = true;
	}
	if (pushed)
		virtq_notify(d, vq);
}

static void reset(struct virtio_dev *d)
{
	struct virtio_blk *b = blk_of(d);

	b->held = false;
	b->pending = false;
	b->done = 0;
}

void virtio_blk_set_stop_check(struct virtio_blk *b, bool (*check)(void *opaque), void *opaque)
{
	b->stop_check = check;
	b->stop_opaque = opaque;
}

void virtio_blk_resume(struct virtio_blk *b)
{
	struct virtio_dev *d = &b->vdev;

	if (!b->pending || !(d->status & VIRTIO_STATUS_DRIVER_OK) || stopping(b))
		return;
	b->pending = false;
	handle_queue(d, &d->vq[0]);
}

void virtio_blk_drain(struct virtio_blk *b)
{
	struct virtio_dev *d = &b->vdev;
	bool (*check)(void *opaque) = b->stop_check;

	if (b->held) {
		uint8_t status;
		size_t written;

		/* No stop may interrupt it now: the request runs to its end and is answered. */
		b->stop_check = NULL;
		status = do_request(b, &b->elem, &written);
		b->stop_check = check;
		b->held = false;
		iov_from_buf(b->elem.in, b->elem.n_in, b->elem.in_len - 1, &status, 1);
		virtq_push(d, &d->vq[0], &b->elem, (uint32_t)(written + 1));
		virtq_notify(d, &d->vq[0]);
	}
	/* What the guest was told is written is in the image, for whoever opens it next. */
	disk_flush(b->disk);
}

/* Nothing of its own once drained: requests not yet taken stay in the ring. */
static int blk_save(struct virtio_dev *d, struct state_writer *w)
{
	(void)w;
	return blk_of(d)->held ? -EBUSY : 0;
}

static int blk_load(struct virtio_dev *d, struct state_reader *r)
{
	struct virtio_blk *b = blk_of(d);

	(void)r;
	b->held = false;
	b->done = 0;
	b->pending = true; /* the ring may hold requests the saved machine had not taken yet */
	return 0;
}

static void blk_destroy(struct virtio_dev *d)
{
	virtio_blk_destroy(blk_of(d));
}

static const struct virtio_ops blk_ops = {
	.name = "virtio-blk",
	.destroy = blk_destroy,
	.config_read = config_read,
	.reset = reset,
	.save = blk_save,
	.load = blk_load,
};

struct virtio_blk *virtio_blk_create(struct disk *disk, unsigned index, uint8_t *ram,
				     uint64_t ram_size)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	uint64_t features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE;

	if (!b)
		return NULL;
	b->disk = disk;
	b->index = index;
	if (disk->readonly)
		features |= 1ull << VIRTIO_BLK_F_RO;
	if (disk->cache != DISK_CACHE_WRITETHROUGH)
		features |= 1ull << VIRTIO_BLK_F_FLUSH;
	virtio_init(&b->vdev, &blk_ops, b, VIRTIO_ID_BLOCK, features, CONFIG_LEN, 1, ram, ram_size);
	b->vdev.vq[0].handle = handle_queue;
	return b;
}

struct virtio_dev *virtio_blk_dev(struct virtio_blk *b)
{
	return &b->vdev;
}

struct disk *virtio_blk_disk(struct virtio_blk *b)
{
	return b->disk;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (!b)
		return;
	disk_close(b->disk);
	free(b);
}
