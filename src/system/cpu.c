/* SPDX-License-Identifier: MIT */
/* cpu.c - partitions' CPU shares and priorities: cgroup v2 cpu.weight/cpu.max when writable, else nice values. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "system/system.h"

struct sys_cpu {
	bool cgroup;
	unsigned n;
	char dir[SYS_MAX_PARTITIONS][256];    /* cgroup: each partition's directory */
	char procs[SYS_MAX_PARTITIONS][280];  /* cgroup: its cgroup.procs */
	int nice[SYS_MAX_PARTITIONS];         /* the nice value each child sets */
};

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -(errno ? errno : EIO);
}

/* The cgroup v2 directory this process is in, if cgroup2 is mounted: 0, or -1 with why. */
static int own_cgroup(char *out, size_t max, const char **why)
{
	char line[1024], mnt[512] = "", path[512] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f) {
		*why = "no /proc/self/mountinfo";
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char m[512], *dash = strstr(line, " - cgroup2 ");

		if (dash && sscanf(line, "%*s %*s %*s %*s %511s", m) == 1) {
			snprintf(mnt, sizeof(mnt), "%s", m);
			break;
		}
	}
	fclose(f);
	if (!*mnt) {
		*why = "cgroup v2 is not mounted";
		return -1;
	}
	f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			if (snprintf(path, sizeof(path), "%s", line + 3) >= (int)sizeof(path))
				path[0] = '\0';
		}
	if (f)
		fclose(f);
	if (!*path) {
		*why = "this process is in no cgroup v2 group";
		return -1;
	}
	snprintf(out, max, "%s%s", mnt, strcmp(path, "/") ? path : "");
	return 0;
}

static bool has_cpu_controller(const char *dir)
{
	char p[600], buf[256] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/cgroup.controllers", dir);
	f = fopen(p, "re");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, "cpu"))
			return true;
	return false;
}

/* cpu.weight 100 is nice 0; each nice step is a factor of 1.25 in the kernel's weights. */
static int weight_to_nice(unsigned w)
{
	double x = w;
	int nice = 0;

	while (x > 112 && nice > -20) {
		x /= 1.25;
		nice--;
	}
	while (x < 89 && nice < 19) {
		x *= 1.25;
		nice++;
	}
	return nice;
}

static bool try_cgroup(struct sys_cpu *c, const struct sys_desc *d, const char **why)
{
	char base[512], p[600], v[64];
	unsigned i;

	if (own_cgroup(base, sizeof(base), why))
		return false;
	if (!has_cpu_controller(base)) {
		*why = "the cgroup v2 group offers no cpu controller";
		return false;
	}
	snprintf(p, sizeof(p), "%s/cgroup.subtree_control", base);
	if (write_file(p, "+cpu")) {
		*why = "cannot enable the cpu controller for sub-groups";
		return false;
	}
	for (i = 0; i < d->n_part; i++) {
		const struct sys_partition *pt = &d->part[i];

		if (snprintf(c->dir[i], sizeof(c->dir[i]), "%s/hv440-%d-%s", base, (int)getpid(),
			     pt->name) >= (int)sizeof(c->dir[i]) ||
		    snprintf(c->procs[i], sizeof(c->procs[i]), "%s/cgroup.procs", c->dir[i]) >=
			    (int)sizeof(c->procs[i]))
			break;
		if (mkdir(c->dir[i], 0755) && errno != EEXIST)
			break;
		c->n = i + 1;
		snprintf(p, sizeof(p), "%s/cpu.weight", c->dir[i]);
		snprintf(v, sizeof(v), "%u", pt->cpu_weight);
		if (write_file(p, v))
			break;
		snprintf(p, sizeof(p), "%s/cpu.max", c->dir[i]);
		if (pt->cpu_max)
			snprintf(v, sizeof(v), "%u 100000", pt->cpu_max * 1000);
		else
			snprintf(v, sizeof(v), "max 100000");
		if (write_file(p, v))
			break;
		c->nice[i] = pt->priority;
	}
	if (i < d->n_part) {
		*why = "cannot create or configure the partitions' groups";
		return false;
	}
	return true;
}

struct sys_cpu *cpu_prepare(const struct sys_desc *d)
{
	struct sys_cpu *c = calloc(1, sizeof(*c));
	const char *why = "";
	bool capped = false;

	if (!c)
		return NULL;
	if (try_cgroup(c, d, &why)) {
		c->cgroup = true;
		fprintf(stderr, "hv440: system: CPU shares by cgroup v2 cpu.weight and cpu.max under %.*s\n",
			(int)(strrchr(c->dir[0], '/') - c->dir[0]), c->dir[0]);
		return c;
	}
	cpu_release(c);  /* the groups made before it failed */
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	for (unsigned i = 0; i < d->n_part; i++) {
		int n = d->part[i].priority + weight_to_nice(d->part[i].cpu_weight);

		c->nice[i] = n < -20 ? -20 : n > 19 ? 19 : n;
		capped |= d->part[i].cpu_max != 0;
	}
	fprintf(stderr, "hv440: system: CPU shares by nice values (setpriority), not cgroups: %s%s\n",
		why, capped ? "; cpu-max is not applied" : "");
	return c;
}

void cpu_enter(const struct sys_cpu *c, unsigned part)
{
	if (!c || part >= SYS_MAX_PARTITIONS)
		return;
	if (c->cgroup && part < c->n) {
		int fd = open(c->procs[part], O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			ssize_t r = write(fd, "0", 1);

			(void)r;
			close(fd);
		}
	}
	setpriority(PRIO_PROCESS, 0, c->nice[part]);
}

void cpu_release(struct sys_cpu *c)
{
	if (!c)
		return;
	/* Only empty groups can go: the caller reaped every child first. */
	for (unsigned i = 0; i < c->n; i++)
		rmdir(c->dir[i]);
	free(c);
}
