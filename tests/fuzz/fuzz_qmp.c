/* SPDX-License-Identifier: MIT */
/*
 * fuzz_qmp.c - libFuzzer harness for QMP
 * (tools/qmp.h, --qmp unix:PATH,server,nowait): arbitrary bytes from a client.
 *
 * Per input: connect to the socket (the greeting comes), send the input, half-close, and run
 * the event loop (as the board does between run chunks) until the server
 * hangs up, reading and discarding its answers. Checked: no crash, no
 * sanitizer report, no hang, and the server hangs up once the input ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/loop.h"
#include "hv/vcpu.h"
#include "tools/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE (64u << 10)
#define MAX_POLLS 10000

static struct vcpu v;  /* static: about 7 MiB */
static uint8_t *ram;
static struct loop loop;
static struct qmp *ctl;
static struct sockaddr_un sa = { .sun_family = AF_UNIX };

static void cleanup(void)
{
	qmp_close(ctl);
}

static void setup_once(void)
{
	static const struct vcpu_bus bus = { 0 };
	char spec[128];

	ram = calloc(1, RAM_SIZE + VCPU_PV_EXTRA);
	if (!ram || vcpu_init(&v, ram, RAM_SIZE, 400000000, &bus))
		abort();
	loop_init(&loop);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/hv440-fuzz-qmp-%d", (int)getpid());
	snprintf(spec, sizeof(spec), "unix:%s,server,nowait", sa.sun_path);
	if (qmp_open(&ctl, spec, &loop, &v))
		abort();
	atexit(cleanup);
}

/* Read what is there; true when the server has hung up. */
static bool drain(int fd)
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

	if (!ctl)
		setup_once();
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	/* Send in step with the loop: the server answers as it reads. */
	for (unsigned i = 0; i < MAX_POLLS && !gone; i++) {
		if (off < size) {
			ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				off = size; /* the server hung up (message too long) */
			if (off == size)
				shutdown(fd, SHUT_WR);
		} else if (i == 0) {
			shutdown(fd, SHUT_WR);
		}
		loop_poll(&loop, 1000000);
		gone = drain(fd);
	}
	close(fd);
	/* What the client asked of the run loop (reset, quit) is not done here: forget it. */
	qmp_take_requests(ctl);
	if (!gone) {
		fprintf(stderr, "fuzz_qmp: the server kept a client whose input ended\n");
		abort();
	}
	return 0;
}
