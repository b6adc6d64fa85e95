/* SPDX-License-Identifier: MIT */
/* system.h - `hv440 system`: partitions from one device-tree description, run by a supervisor. */
#ifndef HV440_SYSTEM_H
#define HV440_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* `hv440 system ...`; argv[0] is "system". Exit status. */
int system_cmd(int argc, char **argv);

#define SYS_MAX_PARTITIONS 16
#define SYS_MAX_LIST 8        /* disks, NICs per partition */
#define SYS_MAX_DOORBELLS 24  /* the manager's doorbell lines (hw/hvmgr.h HVMGR_MAX_DOORBELLS) */

enum sys_restart { RESTART_NEVER, RESTART_ON_FAILURE, RESTART_ALWAYS };
enum sys_watchdog { WATCHDOG_RESET, WATCHDOG_STOP, WATCHDOG_NOTIFY };

/* One partition: everything needed to build its hv440 command line. Strings point into the blob. */
struct sys_partition {
	const char *name;
	const char *board, *kernel, *initrd, *bootargs;
	char memory[24];          /* as given, checked, passed to -m */
	uint64_t memory_bytes;
	const char *disks[SYS_MAX_LIST];
	unsigned n_disks;
	const char *nics[SYS_MAX_LIST];
	unsigned n_nics;
	const char *console;      /* chardev spec, or "log" */
	bool paravirt, manager, autostart;
	enum sys_watchdog watchdog;
	unsigned cpu_weight;      /* 1..10000, cgroup v2 cpu.weight; 100 by default */
	unsigned cpu_max;         /* percent of one host CPU; 0 = no cap */
	int priority;             /* nice value -20..19 */
	enum sys_restart restart;
	unsigned restart_limit;
	int channel;              /* index into channels, or -1 */
	const char *standby_name; /* standby-of, as given */
	int standby_of;           /* the primary this one stands by for, or -1 */
	int standby;              /* this primary's standby, or -1 */
	bool console_copied;      /* a channel copies its console: the supervisor carries it */
};

/* A byte channel: two partitions, or a partition and a host chardev spec. */
struct sys_channel {
	const char *name;
	int a, b;                 /* partition indexes; b = -1 for a host endpoint */
	const char *host;         /* the host end's chardev spec (b = -1) */
	int standby;              /* a's standby, which shares the host end (served by the supervisor), or -1 */
	int copy_of;              /* console-copy-of: the partition whose console a receives, or -1 */
};

struct sys_desc {
	void *blob;               /* the compiled tree: all strings above point into it */
	char *dir;                /* the description's directory: relative paths start there */
	struct sys_partition part[SYS_MAX_PARTITIONS];
	unsigned n_part;
	struct sys_channel chan[SYS_MAX_PARTITIONS];
	unsigned n_chan;
	char *owned[64];          /* resolved path strings to free */
	unsigned n_owned;
};

/* Compile (dtc) and validate FILE; prints one line per error. 0, or the number of errors. */
int sys_desc_load(struct sys_desc *d, const char *file);
void sys_desc_free(struct sys_desc *d);

/* The supervisor: start the partitions, watch them, serve the control socket; exit status. */
int supervisor_run(struct sys_desc *d, const char *control_path);
/* `--status unix:PATH`: one JSON object per partition per line; exit status. */
int supervisor_status(const char *control_path);

/* CPU shares: prepare once (says which host mechanism it uses), apply in the child before exec. */
struct sys_cpu;
struct sys_cpu *cpu_prepare(const struct sys_desc *d);
/* In the forked child (async-signal-safe calls only): join its share. */
void cpu_enter(const struct sys_cpu *c, unsigned part);
void cpu_release(struct sys_cpu *c);

#endif
