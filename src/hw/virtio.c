/* SPDX-License-Identifier: MIT */
/* virtio.c - virtio device core: status and feature negotiation, bounds-checked split virtqueues. */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "hw/virtio.h"
#include "util/byteorder.h"
#include "util/log.h"

/* Split virtqueue layout (virtio 1.2, 2.7). */
#define VIRTQ_DESC_F_NEXT      1
#define VIRTQ_DESC_F_WRITE     2
#define VIRTQ_DESC_F_INDIRECT  4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define DESC_SIZE 16

__attribute__((format(printf, 3, 0)))
static void vlog(struct virtio_dev *d, const char *kind, const char *fmt, va_list ap)
{
	char who[64];

	if (d->log_count >= LOG_LIMIT)
		return; /* spent: not even the prefix is formatted */
	snprintf(who, sizeof(who), "%s%s%s", d->ops->name, *kind ? ": " : "", kind);
	log_limited(&d->log_count, who, fmt, ap);
}

void virtio_log(struct virtio_dev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(d, "", fmt, ap);
	va_end(ap);
}

void virtio_guest_error(struct virtio_dev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(d, "guest error", fmt, ap);
	va_end(ap);
	/* virtio 1.2, 2.1.2: the device sets NEEDS_RESET and tells the driver by a config change. */
	if (!(d->status & VIRTIO_STATUS_NEEDS_RESET)) {
		d->status |= VIRTIO_STATUS_NEEDS_RESET;
		if (d->status & VIRTIO_STATUS_DRIVER_OK) {
			d->isr |= VIRTIO_ISR_CONFIG;
			d->irq_update(d);
		}
	}
}

bool virtio_has_feature(const struct virtio_dev *d, unsigned bit)
{
	return (d->guest_features >> bit) & 1;
}

bool virtio_is_modern(const struct virtio_dev *d)
{
	return d->modern_access || virtio_has_feature(d, VIRTIO_F_VERSION_1);
}

/* ---- byte order: modern rings/config are little-endian, legacy ones guest-native (big) ---- */

void virtio_put16(const struct virtio_dev *d, uint8_t *p, uint16_t v)
{
	if (virtio_is_modern(d))
		st_le16(p, v);
	else
		st_be16(p, v);
}

void virtio_put32(const struct virtio_dev *d, uint8_t *p, uint32_t v)
{
	if (virtio_is_modern(d))
		st_le32(p, v);
	else
		st_be32(p, v);
}

void virtio_put64(const struct virtio_dev *d, uint8_t *p, uint64_t v)
{
	if (virtio_is_modern(d))
		st_le64(p, v);
	else
		st_be64(p, v);
}

uint16_t virtio_get16(const struct virtio_dev *d, const uint8_t *p)
{
	return virtio_is_modern(d) ? ld_le16(p) : ld_be16(p);
}

uint32_t virtio_get32(const struct virtio_dev *d, const uint8_t *p)
{
	return virtio_is_modern(d) ? ld_le32(p) : ld_be32(p);
}

uint64_t virtio_get64(const struct virtio_dev *d, const uint8_t *p)
{
	return virtio_is_modern(d) ? ld_le64(p) : ld_be64(p);
}

/* ---- guest memory ---- */

static bool gpa_ok(const struct virtio_dev *d, uint64_t gpa, uint64_t len)
{
	return len <= d->ram_size && gpa <= d->ram_size - len;
}

/* Ring fields: the caller validated the ring's extent when the queue became ready. */
static uint16_t ring_ld16(const struct virtio_dev *d, uint64_t gpa)
{
	return virtio_get16(d, d->ram + gpa);
}

static void ring_st16(const struct virtio_dev *d, uint64_t gpa, uint16_t v)
{
	virtio_put16(d, d->ram + gpa, v);
}

static uint64_t desc_bytes(unsigned n) { return (uint64_t)DESC_SIZE * n; }
static uint64_t avail_bytes(unsigned n) { return 6 + 2ull * n; }  /* flags, idx, ring, used_event */
static uint64_t used_bytes(unsigned n) { return 6 + 8ull * n; }   /* flags, idx, ring, avail_event */

/* A queue becomes usable only if all three areas lie inside guest RAM. */
static bool queue_areas_ok(struct virtio_dev *d, struct virtqueue *vq, unsigned n)
{
	if (!vq->size || (vq->size & (vq->size - 1)) || vq->size > VIRTIO_QUEUE_MAX) {
		virtio_guest_error(d, "queue %u: bad size %u", n, vq->size);
		return false;
	}
	if (!gpa_ok(d, vq->desc, desc_bytes(vq->size)) ||
	    !gpa_ok(d, vq->avail, avail_bytes(vq->size)) ||
	    !gpa_ok(d, vq->used, used_bytes(vq->size))) {
		virtio_guest_error(d, "queue %u: rings outside guest RAM (desc 0x%llx avail 0x%llx "
				   "used 0x%llx, size %u)", n, (unsigned long long)vq->desc,
				   (unsigned long long)vq->avail, (unsigned long long)vq->used, vq->size);
		return false;
	}
	return true;
}

/* ---- lifecycle and status ---- */

void virtio_init(struct virtio_dev *d, const struct virtio_ops *ops, void *opaque,
		 uint16_t device_id, uint64_t host_features, unsigned config_len,
		 unsigned num_queues, uint8_t *ram, uint64_t ram_size)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->opaque = opaque;
	d->device_id = device_id;
	d->host_features = host_features | 1ull << VIRTIO_F_VERSION_1 |
			   1ull << VIRTIO_RING_F_INDIRECT_DESC | 1ull << VIRTIO_RING_F_EVENT_IDX |
			   1ull << VIRTIO_F_ANY_LAYOUT;
	d->config_len = config_len;
	d->num_queues = num_queues > VIRTIO_MAX_QUEUES ? VIRTIO_MAX_QUEUES : num_queues;
	d->ram = ram;
	d->ram_size = ram_size;
}

void virtio_reset(struct virtio_dev *d)
{
	unsigned i;

	d->status = 0;
	d->isr = 0;
	d->guest_features = 0;
	d->modern_access = false;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		void (*handle)(struct virtio_dev *, struct virtqueue *) = d->vq[i].handle;

		memset(&d->vq[i], 0, sizeof(d->vq[i]));
		d->vq[i].handle = handle;
		d->vq[i].size = i < d->num_queues ? VIRTIO_QUEUE_MAX : 0;
	}
	if (d->ops->reset)
		d->ops->reset(d);
	if (d->irq_update)
		d->irq_update(d);
}

void virtio_set_status(struct virtio_dev *d, uint8_t status)
{
	uint8_t old = d->status;
	unsigned i;

	if (status == 0) {
		virtio_reset(d);
		return;
	}
	/* FEATURES_OK sticks only for a subset of what we offered (virtio 1.2, 3.1.1 step 5-6). */
	if ((status & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    (d->guest_features & ~d->host_features))
		status &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	d->status = (uint8_t)(status | (old & VIRTIO_STATUS_NEEDS_RESET));
	if ((status & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK)) {
		if (d->ops->driver_ok)
			d->ops->driver_ok(d);
		/* Buffers the driver queued before DRIVER_OK are handled now. */
		for (i = 0; i < d->num_queues; i++)
			if (d->vq[i].ready && d->vq[i].handle && virtq_has_work(d, &d->vq[i]))
				d->vq[i].handle(d, &d->vq[i]);
	}
}

void virtio_queue_set_legacy(struct virtio_dev *d, unsigned n, uint32_t pfn)
{
	struct virtqueue *vq;
	uint64_t base = (uint64_t)pfn << 12;

	if (n >= d->num_queues)
		return;
	vq = &d->vq[n];
	vq->ready = false;
	if (!pfn)
		return;
	/* virtio 0.9.5 "Virtqueue Configuration": used ring at the next 4 KiB boundary. */
	vq->desc = base;
	vq->avail = base + desc_bytes(vq->size);
	vq->used = (vq->avail + avail_bytes(vq->size) + 4095) & ~4095ull;
	vq->last_avail = vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->ready = queue_areas_ok(d, vq, n);
}

/* Modern: the driver wrote queue_enable = 1 after setting size and addresses. */
bool virtio_queue_enable(struct virtio_dev *d, unsigned n)
{
	struct virtqueue *vq = &d->vq[n];

	vq->last_avail = vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->ready = queue_areas_ok(d, vq, n);
	return vq->ready;
}

void virtio_notify_queue(struct virtio_dev *d, unsigned n)
{
	struct virtqueue *vq;

	if (n >= d->num_queues) {
		virtio_guest_error(d, "notify of queue %u, which does not exist", n);
		return;
	}
	vq = &d->vq[n];
	if (!vq->ready || !(d->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (d->status & VIRTIO_STATUS_NEEDS_RESET))
		return;
	if (vq->handle)
		vq->handle(d, vq);
}

/* ---- the rings ---- */

bool virtq_has_work(struct virtio_dev *d, struct virtqueue *vq)
{
	if (!vq->ready || (d->status & VIRTIO_STATUS_NEEDS_RESET))
		return false;
	return ring_ld16(d, vq->avail + 2) != vq->last_avail;
}

/* With event idx, ask for a notification as soon as the driver adds past what we took. */
static void publish_avail_event(struct virtio_dev *d, struct virtqueue *vq)
{
	if (virtio_has_feature(d, VIRTIO_RING_F_EVENT_IDX)) {
		ring_st16(d, vq->used + 4 + 8ull * vq->size, vq->last_avail);
		if (d->ram_written) /* RAM the device wrote: a migration's dirty log must see it */
			d->ram_written(d->ram_written_ctx, vq->used + 4 + 8ull * vq->size, 2);
	}
}

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void read_desc(const struct virtio_dev *d, uint64_t table, unsigned i, struct desc *out)
{
	const uint8_t *p = d->ram + table + desc_bytes(i);

	out->addr = virtio_get64(d, p);
	out->len = virtio_get32(d, p + 8);
	out->flags = virtio_get16(d, p + 12);
	out->next = virtio_get16(d, p + 14);
}

static int chain_error(struct virtio_dev *d, struct virtqueue *vq, const char *what, unsigned i)
{
	virtio_guest_error(d, "queue %ld: %s (descriptor %u)", (long)(vq - d->vq), what, i);
	return -EIO;
}

int virtq_pop(struct virtio_dev *d, struct virtqueue *vq, struct virtq_elem *e)
{
	uint64_t table;
	unsigned i, max, count = 0;
	uint16_t avail_idx;
	bool indirect = false;

	if (!vq->ready || (d->status & VIRTIO_STATUS_NEEDS_RESET))
		return 0;
	avail_idx = ring_ld16(d, vq->avail + 2);
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return chain_error(d, vq, "avail index ran more than a queue ahead", avail_idx);
	if (avail_idx == vq->last_avail) {
		publish_avail_event(d, vq);
		return 0;
	}
	/* Read the ring entry only after seeing the index (virtio 1.2, 2.7.13). */
	atomic_thread_fence(memory_order_acquire);
	i = ring_ld16(d, vq->avail + 4 + 2ull * (vq->last_avail % vq->size));
	if (i >= vq->size)
		return chain_error(d, vq, "head index out of range", i);
	vq->last_avail++;
	publish_avail_event(d, vq);

	e->head = (uint16_t)i;
	e->n_out = e->n_in = 0;
	e->out_len = e->in_len = 0;
	table = vq->desc;
	max = vq->size;
	for (;;) {
		struct desc desc;

		/* A chain visits each descriptor of its table at most once: more is a loop. */
		if (++count > max)
			return chain_error(d, vq, "descriptor chain loops or is too long", i);
		read_desc(d, table, i, &desc);
		if (desc.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!virtio_has_feature(d, VIRTIO_RING_F_INDIRECT_DESC))
				return chain_error(d, vq, "indirect descriptor not negotiated", i);
			if (indirect)
				return chain_error(d, vq, "nested indirect descriptor", i);
			if (desc.flags & VIRTQ_DESC_F_NEXT)
				return chain_error(d, vq, "indirect descriptor with NEXT", i);
			if (!desc.len || desc.len % DESC_SIZE || desc.len / DESC_SIZE > VIRTQ_MAX_SEGS)
				return chain_error(d, vq, "bad indirect table length", i);
			if (!gpa_ok(d, desc.addr, desc.len))
				return chain_error(d, vq, "indirect table outside guest RAM", i);
			table = desc.addr;
			max = desc.len / DESC_SIZE;
			indirect = true;
			count = 0;
			i = 0;
			continue;
		}
		if (!gpa_ok(d, desc.addr, desc.len))
			return chain_error(d, vq, "buffer outside guest RAM", i);
		if (e->n_out + e->n_in >= VIRTQ_MAX_SEGS)
			return chain_error(d, vq, "too many segments", i);
		if (desc.flags & VIRTQ_DESC_F_WRITE) {
			e->in[e->n_in++] = (struct iovec){ d->ram + desc.addr, desc.len };
			e->in_len += desc.len;
		} else {
			if (e->n_in)
				return chain_error(d, vq, "readable descriptor after a writable one", i);
			e->out[e->n_out++] = (struct iovec){ d->ram + desc.addr, desc.len };
			e->out_len += desc.len;
		}
		if (!(desc.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = desc.next;
		if (i >= max)
			return chain_error(d, vq, "next index out of range", i);
	}
	return 1;
}

void virtq_push(struct virtio_dev *d, struct virtqueue *vq, const struct virtq_elem *e, uint32_t len)
{
	uint8_t *p = d->ram + vq->used + 4 + 8ull * (vq->used_idx % vq->size);

	if (!vq->ready)
		return;
	if (len > e->in_len)
		len = (uint32_t)e->in_len;
	virtio_put32(d, p, e->head);
	virtio_put32(d, p + 4, len);
	/* The element must be visible before the index that publishes it. */
	atomic_thread_fence(memory_order_release);
	vq->used_idx++;
	ring_st16(d, vq->used + 2, vq->used_idx);
	if (d->ram_written) {
		uint32_t left = len;

		for (unsigned k = 0; k < e->n_in && left; k++) {
			uint32_t n = e->in[k].iov_len < left ? (uint32_t)e->in[k].iov_len : left;

			d->ram_written(d->ram_written_ctx, (uint64_t)((uint8_t *)e->in[k].iov_base - d->ram),
				       n);
			left -= n;
		}
		d->ram_written(d->ram_written_ctx, (uint64_t)(p - d->ram), 8);
		d->ram_written(d->ram_written_ctx, vq->used + 2, 2);
	}
}

void virtq_notify(struct virtio_dev *d, struct virtqueue *vq)
{
	bool fire;

	if (!vq->ready)
		return;
	atomic_thread_fence(memory_order_seq_cst);
	if (virtio_has_feature(d, VIRTIO_RING_F_EVENT_IDX)) {
		uint16_t event = ring_ld16(d, vq->avail + 4 + 2ull * vq->size);
		uint16_t old = vq->signalled_used, new = vq->used_idx;

		/* virtio 1.2, 2.7.10: interrupt when used idx passed used_event since the last one. */
		fire = !vq->signalled_valid || (uint16_t)(new - event - 1) < (uint16_t)(new - old);
		vq->signalled_used = new;
		vq->signalled_valid = true;
	} else {
		fire = !(ring_ld16(d, vq->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	if (fire) {
		d->isr |= VIRTIO_ISR_QUEUE;
		d->irq_update(d);
	}
}

/* ---- iovecs ---- */

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t skip, void *buf, size_t len)
{
	size_t done = 0;
	unsigned i;

	for (i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		c = l - skip < len - done ? l - skip : len - done;
		memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + skip, c);
		done += c;
		skip = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t skip, const void *buf, size_t len)
{
	size_t done = 0;
	unsigned i;

	for (i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		c = l - skip < len - done ? l - skip : len - done;
		memcpy((uint8_t *)iov[i].iov_base + skip, (const uint8_t *)buf + done, c);
		done += c;
		skip = 0;
	}
	return done;
}

/* ---- state (snapshots) ---- */

#define VIRTIO_STATE_TAG "VRTO"
#define VIRTIO_STATE_VERSION 1

int virtio_state_save(struct virtio_dev *d, struct state_writer *w)
{
	state_put_header(w, VIRTIO_STATE_TAG, VIRTIO_STATE_VERSION);
	state_put_u32(w, d->device_id);
	state_put_u64(w, d->host_features);
	state_put_u64(w, d->guest_features);
	state_put_u8(w, d->status);
	state_put_u8(w, d->isr);
	state_put_u8(w, d->config_generation);
	state_put_u8(w, d->modern_access);
	state_put_u8(w, (uint8_t)d->num_queues);
	for (unsigned i = 0; i < d->num_queues; i++) {
		const struct virtqueue *vq = &d->vq[i];

		state_put_u32(w, vq->size);
		state_put_u8(w, vq->ready);
		state_put_u64(w, vq->desc);
		state_put_u64(w, vq->avail);
		state_put_u64(w, vq->used);
		state_put_u32(w, vq->last_avail);
		state_put_u32(w, vq->used_idx);
		state_put_u32(w, vq->signalled_used);
		state_put_u8(w, vq->signalled_valid);
	}
	if (d->ops->save && d->ops->save(d, w))
		return -ENOSPC;
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

int virtio_state_load(struct virtio_dev *d, struct state_reader *r)
{
	struct virtqueue vq[VIRTIO_MAX_QUEUES], old_vq[VIRTIO_MAX_QUEUES];
	uint64_t guest_features, old_features = d->guest_features;
	uint8_t status, isr, gen, old[4] = { d->status, d->isr, d->config_generation,
					     d->modern_access };
	bool modern;

	if (state_get_header(r, VIRTIO_STATE_TAG) != VIRTIO_STATE_VERSION)
		return -EINVAL;
	/* The same kind of device offering the same features, with the same queues. */
	if (state_get_u32(r) != d->device_id || state_get_u64(r) != d->host_features)
		state_fail(r);
	guest_features = state_get_u64(r);
	status = state_get_u8(r);
	isr = state_get_u8(r);
	gen = state_get_u8(r);
	modern = state_get_bool(r);
	if (state_get_u8(r) != d->num_queues || (guest_features & ~d->host_features) ||
	    (isr & ~(VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG)))
		state_fail(r);
	memcpy(vq, d->vq, sizeof(vq));
	for (unsigned i = 0; i < d->num_queues && state_reader_ok(r); i++) {
		uint32_t size = state_get_u32(r), last, used, sig;

		vq[i].ready = state_get_bool(r);
		vq[i].desc = state_get_u64(r);
		vq[i].avail = state_get_u64(r);
		vq[i].used = state_get_u64(r);
		last = state_get_u32(r);
		used = state_get_u32(r);
		sig = state_get_u32(r);
		vq[i].signalled_valid = state_get_bool(r);
		if (!size || size > VIRTIO_QUEUE_MAX || (size & (size - 1)) || last > 0xffff ||
		    used > 0xffff || sig > 0xffff) {
			state_fail(r);
			break;
		}
		vq[i].size = (uint16_t)size;
		vq[i].last_avail = (uint16_t)last;
		vq[i].used_idx = (uint16_t)used;
		vq[i].signalled_used = (uint16_t)sig;
		if (vq[i].ready && (!gpa_ok(d, vq[i].desc, desc_bytes(size)) ||
				    !gpa_ok(d, vq[i].avail, avail_bytes(size)) ||
				    !gpa_ok(d, vq[i].used, used_bytes(size))))
			state_fail(r);
	}
	if (!state_reader_ok(r))
		return -EINVAL;
	memcpy(old_vq, d->vq, sizeof(old_vq));
	memcpy(d->vq, vq, sizeof(vq));
	d->guest_features = guest_features;
	d->status = status;
	d->isr = isr;
	d->config_generation = gen;
	d->modern_access = modern;
	/* The device's own part reads on top of the loaded queues (it may take a chain again). */
	if (d->ops->load && (d->ops->load(d, r) || !state_reader_ok(r))) {
		memcpy(d->vq, old_vq, sizeof(old_vq));
		d->guest_features = old_features;
		d->status = old[0];
		d->isr = old[1];
		d->config_generation = old[2];
		d->modern_access = old[3];
		return -EINVAL;
	}
	if (d->irq_update)
		d->irq_update(d);
	return 0;
}

int virtq_pop_again(struct virtio_dev *d, struct virtqueue *vq, struct virtq_elem *e)
{
	vq->last_avail--;
	if (virtq_pop(d, vq, e) > 0)
		return 1;
	vq->last_avail++;
	return 0;
}
