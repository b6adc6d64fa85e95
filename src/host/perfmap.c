/* SPDX-License-Identifier: MIT */
/* perfmap.c - the process's perf map: emptied once, then appended to by every VM's JIT. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "host/perfmap.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool emptied;  /* this process has truncated its map (stale lines of an earlier PID go) */

int perf_map_open(char *path, unsigned path_size)
{
	int fd, err = 0;

	snprintf(path, path_size, "/tmp/perf-%d.map", (int)getpid());
	pthread_mutex_lock(&lock);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (emptied ? 0 : O_TRUNC), 0644);
	if (fd < 0)
		err = errno;
	else
		emptied = true;
	pthread_mutex_unlock(&lock);
	return fd < 0 ? -err : fd;
}
