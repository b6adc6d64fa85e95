/* SPDX-License-Identifier: MIT */
/*
 * sandbox.c - after set-up, hv440 gives up what it no longer needs: no new
 * privileges, no capabilities, and a seccomp-bpf allow-list of the system
 * calls running a guest takes. Anything else ends the process with one
 * line naming the call (SIGSYS), so a missing entry is found at once.
 */
#include "host/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * What a running guest needs: I/O on descriptors opened at set-up, sockets
 * for user networking, the gdb stub and the control socket (accepting and
 * creating connections), memory for threads and the allocator, time,
 * signals, and thread synchronisation.
 */
static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(preadv2), SCMP_SYS(pwritev2), SCMP_SYS(lseek), SCMP_SYS(close),
	SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(dup3),
	SCMP_SYS(pipe2), SCMP_SYS(eventfd2), SCMP_SYS(ftruncate), SCMP_SYS(fallocate),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select), SCMP_SYS(pselect6),
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	SCMP_SYS(timerfd_create), SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
	SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind),
	SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(shutdown),
	SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername),
	/* mmap and mprotect: only without PROT_EXEC (sandbox_enter) */
	SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(brk), SCMP_SYS(msync), SCMP_SYS(mincore),
	SCMP_SYS(getrusage), /* --stats: guest RAM resident, peak RSS */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(getrandom),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(sigaltstack), SCMP_SYS(kill), SCMP_SYS(tgkill), SCMP_SYS(getpid),
	SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid),
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(sched_yield),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(clone), SCMP_SYS(clone3),
	SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(restart_syscall),
	/* Listening sockets (unix: serial, control) remove their path at exit. */
	SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	/* Deliberately absent: open/openat, execve, ptrace, mount, ... — every file is open by now. */
};

#if defined(__SANITIZE_ADDRESS__)
#define HV440_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HV440_ASAN 1
#endif
#endif

#ifdef HV440_ASAN
/*
 * Sanitizer builds (tests only): LeakSanitizer's exit-time check stops the
 * world from a ptrace()ing helper process that reads /proc. Calls outside
 * the list are logged by the kernel instead of trapped there; the normal
 * build's test suite is what proves the allow-list.
 */
#define DEFAULT_ACTION SCMP_ACT_LOG
#else
#define DEFAULT_ACTION SCMP_ACT_TRAP
#endif

/* One line on stderr naming the refused call, then the default SIGSYS action. */
static void on_sigsys(int sig, siginfo_t *si, void *uctx)
{
	static const char msg[] = "hv440: sandbox refused system call ";
	char num[16];
	int n = si->si_syscall, len = 0;
	char tmp[16];

	(void)uctx;
	do {
		tmp[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n && len < (int)sizeof(tmp));
	for (int i = 0; i < len; i++)
		num[i] = tmp[len - 1 - i];
	num[len++] = '\n';
	if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, num, (size_t)len) < 0) {
		/* nothing more can be said */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &hdr, data);
}

/*
 * ioctl only for terminal modes and non-blocking/ready-byte queries: no
 * TIOCSTI (typing into the user's shell) or anything else.
 */
static const unsigned long allowed_ioctls[] = {
	TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, FIONBIO, FIONREAD, FIOCLEX,
};

/*
 * Opening files: refused with EACCES (a library that tries gets an error,
 * not a dead process), except read-only opens when asked. Sanitizer builds
 * (tests only) add no open rules: their log action lets LeakSanitizer open /proc.
 */
static int add_open_rules(scmp_filter_ctx ctx, bool read_only_open)
{
	/* Disjoint rules: allowed when no write-ish flag is set, refused otherwise. */
	static const uint64_t refuse[][2] = {
		{ O_ACCMODE, O_WRONLY }, { O_ACCMODE, O_RDWR }, { O_CREAT, O_CREAT },
		{ O_TRUNC, O_TRUNC }, { O_APPEND, O_APPEND },
	};
	const uint64_t wr = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;
	int rc;

#ifdef HV440_ASAN
	(void)refuse;
	(void)wr;
	(void)read_only_open;
	return 0;
#endif
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0);
	if (rc || !read_only_open)
		return rc ? rc : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0);
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
			      SCMP_A2(SCMP_CMP_MASKED_EQ, wr, O_RDONLY));
	for (size_t i = 0; !rc && i < sizeof(refuse) / sizeof(refuse[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, refuse[i][0], refuse[i][1]));
	return rc;
}

int sandbox_enter(bool read_only_open, char *err, size_t errlen)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (drop_capabilities()) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);

	ctx = seccomp_init(DEFAULT_ACTION);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (allowed[i] < 0)
			continue; /* not a system call on this architecture */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
		if (rc) {
			snprintf(err, errlen, "seccomp rule for call %d: %s", allowed[i], strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(allowed_ioctls) / sizeof(allowed_ioctls[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, allowed_ioctls[i], 0));
		if (rc) {
			snprintf(err, errlen, "seccomp rule for ioctl: %s", strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	}
	/*
	 * No new executable memory after set-up: the JIT's code cache exists
	 * by now, so code injected into hv440 cannot map or make more.
	 */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc) {
		snprintf(err, errlen, "seccomp rule for mmap: %s", strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	rc = add_open_rules(ctx, read_only_open);
	if (rc) {
		snprintf(err, errlen, "seccomp rule for open: %s", strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	/* Apply to every thread, including helpers already started. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc) {
		snprintf(err, errlen, "cannot load the seccomp filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
