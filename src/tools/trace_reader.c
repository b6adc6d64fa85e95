/* SPDX-License-Identifier: MIT */
/* trace_reader.c - `hv440 trace FILE`: print, filter and summarize an exit trace. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/trace.h"
#include "tools/tools.h"

/* Pseudo kinds for --kind besides the exit kinds: the other record types. */
static const struct {
	const char *name;
	enum trace_type type;
} other_kinds[] = {
	{ "GTLB", TRACE_GTLB_WRITE }, { "STLB", TRACE_STLB_WRITE }, { "STLBINVAL", TRACE_STLB_INVAL },
	{ "IRQ", TRACE_IRQ }, { "RESET", TRACE_RESET },
};

struct filter {
	bool any_kind;                    /* no --kind: everything */
	bool exit_kind[HV_EXIT__COUNT];
	bool type[8];
	bool pc_range;
	uint32_t pc_lo, pc_hi;            /* inclusive */
};

static void trace_usage(FILE *out)
{
	fprintf(out,
"Usage: hv440 trace FILE [--kind K[,K...]] [--pc LO-HI] [--summary [--json]] [--limit N]\n"
"Print the records of an exit trace written with --trace FILE, oldest first.\n"
"  --kind K     only exits of kind K (names as in the --stats table, e.g. EMUL_MTSPR,\n"
"               DTLBVIRT), or the other records: GTLB (guest TLB writes), STLB (shadow\n"
"               fills), STLBINVAL, IRQ (interrupts delivered), RESET; repeatable\n"
"  --pc LO-HI   only records whose guest PC is in LO..HI (inclusive; hex or decimal;\n"
"               shadow fills are selected by their EA, interrupts by SRR0)\n"
"  --summary    the --stats table rebuilt from the (filtered) records instead\n"
"  --json       with --summary: the --stats=json line\n"
"  --limit N    print at most N records\n");
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "hv440 trace: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int add_kinds(struct filter *f, const char *list)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int r = 0;

	if (!copy)
		return -1;
	f->any_kind = false;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k = hv_exit_kind_from_name(tok);
		bool found = k >= 0;

		if (found)
			f->exit_kind[k] = true;
		for (unsigned i = 0; !found && i < sizeof(other_kinds) / sizeof(other_kinds[0]); i++)
			if (!strcasecmp(tok, other_kinds[i].name)) {
				f->type[other_kinds[i].type] = true;
				found = true;
			}
		if (!found) {
			bad("unknown kind '%s' (see the --stats table for exit kind names)", tok);
			r = -1;
			break;
		}
	}
	free(copy);
	return r;
}

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_range(struct filter *f, const char *arg)
{
	char buf[64];
	char *dash;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	dash = strchr(buf, '-');
	if (!dash)
		return -1;
	*dash = 0;
	if (parse_u32(buf, &f->pc_lo) || parse_u32(dash + 1, &f->pc_hi) || f->pc_lo > f->pc_hi)
		return -1;
	f->pc_range = true;
	return 0;
}

static bool wanted(const struct filter *f, const struct trace_record *r)
{
	if (r->type == TRACE_RESET)
		return true;
	if (f->pc_range && (r->pc < f->pc_lo || r->pc > f->pc_hi))
		return false;
	if (f->any_kind)
		return true;
	if (r->type == TRACE_EXIT)
		return r->sub < HV_EXIT__COUNT && f->exit_kind[r->sub];
	return r->type < 8 && f->type[r->type];
}

static void print_record(const struct trace_record *r)
{
	printf("%14.3f ", r->ts_ns / 1e3);
	switch (r->type) {
	case TRACE_EXIT:
		printf("exit  %-11s pc=%08x arg=%08x", hv_exit_name((enum hv_exit_kind)r->sub), r->pc,
		       r->arg);
		if (r->idx != TRACE_NO_INDEX)
			printf(" tlb=%u", r->idx);
		printf(" %u ns\n", r->dur_ns);
		break;
	case TRACE_GTLB_WRITE:
		if (r->sub == 3)
			printf("gtlb  set         pc=%08x tlb=%u word0=%08x\n", r->pc, r->idx, r->arg);
		else
			printf("gtlb  write       pc=%08x tlb=%u word%u=%08x\n", r->pc, r->idx, r->sub,
			       r->arg);
		break;
	case TRACE_STLB_WRITE:
		printf("stlb  fill        ea=%08x pa=%09llx size=%u shadow=%u%s\n", r->pc,
		       (unsigned long long)r->arg << 4, r->dur_ns, r->idx, r->sub ? " (evicts)" : "");
		break;
	case TRACE_STLB_INVAL:
		printf("stlb  invalidate  pc=%08x shadow=%u\n", r->pc, r->idx);
		break;
	case TRACE_IRQ:
		printf("irq   %-11s srr0=%08x vector=%08x (IVOR%u)\n", hv_ivor_name(r->sub), r->pc,
		       r->arg, r->sub);
		break;
	case TRACE_RESET:
		printf("reset (statistics reset)\n");
		break;
	default:
		printf("unknown record type %u\n", r->type);
		break;
	}
}

int trace_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "pc", required_argument, NULL, 'p' },
		{ "summary", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter f = { .any_kind = true };
	bool summary = false, json = false;
	uint32_t limit = UINT32_MAX;
	const struct trace_header *hdr;
	const struct trace_record *ring;
	struct hv_stats stats;
	uint64_t first, count, printed = 0, matched = 0;
	struct stat st;
	void *map;
	int fd, opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if (add_kinds(&f, optarg))
				return 1;
			break;
		case 'p':
			if (parse_range(&f, optarg))
				return bad("invalid PC range '%s' (use LO-HI, e.g. 0xc0000000-0xc0100000)",
					   optarg);
			break;
		case 's':
			summary = true;
			break;
		case 'j':
			json = true;
			break;
		case 'l':
			if (parse_u32(optarg, &limit))
				return bad("invalid --limit '%s'", optarg);
			break;
		case 'h':
			trace_usage(stdout);
			return 0;
		case ':':
			return bad("option '%s' needs an argument", argv[optind - 1]);
		default:
			return bad("unknown option '%s' (try 'hv440 trace --help')", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return bad("%s", optind >= argc ? "no trace file given (hv440 trace FILE)"
						: "more than one trace file given");
	if (json && !summary)
		return bad("%s", "--json needs --summary");

	fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "hv440 trace: %s: %s\n", argv[optind], strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if ((uint64_t)st.st_size < TRACE_HEADER_SIZE) {
		close(fd);
		return bad("%s: not an hv440 trace (too short)", argv[optind]);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return bad("%s: cannot map the file", argv[optind]);
	hdr = map;
	ring = (const struct trace_record *)((const char *)map + TRACE_HEADER_SIZE);
	if (memcmp(hdr->magic, TRACE_MAGIC, 8) || hdr->record_size != sizeof(struct trace_record) ||
	    hdr->exit_kinds != HV_EXIT__COUNT || !hdr->capacity ||
	    hdr->capacity > ((uint64_t)st.st_size - TRACE_HEADER_SIZE) / sizeof(*ring)) {
		munmap(map, (size_t)st.st_size);
		return bad("%s: not an hv440 trace of this version and host (bad header)",
			   argv[optind]);
	}
	count = hdr->written < hdr->capacity ? hdr->written : hdr->capacity;
	first = hdr->written < hdr->capacity ? 0 : hdr->written % hdr->capacity;
	if (hdr->written > hdr->capacity)
		fprintf(stderr, "hv440 trace: the ring wrapped: the oldest %llu of %llu records are "
			"lost, so a summary covers only the end of the run\n",
			(unsigned long long)(hdr->written - hdr->capacity),
			(unsigned long long)hdr->written);

	hv_stats_reset(&stats);
	for (uint64_t i = 0; i < count; i++) {
		const struct trace_record *r = &ring[(first + i) % hdr->capacity];

		if (!wanted(&f, r))
			continue;
		matched++;
		if (summary)
			trace_stats_add(&stats, r);
		else if (printed < limit) {
			print_record(r);
			printed++;
		}
	}
	if (summary) {
		if (json) {
			hv_stats_print_json(&stats, stdout);
		} else {
			printf("trace: %llu records, %llu selected\n", (unsigned long long)count,
			       (unsigned long long)matched);
			hv_stats_print(&stats, stdout);
		}
	}
	munmap(map, (size_t)st.st_size);
	return 0;
}
