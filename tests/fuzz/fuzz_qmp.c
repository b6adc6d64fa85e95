/* SPDX-License-Identifier: MIT */
/*
 * fuzz_qmp.c - libFuzzer harness for QMP (tools/qmp.h, --qmp unix:PATH,server,nowait):
 * arbitrary bytes from a client after the greeting (fuzz_socket.h).
 */
#include "tools/qmp.h"

#define FUZZ_SOCKET_NAME "qmp"
#include "fuzz_socket.h"

static struct qmp *ctl;

static int fuzz_socket_open(const char *path, struct loop *l, struct vcpu *v)
{
	char spec[128];

	snprintf(spec, sizeof(spec), "unix:%s,server,nowait", path);
	return qmp_open(&ctl, spec, l, v);
}

static void fuzz_socket_close(void)
{
	qmp_close(ctl);
}

/* What the client asked of the run loop (reset, quit) is not done here: forget it. */
static void fuzz_socket_after(void)
{
	qmp_take_requests(ctl);
}
