/* SPDX-License-Identifier: MIT */
/* log.c - the VM name in hv440's messages, and the rate-limited guest-error logger. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

/* How many VMs the process holds (vm_create/vm_destroy), and the one this thread works for. */
static atomic_int vm_count;
static _Thread_local const char *thread_vm;

const char *log_set_vm(const char *name)
{
	const char *old = thread_vm;

	thread_vm = name;
	return old;
}

void log_count_vm(int delta)
{
	atomic_fetch_add(&vm_count, delta);
}

const char *log_thread_vm(void)
{
	return thread_vm;
}

const char *log_vm_name(void)
{
	return atomic_load(&vm_count) > 1 ? thread_vm : NULL;
}

/* One line, written with stderr locked so that two VMs' lines never mix. */
void log_verr(const char *fmt, va_list ap)
{
	const char *vm = log_vm_name();

	flockfile(stderr);
	fputs("hv440: ", stderr);
	if (vm)
		fprintf(stderr, "%s: ", vm);
	vfprintf(stderr, fmt, ap);
	funlockfile(stderr);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_verr(fmt, ap);
	va_end(ap);
}

void log_limited(unsigned *count, const char *who, const char *fmt, va_list ap)
{
	const char *vm = log_vm_name();

	if (*count >= LOG_LIMIT)
		return;
	++*count;
	flockfile(stderr);
	fputs("hv440: ", stderr);
	if (vm)
		fprintf(stderr, "%s: ", vm);
	fprintf(stderr, "%s: ", who);
	vfprintf(stderr, fmt, ap);
	if (*count == LOG_LIMIT)
		fputs(" (further messages not logged)", stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
}
