/* SPDX-License-Identifier: MIT */
/* gdbstub.c - GDB remote protocol over TCP: registers, memory, breakpoints, watchpoints, step. */
#include "debug/gdbstub.h"
#include "util/log.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Largest packet we accept (advertised as PacketSize, in hex). */
#define PKT_MAX 4096
#define OUT_MAX (2 * PKT_MAX + 64)
#define MAX_HW_BREAKPOINTS 4
#define MAX_SW_BREAKPOINTS (CORE_MAX_BREAKPOINTS - MAX_HW_BREAKPOINTS)

enum reg_kind { RK_GPR, RK_FPR, RK_PC, RK_MSR, RK_CR, RK_LR, RK_CTR, RK_XER, RK_FPSCR,
		RK_FIELD, RK_RO_FIELD, RK_PID, RK_DEC, RK_TBL, RK_TBU };

struct reg_desc {
	const char *name;
	enum reg_kind kind;
	size_t off;     /* RK_FIELD / RK_RO_FIELD: offset of the uint32_t in struct vcpu */
};

#define F(field) offsetof(struct vcpu, field)
/* The 440's supervisor registers, after the standard PowerPC numbering (0-70). */
static const struct reg_desc spr_regs[] = {
	{ "srr0", RK_FIELD, F(srr0) }, { "srr1", RK_FIELD, F(srr1) },
	{ "csrr0", RK_FIELD, F(csrr0) }, { "csrr1", RK_FIELD, F(csrr1) },
	{ "mcsrr0", RK_FIELD, F(mcsrr0) }, { "mcsrr1", RK_FIELD, F(mcsrr1) },
	{ "dear", RK_FIELD, F(dear) }, { "esr", RK_FIELD, F(esr) }, { "mcsr", RK_FIELD, F(mcsr) },
	{ "pid", RK_PID, 0 }, { "mmucr", RK_FIELD, F(mmucr) }, { "ivpr", RK_FIELD, F(ivpr) },
	{ "sprg0", RK_FIELD, F(sprg[0]) }, { "sprg1", RK_FIELD, F(sprg[1]) },
	{ "sprg2", RK_FIELD, F(sprg[2]) }, { "sprg3", RK_FIELD, F(sprg[3]) },
	{ "sprg4", RK_FIELD, F(sprg[4]) }, { "sprg5", RK_FIELD, F(sprg[5]) },
	{ "sprg6", RK_FIELD, F(sprg[6]) }, { "sprg7", RK_FIELD, F(sprg[7]) },
	{ "usprg0", RK_FIELD, F(core.usprg0) },
	{ "tcr", RK_FIELD, F(tcr) }, { "tsr", RK_FIELD, F(tsr) }, { "dec", RK_DEC, 0 },
	{ "decar", RK_FIELD, F(decar) }, { "tbl", RK_TBL, 0 }, { "tbu", RK_TBU, 0 },
	{ "dbcr0", RK_FIELD, F(dbcr0) }, { "dbcr1", RK_FIELD, F(dbcr1) },
	{ "dbcr2", RK_FIELD, F(dbcr2) }, { "dbsr", RK_FIELD, F(dbsr) },
	{ "iac1", RK_FIELD, F(iac[0]) }, { "iac2", RK_FIELD, F(iac[1]) },
	{ "iac3", RK_FIELD, F(iac[2]) }, { "iac4", RK_FIELD, F(iac[3]) },
	{ "dac1", RK_FIELD, F(dac[0]) }, { "dac2", RK_FIELD, F(dac[1]) },
	{ "ccr0", RK_FIELD, F(ccr0) }, { "ccr1", RK_FIELD, F(ccr1) },
	{ "pir", RK_RO_FIELD, F(pir) }, { "pvr", RK_RO_FIELD, F(pvr) },
};
#undef F

#define REG_PC 64
#define REG_FPSCR 70
#define REG_SPR0 71
#define N_REGS (REG_SPR0 + (int)(sizeof(spr_regs) / sizeof(spr_regs[0])))

enum bp_type { BP_SW = 0, BP_HW = 1, WP_WRITE = 2, WP_READ = 3, WP_ACCESS = 4 };
enum mem_mode { MEM_AUTO, MEM_VIRT, MEM_PHYS };
enum action { ACT_NONE, ACT_RESUME, ACT_KILL, ACT_DETACH };

struct gdbstub {
	struct vcpu *v;
	int listen_fd, fd;
	bool no_ack;
	bool running_for_client; /* the client resumed the guest and waits for a stop reply */
	bool want_stop;          /* Ctrl-C or a new client while running */
	bool ctrl_c;
	bool client_gone;
	/* Packet parser. */
	enum { PS_IDLE, PS_DATA, PS_CK1, PS_CK2 } ps;
	char pkt[PKT_MAX + 1];
	size_t pkt_len;
	bool pkt_overflow;
	uint8_t ck_sum, ck_got;
	char last_out[OUT_MAX];  /* resent on a NAK */
	/* Breakpoints and watchpoints. */
	struct { uint32_t addr; enum bp_type type; } bp[CORE_MAX_BREAKPOINTS];
	unsigned n_bp;
	struct { uint32_t addr, len; enum bp_type type; } wp[CORE_MAX_WATCHPOINTS];
	unsigned n_wp;
	enum mem_mode mem_mode;
	char stop_reply[96];
	uint64_t tb_stop;        /* guest time is frozen here while stopped */
	char xml[8192];
	size_t xml_len;
	uint8_t inbuf[PKT_MAX * 2]; /* received, not yet parsed */
	size_t in_len;
	char out[OUT_MAX];
};

static void log_msg(const char *fmt, const char *arg)
{
	log_err("gdb: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
}

static void build_xml(struct gdbstub *g)
{
	size_t n = 0, cap = sizeof(g->xml);
	int i;

#define ADD(...) (n += (size_t)snprintf(g->xml + n, n < cap ? cap - n : 0, __VA_ARGS__))
	ADD("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	    "<target version=\"1.0\">\n<architecture>powerpc:common</architecture>\n"
	    "<feature name=\"org.gnu.gdb.power.core\">\n");
	for (i = 0; i < 32; i++)
		ADD("<reg name=\"r%d\" bitsize=\"32\" type=\"uint32\" regnum=\"%d\"/>\n", i, i);
	ADD("<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\" regnum=\"64\"/>\n"
	    "<reg name=\"msr\" bitsize=\"32\" type=\"uint32\" regnum=\"65\"/>\n"
	    "<reg name=\"cr\" bitsize=\"32\" type=\"uint32\" regnum=\"66\"/>\n"
	    "<reg name=\"lr\" bitsize=\"32\" type=\"code_ptr\" regnum=\"67\"/>\n"
	    "<reg name=\"ctr\" bitsize=\"32\" type=\"uint32\" regnum=\"68\"/>\n"
	    "<reg name=\"xer\" bitsize=\"32\" type=\"uint32\" regnum=\"69\"/>\n"
	    "</feature>\n<feature name=\"org.gnu.gdb.power.fpu\">\n");
	for (i = 0; i < 32; i++)
		ADD("<reg name=\"f%d\" bitsize=\"64\" type=\"ieee_double\" regnum=\"%d\"/>\n", i,
		    32 + i);
	ADD("<reg name=\"fpscr\" bitsize=\"32\" group=\"float\" regnum=\"70\"/>\n"
	    "</feature>\n<feature name=\"org.hv440.ppc440.spr\">\n");
	for (i = REG_SPR0; i < N_REGS; i++)
		ADD("<reg name=\"%s\" bitsize=\"32\" type=\"uint32\" regnum=\"%d\"/>\n",
		    spr_regs[i - REG_SPR0].name, i);
	ADD("</feature>\n</target>\n");
#undef ADD
	g->xml_len = n < cap ? n : cap - 1;
}

/* ---- sockets ---- */

int gdbstub_open(struct gdbstub **out, struct vcpu *v, const char *spec)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], port[16], shown[300];
	const char *rest, *colon;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct gdbstub *g;
	int fd = -1, one = 1, r;
	size_t hl;

	*out = NULL;
	if (strncmp(spec, "tcp:", 4)) {
		log_err("invalid --gdb '%s' (use tcp:HOST:PORT or tcp::PORT)\n", spec);
		return -1;
	}
	rest = spec + 4;
	colon = strrchr(rest, ':');
	if (!colon || colon[1] == '\0' || strlen(colon + 1) >= sizeof(port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atol(colon + 1) > 65535) {
		log_err("invalid --gdb '%s' (use tcp:HOST:PORT or tcp::PORT)\n", spec);
		return -1;
	}
	hl = (size_t)(colon - rest);
	if (hl >= sizeof(host)) {
		log_err("invalid --gdb '%s': host name too long\n", spec);
		return -1;
	}
	/* [v6addr] as in URLs */
	if (hl >= 2 && rest[0] == '[' && rest[hl - 1] == ']') {
		rest++;
		hl -= 2;
	}
	memcpy(host, rest, hl);
	host[hl] = '\0';
	if (!hl)
		strcpy(host, "127.0.0.1");
	snprintf(port, sizeof(port), "%s", colon + 1);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	r = getaddrinfo(host, port, &hints, &res);
	if (r) {
		log_err("--gdb %s: %s\n", spec, gai_strerror(r));
		return -1;
	}
	r = -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
			r = 0;
			break;
		}
		r = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		log_err("--gdb %s: cannot listen: %s\n", spec,
			strerror(r < 0 ? -r : EADDRNOTAVAIL));
		return -1;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		close(fd);
		log_err("out of memory\n");
		return -1;
	}
	g->v = v;
	g->listen_fd = fd;
	g->fd = -1;
	build_xml(g);
	snprintf(g->stop_reply, sizeof(g->stop_reply), "T05thread:01;");
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
		snprintf(shown, sizeof(shown), "%s:%s", host, port);
		log_msg("listening on %s", shown);
	}
	*out = g;
	return 0;
}

static void sync_core_points(struct gdbstub *g);

static void drop_client(struct gdbstub *g, const char *why)
{
	if (g->fd < 0)
		return;
	close(g->fd);
	g->fd = -1;
	g->no_ack = false;
	g->ps = PS_IDLE;
	g->pkt_len = 0;
	g->running_for_client = false;
	g->ctrl_c = false;
	/* Like a detach: gdb's breakpoints go with it; the guest keeps running. */
	g->n_bp = 0;
	g->n_wp = 0;
	g->mem_mode = MEM_AUTO;
	g->v->debug.step_irqs = false;
	sync_core_points(g);
	log_msg("%s", why);
}

void gdbstub_close(struct gdbstub *g)
{
	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd);
	close(g->listen_fd);
	free(g);
}

void gdbstub_fds(const struct gdbstub *g, int *listen_fd, int *client_fd)
{
	*listen_fd = g->listen_fd;
	*client_fd = g->fd;
}

bool gdbstub_wants_stop(const struct gdbstub *g)
{
	return g->want_stop;
}

/* Accept a connection: the first becomes the client, a second one is told and closed. */
static void do_accept(struct gdbstub *g)
{
	static const char busy[] = "$E.another gdb is attached#";
	int fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), one = 1;

	if (fd < 0)
		return;
	if (g->fd >= 0) {
		char pkt[64];
		unsigned sum = 0;

		for (const char *p = busy + 1; *p != '#'; p++)
			sum += (unsigned char)*p;
		snprintf(pkt, sizeof(pkt), "%s%02x", busy, sum & 0xff);
		if (send(fd, pkt, strlen(pkt), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			/* Nothing to do: it is closed anyway. */
		}
		close(fd);
		log_msg("%s", "refused a second client (one is attached)");
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g->fd = fd;
	g->no_ack = false;
	g->ps = PS_IDLE;
	log_msg("%s", "client attached");
}

/* ---- output ---- */

static void send_raw(struct gdbstub *g, const char *buf, size_t len)
{
	while (len && g->fd >= 0) {
		ssize_t n = send(g->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = g->fd, .events = POLLOUT };

			/* A client that stops reading must not hang hv440: 5 s, then it goes. */
			if (poll(&p, 1, 5000) <= 0) {
				g->client_gone = true;
				log_msg("%s", "client stopped reading its replies");
				return;
			}
			continue;
		}
		if (n <= 0) {
			g->client_gone = true;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void send_packet(struct gdbstub *g, const char *data)
{
	size_t len = strlen(data);
	unsigned sum = 0;

	if (len > OUT_MAX - 5)
		len = OUT_MAX - 5;
	g->last_out[0] = '$';
	memcpy(g->last_out + 1, data, len);
	for (size_t i = 0; i < len; i++)
		sum += (unsigned char)data[i];
	snprintf(g->last_out + 1 + len, 4, "#%02x", sum & 0xff);
	send_raw(g, g->last_out, len + 4);
}

/* ---- hex helpers ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse a hex number of at most 16 digits ending at one of the stop chars (or NUL). */
static bool parse_hex(const char **p, uint64_t *out, const char *stops)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0, d;

	while ((d = hexval(*s)) >= 0) {
		if (++n > 16)
			return false;
		v = v << 4 | (uint64_t)d;
		s++;
	}
	if (n == 0 || (*s && !strchr(stops, *s)))
		return false;
	*out = v;
	*p = s;
	return true;
}

static const char hexdig[] = "0123456789abcdef";

static char *put_hex(char *o, uint64_t v, unsigned bytes)
{
	for (int i = (int)bytes - 1; i >= 0; i--) {
		uint8_t b = (uint8_t)(v >> (8 * i));

		*o++ = hexdig[b >> 4];
		*o++ = hexdig[b & 15];
	}
	*o = '\0';
	return o;
}

static bool get_hex_bytes(const char *s, size_t nbytes, uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < 2 * nbytes; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return true;
}

/* ---- registers ---- */

static unsigned reg_size(int n)
{
	return (n >= 32 && n < 64) ? 8 : 4;
}

static uint64_t tb_now(struct gdbstub *g)
{
	return g->tb_stop;
}

static uint64_t reg_get(struct gdbstub *g, int n)
{
	struct vcpu *v = g->v;
	const struct reg_desc *d;

	if (n < 32)
		return v->core.gpr[n];
	if (n < 64)
		return v->core.fpr[n - 32];
	switch (n) {
	case 64: return v->core.pc;
	case 65: return v->msr;
	case 66: return v->core.cr;
	case 67: return v->core.lr;
	case 68: return v->core.ctr;
	case 69: return v->core.xer;
	case 70:
		core_fp_settle(&v->core); /* the JIT may leave bits to work out */
		return v->core.fpscr;
	}
	d = &spr_regs[n - REG_SPR0];
	switch (d->kind) {
	case RK_PID: return v->pid;
	case RK_DEC:
		vcpu_debug_resume_time(v, g->tb_stop); /* DEC as of the stop: time is frozen */
		return vcpu_debug_read_dec(v);
	case RK_TBL: return (uint32_t)tb_now(g);
	case RK_TBU: return (uint32_t)(tb_now(g) >> 32);
	default: return *(const uint32_t *)((const char *)v + d->off);
	}
}

/* false: the register cannot be written (read-only or derived). */
static bool reg_set(struct gdbstub *g, int n, uint64_t val)
{
	struct vcpu *v = g->v;
	uint32_t w = (uint32_t)val;
	const struct reg_desc *d;

	if (n < 32) {
		v->core.gpr[n] = w;
		return true;
	}
	if (n < 64) {
		v->core.fpr[n - 32] = val;
		return true;
	}
	switch (n) {
	case 64: v->core.pc = w & ~3u; v->debug.skip_pending = false; return true;
	case 65: vcpu_debug_set_msr(v, w); return true;
	case 66: v->core.cr = w; return true;
	case 67: v->core.lr = w; return true;
	case 68: v->core.ctr = w; return true;
	case 69: v->core.xer = w; return true;
	case 70:
		core_fp_settle(&v->core);
		v->core.fpscr = w;
		return true;
	}
	d = &spr_regs[n - REG_SPR0];
	switch (d->kind) {
	case RK_PID: vcpu_debug_set_pid(v, w); return true;
	case RK_DEC:
		vcpu_debug_resume_time(v, g->tb_stop);
		vcpu_debug_write_dec(v, w);
		return true;
	case RK_FIELD: *(uint32_t *)((char *)v + d->off) = w; return true;
	default: return false;
	}
}

/* ---- memory ---- */

/* Copy len bytes at guest address addr (per mem_mode); returns the bytes done. */
static size_t mem_access(struct gdbstub *g, uint32_t addr, uint8_t *buf, size_t len, bool write)
{
	size_t done = 0;

	while (done < len) {
		uint32_t ea = addr + (uint32_t)done, chunk;
		uint64_t pa;
		bool ok;

		if (g->mem_mode == MEM_PHYS || !vcpu_debug_translate(g->v, ea, &pa, &chunk)) {
			if (g->mem_mode == MEM_VIRT)
				break;
			/* Unmapped (or physical mode): the address is physical. */
			pa = ea;
			chunk = 0x1000 - (ea & 0xfff);
		}
		if (chunk > len - done)
			chunk = (uint32_t)(len - done);
		if (write)
			ok = core_phys_write(&g->v->core, pa, buf + done, chunk);
		else
			ok = core_phys_read(&g->v->core, pa, buf + done, chunk);
		if (!ok)
			break;
		done += chunk;
		if (ea + chunk < ea) /* wrapped past 4 GiB */
			break;
	}
	if (write && done)
		core_icache_flush(&g->v->core);
	return done;
}

/* ---- breakpoints and watchpoints ---- */

static void sync_core_points(struct gdbstub *g)
{
	struct core *c = &g->v->core;
	struct core_watchpoint w[CORE_MAX_WATCHPOINTS];
	unsigned i;

	for (i = 0; i < g->n_bp; i++)
		c->breakpoints[i] = g->bp[i].addr;
	c->n_breakpoints = g->n_bp;
	for (i = 0; i < g->n_wp; i++) {
		w[i].ea = g->wp[i].addr;
		w[i].len = g->wp[i].len;
		w[i].perm = g->wp[i].type == WP_WRITE ? CORE_PERM_W :
			    g->wp[i].type == WP_READ ? CORE_PERM_R : CORE_PERM_R | CORE_PERM_W;
	}
	core_set_watchpoints(c, w, g->n_wp);
}

/* Z/z: returns the reply. */
static const char *set_point(struct gdbstub *g, bool insert, const char *args)
{
	const char *p = args;
	uint64_t type, addr, kind;
	unsigned i, count = 0;

	if (!parse_hex(&p, &type, ",") || *p++ != ',' || !parse_hex(&p, &addr, ",;") ||
	    *p++ != ',' || !parse_hex(&p, &kind, ";") || addr > UINT32_MAX)
		return "E22";
	if (type > WP_ACCESS)
		return ""; /* unsupported kind */
	if (type <= BP_HW) {
		for (i = 0; i < g->n_bp; i++) {
			if (g->bp[i].addr == addr && g->bp[i].type == (enum bp_type)type)
				break;
			if (g->bp[i].type == (enum bp_type)type)
				count++;
		}
		if (!insert) {
			if (i < g->n_bp) {
				g->bp[i] = g->bp[--g->n_bp];
				sync_core_points(g);
			}
			return "OK";
		}
		if (i < g->n_bp)
			return "OK"; /* already there */
		if (count >= (type == BP_HW ? MAX_HW_BREAKPOINTS : MAX_SW_BREAKPOINTS) ||
		    g->n_bp >= CORE_MAX_BREAKPOINTS)
			return "E28";
		g->bp[g->n_bp].addr = (uint32_t)addr;
		g->bp[g->n_bp].type = (enum bp_type)type;
		g->n_bp++;
		sync_core_points(g);
		return "OK";
	}
	if (kind == 0 || kind > 0x10000 || addr + kind - 1 > UINT32_MAX)
		return "E22";
	for (i = 0; i < g->n_wp; i++)
		if (g->wp[i].addr == addr && g->wp[i].len == kind &&
		    g->wp[i].type == (enum bp_type)type)
			break;
	if (!insert) {
		if (i < g->n_wp) {
			g->wp[i] = g->wp[--g->n_wp];
			sync_core_points(g);
		}
		return "OK";
	}
	if (i < g->n_wp)
		return "OK";
	if (g->n_wp >= CORE_MAX_WATCHPOINTS)
		return "E28";
	g->wp[g->n_wp].addr = (uint32_t)addr;
	g->wp[g->n_wp].len = (uint32_t)kind;
	g->wp[g->n_wp].type = (enum bp_type)type;
	g->n_wp++;
	sync_core_points(g);
	return "OK";
}

/* ---- stop replies ---- */

static void make_stop_reply(struct gdbstub *g, enum vcpu_stop stop)
{
	const struct vcpu_debug *d = &g->v->debug;
	char *s = g->stop_reply;
	size_t cap = sizeof(g->stop_reply);

	if (g->ctrl_c || stop != VCPU_STOP_DEBUG) {
		snprintf(s, cap, "T02thread:01;");
		return;
	}
	switch (d->reason) {
	case VCPU_DEBUG_BREAK: {
		bool hw = false;

		for (unsigned i = 0; i < g->n_bp; i++)
			if (g->bp[i].addr == g->v->core.pc && g->bp[i].type == BP_HW)
				hw = true;
		snprintf(s, cap, "T05thread:01;%s:;", hw ? "hwbreak" : "swbreak");
		return;
	}
	case VCPU_DEBUG_WATCH: {
		const char *name = d->watch_write ? "watch" : "rwatch";

		for (unsigned i = 0; i < g->n_wp; i++) {
			uint64_t a = d->watch_addr;

			if (a >= g->wp[i].addr && a < (uint64_t)g->wp[i].addr + g->wp[i].len) {
				if (g->wp[i].type == WP_ACCESS)
					name = "awatch";
				else if (g->wp[i].type == (d->watch_write ? WP_WRITE : WP_READ))
					break;
			}
		}
		snprintf(s, cap, "T05thread:01;%s:%x;", name, d->watch_addr);
		return;
	}
	default:
		snprintf(s, cap, "T05thread:01;");
		return;
	}
}

/* ---- packets ---- */

static void monitor(struct gdbstub *g, const char *hexcmd, char *out)
{
	char cmd[256], text[512];
	size_t n = strlen(hexcmd) / 2, i;
	char *o;

	if (strlen(hexcmd) % 2 || n >= sizeof(cmd)) {
		strcpy(out, "E22");
		return;
	}
	for (i = 0; i < n; i++) {
		int hi = hexval(hexcmd[2 * i]), lo = hexval(hexcmd[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			strcpy(out, "E22");
			return;
		}
		cmd[i] = (char)(hi << 4 | lo);
		if (!cmd[i])
			cmd[i] = ' ';
	}
	cmd[n] = '\0';
	if (!strcmp(cmd, "help"))
		snprintf(text, sizeof(text),
			 "hv440 monitor commands:\n"
			 "  mem auto|virt|phys   memory access: guest translation with physical\n"
			 "                       fallback (auto), translation only, or physical\n"
			 "  step-irq on|off      let interrupts in during a single step\n"
			 "  info                 show these settings\n");
	else if (!strcmp(cmd, "mem auto"))
		g->mem_mode = MEM_AUTO, snprintf(text, sizeof(text), "mem auto\n");
	else if (!strcmp(cmd, "mem virt"))
		g->mem_mode = MEM_VIRT, snprintf(text, sizeof(text), "mem virt\n");
	else if (!strcmp(cmd, "mem phys"))
		g->mem_mode = MEM_PHYS, snprintf(text, sizeof(text), "mem phys\n");
	else if (!strcmp(cmd, "step-irq on"))
		g->v->debug.step_irqs = true, snprintf(text, sizeof(text), "step-irq on\n");
	else if (!strcmp(cmd, "step-irq off"))
		g->v->debug.step_irqs = false, snprintf(text, sizeof(text), "step-irq off\n");
	else if (!strcmp(cmd, "info"))
		snprintf(text, sizeof(text), "mem %s, step-irq %s\n",
			 g->mem_mode == MEM_AUTO ? "auto" : g->mem_mode == MEM_VIRT ? "virt" : "phys",
			 g->v->debug.step_irqs ? "on" : "off");
	else
		snprintf(text, sizeof(text), "unknown monitor command (try 'monitor help')\n");
	/* Console output as an O packet, then the final OK. */
	o = out;
	*o++ = 'O';
	for (i = 0; text[i]; i++)
		o = put_hex(o, (uint8_t)text[i], 1);
	send_packet(g, out);
	strcpy(out, "OK");
}

static void xfer_features(struct gdbstub *g, const char *args, char *out)
{
	const char *p = strchr(args, ':');
	uint64_t off, len;

	if (!p || (size_t)(p - args) != strlen("target.xml") || strncmp(args, "target.xml", 10)) {
		strcpy(out, "E00");
		return;
	}
	p++;
	if (!parse_hex(&p, &off, ",") || *p++ != ',' || !parse_hex(&p, &len, "")) {
		strcpy(out, "E22");
		return;
	}
	if (len > PKT_MAX - 8)
		len = PKT_MAX - 8;
	if (off >= g->xml_len) {
		strcpy(out, "l");
		return;
	}
	if (len > g->xml_len - off)
		len = g->xml_len - off;
	out[0] = off + len < g->xml_len ? 'm' : 'l';
	memcpy(out + 1, g->xml + off, len); /* the XML has no '$', '#', '}' or '*' */
	out[1 + len] = '\0';
}

/* Prepare to resume: optional new pc, step flag, the breakpoint at pc is stepped over. */
static enum action resume(struct gdbstub *g, const char *args, bool step, char *out)
{
	uint64_t addr;

	/* C/S carry a signal first ("sig;addr"): there are no signals to deliver, skip it. */
	if (*args) {
		const char *p = args;

		if (!parse_hex(&p, &addr, "") || addr > UINT32_MAX) {
			strcpy(out, "E22");
			return ACT_NONE;
		}
		g->v->core.pc = (uint32_t)addr & ~3u;
	}
	g->v->debug.step = step;
	g->v->debug.skip_pending = true;
	g->v->debug.skip_pc = g->v->core.pc;
	g->running_for_client = true;
	out[0] = '\0';
	return ACT_RESUME;
}

static enum action handle_packet(struct gdbstub *g, char *pkt, char *out)
{
	const char *p;
	uint64_t addr, len;
	uint8_t buf[PKT_MAX / 2];

	out[0] = '\0';
	switch (pkt[0]) {
	case '?':
		strcpy(out, g->stop_reply);
		break;
	case 'g': {
		char *o = out;

		for (int n = 0; n < N_REGS; n++)
			o = put_hex(o, reg_get(g, n), reg_size(n));
		break;
	}
	case 'G': {
		const char *s = pkt + 1;
		size_t need = 0;

		for (int n = 0; n < N_REGS; n++)
			need += 2 * reg_size(n);
		/* gdb may send fewer registers than we describe; never more. */
		if (strlen(s) % 8 || strlen(s) > need) {
			strcpy(out, "E22");
			break;
		}
		for (int n = 0; n < N_REGS && *s; n++) {
			uint64_t v;

			if (strlen(s) < 2 * reg_size(n) || !get_hex_bytes(s, reg_size(n), &v)) {
				strcpy(out, "E22");
				break;
			}
			if (reg_get(g, n) != v)
				reg_set(g, n, v); /* read-only ones keep their value */
			s += 2 * reg_size(n);
		}
		if (!out[0])
			strcpy(out, "OK");
		break;
	}
	case 'p':
		p = pkt + 1;
		if (!parse_hex(&p, &addr, "") || addr >= (uint64_t)N_REGS) {
			strcpy(out, "E22");
			break;
		}
		put_hex(out, reg_get(g, (int)addr), reg_size((int)addr));
		break;
	case 'P': {
		uint64_t v;

		p = pkt + 1;
		if (!parse_hex(&p, &addr, "=") || *p++ != '=' || addr >= (uint64_t)N_REGS ||
		    strlen(p) != 2 * reg_size((int)addr) || !get_hex_bytes(p, reg_size((int)addr), &v)) {
			strcpy(out, "E22");
			break;
		}
		strcpy(out, reg_set(g, (int)addr, v) ? "OK" : "E01");
		break;
	}
	case 'm': {
		size_t got;
		char *o = out;

		p = pkt + 1;
		if (!parse_hex(&p, &addr, ",") || *p++ != ',' || !parse_hex(&p, &len, "") ||
		    addr > UINT32_MAX) {
			strcpy(out, "E22");
			break;
		}
		if (len > sizeof(buf))
			len = sizeof(buf);
		got = mem_access(g, (uint32_t)addr, buf, (size_t)len, false);
		if (!got && len) {
			strcpy(out, "E14");
			break;
		}
		for (size_t i = 0; i < got; i++)
			o = put_hex(o, buf[i], 1);
		break;
	}
	case 'M': {
		const char *data;

		p = pkt + 1;
		if (!parse_hex(&p, &addr, ",") || *p++ != ',' || !parse_hex(&p, &len, ":") ||
		    *p++ != ':' || addr > UINT32_MAX || len > sizeof(buf) || strlen(p) != 2 * len) {
			strcpy(out, "E22");
			break;
		}
		data = p;
		for (size_t i = 0; i < len; i++) {
			uint64_t b;

			if (!get_hex_bytes(data + 2 * i, 1, &b)) {
				len = 0;
				break;
			}
			buf[i] = (uint8_t)b;
		}
		if (!len && *data)
			strcpy(out, "E22");
		else
			strcpy(out, mem_access(g, (uint32_t)addr, buf, (size_t)len, true) == len ?
			       "OK" : "E14");
		break;
	}
	case 'c':
	case 's':
	case 'C':
	case 'S': {
		const char *semi = strchr(pkt, ';');
		const char *arg = (pkt[0] == 'c' || pkt[0] == 's') ? pkt + 1 : semi ? semi + 1 : "";
		enum action a = resume(g, arg, pkt[0] == 's' || pkt[0] == 'S', out);

		if (a != ACT_NONE)
			return a;
		break;
	}
	case 'Z':
	case 'z':
		strcpy(out, set_point(g, pkt[0] == 'Z', pkt + 1));
		break;
	case 'D':
		send_packet(g, "OK");
		return ACT_DETACH;
	case 'k':
		return ACT_KILL;
	case 'H':
		strcpy(out, "OK");
		break;
	case 'T':
		strcpy(out, !strcmp(pkt, "T1") || !strcmp(pkt, "T01") ? "OK" : "E01");
		break;
	case 'q':
		if (!strncmp(pkt, "qSupported", 10))
			snprintf(out, OUT_MAX, "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
				 "QStartNoAckMode+", PKT_MAX);
		else if (!strcmp(pkt, "qAttached"))
			strcpy(out, "1");
		else if (!strcmp(pkt, "qC"))
			strcpy(out, "QC01");
		else if (!strcmp(pkt, "qfThreadInfo"))
			strcpy(out, "m01");
		else if (!strcmp(pkt, "qsThreadInfo"))
			strcpy(out, "l");
		else if (!strncmp(pkt, "qSymbol:", 8))
			strcpy(out, "OK");
		else if (!strncmp(pkt, "qXfer:features:read:", 20))
			xfer_features(g, pkt + 20, out);
		else if (!strncmp(pkt, "qRcmd,", 6))
			monitor(g, pkt + 6, out);
		break;
	case 'Q':
		if (!strcmp(pkt, "QStartNoAckMode")) {
			send_packet(g, "OK");
			g->no_ack = true;
			return ACT_NONE;
		}
		break;
	case 'v':
		if (!strncmp(pkt, "vKill", 5)) {
			send_packet(g, "OK");
			return ACT_KILL;
		}
		break; /* vCont, vFile, vMustReplyEmpty...: unsupported (empty reply) */
	default:
		break; /* unknown: empty reply, as the protocol asks */
	}
	send_packet(g, out);
	return ACT_NONE;
}

/*
 * Feed received bytes through the packet parser. While running only
 * Ctrl-C matters (gdb sends nothing else in all-stop mode); packets that
 * arrive anyway are dropped.
 */
static enum action feed(struct gdbstub *g, const uint8_t *data, size_t n, bool running,
			size_t *used)
{
	char *out = g->out;
	enum action a = ACT_NONE;
	size_t i;

	for (i = 0; i < n && a == ACT_NONE && g->fd >= 0; i++) {
		uint8_t c = data[i];

		switch (g->ps) {
		case PS_IDLE:
			if (c == 0x03) {
				if (running) {
					g->ctrl_c = true;
					g->want_stop = true;
					vcpu_request_stop(g->v);
				}
			} else if (c == '$') {
				g->ps = PS_DATA;
				g->pkt_len = 0;
				g->pkt_overflow = false;
				g->ck_sum = 0;
			} else if (c == '-' && !g->no_ack && g->last_out[0]) {
				send_raw(g, g->last_out, strlen(g->last_out));
			}
			/* '+' and noise between packets: ignored. */
			break;
		case PS_DATA:
			if (c == '#') {
				g->ps = PS_CK1;
				break;
			}
			g->ck_sum += c;
			if (g->pkt_len < PKT_MAX)
				g->pkt[g->pkt_len++] = (char)c;
			else
				g->pkt_overflow = true;
			break;
		case PS_CK1:
			if (hexval((char)c) < 0) {
				g->ps = PS_IDLE;
				if (!g->no_ack)
					send_raw(g, "-", 1);
				break;
			}
			g->ck_got = (uint8_t)(hexval((char)c) << 4);
			g->ps = PS_CK2;
			break;
		case PS_CK2:
			g->ps = PS_IDLE;
			if (hexval((char)c) < 0 || (uint8_t)(g->ck_got | hexval((char)c)) != g->ck_sum) {
				if (!g->no_ack)
					send_raw(g, "-", 1);
				break;
			}
			if (running)
				break; /* all-stop: gdb sends nothing but Ctrl-C while running */
			if (!g->no_ack)
				send_raw(g, "+", 1);
			g->pkt[g->pkt_len] = '\0';
			if (g->pkt_overflow || strlen(g->pkt) != g->pkt_len) {
				/* Too long, or a NUL inside: refuse it as a whole. */
				send_packet(g, "E22");
				break;
			}
			if (g->pkt_len == 0) {
				send_packet(g, "");
				break;
			}
			a = handle_packet(g, g->pkt, out);
			break;
		}
	}
	*used = i;
	return a;
}

static bool read_client(struct gdbstub *g)
{
	ssize_t n;

	if (g->in_len >= sizeof(g->inbuf))
		return true; /* full: process first */
	n = recv(g->fd, g->inbuf + g->in_len, sizeof(g->inbuf) - g->in_len, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
		g->client_gone = true;
		return false;
	}
	if (n > 0)
		g->in_len += (size_t)n;
	return true;
}

static enum action process_input(struct gdbstub *g, bool running)
{
	size_t used = 0;
	enum action a = feed(g, g->inbuf, g->in_len, running, &used);

	memmove(g->inbuf, g->inbuf + used, g->in_len - used);
	g->in_len -= used;
	return a;
}

void gdbstub_io(struct gdbstub *g)
{
	struct pollfd p[2] = { { .fd = g->listen_fd, .events = POLLIN },
			       { .fd = g->fd, .events = POLLIN } };

	if (poll(p, g->fd >= 0 ? 2 : 1, 0) <= 0)
		return;
	if (p[0].revents & POLLIN) {
		bool had = g->fd >= 0;

		do_accept(g);
		if (!had && g->fd >= 0) {
			/* gdb expects a stopped target when it connects. */
			g->want_stop = true;
			vcpu_request_stop(g->v);
			g->in_len = 0;
		}
	}
	if (g->fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
		if (read_client(g))
			process_input(g, true);
		if (g->client_gone) {
			g->client_gone = false;
			g->in_len = 0;
			drop_client(g, "client disconnected; the guest keeps running");
		}
	}
}

void gdbstub_exiting(struct gdbstub *g, int status)
{
	char pkt[8];

	if (!g || g->fd < 0)
		return;
	snprintf(pkt, sizeof(pkt), "W%02x", status & 0xff);
	send_packet(g, pkt);
}

enum gdbstub_result gdbstub_stopped(struct gdbstub *g, enum vcpu_stop stop, bool hold)
{
	struct vcpu *v = g->v;
	enum gdbstub_result result = GDBSTUB_RESUME;

	v->debug.step = false;
	g->want_stop = false;
	if (!hold && g->fd < 0) {
		g->ctrl_c = false;
		return GDBSTUB_RESUME; /* nobody to report to (the client went away) */
	}
	g->tb_stop = core_tb_read(&v->core);
	if (!hold)
		make_stop_reply(g, stop);
	g->ctrl_c = false;
	if (g->fd >= 0 && g->running_for_client)
		send_packet(g, g->stop_reply);
	g->running_for_client = false;

	for (;;) {
		struct pollfd p[2] = { { .fd = g->listen_fd, .events = POLLIN },
				       { .fd = g->fd, .events = POLLIN } };
		enum action a = ACT_NONE;
		int r;

		if (g->fd >= 0 && g->in_len) {
			a = process_input(g, false);
			if (a == ACT_NONE && g->in_len && g->fd >= 0 && !g->client_gone)
				continue;
		}
		if (a == ACT_NONE && !g->client_gone) {
			r = poll(p, g->fd >= 0 ? 2 : 1, -1);
			if (r < 0) {
				if (errno == EINTR &&
				    (atomic_load(&v->core.events) & CORE_EVENT_STOP))
					break; /* a signal: the caller decides */
				continue;
			}
			if (p[0].revents & POLLIN)
				do_accept(g);
			if (g->fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    read_client(g))
				a = process_input(g, false);
		}
		if (g->client_gone) {
			g->client_gone = false;
			g->in_len = 0;
			drop_client(g, "client disconnected; the guest resumes");
			a = ACT_RESUME;
			v->debug.step = false;
		}
		if (a == ACT_DETACH) {
			g->in_len = 0;
			drop_client(g, "client detached; the guest resumes");
			v->debug.step = false;
			a = ACT_RESUME;
		}
		if (a == ACT_KILL) {
			drop_client(g, "killed by the client");
			result = GDBSTUB_KILL;
			break;
		}
		if (a == ACT_RESUME)
			break;
	}
	vcpu_debug_resume_time(v, g->tb_stop);
	/* Bytes that came with the resume packet (a Ctrl-C right behind "c"): running input. */
	if (result == GDBSTUB_RESUME && g->fd >= 0 && g->in_len)
		process_input(g, true);
	return result;
}
