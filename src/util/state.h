/* SPDX-License-Identifier: MIT */
/* state.h - device state as bytes: a bounds-checked, versioned, big-endian writer and reader. */
#ifndef HV440_UTIL_STATE_H
#define HV440_UTIL_STATE_H

/*
 * The save/load hook of the device contract (hw/device.h) writes a
 * device's guest-visible state into a byte buffer the caller owns, and
 * reads it back. Integers are big-endian (byteorder.h), so a saved state
 * means the same on any host. Each device's state starts with a section
 * header: a 4-byte tag naming the kind of device and a 4-byte version; a
 * reader refuses another tag or a version it does not know.
 *
 * Neither side ever touches memory outside its buffer: a writer that runs
 * out of room, or a reader that runs out of bytes or meets a bad value
 * (state_fail()), becomes "failed", after which every get returns zero and
 * every put does nothing; the caller checks once, at the end (state_ok()).
 * Loading garbage therefore fails cleanly, and a device's load() applies
 * what it read only when the reader is still ok.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/byteorder.h"

struct state_writer {
	uint8_t *buf;
	size_t size, len;     /* room, bytes written */
	bool failed;
};

struct state_reader {
	const uint8_t *buf;
	size_t size, pos;
	bool failed;
};

static inline void state_writer_init(struct state_writer *w, void *buf, size_t size)
{
	*w = (struct state_writer){ .buf = buf, .size = size };
}

static inline void state_reader_init(struct state_reader *r, const void *buf, size_t size)
{
	*r = (struct state_reader){ .buf = buf, .size = size };
}

/* Room for n more bytes: a pointer to them, or NULL (and failed). */
static inline uint8_t *state_put_room(struct state_writer *w, size_t n)
{
	uint8_t *p;

	if (w->failed || n > w->size - w->len) {
		w->failed = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

static inline const uint8_t *state_get_bytes_at(struct state_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->failed || n > r->size - r->pos) {
		r->failed = true;
		return NULL;
	}
	p = r->buf + r->pos;
	r->pos += n;
	return p;
}

static inline void state_put_u8(struct state_writer *w, uint8_t v)
{
	uint8_t *p = state_put_room(w, 1);

	if (p)
		*p = v;
}

static inline void state_put_u32(struct state_writer *w, uint32_t v)
{
	uint8_t *p = state_put_room(w, 4);

	if (p)
		st_be32(p, v);
}

static inline void state_put_u64(struct state_writer *w, uint64_t v)
{
	state_put_u32(w, (uint32_t)(v >> 32));
	state_put_u32(w, (uint32_t)v);
}

static inline void state_put_bytes(struct state_writer *w, const void *v, size_t n)
{
	uint8_t *p = state_put_room(w, n);

	if (p && n)
		memcpy(p, v, n);
}

static inline uint8_t state_get_u8(struct state_reader *r)
{
	const uint8_t *p = state_get_bytes_at(r, 1);

	return p ? *p : 0;
}

static inline uint32_t state_get_u32(struct state_reader *r)
{
	const uint8_t *p = state_get_bytes_at(r, 4);

	return p ? ld_be32(p) : 0;
}

static inline uint64_t state_get_u64(struct state_reader *r)
{
	uint64_t hi = state_get_u32(r);

	return hi << 32 | state_get_u32(r);
}

/* A flag saved as one byte: anything but 0 or 1 fails the load. */
static inline bool state_get_bool(struct state_reader *r)
{
	uint8_t v = state_get_u8(r);

	if (v > 1)
		r->failed = true;
	return v == 1;
}

static inline void state_get_bytes(struct state_reader *r, void *v, size_t n)
{
	const uint8_t *p = state_get_bytes_at(r, n);

	if (p && n)
		memcpy(v, p, n);
	else if (n)
		memset(v, 0, n);
}

/* A value the device cannot hold (an index past its FIFO, a bad flag): the load fails. */
static inline void state_fail(struct state_reader *r)
{
	r->failed = true;
}

/* The section header: the device kind's tag (four characters) and its state's version. */
static inline void state_put_header(struct state_writer *w, const char tag[4], uint32_t version)
{
	state_put_bytes(w, tag, 4);
	state_put_u32(w, version);
}

/* Reads a section header; the version when the tag matches, else 0 (and failed). */
static inline uint32_t state_get_header(struct state_reader *r, const char tag[4])
{
	char t[4];
	uint32_t version;

	state_get_bytes(r, t, 4);
	version = state_get_u32(r);
	if (r->failed || memcmp(t, tag, 4) != 0 || version == 0) {
		r->failed = true;
		return 0;
	}
	return version;
}

static inline bool state_writer_ok(const struct state_writer *w) { return !w->failed; }
static inline bool state_reader_ok(const struct state_reader *r) { return !r->failed; }

#endif
