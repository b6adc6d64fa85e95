/* SPDX-License-Identifier: MIT */
/* loop.h - the host event loop: file descriptors polled on the vcpu thread. */
#ifndef HV440_HOST_LOOP_H
#define HV440_HOST_LOOP_H

#include <stdint.h>

typedef void (*loop_fd_cb)(void *opaque, int fd, short revents);

#define LOOP_MAX_FDS 32

struct loop {
	struct {
		int fd;
		short events;
		loop_fd_cb cb;
		void *opaque;
	} fds[LOOP_MAX_FDS];
	unsigned n;
};

void loop_init(struct loop *l);
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *opaque);
void loop_remove_fd(struct loop *l, int fd);
/* Wait up to timeout_ns (0: just look; <0: forever) and call the callbacks of ready fds. */
void loop_poll(struct loop *l, int64_t timeout_ns);

#endif
