/* SPDX-License-Identifier: MIT */
/* test_two_vms.c - two VMs in one process, on two threads at once, each with its own program. */
/*
 * Usage: test_two_vms ELF1 EXPECTED1 ELF2 EXPECTED2 (tests/unit/meson.build
 * builds two ISA programs, tests/isa/progs, and passes their expected
 * outputs, tests/isa/expected). For each engine (JIT, interpreter), rounds
 * of: create both VMs, start both runs together on two threads, join, check
 * each exit status and each console (a file) byte for byte, destroy both.
 * At least one round must show the two runs overlapping in time, and the
 * JIT rounds' VMs share the process's perf map, each adding its lines. Then:
 * vm_request_stop() from another thread ends a guest that reboots for ever;
 * stdio taken by one VM is refused to a second one with one line naming
 * the owner, and messages name their VM only while there are several.
 * Run under ASan/UBSan (build-asan) it also checks a clean teardown.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "vm/vm.h"

#define ROUNDS 3

static int failures;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);    \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			failures++;                                             \
		}                                                               \
	} while (0)

struct guest {
	const char *elf, *expected;
	char out[96];          /* the console file */
	struct vm *vm;
	int status;
	double t0, t1;         /* when its run started and ended */
};

static pthread_barrier_t start_line;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The whole file as a string, without '\r' (the programs print "\r\n", as tests/isa/run.sh strips). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int ch;

	if (!f)
		return NULL;
	while ((ch = fgetc(f)) != EOF) {
		if (ch == '\r')
			continue;
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 4096);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		buf[n++] = (char)ch;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[n] = '\0';
	*len = n;
	return buf;
}

static struct vm *make_vm(struct guest *g, const char *serial, bool interp, const char *name)
{
	struct vm_config cfg = {
		.board = { .kernel = g->elf, .ram_size = 32ull << 20, .serial = { serial, "null" },
			   .interp = interp, .perf_map = !interp },
		.no_reboot = true,  /* every ISA program ends with a reset: status 0 */
	};

	return vm_create(&cfg, name);
}

static void *runner(void *opaque)
{
	struct guest *g = opaque;

	pthread_barrier_wait(&start_line);
	g->t0 = now();
	g->status = vm_run(g->vm);
	g->t1 = now();
	return NULL;
}

/* One round: both VMs built, run at once, checked, destroyed; true when the runs overlapped. */
static bool round_of_two(struct guest g[2], bool interp, unsigned round)
{
	pthread_t th[2];
	bool overlap;

	for (int i = 0; i < 2; i++) {
		char spec[128];

		snprintf(g[i].out, sizeof(g[i].out), "/tmp/hv440-two-vms-%d-%c.out", (int)getpid(),
			 'a' + i);
		snprintf(spec, sizeof(spec), "file:%s", g[i].out);
		g[i].vm = make_vm(&g[i], spec, interp, i ? "vm-b" : "vm-a");
		CHECK(g[i].vm, "vm_create %s", g[i].elf);
		if (!g[i].vm)
			return false;
	}
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, runner, &g[i]) == 0, "pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	overlap = g[0].t0 < g[1].t1 && g[1].t0 < g[0].t1;
	for (int i = 0; i < 2; i++) {
		char *want, *got;
		size_t nw = 0, ng = 0;

		CHECK(g[i].status == VM_EXIT_OK, "%s (%s, round %u): exit status %d",
		      g[i].elf, interp ? "interp" : "jit", round, g[i].status);
		vm_destroy(g[i].vm); /* closes the console file */
		want = slurp(g[i].expected, &nw);
		got = slurp(g[i].out, &ng);
		CHECK(want && got && nw == ng && !memcmp(want, got, nw),
		      "%s (%s, round %u): console output (%zu bytes) is not %s (%zu bytes)",
		      g[i].elf, interp ? "interp" : "jit", round, ng, g[i].expected, nw);
		free(want);
		free(got);
		unlink(g[i].out);
	}
	return overlap;
}

/*
 * The JIT rounds ran with perf_map: the process's one map holds the shared
 * code of every VM's JIT (one "jit-entry" line each: the first VM emptied
 * the file, the others appended) and only whole lines.
 */
static void test_perf_map(unsigned jits)
{
	char path[64], *map;
	size_t n = 0;
	unsigned entries = 0, lines = 0, bad = 0;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	map = slurp(path, &n);
	CHECK(map, "no %s", path);
	if (!map)
		return;
	for (char *line = map, *end; *line; line = end + 1) {
		unsigned long addr, size;
		char name[64];

		end = strchr(line, '\n');
		if (!end) {
			bad++; /* a last line cut short */
			break;
		}
		*end = '\0';
		lines++;
		if (sscanf(line, "%lx %lx %63s", &addr, &size, name) != 3 ||
		    (strncmp(name, "jit-", 4) && strncmp(name, "guest-pa-", 9)))
			bad++;
		entries += !strcmp(name, "jit-entry");
	}
	CHECK(entries == jits && !bad, "%s: %u jit-entry lines (want %u), %u bad lines of %u",
	      path, entries, jits, bad, lines);
	free(map);
	unlink(path);
}

static void *run_only(void *opaque)
{
	struct guest *g = opaque;

	g->status = vm_run(g->vm);
	return NULL;
}

/*
 * vm_request_stop from another thread: a guest that reboots for ever (each
 * ISA program ends with a reset; without no_reboot the board reboots it)
 * ends with 128 + the signal number given, after running its program at
 * least once; vm_signal(SIGUSR2) on the way resets statistics harmlessly.
 */
static void test_request_stop(struct guest *g, bool interp)
{
	struct vm_config cfg = {
		.board = { .kernel = g->elf, .ram_size = 32ull << 20, .serial = { NULL, "null" },
			   .interp = interp },
	};
	char spec[128], *want, *got;
	size_t nw = 0, ng = 0;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	pthread_t th;

	snprintf(g->out, sizeof(g->out), "/tmp/hv440-two-vms-%d-loop.out", (int)getpid());
	snprintf(spec, sizeof(spec), "file:%s", g->out);
	cfg.board.serial[0] = spec;
	g->vm = vm_create(&cfg, "looping");
	CHECK(g->vm, "vm_create of the rebooting guest");
	if (!g->vm)
		return;
	CHECK(pthread_create(&th, NULL, run_only, g) == 0, "pthread_create");
	want = slurp(g->expected, &nw);
	/* Until the first run's output is all there (20 s at most), then into the second run. */
	for (int i = 0; i < 400; i++) {
		got = slurp(g->out, &ng);
		free(got);
		if (ng > nw)
			break;
		nanosleep(&pause, NULL);
	}
	vm_signal(SIGUSR2);
	vm_request_stop(g->vm, SIGTERM);
	pthread_join(th, NULL);
	CHECK(g->status == 128 + SIGTERM, "%s: a stopped VM's status is %d, not %d",
	      interp ? "interp" : "jit", g->status, 128 + SIGTERM);
	vm_destroy(g->vm);
	got = slurp(g->out, &ng);
	CHECK(want && got && ng >= nw && !memcmp(want, got, nw),
	      "%s: the rebooting guest's first run (%zu bytes) is not %s", interp ? "interp" : "jit",
	      ng, g->expected);
	free(want);
	free(got);
	unlink(g->out);
}

/* stderr into a file around a call, to read what it printed. */
struct capture {
	int saved, fd;
	char path[96];
};

static void capture_begin(struct capture *c)
{
	snprintf(c->path, sizeof(c->path), "/tmp/hv440-two-vms-%d.err", (int)getpid());
	fflush(stderr);
	c->saved = dup(STDERR_FILENO);
	c->fd = open(c->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(c->fd, STDERR_FILENO);
}

static char *capture_end(struct capture *c)
{
	size_t n;
	char *text;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	close(c->fd);
	text = slurp(c->path, &n);
	unlink(c->path);
	return text;
}

/* stdio belongs to one VM at a time; the second gets one line naming the first. */
static void test_stdio_owner(struct guest *g)
{
	struct capture cap;
	struct vm *a, *b;
	char *err;

	a = make_vm(g, "stdio", true, "owner");
	CHECK(a, "a VM on stdio");
	capture_begin(&cap);
	b = make_vm(g, "stdio", true, "second");
	err = capture_end(&cap);
	CHECK(!b, "a second VM on stdio was created");
	CHECK(err && !strcmp(err, "hv440: second: --serial: stdio is already used by VM owner "
			     "(one VM of a process can have it)\n"
			     "hv440: second: not created (the line above says why)\n"),
	      "the refusal was '%s'", err ? err : "(nothing)");
	free(err);
	vm_destroy(b);
	vm_destroy(a);
	/* Free again: a new VM may take it, and alone it is named nowhere. */
	a = make_vm(g, "stdio", true, "again");
	CHECK(a, "stdio after its owner was destroyed");
	capture_begin(&cap);
	log_err("a message\n");
	err = capture_end(&cap);
	CHECK(err && !strcmp(err, "hv440: a message\n"), "a lone VM's message was '%s'",
	      err ? err : "(nothing)");
	free(err);
	vm_destroy(a);
}

int main(int argc, char **argv)
{
	struct guest g[2];
	unsigned overlapped = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: test_two_vms ELF1 EXPECTED1 ELF2 EXPECTED2\n");
		return 1;
	}
	memset(g, 0, sizeof(g));
	g[0].elf = argv[1];
	g[0].expected = argv[2];
	g[1].elf = argv[3];
	g[1].expected = argv[4];
	pthread_barrier_init(&start_line, NULL, 2);
	for (int interp = 0; interp < 2; interp++) {
		overlapped = 0;
		for (unsigned r = 0; r < ROUNDS; r++)
			overlapped += round_of_two(g, interp, r);
		printf("%s: %u of %d rounds ran both guests at the same time\n",
		       interp ? "interp" : "jit", overlapped, ROUNDS);
		CHECK(overlapped > 0, "%s: the two runs never overlapped", interp ? "interp" : "jit");
	}
	pthread_barrier_destroy(&start_line);
	test_perf_map(2 * ROUNDS);
	test_request_stop(&g[0], false);
	test_request_stop(&g[0], true);
	test_stdio_owner(&g[0]);
	if (failures) {
		printf("%d failures\n", failures);
		return 1;
	}
	printf("two VMs: ok\n");
	return 0;
}
