/* SPDX-License-Identifier: MIT */
/* trace.c - the exit trace writer: a memory-mapped ring file of fixed-size records. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "hv/trace.h"

_Static_assert(sizeof(struct trace_header) == TRACE_HEADER_SIZE, "trace header size");
_Static_assert(sizeof(struct trace_record) == 24, "trace record size");

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int trace_open(struct hv_trace **out, const char *path, uint64_t size_bytes)
{
	struct hv_trace *t;
	struct statvfs fs;
	uint64_t cap;
	void *map;
	int fd, err;

	*out = NULL;
	if (size_bytes < 65536)
		return -EINVAL;
	cap = (size_bytes - TRACE_HEADER_SIZE) / sizeof(struct trace_record);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		free(t);
		return err;
	}
	t->map_size = TRACE_HEADER_SIZE + cap * sizeof(struct trace_record);
	/*
	 * The file grows to its full size at once (sparse), so the ring never
	 * needs resizing. A store into a page the file system has no room for
	 * is a SIGBUS, so a ring larger than the free space is refused now.
	 */
	if (fstatvfs(fd, &fs) == 0 && t->map_size / fs.f_frsize > fs.f_bavail) {
		close(fd);
		unlink(path);
		free(t);
		return -ENOSPC;
	}
	if (ftruncate(fd, (off_t)t->map_size) < 0) {
		err = -errno;
		close(fd);
		free(t);
		return err;
	}
	map = mmap(NULL, t->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err) {
		free(t);
		return err;
	}
	t->hdr = map;
	t->ring = (struct trace_record *)((char *)map + TRACE_HEADER_SIZE);
	t->capacity = cap;
	t->t0_ns = clock_ns(CLOCK_MONOTONIC);
	memcpy(t->hdr->magic, TRACE_MAGIC, 8);
	t->hdr->record_size = sizeof(struct trace_record);
	t->hdr->exit_kinds = HV_EXIT__COUNT;
	t->hdr->capacity = cap;
	t->hdr->written = 0;
	t->hdr->start_unix_ns = clock_ns(CLOCK_REALTIME);
	*out = t;
	return 0;
}

void trace_close(struct hv_trace *t)
{
	if (!t)
		return;
	msync(t->hdr, t->map_size, MS_ASYNC);
	munmap(t->hdr, t->map_size);
	free(t);
}

void trace_put(struct hv_trace *t, uint64_t ts_ns, enum trace_type type, unsigned sub,
	       unsigned idx, uint32_t pc, uint32_t arg, uint64_t dur_ns)
{
	struct trace_record *r = &t->ring[t->slot];

	if (!ts_ns)
		ts_ns = clock_ns(CLOCK_MONOTONIC);
	r->ts_ns = ts_ns - t->t0_ns;
	r->pc = pc;
	r->arg = arg;
	r->dur_ns = dur_ns > UINT32_MAX ? UINT32_MAX : (uint32_t)dur_ns;
	r->type = (uint8_t)type;
	r->sub = (uint8_t)sub;
	r->idx = (uint16_t)idx;
	if (++t->slot == t->capacity)
		t->slot = 0;
	/* The header always tells how far the ring got, even if hv440 is killed. */
	t->hdr->written++;
}

void trace_stats_add(struct hv_stats *s, const struct trace_record *r)
{
	switch (r->type) {
	case TRACE_EXIT:
		hv_stats_add(s, (enum hv_exit_kind)r->sub, r->dur_ns);
		break;
	case TRACE_STLB_WRITE:
		s->stlb_fills++;
		if (r->sub)
			s->stlb_evictions++;
		break;
	case TRACE_IRQ:
		if (r->sub < 16)
			s->irq_delivered[r->sub]++;
		break;
	case TRACE_RESET:
		hv_stats_reset(s);
		break;
	default:
		break;
	}
}
