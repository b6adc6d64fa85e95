/* SPDX-License-Identifier: MIT */
/* qemu_cli.c - QEMU 7.2's qemu-system-ppc -M bamboo command line, translated to hv440's options. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "board/board.h"
#include "host/optstr.h"
#include "qemu_cli.h"

/*
 * The translation writes hv440's own options (--kernel, --disk, --net,
 * ...), so a QEMU command line fills the same board configuration through
 * the same parser as a native one: there is one way to run a guest. What
 * the translation cannot express in hv440's options it refuses with one
 * line that names the QEMU option and what hv440 offers instead
 * (docs/qemu.md is the table).
 */

#define MAX_ITEMS 16

struct item_list {
	char *v[MAX_ITEMS];
	unsigned n;
};

struct named {               /* -drive if=none,id=, -netdev id=, -chardev id= */
	char *id;
	char *spec;              /* the hv440 spec it stands for */
	bool used;
};

struct qcli {
	const struct option *native;
	char **out;
	int n_out, cap_out;
	const char *opt;         /* the QEMU option being read, for error lines */

	struct named drive[16], netdev[8], chardev[16];
	unsigned n_drive, n_netdev, n_chardev;
	char *disk[16];          /* --disk specs, emitted at the end (-snapshot applies to all) */
	unsigned n_disk;
	/* QEMU's legacy -net hub 0: NICs and backends pair up at the end. */
	unsigned hub_nics, hub_backends;
	char *hub_mac, *hub_backend;
	unsigned n_serial;
	bool snapshot, nographic, display_none, nodefaults, daemonize, rng, vserial;
	char *console;           /* virtconsole's chardev spec */
};

/* All strings made here live until exit; one list frees them (leak checkers stay quiet). */
static char **owned;
static size_t n_owned, cap_owned;
static char **out_array;     /* the translated argv itself */

static void free_owned(void)
{
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	free(owned);
	free(out_array);
	owned = out_array = NULL;
	n_owned = cap_owned = 0;
}

static char *keep(char *s)
{
	if (!s) {
		fprintf(stderr, "hv440: out of memory\n");
		exit(1);
	}
	if (n_owned == cap_owned) {
		char **n = realloc(owned, (cap_owned ? cap_owned * 2 : 64) * sizeof(*owned));

		if (!n) {
			fprintf(stderr, "hv440: out of memory\n");
			exit(1);
		}
		owned = n;
		cap_owned = cap_owned ? cap_owned * 2 : 64;
	}
	owned[n_owned++] = s;
	return s;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, f);
	r = vasprintf(&s, f, ap);
	va_end(ap);
	return keep(r < 0 ? NULL : s);
}

/* A value with its commas doubled, to sit inside an hv440 spec. */
static char *escaped(const char *s)
{
	size_t n = strlen(s) * 2 + 1;
	char *e = keep(malloc(n));

	optstr_escape(e, n, s);
	return e;
}

static void push(struct qcli *q, const char *s)
{
	if (q->n_out + 2 > q->cap_out) {
		int cap = q->cap_out ? q->cap_out * 2 : 32;
		char **n = realloc(q->out, (size_t)cap * sizeof(*n));

		if (!n) {
			fprintf(stderr, "hv440: out of memory\n");
			exit(1);
		}
		q->out = out_array = n;
		q->cap_out = cap;
	}
	q->out[q->n_out++] = (char *)s;
	q->out[q->n_out] = NULL;
}

static void push2(struct qcli *q, const char *opt, const char *val)
{
	push(q, opt);
	push(q, val);
}

static int fail(struct qcli *q, const char *f, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct qcli *q, const char *f, ...)
{
	va_list ap;

	fprintf(stderr, "hv440: %s: ", q->opt);
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Split a QEMU option value into items (",," is a comma inside one). */
static int split(struct qcli *q, const char *val, struct item_list *l)
{
	char *rest = keep(strdup(val)), *it;

	l->n = 0;
	while ((it = optstr_next(&rest))) {
		if (l->n == MAX_ITEMS)
			return fail(q, "too many comma-separated items in '%s'", val);
		l->v[l->n++] = it;
	}
	return 0;
}

/* key=value: the value when item is "key=...", else NULL. */
static const char *kv(const char *item, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(item, key, n) && item[n] == '=' ? item + n + 1 : NULL;
}

static bool on_off(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
		*out = false;
		return true;
	}
	return false;
}

static struct named *find(struct named *list, unsigned n, const char *id)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(list[i].id, id))
			return &list[i];
	return NULL;
}

static int add_named(struct qcli *q, struct named *list, unsigned *n, unsigned max,
		     const char *id, char *spec)
{
	if (!id || !*id)
		return fail(q, "needs id=NAME");
	if (find(list, *n, id))
		return fail(q, "duplicate id '%s'", id);
	if (*n == max)
		return fail(q, "at most %u of these", max);
	list[*n].id = keep(strdup(id));
	list[*n].spec = spec;
	list[*n].used = false;
	(*n)++;
	return 0;
}

/* ---- character devices: -serial's legacy syntax and -chardev ---- */

/* A unix: or tcp: socket in QEMU's legacy syntax: QEMU connects unless "server" is given. */
static int socket_spec(struct qcli *q, const char *kind, const char *rest, char **out)
{
	struct item_list l;
	bool server = false, wait = true, b;
	unsigned i;

	if (split(q, rest, &l))
		return -1;
	if (!l.n || !*l.v[0])
		return fail(q, "%s: needs an address", kind);
	for (i = 1; i < l.n; i++) {
		const char *it = l.v[i], *v;

		if (!strcmp(it, "server"))
			server = true;
		else if (!strcmp(it, "nowait"))
			wait = false;
		else if (!strcmp(it, "wait"))
			wait = true;
		else if ((v = kv(it, "server")) && on_off(v, &b))
			server = b;
		else if ((v = kv(it, "wait")) && on_off(v, &b))
			wait = b;
		else if (!strcmp(it, "nodelay") || ((v = kv(it, "nodelay")) && on_off(v, &b)))
			;  /* hv440 writes each byte out at once anyway */
		else
			return fail(q, "%s socket option '%s' is not supported (server, wait=on|off, "
				    "nowait)", kind, it);
	}
	*out = fmt("%s:%s,server=%s%s", kind, escaped(l.v[0]), server ? "on" : "off",
		   server ? (wait ? ",wait=on" : ",wait=off") : "");
	return 0;
}

/* A -serial (or -qmp) backend in QEMU's legacy syntax, as an hv440 chardev spec. */
static int legacy_chardev(struct qcli *q, const char *val, char **out)
{
	struct named *c;

	/* mon: puts QEMU's monitor on the same backend; hv440's Ctrl-A keys stand in for it. */
	if (!strncmp(val, "mon:", 4))
		val += 4;
	if (!strcmp(val, "stdio") || !strcmp(val, "null") || !strcmp(val, "pty")) {
		*out = (char *)val;
	} else if (!strcmp(val, "none")) {
		*out = "null";
	} else if (!strncmp(val, "file:", 5) && val[5]) {
		*out = (char *)val;
	} else if (!strncmp(val, "unix:", 5)) {
		return socket_spec(q, "unix", val + 5, out);
	} else if (!strncmp(val, "tcp:", 4)) {
		return socket_spec(q, "tcp", val + 4, out);
	} else if (!strncmp(val, "chardev:", 8)) {
		c = find(q->chardev, q->n_chardev, val + 8);
		if (!c)
			return fail(q, "no -chardev with id '%s'", val + 8);
		if (c->used)
			return fail(q, "chardev '%s' is used twice (hv440 does not multiplex)", c->id);
		c->used = true;
		*out = c->spec;
	} else if (!strcmp(val, "vc") || !strncmp(val, "vc:", 3)) {
		return fail(q, "hv440 has no graphical console (use stdio, pty, file:F, unix:P, "
			    "tcp:H:P or null)");
	} else {
		return fail(q, "backend '%s' is not supported (use stdio, mon:stdio, pty, null, "
			    "file:F, unix:P[,server,nowait], tcp:H:P[,server,nowait] or chardev:ID)",
			    val);
	}
	return 0;
}

static int opt_chardev(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *id = NULL, *path = NULL, *host = NULL, *port = NULL, *v;
	bool server = false, wait = true, b;
	char *spec;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	if (!l.n || strchr(l.v[0], '='))
		return fail(q, "needs a backend first (stdio, null, pty, file, socket)");
	for (i = 1; i < l.n; i++) {
		const char *it = l.v[i];

		if ((v = kv(it, "id")))
			id = v;
		else if ((v = kv(it, "path")))
			path = v;
		else if ((v = kv(it, "host")))
			host = v;
		else if ((v = kv(it, "port")))
			port = v;
		else if (!strcmp(it, "server") || ((v = kv(it, "server")) && on_off(v, &b) && b))
			server = true;
		else if ((v = kv(it, "server")) && on_off(v, &b))
			server = false;
		else if (!strcmp(it, "nowait") || ((v = kv(it, "wait")) && on_off(v, &b) && !b))
			wait = false;
		else if (!strcmp(it, "wait") || ((v = kv(it, "wait")) && on_off(v, &b)))
			wait = true;
		else if ((v = kv(it, "signal")) && on_off(v, &b))
			;  /* hv440's stdio never turns Ctrl-C into a signal: Ctrl-A x quits */
		else if (!strcmp(it, "nodelay") || ((v = kv(it, "nodelay")) && on_off(v, &b)))
			;
		else if (!strcmp(it, "append") || ((v = kv(it, "append")) && on_off(v, &b) && b))
			;  /* hv440's file backend always appends */
		else
			return fail(q, "option '%s' is not supported (id=, path=, host=, port=, "
				    "server=on|off, wait=on|off, signal=)", it);
	}
	if (!strcmp(l.v[0], "stdio") || !strcmp(l.v[0], "null") || !strcmp(l.v[0], "pty")) {
		spec = l.v[0];
	} else if (!strcmp(l.v[0], "file")) {
		if (!path)
			return fail(q, "file needs path=FILE");
		spec = fmt("file:%s", path);
	} else if (!strcmp(l.v[0], "socket")) {
		if (path && !host && !port)
			spec = fmt("unix:%s", escaped(path));
		else if (!path && port)
			spec = fmt("tcp:%s:%s", host ? host : "", port);
		else
			return fail(q, "socket needs path=P, or host=H,port=N");
		spec = fmt("%s,server=%s%s", spec, server ? "on" : "off",
			   server ? (wait ? ",wait=on" : ",wait=off") : "");
	} else {
		return fail(q, "backend '%s' is not supported (stdio, null, pty, file, socket)",
			    l.v[0]);
	}
	return add_named(q, q->chardev, &q->n_chardev, 16, id, spec);
}

static int opt_serial(struct qcli *q, const char *val)
{
	char *spec;

	if (q->n_serial == 2)
		return fail(q, "the bamboo board has two UARTs: at most two -serial");
	if (legacy_chardev(q, val, &spec))
		return -1;
	push2(q, q->n_serial ? "--serial1" : "--serial", spec);
	q->n_serial++;
	return 0;
}

/* QMP is served by hv440's --qmp (its spec is an hv440 chardev spec, as --serial's). */
static int opt_qmp(struct qcli *q, const char *val)
{
	char *spec;

	if (legacy_chardev(q, val, &spec))
		return -1;
	push2(q, "--qmp", spec);
	return 0;
}

static int opt_mon(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *chr = NULL, *v;
	bool control = false, b;
	struct named *c;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	for (i = 0; i < l.n; i++) {
		if ((v = kv(l.v[i], "chardev")) || (i == 0 && !strchr(l.v[i], '=') && (v = l.v[i])))
			chr = v;
		else if ((v = kv(l.v[i], "mode")))
			control = !strcmp(v, "control");
		else if ((v = kv(l.v[i], "pretty")) && on_off(v, &b))
			;
		else
			return fail(q, "option '%s' is not supported (chardev=ID,mode=control)", l.v[i]);
	}
	if (!control)
		return fail(q, "hv440 has no human monitor (HMP); mode=control (QMP) is served");
	c = chr ? find(q->chardev, q->n_chardev, chr) : NULL;
	if (!c)
		return fail(q, "needs chardev=ID of a -chardev");
	c->used = true;
	push2(q, "--qmp", c->spec);
	return 0;
}

static int opt_monitor(struct qcli *q, const char *val)
{
	if (!strcmp(val, "none"))
		return 0;
	return fail(q, "hv440 has no human monitor: use -monitor none (Ctrl-A x quits; -qmp "
		    "serves QMP)");
}

/* ---- machine, memory, CPU ---- */

static int opt_machine(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *v;
	bool b;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	for (i = 0; i < l.n; i++) {
		const char *it = l.v[i], *type = NULL;

		if (i == 0 && !strchr(it, '='))
			type = it;
		else
			type = kv(it, "type");
		if (type) {
			if (!strcmp(type, "help") || !strcmp(type, "?")) {
				printf("Supported machines are:\n");
				machine_list(stdout, "");
				return 1;
			}
			if (!machine_find(type))
				return fail(q, "hv440 models the boards bamboo and sam460ex, not '%s'",
					    type);
			push2(q, "--machine", type);
		} else if ((v = kv(it, "accel"))) {
			if (strcmp(v, "tcg"))
				return fail(q, "accel=%s: hv440 runs the guest with its own JIT "
					    "(accel=tcg is accepted as the same)", v);
		} else if ((v = kv(it, "dumpdtb"))) {
			push2(q, "--dump-dtb", v);
		} else if ((v = kv(it, "dtb"))) {
			push2(q, "--dtb", v);
		} else if ((v = kv(it, "kernel"))) {
			push2(q, "--kernel", v);
		} else if ((v = kv(it, "initrd"))) {
			push2(q, "--initrd", v);
		} else if ((v = kv(it, "append"))) {
			push2(q, "--append", v);
		} else if ((v = kv(it, "usb")) && on_off(v, &b)) {
			if (b)
				return fail(q, "usb=on: hv440 models no USB controller");
		} else if (((v = kv(it, "graphics")) || (v = kv(it, "dump-guest-core")) ||
			    (v = kv(it, "mem-merge"))) && on_off(v, &b)) {
			;  /* host-side only: nothing the guest sees */
		} else {
			return fail(q, "machine option '%s' is not supported (accel=tcg, dumpdtb=F, "
				    "dtb=F, usb=off, graphics=on|off)", it);
		}
	}
	return 0;
}

/* QEMU's -m: SIZE or size=SIZE; slots/maxmem are memory hotplug, which bamboo has not. */
static int opt_m(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *size = NULL, *v;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	for (i = 0; i < l.n; i++) {
		if (i == 0 && !strchr(l.v[i], '='))
			size = l.v[i];
		else if ((v = kv(l.v[i], "size")))
			size = v;
		else
			return fail(q, "'%s' is not supported: the bamboo board has no memory hotplug "
				    "(use -m SIZE)", l.v[i]);
	}
	if (!size)
		return fail(q, "needs a size (e.g. -m 128m)");
	push2(q, "--memory", size);
	return 0;
}

static int opt_cpu(struct qcli *q, const char *val)
{
	static const char *const names[] = { "440epb", "440ep", "440epa", "440epx" };
	char *name = keep(strdup(val)), *comma = strchr(name, ',');

	if (comma)
		return fail(q, "CPU properties ('%s') are not supported", comma + 1);
	if (!strcmp(name, "help") || !strcmp(name, "?")) {
		printf("hv440 models the PowerPC 440x5 core of the 440EP:\n"
		       "PowerPC 440epb           PVR 422218d3 (the default)\n"
		       "PowerPC 440ep            (alias for 440epb)\n"
		       "PowerPC 440epa           PVR 42221850\n"
		       "PowerPC 440epx           PVR 200008d0\n");
		return 1;
	}
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i])) {
			push2(q, "--cpu", names[i]);
			return 0;
		}
	return fail(q, "hv440 models the 440EP's 440x5 core only: 440epb (default), 440ep, "
		    "440epa or 440epx, not '%s'", name);
}

static int opt_smp(struct qcli *q, const char *val)
{
	struct item_list l;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	for (i = 0; i < l.n; i++) {
		const char *eq = strchr(l.v[i], '='), *n = eq ? eq + 1 : l.v[i];

		if (eq && strncmp(l.v[i], "cpus=", 5) && strncmp(l.v[i], "maxcpus=", 8) &&
		    strncmp(l.v[i], "sockets=", 8) && strncmp(l.v[i], "cores=", 6) &&
		    strncmp(l.v[i], "threads=", 8) && strncmp(l.v[i], "dies=", 5) &&
		    strncmp(l.v[i], "clusters=", 9))
			return fail(q, "'%s' is not an -smp option", l.v[i]);
		if (strcmp(n, "1"))
			return fail(q, "the bamboo board has one 440 core: only -smp 1 ('%s' asks "
				    "for more)", l.v[i]);
	}
	return 0;
}

static int opt_accel(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *v;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	for (i = 0; i < l.n; i++) {
		const char *a = i == 0 && !strchr(l.v[i], '=') ? l.v[i] : kv(l.v[i], "accel");

		if (a) {
			if (strcmp(a, "tcg"))
				return fail(q, "'%s': hv440 runs the guest with its own JIT; only "
					    "-accel tcg is accepted (as the same)", a);
		} else if (!(v = kv(l.v[i], "thread")) && !(v = kv(l.v[i], "tb-size")) &&
			   !(v = kv(l.v[i], "split-wx"))) {
			return fail(q, "option '%s' is not supported (tcg[,thread=,tb-size=])",
				    l.v[i]);
		}
	}
	return 0;
}

/* ---- disks ---- */

static int opt_drive(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *file = NULL, *format = NULL, *iface = "ide", *id = NULL, *cache = NULL, *v;
	bool readonly = false, snapshot = false, b;
	char *spec;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	for (i = 0; i < l.n; i++) {
		const char *it = l.v[i];

		if ((v = kv(it, "file")))
			file = v;
		else if ((v = kv(it, "format")))
			format = v;
		else if ((v = kv(it, "if")))
			iface = v;
		else if ((v = kv(it, "id")))
			id = v;
		else if ((v = kv(it, "cache")))
			cache = v;
		else if (((v = kv(it, "readonly")) || (v = kv(it, "read-only"))) && on_off(v, &b))
			readonly = b;
		else if ((v = kv(it, "snapshot")) && on_off(v, &b))
			snapshot = b;
		else if ((v = kv(it, "media"))) {
			if (strcmp(v, "disk"))
				return fail(q, "media=%s: hv440's virtio disks are disks only", v);
		} else if ((v = kv(it, "aio")) || (v = kv(it, "detect-zeroes")) ||
			   ((v = kv(it, "discard")) && !strcmp(v, "ignore")) ||
			   (v = kv(it, "file.locking"))) {
			;  /* host-side I/O choices; the guest sees the same disk */
		} else {
			return fail(q, "option '%s' is not supported (file=, format=raw, if=virtio|none, "
				    "id=, readonly=on, cache=, snapshot=on, media=disk)", it);
		}
	}
	if (!file || !*file)
		return fail(q, "needs file=IMAGE");
	if (format && strcmp(format, "raw"))
		return fail(q, "format=%s: hv440 reads raw images only (qemu-img convert -O raw "
			    "makes one)", format);
	spec = escaped(file);
	if (format)
		spec = fmt("%s,format=raw", spec);
	if (readonly)
		spec = fmt("%s,readonly=on", spec);
	if (snapshot)
		spec = fmt("%s,snapshot=on", spec);
	if (cache) {
		/* cache=none and directsync bypass the host page cache; the guest sees the same. */
		if (!strcmp(cache, "none"))
			cache = "writeback";
		else if (!strcmp(cache, "directsync"))
			cache = "writethrough";
		if (strcmp(cache, "writeback") && strcmp(cache, "writethrough") &&
		    strcmp(cache, "unsafe"))
			return fail(q, "cache=%s is not a cache mode (writeback, writethrough, "
				    "unsafe, none, directsync)", cache);
		spec = fmt("%s,cache=%s", spec, cache);
	}
	if (!strcmp(iface, "virtio")) {
		if (q->n_disk == 16)
			return fail(q, "too many disks");
		q->disk[q->n_disk++] = spec;
		return id ? add_named(q, q->drive, &q->n_drive, 16, id, NULL) : 0;
	}
	if (!strcmp(iface, "none"))
		return add_named(q, q->drive, &q->n_drive, 16, id, spec);
	return fail(q, "if=%s%s: the bamboo board has only virtio disks here (if=virtio, or "
		    "if=none with -device virtio-blk-pci,drive=ID)", iface,
		    strcmp(iface, "ide") || strstr(val, "if=") ? "" : " (QEMU's default)");
}

/* ---- network ---- */

/* user/tap options, QEMU's names, as an hv440 --net spec (without mac). */
static int net_backend(struct qcli *q, struct item_list *l, unsigned first, char **out,
		       const char **id)
{
	const char *type = l->v[0], *v;
	char *spec = (char *)type;
	bool b;
	unsigned i;

	*id = NULL;
	for (i = first; i < l->n; i++) {
		const char *it = l->v[i];

		if ((v = kv(it, "id")) || (v = kv(it, "name"))) {
			*id = v;
		} else if (!strcmp(type, "user") && (v = kv(it, "hostfwd"))) {
			spec = fmt("%s,hostfwd=%s", spec, v);
		} else if (!strcmp(type, "user") && (v = kv(it, "restrict")) && on_off(v, &b)) {
			spec = fmt("%s,restrict=%s", spec, b ? "on" : "off");
		} else if (!strcmp(type, "user") && (v = kv(it, "host-loopback")) && on_off(v, &b)) {
			/* hv440's own: QEMU always lets 10.0.2.2 reach the host's loopback (docs/qemu.md) */
			spec = fmt("%s,host-loopback=%s", spec, b ? "on" : "off");
		} else if (!strcmp(type, "tap") && (v = kv(it, "ifname"))) {
			spec = fmt("%s,ifname=%s", spec, v);
		} else if (!strcmp(type, "tap") && (((v = kv(it, "script")) ||
			   (v = kv(it, "downscript"))) && !strcmp(v, "no"))) {
			;
		} else if (!strcmp(type, "tap") && (v = kv(it, "vhost")) && on_off(v, &b) && !b) {
			;
		} else if (!strcmp(type, "user")) {
			return fail(q, "user option '%s' is not supported (hostfwd=, restrict=on|off, "
				    "host-loopback=on|off; the network is QEMU's default 10.0.2.0/24)", it);
		} else {
			return fail(q, "tap option '%s' is not supported (ifname=NAME of an existing "
				    "TAP, script=no, downscript=no)", it);
		}
	}
	if (!strcmp(type, "tap") && !strstr(spec, "ifname="))
		return fail(q, "tap needs ifname=NAME (hv440 attaches to an existing TAP and runs "
			    "no scripts)");
	*out = spec;
	return 0;
}

static int nic_model(struct qcli *q, const char *model)
{
	if (!model || !strcmp(model, "virtio-net-pci") || !strcmp(model, "virtio") ||
	    !strcmp(model, "virtio-net"))
		return 0;
	return fail(q, "model=%s: hv440's NIC is virtio-net-pci (model=virtio-net-pci)", model);
}

static bool is_backend(const char *t)
{
	return !strcmp(t, "user") || !strcmp(t, "tap");
}

static int bad_backend(struct qcli *q, const char *t)
{
	return fail(q, "'%s' networking is not supported (user or tap)", t);
}

static int opt_net(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *model = NULL, *mac = NULL, *netdev = NULL, *id, *v;
	char *spec;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	if (!l.n)
		return fail(q, "needs nic, user or tap");
	if (!strcmp(l.v[0], "none"))
		return 0;
	if (is_backend(l.v[0])) {
		if (net_backend(q, &l, 1, &spec, &id))
			return -1;
		q->hub_backends++;
		q->hub_backend = spec;
		return 0;
	}
	if (strcmp(l.v[0], "nic"))
		return bad_backend(q, l.v[0]);
	for (i = 1; i < l.n; i++) {
		if ((v = kv(l.v[i], "model")))
			model = v;
		else if ((v = kv(l.v[i], "macaddr")))
			mac = v;
		else if ((v = kv(l.v[i], "netdev")))
			netdev = v;
		else if (!kv(l.v[i], "id") && !kv(l.v[i], "name"))
			return fail(q, "nic option '%s' is not supported (model=virtio-net-pci, "
				    "macaddr=M, netdev=ID)", l.v[i]);
	}
	if (!strcmp(model ? model : "", "help") || !strcmp(model ? model : "", "?")) {
		printf("Supported NIC models:\nvirtio-net-pci\n");
		return 1;
	}
	if (nic_model(q, model))
		return -1;
	if (netdev) {
		struct named *n = find(q->netdev, q->n_netdev, netdev);

		if (!n)
			return fail(q, "no -netdev with id '%s'", netdev);
		n->used = true;
		push2(q, "--net", mac ? fmt("%s,mac=%s", n->spec, mac) : n->spec);
		return 0;
	}
	q->hub_nics++;
	q->hub_mac = mac ? keep(strdup(mac)) : NULL;
	return 0;
}

static int opt_netdev(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *id;
	char *spec;

	if (split(q, val, &l))
		return -1;
	if (!l.n || !is_backend(l.v[0]))
		return bad_backend(q, l.n ? l.v[0] : "");
	if (net_backend(q, &l, 1, &spec, &id))
		return -1;
	return add_named(q, q->netdev, &q->n_netdev, 8, id, spec);
}

/* -nic TYPE[,model=][,mac=][,TYPE options]: a NIC and its backend in one. */
static int opt_nic(struct qcli *q, const char *val)
{
	struct item_list l, rest;
	const char *model = NULL, *mac = NULL, *id, *v;
	char *spec;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	if (!l.n || !strcmp(l.v[0], "none"))
		return 0;
	if (!is_backend(l.v[0]))
		return bad_backend(q, l.v[0]);
	rest.n = 0;
	for (i = 0; i < l.n; i++) {
		if ((v = kv(l.v[i], "model")))
			model = v;
		else if ((v = kv(l.v[i], "mac")))
			mac = v;
		else
			rest.v[rest.n++] = l.v[i];
	}
	if (nic_model(q, model) || net_backend(q, &rest, 1, &spec, &id))
		return -1;
	push2(q, "--net", mac ? fmt("%s,mac=%s", spec, mac) : spec);
	return 0;
}

/* ---- -device ---- */

static const char devices_offered[] =
	"virtio-net-pci, virtio-blk-pci, virtio-rng-pci, virtio-serial-pci with one virtconsole";

static int opt_device(struct qcli *q, const char *val)
{
	struct item_list l;
	const char *drv, *netdev = NULL, *drive = NULL, *mac = NULL, *chr = NULL, *v;
	unsigned i;

	if (split(q, val, &l))
		return -1;
	drv = l.n ? l.v[0] : "";
	if (!strcmp(drv, "help") || !strcmp(drv, "?")) {
		printf("Devices hv440 models: %s\n", devices_offered);
		return 1;
	}
	for (i = 1; i < l.n; i++) {
		const char *it = l.v[i];

		if ((v = kv(it, "netdev")))
			netdev = v;
		else if ((v = kv(it, "drive")))
			drive = v;
		else if ((v = kv(it, "mac")))
			mac = v;
		else if ((v = kv(it, "chardev")))
			chr = v;
		else if (kv(it, "id") || kv(it, "romfile") || kv(it, "rng") || kv(it, "name"))
			;  /* names; bamboo firmware runs no option ROM */
		else
			return fail(q, "%s: property '%s' is not supported", drv, it);
	}
	if (!strcmp(drv, "virtio-net-pci") || !strcmp(drv, "virtio-net")) {
		struct named *n = netdev ? find(q->netdev, q->n_netdev, netdev) : NULL;

		if (!n)
			return fail(q, "%s needs netdev=ID of a -netdev (user or tap)", drv);
		if (n->used)
			return fail(q, "netdev '%s' is used twice", netdev);
		n->used = true;
		push2(q, "--net", mac ? fmt("%s,mac=%s", n->spec, mac) : n->spec);
	} else if (!strcmp(drv, "virtio-blk-pci") || !strcmp(drv, "virtio-blk")) {
		struct named *d = drive ? find(q->drive, q->n_drive, drive) : NULL;

		if (!d || !d->spec)
			return fail(q, "%s needs drive=ID of a -drive if=none", drv);
		if (d->used)
			return fail(q, "drive '%s' is used twice", drive);
		if (q->n_disk == 16)
			return fail(q, "too many disks");
		d->used = true;
		q->disk[q->n_disk++] = d->spec;
	} else if (!strcmp(drv, "virtio-rng-pci") || !strcmp(drv, "virtio-rng")) {
		if (q->rng)
			return fail(q, "hv440 has one virtio-rng device");
		q->rng = true;
		push(q, "--rng");
	} else if (!strcmp(drv, "virtio-serial-pci") || !strcmp(drv, "virtio-serial")) {
		if (q->vserial)
			return fail(q, "hv440 has one virtio-serial device");
		q->vserial = true;
	} else if (!strcmp(drv, "virtconsole")) {
		struct named *c = chr ? find(q->chardev, q->n_chardev, chr) : NULL;

		if (!c)
			return fail(q, "virtconsole needs chardev=ID of a -chardev");
		if (q->console)
			return fail(q, "hv440's virtio-serial has one port: one virtconsole");
		if (c->used)
			return fail(q, "chardev '%s' is used twice (hv440 does not multiplex)", chr);
		c->used = true;
		q->console = c->spec;
	} else {
		return fail(q, "'%s' is not modelled by hv440 (it has %s)", drv, devices_offered);
	}
	return 0;
}

/* -object: only the entropy sources a virtio-rng-pci may name (hv440 uses getrandom()). */
static int opt_object(struct qcli *q, const char *val)
{
	if (!strncmp(val, "rng-random,", 11) || !strncmp(val, "rng-builtin,", 12))
		return 0;
	return fail(q, "'%s' is not supported (only rng-random and rng-builtin, for virtio-rng-pci)",
		    val);
}

/* ---- display ---- */

static int opt_display(struct qcli *q, const char *val)
{
	if (strcmp(val, "none") && strncmp(val, "none,", 5))
		return fail(q, "hv440 has no display: use -display none or -nographic");
	q->display_none = true;
	return 0;
}

static int opt_vga(struct qcli *q, const char *val)
{
	if (strcmp(val, "none"))
		return fail(q, "hv440 has no display: use -vga none");
	return 0;
}

static int opt_sandbox(struct qcli *q, const char *val)
{
	struct item_list l;
	bool b;

	if (split(q, val, &l) || !l.n || !on_off(l.v[0], &b))
		return fail(q, "takes on or off");
	push2(q, "--sandbox", b ? "on" : "off");
	return 0;
}

/* ---- the table ---- */

enum arg { NONE, ARG };
static int flag_nographic(struct qcli *q, const char *v) { (void)v; q->nographic = true; return 0; }
static int flag_snapshot(struct qcli *q, const char *v) { (void)v; q->snapshot = true; return 0; }
static int flag_nodefaults(struct qcli *q, const char *v) { (void)v; q->nodefaults = true; return 0; }
static int flag_daemonize(struct qcli *q, const char *v)
{
	(void)v;
	q->daemonize = true;
	push(q, "--daemonize");
	return 0;
}
static int ignore(struct qcli *q, const char *v) { (void)q; (void)v; return 0; }

struct qopt {
	const char *name;
	enum arg arg;
	int (*fn)(struct qcli *q, const char *val);
	const char *native;      /* fn NULL: hv440's option with the same meaning */
};

static const struct qopt qopts[] = {
	{ "M", ARG, opt_machine, NULL },          { "machine", ARG, opt_machine, NULL },
	{ "m", ARG, opt_m, NULL },                { "cpu", ARG, opt_cpu, NULL },
	{ "smp", ARG, opt_smp, NULL },            { "accel", ARG, opt_accel, NULL },
	{ "kernel", ARG, NULL, "--kernel" },      { "initrd", ARG, NULL, "--initrd" },
	{ "append", ARG, NULL, "--append" },      { "dtb", ARG, NULL, "--dtb" },
	{ "serial", ARG, opt_serial, NULL },      { "chardev", ARG, opt_chardev, NULL },
	{ "monitor", ARG, opt_monitor, NULL },    { "mon", ARG, opt_mon, NULL },
	{ "qmp", ARG, opt_qmp, NULL },            { "qmp-pretty", ARG, opt_qmp, NULL },
	{ "nographic", NONE, flag_nographic, NULL },
	{ "display", ARG, opt_display, NULL },    { "vga", ARG, opt_vga, NULL },
	{ "net", ARG, opt_net, NULL },            { "netdev", ARG, opt_netdev, NULL },
	{ "nic", ARG, opt_nic, NULL },            { "device", ARG, opt_device, NULL },
	{ "drive", ARG, opt_drive, NULL },        { "snapshot", NONE, flag_snapshot, NULL },
	{ "object", ARG, opt_object, NULL },
	{ "no-reboot", NONE, NULL, "--no-reboot" },
	{ "no-shutdown", NONE, NULL, "--no-shutdown" },
	{ "s", NONE, NULL, "-s" },                { "S", NONE, NULL, "-S" },
	{ "gdb", ARG, NULL, "--gdb" },
	{ "name", ARG, ignore, NULL },            { "pidfile", ARG, NULL, "--pidfile" },
	{ "daemonize", NONE, flag_daemonize, NULL },
	/* -D names the log of -d, which hv440 does not take: nothing would be written there. */
	{ "D", ARG, ignore, NULL },
	{ "nodefaults", NONE, flag_nodefaults, NULL },
	{ "no-user-config", NONE, ignore, NULL }, { "nodefconfig", NONE, ignore, NULL },
	{ "msg", ARG, ignore, NULL },             { "sandbox", ARG, opt_sandbox, NULL },
	{ "help", NONE, NULL, "--help" },         { "h", NONE, NULL, "--help" },
	{ "version", NONE, NULL, "--version" },
};

/* QEMU options hv440 knows it does not model, and what it offers instead. */
static const struct {
	const char *name;
	enum arg arg;
	const char *why;
} refused[] = {
	{ "enable-kvm", NONE, "hv440 runs the guest with its own JIT; there is no KVM for a "
	  "PowerPC 440 guest on this host (-accel tcg is accepted as the same)" },
	{ "bios", ARG, "hv440 has no firmware: it loads -kernel (ELF, uImage or raw) directly" },
	{ "L", ARG, "hv440 has no firmware directory: it loads -kernel directly" },
	{ "hda", ARG, "bamboo has no IDE: use -drive file=F,format=raw,if=virtio" },
	{ "hdb", ARG, "bamboo has no IDE: use -drive file=F,format=raw,if=virtio" },
	{ "hdc", ARG, "bamboo has no IDE: use -drive file=F,format=raw,if=virtio" },
	{ "hdd", ARG, "bamboo has no IDE: use -drive file=F,format=raw,if=virtio" },
	{ "cdrom", ARG, "hv440 has no CD-ROM: use -drive file=F,format=raw,if=virtio,readonly=on" },
	{ "fda", ARG, "bamboo has no floppy: use -drive file=F,format=raw,if=virtio" },
	{ "fdb", ARG, "bamboo has no floppy: use -drive file=F,format=raw,if=virtio" },
	{ "sd", ARG, "bamboo has no SD card: use -drive file=F,format=raw,if=virtio" },
	{ "pflash", ARG, "bamboo's flash is not modelled: use -drive file=F,format=raw,if=virtio" },
	{ "mtdblock", ARG, "bamboo's flash is not modelled: use -drive file=F,format=raw,if=virtio" },
	{ "k", ARG, "hv440 has no keyboard: the console is the serial port" },
	{ "usb", NONE, "hv440 has no USB" },
	{ "usbdevice", ARG, "hv440 has no USB" },
	{ "vnc", ARG, "hv440 has no display: use -display none or -nographic" },
	{ "spice", ARG, "hv440 has no display: use -display none or -nographic" },
	{ "sdl", NONE, "hv440 has no display: use -display none or -nographic" },
	{ "curses", NONE, "hv440 has no display: use -display none or -nographic" },
	{ "parallel", ARG, "bamboo has no parallel port" },
	{ "audiodev", ARG, "hv440 has no sound" },
	{ "soundhw", ARG, "hv440 has no sound" },
	{ "boot", ARG, "hv440 has no firmware boot order: it starts -kernel" },
	{ "d", ARG, "hv440 has no QEMU log items: --trace FILE records every exit, --stats counts "
	  "them (docs/measuring.md)" },
	{ "trace", ARG, "QEMU's trace events are not hv440's: --trace FILE records every exit "
	  "(docs/measuring.md)" },
	{ "icount", ARG, "hv440 has no instruction-count clock" },
	{ "rtc", ARG, "bamboo has no real-time clock in hv440" },
	{ "watchdog", ARG, "hv440 models no watchdog device (the 440's own watchdog timer is there)" },
	{ "incoming", ARG, "hv440 has no migration" },
	{ "loadvm", ARG, "hv440 has no snapshots of the VM state" },
	{ "global", ARG, "hv440 has no device properties" },
	{ "numa", ARG, "bamboo has one memory node" },
	{ "mem-path", ARG, "hv440's guest RAM is anonymous memory" },
	{ "mem-prealloc", NONE, "hv440's guest RAM is anonymous memory" },
	{ "overcommit", ARG, "hv440's guest RAM is anonymous memory" },
	{ "prom-env", ARG, "bamboo has no OpenFirmware" },
	{ "semihosting", NONE, "hv440 has no semihosting" },
	{ "semihosting-config", ARG, "hv440 has no semihosting" },
	{ "readconfig", ARG, "hv440 reads no QEMU config files: give the options" },
	{ "fsdev", ARG, "hv440 has no 9p file sharing: use a -drive" },
	{ "virtfs", ARG, "hv440 has no 9p file sharing: use a -drive" },
	{ "runas", ARG, "hv440 drops its privileges under its own sandbox (docs/sandbox.md)" },
	{ "chroot", ARG, "hv440 drops its privileges under its own sandbox (docs/sandbox.md)" },
	{ "add-fd", ARG, "hv440 opens files by name" },
	{ "plugin", ARG, "hv440 has no TCG plugins: --profile samples the guest" },
};

static const struct option *native_find(const struct option *native, const char *name, size_t n)
{
	for (; native->name; native++)
		if (strlen(native->name) == n && !strncmp(native->name, name, n))
			return native;
	return NULL;
}

/* A QEMU option name hv440 knows, taken or refused. */
static bool qemu_name(const char *name)
{
	unsigned j;

	for (j = 0; j < sizeof(qopts) / sizeof(qopts[0]); j++)
		if (!strcmp(name, qopts[j].name))
			return true;
	for (j = 0; j < sizeof(refused) / sizeof(refused[0]); j++)
		if (!strcmp(name, refused[j].name))
			return true;
	return false;
}

bool qemu_cli_wanted(int argc, char **argv, const struct option *native)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (a[0] != '-' || !a[1])
			continue;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			const struct option *o = native_find(native, a + 2,
							     eq ? (size_t)(eq - a - 2) : strlen(a + 2));

			/* --machine NAME is hv440's; with QEMU's options (bamboo,dumpdtb=F) it is QEMU's. */
			if (o && o->val == 'M') {
				const char *v = eq ? eq + 1 : i + 1 < argc ? argv[i + 1] : "";

				if (strpbrk(v, ",="))
					return true;
			}
			if (o && o->has_arg == required_argument && !eq)
				i++;
			/* QEMU also takes its options with two dashes: --nographic is -nographic. */
			if (!o && !eq && qemu_name(a + 2))
				return true;
			continue;
		}
		/* QEMU's -M with options (bamboo,dumpdtb=F) is QEMU's; a plain -M NAME is hv440's too. */
		if (!strcmp(a, "-M") && i + 1 < argc && strpbrk(argv[i + 1], ",="))
			return true;
		/* hv440's own short options, each alone, mean the same in QEMU (-m, -M, -s, -S, -h). */
		if (!a[2] && strchr("kmMhVsS", a[1])) {
			if (a[1] == 'k' || a[1] == 'm' || a[1] == 'M')
				i++;
			continue;
		}
		return true;
	}
	return false;
}

/* The end: the -net hub, -snapshot, the default serial port. */
static int finish(struct qcli *q)
{
	unsigned i;

	q->opt = "-net";
	if (q->hub_nics > 1 || q->hub_backends > 1)
		return fail(q, "hv440 pairs one -net nic with one -net user|tap (QEMU's hub of "
			    "several is not modelled: use -netdev with -device virtio-net-pci)");
	if (q->hub_nics && !q->hub_backends)
		return fail(q, "nic needs -net user or -net tap: hv440 has no NIC without a "
			    "network");
	/* A backend with no NIC: QEMU's guest sees no NIC either. */
	if (q->hub_nics)
		push2(q, "--net", q->hub_mac ? fmt("%s,mac=%s", q->hub_backend, q->hub_mac)
					     : q->hub_backend);
	for (i = 0; i < q->n_disk; i++)
		push2(q, "--disk", q->snapshot ? fmt("%s,snapshot=on", q->disk[i]) : q->disk[i]);
	q->opt = "-device virtconsole";
	if (q->console && !q->vserial)
		return fail(q, "needs -device virtio-serial-pci first (its bus)");
	q->opt = "-device virtio-serial-pci";
	if (q->vserial && !q->console)
		return fail(q, "hv440 models virtio-serial with its console port only: add "
			    "-device virtconsole,chardev=ID");
	if (q->console)
		push2(q, "--console", q->console);
	q->opt = "-daemonize";
	if (q->daemonize && q->nographic)
		return fail(q, "cannot be used with -nographic (its console is stdio)");
	/*
	 * QEMU's first serial port goes to stdio under -nographic and to a
	 * graphical console otherwise: with -display none (or -daemonize,
	 * -nodefaults) that output goes nowhere. With no display option at
	 * all hv440, having no window to open, keeps it on stdio.
	 */
	if (!q->n_serial && !q->nographic && (q->display_none || q->daemonize || q->nodefaults))
		push2(q, "--serial", "null");
	return 0;
}

int qemu_cli_translate(int argc, char **argv, const struct option *native,
		       int *out_argc, char ***out_argv)
{
	struct qcli q = { .native = native };
	int i, r;

	atexit(free_owned);
	push(&q, argv[0]);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name;
		const struct qopt *o = NULL;
		unsigned j;

		q.opt = a;
		if (a[0] != '-' || !a[1]) {
			fprintf(stderr, "hv440: '%s': a bare image name is QEMU's -hda; bamboo has no "
				"IDE (use -drive file=%s,format=raw,if=virtio)\n", a, a);
			return -1;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			const struct option *n = native_find(native, a + 2,
							     eq ? (size_t)(eq - a - 2) : strlen(a + 2));

			if (!a[2]) {
				fprintf(stderr, "hv440: '--' ends hv440's options; QEMU's command line "
					"has no such thing\n");
				return -1;
			}
			/*
			 * --machine is also QEMU's -machine, whose options (bamboo,dumpdtb=F)
			 * it takes; a plain name becomes --machine NAME again there.
			 */
			if (n && n->val == 'M') {
				q.opt = "-machine";
				if (!eq && i + 1 >= argc) {
					fprintf(stderr, "hv440: option '%s' needs an argument\n", a);
					return -1;
				}
				r = opt_machine(&q, eq ? eq + 1 : argv[++i]);
				if (r)
					return r;
				continue;
			}
			/* hv440's own --options keep their meaning in a QEMU command line. */
			if (n) {
				push(&q, a);
				if (n->has_arg == required_argument && !eq) {
					if (i + 1 >= argc) {
						fprintf(stderr, "hv440: option '%s' needs an argument\n", a);
						return -1;
					}
					push(&q, argv[++i]);
				}
				continue;
			}
			name = a + 2;    /* QEMU takes --word as -word */
		} else {
			name = a + 1;
		}
		for (j = 0; j < sizeof(qopts) / sizeof(qopts[0]); j++)
			if (!strcmp(name, qopts[j].name))
				o = &qopts[j];
		if (!o) {
			for (j = 0; j < sizeof(refused) / sizeof(refused[0]); j++)
				if (!strcmp(name, refused[j].name)) {
					fprintf(stderr, "hv440: %s: not modelled: %s\n", a, refused[j].why);
					return -1;
				}
			fprintf(stderr, "hv440: %s: not a QEMU option hv440 takes (docs/qemu.md lists "
				"them; hv440 --help for its own)\n", a);
			return -1;
		}
		if (o->arg == ARG && i + 1 >= argc) {
			fprintf(stderr, "hv440: %s: needs an argument\n", a);
			return -1;
		}
		if (!o->fn) {
			push(&q, o->native);
			if (o->arg == ARG)
				push(&q, argv[++i]);
			continue;
		}
		r = o->fn(&q, o->arg == ARG ? argv[++i] : NULL);
		if (r)
			return r;
	}
	if (finish(&q))
		return -1;
	*out_argc = q.n_out;
	*out_argv = q.out;
	return 0;
}
