/* SPDX-License-Identifier: MIT */
/* profile_report.c - `hv440 profile FILE --vmlinux ELF`: top guest functions and folded stacks. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/profile.h"
#include "tools/tools.h"

/* A counted name (function or folded stack), in a small open-addressing hash table. */
struct counter {
	char *key;
	uint64_t self, total;
	uint64_t last_sample; /* for counting a function once per sample in "total" */
};
struct table {
	struct counter *slot;
	size_t cap, used;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

static struct counter *lookup(struct table *t, const char *key)
{
	size_t i;

	if (t->used * 2 >= t->cap) {
		struct table n = { .cap = t->cap ? t->cap * 2 : 1024 };

		n.slot = calloc(n.cap, sizeof(*n.slot));
		if (!n.slot)
			return NULL;
		for (size_t j = 0; j < t->cap; j++) {
			if (!t->slot[j].key)
				continue;
			for (i = hash(t->slot[j].key) & (n.cap - 1); n.slot[i].key; i = (i + 1) & (n.cap - 1))
				;
			n.slot[i] = t->slot[j];
		}
		free(t->slot);
		n.used = t->used;
		*t = n;
	}
	for (i = hash(key) & (t->cap - 1); t->slot[i].key; i = (i + 1) & (t->cap - 1))
		if (!strcmp(t->slot[i].key, key))
			return &t->slot[i];
	t->slot[i].key = strdup(key);
	if (!t->slot[i].key)
		return NULL;
	t->used++;
	return &t->slot[i];
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slot[i].key);
	free(t->slot);
}

static int by_self(const void *a, const void *b)
{
	const struct counter *x = *(const struct counter *const *)a;
	const struct counter *y = *(const struct counter *const *)b;

	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	return strcmp(x->key, y->key);
}

static void name_of(const struct elf_syms *syms, char mode, uint32_t addr, char *buf, size_t len)
{
	const struct elf_sym *s = syms ? elfsyms_find(syms, addr) : NULL;

	if (mode == 'U')
		snprintf(buf, len, "[user]");
	else if (s)
		snprintf(buf, len, "%s", s->name);
	else
		snprintf(buf, len, "[0x%08x]", addr);
}

static void profile_usage(FILE *out)
{
	fprintf(out,
"Usage: hv440 profile FILE --vmlinux ELF [--top N] [--folded]\n"
"Report a guest profile written with --profile FILE.\n"
"  --vmlinux ELF  the guest kernel (or bare-metal program) with its symbol table\n"
"  --top N        how many functions to list (default 25)\n"
"  --folded       print folded stacks (\"root;...;leaf count\") for flamegraph.pl instead\n"
"Samples in guest user mode count as [user]; W samples are taken while the guest waits.\n");
}

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "hv440 profile: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

int profile_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vmlinux", required_argument, NULL, 'v' },
		{ "top", required_argument, NULL, 't' },
		{ "folded", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vmlinux = NULL, *err = NULL;
	struct table funcs = { 0 }, stacks = { 0 };
	struct counter **order = NULL;
	struct elf_syms syms;
	bool folded = false;
	unsigned long top = 25;
	uint64_t samples = 0, user = 0, waiting = 0, lineno = 0;
	char line[4096];
	FILE *f;
	int opt, status = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			vmlinux = optarg;
			break;
		case 't': {
			char *end;

			errno = 0;
			top = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || *optarg == '-' || !top)
				return fail("invalid --top '%s'", optarg);
			break;
		}
		case 'f':
			folded = true;
			break;
		case 'h':
			profile_usage(stdout);
			return 0;
		case ':':
			return fail("option '%s' needs an argument", argv[optind - 1]);
		default:
			return fail("unknown option '%s' (try 'hv440 profile --help')", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return fail("%s", optind >= argc ? "no profile file given (hv440 profile FILE "
						   "--vmlinux ELF)" : "more than one profile file given");
	if (!vmlinux)
		return fail("%s", "--vmlinux ELF is needed to name the functions");
	if (elfsyms_load(&syms, vmlinux, &err)) {
		fprintf(stderr, "hv440 profile: %s: %s\n", vmlinux, err);
		return 1;
	}
	f = fopen(argv[optind], "r");
	if (!f) {
		fprintf(stderr, "hv440 profile: %s: %s\n", argv[optind], strerror(errno));
		elfsyms_free(&syms);
		return 1;
	}
	if (!fgets(line, sizeof(line), f) || strncmp(line, "# hv440 profile 1", 17)) {
		fprintf(stderr, "hv440 profile: %s: not an hv440 profile\n", argv[optind]);
		fclose(f);
		elfsyms_free(&syms);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char names[PROFILE_MAX_DEPTH + 1][128], stack[8192];
		unsigned n = 0;
		char mode = line[0], *p = line + 1, *end;
		size_t len = 0;

		lineno++;
		if (mode != 'K' && mode != 'U' && mode != 'W') {
			fprintf(stderr, "hv440 profile: %s: bad sample on line %llu\n", argv[optind],
				(unsigned long long)lineno + 1);
			status = 1;
			break;
		}
		uint32_t addr[PROFILE_MAX_DEPTH + 2], frame[PROFILE_MAX_DEPTH + 2];
		unsigned na = 0, nf = 0;

		while (na < PROFILE_MAX_DEPTH + 2) {
			unsigned long a = strtoul(p, &end, 16);

			if (end == p)
				break;
			addr[na++] = (uint32_t)a;
			p = end;
		}
		/* addr: PC, LR, back chain. A user sample is only its PC ([user]). */
		if (na >= 1)
			frame[nf++] = addr[0];
		if (na >= 2 && mode != 'U') {
			const struct elf_sym *pc_fn = elfsyms_find(&syms, addr[0]);
			const struct elf_sym *lr_fn = elfsyms_find(&syms, addr[1]);
			const struct elf_sym *up_fn = na > 2 ? elfsyms_find(&syms, addr[2]) : NULL;

			/* A leaf's caller is in LR only (see hv/profile.h). */
			if (lr_fn && lr_fn != pc_fn && lr_fn != up_fn)
				frame[nf++] = addr[1];
			for (unsigned i = 2; i < na && nf <= PROFILE_MAX_DEPTH; i++)
				frame[nf++] = addr[i];
		}
		for (unsigned i = 0; i < nf; i++)
			name_of(&syms, mode, frame[i], names[n++], sizeof(names[0]));
		if (!n)
			continue;
		samples++;
		user += mode == 'U';
		waiting += mode == 'W';
		for (unsigned i = 0; i < n; i++) {
			struct counter *c = lookup(&funcs, names[i]);

			if (!c) {
				status = 1;
				break;
			}
			if (!i)
				c->self++;
			if (c->last_sample != samples) {
				c->total++;
				c->last_sample = samples;
			}
		}
		/* Folded stacks are root first. */
		stack[0] = 0;
		for (unsigned i = n; i-- > 0;)
			len += (size_t)snprintf(stack + len, len < sizeof(stack) ? sizeof(stack) - len : 0,
						"%s%s", names[i], i ? ";" : "");
		if (len < sizeof(stack)) {
			struct counter *c = lookup(&stacks, stack);

			if (c)
				c->self++;
		}
	}
	fclose(f);

	if (folded) {
		for (size_t i = 0; i < stacks.cap; i++)
			if (stacks.slot[i].key)
				printf("%s %llu\n", stacks.slot[i].key,
				       (unsigned long long)stacks.slot[i].self);
	} else if (samples) {
		size_t k = 0;

		order = calloc(funcs.used, sizeof(*order));
		for (size_t i = 0; order && i < funcs.cap; i++)
			if (funcs.slot[i].key)
				order[k++] = &funcs.slot[i];
		if (order) {
			qsort(order, k, sizeof(*order), by_self);
			printf("%llu samples (%llu in guest user mode, %llu waiting)\n",
			       (unsigned long long)samples, (unsigned long long)user,
			       (unsigned long long)waiting);
			printf("%8s %7s %7s  %s\n", "self", "self%", "total%", "function");
			for (size_t i = 0; i < k && i < top && order[i]->self; i++)
				printf("%8llu %6.2f%% %6.2f%%  %s\n", (unsigned long long)order[i]->self,
				       100.0 * order[i]->self / samples,
				       100.0 * order[i]->total / samples, order[i]->key);
		}
		free(order);
	} else {
		printf("0 samples\n");
	}
	table_free(&funcs);
	table_free(&stacks);
	elfsyms_free(&syms);
	return status;
}
