/* SPDX-License-Identifier: MIT */
/* unixsock.h - listening unix sockets that never steal a live path and are private to the user. */
#ifndef HV440_HOST_UNIXSOCK_H
#define HV440_HOST_UNIXSOCK_H

#include <stddef.h>

/*
 * Listen on PATH (non-blocking, close-on-exec), mode 0600 whatever the
 * umask. A socket file nobody serves (left by a killed run) is replaced;
 * one that another live process (or another option of this one) serves is
 * refused, as is any file that is not a socket. Returns the listening fd,
 * or -1 with a reason (no trailing newline) in err.
 */
int unixsock_listen(const char *path, int backlog, char *err, size_t errlen);

#endif
