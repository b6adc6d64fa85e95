/* SPDX-License-Identifier: MIT */
/* main.c - the hv440 command line: options, start-up, run loop, exit statuses. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "board/board.h"
#include "host/chardev.h"
#include "hv/stats.h"
#include "hv/vcpu.h"

#define HV440_VERSION "0.1.0"

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
	{ "stats",       no_argument,       NULL, OPT_STATS },
	{ "help",        no_argument,       NULL, 'h' },
	{ "version",     no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* QEMU spellings with one dash that we accept as their "--" forms. */
static const char *const qemu_style[][2] = {
	{ "-kernel", "--kernel" }, { "-initrd", "--initrd" }, { "-append", "--append" },
	{ "-dtb", "--dtb" }, { "-serial", "--serial" }, { "-no-reboot", "--no-reboot" },
	{ "-help", "--help" }, { "-version", "--version" },
};

static volatile sig_atomic_t got_signal;
static struct vcpu *signal_vcpu;

static void usage(FILE *out)
{
	fprintf(out,
"Usage: hv440 [options] --kernel FILE\n"
"Run a PowerPC 440 guest (bamboo board, PPC440EP) on this host.\n"
"\n"
"Options:\n"
"  -k, --kernel FILE       guest kernel: ELF32 big-endian PowerPC (e.g. vmlinux),\n"
"                          uImage (mkimage; none or gzip), or a raw binary with\n"
"                          --kernel-addr\n"
"      --kernel-addr ADDR  load a raw binary at physical ADDR and enter it there\n"
"  -m, --memory SIZE       guest RAM with a K, M or G suffix (a plain number means\n"
"                          MiB); 16M to 2G, multiple of 1M; default 256M\n"
"      --initrd FILE       initial ramdisk, loaded as-is (gzip or zstd cpio)\n"
"      --append STRING     kernel command line (/chosen bootargs)\n"
"      --dtb FILE          use this device tree instead of the generated one\n"
"                          (bootargs, initrd and memory patched only when given)\n"
"      --dump-dtb FILE     write the device tree the guest would get and exit 0\n"
"      --serial SPEC       UART0 backend: stdio (default), pty, unix:PATH,\n"
"                          file:PATH or null\n"
"      --serial1 SPEC      UART1 backend (same choices; default null)\n"
"      --no-reboot         exit when the guest resets instead of rebooting it\n"
"      --stats             print the exit statistics table to stderr at exit\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"QEMU spellings with one dash (-kernel, -initrd, -append, -dtb, -serial,\n"
"-no-reboot) are accepted too.\n"
"\n"
"Console keys (serial on stdio, on a terminal):\n"
"  Ctrl-A x                quit\n"
"  Ctrl-A h                help on the console keys\n"
"  Ctrl-A Ctrl-A           send Ctrl-A to the guest\n"
"\n"
"Exit status:\n"
"  0    the guest reset under --no-reboot, or the user quit (Ctrl-A x)\n"
"  1    error in the input or at start-up\n"
"  2    the guest halted for good (waiting with every interrupt masked)\n"
"  3    checkstop (machine check with MSR[ME]=0)\n"
"  128+N  ended by signal N (e.g. 130 for SIGINT, 143 for SIGTERM)\n");
}

static int try_help(void)
{
	fprintf(stderr, "Try 'hv440 --help'.\n");
	return EXIT_ERROR;
}

/* SIZE with an optional K/M/G suffix (binary units); a plain number is MiB, as QEMU's -m. */
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
		default: return -1;
		}
		end++;
		if (*end == 'i')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
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
 * Turn QEMU's single-dash long options into "--" ones so getopt_long sees
 * them (it permutes argv itself, so replacing elements is fine), up to "--".
 */
static void qemu_spellings(int argc, char **argv)
{
	unsigned j;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		for (j = 0; j < sizeof(qemu_style) / sizeof(qemu_style[0]); j++)
			if (!strcmp(argv[i], qemu_style[j][0]))
				argv[i] = (char *)qemu_style[j][1];
}

static void on_signal(int sig)
{
	got_signal = sig;
	if (signal_vcpu)
		vcpu_request_stop(signal_vcpu);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int finish(struct board *b, const struct board_config *cfg, int status)
{
	chardev_restore_terminal();
	if (b && cfg->stats)
		hv_stats_print(&b->vcpu.stats, stderr);
	board_destroy(b);
	return status;
}

int main(int argc, char **argv)
{
	struct board_config cfg = { .ram_size = 256ull << 20, .serial = { "stdio", "null" } };
	const char *dump_dtb = NULL, *mem_arg = "256M";
	bool no_reboot = false;
	struct board *b = NULL;
	int opt;

	qemu_spellings(argc, argv);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:m:hV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			cfg.kernel = optarg;
			break;
		case OPT_KERNEL_ADDR:
			if (parse_addr(optarg, &cfg.kernel_addr)) {
				fprintf(stderr, "hv440: invalid kernel address '%s' (use e.g. 0x100000)\n",
					optarg);
				return try_help();
			}
			cfg.kernel_addr_set = true;
			break;
		case 'm':
			if (parse_size(optarg, &cfg.ram_size)) {
				fprintf(stderr, "hv440: invalid memory size '%s' (use e.g. 256M or 1G)\n",
					optarg);
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
			break;
		case OPT_SERIAL1:
			cfg.serial[1] = optarg;
			break;
		case OPT_NO_REBOOT:
			no_reboot = true;
			break;
		case OPT_STATS:
			cfg.stats = true;
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
	if (!cfg.kernel && !dump_dtb) {
		fprintf(stderr, "hv440: no kernel given (--kernel FILE)\n");
		return try_help();
	}
	if (cfg.kernel_addr_set && !cfg.kernel) {
		fprintf(stderr, "hv440: --kernel-addr needs --kernel\n");
		return try_help();
	}
	/* The bamboo board takes at most 2 GiB of RAM; Linux needs some room to boot. */
	if (cfg.ram_size < BOARD_MIN_RAM || cfg.ram_size > BOARD_MAX_RAM ||
	    cfg.ram_size % (1ull << 20)) {
		fprintf(stderr, "hv440: memory size '%s' is out of range (16M to 2G, multiple of 1M)\n",
			mem_arg);
		return EXIT_ERROR;
	}
	/* --dump-dtb only looks at the tree: no console. */
	if (dump_dtb)
		cfg.serial[0] = cfg.serial[1] = "null";

	/* Before the chardevs, so theirs (restore the terminal and die) do not replace ours. */
	install_signals();
	if (board_create(&b, &cfg))
		return finish(b, &cfg, EXIT_ERROR);
	if (dump_dtb)
		return finish(b, &cfg, board_fdt_write_file(b, dump_dtb) ? EXIT_ERROR : EXIT_OK);

	signal_vcpu = &b->vcpu;
	for (;;) {
		enum vcpu_stop stop;

		if (got_signal)
			return finish(b, &cfg, 128 + got_signal);
		stop = board_run(b);
		switch (stop) {
		case VCPU_STOP_RESET:
			if (no_reboot)
				return finish(b, &cfg, EXIT_OK);
			if (board_reset(b))
				return finish(b, &cfg, EXIT_ERROR);
			break;
		case VCPU_STOP_HALT:
			fprintf(stderr, "hv440: guest halted (waiting with every interrupt masked) "
				"at pc 0x%08x\n", b->vcpu.core.pc);
			return finish(b, &cfg, EXIT_HALTED);
		case VCPU_STOP_CHECKSTOP:
			fprintf(stderr, "hv440: guest checkstop (machine check with MSR[ME]=0) "
				"at pc 0x%08x\n", b->vcpu.core.pc);
			return finish(b, &cfg, EXIT_CHECKSTOP);
		case VCPU_STOP_HOST:
			if (got_signal)
				return finish(b, &cfg, 128 + got_signal);
			if (board_quit_requested(b))
				return finish(b, &cfg, EXIT_OK);
			break;
		case VCPU_STOP_DEBUG:
			/* No debugger is attached yet: resume. */
			break;
		}
	}
}
