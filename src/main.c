/* SPDX-License-Identifier: MIT */
/* main.c - the hv440 command line: options, start-up, run loop, exit statuses. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "board/board.h"
#include "debug/gdbstub.h"
#include "host/sandbox.h"
#include "host/chardev.h"
#include "hv/profile.h"
#include "hv/stats.h"
#include "hv/trace.h"
#include "system/system.h"
#include "hv/vcpu.h"
#include "qemu_cli.h"
#include "snapshot/snapshot.h"
#include "tools/control.h"
#include "tools/qmp.h"
#include "tools/tools.h"

#include "version.h"
#include "host/realtime.h"

/* Exit statuses (also in --help). */
#define EXIT_OK        0   /* guest reset under --no-reboot, or user quit */
#define EXIT_ERROR     1   /* bad input or start-up failure */
#define EXIT_HALTED    2   /* guest halted for good */
#define EXIT_CHECKSTOP 3   /* machine check with MSR[ME]=0 */

enum {
	OPT_KERNEL_ADDR = 256,
	OPT_INITRD,
	OPT_APPEND,
	OPT_DTB,
	OPT_DUMP_DTB,
	OPT_SERIAL,
	OPT_SERIAL1,
	OPT_NO_REBOOT,
	OPT_STATS,
	OPT_GDB,
	OPT_TRACE,
	OPT_PROFILE,
	OPT_CONTROL,
	OPT_DISK,
	OPT_NET,
	OPT_CONSOLE,
	OPT_RNG,
	OPT_NO_PARAVIRT,
	OPT_ENGINE,
	OPT_PERF_MAP,
	OPT_BYTECHAN,
	OPT_SANDBOX,
	OPT_REALTIME,
	OPT_CPU,
	OPT_PIDFILE,
	OPT_DAEMONIZE,
	OPT_QMP,
	OPT_NO_SHUTDOWN,
	OPT_RESTORE,
};

static const struct option long_opts[] = {
	{ "kernel",      required_argument, NULL, 'k' },
	{ "kernel-addr", required_argument, NULL, OPT_KERNEL_ADDR },
	{ "memory",      required_argument, NULL, 'm' },
	{ "initrd",      required_argument, NULL, OPT_INITRD },
	{ "append",      required_argument, NULL, OPT_APPEND },
	{ "dtb",         required_argument, NULL, OPT_DTB },
	{ "dump-dtb",    required_argument, NULL, OPT_DUMP_DTB },
	{ "serial",      required_argument, NULL, OPT_SERIAL },
	{ "serial1",     required_argument, NULL, OPT_SERIAL1 },
	{ "no-reboot",   no_argument,       NULL, OPT_NO_REBOOT },
	{ "stats",       optional_argument, NULL, OPT_STATS },
	{ "trace",       required_argument, NULL, OPT_TRACE },
	{ "profile",     required_argument, NULL, OPT_PROFILE },
	{ "control",     required_argument, NULL, OPT_CONTROL },
	{ "gdb",         required_argument, NULL, OPT_GDB },
	{ "disk",        required_argument, NULL, OPT_DISK },
	{ "net",         required_argument, NULL, OPT_NET },
	{ "console",     required_argument, NULL, OPT_CONSOLE },
	{ "rng",         no_argument,       NULL, OPT_RNG },
	{ "no-paravirt", no_argument,       NULL, OPT_NO_PARAVIRT },
	{ "engine",      required_argument, NULL, OPT_ENGINE },
	{ "perf-map",    no_argument,       NULL, OPT_PERF_MAP },
	{ "bytechan",    required_argument, NULL, OPT_BYTECHAN },
	{ "sandbox",     required_argument, NULL, OPT_SANDBOX },
	{ "realtime",    required_argument, NULL, OPT_REALTIME },
	{ "cpu",         required_argument, NULL, OPT_CPU },
	{ "pidfile",     required_argument, NULL, OPT_PIDFILE },
	{ "daemonize",   no_argument,       NULL, OPT_DAEMONIZE },
	{ "qmp",         required_argument, NULL, OPT_QMP },
	{ "no-shutdown", no_argument,       NULL, OPT_NO_SHUTDOWN },
	{ "restore",     required_argument, NULL, OPT_RESTORE },
	{ "help",        no_argument,       NULL, 'h' },
	{ "version",     no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* --cpu: QEMU's names for the 440EP's revisions (target/ppc/cpu-models.c); same core, own PVR. */
static const struct {
	const char *name;
	uint32_t pvr;
} cpu_models[] = {
	{ "440epb", 0x422218D3u }, { "440ep", 0x422218D3u },
	{ "440epa", 0x42221850u }, { "440epx", 0x200008D0u },
};

static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t stats_print_requested, stats_reset_requested;
static volatile sig_atomic_t cont_requested;
static volatile uint64_t cont_seen_ns;	/* vcpu_time_seen() when SIGCONT came */
/* The vcpu the signal handlers stop; NULL before the board is freed (a signal may come after). */
static struct vcpu *volatile signal_vcpu;

/* Measurement options (docs/measuring.md). */
#define TRACE_DEFAULT_SIZE (256ull << 20)
#define PROFILE_DEFAULT_HZ 997
static bool stats_json;
static struct hv_trace *trace;
static struct hv_profile *profile;
static struct control *control;
static struct qmp *qmp;              /* --qmp: QEMU's machine protocol, or NULL */
static struct gdbstub *gdb;          /* --gdb / -s: the remote stub, or NULL */
static int gdb_client_fd_polled = -1; /* the client fd registered in the board loop */

static void usage(FILE *out)
{
	fprintf(out,
"Usage: hv440 [options] --kernel FILE\n"
"       hv440 [host options] --restore SNAPSHOT\n"
"       hv440 -M bamboo -m 128m -kernel FILE [QEMU options]   (as qemu-system-ppc)\n"
"       hv440 trace FILE [--kind K] [--pc LO-HI] [--summary [--json]] [--limit N]\n"
"       hv440 profile FILE --vmlinux ELF [--top N] [--folded]\n"
"       hv440 system [--check] FILE.dts [--control unix:PATH] | --status unix:PATH\n"
"Run a PowerPC 440 guest (bamboo board, PPC440EP) on this host.\n"
"\n"
"Options:\n"
"  -k, --kernel FILE       guest kernel: ELF32 big-endian PowerPC (e.g. vmlinux),\n"
"                          uImage (mkimage; none or gzip), or a raw binary with\n"
"                          --kernel-addr\n"
"      --kernel-addr ADDR  load a raw binary at physical ADDR and enter it there\n"
"  -m, --memory SIZE       guest RAM with a K, M or G suffix (a plain number means\n"
"                          MiB; 256MB is not a size, as in QEMU); 16M to 2G,\n"
"                          multiple of 1M; default 256M\n"
"      --cpu MODEL         440epb (default), 440ep, 440epa or 440epx: the 440EP's\n"
"                          revisions, which differ in their PVR only\n"
"      --initrd FILE       initial ramdisk, loaded as-is (gzip or zstd cpio)\n"
"      --append STRING     kernel command line (/chosen bootargs)\n"
"      --dtb FILE          use this device tree instead of the generated one\n"
"                          (bootargs, initrd and memory patched only when given)\n"
"      --dump-dtb FILE     write the device tree the guest would get and exit 0\n"
"      --restore FILE      run the machine saved in FILE (the control socket's\n"
"                          snapshot command) from where it was; the file names\n"
"                          the kernel, RAM and devices; --serial, --console,\n"
"                          --bytechan, --disk, --net and --engine may be given\n"
"                          again (docs/snapshot.md)\n"
"      --serial SPEC       UART0 backend: stdio (default), pty, file:PATH, null,\n"
"                          unix:PATH (listens; ,server=off connects), or\n"
"                          tcp:[HOST]:PORT (connects; ,server=on listens on HOST,\n"
"                          empty = 127.0.0.1); a server takes ,wait=on to hold\n"
"                          the guest until a client connects\n"
"      --serial1 SPEC      UART1 backend (same choices; default null)\n"
"      --disk FILE[,readonly=on][,cache=writeback|writethrough|unsafe]\n"
"                 [,snapshot=on][,format=raw]\n"
"                          a raw image as a virtio-blk disk (/dev/vda, vdb, ...);\n"
"                          repeat for more; locked against other writers;\n"
"                          snapshot=on sends writes to a temporary overlay, never\n"
"                          the image; qcow2, VMDK, VDI... are refused unless\n"
"                          format=raw; ',,' is a comma in FILE\n"
"      --net user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]...[,mac=M][,host-loopback=on]\n"
"                [,restrict=on]\n"
"      --net tap,ifname=NAME[,mac=M]\n"
"                          a virtio-net NIC on user-mode networking (libslirp:\n"
"                          10.0.2.15 by DHCP, gateway 10.0.2.2, DNS 10.0.2.3; the\n"
"                          host's loopback only with host-loopback=on; nothing out\n"
"                          with restrict=on) or on an existing TAP interface;\n"
"                          repeat for more\n"
"      --console SPEC      a virtio console (hvc0) on SPEC (as --serial); with\n"
"                          stdio, UART0 defaults to null\n"
"      --rng               a virtio-rng entropy device fed by getrandom()\n"
"      --bytechan SPEC     an ePAPR byte channel (Linux ttyEHV0) on SPEC (as\n"
"                          --serial), the guest's stdout-path; with stdio, UART0\n"
"                          defaults to null\n"
"      --no-paravirt       a plain bamboo board: no /hypervisor node, no\n"
"                          hypercalls, no magic page (docs/paravirt.md)\n"
"      --engine jit|interp|lockstep\n"
"                          run guest code translated to x86-64 (default), with\n"
"                          the reference interpreter only, or both, comparing\n"
"                          every block and stopping at the first difference\n"
"                          (slow; for testing the JIT, docs/jit.md); the\n"
"                          default is $HV440_ENGINE when set\n"
"      --perf-map          write /tmp/perf-PID.map so perf names translated code\n"
"      --no-reboot         exit when the guest resets instead of rebooting it\n"
"      --no-shutdown       when the guest ends (reset under --no-reboot, or halt),\n"
"                          keep hv440 with the guest stopped until Ctrl-A x or a\n"
"                          signal\n"
"      --daemonize         run in the background once set up (the console must not\n"
"                          be on stdio); exit 0 then, 1 if set-up failed\n"
"      --pidfile FILE      write hv440's process id to FILE (removed at exit)\n"
"      --sandbox on|off    after set-up, run under a seccomp allow-list with no\n"
"                          privileges (default on; off for debugging hv440)\n"
"      --realtime prio=N[,cpu=N]\n"
"                          lock hv440's memory and run the vCPU thread at\n"
"                          SCHED_FIFO priority N, pinned to host CPU N\n"
"                          (docs/realtime.md)\n"
"      --stats[=json]      print the exit statistics to stderr at exit (a table,\n"
"                          or one line of JSON); SIGUSR1 prints them while the\n"
"                          guest runs, SIGUSR2 resets them\n"
"      --trace FILE[,size=N]  record every exit and TLB change in FILE, a ring of\n"
"                          at most N bytes (K/M/G; default 256M); read it with\n"
"                          'hv440 trace FILE'\n"
"      --profile FILE[,hz=N]  sample the guest PC and call chain N times a second\n"
"                          (default 997) into FILE; report with 'hv440 profile'\n"
"      --control unix:PATH  a socket taking the commands stats, stats json, reset,\n"
"                          snapshot FILE\n"
"      --qmp unix:PATH[,server][,nowait]\n"
"      --qmp tcp:HOST:PORT[,server][,nowait]\n"
"                          QEMU's machine protocol (QMP): qmp_capabilities,\n"
"                          query-status, stop, cont, system_reset,\n"
"                          system_powerdown, quit, human-monitor-command 'info\n"
"                          registers'; events STOP, RESUME, RESET, SHUTDOWN,\n"
"                          POWERDOWN. A server waits for its first client\n"
"                          unless nowait; without server hv440 connects\n"
"                          (docs/qmp.md)\n"
"      --gdb tcp:HOST:PORT accept gdb (remote protocol) on HOST:PORT; an empty\n"
"                          HOST is 127.0.0.1, port 0 picks a free one (printed);\n"
"                          see docs/gdb.md\n"
"  -s                      short for --gdb tcp::1234\n"
"  -S                      hold the guest before its first instruction until a\n"
"                          gdb attaches and continues, or with --qmp and no gdb\n"
"                          until the QMP command cont (needs --gdb, -s or --qmp)\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"QEMU's command line: a single-dash word other than -k -m -h -V -s -S (e.g.\n"
"-M bamboo, -machine, -kernel, -nographic, -drive, -netdev, -device, -snapshot)\n"
"makes hv440 read the whole line as qemu-system-ppc -M bamboo does (QEMU 7.2),\n"
"translated to the options above; --options keep hv440's meaning there. What\n"
"hv440 does not model is refused with one line. The table: docs/qemu.md.\n"
"Measuring: see docs/measuring.md.\n"
"\n"
"Console keys (serial on stdio, on a terminal):\n"
"  Ctrl-A x                quit\n"
"  Ctrl-A b                send a break (Linux: the next key is a magic SysRq)\n"
"  Ctrl-A h                help on the console keys\n"
"  Ctrl-A Ctrl-A           send Ctrl-A to the guest\n"
"\n"
"Exit status:\n"
"  0    the guest reset under --no-reboot, the user quit (Ctrl-A x), or gdb\n"
"       killed the target\n"
"  1    error in the input or at start-up\n"
"  2    the guest halted for good (waiting with every interrupt masked)\n"
"  3    checkstop (machine check with MSR[ME]=0)\n"
"  128+N  ended by signal N (e.g. 130 for SIGINT, 143 for SIGTERM)\n");
}

/* --engine NAME (or $HV440_ENGINE, the default): 0, or -1 after one line on stderr. */
static int set_engine(struct board_config *cfg, const char *what, const char *name)
{
	if (strcmp(name, "jit") && strcmp(name, "interp") && strcmp(name, "lockstep")) {
		fprintf(stderr, "hv440: %s takes jit, interp or lockstep, not '%s'\n", what, name);
		return -1;
	}
	cfg->interp = !strcmp(name, "interp");
	cfg->lockstep = !strcmp(name, "lockstep");
	return 0;
}

static int try_help(void)
{
	fprintf(stderr, "Try 'hv440 --help'.\n");
	return EXIT_ERROR;
}

/*
 * SIZE with an optional one-letter K/M/G/T suffix (binary units; B for
 * bytes); a plain number is MiB, as QEMU's -m. Like QEMU, "256MB" or
 * "256MiB" is not a size.
 */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1ull << 20;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mult = 1ull << 10; break;
		case 'm': case 'M': mult = 1ull << 20; break;
		case 'g': case 'G': mult = 1ull << 30; break;
		case 't': case 'T': mult = 1ull << 40; break;
		case 'b': case 'B': mult = 1; break;
		default: return -1;
		}
		if (end[1])
			return -1;
	}
	if (v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int parse_addr(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/*
 * --trace's size=N counts bytes (K/M/G suffixes as for -m), unlike -m's
 * plain MiB: "size=1" is one byte, too small, not 1 MiB. At least 64 KiB.
 */
static int parse_trace_size(const char *s, uint64_t *out)
{
	if (s[0] >= '0' && s[0] <= '9' && s[strspn(s, "0123456789")] == '\0') {
		char *end;

		errno = 0;
		*out = strtoull(s, &end, 10);
		if (errno)
			return -1;
	} else if (parse_size(s, out)) {
		return -1;
	}
	return *out < (64ull << 10) ? -1 : 0;
}

static void on_signal(int sig)
{
	got_signal = sig;
	if (signal_vcpu)
		vcpu_request_stop(signal_vcpu);
}

/* SIGUSR1: print the statistics; SIGUSR2: reset them. Both on the vcpu thread, between runs. */
static void on_stats_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_print_requested = 1;
	else
		stats_reset_requested = 1;
	if (signal_vcpu)
		vcpu_request_stop(signal_vcpu);
}

/* SIGCONT after a SIGSTOP: the guest's time is held across the stop (docs/realtime.md). */
static void on_cont_signal(int sig)
{
	struct vcpu *v = signal_vcpu;

	(void)sig;
	if (!v || cont_requested)
		return;
	cont_seen_ns = vcpu_time_seen(v);
	cont_requested = 1;
	vcpu_request_stop(v);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_stats_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = on_cont_signal;
	sigaction(SIGCONT, &sa, NULL);
}

/* Guest RAM the guest touched (resident pages of its mapping) against hv440's peak RSS. */
static void print_memory(const struct vcpu *v)
{
	size_t pages = (size_t)(v->ram_size / 4096), resident = 0;
	unsigned char *vec = malloc(pages ? pages : 1);
	struct rusage ru;

	if (!vec || mincore(v->core.ram, (size_t)v->ram_size, vec) ||
	    getrusage(RUSAGE_SELF, &ru)) {
		free(vec);
		return;
	}
	for (size_t i = 0; i < pages; i++)
		resident += vec[i] & 1;
	free(vec);
	fprintf(stderr, "memory: peak RSS %.1f MiB; guest RAM resident %.1f MiB of %llu MiB\n",
		ru.ru_maxrss / 1024.0, resident * 4096.0 / 1048576.0,
		(unsigned long long)(v->ram_size >> 20));
}

static void print_stats(struct vcpu *v)
{
	vcpu_stats_sync(v);
	if (stats_json) {
		hv_stats_print_json(&v->stats, stderr);
	} else {
		hv_stats_print(&v->stats, stderr);
		print_memory(v);
	}
	fflush(stderr);
}

/* FILE[,key=VALUE]: split off the one option a measuring flag takes. */
static char *split_option(char *arg, const char *key, const char **value)
{
	char *comma = strrchr(arg, ',');
	size_t klen = strlen(key);

	*value = NULL;
	if (comma && !strncmp(comma + 1, key, klen) && comma[1 + klen] == '=') {
		*comma = 0;
		*value = comma + 2 + klen;
	}
	return arg;
}

/*
 * Everything is open and set up: confine the process. libslirp re-reads
 * /etc/resolv.conf while it runs, so with user networking read-only opens
 * stay allowed (docs/sandbox.md).
 */
static int enter_sandbox(const struct board_config *cfg)
{
	bool read_only_open = false;
	char err[160];

	for (unsigned i = 0; i < cfg->n_nets; i++)
		if (!strncmp(cfg->net[i], "user", 4))
			read_only_open = true;
	if (sandbox_enter(read_only_open, err, sizeof(err))) {
		fprintf(stderr, "hv440: sandbox: %s (--sandbox off runs without it)\n", err);
		return -1;
	}
	return 0;
}

/* --pidfile: removed again at exit, as QEMU 7.2 does. */
static const char *pidfile_written;

static int write_pidfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0) {
		fprintf(stderr, "hv440: --pidfile: cannot write '%s': %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	pidfile_written = path;
	return 0;
}

/* Which option puts a console on stdio, or NULL (--daemonize leaves stdio). */
static const char *stdio_user(const struct board_config *cfg)
{
	if (!strcmp(cfg->serial[0], "stdio"))
		return "--serial (stdio unless given)";
	if (!strcmp(cfg->serial[1], "stdio"))
		return "--serial1";
	if (cfg->console && !strcmp(cfg->console, "stdio"))
		return "--console";
	if (cfg->bytechan && !strcmp(cfg->bytechan, "stdio"))
		return "--bytechan";
	return NULL;
}

/*
 * --daemonize: fork; the parent waits until the child has set everything
 * up and exits 0 then (1 if the child failed first), as QEMU's -daemonize.
 * Returns, in the child, the pipe to signal readiness on, or -1.
 */
static int daemonize_start(int *devnull)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	char c;

	*devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (*devnull < 0 || pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "hv440: --daemonize: %s\n", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "hv440: --daemonize: cannot fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR)
			;
		_exit(n == 1 ? EXIT_OK : EXIT_ERROR);
	}
	close(p[0]);
	setsid();
	return p[1];
}

/* The guest is about to run: let the parent go and leave the terminal (stdio to /dev/null). */
static void daemon_ready(int *ready_fd, int devnull)
{
	if (*ready_fd < 0)
		return;
	dup3(devnull, STDIN_FILENO, 0);
	dup3(devnull, STDOUT_FILENO, 0);
	dup3(devnull, STDERR_FILENO, 0);
	close(devnull);
	if (write(*ready_fd, "1", 1) != 1)
		_exit(EXIT_ERROR);
	close(*ready_fd);
	*ready_fd = -1;
}

static int finish(struct board *b, const struct board_config *cfg, int status)
{
	if (pidfile_written)
		unlink(pidfile_written);
	pidfile_written = NULL;
	gdbstub_exiting(gdb, status);
	gdbstub_close(gdb);
	gdb = NULL;
	chardev_restore_terminal();
	if (b) {
		b->vcpu.profile = NULL;
		b->vcpu.trace = NULL;
	}
	control_close(control);
	control = NULL;
	qmp_close(qmp);
	qmp = NULL;
	profile_stop(profile);
	trace_close(trace);
	if (b && cfg->stats && signal_vcpu) /* not after a set-up error: the guest never ran */
		print_stats(&b->vcpu);
	signal_vcpu = NULL;
	board_destroy(b);
	return status;
}

static void gdb_fd_ready(void *opaque, int fd, short revents);

/*
 * --no-shutdown (QEMU's -no-shutdown): the guest ended (a reset under
 * --no-reboot, or a halt for good) but hv440 stays, its vcpu stopped and
 * its sockets served, until Ctrl-A x or a signal. status is the exit
 * status Ctrl-A x then gives.
 */
static int stay_stopped(struct board *b, const struct board_config *cfg, bool no_shutdown,
			int status)
{
	if (!no_shutdown)
		return finish(b, cfg, status);
	fprintf(stderr, "hv440: guest stopped (--no-shutdown): Ctrl-A x or a signal ends hv440\n");
	while (!got_signal && !board_quit_requested(b))
		board_idle(b, 200 * 1000 * 1000);
	return finish(b, cfg, got_signal ? 128 + got_signal : status);
}

/* Keep the board loop polling the stub's client socket (it changes on attach/detach). */
static void gdb_sync_fds(struct board *b)
{
	int lfd, cfd;

	gdbstub_fds(gdb, &lfd, &cfd);
	if (cfd == gdb_client_fd_polled)
		return;
	if (gdb_client_fd_polled >= 0)
		loop_remove_fd(&b->loop, gdb_client_fd_polled);
	gdb_client_fd_polled = -1;
	if (cfd >= 0 && loop_add_fd(&b->loop, cfd, POLLIN, gdb_fd_ready, b) == 0)
		gdb_client_fd_polled = cfd;
}

/* Guest running: gdb sent something (Ctrl-C) or a client connects. */
static void gdb_fd_ready(void *opaque, int fd, short revents)
{
	(void)fd;
	(void)revents;
	gdbstub_io(gdb);
	gdb_sync_fds(opaque);
}

/* The vcpu stopped for gdb: serve it; false when gdb killed the target. */
static bool gdb_stopped(struct board *b, enum vcpu_stop stop, bool hold)
{
	enum gdbstub_result r = gdbstub_stopped(gdb, stop, hold);

	gdb_sync_fds(b);
	return r != GDBSTUB_KILL;
}

/*
 * QMP between run chunks: a reset or quit the client asked for, and while
 * it holds the guest stopped, the board's host I/O (console, sockets) goes
 * on without running guest code. -1: run the guest; else the exit status.
 */
static int qmp_serve(struct board *b)
{
	for (;;) {
		unsigned req = qmp_take_requests(qmp);

		if (req & QMP_REQ_QUIT)
			return EXIT_OK; /* SHUTDOWN was sent with the answer */
		if (req & QMP_REQ_RESET) {
			if (board_reset(b))
				return EXIT_ERROR;
			qmp_reset_done(qmp, false);
		}
		if (got_signal) {
			qmp_shutdown(qmp, false, "host-signal");
			return 128 + got_signal;
		}
		if (board_quit_requested(b)) {
			qmp_shutdown(qmp, false, "host-ui");
			return EXIT_OK;
		}
		if (qmp_running(qmp))
			return -1;
		b->vcpu.bus->poll(b->vcpu.bus->opaque, 100 * 1000000ll);
	}
}

/*
 * The stub listens before the sandbox is entered: a host name in --gdb is
 * resolved with getaddrinfo(), which may read files and talk to a resolver
 * the sandbox forbids (docs/sandbox.md).
 */
static int open_gdb(struct board *b, const char *spec)
{
	int lfd, cfd;

	if (gdbstub_open(&gdb, &b->vcpu, spec))
		return -1;
	gdbstub_fds(gdb, &lfd, &cfd);
	if (loop_add_fd(&b->loop, lfd, POLLIN, gdb_fd_ready, b)) {
		fprintf(stderr, "hv440: gdb: too many host file descriptors\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct board_config cfg = { .ram_size = 256ull << 20, .serial = { "stdio", "null" } };
	const char *dump_dtb = NULL, *mem_arg = "256M";
	bool no_reboot = false, gdb_hold = false, serial0_set = false, sandbox = true;
	struct realtime_config rt = { 0, -1 };
	char rt_err[160];
	const char *gdb_spec = NULL, *pidfile = NULL, *qmp_spec = NULL, *restore = NULL;
	bool daemonize = false, no_shutdown = false;
	int ready_fd = -1, devnull = -1;
	const char *trace_path = NULL, *profile_path = NULL, *control_spec = NULL;
	uint64_t trace_size = TRACE_DEFAULT_SIZE;
	unsigned profile_hz = PROFILE_DEFAULT_HZ;
	struct board *b = NULL;
	int opt, r;

	/* Offline subcommands. */
	if (argc > 1 && !strcmp(argv[1], "trace"))
		return trace_cmd(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "profile"))
		return profile_cmd(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "system"))
		return system_cmd(argc - 1, argv + 1);
	if (qemu_cli_wanted(argc, argv, long_opts)) {
		r = qemu_cli_translate(argc, argv, long_opts, &argc, &argv);
		if (r)
			return r > 0 ? EXIT_OK : EXIT_ERROR;
	}
	if (getenv("HV440_ENGINE") && set_engine(&cfg, "HV440_ENGINE", getenv("HV440_ENGINE")))
		return EXIT_ERROR;
	/* Set by `hv440 system` for its managing partition only (docs/system.md). */
	if (getenv("HV440_SYSTEM_MGMT_FD"))
		cfg.mgmt_fd = atoi(getenv("HV440_SYSTEM_MGMT_FD"));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:m:hVsS", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			cfg.kernel = optarg;
			break;
		case OPT_KERNEL_ADDR:
			if (parse_addr(optarg, &cfg.kernel_addr)) {
				fprintf(stderr, "hv440: --kernel-addr: invalid address '%s' (use e.g. "
					"0x100000)\n",
					optarg);
				return try_help();
			}
			cfg.kernel_addr_set = true;
			break;
		case 'm':
			if (parse_size(optarg, &cfg.ram_size)) {
				fprintf(stderr, "hv440: -m/--memory: invalid size '%s' (use e.g. 256M, "
					"256m, 256 or 1G)\n", optarg);
				return try_help();
			}
			cfg.ram_size_set = true;
			mem_arg = optarg;
			break;
		case OPT_INITRD:
			cfg.initrd = optarg;
			break;
		case OPT_APPEND:
			cfg.append = optarg;
			break;
		case OPT_DTB:
			cfg.dtb = optarg;
			break;
		case OPT_DUMP_DTB:
			dump_dtb = optarg;
			break;
		case OPT_SERIAL:
			cfg.serial[0] = optarg;
			serial0_set = true;
			break;
		case OPT_SERIAL1:
			cfg.serial[1] = optarg;
			break;
		case OPT_DISK:
			if (cfg.n_disks == BOARD_MAX_DISKS) {
				fprintf(stderr, "hv440: too many --disk options (at most %d)\n",
					BOARD_MAX_DISKS);
				return EXIT_ERROR;
			}
			cfg.disk[cfg.n_disks++] = optarg;
			break;
		case OPT_NET:
			if (cfg.n_nets == BOARD_MAX_NICS) {
				fprintf(stderr, "hv440: too many --net options (at most %d)\n",
					BOARD_MAX_NICS);
				return EXIT_ERROR;
			}
			cfg.net[cfg.n_nets++] = optarg;
			break;
		case OPT_CONSOLE:
			cfg.console = optarg;
			break;
		case OPT_NO_PARAVIRT:
			cfg.no_paravirt = true;
			break;
		case OPT_ENGINE:
			if (set_engine(&cfg, "--engine", optarg))
				return try_help();
			break;
		case OPT_PERF_MAP:
			cfg.perf_map = true;
			break;
		case OPT_SANDBOX:
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				fprintf(stderr, "hv440: --sandbox: takes on or off, not '%s'\n", optarg);
				return try_help();
			}
			sandbox = !strcmp(optarg, "on");
			break;
		case OPT_REALTIME:
			if (realtime_parse(optarg, &rt, rt_err, sizeof(rt_err))) {
				fprintf(stderr, "hv440: --realtime: %s\n", rt_err);
				return EXIT_ERROR;
			}
			break;
		case OPT_CPU: {
			unsigned i;

			for (i = 0; i < sizeof(cpu_models) / sizeof(cpu_models[0]); i++)
				if (!strcasecmp(optarg, cpu_models[i].name))
					break;
			if (i == sizeof(cpu_models) / sizeof(cpu_models[0])) {
				fprintf(stderr, "hv440: --cpu: '%s' is not a 440EP (440epb, 440ep, "
					"440epa or 440epx)\n", optarg);
				return try_help();
			}
			cfg.pvr = cpu_models[i].pvr;
			break;
		}
		case OPT_PIDFILE:
			pidfile = optarg;
			break;
		case OPT_DAEMONIZE:
			daemonize = true;
			break;
		case OPT_BYTECHAN:
			cfg.bytechan = optarg;
			break;
		case OPT_RNG:
			cfg.rng = true;
			break;
		case OPT_NO_REBOOT:
			no_reboot = true;
			break;
		case OPT_NO_SHUTDOWN:
			no_shutdown = true;
			break;
		case OPT_RESTORE:
			restore = optarg;
			break;
		case OPT_STATS:
			if (optarg && strcmp(optarg, "json") && strcmp(optarg, "table")) {
				fprintf(stderr, "hv440: --stats: invalid format '%s' (use --stats or "
					"--stats=json)\n", optarg);
				return try_help();
			}
			cfg.stats = true;
			stats_json = optarg && !strcmp(optarg, "json");
			break;
		case OPT_TRACE: {
			const char *size;

			trace_path = split_option(optarg, "size", &size);
			if (size && parse_trace_size(size, &trace_size)) {
				fprintf(stderr, "hv440: --trace: invalid size '%s' (at least 64K, e.g. "
					"size=512M)\n", size);
				return try_help();
			}
			break;
		}
		case OPT_CONTROL:
			control_spec = optarg;
			break;
		case OPT_QMP:
			qmp_spec = optarg;
			break;
		case OPT_PROFILE: {
			const char *hz;
			uint32_t n;

			profile_path = split_option(optarg, "hz", &hz);
			if (hz) {
				if (parse_addr(hz, &n) || n < 1 || n > 100000) {
					fprintf(stderr, "hv440: --profile: invalid rate '%s' (1 to "
						"100000)\n", hz);
					return try_help();
				}
				profile_hz = n;
			}
			break;
		}
		case OPT_GDB:
			gdb_spec = optarg;
			break;
		case 's':
			gdb_spec = "tcp::1234";
			break;
		case 'S':
			gdb_hold = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("hv440 " HV440_VERSION "\n");
			return EXIT_OK;
		case ':':
			fprintf(stderr, "hv440: option '%s' needs an argument\n", argv[optind - 1]);
			return try_help();
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "hv440: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "hv440: unknown option '%s'\n", argv[optind - 1]);
			return try_help();
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hv440: unexpected argument '%s'\n", argv[optind]);
		return try_help();
	}
	if (!cfg.kernel && !dump_dtb && !restore) {
		fprintf(stderr, "hv440: no kernel given (--kernel FILE)\n");
		return try_help();
	}
	if (gdb_hold && !gdb_spec && !qmp_spec) {
		fprintf(stderr, "hv440: -S needs a gdb stub (--gdb tcp:HOST:PORT or -s) or --qmp\n");
		return try_help();
	}
	if (cfg.kernel_addr_set && !cfg.kernel) {
		fprintf(stderr, "hv440: --kernel-addr needs --kernel\n");
		return try_help();
	}
	/* The bamboo board takes at most 2 GiB of RAM; Linux needs some room to boot. */
	if (cfg.ram_size < BOARD_MIN_RAM || cfg.ram_size > BOARD_MAX_RAM ||
	    cfg.ram_size % (1ull << 20)) {
		fprintf(stderr, "hv440: -m/--memory: size '%s' is out of range (16M to 2G, multiple "
			"of 1M)\n", mem_arg);
		return EXIT_ERROR;
	}
	/* One stdio: a virtio console there takes it from UART0 unless --serial said otherwise. */
	if (cfg.console && !strcmp(cfg.console, "stdio")) {
		if (serial0_set && !strcmp(cfg.serial[0], "stdio")) {
			fprintf(stderr, "hv440: --console stdio and --serial stdio cannot share stdio\n");
			return EXIT_ERROR;
		}
		cfg.serial[0] = serial0_set ? cfg.serial[0] : "null";
	}
	if (cfg.bytechan && cfg.no_paravirt) {
		fprintf(stderr, "hv440: --bytechan needs paravirtualization (drop --no-paravirt)\n");
		return EXIT_ERROR;
	}
	if (cfg.bytechan && !strcmp(cfg.bytechan, "stdio")) {
		if ((serial0_set && !strcmp(cfg.serial[0], "stdio")) ||
		    (cfg.console && !strcmp(cfg.console, "stdio"))) {
			fprintf(stderr, "hv440: --bytechan stdio cannot share stdio with --serial or --console\n");
			return EXIT_ERROR;
		}
		cfg.serial[0] = serial0_set ? cfg.serial[0] : "null";
	}
	/* --dump-dtb only looks at the tree: no console. */
	if (dump_dtb) {
		cfg.serial[0] = cfg.serial[1] = "null";
		if (cfg.console)
			cfg.console = "null";
		if (cfg.bytechan)
			cfg.bytechan = "null";
	}

	if (daemonize && !dump_dtb) {
		const char *user = stdio_user(&cfg);

		if (user) {
			fprintf(stderr, "hv440: --daemonize: %s puts a console on stdio (give null, "
				"pty, file:F, unix:P or tcp:H:P)\n", user);
			return EXIT_ERROR;
		}
		ready_fd = daemonize_start(&devnull);
		if (ready_fd < 0)
			return EXIT_ERROR;
	}
	if (pidfile && !dump_dtb && write_pidfile(pidfile))
		return EXIT_ERROR;

	/* Before the chardevs, so theirs (restore the terminal and die) do not replace ours. */
	install_signals();
	if (restore ? snapshot_restore(&b, &cfg, restore) : board_create(&b, &cfg))
		return finish(b, &cfg, EXIT_ERROR);
	if (dump_dtb)
		return finish(b, &cfg, board_fdt_write_file(b, dump_dtb) ? EXIT_ERROR : EXIT_OK);

	if (trace_path) {
		r = trace_open(&trace, trace_path, trace_size);
		if (r == -ENOSPC) {
			fprintf(stderr, "hv440: --trace '%s': a ring of %llu bytes is more than the free "
				"space there (give a smaller size=N)\n", trace_path,
				(unsigned long long)trace_size);
			return finish(b, &cfg, EXIT_ERROR);
		}
		if (r) {
			fprintf(stderr, "hv440: --trace: cannot create '%s': %s\n", trace_path,
				strerror(-r));
			return finish(b, &cfg, EXIT_ERROR);
		}
		b->vcpu.trace = trace;
	}
	if (profile_path) {
		r = profile_start(&profile, profile_path, profile_hz, &b->vcpu);
		if (r) {
			fprintf(stderr, "hv440: --profile: cannot start '%s': %s\n", profile_path,
				strerror(-r));
			return finish(b, &cfg, EXIT_ERROR);
		}
		b->vcpu.profile = profile;
	}
	/* QMP first: a server that waits for its client holds the rest of start-up (as QEMU). */
	if (qmp_spec && qmp_open(&qmp, qmp_spec, &b->loop, &b->vcpu))
		return finish(b, &cfg, got_signal ? 128 + got_signal : EXIT_ERROR);
	if (control_spec && control_open(&control, control_spec, &b->loop, &b->vcpu))
		return finish(b, &cfg, EXIT_ERROR);
	control_set_snapshot(control, snapshot_save_hook, b);
	if (gdb_hold && !gdb_spec)
		qmp_hold(qmp); /* QEMU's -S: stopped until the QMP command cont */

	/* Before the sandbox, which forbids scheduling and locking calls. */
	if (rt.prio && realtime_apply(&rt, rt_err, sizeof(rt_err))) {
		fprintf(stderr, "hv440: --realtime: %s\n", rt_err);
		return finish(b, &cfg, EXIT_ERROR);
	}
	if (gdb_spec && open_gdb(b, gdb_spec))
		return finish(b, &cfg, EXIT_ERROR);

	if (sandbox && enter_sandbox(&cfg))
		return finish(b, &cfg, EXIT_ERROR);
	signal_vcpu = &b->vcpu;
	daemon_ready(&ready_fd, devnull);
	if (gdb_spec && gdb_hold && !gdb_stopped(b, VCPU_STOP_DEBUG, true))
		return finish(b, &cfg, EXIT_OK);
	for (;;) {
		static uint64_t watchdog_seen;
		enum vcpu_stop stop;

		if (qmp && (r = qmp_serve(b)) >= 0)
			return finish(b, &cfg, r);
		if (got_signal) {
			qmp_shutdown(qmp, false, "host-signal");
			return finish(b, &cfg, 128 + got_signal);
		}
		stop = board_run(b);
		switch (stop) {
		case VCPU_STOP_RESET:
			/* `hv440 system` reads this line to tell a watchdog's reset from the guest's own. */
			if (b->vcpu.watchdog_resets != watchdog_seen) {
				watchdog_seen = b->vcpu.watchdog_resets;
				fprintf(stderr, "hv440: watchdog reset (the guest stopped clearing TSR[ENW/WIS])\n");
			}
			if (no_reboot) {
				qmp_shutdown(qmp, true, "guest-reset");
				return stay_stopped(b, &cfg, no_shutdown, EXIT_OK);
			}
			if (board_reset(b))
				return finish(b, &cfg, EXIT_ERROR);
			qmp_reset_done(qmp, true);
			break;
		case VCPU_STOP_HALT:
			qmp_shutdown(qmp, true, "guest-shutdown");
			fprintf(stderr, "hv440: guest halted (waiting with every interrupt masked) "
				"at pc 0x%08x\n", b->vcpu.core.pc);
			return stay_stopped(b, &cfg, no_shutdown, EXIT_HALTED);
		case VCPU_STOP_LOCKSTEP:
			fprintf(stderr, "hv440: lockstep: the JIT differs from the interpreter in the "
				"block at EA 0x%08x (PA 0x%09llx): %s\n", b->vcpu.core.exit.ea,
				(unsigned long long)b->vcpu.core.exit.pa, b->vcpu.core.lockstep_diff);
			return finish(b, &cfg, EXIT_ERROR);
		case VCPU_STOP_CHECKSTOP:
			fprintf(stderr, "hv440: guest checkstop (machine check with MSR[ME]=0) "
				"at pc 0x%08x\n", b->vcpu.core.pc);
			return finish(b, &cfg, EXIT_CHECKSTOP);
		case VCPU_STOP_HOST:
			if (cont_requested) {
				cont_requested = 0;
				vcpu_hold_time_across_stop(&b->vcpu, cont_seen_ns);
			}
			if (stats_print_requested) {
				stats_print_requested = 0;
				print_stats(&b->vcpu);
			}
			if (stats_reset_requested) {
				stats_reset_requested = 0;
				vcpu_stats_reset(&b->vcpu);
			}
			if (got_signal) {
				qmp_shutdown(qmp, false, "host-signal");
				return finish(b, &cfg, 128 + got_signal);
			}
			if (board_quit_requested(b)) {
				qmp_shutdown(qmp, false, "host-ui");
				return finish(b, &cfg, EXIT_OK);
			}
			if (gdb && gdbstub_wants_stop(gdb) && !gdb_stopped(b, stop, false))
				return finish(b, &cfg, EXIT_OK);
			break;
		case VCPU_STOP_DEBUG:
			/* A gdb breakpoint, watchpoint or step (without a stub: resume). */
			if (gdb && !gdb_stopped(b, stop, false))
				return finish(b, &cfg, EXIT_OK);
			break;
		}
	}
}
