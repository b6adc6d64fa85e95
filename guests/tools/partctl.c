// SPDX-License-Identifier: MIT
// partctl.c - the managing partition's tool: list, start, stop and restart partitions, wait for events.
//
// Usage: partctl list
//        partctl status|start|stop|restart PART
//        partctl wait [-n COUNT] [-t SECONDS]
// PART is a partition handle (a number) or a name from the device tree's /hypervisor/handles,
// where the hypervisor announces the partitions this one manages (Topaz's layout: a node per
// partition, compatible "fsl,hv-partition-handle", its handle in reg, its name in label, and its
// doorbells below it). The calls go through Linux's own driver, /dev/fsl-hv
// (drivers/virt/fsl_hypervisor.c, include/uapi/linux/fsl_hypervisor.h), which makes the
// FH_PARTITION_* hypercalls. `wait` reads the driver's doorbell queue and prints one line per
// doorbell: "NAME state-change STATE" or "NAME watchdog", until COUNT (1) came; exit 1 when
// SECONDS (no limit by default) pass first.
// Exit: 0; 1 when the hypervisor refused a call (its ePAPR status is printed) or anything failed;
// 2 for bad usage.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/fsl_hypervisor.h>

#define HANDLES "/proc/device-tree/hypervisor/handles"
#define DEV "/dev/fsl-hv"
#define MAX_PARTS 16

struct part {
	char name[64];
	uint32_t handle;
	int state_db, wd_db;  // doorbell handles, -1: none
};

static struct part parts[MAX_PARTS];
static unsigned n_parts;

static const char *const ev_names[] = {
	"EV_SUCCESS", "EV_EPERM", "EV_ENOENT", "EV_EIO", "EV_EAGAIN", "EV_ENOMEM", "EV_EFAULT",
	"EV_ENODEV", "EV_EINVAL", "EV_INTERNAL", "EV_CONFIG", "EV_INVALID_STATE",
	"EV_UNIMPLEMENTED", "EV_BUFFER_OVERFLOW",
};
static const char *const states[] = { "stopped", "running", "starting", "stopping" };

static const char *ev_name(uint32_t st)
{
	return st < sizeof(ev_names) / sizeof(ev_names[0]) ? ev_names[st] : "unknown status";
}

static const char *state_name(uint32_t st)
{
	return st < 4 ? states[st] : "unknown";
}

// A device-tree property of up to max bytes; its length, or -1.
static int read_prop(const char *dir, const char *prop, void *buf, size_t max)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, prop);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, max);
	close(fd);
	return (int)n;
}

static int read_cell(const char *dir, const char *prop, uint32_t *v)
{
	uint8_t b[8];

	if (read_prop(dir, prop, b, sizeof(b)) < 4)
		return -1;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 0;
}

// The partitions the hypervisor announced to us, in handle order; 0 when there are none.
static unsigned load_parts(void)
{
	DIR *d = opendir(HANDLES);
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n_parts < MAX_PARTS) {
		char dir[384], sub[448];
		struct part *p = &parts[n_parts];
		uint32_t v;
		int n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", HANDLES, e->d_name);
		if (read_cell(dir, "reg", &p->handle))
			continue;
		n = read_prop(dir, "label", p->name, sizeof(p->name) - 1);
		if (n <= 0)
			snprintf(p->name, sizeof(p->name), "%.63s", e->d_name);
		else
			p->name[n] = '\0';
		snprintf(sub, sizeof(sub), "%s/state-change-doorbell", dir);
		p->state_db = read_cell(sub, "interrupts", &v) ? -1 : (int)v;
		snprintf(sub, sizeof(sub), "%s/watchdog-doorbell", dir);
		p->wd_db = read_cell(sub, "interrupts", &v) ? -1 : (int)v;
		n_parts++;
	}
	closedir(d);
	for (unsigned i = 1; i < n_parts; i++)  // handle order
		for (unsigned j = i; j > 0 && parts[j - 1].handle > parts[j].handle; j--) {
			struct part t = parts[j];

			parts[j] = parts[j - 1];
			parts[j - 1] = t;
		}
	return n_parts;
}

// PART as a handle: a number, or a name from /hypervisor/handles; -1 after an error line.
static int resolve(const char *arg, uint32_t *handle)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 0);

	if (*arg && !*end) {
		*handle = (uint32_t)v;
		return 0;
	}
	for (unsigned i = 0; i < n_parts; i++)
		if (!strcmp(parts[i].name, arg)) {
			*handle = parts[i].handle;
			return 0;
		}
	fprintf(stderr, "partctl: no partition named '%s' in %s\n", arg, HANDLES);
	return -1;
}

static int open_dev(void)
{
	int fd = open(DEV, O_RDONLY);

	if (fd < 0)
		fprintf(stderr, "partctl: %s: %s (is this kernel built with CONFIG_FSL_HV_MANAGER?)\n",
			DEV, strerror(errno));
	return fd;
}

// GET_STATUS: the hypervisor's status, or -1 when the ioctl itself failed.
static long get_status(int fd, uint32_t handle, uint32_t *state)
{
	struct fsl_hv_ioctl_status s = { .partition = handle };

	if (ioctl(fd, FSL_HV_IOCTL_PARTITION_GET_STATUS, &s) < 0) {
		fprintf(stderr, "partctl: GET_STATUS: %s\n", strerror(errno));
		return -1;
	}
	*state = s.status;
	return s.ret;
}

static int refused(const char *what, const char *arg, uint32_t st)
{
	fprintf(stderr, "partctl: %s %s: %s (%u)\n", what, arg, ev_name(st), st);
	return 1;
}

static int cmd_list(int fd)
{
	int rc = 0;

	if (!n_parts) {
		fprintf(stderr, "partctl: no %s: this partition manages none\n", HANDLES);
		return 1;
	}
	for (unsigned i = 0; i < n_parts; i++) {
		uint32_t state = 0;
		long st = get_status(fd, parts[i].handle, &state);

		if (st < 0)
			return 1;
		if (st) {
			rc = refused("status", parts[i].name, (uint32_t)st);
			continue;
		}
		printf("%u %s %s\n", parts[i].handle, parts[i].name, state_name(state));
	}
	return rc;
}

static int cmd_part(int fd, const char *cmd, const char *arg)
{
	uint32_t handle, st;
	unsigned long req;
	union {
		struct fsl_hv_ioctl_status status;
		struct fsl_hv_ioctl_start start;
		struct fsl_hv_ioctl_stop stop;
		struct fsl_hv_ioctl_restart restart;
	} u;

	if (resolve(arg, &handle))
		return 1;
	memset(&u, 0, sizeof(u));
	if (!strcmp(cmd, "status")) {
		req = FSL_HV_IOCTL_PARTITION_GET_STATUS;
		u.status.partition = handle;
	} else if (!strcmp(cmd, "start")) {
		req = FSL_HV_IOCTL_PARTITION_START;
		u.start.partition = handle;
	} else if (!strcmp(cmd, "stop")) {
		req = FSL_HV_IOCTL_PARTITION_STOP;
		u.stop.partition = handle;
	} else {
		req = FSL_HV_IOCTL_PARTITION_RESTART;
		u.restart.partition = handle;
	}
	if (ioctl(fd, req, &u) < 0) {
		fprintf(stderr, "partctl: %s %s: %s\n", cmd, arg, strerror(errno));
		return 1;
	}
	st = u.status.ret;  // ret is the first member of each
	if (st)
		return refused(cmd, arg, st);
	if (!strcmp(cmd, "status"))
		printf("%u %s\n", handle, state_name(u.status.status));
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// One line per doorbell the driver queued for us, until count came or seconds passed.
static int cmd_wait(int fd, unsigned count, int seconds)
{
	long long end = seconds >= 0 ? now_ms() + seconds * 1000LL : -1;
	unsigned got = 0;

	while (got < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint32_t db[16];
		int left = end < 0 ? -1 : (int)(end - now_ms());
		ssize_t n;

		if (end >= 0 && left <= 0) {
			fprintf(stderr, "partctl: wait: %u of %u events in %d s\n", got, count, seconds);
			return 1;
		}
		if (poll(&p, 1, left) < 0 && errno != EINTR) {
			fprintf(stderr, "partctl: wait: %s\n", strerror(errno));
			return 1;
		}
		if (!(p.revents & POLLIN))
			continue;
		n = read(fd, db, sizeof(db));
		if (n < 0) {
			fprintf(stderr, "partctl: wait: %s\n", strerror(errno));
			return 1;
		}
		for (ssize_t i = 0; i < n / 4; i++, got++) {
			const struct part *who = NULL;
			bool wd = false;

			for (unsigned k = 0; k < n_parts && !who; k++) {
				if (parts[k].state_db == (int)db[i])
					who = &parts[k];
				else if (parts[k].wd_db == (int)db[i])
					who = &parts[k], wd = true;
			}
			if (!who) {
				printf("doorbell %u\n", db[i]);
			} else if (wd) {
				printf("%s watchdog\n", who->name);
			} else {
				uint32_t state = 0;
				long st = get_status(fd, who->handle, &state);

				printf("%s state-change %s\n", who->name,
				       st == 0 ? state_name(state) : ev_name((uint32_t)(st < 0 ? 3 : st)));
			}
			fflush(stdout);
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: partctl list | status|start|stop|restart PART | "
		"wait [-n COUNT] [-t SECONDS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	int fd, rc;

	if (argc < 2)
		return usage();
	load_parts();
	if (!strcmp(argv[1], "list") && argc == 2) {
		if ((fd = open_dev()) < 0)
			return 1;
		rc = cmd_list(fd);
	} else if ((!strcmp(argv[1], "status") || !strcmp(argv[1], "start") ||
		    !strcmp(argv[1], "stop") || !strcmp(argv[1], "restart")) && argc == 3) {
		if ((fd = open_dev()) < 0)
			return 1;
		rc = cmd_part(fd, argv[1], argv[2]);
	} else if (!strcmp(argv[1], "wait")) {
		unsigned count = 1;
		int seconds = -1, o;

		optind = 2;
		while ((o = getopt(argc, argv, "n:t:")) != -1) {
			if (o == 'n')
				count = (unsigned)atoi(optarg);
			else if (o == 't')
				seconds = atoi(optarg);
			else
				return usage();
		}
		if (optind != argc || !count)
			return usage();
		if ((fd = open_dev()) < 0)
			return 1;
		rc = cmd_wait(fd, count, seconds);
	} else {
		return usage();
	}
	close(fd);
	return rc;
}
