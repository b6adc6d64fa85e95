/* SPDX-License-Identifier: MIT */
/* supervisor.c - `hv440 system`: one hv440 child per partition, watched, restarted, stopped; the control socket. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "system/system.h"

#define MAX_CLIENTS 8
#define STOP_GRACE_MS 3000    /* SIGTERM, then SIGKILL after this */
#define RESTART_DELAY_MS 200  /* a crash loop costs the host at most five starts a second */
#define CHANNEL_FD 3          /* where a child finds its byte channel socket (--bytechan fd:3) */
#define LATE_OUTPUT_MS 100     /* a partition's output after its watchdog took the service away */
#define MGMT_FD 4             /* where the manager finds its management socket */
#define CONSOLE_FD 5          /* a copied console's socket (--serial fd:5), carried by the supervisor */

/* ePAPR status codes and Topaz's partition states (Linux epapr_hcalls.h, fsl_hypervisor.h). */
#define EV_SUCCESS 0u
#define EV_EINVAL 8u
#define EV_INVALID_STATE 11u
#define FH_PARTITION_STOPPED 0u
#define FH_PARTITION_RUNNING 1u
#define FH_PARTITION_STARTING 2u
#define FH_PARTITION_STOPPING 3u

enum state { ST_STOPPED, ST_RUNNING, ST_HALTED, ST_RESTARTING, ST_DEAD };
static const char *const state_names[] = { "stopped", "running", "halted", "restarting", "dead" };

struct child {
	struct sys_partition *p;
	unsigned idx;
	enum state st;
	pid_t pid;                /* 0 when no process */
	int out_fd;               /* the child's stdout+stderr, or -1 */
	char line[512];
	size_t line_len;
	unsigned restarts;        /* automatic restarts since the last start by hand */
	bool stopping;            /* stop asked: do not apply the restart policy */
	bool restart_after_stop;  /* restart asked: start again once reaped */
	long long due_ms;         /* ST_RESTARTING: when; stopping: when to SIGKILL; else 0 */
	char last_exit[48];
	unsigned watchdogs;       /* watchdog resets seen in its output, all its runs */
	bool watchdog_fired;      /* this run's process reported one */
	char con_line[512];       /* a copied "log" console's line so far */
	size_t con_len;
};

struct client {
	int fd;
	char buf[512];
	size_t len;
};

struct sup {
	struct sys_desc *d;
	struct sys_cpu *cpu;
	struct child ch[SYS_MAX_PARTITIONS];
	int chan_fd[SYS_MAX_PARTITIONS][2];  /* the socketpair of each partition-to-partition channel */
	int sig_fd, listen_fd;
	int mgmt[2];              /* the manager's management socketpair: ours, the child's */
	char mgmt_buf[128];
	size_t mgmt_len;
	char *control_path;
	struct client cl[MAX_CLIENTS];
	/*
	 * Hot standby: a host endpoint the primary and its standby share is
	 * served here (one client, as hv440's own unix: endpoint), and its bytes
	 * go to and come from whichever of the two is serving.
	 */
	int svc[SYS_MAX_PARTITIONS][2];      /* per partition: ours, the child's fd 3 */
	int svc_listen[SYS_MAX_PARTITIONS];  /* per channel with a standby */
	int svc_client[SYS_MAX_PARTITIONS];
	int serving[SYS_MAX_PARTITIONS];     /* per primary: it or its standby */
	int served[SYS_MAX_PARTITIONS];      /* per primary: the one that served before, or -1 */
	long long served_until[SYS_MAX_PARTITIONS];  /* until when its late output still counts */
	/*
	 * Secure monitoring: a console some channel copies is carried here
	 * (per partition: the socket pair, and its unix: listener and client
	 * or its file), and each copy channel is a socket pair whose monitor
	 * end only receives (per channel).
	 */
	int con[SYS_MAX_PARTITIONS][2];
	int con_listen[SYS_MAX_PARTITIONS], con_client[SYS_MAX_PARTITIONS];
	int con_file[SYS_MAX_PARTITIONS];
	int copy[SYS_MAX_PARTITIONS][2];
	bool exiting;                        /* stopping everything: no takeovers */
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("hv440: system: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- starting a partition ---- */

/* The child's byte channel socket, or -1 (none, or a host endpoint passed by spec). */
static int channel_fd(struct sup *s, struct child *c)
{
	const struct sys_channel *ch;

	if (c->p->channel < 0)
		return -1;
	ch = &s->d->chan[c->p->channel];
	if (ch->copy_of >= 0)
		return s->copy[c->p->channel][1];
	if (ch->standby >= 0)
		return s->svc[c->idx][1];
	if (ch->b < 0)
		return -1;
	return s->chan_fd[c->p->channel][(int)c->idx == ch->a ? 0 : 1];
}

static int build_argv(struct sup *s, struct child *c, const char **argv, size_t max)
{
	const struct sys_partition *p = c->p;
	size_t n = 0;

#define ARG(x) do { if (n + 1 >= max) return -1; argv[n++] = (x); } while (0)
	ARG("hv440");
	ARG("--kernel");
	ARG(p->kernel);
	if (p->initrd) {
		ARG("--initrd");
		ARG(p->initrd);
	}
	if (p->bootargs) {
		ARG("--append");
		ARG(p->bootargs);
	}
	ARG("-m");
	ARG(p->memory);
	for (unsigned i = 0; i < p->n_disks; i++) {
		ARG("--disk");
		ARG(p->disks[i]);
	}
	for (unsigned i = 0; i < p->n_nics; i++) {
		ARG("--net");
		ARG(p->nics[i]);
	}
	ARG("--serial");
	ARG(p->console_copied ? "fd:5" : strcmp(p->console, "log") ? p->console : "stdio");
	if (p->channel >= 0) {
		const struct sys_channel *ch = &s->d->chan[p->channel];

		ARG("--bytechan");
		ARG(ch->b < 0 && ch->standby < 0 && ch->copy_of < 0 ? ch->host : "fd:3");
	}
	if (!p->paravirt)
		ARG("--no-paravirt");
	/* A reset (the watchdog's, or the guest's own) ends the process: the supervisor decides. */
	if (p->watchdog == WATCHDOG_STOP || p->watchdog == WATCHDOG_NOTIFY)
		ARG("--no-reboot");
	argv[n] = NULL;
#undef ARG
	return 0;
}

/*
 * An event for the managing partition (hw/hvmgr.c rings its doorbell):
 * "E HANDLE s" when c's state changed, "E HANDLE w" when its watchdog
 * expired. Only a running manager hears it; it asks GET_STATUS for the rest.
 */
static void notify(struct sup *s, const struct child *c, char kind)
{
	char ev[32];
	int k;

	if (s->mgmt[0] < 0 || c->p->manager)
		return;
	for (unsigned i = 0; i < s->d->n_part; i++)
		if (s->ch[i].p->manager && !s->ch[i].pid)
			return;
	k = snprintf(ev, sizeof(ev), "E %u %c\n", c->idx, kind);
	if (send(s->mgmt[0], ev, (size_t)k, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		say("event for the manager lost: %s", strerror(errno));
}

static int start(struct sup *s, struct child *c)
{
	const char *argv[64];
	static char *envp[256];
	static char mgmt_env[] = "HV440_SYSTEM_MGMT_FD=4";
	int out[2], devnull, fds[3] = { channel_fd(s, c), c->p->manager ? s->mgmt[1] : -1,
					 c->p->console_copied ? s->con[c->idx][1] : -1 };
	size_t ne = 0;
	pid_t parent = getpid(), pid;
	sigset_t all;

	if (build_argv(s, c, argv, sizeof(argv) / sizeof(argv[0]))) {
		say("partition %s: too many options", c->p->name);
		return -1;
	}
	if (pipe2(out, O_CLOEXEC)) {
		say("partition %s: pipe: %s", c->p->name, strerror(errno));
		return -1;
	}
	/* The environment as it is, less any management fd, plus ours for the manager. */
	for (char **e = environ; *e && ne + 2 < sizeof(envp) / sizeof(envp[0]); e++)
		if (strncmp(*e, "HV440_SYSTEM_MGMT_FD=", 21))
			envp[ne++] = *e;
	if (fds[1] >= 0)
		envp[ne++] = mgmt_env;
	envp[ne] = NULL;
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid = fork();
	if (pid == 0) {
		/* Async-signal-safe calls only from here to exec. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);  /* the terminal's Ctrl-C goes to the supervisor, which stops us */
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		/*
		 * The channel, management and console sockets to fds 3, 4, 5, by
		 * way of copies above them all (a source may be 3, 4 or 5 itself);
		 * an unused one of the three stays closed.
		 */
		for (int k = 0; k < 3; k++)
			if (fds[k] >= 0)
				fds[k] = fcntl(fds[k], F_DUPFD, 64);
		for (int k = 0; k < 3; k++) {
			if (fds[k] >= 0)
				dup2(fds[k], CHANNEL_FD + k);
			else
				close(CHANNEL_FD + k);
		}
		/* Nothing else of ours or of whoever started us: not the other channels' sockets. */
		close_range(CONSOLE_FD + 1, ~0u, 0);
		cpu_enter(s->cpu, c->idx);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		execve("/proc/self/exe", (char *const *)argv, envp);
		_exit(127);
	}
	if (devnull >= 0)
		close(devnull);
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		say("partition %s: fork: %s", c->p->name, strerror(errno));
		return -1;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	if (c->out_fd >= 0)
		close(c->out_fd);  /* a restart before the old output drained */
	c->out_fd = out[0];
	c->line_len = 0;
	c->pid = pid;
	c->watchdog_fired = false;
	c->st = ST_RUNNING;
	c->stopping = c->restart_after_stop = false;
	c->due_ms = 0;
	say("partition %s started (pid %d)", c->p->name, (int)pid);
	notify(s, c, 's');
	return 0;
}

static void stop(struct sup *s, struct child *c, bool then_restart)
{
	if (c->st == ST_RESTARTING && !c->pid) {
		c->st = then_restart ? ST_RESTARTING : ST_STOPPED;
		c->due_ms = then_restart ? now_ms() : 0;
		notify(s, c, 's');
		return;
	}
	if (!c->pid)
		return;
	kill(c->pid, SIGTERM);
	notify(s, c, 's');
	c->stopping = true;
	c->restart_after_stop = then_restart;
	if (then_restart)
		c->st = ST_RESTARTING;
	c->due_ms = now_ms() + STOP_GRACE_MS;
}

/* ---- hot standby ---- */

static void svc_output(struct sup *s, unsigned idx);

/* The other of a primary and its standby, or NULL. */
static struct child *partner(struct sup *s, const struct child *c)
{
	int k = c->p->standby >= 0 ? c->p->standby : c->p->standby_of;

	return k >= 0 ? &s->ch[k] : NULL;
}

/*
 * c stopped serving (its watchdog expired, or its process ended): its
 * partner serves from now on, started first if it is not running. The
 * shared host endpoint's client stays connected; bytes c had not read yet
 * are dropped, so a restarted c does not answer them.
 */
static void takeover(struct sup *s, struct child *c, const char *why)
{
	struct child *o = partner(s, c);
	int primary = c->p->standby >= 0 ? (int)c->idx : c->p->standby_of;
	long long t0 = now_ms();
	char junk[4096];

	if (!o || s->exiting || s->serving[primary] != (int)c->idx)
		return;  /* c was not serving: nothing moves */
	if (c->p->channel >= 0 && s->d->chan[c->p->channel].standby >= 0) {
		/* What c said before it failed still reaches the client (the poll may see it after this). */
		svc_output(s, c->idx);
		/* What c had not read of the shared endpoint yet is not for a restarted c. */
		while (recv(s->svc[c->idx][1], junk, sizeof(junk), MSG_DONTWAIT) > 0)
			;
	}
	s->serving[primary] = (int)o->idx;
	/*
	 * hv440 holds up to a millisecond of byte-channel output
	 * (docs/system.md, batching) while its watchdog line is already on
	 * its way: what a partition whose watchdog expired said just before
	 * still reaches the client for a moment.
	 */
	s->served[primary] = (int)c->idx;
	s->served_until[primary] = now_ms() + LATE_OUTPUT_MS;
	if (!o->pid) {
		o->restarts = 0;
		if (start(s, o)) {
			say("partition %s: %s; %s could not be started to take over", c->p->name, why,
			    o->p->name);
			return;
		}
	}
	say("partition %s takes over from %s (%s) in %lld ms", o->p->name, c->p->name, why,
	    now_ms() - t0);
}

/* Bytes from a partition on a shared endpoint: to the client if it serves, else dropped. */
static void svc_output(struct sup *s, unsigned idx)
{
	int chan = s->d->part[idx].channel, cl = s->svc_client[chan], primary = s->d->chan[chan].a;
	bool serves = s->serving[primary] == (int)idx ||
		      (s->served[primary] == (int)idx && now_ms() < s->served_until[primary]);
	char buf[4096];
	ssize_t n;

	while ((n = recv(s->svc[idx][0], buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (cl >= 0 && serves &&
		    send(cl, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN) {
			close(cl);
			s->svc_client[chan] = cl = -1;
		}
}

/* Bytes from the shared endpoint's client: to the partition serving it. */
static void svc_input(struct sup *s, unsigned chan)
{
	int cl = s->svc_client[chan];
	char buf[4096];
	ssize_t n;

	n = recv(cl, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(cl);
		s->svc_client[chan] = -1;
		return;
	}
	/* A full socket buffer (a partition not reading) drops bytes, as hv440's chardev does. */
	if (n > 0)
		(void)!send(s->svc[s->serving[s->d->chan[chan].a]][0], buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* ---- secure monitoring: copied consoles ---- */

/* A copied console going to the log: its own lines, prefixed as the child's output is. */
static void con_log(struct child *c, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\r')
			continue;
		if (buf[i] == '\n' || c->con_len == sizeof(c->con_line)) {
			printf("%s| %.*s\n", c->p->name, (int)c->con_len, c->con_line);
			c->con_len = 0;
			if (buf[i] == '\n')
				continue;
		}
		c->con_line[c->con_len++] = buf[i];
	}
	fflush(stdout);
}

/*
 * What partition idx wrote on its console: a copy to every channel that
 * copies it (dropped when the monitor does not read), then where the
 * console goes (the log, its unix: client, its file, or nowhere).
 */
static void con_output(struct sup *s, unsigned idx)
{
	const char *dest = s->d->part[idx].console;
	char buf[4096];
	ssize_t n;

	while ((n = recv(s->con[idx][0], buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		for (unsigned k = 0; k < s->d->n_chan; k++)
			if (s->d->chan[k].copy_of == (int)idx)
				(void)!send(s->copy[k][0], buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (!strcmp(dest, "log")) {
			con_log(&s->ch[idx], buf, (size_t)n);
		} else if (s->con_file[idx] >= 0) {
			(void)!write(s->con_file[idx], buf, (size_t)n);
		} else if (s->con_client[idx] >= 0 &&
			   send(s->con_client[idx], buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
			   errno != EAGAIN) {
			close(s->con_client[idx]);
			s->con_client[idx] = -1;
		}
	}
}

/* Input of a copied console's unix: client: to the partition, as hv440's own endpoint would. */
static void con_input(struct sup *s, unsigned idx)
{
	char buf[4096];
	ssize_t n = recv(s->con_client[idx], buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(s->con_client[idx]);
		s->con_client[idx] = -1;
		return;
	}
	if (n > 0)
		(void)!send(s->con[idx][0], buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* What a monitor writes into its copy channel goes nowhere: read-only. */
static void copy_discard(struct sup *s, unsigned chan)
{
	char buf[4096];

	while (recv(s->copy[chan][0], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* ---- output of the children: one prefixed line at a time ---- */

static void flush_line(struct sup *s, struct child *c)
{
	static const char wd[] = "hv440: watchdog reset";

	if (!c->line_len)
		return;
	/* hv440's own line (main.c): the 440 watchdog expired in this partition. */
	if (c->line_len >= sizeof(wd) - 1 && !memcmp(c->line, wd, sizeof(wd) - 1)) {
		c->watchdogs++;
		c->watchdog_fired = true;
		say("partition %s: watchdog expired (%u so far); action: %s", c->p->name, c->watchdogs,
		    c->p->watchdog == WATCHDOG_STOP ? "stop" :
		    c->p->watchdog == WATCHDOG_NOTIFY ? "notify-manager" : "reset");
		if (c->p->watchdog == WATCHDOG_NOTIFY)
			notify(s, c, 'w');
		takeover(s, c, "watchdog");
	}
	printf("%s| %.*s\n", c->p->name, (int)c->line_len, c->line);
	fflush(stdout);
	c->line_len = 0;
}

static void drain(struct sup *s, struct child *c)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(c->out_fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			char ch = buf[i];

			if (ch == '\r')
				continue;
			if (ch == '\n' || c->line_len == sizeof(c->line)) {
				flush_line(s, c);
				if (ch == '\n')
					continue;
			}
			c->line[c->line_len++] = ch;
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		flush_line(s, c);
		close(c->out_fd);
		c->out_fd = -1;
	}
}

/* ---- deaths ---- */

/* A console socket of a killed child is left behind: remove it (a new start makes it again). */
static void remove_console_socket(const struct sys_partition *p)
{
	struct stat st;

	if (!p->console_copied && !strncmp(p->console, "unix:", 5) && lstat(p->console + 5, &st) == 0 &&
	    S_ISSOCK(st.st_mode))
		unlink(p->console + 5);
}

static void reaped(struct sup *s, struct child *c, int status)
{
	const struct sys_partition *p = c->p;
	bool failure;
	enum state st;

	if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);

		bool wd = code == 0 && c->watchdog_fired;

		snprintf(c->last_exit, sizeof(c->last_exit), "exit %d%s", code,
			 wd ? " (watchdog)" : code == 0 ? " (reset or quit)" : code == 2 ? " (halted)" :
			 code == 3 ? " (checkstop)" : "");
		/* A watchdog that stopped the partition is a failure: on-failure restarts it. */
		st = wd ? ST_DEAD : code == 0 ? ST_STOPPED : code == 2 ? ST_HALTED : ST_DEAD;
		failure = wd || (code != 0 && code != 2);
	} else {
		snprintf(c->last_exit, sizeof(c->last_exit), "signal %d", WTERMSIG(status));
		st = ST_DEAD;
		failure = true;
	}
	if (c->out_fd >= 0)
		drain(s, c);
	remove_console_socket(p);
	c->pid = 0;
	takeover(s, c, c->last_exit);
	if (c->stopping) {
		c->stopping = false;
		if (c->restart_after_stop) {
			say("partition %s stopped (%s); starting it again", p->name, c->last_exit);
			c->restarts = 0;
			if (start(s, c))
				c->st = ST_DEAD;
			return;
		}
		c->st = ST_STOPPED;
		c->due_ms = 0;
		say("partition %s stopped (%s)", p->name, c->last_exit);
		notify(s, c, 's');
		return;
	}
	if ((p->restart == RESTART_ALWAYS || (p->restart == RESTART_ON_FAILURE && failure)) &&
	    c->restarts < p->restart_limit) {
		c->restarts++;
		c->st = ST_RESTARTING;
		c->due_ms = now_ms() + RESTART_DELAY_MS;
		say("partition %s ended: %s; restarting (%u of %u)", p->name, c->last_exit,
		    c->restarts, p->restart_limit);
		notify(s, c, 's');
		return;
	}
	c->st = st;
	c->due_ms = 0;
	say("partition %s ended: %s; now %s%s", p->name, c->last_exit, state_names[st],
	    p->restart != RESTART_NEVER && c->restarts >= p->restart_limit ?
	    " (restart limit reached)" : "");
	notify(s, c, 's');
}

static void reap_all(struct sup *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < s->d->n_part; i++)
			if (s->ch[i].pid == pid)
				reaped(s, &s->ch[i], status);
	}
}

/* ---- the control socket: JSON lines ---- */

/* The string value of "key" in a flat JSON object, or a bare word's position: 0 or -1. */
static int json_str(const char *line, const char *key, char *out, size_t max)
{
	char pat[32];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(line, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	p += strspn(p, " \t");
	if (*p++ != ':')
		return -1;
	p += strspn(p, " \t");
	if (*p++ != '"')
		return -1;
	while (*p && *p != '"' && n + 1 < max) {
		if (*p == '\\' && p[1])
			p++;
		out[n++] = *p++;
	}
	out[n] = '\0';
	return *p == '"' ? 0 : -1;
}

static void json_escape(char *out, size_t max, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < max; s++) {
		if (*s == '"' || *s == '\\') {
			out[n++] = '\\';
			out[n++] = *s;
		} else if ((unsigned char)*s < 0x20) {
			n += (size_t)snprintf(out + n, max - n, "\\u%04x", *s);
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

static void reply(struct client *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct client *cl, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* Replies are short; a client that does not read them loses them. */
	if (send(cl->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return;
}

static void list(struct sup *s, struct client *cl)
{
	for (unsigned i = 0; i < s->d->n_part; i++) {
		const struct child *c = &s->ch[i];
		char con[300], ex[64];

		json_escape(con, sizeof(con), c->p->console);
		json_escape(ex, sizeof(ex), c->last_exit);
		int primary = c->p->standby >= 0 ? (int)i : c->p->standby_of;
		char pair[96] = "";

		/* A primary and its standby: which of the two serves. */
		if (primary >= 0)
			snprintf(pair, sizeof(pair), ",\"standby_of\":\"%s\",\"serving\":%s",
				 c->p->standby_of >= 0 ? s->d->part[c->p->standby_of].name : "",
				 s->serving[primary] == (int)i ? "true" : "false");
		reply(cl, "{\"name\":\"%s\",\"state\":\"%s\",\"pid\":%d,\"manager\":%s,"
		      "\"restarts\":%u,\"watchdogs\":%u,\"last_exit\":\"%s\",\"console\":\"%s\"%s}",
		      c->p->name, state_names[c->st], (int)c->pid, c->p->manager ? "true" : "false",
		      c->restarts, c->watchdogs, ex, con, pair);
	}
	reply(cl, "{\"ok\":true,\"partitions\":%u}", s->d->n_part);
}

static void command(struct sup *s, struct client *cl, char *line)
{
	char cmd[16] = "", name[64] = "";
	struct child *c = NULL;

	if (line[0] != '{') {
		/* Bare words too, for people at a shell: "list", "stop worker". */
		if (sscanf(line, "%15s %63s", cmd, name) < 1)
			return;
	} else if (json_str(line, "cmd", cmd, sizeof(cmd))) {
		reply(cl, "{\"ok\":false,\"error\":\"no \\\"cmd\\\" (list, start, stop, restart)\"}");
		return;
	} else {
		json_str(line, "name", name, sizeof(name));
	}
	if (!strcmp(cmd, "list")) {
		list(s, cl);
		return;
	}
	if (strcmp(cmd, "start") && strcmp(cmd, "stop") && strcmp(cmd, "restart")) {
		reply(cl, "{\"ok\":false,\"error\":\"unknown command (list, start, stop, restart)\"}");
		return;
	}
	for (unsigned i = 0; i < s->d->n_part; i++)
		if (!strcmp(s->ch[i].p->name, name))
			c = &s->ch[i];
	if (!c) {
		reply(cl, "{\"ok\":false,\"error\":\"no partition named \\\"%.60s\\\"\"}", name);
		return;
	}
	if (!strcmp(cmd, "start")) {
		if (c->pid) {
			reply(cl, "{\"ok\":false,\"error\":\"%s is running\"}", c->p->name);
			return;
		}
		c->restarts = 0;
		if (start(s, c)) {
			reply(cl, "{\"ok\":false,\"error\":\"%s could not be started\"}", c->p->name);
			return;
		}
	} else if (!strcmp(cmd, "stop")) {
		if (!c->pid && c->st != ST_RESTARTING) {
			reply(cl, "{\"ok\":false,\"error\":\"%s is not running\"}", c->p->name);
			return;
		}
		stop(s, c, false);
	} else {
		c->restarts = 0;
		if (c->pid || c->st == ST_RESTARTING)
			stop(s, c, true);
		else if (start(s, c)) {
			reply(cl, "{\"ok\":false,\"error\":\"%s could not be started\"}", c->p->name);
			return;
		}
	}
	reply(cl, "{\"ok\":true}");
}

static void client_input(struct sup *s, struct client *cl)
{
	ssize_t n = read(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len);
	char *nl;

	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(cl->fd);
		cl->fd = -1;
		cl->len = 0;
		return;
	}
	cl->len += (size_t)n;
	cl->buf[cl->len] = '\0';
	while ((nl = strchr(cl->buf, '\n'))) {
		*nl = '\0';
		command(s, cl, cl->buf);
		cl->len -= (size_t)(nl + 1 - cl->buf);
		memmove(cl->buf, nl + 1, cl->len + 1);
	}
	if (cl->len == sizeof(cl->buf) - 1) {
		reply(cl, "{\"ok\":false,\"error\":\"line too long\"}");
		cl->len = 0;
	}
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		say("socket path %s is too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			say("%s exists and is not a socket", path);
			return -1;
		}
		/* A socket someone answers on is another supervisor's: never take it over. */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			say("%s is in use by a running supervisor", path);
			return -1;
		}
		if (fd >= 0)
			close(fd);
		unlink(path);  /* a stale one from a supervisor that was killed */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		say("cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ---- the manager's partition-management requests ("OP HANDLE" lines; docs/system.md) ---- */

static uint32_t manage(struct sup *s, unsigned op, unsigned handle, uint32_t *value)
{
	struct child *c;

	*value = 0;
	if (handle >= s->d->n_part)
		return EV_EINVAL;
	c = &s->ch[handle];
	switch (op) {
	case 5: /* FH_PARTITION_GET_STATUS */
		*value = c->st == ST_RUNNING ? (c->stopping ? FH_PARTITION_STOPPING : FH_PARTITION_RUNNING) :
			 c->st == ST_RESTARTING ? FH_PARTITION_STARTING : FH_PARTITION_STOPPED;
		return EV_SUCCESS;
	case 6: /* FH_PARTITION_START */
		if (c->pid || c->st == ST_RESTARTING)
			return EV_INVALID_STATE;
		c->restarts = 0;
		say("partition %s: start asked by the manager", c->p->name);
		return start(s, c) ? EV_INVALID_STATE : EV_SUCCESS;
	case 7: /* FH_PARTITION_STOP */
		if (!c->pid || c->stopping)
			return EV_INVALID_STATE;
		say("partition %s: stop asked by the manager", c->p->name);
		stop(s, c, false);
		return EV_SUCCESS;
	case 4: /* FH_PARTITION_RESTART */
		say("partition %s: restart asked by the manager", c->p->name);
		c->restarts = 0;
		if (c->pid || c->st == ST_RESTARTING)
			stop(s, c, true);
		else if (start(s, c))
			return EV_INVALID_STATE;
		return EV_SUCCESS;
	}
	return EV_EINVAL;
}

/*
 * "L": the partitions the manager manages, for its /hypervisor/handles
 * (hw/hvmgr.c): "P HANDLE NAME WD" each (WD 1: its watchdog notifies the
 * manager), then ".".
 */
static void list_for_manager(struct sup *s)
{
	char line[64];

	for (unsigned i = 0; i < s->d->n_part; i++) {
		const struct sys_partition *p = &s->d->part[i];
		int k;

		if (p->manager)
			continue;
		k = snprintf(line, sizeof(line), "P %u %s %d\n", i, p->name,
			     p->watchdog == WATCHDOG_NOTIFY);
		if (send(s->mgmt[0], line, (size_t)k, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			say("management answer lost: %s", strerror(errno));
	}
	if (send(s->mgmt[0], ".\n", 2, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		say("management answer lost: %s", strerror(errno));
}

static void mgmt_input(struct sup *s)
{
	ssize_t n = read(s->mgmt[0], s->mgmt_buf + s->mgmt_len, sizeof(s->mgmt_buf) - 1 - s->mgmt_len);
	char *nl;

	if (n <= 0)
		return;  /* the manager is gone for now; its restart reuses the socket */
	s->mgmt_len += (size_t)n;
	s->mgmt_buf[s->mgmt_len] = '\0';
	while ((nl = strchr(s->mgmt_buf, '\n'))) {
		unsigned op, handle;
		uint32_t st = EV_EINVAL, value = 0;
		char ans[32];
		int k;

		*nl = '\0';
		if (!strcmp(s->mgmt_buf, "L")) {
			list_for_manager(s);
			s->mgmt_len -= (size_t)(nl + 1 - s->mgmt_buf);
			memmove(s->mgmt_buf, nl + 1, s->mgmt_len + 1);
			continue;
		}
		if (sscanf(s->mgmt_buf, "%u %u", &op, &handle) == 2)
			st = manage(s, op, handle, &value);
		k = snprintf(ans, sizeof(ans), "%u %u\n", st, value);
		if (send(s->mgmt[0], ans, (size_t)k, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			say("management answer lost: %s", strerror(errno));
		s->mgmt_len -= (size_t)(nl + 1 - s->mgmt_buf);
		memmove(s->mgmt_buf, nl + 1, s->mgmt_len + 1);
	}
	if (s->mgmt_len == sizeof(s->mgmt_buf) - 1)
		s->mgmt_len = 0;
}

/* ---- the loop ---- */

static void shutdown_all(struct sup *s)
{
	long long deadline = now_ms() + STOP_GRACE_MS;
	bool any;

	s->exiting = true;
	for (unsigned i = 0; i < s->d->n_part; i++)
		if (s->ch[i].pid) {
			kill(s->ch[i].pid, SIGTERM);
			s->ch[i].stopping = true;
			s->ch[i].restart_after_stop = false;
		}
	do {
		any = false;
		reap_all(s);
		for (unsigned i = 0; i < s->d->n_part; i++)
			any |= s->ch[i].pid != 0;
		if (any)
			usleep(20000);
	} while (any && now_ms() < deadline);
	for (unsigned i = 0; i < s->d->n_part; i++) {
		struct child *c = &s->ch[i];
		int status;

		if (!c->pid)
			continue;
		say("partition %s did not stop in %d ms: killing it", c->p->name, STOP_GRACE_MS);
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
			;
		reaped(s, c, status);
	}
	for (unsigned i = 0; i < s->d->n_part; i++)
		if (s->ch[i].out_fd >= 0) {
			drain(s, &s->ch[i]);
			if (s->ch[i].out_fd >= 0)
				close(s->ch[i].out_fd);
		}
}

static int loop(struct sup *s)
{
	for (;;) {
		struct pollfd pf[3 + MAX_CLIENTS + 8 * SYS_MAX_PARTITIONS];
		struct child *who[SYS_MAX_PARTITIONS];
		unsigned n = 0, nc = 0, first_client, first_child, first_svc, first_con;
		long long t = now_ms(), next = -1;
		struct signalfd_siginfo si;

		/* Timers: restarts due, stops that outlived their grace. */
		for (unsigned i = 0; i < s->d->n_part; i++) {
			struct child *c = &s->ch[i];

			if (!c->due_ms)
				continue;
			if (c->due_ms <= t) {
				c->due_ms = 0;
				if (c->pid && c->stopping) {
					say("partition %s did not stop in %d ms: killing it", c->p->name,
					    STOP_GRACE_MS);
					kill(c->pid, SIGKILL);
				} else if (!c->pid && c->st == ST_RESTARTING && start(s, c)) {
					c->st = ST_DEAD;
				}
			} else if (next < 0 || c->due_ms < next) {
				next = c->due_ms;
			}
		}
		pf[n++] = (struct pollfd){ .fd = s->sig_fd, .events = POLLIN };
		pf[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
		pf[n++] = (struct pollfd){ .fd = s->mgmt[0], .events = POLLIN };
		first_client = n;
		for (unsigned i = 0; i < MAX_CLIENTS; i++)
			pf[n++] = (struct pollfd){ .fd = s->cl[i].fd, .events = POLLIN };
		first_child = n;
		for (unsigned i = 0; i < s->d->n_part; i++)
			if (s->ch[i].out_fd >= 0) {
				who[nc++] = &s->ch[i];
				pf[n++] = (struct pollfd){ .fd = s->ch[i].out_fd, .events = POLLIN };
			}
		/* Shared endpoints: per channel its listener and client, per partition its socket (-1: none). */
		first_svc = n;
		for (unsigned i = 0; i < SYS_MAX_PARTITIONS; i++) {
			pf[n++] = (struct pollfd){ .fd = s->svc_listen[i], .events = POLLIN };
			pf[n++] = (struct pollfd){ .fd = s->svc_client[i], .events = POLLIN };
			pf[n++] = (struct pollfd){ .fd = s->svc[i][0], .events = POLLIN };
		}
		/* Copied consoles: per partition its socket, listener and client; per channel its copy. */
		first_con = n;
		for (unsigned i = 0; i < SYS_MAX_PARTITIONS; i++) {
			pf[n++] = (struct pollfd){ .fd = s->con[i][0], .events = POLLIN };
			pf[n++] = (struct pollfd){ .fd = s->con_listen[i], .events = POLLIN };
			pf[n++] = (struct pollfd){ .fd = s->con_client[i], .events = POLLIN };
			pf[n++] = (struct pollfd){ .fd = s->copy[i][0], .events = POLLIN };
		}
		if (poll(pf, n, next < 0 ? -1 : (int)(next - t + 1)) < 0) {
			if (errno == EINTR)
				continue;
			say("poll: %s", strerror(errno));
			return 1;
		}
		for (unsigned i = 0; i < nc; i++)
			if (pf[first_child + i].revents)
				drain(s, who[i]);
		for (unsigned i = 0; i < SYS_MAX_PARTITIONS; i++) {
			struct pollfd *q = &pf[first_svc + 3 * i];

			if (q[2].revents)
				svc_output(s, i);
			if (q[1].revents && s->svc_client[i] >= 0)
				svc_input(s, i);
			if (q[0].revents & POLLIN) {
				int fd = accept4(s->svc_listen[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

				/* One client at a time, as hv440's own unix: endpoint. */
				if (fd >= 0 && s->svc_client[i] >= 0)
					close(fd);
				else if (fd >= 0)
					s->svc_client[i] = fd;
			}
		}
		for (unsigned i = 0; i < SYS_MAX_PARTITIONS; i++) {
			struct pollfd *q = &pf[first_con + 4 * i];

			if (q[0].revents)
				con_output(s, i);
			if (q[2].revents && s->con_client[i] >= 0)
				con_input(s, i);
			if (q[3].revents)
				copy_discard(s, i);
			if (q[1].revents & POLLIN) {
				int fd = accept4(s->con_listen[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

				if (fd >= 0 && s->con_client[i] >= 0)
					close(fd);
				else if (fd >= 0)
					s->con_client[i] = fd;
			}
		}
		if (pf[2].revents & POLLIN)
			mgmt_input(s);
		if (pf[0].revents & POLLIN) {
			while (read(s->sig_fd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					continue;
				say("signal %u: stopping every partition", si.ssi_signo);
				shutdown_all(s);
				return 128 + (int)si.ssi_signo;
			}
			reap_all(s);
		}
		if (s->listen_fd >= 0 && (pf[1].revents & POLLIN)) {
			int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			unsigned i;

			for (i = 0; fd >= 0 && i < MAX_CLIENTS && s->cl[i].fd >= 0; i++)
				;
			if (fd >= 0 && i == MAX_CLIENTS)
				close(fd);
			else if (fd >= 0)
				s->cl[i] = (struct client){ .fd = fd };
		}
		for (unsigned i = 0; i < MAX_CLIENTS; i++)
			if (s->cl[i].fd >= 0 && pf[first_client + i].revents)
				client_input(s, &s->cl[i]);
	}
}

int supervisor_run(struct sys_desc *d, const char *control_path)
{
	static struct sup s;  /* large; one per process */
	sigset_t mask;
	int rc = 1;

	memset(&s, 0, sizeof(s));
	s.d = d;
	s.listen_fd = -1;
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		s.cl[i].fd = -1;
	for (unsigned i = 0; i < SYS_MAX_PARTITIONS; i++) {
		s.chan_fd[i][0] = s.chan_fd[i][1] = -1;
		s.svc[i][0] = s.svc[i][1] = s.svc_listen[i] = s.svc_client[i] = -1;
		s.con[i][0] = s.con[i][1] = s.con_listen[i] = s.con_client[i] = s.con_file[i] = -1;
		s.copy[i][0] = s.copy[i][1] = -1;
		s.serving[i] = (int)i;
		s.served[i] = -1;
	}
	s.mgmt[0] = s.mgmt[1] = -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	s.sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s.sig_fd < 0) {
		say("signalfd: %s", strerror(errno));
		return 1;
	}
	if (control_path) {
		s.listen_fd = listen_unix(control_path);
		if (s.listen_fd < 0)
			goto out;
		s.control_path = strdup(control_path);
	}
	/*
	 * The supervisor holds both ends of every channel for the system's
	 * life: a partition that restarts gets the same socket again, and its
	 * peer never sees the channel close.
	 */
	for (unsigned i = 0; i < d->n_chan; i++)
		if (d->chan[i].b >= 0 &&
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.chan_fd[i])) {
			say("channel %s: socketpair: %s", d->chan[i].name, strerror(errno));
			goto out;
		}
	for (unsigned i = 0; i < d->n_part; i++)
		if (d->part[i].manager &&
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.mgmt)) {
			say("management socketpair: %s", strerror(errno));
			goto out;
		}
	if (s.mgmt[0] >= 0)
		fcntl(s.mgmt[0], F_SETFL, O_NONBLOCK);
	/* A host endpoint a primary shares with its standby: ours to serve, a socket to each. */
	for (unsigned i = 0; i < d->n_chan; i++) {
		const struct sys_channel *ch = &d->chan[i];

		if (ch->standby < 0)
			continue;
		s.svc_listen[i] = listen_unix(ch->host + 5);
		if (s.svc_listen[i] < 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.svc[ch->a]) ||
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.svc[ch->standby])) {
			say("channel %s: cannot serve %s: %s", ch->name, ch->host, strerror(errno));
			goto out;
		}
	}
	/* Copied consoles: carried here, each to where it was going (docs/system.md). */
	for (unsigned i = 0; i < d->n_chan; i++)
		if (d->chan[i].copy_of >= 0 &&
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.copy[i])) {
			say("channel %s: socketpair: %s", d->chan[i].name, strerror(errno));
			goto out;
		}
	for (unsigned i = 0; i < d->n_part; i++) {
		const char *con = d->part[i].console;

		if (!d->part[i].console_copied)
			continue;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s.con[i])) {
			say("partition %s: console socketpair: %s", d->part[i].name, strerror(errno));
			goto out;
		}
		if (!strncmp(con, "unix:", 5)) {
			s.con_listen[i] = listen_unix(con + 5);
			if (s.con_listen[i] < 0)
				goto out;
		} else if (!strncmp(con, "file:", 5)) {
			s.con_file[i] = open(con + 5, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
			if (s.con_file[i] < 0) {
				say("partition %s: console %s: %s", d->part[i].name, con + 5, strerror(errno));
				goto out;
			}
		}
	}
	s.cpu = cpu_prepare(d);
	/* Every child first: a start tells the manager, which looks at them all (notify()). */
	for (unsigned i = 0; i < d->n_part; i++)
		s.ch[i] = (struct child){ .p = &d->part[i], .idx = i, .out_fd = -1 };
	for (unsigned i = 0; i < d->n_part; i++) {
		if (d->part[i].autostart && start(&s, &s.ch[i])) {
			shutdown_all(&s);
			goto out;
		}
	}
	if (control_path)
		say("%u partition%s; control socket unix:%s", d->n_part, d->n_part == 1 ? "" : "s",
		    control_path);
	rc = loop(&s);
out:
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		if (s.cl[i].fd >= 0)
			close(s.cl[i].fd);
	if (s.listen_fd >= 0) {
		close(s.listen_fd);
		unlink(control_path);
	}
	free(s.control_path);
	for (unsigned i = 0; i < SYS_MAX_PARTITIONS; i++)
		for (int k = 0; k < 2; k++)
			if (s.chan_fd[i][k] >= 0)
				close(s.chan_fd[i][k]);
	for (int k = 0; k < 2; k++)
		if (s.mgmt[k] >= 0)
			close(s.mgmt[k]);
	for (unsigned i = 0; i < SYS_MAX_PARTITIONS; i++) {
		for (int k = 0; k < 2; k++)
			if (s.svc[i][k] >= 0)
				close(s.svc[i][k]);
		if (s.svc_client[i] >= 0)
			close(s.svc_client[i]);
		if (s.svc_listen[i] >= 0) {
			close(s.svc_listen[i]);
			unlink(d->chan[i].host + 5);
		}
		for (int k = 0; k < 2; k++) {
			if (s.con[i][k] >= 0)
				close(s.con[i][k]);
			if (s.copy[i][k] >= 0)
				close(s.copy[i][k]);
		}
		if (s.con_client[i] >= 0)
			close(s.con_client[i]);
		if (s.con_file[i] >= 0)
			close(s.con_file[i]);
		if (s.con_listen[i] >= 0) {
			close(s.con_listen[i]);
			unlink(d->part[i].console + 5);
		}
	}
	cpu_release(s.cpu);
	close(s.sig_fd);
	return rc;
}

/* ---- the client side: --status ---- */

int supervisor_status(const char *spec)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const char req[] = "{\"cmd\":\"list\"}\n";
	char buf[8192];
	size_t len = 0;
	int fd;

	if (strncmp(spec, "unix:", 5) || !spec[5] || strlen(spec + 5) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "hv440: system: --status takes unix:PATH, not '%s'\n", spec);
		return 1;
	}
	strcpy(sa.sun_path, spec + 5);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		fprintf(stderr, "hv440: system: cannot reach a supervisor on %s: %s\n", spec + 5,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0) {
			fprintf(stderr, "hv440: system: no answer from %s\n", spec + 5);
			break;
		}
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			fprintf(stderr, "hv440: system: %s closed before the list ended\n", spec + 5);
			break;
		}
		len += (size_t)n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			if (!strncmp(buf, "{\"ok\":", 6)) {
				close(fd);
				return strncmp(buf, "{\"ok\":true", 10) ? 1 : 0;
			}
			puts(buf);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			len = 0;
	}
	close(fd);
	return 1;
}

/* ---- the command ---- */

static void system_usage(FILE *f)
{
	fprintf(f, "Usage: hv440 system [--check] FILE.dts [--control unix:PATH]\n"
		   "       hv440 system --status unix:PATH\n"
		   "Run (or with --check only validate) the partitions FILE.dts describes, each\n"
		   "its own sandboxed hv440 process; see docs/system.md.\n");
}

int system_cmd(int argc, char **argv)
{
	const char *file = NULL, *control = NULL;
	struct sys_desc d;
	bool check = false;
	int errors, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check")) {
			check = true;
		} else if (!strcmp(argv[i], "--status") || !strcmp(argv[i], "--control")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "hv440: system: %s needs unix:PATH\n", argv[i]);
				return 1;
			}
			if (!strcmp(argv[i], "--status"))
				return supervisor_status(argv[i + 1]);
			control = argv[++i];
			if (strncmp(control, "unix:", 5) || !control[5]) {
				fprintf(stderr, "hv440: system: --control takes unix:PATH, not '%s'\n",
					control);
				return 1;
			}
			control += 5;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			system_usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || file) {
			fprintf(stderr, "hv440: system: unexpected argument '%s' (try 'hv440 system --help')\n",
				argv[i]);
			return 1;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		system_usage(stderr);
		return 1;
	}
	errors = sys_desc_load(&d, file);
	if (errors) {
		sys_desc_free(&d);
		return 1;
	}
	if (check) {
		printf("%s: %u partitions, %u channels: ok\n", file, d.n_part, d.n_chan);
		sys_desc_free(&d);
		return 0;
	}
	rc = supervisor_run(&d, control);
	sys_desc_free(&d);
	return rc;
}
