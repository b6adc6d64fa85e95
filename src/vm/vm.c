/* SPDX-License-Identifier: MIT */
/* vm.c - one guest: create its board and handles, run it to its end, destroy it; the VM registry. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "debug/gdbstub.h"
#include "hv/profile.h"
#include "hv/stats.h"
#include "hv/trace.h"
#include "snapshot/migrate.h"
#include "snapshot/snapshot.h"
#include "tools/control.h"
#include "tools/qmp.h"
#include "util/log.h"
#include "vm/vm.h"

struct vm {
	char name[32];
	struct vm_config cfg;      /* the board keeps a pointer to cfg.board */
	struct board *board;
	struct hv_trace *trace;
	struct hv_profile *profile;
	struct control *control;
	struct qmp *qmp;           /* QEMU's machine protocol, or NULL */
	struct gdbstub *gdb;       /* the remote stub, or NULL */
	int gdb_client_fd_polled;  /* the stub's client fd on the board loop, or -1 */
	uint64_t watchdog_seen;    /* vcpu.watchdog_resets already reported */
	bool ran;                  /* vm_run() got to the guest: statistics at the end */
	int slot;                  /* in the registry, or -1 */

	/* Written by signal handlers and other threads (vm_signal, vm_request_stop). */
	struct vcpu *_Atomic vcpu; /* NULL until the board is built and once it is going */
	atomic_int stop_sig;       /* end vm_run() with 128 + stop_sig */
	atomic_int stats_print, stats_reset;
	atomic_int cont;           /* SIGCONT came: hold guest time across the stop */
	_Atomic uint64_t cont_seen_ns;
};

/*
 * The registry: every VM of the process, for signal handlers (vm_signal).
 * A handler marks the slot busy before it reads it, and vm_destroy waits
 * until no handler is inside before the VM goes (lock-free atomics are
 * async-signal-safe; a mutex is not).
 */
#define VM_MAX 64
static struct vm *_Atomic registry[VM_MAX];
static atomic_int registry_busy[VM_MAX];

static int registry_add(struct vm *vm)
{
	for (int i = 0; i < VM_MAX; i++) {
		struct vm *none = NULL;

		if (atomic_compare_exchange_strong(&registry[i], &none, vm)) {
			log_count_vm(1);
			return i;
		}
	}
	return -1;
}

static void registry_remove(struct vm *vm)
{
	if (vm->slot < 0)
		return;
	atomic_store(&registry[vm->slot], NULL);
	while (atomic_load(&registry_busy[vm->slot]))
		sched_yield();
	vm->slot = -1;
}

static void deliver_signal(struct vm *vm, int sig)
{
	struct vcpu *v = atomic_load(&vm->vcpu);

	switch (sig) {
	case SIGUSR1:
		atomic_store(&vm->stats_print, 1);
		break;
	case SIGUSR2:
		atomic_store(&vm->stats_reset, 1);
		break;
	case SIGCONT:
		/* The time the guest last saw, read before the vcpu thread moves on. */
		if (!v || atomic_load(&vm->cont))
			return;
		atomic_store(&vm->cont_seen_ns, vcpu_time_seen(v));
		atomic_store(&vm->cont, 1);
		break;
	default:
		atomic_store(&vm->stop_sig, sig);
		break;
	}
	if (v)
		vcpu_request_stop(v);
}

void vm_signal(int sig)
{
	for (int i = 0; i < VM_MAX; i++) {
		struct vm *vm;

		atomic_fetch_add(&registry_busy[i], 1);
		vm = atomic_load(&registry[i]);
		if (vm)
			deliver_signal(vm, sig);
		atomic_fetch_sub(&registry_busy[i], 1);
	}
}

void vm_request_stop(struct vm *vm, int sig)
{
	deliver_signal(vm, sig);
}

const char *vm_name(const struct vm *vm)
{
	return vm->name;
}

struct board *vm_board(struct vm *vm)
{
	return vm->board;
}

/* ---- statistics ---- */

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

static void print_stats(struct vm *vm)
{
	struct vcpu *v = &vm->board->vcpu;

	vcpu_stats_sync(v);
	flockfile(stderr);
	if (log_vm_name())
		fprintf(stderr, "statistics of %s:\n", vm->name);
	if (vm->cfg.stats_json) {
		hv_stats_print_json(&v->stats, stderr);
	} else {
		hv_stats_print(&v->stats, stderr);
		print_memory(v);
	}
	funlockfile(stderr);
	fflush(stderr);
}

/* ---- gdb and QMP between runs ---- */

static void gdb_fd_ready(void *opaque, int fd, short revents);

/* Keep the board loop polling the stub's client socket (it changes on attach/detach). */
static void gdb_sync_fds(struct vm *vm)
{
	int lfd, cfd;

	gdbstub_fds(vm->gdb, &lfd, &cfd);
	if (cfd == vm->gdb_client_fd_polled)
		return;
	if (vm->gdb_client_fd_polled >= 0)
		loop_remove_fd(&vm->board->loop, vm->gdb_client_fd_polled);
	vm->gdb_client_fd_polled = -1;
	if (cfd >= 0 && loop_add_fd(&vm->board->loop, cfd, POLLIN, gdb_fd_ready, vm) == 0)
		vm->gdb_client_fd_polled = cfd;
}

/* Guest running: gdb sent something (Ctrl-C) or a client connects. */
static void gdb_fd_ready(void *opaque, int fd, short revents)
{
	struct vm *vm = opaque;

	(void)fd;
	(void)revents;
	gdbstub_io(vm->gdb);
	gdb_sync_fds(vm);
}

/* The vcpu stopped for gdb: serve it; false when gdb killed the target. */
static bool gdb_stopped(struct vm *vm, enum vcpu_stop stop, bool hold)
{
	enum gdbstub_result r = gdbstub_stopped(vm->gdb, stop, hold);

	gdb_sync_fds(vm);
	return r != GDBSTUB_KILL;
}

/*
 * The stub listens before the sandbox is entered: a host name in --gdb is
 * resolved with getaddrinfo(), which may read files and talk to a resolver
 * the sandbox forbids (docs/sandbox.md).
 */
static int open_gdb(struct vm *vm)
{
	int lfd, cfd;

	if (gdbstub_open(&vm->gdb, &vm->board->vcpu, vm->cfg.gdb))
		return -1;
	gdbstub_fds(vm->gdb, &lfd, &cfd);
	if (loop_add_fd(&vm->board->loop, lfd, POLLIN, gdb_fd_ready, vm)) {
		log_err("gdb: too many host file descriptors\n");
		return -1;
	}
	return 0;
}

/* A signal or the user (Ctrl-A x) ends the VM: its exit status, or -1 to go on. */
static int host_end(struct vm *vm)
{
	int sig = atomic_load(&vm->stop_sig);

	if (sig) {
		qmp_shutdown(vm->qmp, false, "host-signal");
		return 128 + sig;
	}
	if (board_quit_requested(vm->board)) {
		qmp_shutdown(vm->qmp, false, "host-ui");
		return VM_EXIT_OK;
	}
	return -1;
}

/*
 * QMP between run chunks: a reset or quit the client asked for, and while
 * it holds the guest stopped, the board's host I/O (console, sockets) goes
 * on without running guest code. -1: run the guest; else the exit status.
 */
static int qmp_serve(struct vm *vm)
{
	struct board *b = vm->board;

	for (;;) {
		unsigned req = qmp_take_requests(vm->qmp);
		int status;

		if (req & QMP_REQ_QUIT)
			return VM_EXIT_OK; /* SHUTDOWN was sent with the answer */
		if (req & QMP_REQ_RESET) {
			if (board_reset(b))
				return VM_EXIT_ERROR;
			qmp_reset_done(vm->qmp, false);
		}
		if ((status = host_end(vm)) >= 0)
			return status;
		if (qmp_running(vm->qmp))
			return -1;
		b->vcpu.bus->poll(b->vcpu.bus->opaque, 100 * 1000000ll);
	}
}

/*
 * --no-shutdown (QEMU's -no-shutdown): the guest ended (a reset under
 * --no-reboot, or a halt for good) but the VM stays, its vcpu stopped and
 * its sockets served, until Ctrl-A x or a signal. status is the exit
 * status Ctrl-A x then gives.
 */
static int stay_stopped(struct vm *vm, int status)
{
	if (!vm->cfg.no_shutdown)
		return status;
	log_err("guest stopped (--no-shutdown): Ctrl-A x or a signal ends hv440\n");
	while (!atomic_load(&vm->stop_sig) && !board_quit_requested(vm->board))
		board_idle(vm->board, 200 * 1000 * 1000);
	return atomic_load(&vm->stop_sig) ? 128 + atomic_load(&vm->stop_sig) : status;
}

/* The host stopped the vcpu (a signal, Ctrl-A x, gdb's Ctrl-C): the exit status, or -1 to go on. */
static int host_stop(struct vm *vm)
{
	struct vcpu *v = &vm->board->vcpu;
	int status;

	if (atomic_exchange(&vm->cont, 0))
		vcpu_hold_time_across_stop(v, atomic_load(&vm->cont_seen_ns));
	if (atomic_exchange(&vm->stats_print, 0))
		print_stats(vm);
	if (atomic_exchange(&vm->stats_reset, 0))
		vcpu_stats_reset(v);
	if ((status = host_end(vm)) >= 0)
		return status;
	if (vm->gdb && gdbstub_wants_stop(vm->gdb) && !gdb_stopped(vm, VCPU_STOP_HOST, false))
		return VM_EXIT_OK;
	return -1;
}

/* One stop of the vcpu: the exit status, or -1 to run on. */
static int handle_stop(struct vm *vm, enum vcpu_stop stop)
{
	struct board *b = vm->board;
	struct vcpu *v = &b->vcpu;

	switch (stop) {
	case VCPU_STOP_RESET:
		/* `hv440 system` reads this line to tell a watchdog's reset from the guest's own. */
		if (v->watchdog_resets != vm->watchdog_seen) {
			vm->watchdog_seen = v->watchdog_resets;
			log_err("watchdog reset (the guest stopped clearing TSR[ENW/WIS])\n");
		}
		if (vm->cfg.no_reboot) {
			qmp_shutdown(vm->qmp, true, "guest-reset");
			return stay_stopped(vm, VM_EXIT_OK);
		}
		if (board_reset(b))
			return VM_EXIT_ERROR;
		qmp_reset_done(vm->qmp, true);
		return -1;
	case VCPU_STOP_HALT:
		qmp_shutdown(vm->qmp, true, "guest-shutdown");
		log_err("guest halted (waiting with every interrupt masked) at pc 0x%08x\n",
			v->core.pc);
		return stay_stopped(vm, VM_EXIT_HALTED);
	case VCPU_STOP_LOCKSTEP:
		log_err("lockstep: the JIT differs from the interpreter in the block at EA 0x%08x "
			"(PA 0x%09llx): %s\n", v->core.exit.ea, (unsigned long long)v->core.exit.pa,
			v->core.lockstep_diff);
		return VM_EXIT_ERROR;
	case VCPU_STOP_CHECKSTOP:
		log_err("guest checkstop (machine check with MSR[ME]=0) at pc 0x%08x\n", v->core.pc);
		return VM_EXIT_CHECKSTOP;
	case VCPU_STOP_HOST:
		return host_stop(vm);
	case VCPU_STOP_DEBUG:
		/* A gdb breakpoint, watchpoint or step (without a stub: resume). */
		if (vm->gdb && !gdb_stopped(vm, stop, false))
			return VM_EXIT_OK;
		return -1;
	}
	return -1;
}

static int run(struct vm *vm)
{
	int status;

	if (vm->cfg.gdb && vm->cfg.hold && !gdb_stopped(vm, VCPU_STOP_DEBUG, true))
		return VM_EXIT_OK;
	for (;;) {
		if (vm->qmp && (status = qmp_serve(vm)) >= 0)
			return status;
		if (atomic_load(&vm->stop_sig)) {
			qmp_shutdown(vm->qmp, false, "host-signal");
			return 128 + atomic_load(&vm->stop_sig);
		}
		if ((status = handle_stop(vm, board_run(vm->board))) >= 0)
			return status;
	}
}

int vm_run(struct vm *vm)
{
	const char *outer = log_set_vm(vm->name);
	int status;

	if (vm->cfg.dump_dtb) {
		/* a restored board builds its tree only now (board_create_restored()) */
		status = board_finish_images(vm->board) ||
			 board_fdt_write_file(vm->board, vm->cfg.dump_dtb) ? VM_EXIT_ERROR : VM_EXIT_OK;
	} else {
		vm->ran = true;
		status = run(vm);
		gdbstub_exiting(vm->gdb, status);
		if (vm->cfg.board.stats)
			print_stats(vm);
	}
	log_set_vm(outer);
	return status;
}

/* ---- create and destroy ---- */

/* The handles of --trace, --profile, --qmp, --control and --gdb; -1 after one line. */
static int open_handles(struct vm *vm)
{
	const struct vm_config *cfg = &vm->cfg;
	struct vcpu *v = &vm->board->vcpu;
	int r;

	if (cfg->trace) {
		r = trace_open(&vm->trace, cfg->trace, cfg->trace_size);
		if (r == -ENOSPC) {
			log_err("--trace '%s': a ring of %llu bytes is more than the free space there "
				"(give a smaller size=N)\n", cfg->trace,
				(unsigned long long)cfg->trace_size);
			return -1;
		}
		if (r) {
			log_err("--trace: cannot create '%s': %s\n", cfg->trace, strerror(-r));
			return -1;
		}
		v->trace = vm->trace;
	}
	if (cfg->profile) {
		r = profile_start(&vm->profile, cfg->profile, cfg->profile_hz, v);
		if (r) {
			log_err("--profile: cannot start '%s': %s\n", cfg->profile, strerror(-r));
			return -1;
		}
		v->profile = vm->profile;
	}
	/* QMP first: a server that waits for its client holds the rest of start-up (as QEMU). */
	if (cfg->qmp && qmp_open(&vm->qmp, cfg->qmp, &vm->board->loop, v))
		return -1;
	if (cfg->control && control_open(&vm->control, cfg->control, &vm->board->loop, v))
		return -1;
	control_set_snapshot(vm->control, snapshot_save_hook, vm->board);
	control_set_migrate(vm->control, migrate_start, vm->board);
	if (cfg->hold && !cfg->gdb)
		qmp_hold(vm->qmp); /* QEMU's -S: stopped until the QMP command cont */
	if (cfg->gdb && open_gdb(vm))
		return -1;
	return 0;
}

struct vm *vm_create(const struct vm_config *cfg, const char *name)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	const char *outer;

	if (!vm) {
		log_err("%s: out of memory\n", name);
		return NULL;
	}
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->cfg = *cfg;
	vm->gdb_client_fd_polled = -1;
	outer = log_set_vm(vm->name);
	/* In the registry from the start: a signal ends a start-up that waits (QMP, a socket). */
	vm->slot = registry_add(vm);
	if (vm->slot < 0) {
		log_err("%s: more than %d VMs in one process\n", name, VM_MAX);
		goto fail;
	}
	if (cfg->incoming ? migrate_incoming(&vm->board, &vm->cfg.board, cfg->incoming)
	    : cfg->restore ? snapshot_restore(&vm->board, &vm->cfg.board, cfg->restore)
			   : board_create(&vm->board, &vm->cfg.board))
		goto fail;
	atomic_store(&vm->vcpu, &vm->board->vcpu);
	if (!cfg->dump_dtb && open_handles(vm))
		goto fail;
	log_set_vm(outer);
	return vm;
fail:
	/* Not every layer's start-up lines name the VM (board/ prints its own): this one does. */
	if (log_vm_name())
		log_err("not created (the line above says why)\n");
	vm_destroy(vm);
	log_set_vm(outer);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	const char *outer;
	bool registered;

	if (!vm)
		return;
	outer = log_set_vm(vm->name);
	/* First: once out of the registry, no signal handler reads the VM or its vcpu. */
	registered = vm->slot >= 0;
	registry_remove(vm);
	atomic_store(&vm->vcpu, NULL);
	gdbstub_close(vm->gdb);
	migrate_cancel(vm->board); /* before the control socket its answer would go to */
	if (vm->board) {
		vm->board->vcpu.profile = NULL;
		vm->board->vcpu.trace = NULL;
	}
	control_close(vm->control);
	qmp_close(vm->qmp);
	profile_stop(vm->profile);
	trace_close(vm->trace);
	board_destroy(vm->board);
	if (registered)
		log_count_vm(-1); /* after the board's last messages, which name the VM */
	log_set_vm(outer);
	free(vm);
}
