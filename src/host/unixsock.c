/* SPDX-License-Identifier: MIT */
/* unixsock.c - listening unix sockets: refuse a live path, replace a stale one, mode 0600. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/unixsock.h"

/* umask() is the process's: unixsock_listen() changes it around bind() under this lock. */
static pthread_mutex_t umask_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Is PATH served? A connect() answers: it succeeds (or, on a full backlog,
 * would block) while a process listens; ECONNREFUSED means the socket file
 * outlived its process (unix(7)). The probe connection, if accepted, is
 * an immediate EOF to the server.
 */
static int probe(const struct sockaddr_un *sa)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int r;

	if (s < 0)
		return -errno;
	r = connect(s, (const struct sockaddr *)sa, sizeof(*sa)) ? -errno : 0;
	close(s);
	return r;
}

int unixsock_listen(const char *path, int backlog, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int s, r;

	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "unix socket path '%s' is empty or too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", path);
			return -1;
		}
		r = probe(&sa);
		if (r == 0 || r == -EAGAIN || r == -EINPROGRESS) {
			snprintf(err, errlen, "%s is in use: another process (or another option) "
				 "listens there", path);
			return -1;
		}
		if (r != -ECONNREFUSED) {
			snprintf(err, errlen, "cannot check %s: %s", path, strerror(-r));
			return -1;
		}
		unlink(path);  /* stale: left by a run that was killed */
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	/*
	 * bind() creates the file with 0777 & ~umask; connecting needs write
	 * permission on it (unix(7)), so a mask of 0177 makes it the user's
	 * alone from its first instant. The umask is the process's and VMs
	 * may be set up on several threads at once: one bind at a time, so
	 * that none restores another's 0177 as the process's mask.
	 */
	pthread_mutex_lock(&umask_lock);
	old = umask(0177);
	r = bind(s, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	pthread_mutex_unlock(&umask_lock);
	if (r || listen(s, backlog)) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		if (!r)
			unlink(path);
		close(s);
		return -1;
	}
	return s;
}
