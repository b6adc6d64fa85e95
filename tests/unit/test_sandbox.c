/* SPDX-License-Identifier: MIT */
/*
 * test_sandbox.c - after sandbox_enter() a process may still map ordinary
 * memory but no new executable memory (the JIT's code cache is made
 * before): mmap/mprotect with PROT_EXEC end the process with SIGSYS.
 * Not built with sanitizers, whose sandbox only logs refused calls.
 */
#include "host/sandbox.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

/* Run step in a sandboxed child; its wait status. */
static int sandboxed(int step)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		char err[128];
		void *p;

		if (sandbox_enter(false, err, sizeof(err))) {
			fprintf(stderr, "sandbox_enter: %s\n", err);
			_exit(10);
		}
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(11);
		if (step == 1)
			mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (step == 2)
			mprotect(p, 4096, PROT_READ | PROT_EXEC);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void expect(const char *what, int st, int sig)
{
	bool ok = sig ? WIFSIGNALED(st) && WTERMSIG(st) == sig : WIFEXITED(st) && WEXITSTATUS(st) == 0;

	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok) {
		fprintf(stderr, "  wait status 0x%x\n", st);
		failures++;
	}
}

int main(void)
{
	expect("ordinary mmap allowed", sandboxed(0), 0);
	expect("mmap PROT_EXEC refused", sandboxed(1), SIGSYS);
	expect("mprotect PROT_EXEC refused", sandboxed(2), SIGSYS);
	return failures ? 1 : 0;
}
