/* SPDX-License-Identifier: MIT */
/* trace.h - the exit trace: compact binary records of exits and TLB changes in a ring file. */
#ifndef HV440_HV_TRACE_H
#define HV440_HV_TRACE_H

#include <stdint.h>

#include "hv/stats.h"

/*
 * File layout (host byte order; the magic tells a reader on another host
 * that it cannot read it): a 64-byte header, then `capacity` records of
 * 24 bytes used as a ring. Record number n (counting from 0) is in slot
 * n % capacity; `written` is the number of records ever written, so when
 * it exceeds capacity the oldest written - capacity records were lost.
 */
#define TRACE_MAGIC "HV440TR1"
#define TRACE_HEADER_SIZE 64

struct trace_header {
	char magic[8];
	uint32_t record_size;     /* sizeof(struct trace_record) */
	uint32_t exit_kinds;      /* HV_EXIT__COUNT of the writer */
	uint64_t capacity;        /* records in the ring */
	uint64_t written;         /* records ever written */
	uint64_t start_unix_ns;   /* wall clock when the trace started */
	uint8_t reserved[24];
};

/*
 * Record types, and what the fields hold:
 *  EXIT        sub = exit kind, pc, arg = instruction word / EA / PA,
 *              idx = guest TLB index (TLB misses), dur_ns = handling time
 *  GTLB_WRITE  guest TLB write: sub = word (0-2; 3 = a whole entry set by the
 *              board), idx = entry, arg = value, pc
 *  STLB_WRITE  shadow fill: idx = slot, pc = shadow EA, arg = PA >> 4,
 *              dur_ns = page size, sub = 1 if a valid entry was evicted
 *  STLB_INVAL  shadow invalidation: idx = slot, pc
 *  IRQ         interrupt delivered: sub = IVOR, pc = SRR0, arg = vector
 *  RESET       the statistics were reset here: a summary starts again
 */
enum trace_type {
	TRACE_EXIT = 1,
	TRACE_GTLB_WRITE = 2,
	TRACE_STLB_WRITE = 3,
	TRACE_STLB_INVAL = 4,
	TRACE_IRQ = 5,
	TRACE_RESET = 6,
};

#define TRACE_NO_INDEX 0xffffu

struct trace_record {
	uint64_t ts_ns;  /* since the trace started */
	uint32_t pc;
	uint32_t arg;
	uint32_t dur_ns; /* handling time of an exit (saturates at 2^32-1 ns) */
	uint8_t type;
	uint8_t sub;
	uint16_t idx;
};

struct hv_trace {
	struct trace_header *hdr;   /* the mapped file */
	struct trace_record *ring;
	uint64_t capacity;
	uint64_t slot;              /* next slot */
	uint64_t t0_ns;             /* CLOCK_MONOTONIC at start */
	uint64_t map_size;
};

/* Create FILE of at most size_bytes (header included; >= 64 KiB). Returns 0 or -errno. */
int trace_open(struct hv_trace **out, const char *path, uint64_t size_bytes);
void trace_close(struct hv_trace *t);
/* Append one record; ts_ns is CLOCK_MONOTONIC (0: now). */
void trace_put(struct hv_trace *t, uint64_t ts_ns, enum trace_type type, unsigned sub,
	       unsigned idx, uint32_t pc, uint32_t arg, uint64_t dur_ns);

/*
 * Hooks for the hypervisor. A vcpu without a trace costs one predictable
 * branch per hook (v->trace is NULL).
 */
#define TRACE_ON(v) __builtin_expect((v)->trace != NULL, 0)

#define trace_gtlb_write(v, index, ws, val)                                                 \
	do {                                                                                \
		if (TRACE_ON(v))                                                            \
			trace_put((v)->trace, 0, TRACE_GTLB_WRITE, (ws), (index), (v)->core.pc, \
				  (val), 0);                                                \
	} while (0)
#define trace_stlb_write(v, index, s, evict)                                                 \
	do {                                                                                 \
		if (TRACE_ON(v))                                                             \
			trace_put((v)->trace, 0, TRACE_STLB_WRITE, (evict), (index), (s)->ea,    \
				  (uint32_t)((s)->pa >> 4), (s)->size);                          \
	} while (0)
#define trace_stlb_inval(v, index)                                                           \
	do {                                                                                 \
		if (TRACE_ON(v))                                                             \
			trace_put((v)->trace, 0, TRACE_STLB_INVAL, 0, (index), (v)->core.pc, 0, 0); \
	} while (0)
#define trace_irq(v, ivor, srr0, vector)                                                     \
	do {                                                                                 \
		if (TRACE_ON(v))                                                             \
			trace_put((v)->trace, 0, TRACE_IRQ, (ivor), TRACE_NO_INDEX, (srr0),      \
				  (vector), 0);                                              \
	} while (0)

/* Rebuild the statistics a trace describes (from the last TRACE_RESET on). */
void trace_stats_add(struct hv_stats *s, const struct trace_record *r);

#endif
