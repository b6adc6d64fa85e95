/* SPDX-License-Identifier: MIT */
/* main.c - the hv440 command line: options, the process (signals, sandbox, daemon), one VM run. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>

#include "board/board.h"
#include "host/sandbox.h"
#include "system/system.h"
#include "qemu_cli.h"
#include "tools/tools.h"
#include "vm/vm.h"

#include "version.h"
#include "host/realtime.h"

/* Exit statuses (also in --help): the VM's (vm/vm.h), or 128 + a signal. */
#define EXIT_OK        VM_EXIT_OK
#define EXIT_ERROR     VM_EXIT_ERROR

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
	OPT_INCOMING,
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
	{ "machine",     required_argument, NULL, 'M' },
	{ "pidfile",     required_argument, NULL, OPT_PIDFILE },
	{ "daemonize",   no_argument,       NULL, OPT_DAEMONIZE },
	{ "qmp",         required_argument, NULL, OPT_QMP },
	{ "no-shutdown", no_argument,       NULL, OPT_NO_SHUTDOWN },
	{ "restore",     required_argument, NULL, OPT_RESTORE },
	{ "incoming",    required_argument, NULL, OPT_INCOMING },
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


/*
 * Signals are the process's: the handlers hand them to every VM (vm_signal:
 * stop, statistics, time across SIGSTOP). got_signal is for a start-up cut
 * short, before there is a VM to run: exit 128 + N as for a running one.
 */
static volatile sig_atomic_t got_signal;

/* Measurement options (docs/measuring.md). */
#define TRACE_DEFAULT_SIZE (256ull << 20)
#define PROFILE_DEFAULT_HZ 997

static void usage(FILE *out)
{
	fprintf(out,
"Usage: hv440 [-M BOARD] [options] --kernel FILE\n"
"       hv440 [host options] --restore SNAPSHOT\n"
"       hv440 -M bamboo -m 128m -kernel FILE [QEMU options]   (as qemu-system-ppc)\n"
"       hv440 trace FILE [--kind K] [--pc LO-HI] [--summary [--json]] [--limit N]\n"
"       hv440 profile FILE --vmlinux ELF [--top N] [--folded]\n"
"       hv440 system [--check] FILE.dts [--control unix:PATH] | --status unix:PATH\n"
"Run a PowerPC 440 guest (bamboo board, PPC440EP, or sam460ex, PPC460EX) on this host.\n"
"\n"
"Options:\n"
"  -M, --machine BOARD     the board (docs/boards.md); -M help lists them:\n");
	machine_list(out, "                            ");
	fprintf(out,
"  -k, --kernel FILE       guest kernel: ELF32 big-endian PowerPC (e.g. vmlinux),\n"
"                          uImage (mkimage; none or gzip), or a raw binary with\n"
"                          --kernel-addr\n"
"      --kernel-addr ADDR  load a raw binary at physical ADDR and enter it there\n"
"  -m, --memory SIZE       guest RAM with a K, M or G suffix (a plain number means\n"
"                          MiB; 256MB is not a size, as in QEMU); 16M to 2G,\n"
"                          multiple of 1M; default 256M\n"
"      --cpu MODEL         440epb (default), 440ep, 440epa or 440epx: the 440EP's\n"
"                          revisions, which differ in their PVR only (bamboo)\n"
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
"      --incoming URI      wait on unix:PATH or tcp:HOST:PORT for a live migration\n"
"                          (the control socket's migrate command) and run the\n"
"                          guest from there; as --restore, the machine comes from\n"
"                          the source (docs/snapshot.md, Live migration)\n"
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
"QEMU's command line: a single-dash word other than -k -m -M -h -V -s -S (e.g.\n"
"-machine, -kernel, -nographic, -drive, -netdev, -device, -snapshot), or -M\n"
"with QEMU's machine options (-M bamboo,dumpdtb=F),\n"
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
	if (sig == SIGINT || sig == SIGTERM)
		got_signal = sig;
	vm_signal(sig);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a start-up waiting in poll() (a QMP server) sees EINTR and ends. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);
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

/* The end of the process: the VM goes (its sockets, its console), then the pidfile. */
static int finish(struct vm *vm, int status)
{
	vm_destroy(vm);
	if (pidfile_written)
		unlink(pidfile_written);
	pidfile_written = NULL;
	return status;
}

/* What the command line asks for: one VM, and how the process around it runs. */
struct cli {
	struct vm_config vm;
	const char *mem_arg;       /* -m as given, for its message */
	bool serial0_set;          /* --serial given: not defaulted to null for another stdio user */
	bool sandbox;
	struct realtime_config rt;
	const char *pidfile;
	bool daemonize;
};

/* The options into c: -1 to go on, else the exit status (--help, --version, a bad option). */
static int parse_args(int argc, char **argv, struct cli *c)
{
	char rt_err[160];
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:m:M:hVsS", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			c->vm.board.kernel = optarg;
			break;
		case 'M':
			if (!strcmp(optarg, "help") || !strcmp(optarg, "?")) {
				machine_list(stdout, "");
				return EXIT_OK;
			}
			if (!machine_find(optarg)) {
				fprintf(stderr, "hv440: -M/--machine: no board '%s' (-M help lists them)\n",
					optarg);
				return EXIT_ERROR;
			}
			c->vm.board.machine = optarg;
			break;
		case OPT_KERNEL_ADDR:
			if (parse_addr(optarg, &c->vm.board.kernel_addr)) {
				fprintf(stderr, "hv440: --kernel-addr: invalid address '%s' (use e.g. "
					"0x100000)\n",
					optarg);
				return try_help();
			}
			c->vm.board.kernel_addr_set = true;
			break;
		case 'm':
			if (parse_size(optarg, &c->vm.board.ram_size)) {
				fprintf(stderr, "hv440: -m/--memory: invalid size '%s' (use e.g. 256M, "
					"256m, 256 or 1G)\n", optarg);
				return try_help();
			}
			c->vm.board.ram_size_set = true;
			c->mem_arg = optarg;
			break;
		case OPT_INITRD:
			c->vm.board.initrd = optarg;
			break;
		case OPT_APPEND:
			c->vm.board.append = optarg;
			break;
		case OPT_DTB:
			c->vm.board.dtb = optarg;
			break;
		case OPT_DUMP_DTB:
			c->vm.dump_dtb = optarg;
			break;
		case OPT_SERIAL:
			c->vm.board.serial[0] = optarg;
			c->serial0_set = true;
			break;
		case OPT_SERIAL1:
			c->vm.board.serial[1] = optarg;
			break;
		case OPT_DISK:
			if (c->vm.board.n_disks == BOARD_MAX_DISKS) {
				fprintf(stderr, "hv440: too many --disk options (at most %d)\n",
					BOARD_MAX_DISKS);
				return EXIT_ERROR;
			}
			c->vm.board.disk[c->vm.board.n_disks++] = optarg;
			break;
		case OPT_NET:
			if (c->vm.board.n_nets == BOARD_MAX_NICS) {
				fprintf(stderr, "hv440: too many --net options (at most %d)\n",
					BOARD_MAX_NICS);
				return EXIT_ERROR;
			}
			c->vm.board.net[c->vm.board.n_nets++] = optarg;
			break;
		case OPT_CONSOLE:
			c->vm.board.console = optarg;
			break;
		case OPT_NO_PARAVIRT:
			c->vm.board.no_paravirt = true;
			break;
		case OPT_ENGINE:
			if (set_engine(&c->vm.board, "--engine", optarg))
				return try_help();
			break;
		case OPT_PERF_MAP:
			c->vm.board.perf_map = true;
			break;
		case OPT_SANDBOX:
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				fprintf(stderr, "hv440: --sandbox: takes on or off, not '%s'\n", optarg);
				return try_help();
			}
			c->sandbox = !strcmp(optarg, "on");
			break;
		case OPT_REALTIME:
			if (realtime_parse(optarg, &c->rt, rt_err, sizeof(rt_err))) {
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
			c->vm.board.pvr = cpu_models[i].pvr;
			break;
		}
		case OPT_PIDFILE:
			c->pidfile = optarg;
			break;
		case OPT_DAEMONIZE:
			c->daemonize = true;
			break;
		case OPT_BYTECHAN:
			c->vm.board.bytechan = optarg;
			break;
		case OPT_RNG:
			c->vm.board.rng = true;
			break;
		case OPT_NO_REBOOT:
			c->vm.no_reboot = true;
			break;
		case OPT_NO_SHUTDOWN:
			c->vm.no_shutdown = true;
			break;
		case OPT_RESTORE:
			c->vm.restore = optarg;
			break;
		case OPT_INCOMING:
			c->vm.incoming = optarg;
			break;
		case OPT_STATS:
			if (optarg && strcmp(optarg, "json") && strcmp(optarg, "table")) {
				fprintf(stderr, "hv440: --stats: invalid format '%s' (use --stats or "
					"--stats=json)\n", optarg);
				return try_help();
			}
			c->vm.board.stats = true;
			c->vm.stats_json = optarg && !strcmp(optarg, "json");
			break;
		case OPT_TRACE: {
			const char *size;

			c->vm.trace = split_option(optarg, "size", &size);
			if (size && parse_trace_size(size, &c->vm.trace_size)) {
				fprintf(stderr, "hv440: --trace: invalid size '%s' (at least 64K, e.g. "
					"size=512M)\n", size);
				return try_help();
			}
			break;
		}
		case OPT_CONTROL:
			c->vm.control = optarg;
			break;
		case OPT_QMP:
			c->vm.qmp = optarg;
			break;
		case OPT_PROFILE: {
			const char *hz;
			uint32_t n;

			c->vm.profile = split_option(optarg, "hz", &hz);
			if (hz) {
				if (parse_addr(hz, &n) || n < 1 || n > 100000) {
					fprintf(stderr, "hv440: --profile: invalid rate '%s' (1 to "
						"100000)\n", hz);
					return try_help();
				}
				c->vm.profile_hz = n;
			}
			break;
		}
		case OPT_GDB:
			c->vm.gdb = optarg;
			break;
		case 's':
			c->vm.gdb = "tcp::1234";
			break;
		case 'S':
			c->vm.hold = true;
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
	return -1;
}

/* The options together: -1 when they make sense, else the exit status after one line. */
static int check_args(int argc, char **argv, struct cli *c)
{
	if (optind < argc) {
		fprintf(stderr, "hv440: unexpected argument '%s'\n", argv[optind]);
		return try_help();
	}
	if (c->vm.restore && c->vm.incoming) {
		fprintf(stderr, "hv440: --restore and --incoming both give the machine; give one\n");
		return try_help();
	}
	if (!c->vm.board.kernel && !c->vm.dump_dtb && !c->vm.restore && !c->vm.incoming) {
		fprintf(stderr, "hv440: no kernel given (--kernel FILE)\n");
		return try_help();
	}
	if (c->vm.hold && !c->vm.gdb && !c->vm.qmp) {
		fprintf(stderr, "hv440: -S needs a gdb stub (--gdb tcp:HOST:PORT or -s) or --qmp\n");
		return try_help();
	}
	if (c->vm.board.kernel_addr_set && !c->vm.board.kernel) {
		fprintf(stderr, "hv440: --kernel-addr needs --kernel\n");
		return try_help();
	}
	/* The bamboo board takes at most 2 GiB of RAM; Linux needs some room to boot. */
	if (c->vm.board.ram_size < BOARD_MIN_RAM || c->vm.board.ram_size > BOARD_MAX_RAM ||
	    c->vm.board.ram_size % (1ull << 20)) {
		fprintf(stderr, "hv440: -m/--memory: size '%s' is out of range (16M to 2G, multiple "
			"of 1M)\n", c->mem_arg);
		return EXIT_ERROR;
	}
	/* One stdio: a virtio console there takes it from UART0 unless --serial said otherwise. */
	if (c->vm.board.console && !strcmp(c->vm.board.console, "stdio")) {
		if (c->serial0_set && !strcmp(c->vm.board.serial[0], "stdio")) {
			fprintf(stderr, "hv440: --console stdio and --serial stdio cannot share stdio\n");
			return EXIT_ERROR;
		}
		c->vm.board.serial[0] = c->serial0_set ? c->vm.board.serial[0] : "null";
	}
	if (c->vm.board.bytechan && c->vm.board.no_paravirt) {
		fprintf(stderr, "hv440: --bytechan needs paravirtualization (drop --no-paravirt)\n");
		return EXIT_ERROR;
	}
	if (c->vm.board.bytechan && !strcmp(c->vm.board.bytechan, "stdio")) {
		if ((c->serial0_set && !strcmp(c->vm.board.serial[0], "stdio")) ||
		    (c->vm.board.console && !strcmp(c->vm.board.console, "stdio"))) {
			fprintf(stderr, "hv440: --bytechan stdio cannot share stdio with --serial or --console\n");
			return EXIT_ERROR;
		}
		c->vm.board.serial[0] = c->serial0_set ? c->vm.board.serial[0] : "null";
	}
	/* --dump-dtb only looks at the tree: no console. */
	if (c->vm.dump_dtb) {
		c->vm.board.serial[0] = c->vm.board.serial[1] = "null";
		if (c->vm.board.console)
			c->vm.board.console = "null";
		if (c->vm.board.bytechan)
			c->vm.board.bytechan = "null";
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct cli c = {
		.vm = { .board = { .ram_size = 256ull << 20, .serial = { "stdio", "null" } },
			.trace_size = TRACE_DEFAULT_SIZE, .profile_hz = PROFILE_DEFAULT_HZ },
		.mem_arg = "256M", .sandbox = true, .rt = { 0, -1 },
	};
	int ready_fd = -1, devnull = -1, r;
	char rt_err[160];
	struct vm *vm;

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
	if (getenv("HV440_ENGINE") && set_engine(&c.vm.board, "HV440_ENGINE", getenv("HV440_ENGINE")))
		return EXIT_ERROR;
	/* Set by `hv440 system` for its managing partition only (docs/system.md). */
	if (getenv("HV440_SYSTEM_MGMT_FD"))
		c.vm.board.mgmt_fd = atoi(getenv("HV440_SYSTEM_MGMT_FD"));
	if ((r = parse_args(argc, argv, &c)) >= 0 || (r = check_args(argc, argv, &c)) >= 0)
		return r;

	if (c.daemonize && !c.vm.dump_dtb) {
		const char *user = stdio_user(&c.vm.board);

		if (user) {
			fprintf(stderr, "hv440: --daemonize: %s puts a console on stdio (give null, "
				"pty, file:F, unix:P or tcp:H:P)\n", user);
			return EXIT_ERROR;
		}
		ready_fd = daemonize_start(&devnull);
		if (ready_fd < 0)
			return EXIT_ERROR;
	}
	if (c.pidfile && !c.vm.dump_dtb && write_pidfile(c.pidfile))
		return EXIT_ERROR;

	/* Before the chardevs, so theirs (restore the terminal and die) do not replace ours. */
	install_signals();
	vm = vm_create(&c.vm, "vm0");
	if (!vm)
		return finish(NULL, got_signal ? 128 + got_signal : EXIT_ERROR);
	/* The process, once its VM is built: real-time scheduling, then the sandbox. */
	if (!c.vm.dump_dtb) {
		/* Before the sandbox, which forbids scheduling and locking calls; this thread runs the vcpu. */
		if (c.rt.prio && realtime_apply(&c.rt, rt_err, sizeof(rt_err))) {
			fprintf(stderr, "hv440: --realtime: %s\n", rt_err);
			return finish(vm, EXIT_ERROR);
		}
		if (c.sandbox && enter_sandbox(&c.vm.board))
			return finish(vm, EXIT_ERROR);
		daemon_ready(&ready_fd, devnull);
	}
	return finish(vm, vm_run(vm));
}
