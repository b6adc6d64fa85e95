// SPDX-License-Identifier: MIT
// ptrace-test.c - ptrace single-step, a hardware breakpoint and a data watchpoint on a child.
//
// Usage: ptrace-test
// Forks a child that stops itself, then drives it through code whose addresses it knows (the
// asm below): PTRACE_SINGLESTEP over a counted loop, checking that every step stops at the
// next instruction the loop executes; PPC_PTRACE_SETHWDEBUG execute breakpoint (the child
// stops before the instruction runs); a write watchpoint (the child stops at the store, the
// word not yet written, the signal naming the watched address). On the 440 these are the
// core's own debug facilities (DBCR0[IDM], ICMP, IAC, DAC). Prints PASS/FAIL lines and
//   ptrace-test: N passed, M failed
// and exits with 0 only when nothing failed.
#include <asm/ptrace.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

volatile uint32_t watched;
extern char child_code[], step_start[], step_end[], bp_target[], wp_store[];

// The child's code: a loop of 3 rounds, a breakpoint target, a store to `watched`, exit(7).
__asm__(
	".text\n"
	".globl child_code\n child_code:\n"
	"	b .\n" // the parent moves the child on from here
	".globl step_start\n step_start:\n"
	"	li 3,0\n"
	"	li 4,3\n"
	"1:	addi 3,3,1\n"
	"	addi 4,4,-1\n"
	"	cmpwi 4,0\n"
	"	bne 1b\n"
	".globl step_end\n step_end:\n"
	"	nop\n"
	".globl bp_target\n bp_target:\n"
	"	addi 3,3,100\n"
	"	lis 5,watched@ha\n"
	"	addi 5,5,watched@l\n"
	"	li 6,42\n"
	".globl wp_store\n wp_store:\n"
	"	stw 6,0(5)\n"
	"	li 0,1\n" // __NR_exit
	"	li 3,7\n"
	"	sc\n"
	"	b .\n");

static int passed, failed;

static void result(int ok, const char *what, unsigned long got, unsigned long want)
{
	if (ok) {
		printf("PASS %s\n", what);
		passed++;
	} else {
		printf("FAIL %s: got 0x%lx, want 0x%lx\n", what, got, want);
		failed++;
	}
	fflush(stdout);
}

static unsigned long peek_reg(pid_t pid, int reg)
{
	errno = 0;
	return (unsigned long)ptrace(PTRACE_PEEKUSER, pid, (void *)(reg * sizeof(long)), NULL);
}

// Wait for the child to stop; returns the stop signal, or -1 (and says why) when it did not stop.
static int wait_stop(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid) {
		perror("ptrace-test: waitpid");
		return -1;
	}
	if (!WIFSTOPPED(st)) {
		printf("ptrace-test: child did not stop (status 0x%x)\n", st);
		return -1;
	}
	return WSTOPSIG(st);
}

static void child(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	raise(SIGSTOP);
	((void (*)(void))child_code)();
	_exit(1);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	// The PCs after each step: the loop body runs three times, bne taken twice.
	static const unsigned off[] = { 4, 8, 12, 16, 20, 8, 12, 16, 20, 8, 12, 16, 20, 24 };
	unsigned long pc, base = (unsigned long)step_start;
	struct ppc_hw_breakpoint bp;
	struct ppc_debug_info info;
	siginfo_t si;
	int st, sig, id;
	char what[80];
	pid_t pid;

	alarm(60);
	pid = fork();
	if (pid < 0) {
		perror("ptrace-test: fork");
		return 1;
	}
	if (pid == 0)
		child();
	if (wait_stop(pid) != SIGSTOP)
		goto out;

	// Single step from step_start through the loop.
	ptrace(PTRACE_POKEUSER, pid, (void *)(PT_NIP * sizeof(long)), (void *)base);
	for (unsigned i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) < 0) {
			perror("ptrace-test: PTRACE_SINGLESTEP");
			failed++;
			goto out;
		}
		sig = wait_stop(pid);
		pc = peek_reg(pid, PT_NIP);
		snprintf(what, sizeof(what), "singlestep %u: SIGTRAP at step_start+%u", i + 1, off[i]);
		result(sig == SIGTRAP && pc == base + off[i], what, pc - base, off[i]);
		if (sig != SIGTRAP)
			goto out;
	}
	result(peek_reg(pid, PT_R3) == 3, "singlestep: r3 counted the loop", peek_reg(pid, PT_R3), 3);
	result((unsigned long)step_end == base + 24, "singlestep: ended at step_end",
	       (unsigned long)step_end, base + 24);

	if (ptrace(PPC_PTRACE_GETHWDBGINFO, pid, NULL, &info) < 0) {
		perror("ptrace-test: PPC_PTRACE_GETHWDBGINFO");
		failed++;
		goto out;
	}
	printf("ptrace-test: %u instruction, %u data breakpoints\n", info.num_instruction_bps,
	       info.num_data_bps);

	// An execute breakpoint: the child stops at bp_target before it runs (r3 still 3).
	memset(&bp, 0, sizeof(bp));
	bp.version = 1;
	bp.trigger_type = PPC_BREAKPOINT_TRIGGER_EXECUTE;
	bp.addr_mode = PPC_BREAKPOINT_MODE_EXACT;
	bp.condition_mode = PPC_BREAKPOINT_CONDITION_NONE;
	bp.addr = (uintptr_t)bp_target;
	id = (int)ptrace(PPC_PTRACE_SETHWDEBUG, pid, NULL, &bp);
	result(id > 0, "breakpoint: PPC_PTRACE_SETHWDEBUG", (unsigned long)id, 1);
	if (id <= 0)
		goto out;
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	sig = wait_stop(pid);
	pc = peek_reg(pid, PT_NIP);
	result(sig == SIGTRAP, "breakpoint: SIGTRAP", (unsigned long)sig, SIGTRAP);
	result(pc == (unsigned long)bp_target, "breakpoint: stopped at bp_target", pc,
	       (unsigned long)bp_target);
	result(peek_reg(pid, PT_R3) == 3, "breakpoint: instruction not executed",
	       peek_reg(pid, PT_R3), 3);
	ptrace(PPC_PTRACE_DELHWDEBUG, pid, NULL, (void *)(long)id);

	// A write watchpoint on `watched`: the child stops at the store, before it happens.
	memset(&bp, 0, sizeof(bp));
	bp.version = 1;
	bp.trigger_type = PPC_BREAKPOINT_TRIGGER_WRITE;
	bp.addr_mode = PPC_BREAKPOINT_MODE_EXACT;
	bp.condition_mode = PPC_BREAKPOINT_CONDITION_NONE;
	bp.addr = (uintptr_t)&watched;
	id = (int)ptrace(PPC_PTRACE_SETHWDEBUG, pid, NULL, &bp);
	result(id > 0, "watchpoint: PPC_PTRACE_SETHWDEBUG", (unsigned long)id, 1);
	if (id <= 0)
		goto out;
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	sig = wait_stop(pid);
	pc = peek_reg(pid, PT_NIP);
	result(sig == SIGTRAP, "watchpoint: SIGTRAP", (unsigned long)sig, SIGTRAP);
	result(pc == (unsigned long)wp_store, "watchpoint: stopped at the store", pc,
	       (unsigned long)wp_store);
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
	result((unsigned long)si.si_addr == (unsigned long)&watched, "watchpoint: si_addr",
	       (unsigned long)si.si_addr, (unsigned long)&watched);
	errno = 0;
	{
		long w = ptrace(PTRACE_PEEKDATA, pid, (void *)&watched, NULL);

		result(errno == 0 && w == 0, "watchpoint: word not yet written", (unsigned long)w, 0);
	}
	ptrace(PPC_PTRACE_DELHWDEBUG, pid, NULL, (void *)(long)id);

	// Nothing armed any more: the child stores, exits with 7.
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	if (waitpid(pid, &st, 0) == pid)
		result(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child exited with 7", (unsigned long)st,
		       7 << 8);
	pid = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	printf("ptrace-test: %d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;
}
