/* SPDX-License-Identifier: MIT */
/* loop.c - a ppoll()-based file descriptor loop with nanosecond timeouts. */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "host/loop.h"

void loop_init(struct loop *l)
{
	memset(l, 0, sizeof(*l));
}

int loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *opaque)
{
	unsigned i;

	if (fd < 0 || !cb)
		return -EINVAL;
	for (i = 0; i < l->n; i++)
		if (l->fds[i].fd == fd)
			return -EEXIST;
	if (l->n >= LOOP_MAX_FDS)
		return -ENOSPC;
	l->fds[l->n].fd = fd;
	l->fds[l->n].events = events;
	l->fds[l->n].cb = cb;
	l->fds[l->n].opaque = opaque;
	l->n++;
	return 0;
}

void loop_remove_fd(struct loop *l, int fd)
{
	unsigned i;

	for (i = 0; i < l->n; i++) {
		if (l->fds[i].fd != fd)
			continue;
		memmove(&l->fds[i], &l->fds[i + 1], (l->n - i - 1) * sizeof(l->fds[0]));
		l->n--;
		return;
	}
}

/*
 * ppoll() with the caller's nanoseconds: a waiting guest's next timer deadline (DEC, FIT,
 * watchdog) is met to within the host's timer slack, not rounded up to poll()'s milliseconds.
 */
static const struct timespec *timeout_ts(int64_t ns, struct timespec *ts)
{
	if (ns < 0)
		return NULL;
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return ts;
}

void loop_poll(struct loop *l, int64_t timeout_ns)
{
	struct pollfd pfd[LOOP_MAX_FDS];
	struct timespec ts;
	unsigned i, n = l->n;
	int ret;

	for (i = 0; i < n; i++) {
		pfd[i].fd = l->fds[i].fd;
		pfd[i].events = l->fds[i].events;
		pfd[i].revents = 0;
	}
	ret = ppoll(pfd, n, timeout_ts(timeout_ns, &ts), NULL);
	if (ret <= 0)
		return; /* timeout, or EINTR: the caller looks at its events and comes back */

	/*
	 * A callback may add or remove fds (a socket accepting a client, a
	 * backend pausing input), so look each ready fd up again and skip it
	 * if it went away meanwhile.
	 */
	for (i = 0; i < n; i++) {
		unsigned j;

		if (!pfd[i].revents)
			continue;
		for (j = 0; j < l->n; j++) {
			if (l->fds[j].fd == pfd[i].fd) {
				l->fds[j].cb(l->fds[j].opaque, pfd[i].fd, pfd[i].revents);
				break;
			}
		}
	}
}
