/* SPDX-License-Identifier: MIT */
/* qmp.c - QMP (--qmp SPEC): greeting, negotiation, run control, registers, events; docs/qmp.md. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "tools/qmp.h"
#include "util/log.h"

/*
 * The protocol is QEMU's (docs/interop/qmp-spec in QEMU): the server greets
 * with {"QMP": ...}, the client must send qmp_capabilities first, every
 * command gets one {"return": ...} or {"error": {"class", "desc"}} with the
 * client's "id" copied, and events are {"timestamp", "event", "data"}. Like
 * QEMU's JSON streamer, messages are split by their brackets, not by lines.
 * Replies and event order follow QEMU 7.2 as observed on qemu-system-ppc
 * -M bamboo (events before the command's return).
 *
 * Threads: everything runs on the vcpu thread from the board's event loop,
 * between run chunks or while the guest is stopped (docs/design.md).
 */

#define QMP_MAX_MSG   (64u << 10) /* one message; a longer one ends the connection */
#define QMP_MAX_DEPTH 1024        /* nesting of arrays and objects (QEMU's limit) */
#define QMP_MAX_MEMBERS 16        /* members of one object we look at */
#define SEND_WAIT_MS  1000        /* a client that reads nothing for this long is dropped */

enum run_state { RUN_RUNNING, RUN_PAUSED, RUN_PRELAUNCH };

struct qmp {
	struct loop *loop;
	struct vcpu *v;
	int listen_fd, client_fd;
	bool server, listening;   /* listening: listen_fd is on the loop */
	bool negotiated;          /* qmp_capabilities done: commands and events */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* unix server: to unlink */
	enum run_state state;
	uint64_t tb_stop;         /* the timebase when the guest was stopped (time is frozen) */
	unsigned requests;
	bool reset_reply;         /* a system_reset waits for its return until the reset is done */
	char *reset_id;           /* ... with this id (compact JSON) or none */
	/* The stream: bytes read, of which [0, scan) are split into messages already. */
	char in[QMP_MAX_MSG + 1];
	size_t len, scan;
	int depth;                /* open brackets at scan */
	char quote;               /* inside a string: its quote character */
	bool escape;              /* ... just after a backslash */
};

/* ---- output ---- */

static void drop_client(struct qmp *q);

static void send_all(struct qmp *q, const char *p, size_t n)
{
	while (n && q->client_fd >= 0) {
		ssize_t w = send(q->client_fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = q->client_fd, .events = POLLOUT };

			if (poll(&pfd, 1, SEND_WAIT_MS) > 0)
				continue;
		}
		if (w <= 0) {
			drop_client(q); /* gone, or not reading: nothing more to tell it */
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* QMP ends every message with CR LF, as QEMU's monitor does. */
static void send_msg(struct qmp *q, FILE *f, char **buf, size_t *len)
{
	fputs("\r\n", f);
	fclose(f);
	if (*buf)
		send_all(q, *buf, *len);
	free(*buf);
}

static void put_jstr(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_id(FILE *f, const char *id, size_t id_len)
{
	if (id)
		fprintf(f, "\"id\": %.*s", (int)id_len, id);
}

static void send_error(struct qmp *q, const char *id, size_t id_len, const char *cls,
		       const char *desc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fputc('{', f);
	if (id) {
		put_id(f, id, id_len);
		fputs(", ", f);
	}
	fprintf(f, "\"error\": {\"class\": \"%s\", \"desc\": ", cls);
	put_jstr(f, desc, strlen(desc));
	fputs("}}", f);
	send_msg(q, f, &buf, &len);
}

/* ret is a JSON value already. */
static void send_return(struct qmp *q, const char *id, size_t id_len, const char *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fprintf(f, "{\"return\": %s", ret);
	if (id) {
		fputs(", ", f);
		put_id(f, id, id_len);
	}
	fputc('}', f);
	send_msg(q, f, &buf, &len);
}

/* Events go to a client in command mode only (as QEMU's). data: a JSON object or NULL. */
static void send_event(struct qmp *q, const char *name, const char *data)
{
	struct timeval tv;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!q || q->client_fd < 0 || !q->negotiated)
		return;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	gettimeofday(&tv, NULL);
	fprintf(f, "{\"timestamp\": {\"seconds\": %lld, \"microseconds\": %ld}, \"event\": \"%s\"",
		(long long)tv.tv_sec, (long)tv.tv_usec, name);
	if (data)
		fprintf(f, ", \"data\": %s", data);
	fputc('}', f);
	send_msg(q, f, &buf, &len);
}

static void send_greeting(struct qmp *q)
{
	/*
	 * The QEMU version hv440's command line follows (7.2), so that tools
	 * that look at it take the 7.2 dialect; "package" says who answers.
	 * No capabilities: hv440 has no out-of-band execution.
	 */
	static const char greeting[] =
		"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
		"\"package\": \"hv440\"}, \"capabilities\": []}}\r\n";

	send_all(q, greeting, sizeof(greeting) - 1);
}

/* ---- JSON in (RFC 8259, plus QEMU's single-quoted strings) ---- */

struct jin {
	const char *p, *e;
	const char *err;          /* the first error, for "JSON parse error, ..." */
	char errbuf[96];
};

struct jmember {
	char key[64];
	const char *v, *ve;       /* the value's text */
};

static void skip_ws(struct jin *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool fail(struct jin *j, const char *what)
{
	if (!j->err)
		j->err = what;
	return false;
}

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

static void put_byte(char *out, size_t cap, size_t *n, char c)
{
	if (out && *n + 1 < cap)
		out[*n] = c;
	(*n)++;
}

static void put_utf8(char *out, size_t cap, size_t *n, uint32_t cp)
{
	char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	for (size_t i = 0; i < k; i++)
		put_byte(out, cap, n, b[i]);
}

/* A lone surrogate, in QEMU's words; esc points at its backslash. */
static bool bad_char(struct jin *j, const char *esc)
{
	snprintf(j->errbuf, sizeof(j->errbuf), "%.6s is not a valid Unicode character", esc);
	return fail(j, j->errbuf);
}

static bool read_u4(struct jin *j, uint32_t *cp)
{
	*cp = 0;
	if (j->e - j->p < 4)
		return fail(j, "invalid escape sequence in string");
	for (int i = 0; i < 4; i++) {
		int h = hexval(j->p[i]);

		if (h < 0)
			return fail(j, "invalid escape sequence in string");
		*cp = *cp << 4 | (uint32_t)h;
	}
	j->p += 4;
	return true;
}

/*
 * A string at j->p ("..." or '...'), decoded into out (cap bytes, NUL
 * terminated; *n is the full decoded length, which may exceed cap - 1).
 */
static bool jstring(struct jin *j, char *out, size_t cap, size_t *n)
{
	char quote = *j->p++;

	*n = 0;
	while (j->p < j->e && *j->p != quote) {
		unsigned char c = (unsigned char)*j->p++;
		uint32_t cp;

		if (c < 0x20)
			return fail(j, "control character in string");
		if (c != '\\') {
			put_byte(out, cap, n, (char)c); /* bytes >= 0x80 pass through as they are */
			continue;
		}
		if (j->p >= j->e)
			break;
		switch (*j->p++) {
		case '"': cp = '"'; break;
		case '\'': cp = '\''; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u': {
			const char *esc = j->p - 2;

			if (!read_u4(j, &cp))
				return false;
			if (cp >= 0xd800 && cp < 0xdc00) {
				uint32_t lo;

				if (j->e - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u')
					return bad_char(j, esc);
				j->p += 2;
				if (!read_u4(j, &lo) || lo < 0xdc00 || lo >= 0xe000)
					return bad_char(j, esc);
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return bad_char(j, esc);
			}
			if (!cp)
				return fail(j, "\\u0000 is not supported");
			break;
		}
		default:
			return fail(j, "invalid escape sequence in string");
		}
		put_utf8(out, cap, n, cp);
	}
	if (j->p >= j->e)
		return fail(j, "missing end of string");
	j->p++;
	if (out && cap)
		out[*n < cap ? *n : cap - 1] = 0;
	return true;
}

static bool jvalue(struct jin *j, int depth, FILE *out);

static bool jnumber(struct jin *j)
{
	if (j->p < j->e && *j->p == '-')
		j->p++;
	if (j->p >= j->e || *j->p < '0' || *j->p > '9')
		return fail(j, "invalid number");
	while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
		j->p++;
	if (j->p < j->e && *j->p == '.') {
		j->p++;
		if (j->p >= j->e || *j->p < '0' || *j->p > '9')
			return fail(j, "invalid number");
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->e || *j->p < '0' || *j->p > '9')
			return fail(j, "invalid number");
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return true;
}

static bool jkeyword(struct jin *j)
{
	static const char *const words[] = { "true", "false", "null" };
	const char *s = j->p;
	size_t n;

	while (j->p < j->e && ((*j->p >= 'a' && *j->p <= 'z') || (*j->p >= 'A' && *j->p <= 'Z') ||
			       (*j->p >= '0' && *j->p <= '9') || *j->p == '_'))
		j->p++;
	n = (size_t)(j->p - s);
	for (unsigned i = 0; i < 3; i++)
		if (n == strlen(words[i]) && !memcmp(s, words[i], n))
			return true;
	if (!n)
		return fail(j, "expecting value");
	snprintf(j->errbuf, sizeof(j->errbuf), "invalid keyword '%.*s'", n > 40 ? 40 : (int)n, s);
	return fail(j, j->errbuf);
}

/*
 * An object at j->p: each member's key and value text into m[] (at most
 * max; later ones are checked but not kept, *n counts them all).
 */
static bool jobject(struct jin *j, int depth, struct jmember *m, unsigned max, unsigned *n,
		    FILE *out)
{
	*n = 0;
	j->p++;
	skip_ws(j);
	if (out)
		fputc('{', out);
	if (j->p < j->e && *j->p == '}') {
		j->p++;
		if (out)
			fputc('}', out);
		return true;
	}
	for (;;) {
		struct jmember tmp, *cur = *n < max ? &m[*n] : &tmp;
		size_t klen;

		skip_ws(j);
		if (j->p >= j->e || (*j->p != '"' && *j->p != '\''))
			return fail(j, "key is not a string in object");
		if (out) {
			if (*n)
				fputs(", ", out);
			if (!jvalue(j, depth + 1, out))
				return false;
			fputs(": ", out);
			cur->key[0] = 0;
		} else if (!jstring(j, cur->key, sizeof(cur->key), &klen)) {
			return false;
		}
		if (!out && klen >= sizeof(cur->key))
			cur->key[0] = '?'; /* no key we know is this long */
		skip_ws(j);
		if (j->p >= j->e || *j->p != ':')
			return fail(j, "missing ':' in object");
		j->p++;
		skip_ws(j);
		cur->v = j->p;
		if (!jvalue(j, depth + 1, out))
			return false;
		cur->ve = j->p;
		(*n)++;
		skip_ws(j);
		if (j->p < j->e && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->e && *j->p == '}') {
			j->p++;
			if (out)
				fputc('}', out);
			return true;
		}
		return fail(j, "expecting ',' or '}' in object");
	}
}

/* Check one value; with out, write it there again as compact JSON with double quotes. */
static bool jvalue(struct jin *j, int depth, FILE *out)
{
	const char *s;

	skip_ws(j);
	if (depth > QMP_MAX_DEPTH)
		return fail(j, "nesting too deep");
	if (j->p >= j->e)
		return fail(j, "expecting value");
	switch (*j->p) {
	case '{': {
		struct jmember m;
		unsigned n;

		return jobject(j, depth, &m, 0, &n, out);
	}
	case '[':
		j->p++;
		skip_ws(j);
		if (out)
			fputc('[', out);
		if (j->p < j->e && *j->p == ']') {
			j->p++;
			if (out)
				fputc(']', out);
			return true;
		}
		for (bool first = true;; first = false) {
			if (out && !first)
				fputs(", ", out);
			if (!jvalue(j, depth + 1, out))
				return false;
			skip_ws(j);
			if (j->p < j->e && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->e && *j->p == ']') {
				j->p++;
				if (out)
					fputc(']', out);
				return true;
			}
			return fail(j, "expecting ',' or ']' in array");
		}
	case '"':
	case '\'': {
		size_t n, cap = (size_t)(j->e - j->p) + 1;
		char *buf = out ? malloc(cap) : NULL;
		bool ok;

		if (out && !buf)
			return fail(j, "out of memory");
		ok = jstring(j, buf, buf ? cap : 0, &n);
		if (ok && out)
			put_jstr(out, buf, n);
		free(buf);
		return ok;
	}
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		s = j->p;
		if (!jnumber(j))
			return false;
		break;
	default:
		s = j->p;
		if (!jkeyword(j))
			return false;
		break;
	}
	if (out)
		fwrite(s, 1, (size_t)(j->p - s), out);
	return true;
}

/* Parse a member's value as a string into out; false when it is not one. */
static bool member_string(const struct jmember *m, char *out, size_t cap, size_t *n)
{
	struct jin j = { .p = m->v, .e = m->ve };

	if (m->v >= m->ve || (*m->v != '"' && *m->v != '\''))
		return false;
	return jstring(&j, out, cap, n);
}

/* ---- commands ---- */

struct request {
	const char *id;           /* the client's "id" as compact JSON, or NULL */
	size_t id_len;
	char *id_buf;
	struct jmember args[QMP_MAX_MEMBERS];
	unsigned n_args;
};

static const char *status_name(enum run_state s)
{
	return s == RUN_RUNNING ? "running" : s == RUN_PAUSED ? "paused" : "prelaunch";
}

/* Commands without arguments refuse any (QEMU: "Parameter 'x' is unexpected"). */
static bool no_args(struct qmp *q, const struct request *r)
{
	char desc[128];

	if (!r->n_args)
		return true;
	snprintf(desc, sizeof(desc), "Parameter '%.63s' is unexpected", r->args[0].key);
	send_error(q, r->id, r->id_len, "GenericError", desc);
	return false;
}

static void do_stop(struct qmp *q)
{
	if (q->state != RUN_RUNNING)
		return; /* already stopped (or prelaunch, which stays so): no event, as QEMU 7.2 */
	q->state = RUN_PAUSED;
	/* Guest time stops with the guest (QEMU stops its virtual clock). */
	q->tb_stop = core_tb_read(&q->v->core);
	vcpu_request_stop(q->v);
	send_event(q, "STOP", NULL);
}

static void do_cont(struct qmp *q)
{
	if (q->state == RUN_RUNNING)
		return;
	q->state = RUN_RUNNING;
	vcpu_debug_resume_time(q->v, q->tb_stop);
	send_event(q, "RESUME", NULL);
}

static void fmt_cr(FILE *f, uint32_t cr)
{
	fprintf(f, "CR %08x  [", cr);
	for (int i = 0; i < 8; i++) {
		unsigned fld = (cr >> (28 - 4 * i)) & 0xf;

		/* Each field as LT/GT/EQ (the first set of them) and SO. */
		fprintf(f, " %c%c", fld & 8 ? 'L' : fld & 4 ? 'G' : fld & 2 ? 'E' : '-',
			fld & 1 ? 'O' : ' ');
	}
	fputs(" ]\n", f);
}

/* The 440's registers, laid out as QEMU's "info registers" for PowerPC where they exist. */
static void info_registers(struct qmp *q, FILE *f)
{
	static const struct { uint32_t bit; const char *name; } msr_bits[] = {
		{ MSR_WE, "WE" }, { MSR_CE, "CE" }, { MSR_EE, "EE" }, { MSR_PR, "PR" },
		{ MSR_FP, "FP" }, { MSR_ME, "ME" }, { MSR_FE0, "FE0" }, { MSR_DWE, "DWE" },
		{ MSR_DE, "DE" }, { MSR_FE1, "FE1" }, { MSR_IS, "IS" }, { MSR_DS, "DS" },
	};
	struct vcpu *v = q->v;
	struct core *c = &v->core;
	uint64_t tb;
	uint32_t dec;
	int i;

	if (q->state != RUN_RUNNING)
		vcpu_debug_resume_time(v, q->tb_stop); /* DEC as of the stop: time is frozen */
	tb = core_tb_read(c);
	dec = vcpu_debug_read_dec(v);
	core_fp_settle(c); /* the JIT may leave FPSCR bits to work out */

	fputs("CPU#0\n", f);
	fprintf(f, "NIP %08x   LR %08x CTR %08x XER %08x CPU#0\n", c->pc, c->lr, c->ctr, c->xer);
	fprintf(f, "MSR %08x [", v->msr);
	for (i = 0; i < (int)(sizeof(msr_bits) / sizeof(msr_bits[0])); i++)
		if (v->msr & msr_bits[i].bit)
			fprintf(f, " %s", msr_bits[i].name);
	fprintf(f, " ]%s\n", v->halted ? " waiting" : "");
	fprintf(f, "TB %08x %08x DECR %08x\n", (uint32_t)(tb >> 32), (uint32_t)tb, dec);
	for (i = 0; i < 32; i++) {
		if (i % 8 == 0)
			fprintf(f, "GPR%02d", i);
		fprintf(f, " %08x%s", c->gpr[i], i % 8 == 7 ? "\n" : "");
	}
	fmt_cr(f, c->cr);
	for (i = 0; i < 32; i++) {
		if (i % 4 == 0)
			fprintf(f, "FPR%02d", i);
		fprintf(f, " %016llx%s", (unsigned long long)c->fpr[i], i % 4 == 3 ? "\n" : "");
	}
	fprintf(f, "FPSCR %08x\n", c->fpscr);
	fprintf(f, " SRR0 %08x  SRR1 %08x    PVR %08x USPRG0 %08x\n", v->srr0, v->srr1, v->pvr,
		c->usprg0);
	for (i = 0; i < 8; i++)
		fprintf(f, "SPRG%d %08x%s", i, v->sprg[i], i % 4 == 3 ? "\n" : " ");
	fprintf(f, "CSRR0 %08x CSRR1 %08x MCSRR0 %08x MCSRR1 %08x\n", v->csrr0, v->csrr1,
		v->mcsrr0, v->mcsrr1);
	fprintf(f, "  TCR %08x   TSR %08x    ESR %08x   DEAR %08x\n", v->tcr, v->tsr, v->esr,
		v->dear);
	fprintf(f, "  PIR %08x DECAR %08x   IVPR %08x   MCSR %08x\n", v->pir, v->decar, v->ivpr,
		v->mcsr);
	fprintf(f, "  PID %08x MMUCR %08x   CCR0 %08x   CCR1 %08x\n", v->pid, v->mmucr, v->ccr0,
		v->ccr1);
	for (i = 0; i < 16; i++)
		fprintf(f, "IVOR%-2d %08x%s", i, v->ivor[i], i % 4 == 3 ? "\n" : " ");
	fprintf(f, "DBCR0 %08x DBCR1 %08x  DBCR2 %08x   DBSR %08x\n", v->dbcr0, v->dbcr1,
		v->dbcr2, v->dbsr);
	fprintf(f, " IAC1 %08x  IAC2 %08x   IAC3 %08x   IAC4 %08x\n", v->iac[0], v->iac[1],
		v->iac[2], v->iac[3]);
	fprintf(f, " DAC1 %08x  DAC2 %08x   DVC1 %08x   DVC2 %08x\n", v->dac[0], v->dac[1],
		v->dvc[0], v->dvc[1]);
}

/* HMP through QMP: the few monitor commands hv440 has; output lines end CR LF as QEMU's. */
static void human_monitor(struct qmp *q, const struct request *r)
{
	char line[256], *out = NULL, *text = NULL;
	size_t n = 0, outlen = 0, textlen = 0;
	const struct jmember *cl = NULL;
	FILE *f, *g;
	unsigned i;

	for (i = 0; i < r->n_args && i < QMP_MAX_MEMBERS; i++) {
		if (!strcmp(r->args[i].key, "command-line")) {
			cl = &r->args[i];
		} else if (!strcmp(r->args[i].key, "cpu-index")) {
			/* One CPU: index 0 only. */
			if (r->args[i].ve - r->args[i].v != 1 || *r->args[i].v != '0') {
				send_error(q, r->id, r->id_len, "GenericError",
					   "Parameter 'cpu-index' expects a CPU number");
				return;
			}
		} else {
			snprintf(line, sizeof(line), "Parameter '%.63s' is unexpected", r->args[i].key);
			send_error(q, r->id, r->id_len, "GenericError", line);
			return;
		}
	}
	if (!cl) {
		send_error(q, r->id, r->id_len, "GenericError", "Parameter 'command-line' is missing");
		return;
	}
	if (!member_string(cl, line, sizeof(line), &n)) {
		send_error(q, r->id, r->id_len, "GenericError",
			   "Invalid parameter type for 'command-line', expected: string");
		return;
	}
	if (n >= sizeof(line))
		line[sizeof(line) - 1] = 0;
	f = open_memstream(&text, &textlen);
	if (!f)
		return;
	/* Words separated by blanks, as the monitor reads them. */
	{
		char *w[3] = { 0 }, *save = NULL, *tok = strtok_r(line, " \t", &save);
		unsigned nw = 0;

		while (tok && nw < 3) {
			w[nw++] = tok;
			tok = strtok_r(NULL, " \t", &save);
		}
		if (nw == 2 && !strcmp(w[0], "info") && !strcmp(w[1], "registers"))
			info_registers(q, f);
		else if (nw == 2 && !strcmp(w[0], "info") && !strcmp(w[1], "status"))
			fprintf(f, "VM status: %s\n", q->state == RUN_RUNNING ? "running" :
				q->state == RUN_PAUSED ? "paused" : "paused (prelaunch)");
		else if (nw)
			fprintf(f, "unknown command: '%s'\n", w[0]);
	}
	fclose(f);
	/* LF -> CR LF, then as one JSON string. */
	g = open_memstream(&out, &outlen);
	if (!g) {
		free(text);
		return;
	}
	{
		char *crlf = malloc(textlen * 2 + 1);
		size_t k = 0;

		if (crlf) {
			for (i = 0; i < textlen; i++) {
				if (text[i] == '\n')
					crlf[k++] = '\r';
				crlf[k++] = text[i];
			}
			put_jstr(g, crlf, k);
			free(crlf);
		}
	}
	fclose(g);
	if (out)
		send_return(q, r->id, r->id_len, out);
	free(out);
	free(text);
}

static void capabilities(struct qmp *q, const struct request *r)
{
	char desc[160];

	for (unsigned i = 0; i < r->n_args && i < QMP_MAX_MEMBERS; i++) {
		const struct jmember *m = &r->args[i];
		struct jin j = { .p = m->v, .e = m->ve };

		if (strcmp(m->key, "enable")) {
			snprintf(desc, sizeof(desc), "Parameter '%.63s' is unexpected", m->key);
			send_error(q, r->id, r->id_len, "GenericError", desc);
			return;
		}
		/* Every capability asked for is one hv440 does not offer (it offers none). */
		if (*j.p != '[') {
			send_error(q, r->id, r->id_len, "GenericError",
				   "Invalid parameter type for 'enable', expected: array");
			return;
		}
		j.p++;
		skip_ws(&j);
		if (*j.p != ']') {
			char name[32];
			size_t n;

			if ((*j.p != '"' && *j.p != '\'') || !jstring(&j, name, sizeof(name), &n)) {
				send_error(q, r->id, r->id_len, "GenericError",
					   "Invalid parameter type for 'enable', expected: string");
				return;
			}
			if (strcmp(name, "oob"))
				snprintf(desc, sizeof(desc),
					 "Parameter 'enable' does not accept value '%s'", name);
			else
				snprintf(desc, sizeof(desc), "Capability oob not available");
			send_error(q, r->id, r->id_len, "GenericError", desc);
			return;
		}
	}
	q->negotiated = true;
	send_return(q, r->id, r->id_len, "{}");
}

static void command(struct qmp *q, const char *name, const struct request *r)
{
	char desc[200];

	if (!q->negotiated && strcmp(name, "qmp_capabilities")) {
		send_error(q, r->id, r->id_len, "CommandNotFound",
			   "Expecting capabilities negotiation with 'qmp_capabilities'");
		return;
	}
	if (!strcmp(name, "qmp_capabilities")) {
		if (q->negotiated)
			send_error(q, r->id, r->id_len, "CommandNotFound",
				   "Capabilities negotiation is already complete, command ignored");
		else
			capabilities(q, r);
	} else if (!strcmp(name, "query-status")) {
		if (!no_args(q, r))
			return;
		snprintf(desc, sizeof(desc),
			 "{\"status\": \"%s\", \"singlestep\": false, \"running\": %s}",
			 status_name(q->state), q->state == RUN_RUNNING ? "true" : "false");
		send_return(q, r->id, r->id_len, desc);
	} else if (!strcmp(name, "stop")) {
		if (!no_args(q, r))
			return;
		do_stop(q);
		send_return(q, r->id, r->id_len, "{}");
	} else if (!strcmp(name, "cont")) {
		if (!no_args(q, r))
			return;
		do_cont(q);
		send_return(q, r->id, r->id_len, "{}");
	} else if (!strcmp(name, "system_reset")) {
		if (!no_args(q, r))
			return;
		/*
		 * The run loop resets the board; then qmp_reset_done() sends the
		 * RESET event and this return, in QEMU's order.
		 */
		if (q->requests & QMP_REQ_RESET) {
			send_return(q, r->id, r->id_len, "{}"); /* one reset answers both */
			return;
		}
		q->requests |= QMP_REQ_RESET;
		q->reset_reply = true;
		free(q->reset_id);
		q->reset_id = r->id ? strndup(r->id, r->id_len) : NULL;
		vcpu_request_stop(q->v);
	} else if (!strcmp(name, "system_powerdown")) {
		if (!no_args(q, r))
			return;
		/*
		 * QEMU's bamboo wires nothing to a power-down request (no ACPI, no
		 * power button GPIO): it sends POWERDOWN and the guest sees
		 * nothing. hv440 does the same.
		 */
		send_event(q, "POWERDOWN", NULL);
		send_return(q, r->id, r->id_len, "{}");
	} else if (!strcmp(name, "quit")) {
		if (!no_args(q, r))
			return;
		qmp_shutdown(q, false, "host-qmp-quit");
		q->requests |= QMP_REQ_QUIT;
		vcpu_request_stop(q->v);
		send_return(q, r->id, r->id_len, "{}");
	} else if (!strcmp(name, "human-monitor-command")) {
		human_monitor(q, r);
	} else {
		snprintf(desc, sizeof(desc), "The command %.100s has not been found", name);
		send_error(q, r->id, r->id_len, "CommandNotFound", desc);
	}
}

static void dispatch(struct qmp *q, struct request *r, const struct jmember *m, unsigned n);

/* One complete message from the stream. */
static void message(struct qmp *q, const char *s, size_t len)
{
	struct jin j = { .p = s, .e = s + len };
	struct jmember m[QMP_MAX_MEMBERS];
	struct request r = { 0 };
	char desc[200];
	unsigned n = 0, i;
	bool ok;

	skip_ws(&j);
	ok = j.p < j.e && *j.p == '{' ? jobject(&j, 0, m, QMP_MAX_MEMBERS, &n, NULL) :
	     jvalue(&j, 0, NULL);
	if (ok) {
		skip_ws(&j);
		if (j.p != j.e)
			ok = fail(&j, "expecting value");
	}
	if (!ok) {
		snprintf(desc, sizeof(desc), "JSON parse error, %s", j.err);
		send_error(q, NULL, 0, "GenericError", desc);
		return;
	}
	j.p = s;
	skip_ws(&j);
	if (*j.p != '{') {
		send_error(q, NULL, 0, "GenericError", "QMP input must be a JSON object");
		return;
	}
	for (i = 0; i < n && i < QMP_MAX_MEMBERS; i++) {
		if (!strcmp(m[i].key, "id")) {
			/* Copied into the answer on one line, as QEMU re-serializes it. */
			struct jin idj = { .p = m[i].v, .e = m[i].ve };
			FILE *f;

			free(r.id_buf);
			r.id_buf = NULL;
			f = open_memstream(&r.id_buf, &r.id_len);
			if (f) {
				jvalue(&idj, 0, f);
				fclose(f);
			}
			r.id = r.id_buf;
		}
	}
	dispatch(q, &r, m, n);
	free(r.id_buf);
}

static void dispatch(struct qmp *q, struct request *r, const struct jmember *m, unsigned n)
{
	const struct jmember *exec = NULL, *args = NULL;
	char name[128], desc[200];
	size_t nlen;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (i >= QMP_MAX_MEMBERS) {
			send_error(q, r->id, r->id_len, "GenericError", "QMP input has too many members");
			return;
		}
		if (!strcmp(m[i].key, "execute")) {
			exec = &m[i];
			if (!member_string(exec, name, sizeof(name), &nlen)) {
				send_error(q, r->id, r->id_len, "GenericError",
					   "QMP input member 'execute' must be a string");
				return;
			}
			if (nlen >= sizeof(name))
				name[sizeof(name) - 1] = 0;
		} else if (!strcmp(m[i].key, "arguments")) {
			args = &m[i];
			if (*args->v != '{') {
				send_error(q, r->id, r->id_len, "GenericError",
					   "QMP input member 'arguments' must be an object");
				return;
			}
		} else if (strcmp(m[i].key, "id")) {
			snprintf(desc, sizeof(desc), "QMP input member '%.63s' is unexpected", m[i].key);
			send_error(q, r->id, r->id_len, "GenericError", desc);
			return;
		}
	}
	if (!exec) {
		send_error(q, r->id, r->id_len, "GenericError", "QMP input lacks member 'execute'");
		return;
	}
	if (args) {
		struct jin a = { .p = args->v, .e = args->ve };

		if (!jobject(&a, 0, r->args, QMP_MAX_MEMBERS, &r->n_args, NULL))
			return; /* checked above */
		if (r->n_args > QMP_MAX_MEMBERS) {
			send_error(q, r->id, r->id_len, "GenericError", "too many arguments");
			return;
		}
	}
	command(q, name, r);
}

/* ---- the stream ---- */

static void drop_client(struct qmp *q)
{
	if (q->client_fd < 0)
		return;
	loop_remove_fd(q->loop, q->client_fd);
	close(q->client_fd);
	q->client_fd = -1;
	q->len = q->scan = 0;
	q->depth = 0;
	q->quote = 0;
	q->escape = false;
	q->negotiated = false;
	q->reset_reply = false; /* the reset still happens; its answer has nobody to go to */
}

static void listen_ready(void *opaque, int fd, short revents);

/* The client left: take the next one. */
static void relisten(struct qmp *q)
{
	if (q->server && !q->listening && q->listen_fd >= 0)
		q->listening = loop_add_fd(q->loop, q->listen_fd, POLLIN, listen_ready, q) == 0;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Split q->in into messages by counting brackets outside strings (QEMU's
 * JSON streamer does the same): an object or array ends where its
 * brackets balance; a bare word or number at the top ends at a blank or
 * a bracket. Each one is handled as it completes.
 */
static void split(struct qmp *q)
{
	size_t start = 0;

	while (q->scan < q->len && q->client_fd >= 0) {
		char c = q->in[q->scan++];

		if (q->quote) {
			if (q->escape)
				q->escape = false;
			else if (c == '\\')
				q->escape = true;
			else if (c == q->quote)
				q->quote = 0;
			if (q->quote || q->depth)
				continue;
			/* A top-level string: a message of its own. */
			message(q, q->in + start, q->scan - start);
			start = q->scan;
			continue;
		}
		if (q->depth == 0 && start == q->scan - 1 && is_ws(c)) {
			start = q->scan; /* blanks between messages */
			continue;
		}
		if (c == '"' || c == '\'') {
			q->quote = c;
			continue;
		}
		if (c == '{' || c == '[') {
			if (q->depth == 0 && start != q->scan - 1) {
				/* A bare word ran into a bracket: the word is a message. */
				message(q, q->in + start, q->scan - 1 - start);
				start = q->scan - 1;
			}
			q->depth++;
			continue;
		}
		if (c == '}' || c == ']') {
			if (q->depth == 0) {
				send_error(q, NULL, 0, "GenericError", "JSON parse error, expecting value");
				start = q->scan;
				continue;
			}
			if (--q->depth == 0) {
				message(q, q->in + start, q->scan - start);
				start = q->scan;
			}
			continue;
		}
		if (q->depth == 0 && is_ws(c)) {
			message(q, q->in + start, q->scan - 1 - start);
			start = q->scan;
		}
	}
	if (q->client_fd < 0)
		return;
	memmove(q->in, q->in + start, q->len - start);
	q->len -= start;
	q->scan -= start;
}

static void client_ready(void *opaque, int fd, short revents)
{
	struct qmp *q = opaque;
	ssize_t n;

	(void)revents;
	n = read(fd, q->in + q->len, QMP_MAX_MSG - q->len);
	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		drop_client(q);
		relisten(q);
		return;
	}
	q->len += (size_t)n;
	split(q);
	if (q->client_fd >= 0 && q->len == QMP_MAX_MSG) {
		send_error(q, NULL, 0, "GenericError", "JSON parse error, message too long");
		drop_client(q);
	}
	if (q->client_fd < 0)
		relisten(q);
}

/* Take a client: greet it; further clients wait in the backlog until it leaves (as QEMU). */
static int take_client(struct qmp *q, int cfd)
{
	if (loop_add_fd(q->loop, cfd, POLLIN, client_ready, q)) {
		close(cfd);
		return -1;
	}
	q->client_fd = cfd;
	q->negotiated = false;
	if (q->listening) {
		loop_remove_fd(q->loop, q->listen_fd);
		q->listening = false;
	}
	send_greeting(q);
	return 0;
}

static void listen_ready(void *opaque, int fd, short revents)
{
	struct qmp *q = opaque;
	int cfd;

	(void)revents;
	if (q->client_fd >= 0)
		return;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd >= 0)
		take_client(q, cfd);
}

static int watch_listen(struct qmp *q)
{
	q->listening = loop_add_fd(q->loop, q->listen_fd, POLLIN, listen_ready, q) == 0;
	return q->listening ? 0 : -1;
}

/* ---- the endpoint ---- */

struct spec {
	bool unix_sock;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char host[256], port[8];
	bool server, wait;
};

static bool flag_value(const char *opt, const char *name, bool *val)
{
	size_t n = strlen(name);

	if (strncmp(opt, name, n))
		return false;
	if (!opt[n]) {
		*val = true;
		return true;
	}
	if (!strcmp(opt + n, "=on")) {
		*val = true;
		return true;
	}
	if (!strcmp(opt + n, "=off")) {
		*val = false;
		return true;
	}
	return false;
}

static int parse_spec(const char *spec, struct spec *s)
{
	char buf[512], *opts, *opt, *save = NULL;
	bool nowait = false, wait_set = false;

	memset(s, 0, sizeof(*s));
	if (strlen(spec) >= sizeof(buf)) {
		log_err("--qmp '%.40s...' is too long\n", spec);
		return -1;
	}
	strcpy(buf, spec);
	opts = strchr(buf, ',');
	if (opts)
		*opts++ = 0;
	if (!strncmp(buf, "unix:", 5) && buf[5]) {
		s->unix_sock = true;
		if (strlen(buf + 5) >= sizeof(s->path)) {
			log_err("--qmp path '%s' is too long\n", buf + 5);
			return -1;
		}
		strcpy(s->path, buf + 5);
	} else if (!strncmp(buf, "tcp:", 4)) {
		char *colon = strrchr(buf + 4, ':');
		char *host = buf + 4;
		size_t hl;

		if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(s->port) ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atol(colon + 1) > 65535) {
			log_err("invalid --qmp '%s' (use tcp:HOST:PORT)\n", spec);
			return -1;
		}
		hl = (size_t)(colon - host);
		if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
			host++;
			hl -= 2;
		}
		if (hl >= sizeof(s->host)) {
			log_err("--qmp host name in '%s' is too long\n", spec);
			return -1;
		}
		memcpy(s->host, host, hl);
		s->host[hl] = 0;
		strcpy(s->port, colon + 1);
	} else {
		log_err("invalid --qmp '%s' (use unix:PATH[,server,nowait] or "
			"tcp:HOST:PORT[,server,nowait])\n", spec);
		return -1;
	}
	for (opt = opts ? strtok_r(opts, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save)) {
		bool val;

		if (flag_value(opt, "server", &val)) {
			s->server = val;
		} else if (flag_value(opt, "wait", &val)) {
			s->wait = val;
			wait_set = true;
		} else if (!strcmp(opt, "nowait")) {
			nowait = true;
		} else {
			log_err("--qmp: unknown socket option '%s' (hv440 takes server, "
				"nowait, wait=on|off)\n", opt);
			return -1;
		}
	}
	/* QEMU: a server waits for its first client unless told not to. */
	if (!wait_set)
		s->wait = true;
	if (nowait)
		s->wait = false;
	if (!s->server)
		s->wait = false;
	return 0;
}

static int open_unix(struct qmp *q, const struct spec *s, const char *spec)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	strcpy(sa.sun_path, s->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("--qmp %s: %s\n", spec, strerror(errno));
		return -1;
	}
	if (!s->server) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			log_err("--qmp: cannot connect to '%s': %s\n", s->path,
				strerror(errno));
			close(fd);
			return -1;
		}
		q->client_fd = fd;
		return 0;
	}
	/* A socket left behind by an earlier run is replaced; any other file is not. */
	if (stat(s->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(s->path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		log_err("--qmp: cannot listen on '%s': %s\n", s->path,
			strerror(errno));
		close(fd);
		return -1;
	}
	strcpy(q->path, s->path);
	q->listen_fd = fd;
	return 0;
}

static int open_tcp(struct qmp *q, const struct spec *s, const char *spec)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int fd = -1, err = 0, one = 1, r;

	/* An empty HOST: every interface for a server, this host for a client (as QEMU). */
	hints.ai_flags = s->server ? AI_PASSIVE : 0;
	r = getaddrinfo(s->host[0] ? s->host : NULL, s->port, &hints, &res);
	if (r) {
		log_err("--qmp %s: %s\n", spec, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (s->server) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 4))
				break;
		} else if (!connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			break;
		}
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		log_err("--qmp %s: cannot %s: %s\n", spec,
			s->server ? "listen" : "connect", strerror(err ? err : EADDRNOTAVAIL));
		return -1;
	}
	if (!s->server) {
		q->client_fd = fd;
		return 0;
	}
	q->listen_fd = fd;
	if (!strcmp(s->port, "0")) {
		/* Port 0 picks a free one: say which. */
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char h[64], p[8];

		if (!getsockname(fd, (struct sockaddr *)&ss, &sl) &&
		    !getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p),
				 NI_NUMERICHOST | NI_NUMERICSERV))
			log_err("QMP listening on tcp:%s:%s\n", h, p);
	}
	return 0;
}

int qmp_open(struct qmp **out, const char *spec, struct loop *loop, struct vcpu *v)
{
	struct spec s;
	struct qmp *q;
	int cfd;

	*out = NULL;
	if (parse_spec(spec, &s))
		return -1;
	q = calloc(1, sizeof(*q));
	if (!q) {
		log_err("out of memory\n");
		return -1;
	}
	q->loop = loop;
	q->v = v;
	q->listen_fd = q->client_fd = -1;
	q->server = s.server;
	q->state = RUN_RUNNING;
	if (s.unix_sock ? open_unix(q, &s, spec) : open_tcp(q, &s, spec)) {
		free(q);
		return -1;
	}
	if (!s.server) {
		int fd = q->client_fd;

		q->client_fd = -1;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (take_client(q, fd)) {
			log_err("--qmp: too many host file descriptors\n");
			free(q);
			return -1;
		}
		*out = q;
		return 0;
	}
	if (s.wait) {
		/* QEMU's wait=on: nothing runs until the first client is there. */
		struct pollfd p = { .fd = q->listen_fd, .events = POLLIN };

		log_err("--qmp: waiting for a client on %s\n", spec);
		for (;;) {
			if (poll(&p, 1, -1) < 0) {
				if (errno != EINTR)
					continue;
				/* A signal (SIGINT, SIGTERM): the caller ends hv440. */
				qmp_close(q);
				return -1;
			}
			cfd = accept4(q->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (cfd >= 0)
				break;
		}
		if (take_client(q, cfd)) {
			log_err("--qmp: too many host file descriptors\n");
			qmp_close(q);
			return -1;
		}
	} else if (watch_listen(q)) {
		log_err("--qmp: too many host file descriptors\n");
		qmp_close(q);
		return -1;
	}
	*out = q;
	return 0;
}

void qmp_close(struct qmp *q)
{
	if (!q)
		return;
	drop_client(q);
	if (q->listen_fd >= 0) {
		if (q->listening)
			loop_remove_fd(q->loop, q->listen_fd);
		close(q->listen_fd);
	}
	if (q->path[0])
		unlink(q->path);
	free(q->reset_id);
	free(q);
}

void qmp_hold(struct qmp *q)
{
	if (!q)
		return;
	q->state = RUN_PRELAUNCH;
	q->tb_stop = core_tb_read(&q->v->core);
}

bool qmp_running(const struct qmp *q)
{
	return !q || q->state == RUN_RUNNING;
}

unsigned qmp_take_requests(struct qmp *q)
{
	unsigned r;

	if (!q)
		return 0;
	r = q->requests;
	q->requests = 0;
	return r;
}

void qmp_reset_done(struct qmp *q, bool guest)
{
	if (!q)
		return;
	/* The reset restarted the timebase: a stopped guest stays stopped at the new time. */
	if (q->state != RUN_RUNNING)
		q->tb_stop = core_tb_read(&q->v->core);
	send_event(q, "RESET", guest ? "{\"guest\": true, \"reason\": \"guest-reset\"}" :
		   "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}");
	if (!guest && q->reset_reply) {
		send_return(q, q->reset_id, q->reset_id ? strlen(q->reset_id) : 0, "{}");
		q->reset_reply = false;
		free(q->reset_id);
		q->reset_id = NULL;
	}
}

void qmp_shutdown(struct qmp *q, bool guest, const char *reason)
{
	char data[128];

	if (!q)
		return;
	snprintf(data, sizeof(data), "{\"guest\": %s, \"reason\": \"%s\"}", guest ? "true" : "false",
		 reason);
	send_event(q, "SHUTDOWN", data);
}
