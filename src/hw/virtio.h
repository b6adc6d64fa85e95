/* SPDX-License-Identifier: MIT */
/* virtio.h - transport-independent virtio devices: features, status, split virtqueues. */
#ifndef HV440_HW_VIRTIO_H
#define HV440_HW_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/state.h"

/* Device status bits (virtio 1.2, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER      0x02
#define VIRTIO_STATUS_DRIVER_OK   0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED      0x80

/* Reserved feature bits (virtio 1.2, 6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY      24
#define VIRTIO_F_ANY_LAYOUT           27
#define VIRTIO_RING_F_INDIRECT_DESC   28
#define VIRTIO_RING_F_EVENT_IDX       29
#define VIRTIO_F_VERSION_1            32

/* Device IDs (virtio 1.2, 5). */
#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4

#define VIRTIO_QUEUE_MAX  256   /* largest queue size a device offers */
#define VIRTIO_MAX_QUEUES 4

/* ISR bits (virtio 1.2, 4.1.4.5). */
#define VIRTIO_ISR_QUEUE  0x1
#define VIRTIO_ISR_CONFIG 0x2

struct virtio_dev;

/*
 * One split virtqueue (virtio 1.2, 2.7). Addresses are guest physical;
 * every access goes through bounds-checked helpers in virtio.c.
 */
struct virtqueue {
	uint16_t size;          /* negotiated size, power of two, 1..VIRTIO_QUEUE_MAX */
	bool ready;             /* modern queue_enable / legacy PFN != 0 */
	uint64_t desc, avail, used;
	uint16_t last_avail;    /* next avail ring entry the device takes */
	uint16_t used_idx;      /* device's copy of used->idx */
	uint16_t signalled_used;/* used->idx at the last interrupt (event idx) */
	bool signalled_valid;
	void (*handle)(struct virtio_dev *d, struct virtqueue *vq);
};

/* A descriptor chain taken off a queue: readable (out) then writable (in) segments. */
#define VIRTQ_MAX_SEGS VIRTIO_QUEUE_MAX
struct virtq_elem {
	uint16_t head;
	unsigned n_out, n_in;
	size_t out_len, in_len;   /* total bytes */
	struct iovec out[VIRTQ_MAX_SEGS], in[VIRTQ_MAX_SEGS];
};

/* What a device type provides; the transport calls these. */
struct virtio_ops {
	const char *name;
	/* Device-specific configuration, in the layout the driver expects (see cfg_be). */
	void (*config_read)(struct virtio_dev *d, unsigned offset, uint8_t *buf, unsigned len);
	void (*config_write)(struct virtio_dev *d, unsigned offset, const uint8_t *buf, unsigned len);
	/* Device reset (status written 0); queues are reset by virtio.c. */
	void (*reset)(struct virtio_dev *d);
	/* Driver set DRIVER_OK: the device may start delivering (e.g. pending rx). */
	void (*driver_ok)(struct virtio_dev *d);
	/*
	 * Snapshots: the device's own state after the common part (virtio_state_save);
	 * load runs with the queues already loaded. NULL: none. 0, or negative.
	 */
	int (*save)(struct virtio_dev *d, struct state_writer *w);
	int (*load)(struct virtio_dev *d, struct state_reader *r);
	/* Free the device and its host backend (the board's teardown, through virtio-pci). NULL: nothing. */
	void (*destroy)(struct virtio_dev *d);
};

/*
 * A device as the transport sees it. The transport owns the register
 * view; virtio.c owns status, features and queues; the device owns the
 * rest through ops and its queue handlers.
 */
struct virtio_dev {
	const struct virtio_ops *ops;
	void *opaque;             /* the device model */
	uint16_t device_id;       /* VIRTIO_ID_* */
	unsigned config_len;
	unsigned num_queues;
	struct virtqueue vq[VIRTIO_MAX_QUEUES];
	uint64_t host_features, guest_features;
	uint8_t status;
	uint8_t isr;
	uint8_t config_generation;
	bool modern_access;       /* the driver used the modern interface since reset */
	/* Guest RAM: guest physical 0..ram_size-1 (PCI bus address = guest physical). */
	uint8_t *ram;
	uint64_t ram_size;
	/* The transport's interrupt: level follows isr != 0. */
	void (*irq_update)(struct virtio_dev *d);
	/*
	 * Guest RAM [gpa, gpa+len) was written by the device (virtq_push: the
	 * buffer's device-writable part and the used element; the avail
	 * event), so the board can drop decoded code there and log the pages
	 * dirty (live migration); NULL: nobody cares.
	 */
	void (*ram_written)(void *ctx, uint64_t gpa, uint64_t len);
	void *ram_written_ctx;
	void *transport;
	unsigned log_count;
};

/*
 * Snapshots: status, features, every queue's rings and indices, then the
 * device's own part (ops->save/load). A load refuses another kind of
 * device, other offered features, rings outside RAM; -EINVAL, unchanged.
 */
int virtio_state_save(struct virtio_dev *d, struct state_writer *w);
int virtio_state_load(struct virtio_dev *d, struct state_reader *r);

void virtio_init(struct virtio_dev *d, const struct virtio_ops *ops, void *opaque,
		 uint16_t device_id, uint64_t host_features, unsigned config_len,
		 unsigned num_queues, uint8_t *ram, uint64_t ram_size);
/* Status written 0 or a bus reset: back to the power-on state. */
void virtio_reset(struct virtio_dev *d);
/* The driver wrote the status register (virtio 1.2, 3.1.1). */
void virtio_set_status(struct virtio_dev *d, uint8_t status);
/* True when the driver accepted VIRTIO_F_VERSION_1: rings and config little-endian. */
bool virtio_is_modern(const struct virtio_dev *d);
bool virtio_has_feature(const struct virtio_dev *d, unsigned bit);
/* Modern: queue_enable written 1; false (and a guest error) when its rings are not in RAM. */
bool virtio_queue_enable(struct virtio_dev *d, unsigned n);
/* The driver notified queue n (out of range: logged and ignored). */
void virtio_notify_queue(struct virtio_dev *d, unsigned n);
/* Legacy layout from a page frame number (virtio 0.9.5, 2.3): 4 KiB aligned used ring. */
void virtio_queue_set_legacy(struct virtio_dev *d, unsigned n, uint32_t pfn);

/*
 * Take the next available chain. 1: *e filled; 0: queue empty;
 * negative: the driver broke the rules (logged, device marked NEEDS_RESET).
 */
int virtq_pop(struct virtio_dev *d, struct virtqueue *vq, struct virtq_elem *e);
/* Take the chain popped last again (a held chain after a snapshot load): 1, or 0. */
int virtq_pop_again(struct virtio_dev *d, struct virtqueue *vq, struct virtq_elem *e);
/* Return a chain with len bytes written into its in segments. */
void virtq_push(struct virtio_dev *d, struct virtqueue *vq, const struct virtq_elem *e, uint32_t len);
/* After pushes: interrupt the driver unless it suppressed it (flags / used_event). */
void virtq_notify(struct virtio_dev *d, struct virtqueue *vq);
/* True when the driver has made buffers available that the device has not taken. */
bool virtq_has_work(struct virtio_dev *d, struct virtqueue *vq);

/* Rate-limited guest-error log; sets NEEDS_RESET and raises a config interrupt. */
void virtio_guest_error(struct virtio_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void virtio_log(struct virtio_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* iovec helpers: copy between a flat buffer and segments; return bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t skip, void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t skip, const void *buf, size_t len);

/* Device config fields in the driver's byte order: LE for modern, guest-native BE for legacy. */
void virtio_put16(const struct virtio_dev *d, uint8_t *p, uint16_t v);
void virtio_put32(const struct virtio_dev *d, uint8_t *p, uint32_t v);
void virtio_put64(const struct virtio_dev *d, uint8_t *p, uint64_t v);
uint16_t virtio_get16(const struct virtio_dev *d, const uint8_t *p);
uint32_t virtio_get32(const struct virtio_dev *d, const uint8_t *p);
uint64_t virtio_get64(const struct virtio_dev *d, const uint8_t *p);

#endif
