/* SPDX-License-Identifier: MIT */
/*
 * fuzz_gdb.c - libFuzzer harness for the gdb remote protocol stub
 * (debug/gdbstub.h): arbitrary bytes from a gdb client, over a real
 * loopback TCP connection, while the vcpu is stopped for the debugger.
 *
 * Per input: reset the vcpu (64 KiB of RAM), connect to the stub, send the
 * input, half-close, and serve it with gdbstub_stopped() (again after each
 * resume packet) until the stub drops the client at the end of the input.
 * A thread reads and discards the replies so the stub never waits on a
 * full socket. Checked: no crash, no sanitizer report, no hang (libFuzzer's
 * -timeout), and the stub is left without a client, ready for the next one.
 * HV440_FUZZ_VERBOSE=1 prints the stub's replies (to check seeds).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "debug/gdbstub.h"
#include "hv/vcpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE (64u << 10)
#define MAX_ROUNDS 4096

static struct vcpu v;  /* static: about 7 MiB */
static uint8_t *ram;
static struct gdbstub *g;
static struct sockaddr_in stub_addr;

static int bus_mmio_read(void *opaque, gpa_t pa, unsigned size, uint64_t *val)
{
	*val = pa ^ size;
	return 0;
}

static int bus_mmio_write(void *opaque, gpa_t pa, unsigned size, uint64_t val)
{
	return 0;
}

static int bus_dcr_read(void *opaque, uint32_t dcrn, uint32_t *val)
{
	*val = dcrn;
	return 0;
}

static int bus_dcr_write(void *opaque, uint32_t dcrn, uint32_t val)
{
	return 0;
}

static const struct vcpu_bus bus = {
	.mmio_read = bus_mmio_read, .mmio_write = bus_mmio_write,
	.dcr_read = bus_dcr_read, .dcr_write = bus_dcr_write,
};

static void *drain(void *arg)
{
	int fd = *(int *)arg;
	bool verbose = getenv("HV440_FUZZ_VERBOSE");
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (verbose)
			fprintf(stderr, "fuzz_gdb: reply: %.*s\n", (int)n, buf);
	return NULL;
}

static void setup_once(void)
{
	socklen_t sl = sizeof(stub_addr);
	int lfd, cfd;

	ram = calloc(1, RAM_SIZE + VCPU_PV_EXTRA);
	if (!ram || vcpu_init(&v, ram, RAM_SIZE, 400000000, &bus))
		abort();
	if (gdbstub_open(&g, &v, "tcp:127.0.0.1:0"))
		abort();
	gdbstub_fds(g, &lfd, &cfd);
	if (getsockname(lfd, (struct sockaddr *)&stub_addr, &sl))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pthread_t th;
	int fd, lfd, cfd;
	size_t off = 0;

	if (!g)
		setup_once();
	vcpu_reset(&v);
	memset(ram, 0, RAM_SIZE);
	/* Thousands of loopback connections a second can briefly run out of ports: retry. */
	for (unsigned tries = 0;; tries++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&stub_addr, sizeof(stub_addr)) == 0)
			break;
		if (tries == 50) {
			perror("fuzz_gdb: connect to the stub");
			abort();
		}
		if (fd >= 0)
			close(fd);
		usleep(20000);
	}
	if (pthread_create(&th, NULL, drain, &fd))
		abort();
	while (off < size) {
		ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);

		if (n <= 0)
			break; /* the stub may hang up early (e.g. a kill packet) */
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	for (unsigned round = 0; round < MAX_ROUNDS; round++) {
		gdbstub_stopped(g, VCPU_STOP_DEBUG, round == 0);
		gdbstub_fds(g, &lfd, &cfd);
		if (cfd < 0)
			break;
	}
	gdbstub_fds(g, &lfd, &cfd);
	if (cfd >= 0) {
		fprintf(stderr, "fuzz_gdb: the stub kept a client whose input ended\n");
		abort();
	}
	pthread_join(th, NULL);
	close(fd);
	return 0;
}
