/* SPDX-License-Identifier: MIT */
/*
 * fuzz_socket.h - the body of the harnesses for hv440's client sockets (the control socket,
 * QMP): arbitrary bytes from one client.
 *
 * Per input: connect to the socket, send the input, half-close, and run the event loop (as
 * the board does between run chunks) until the server hangs up, reading and discarding its
 * answers. Checked: no crash, no sanitizer report, no hang, and the server hangs up once the
 * input ends. The harness that includes this defines fuzz_socket_open() (open its server on
 * spec_path, with the loop and the vcpu), fuzz_socket_close() and fuzz_socket_after() (after
 * each input), and FUZZ_SOCKET_NAME.
 */
#ifndef HV440_FUZZ_SOCKET_H
#define HV440_FUZZ_SOCKET_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/loop.h"
#include "hv/vcpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SOCKET_RAM (64u << 10)
#define FUZZ_SOCKET_MAX_POLLS 10000

static int fuzz_socket_open(const char *path, struct loop *l, struct vcpu *v);
static void fuzz_socket_close(void);
static void fuzz_socket_after(void);

static struct vcpu fuzz_vcpu;  /* static: about 7 MiB */
static struct loop fuzz_loop;
static struct sockaddr_un fuzz_sa = { .sun_family = AF_UNIX };
static bool fuzz_ready;

static void fuzz_setup_once(void)
{
	static const struct vcpu_bus bus = { 0 };
	uint8_t *ram = calloc(1, FUZZ_SOCKET_RAM + VCPU_PV_EXTRA);

	if (!ram || vcpu_init(&fuzz_vcpu, ram, FUZZ_SOCKET_RAM, 400000000, &bus))
		abort();
	loop_init(&fuzz_loop);
	snprintf(fuzz_sa.sun_path, sizeof(fuzz_sa.sun_path), "/tmp/hv440-%s-%d", FUZZ_SOCKET_NAME,
		 (int)getpid());
	if (fuzz_socket_open(fuzz_sa.sun_path, &fuzz_loop, &fuzz_vcpu))
		abort();
	atexit(fuzz_socket_close);
	fuzz_ready = true;
}

/* Read what is there; true when the server has hung up. */
static bool fuzz_drain(int fd)
{
	char buf[65536];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n == 0)
			return true;
		return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	bool gone = false;
	int fd;

	if (!fuzz_ready)
		fuzz_setup_once();
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&fuzz_sa, sizeof(fuzz_sa)))
		abort();
	/* Send in step with the loop: the server answers as it reads. */
	for (unsigned i = 0; i < FUZZ_SOCKET_MAX_POLLS && !gone; i++) {
		if (off < size) {
			ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				off = size; /* the server hung up (input too long) */
			if (off == size)
				shutdown(fd, SHUT_WR);
		} else if (i == 0) {
			shutdown(fd, SHUT_WR);
		}
		loop_poll(&fuzz_loop, 1000000);
		gone = fuzz_drain(fd);
	}
	close(fd);
	fuzz_socket_after();
	if (!gone) {
		fprintf(stderr, "fuzz_%s: the server kept a client whose input ended\n",
			FUZZ_SOCKET_NAME);
		abort();
	}
	return 0;
}

#endif
