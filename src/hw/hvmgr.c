/* SPDX-License-Identifier: MIT */
/* hvmgr.c - partition management for a system's partitions: FH_PARTITION_* calls, handles, doorbells. */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libfdt.h>

#include "hw/hvmgr.h"
#include "util/log.h"

/* ePAPR status codes (Linux epapr_hcalls.h). */
#define EV_EPERM 1u
#define EV_EIO 3u

#define REPLY_MS 1000u        /* the supervisor answers at once; a guest waits no longer */
#define LIST_MS 5000u         /* the list comes while the supervisor is still starting the others */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Move one whole line (without its newline) from buf to out; false when none is whole yet. */
static bool take_line(struct hvmgr *m, char *out, size_t max)
{
	char *nl = memchr(m->buf, '\n', m->len);
	size_t n;

	if (!nl)
		return false;
	n = (size_t)(nl - m->buf);
	snprintf(out, max, "%.*s", (int)n, m->buf);
	m->len -= (unsigned)(n + 1);
	memmove(m->buf, nl + 1, m->len);
	return true;
}

/* A doorbell is an edge: the guest's interrupt controller latches it until the guest clears it. */
static void ring(struct hvmgr *m, int db)
{
	if (db < 0)
		return;
	irq_set(&m->line[db], true);
	irq_set(&m->line[db], false);
	m->events++;
}

/* "E HANDLE s" (its state changed) or "E HANDLE w" (its watchdog expired). */
static void event(struct hvmgr *m, const char *line)
{
	unsigned h;
	char kind;

	if (sscanf(line, "E %u %c", &h, &kind) != 2)
		return;
	for (unsigned i = 0; i < m->n_part; i++)
		if (m->part[i].handle == h)
			ring(m, kind == 'w' ? m->part[i].wd_db : m->part[i].state_db);
}

/* Read what the socket holds, waiting up to timeout_ms for the first byte; -1: closed or nothing. */
static int fill(struct hvmgr *m, int timeout_ms)
{
	struct pollfd p = { .fd = m->fd, .events = POLLIN };
	ssize_t r;

	if (m->len == sizeof(m->buf))
		m->len = 0;  /* no line is this long: not the supervisor speaking, drop it */
	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	r = recv(m->fd, m->buf + m->len, sizeof(m->buf) - m->len, MSG_DONTWAIT);
	if (r <= 0)
		return r < 0 && errno == EAGAIN ? 0 : -1;
	m->len += (unsigned)r;
	return 0;
}

/* The next line that is not an event (events on the way are rung); false after timeout_ms. */
static bool next_reply(struct hvmgr *m, char *out, size_t max, unsigned timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		long long left;

		while (take_line(m, out, max)) {
			if (out[0] != 'E')
				return true;
			event(m, out);
		}
		left = end - now_ms();
		if (left <= 0 || fill(m, (int)left) < 0)
			return false;
	}
}

/* Between calls only events come; an answer that came after its call gave up is dropped. */
static void readable(void *opaque, int fd, short revents)
{
	struct hvmgr *m = opaque;
	char line[sizeof(m->buf)];

	(void)revents;
	if (fill(m, 0) < 0) {
		loop_remove_fd(m->loop, fd);  /* the supervisor is gone: nothing more will come */
		return;
	}
	while (take_line(m, line, sizeof(line)))
		if (line[0] == 'E')
			event(m, line);
}

static int ask_list(struct hvmgr *m)
{
	char line[sizeof(m->buf)];

	if (send(m->fd, "L\n", 2, MSG_NOSIGNAL) != 2) {
		log_err("system: cannot ask the supervisor for the partitions: %s\n",
			strerror(errno));
		return -1;
	}
	while (next_reply(m, line, sizeof(line), LIST_MS)) {
		struct hvmgr_part *p = &m->part[m->n_part];
		unsigned h, wd;

		if (!strcmp(line, "."))
			return 0;
		if (line[0] != 'P')
			continue;  /* an answer a manager killed mid-call never read */
		if (m->n_part == HVMGR_MAX_PARTITIONS ||
		    sscanf(line, "P %u %32s %u", &h, p->name, &wd) != 3)
			break;
		p->handle = h;
		p->state_db = p->wd_db = -1;
		if (m->n_used < m->n_lines)
			p->state_db = (int)m->n_used++;
		if (wd && m->n_used < m->n_lines)
			p->wd_db = (int)m->n_used++;
		m->n_part++;
	}
	log_err("system: no partition list from the supervisor\n");
	return -1;
}

uint32_t hvmgr_partition_op(struct hvmgr *m, unsigned op, uint32_t partition, uint32_t *value)
{
	char buf[64];
	unsigned st, val;
	int n;

	if (m->fd <= 0)
		return EV_EPERM;
	n = snprintf(buf, sizeof(buf), "%u %u\n", op, partition);
	if (send(m->fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
		return EV_EIO;
	if (!next_reply(m, buf, sizeof(buf), REPLY_MS) || sscanf(buf, "%u %u", &st, &val) != 2)
		return EV_EIO;
	*value = val;
	return st;
}

/* ---- the device tree ---- */

static int doorbell_node(const struct hvmgr *m, void *fdt, int parent, const char *name,
			 const char *compat, int db)
{
	/* <line 1>: 1 is an edge, rising (the UIC's sense cell), which the UIC latches. */
	const fdt32_t irq[2] = { cpu_to_fdt32(m->line_n[db]), cpu_to_fdt32(1) };
	char c[96];
	size_t lc = strlen(compat) + 1;
	int node;

	/* compatible: its own kind, then the kind every doorbell the driver takes has. */
	memcpy(c, compat, lc);
	memcpy(c + lc, "epapr,hv-receive-doorbell", sizeof("epapr,hv-receive-doorbell"));
	FDT(node = fdt_add_subnode(fdt, parent, name));
	FDT(fdt_setprop(fdt, node, "compatible", c, lc + sizeof("epapr,hv-receive-doorbell")));
	FDT(fdt_setprop_u32(fdt, node, "interrupt-parent", m->dev.fdt_intc));
	FDT(fdt_setprop(fdt, node, "interrupts", irq, sizeof(irq)));
	return 0;
}

static struct hvmgr *hvmgr_of(struct device *dev)
{
	return (struct hvmgr *)((char *)dev - offsetof(struct hvmgr, dev));
}

static int hvmgr_fdt_node(struct device *dev, void *fdt, int parent)
{
	struct hvmgr *m = hvmgr_of(dev);
	/* Topaz's version cell pair; the driver only asks whether it is there. */
	const fdt32_t version[2] = { cpu_to_fdt32(1), cpu_to_fdt32(0) };
	int handles, node;

	FDT(fdt_setprop(fdt, parent, "fsl,hv-version", version, sizeof(version)));
	if (!m->n_part)
		return 0;
	FDT(handles = fdt_add_subnode(fdt, parent, "handles"));
	FDT(fdt_setprop_u32(fdt, handles, "#address-cells", 1));
	FDT(fdt_setprop_u32(fdt, handles, "#size-cells", 0));
	/* fdt_add_subnode puts a node first: last partition first, so they appear in handle order. */
	for (unsigned i = m->n_part; i-- > 0;) {
		const struct hvmgr_part *p = &m->part[i];

		FDT(node = fdt_add_subnode(fdt, handles, p->name));
		FDT(fdt_setprop_string(fdt, node, "compatible", "fsl,hv-partition-handle"));
		FDT(fdt_setprop_u32(fdt, node, "reg", p->handle));
		FDT(fdt_setprop_u32(fdt, node, "hv-handle", p->handle));
		FDT(fdt_setprop_string(fdt, node, "label", p->name));
		if (p->wd_db >= 0 &&
		    doorbell_node(m, fdt, node, "watchdog-doorbell",
				  "fsl,hv-watchdog-expiration-doorbell", p->wd_db))
			return -1;
		if (p->state_db >= 0 &&
		    doorbell_node(m, fdt, node, "state-change-doorbell", "fsl,hv-state-change-doorbell",
				  p->state_db))
			return -1;
	}
	return 0;
}

/* Doorbells are edges, nothing is held between them. */
static void hvmgr_reset(struct device *dev)
{
	(void)dev;
}

#define HVMGR_STATE_TAG "HVMG"
#define HVMGR_STATE_VERSION 1

/*
 * Nothing is held between doorbells; what the guest saw is its device tree's
 * partition handles and doorbell lines, and a restored manager must see the
 * same ones (a manager restored outside its system has none: refused).
 */
static int hvmgr_save(struct device *dev, struct state_writer *w)
{
	struct hvmgr *m = hvmgr_of(dev);

	state_put_header(w, HVMGR_STATE_TAG, HVMGR_STATE_VERSION);
	state_put_u32(w, m->n_part);
	for (unsigned i = 0; i < m->n_part; i++) {
		state_put_u32(w, m->part[i].handle);
		state_put_bytes(w, m->part[i].name, HVMGR_NAME_MAX);
		state_put_u32(w, (uint32_t)m->part[i].state_db);
		state_put_u32(w, (uint32_t)m->part[i].wd_db);
	}
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

static int hvmgr_load(struct device *dev, struct state_reader *r)
{
	struct hvmgr *m = hvmgr_of(dev);
	char name[HVMGR_NAME_MAX];

	if (state_get_header(r, HVMGR_STATE_TAG) != HVMGR_STATE_VERSION)
		return -EINVAL;
	if (state_get_u32(r) != m->n_part)
		return -EINVAL;
	for (unsigned i = 0; i < m->n_part && state_reader_ok(r); i++) {
		if (state_get_u32(r) != m->part[i].handle)
			state_fail(r);
		state_get_bytes(r, name, sizeof(name));
		if (memcmp(name, m->part[i].name, sizeof(name)))
			state_fail(r);
		if (state_get_u32(r) != (uint32_t)m->part[i].state_db ||
		    state_get_u32(r) != (uint32_t)m->part[i].wd_db)
			state_fail(r);
	}
	return state_reader_ok(r) ? 0 : -EINVAL;
}

static const struct device_ops hvmgr_ops = {
	.name = "fsl,hv-manager",
	.reset = hvmgr_reset,
	.fdt_node = hvmgr_fdt_node,
	.save = hvmgr_save,
	.load = hvmgr_load,
};

int hvmgr_init(struct hvmgr *m, int fd, struct loop *loop, const struct irq_line *lines,
	       const unsigned *line_n, unsigned n_lines)
{
	memset(m, 0, sizeof(*m));
	m->dev = (struct device){ .ops = &hvmgr_ops, .name = "hvmgr" };
	m->fd = fd;
	m->loop = loop;
	m->n_lines = n_lines < HVMGR_MAX_DOORBELLS ? n_lines : HVMGR_MAX_DOORBELLS;
	memcpy(m->line, lines, m->n_lines * sizeof(*lines));
	memcpy(m->line_n, line_n, m->n_lines * sizeof(*line_n));
	if (fd <= 0)
		return 0;
	if (ask_list(m))
		return -1;
	if (loop_add_fd(loop, fd, POLLIN, readable, m)) {
		log_err("system: too many host files to watch the supervisor\n");
		return -1;
	}
	return 0;
}
