/* SPDX-License-Identifier: MIT */
/* desc.c - the system description: compile the .dts with dtc, read it with libfdt, validate every node. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libfdt.h>

#include "system/system.h"

#define MAX_BLOB (1u << 20)
#define RAM_MIN (16ull << 20)
#define RAM_MAX (2ull << 30)   /* hv440's own limit for one guest (-m) */

struct ctx {
	struct sys_desc *d;
	const char *file;
	int errors;
};

static void err(struct ctx *c, const char *node, const char *prop, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hv440: system: %s: %s%s%s: ", c->file, node, prop ? ": " : "",
		prop ? prop : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->errors++;
}

/* Run dtc on a source and collect the blob; a .dtb (by its magic) is read as-is. NULL after a message. */
static void *compile(const char *file)
{
	int p[2], st, fd;
	uint8_t *buf;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hv440: system: cannot open %s: %s\n", file, strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_BLOB);
	if (!buf) {
		close(fd);
		return NULL;
	}
	n = read(fd, buf, 4);
	if (n == 4 && fdt_magic(buf) == FDT_MAGIC) {
		while ((n = read(fd, buf + 4 + len, MAX_BLOB - 4 - len)) > 0)
			len += (size_t)n;
		close(fd);
		return buf;
	}
	close(fd);
	if (pipe2(p, O_CLOEXEC)) {
		free(buf);
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execlp("dtc", "dtc", "-q", "-I", "dts", "-O", "dtb", file, (char *)NULL);
		fprintf(stderr, "hv440: system: cannot run dtc (apt-get install device-tree-compiler): %s\n",
			strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		free(buf);
		return NULL;
	}
	while ((n = read(p[0], buf + len, MAX_BLOB - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) || len < 40 || fdt_check_header(buf)) {
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 127)
			fprintf(stderr, "hv440: system: %s: dtc could not compile it (its messages above)\n",
				file);
		free(buf);
		return NULL;
	}
	return buf;
}

static const char *str_prop(struct ctx *c, int node, const char *path, const char *prop)
{
	int len;
	const char *v = fdt_getprop(c->d->blob, node, prop, &len);

	if (!v)
		return NULL;
	if (len < 1 || v[len - 1] || (int)strlen(v) != len - 1) {
		err(c, path, prop, "must be one string");
		return NULL;
	}
	return v;
}

static bool u32_prop(struct ctx *c, int node, const char *path, const char *prop, uint32_t *out)
{
	int len;
	const fdt32_t *v = fdt_getprop(c->d->blob, node, prop, &len);

	if (!v)
		return false;
	if (len != 4) {
		err(c, path, prop, "must be one cell, e.g. <100>");
		return false;
	}
	*out = fdt32_to_cpu(*v);
	return true;
}

/* An absolute path for a relative one (from the description's directory). */
static const char *resolve(struct ctx *c, const char *p)
{
	struct sys_desc *d = c->d;
	char *r;

	if (!p || p[0] == '/' || d->n_owned >= sizeof(d->owned) / sizeof(d->owned[0]))
		return p;
	if (asprintf(&r, "%s/%s", d->dir, p) < 0)
		return p;
	d->owned[d->n_owned++] = r;
	return r;
}

static void need_file(struct ctx *c, const char *path, const char *prop, const char *f)
{
	struct stat st;

	if (stat(f, &st))
		err(c, path, prop, "%s: %s", f, strerror(errno));
	else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		err(c, path, prop, "%s is not a file", f);
}

static int parse_mem(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G': case 'g': v <<= 30; end++; break;
	case 'M': case 'm': case '\0': v <<= 20; if (*end) end++; break;
	case 'K': case 'k': v <<= 10; end++; break;
	default: return -1;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* A string-list property: up to max strings into out[]; the count, or -1 after an error. */
static int list_prop(struct ctx *c, int node, const char *path, const char *prop,
		     const char **out, unsigned max)
{
	int len, n = 0, off = 0;
	const char *v = fdt_getprop(c->d->blob, node, prop, &len);

	if (!v)
		return 0;
	if (len < 1 || v[len - 1]) {
		err(c, path, prop, "must be strings, e.g. \"a\", \"b\"");
		return -1;
	}
	while (off < len) {
		if ((unsigned)n >= max) {
			err(c, path, prop, "more than %u entries", max);
			return -1;
		}
		out[n++] = v + off;
		off += (int)strlen(v + off) + 1;
	}
	return n;
}

static int pick(struct ctx *c, const char *path, const char *prop, const char *v,
		const char *const *names, int dflt)
{
	if (!v)
		return dflt;
	for (int i = 0; names[i]; i++)
		if (!strcmp(v, names[i]))
			return i;
	err(c, path, prop, "'%s' is not one of the allowed values (docs/system.md)", v);
	return dflt;
}

static const char *const partition_props[] = {
	"board", "kernel", "initrd", "bootargs", "memory", "disks", "nics", "console",
	"paravirt", "manager", "autostart", "watchdog-action", "cpu-weight", "cpu-max",
	"priority", "restart", "restart-limit", "standby-of", NULL
};

static bool known(const char *name, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

/* Every property of node must be in list. */
static void check_props(struct ctx *c, int node, const char *path, const char *const *list)
{
	int off;

	fdt_for_each_property_offset(off, c->d->blob, node) {
		const char *name;

		if (!fdt_getprop_by_offset(c->d->blob, off, &name, NULL))
			continue;
		if (!known(name, list))
			err(c, path, name, "unknown property");
	}
}

/* Partitions and channels are leaves: a node inside one is a mistake. */
static void check_leaf(struct ctx *c, int node, const char *path)
{
	int sub;

	fdt_for_each_subnode(sub, c->d->blob, node)
		err(c, path, fdt_get_name(c->d->blob, sub, NULL), "unknown node (this node has only properties)");
}

/* A chardev spec of a console or host endpoint: known backends, relative paths resolved. */
static const char *check_spec(struct ctx *c, const char *path, const char *prop, const char *s,
			      bool allow_log)
{
	char *r;

	if (!strcmp(s, "pty") || !strcmp(s, "null") || (allow_log && !strcmp(s, "log")))
		return s;
	if ((!strncmp(s, "unix:", 5) || !strncmp(s, "file:", 5)) && s[5]) {
		const char *p = resolve(c, s + 5);

		if (p == s + 5)
			return s;
		if (asprintf(&r, "%.5s%s", s, p) < 0 ||
		    c->d->n_owned >= sizeof(c->d->owned) / sizeof(c->d->owned[0]))
			return s;
		c->d->owned[c->d->n_owned++] = r;
		return r;
	}
	err(c, path, prop, "'%s' is not pty, unix:PATH, file:PATH, null%s", s,
	    allow_log ? " or log" : "");
	return s;
}

static void load_partition(struct ctx *c, int node, const char *name)
{
	static const char *const onoff[] = { "off", "on", NULL };
	static const char *const restarts[] = { "never", "on-failure", "always", NULL };
	static const char *const wds[] = { "reset", "stop", "notify-manager", NULL };
	struct sys_desc *d = c->d;
	struct sys_partition *p = &d->part[d->n_part++];
	char path[128];
	const char *v;
	uint32_t u;
	int n;

	snprintf(path, sizeof(path), "/partitions/%s", name);
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->channel = -1;
	p->standby_of = p->standby = -1;
	p->cpu_weight = 100;
	p->restart_limit = 3;
	check_props(c, node, path, partition_props);
	check_leaf(c, node, path);

	p->board = str_prop(c, node, path, "board");
	if (p->board && strcmp(p->board, "bamboo"))
		err(c, path, "board", "'%s' is not a board hv440 has (bamboo)", p->board);
	p->kernel = resolve(c, str_prop(c, node, path, "kernel"));
	if (!p->kernel)
		err(c, path, "kernel", "missing (every partition needs a kernel)");
	else
		need_file(c, path, "kernel", p->kernel);
	p->initrd = resolve(c, str_prop(c, node, path, "initrd"));
	if (p->initrd)
		need_file(c, path, "initrd", p->initrd);
	p->bootargs = str_prop(c, node, path, "bootargs");

	v = str_prop(c, node, path, "memory");
	snprintf(p->memory, sizeof(p->memory), "%s", v ? v : "256M");
	if (parse_mem(p->memory, &p->memory_bytes) || p->memory_bytes < RAM_MIN ||
	    p->memory_bytes > RAM_MAX || p->memory_bytes % (1u << 20))
		err(c, path, "memory", "'%s' is not 16M to 2G in whole MiB (e.g. \"128M\")", p->memory);

	n = list_prop(c, node, path, "disks", p->disks, SYS_MAX_LIST);
	p->n_disks = n > 0 ? (unsigned)n : 0;
	for (unsigned i = 0; i < p->n_disks; i++) {
		char file[PATH_MAX];
		const char *comma = strchr(p->disks[i], ',');
		const char *opts = comma ? comma : "";
		const char *f;
		char *r;

		snprintf(file, sizeof(file), "%.*s", (int)(comma ? comma - p->disks[i] : (long)strlen(p->disks[i])),
			 p->disks[i]);
		f = resolve(c, file);
		need_file(c, path, "disks", f);
		if (asprintf(&r, "%s%s", f, opts) >= 0 && d->n_owned < sizeof(d->owned) / sizeof(d->owned[0])) {
			d->owned[d->n_owned++] = r;
			p->disks[i] = r;
		}
	}
	n = list_prop(c, node, path, "nics", p->nics, SYS_MAX_LIST);
	p->n_nics = n > 0 ? (unsigned)n : 0;
	for (unsigned i = 0; i < p->n_nics; i++)
		if (strncmp(p->nics[i], "user", 4) && strncmp(p->nics[i], "tap,", 4))
			err(c, path, "nics", "'%s' is not user[,...] or tap,ifname=NAME", p->nics[i]);

	v = str_prop(c, node, path, "console");
	p->console = check_spec(c, path, "console", v ? v : "log", true);
	p->paravirt = pick(c, path, "paravirt", str_prop(c, node, path, "paravirt"), onoff, 1);
	p->autostart = pick(c, path, "autostart", str_prop(c, node, path, "autostart"), onoff, 1);
	if (fdt_getprop(d->blob, node, "manager", &n)) {
		if (n)
			err(c, path, "manager", "takes no value (write `manager;`)");
		p->manager = true;
	}
	p->watchdog = pick(c, path, "watchdog-action", str_prop(c, node, path, "watchdog-action"),
			   wds, WATCHDOG_RESET);
	if (u32_prop(c, node, path, "cpu-weight", &u)) {
		if (u < 1 || u > 10000)
			err(c, path, "cpu-weight", "%u is not 1 to 10000", u);
		else
			p->cpu_weight = u;
	}
	if (u32_prop(c, node, path, "cpu-max", &u)) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		if (u < 1 || u > 100 * (cpus > 0 ? cpus : 1))
			err(c, path, "cpu-max", "%u is not 1 to %ld (percent of one host CPU)", u,
			    100 * (cpus > 0 ? cpus : 1));
		else
			p->cpu_max = u;
	}
	if (u32_prop(c, node, path, "priority", &u)) {
		int32_t s = (int32_t)u;

		if (s < -20 || s > 19)
			err(c, path, "priority", "%d is not a nice value -20 to 19 (write <(-5)>)", s);
		else
			p->priority = s;
	}
	p->restart = pick(c, path, "restart", str_prop(c, node, path, "restart"), restarts,
			  RESTART_NEVER);
	if (u32_prop(c, node, path, "restart-limit", &u)) {
		if (u > 1000)
			err(c, path, "restart-limit", "%u is more than 1000", u);
		else
			p->restart_limit = u;
	}
	p->standby_name = str_prop(c, node, path, "standby-of");
}

static int find_part(struct sys_desc *d, const char *name)
{
	for (unsigned i = 0; i < d->n_part; i++)
		if (!strcmp(d->part[i].name, name))
			return (int)i;
	return -1;
}

static void load_channel(struct ctx *c, int node, const char *name)
{
	static const char *const props[] = { "endpoints", "host", "console-copy-of", NULL };
	struct sys_desc *d = c->d;
	struct sys_channel *ch = &d->chan[d->n_chan];
	const char *ends[3] = { NULL, NULL, NULL };
	char path[128];
	const char *copy;
	int n, idx[2] = { -1, -1 }, watched = -1;

	snprintf(path, sizeof(path), "/channels/%s", name);
	check_props(c, node, path, props);
	check_leaf(c, node, path);
	if (d->n_chan >= SYS_MAX_PARTITIONS) {
		err(c, path, NULL, "more than %d channels", SYS_MAX_PARTITIONS);
		return;
	}
	ch->name = name;
	ch->standby = ch->copy_of = -1;
	ch->host = str_prop(c, node, path, "host");
	copy = str_prop(c, node, path, "console-copy-of");
	n = list_prop(c, node, path, "endpoints", ends, 2);
	if (n < 0)
		return;
	if (n == 0) {
		err(c, path, "endpoints", "missing (one or two partition names)");
		return;
	}
	if (copy) {
		/* A monitor's read-only copy of another partition's console (docs/system.md). */
		if (n != 1 || ch->host) {
			err(c, path, "console-copy-of", "a console copy has one endpoint (the monitor) "
			    "and no host");
			return;
		}
		watched = find_part(d, copy);
		if (watched < 0) {
			err(c, path, "console-copy-of", "no partition named '%s'", copy);
			return;
		}
		if (!strcmp(d->part[watched].console, "pty")) {
			err(c, path, "console-copy-of", "the console of '%s' is a pty, which cannot be "
			    "copied (log, unix:PATH, file:PATH or null)", copy);
			return;
		}
	} else if ((n == 2) == !!ch->host) {
		err(c, path, ch->host ? "host" : "endpoints",
		    "a channel joins two partitions, or one partition and a host endpoint");
		return;
	}
	if (ch->host)
		ch->host = check_spec(c, path, "host", ch->host, false);
	for (int i = 0; i < n; i++) {
		struct sys_partition *p;

		idx[i] = find_part(d, ends[i]);
		if (idx[i] < 0) {
			err(c, path, "endpoints", "no partition named '%s'", ends[i]);
			return;
		}
		p = &d->part[idx[i]];
		if (p->channel >= 0) {
			err(c, path, "endpoints", "partition '%s' already has a byte channel (%s); "
			    "hv440 gives a partition one", p->name, d->chan[p->channel].name);
			return;
		}
		if (!p->paravirt) {
			err(c, path, "endpoints", "partition '%s' has paravirt = \"off\": no byte channels",
			    p->name);
			return;
		}
	}
	if (n == 2 && idx[0] == idx[1]) {
		err(c, path, "endpoints", "both ends are '%s'", ends[0]);
		return;
	}
	if (watched >= 0 && watched == idx[0]) {
		err(c, path, "console-copy-of", "'%s' would watch its own console", copy);
		return;
	}
	if (watched >= 0) {
		ch->copy_of = watched;
		d->part[watched].console_copied = true;
	}
	ch->a = idx[0];
	ch->b = n == 2 ? idx[1] : -1;
	d->part[idx[0]].channel = (int)d->n_chan;
	if (n == 2)
		d->part[idx[1]].channel = (int)d->n_chan;
	d->n_chan++;
}

/*
 * standby-of (docs/system.md, "Hot standby"): one standby per primary, no
 * chains; the standby takes over the primary's host endpoint, which the
 * supervisor then serves itself, so only a unix: one can move.
 */
static void link_standbys(struct ctx *c)
{
	struct sys_desc *d = c->d;

	for (unsigned i = 0; i < d->n_part; i++) {
		struct sys_partition *s = &d->part[i], *p;
		struct sys_channel *ch;
		char path[128];
		int k;

		if (!s->standby_name)
			continue;
		snprintf(path, sizeof(path), "/partitions/%s", s->name);
		k = find_part(d, s->standby_name);
		if (k < 0) {
			err(c, path, "standby-of", "no partition named '%s'", s->standby_name);
			continue;
		}
		if (k == (int)i) {
			err(c, path, "standby-of", "a partition cannot stand by for itself");
			continue;
		}
		p = &d->part[k];
		if (p->standby_name) {
			err(c, path, "standby-of", "'%s' is a standby itself (no chains)", p->name);
			continue;
		}
		if (p->standby >= 0) {
			err(c, path, "standby-of", "'%s' has a standby already ('%s')", p->name,
			    d->part[p->standby].name);
			continue;
		}
		if (p->channel >= 0) {
			ch = &d->chan[p->channel];
			if (ch->b >= 0 || !ch->host || strncmp(ch->host, "unix:", 5)) {
				err(c, path, "standby-of", "'%s' has channel %s: a standby takes over only "
				    "a host endpoint unix:PATH", p->name, ch->name);
				continue;
			}
			if (s->channel >= 0) {
				err(c, path, "standby-of", "it has a byte channel (%s) and would take "
				    "over %s of '%s' (hv440 gives a partition one)",
				    d->chan[s->channel].name, ch->name, p->name);
				continue;
			}
			if (!s->paravirt) {
				err(c, path, "standby-of", "it has paravirt = \"off\": it cannot take over "
				    "byte channel %s", ch->name);
				continue;
			}
			ch->standby = (int)i;
			s->channel = p->channel;
		}
		p->standby = (int)i;
		s->standby_of = k;
	}
}

int sys_desc_load(struct sys_desc *d, const char *file)
{
	static const char *const root_props[] = { "compatible", "model", "#address-cells",
						  "#size-cells", NULL };
	struct ctx c = { .d = d, .file = file };
	const char *manager = NULL;
	unsigned n_notify = 0;
	uint64_t total = 0;
	struct sysinfo si;
	char *slash;
	int node, parts, chans;

	memset(d, 0, sizeof(*d));
	d->blob = compile(file);
	if (!d->blob)
		return 1;
	d->dir = realpath(file, NULL);
	if (d->dir && (slash = strrchr(d->dir, '/')))
		slash[slash == d->dir ? 1 : 0] = '\0';
	if (!d->dir)
		d->dir = strdup(".");

	check_props(&c, 0, "/", root_props);
	fdt_for_each_subnode(node, d->blob, 0) {
		const char *n = fdt_get_name(d->blob, node, NULL);

		if (strcmp(n, "partitions") && strcmp(n, "channels"))
			err(&c, "/", n, "unknown node (the root holds partitions and channels)");
	}
	parts = fdt_subnode_offset(d->blob, 0, "partitions");
	if (parts < 0) {
		err(&c, "/", "partitions", "missing node (a system needs at least one partition)");
		return c.errors;
	}
	check_props(&c, parts, "/partitions", (const char *const[]){ NULL });
	fdt_for_each_subnode(node, d->blob, parts) {
		const char *n = fdt_get_name(d->blob, node, NULL);

		if (d->n_part >= SYS_MAX_PARTITIONS) {
			err(&c, "/partitions", n, "more than %d partitions", SYS_MAX_PARTITIONS);
			break;
		}
		if (strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
		    strlen(n) || strlen(n) > 32) {
			err(&c, "/partitions", n, "a partition name is up to 32 letters, digits, - and _");
			continue;
		}
		load_partition(&c, node, n);
	}
	if (!d->n_part)
		err(&c, "/partitions", NULL, "no partitions");
	for (unsigned i = 0; i < d->n_part; i++) {
		total += d->part[i].memory_bytes;
		if (!d->part[i].manager)
			continue;
		if (manager) {
			char path[128];

			snprintf(path, sizeof(path), "/partitions/%s", d->part[i].name);
			err(&c, path, "manager", "a second manager ('%s' is one already)", manager);
		}
		manager = d->part[i].name;
	}
	/* watchdog-action = "notify-manager" needs someone to notify (docs/system.md). */
	for (unsigned i = 0; i < d->n_part; i++) {
		char path[128];

		if (d->part[i].watchdog != WATCHDOG_NOTIFY)
			continue;
		n_notify++;
		snprintf(path, sizeof(path), "/partitions/%s", d->part[i].name);
		if (!manager)
			err(&c, path, "watchdog-action", "notify-manager in a system with no manager");
		else if (d->part[i].manager)
			err(&c, path, "watchdog-action", "notify-manager on the manager itself");
	}
	/* Each managed partition's doorbells take one of the manager's free UIC inputs (hw/hvmgr.h). */
	if (manager && d->n_part - 1 + n_notify > SYS_MAX_DOORBELLS)
		err(&c, "/partitions", NULL, "%u doorbells for the manager (one per partition, one more "
		    "per notify-manager watchdog), at most %u", d->n_part - 1 + n_notify,
		    SYS_MAX_DOORBELLS);
	if (sysinfo(&si) == 0 && total > (uint64_t)si.totalram * si.mem_unit)
		err(&c, "/partitions", "memory", "the partitions need %llu MiB, the host has %llu MiB",
		    (unsigned long long)(total >> 20),
		    (unsigned long long)(((uint64_t)si.totalram * si.mem_unit) >> 20));

	chans = fdt_subnode_offset(d->blob, 0, "channels");
	if (chans >= 0) {
		check_props(&c, chans, "/channels", (const char *const[]){ NULL });
		fdt_for_each_subnode(node, d->blob, chans)
			load_channel(&c, node, fdt_get_name(d->blob, node, NULL));
	}
	link_standbys(&c);
	return c.errors;
}

void sys_desc_free(struct sys_desc *d)
{
	for (unsigned i = 0; i < d->n_owned; i++)
		free(d->owned[i]);
	free(d->blob);
	free(d->dir);
	memset(d, 0, sizeof(*d));
}
