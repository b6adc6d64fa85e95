/* SPDX-License-Identifier: MIT */
/* stats.c - exit statistics: the name table, always-on counters and the --stats table. */
#include <fenv.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "hv/stats.h"

static const char *const exit_names[HV_EXIT__COUNT] = {
	[HV_EXIT_MMIO] = "MMIO",
	[HV_EXIT_DCR] = "DCR",
	[HV_EXIT_SIGNAL] = "SIGNAL",
	[HV_EXIT_ITLB_REAL] = "ITLBREAL",
	[HV_EXIT_ITLB_VIRT] = "ITLBVIRT",
	[HV_EXIT_DTLB_REAL] = "DTLBREAL",
	[HV_EXIT_DTLB_VIRT] = "DTLBVIRT",
	[HV_EXIT_SYSCALL] = "SYSCALL",
	[HV_EXIT_ISI] = "ISI",
	[HV_EXIT_DSI] = "DSI",
	[HV_EXIT_EMULINST] = "EMULINST",
	[HV_EXIT_EMUL_WAIT] = "EMUL_WAIT",
	[HV_EXIT_EMUL_WRTEE] = "EMUL_WRTEE",
	[HV_EXIT_EMUL_MTSPR] = "EMUL_MTSPR",
	[HV_EXIT_EMUL_MFSPR] = "EMUL_MFSPR",
	[HV_EXIT_EMUL_MTMSR] = "EMUL_MTMSR",
	[HV_EXIT_EMUL_MFMSR] = "EMUL_MFMSR",
	[HV_EXIT_EMUL_TLBSX] = "EMUL_TLBSX",
	[HV_EXIT_EMUL_TLBWE] = "EMUL_TLBWE",
	[HV_EXIT_EMUL_RFI] = "EMUL_RFI",
	[HV_EXIT_DEC] = "DEC",
	[HV_EXIT_EXTINT] = "EXTINT",
	[HV_EXIT_HALT] = "HALT",
	[HV_EXIT_USR_PR_INST] = "USR_PR_INST",
	[HV_EXIT_FP_UNAVAIL] = "FP_UNAVAIL",
	[HV_EXIT_DEBUG] = "DEBUG",
	[HV_EXIT_TIMEINGUEST] = "TIMEINGUEST",
};

static const char *const ivor_names[16] = {
	"critical", "machine check", "data storage", "inst storage",
	"external", "alignment", "program", "fp unavailable",
	"system call", "ap unavailable", "decrementer", "fixed interval",
	"watchdog", "data tlb miss", "inst tlb miss", "debug",
};

const char *hv_exit_name(enum hv_exit_kind kind)
{
	if ((unsigned)kind >= HV_EXIT__COUNT)
		return "?";
	return exit_names[kind];
}

int hv_exit_kind_from_name(const char *name)
{
	for (unsigned k = 0; k < HV_EXIT__COUNT; k++)
		if (!strcasecmp(name, exit_names[k]))
			return (int)k;
	return -1;
}

const char *hv_ivor_name(unsigned n)
{
	return n < 16 ? ivor_names[n] : "?";
}

void hv_stats_reset(struct hv_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void hv_stats_add(struct hv_stats *s, enum hv_exit_kind kind, uint64_t ns)
{
	struct hv_exit_stat *e;

	if ((unsigned)kind >= HV_EXIT__COUNT)
		return;
	e = &s->exit[kind];
	if (!e->count || ns < e->min_ns)
		e->min_ns = ns;
	if (ns > e->max_ns)
		e->max_ns = ns;
	e->count++;
	e->sum_ns += ns;
	e->sum_sq_ns += (unsigned __int128)ns * ns;
}

/*
 * The core's FPU emulation leaves the host x87 unit rounding toward zero;
 * the figures are printed (and averaged) in the default mode, so the same
 * numbers print the same in hv440 and in `hv440 trace --summary`.
 */
static void print_table(const struct hv_stats *s, FILE *out);

void hv_stats_print(const struct hv_stats *s, FILE *out)
{
	fenv_t env;

	fegetenv(&env);
	fesetround(FE_TONEAREST);
	print_table(s, out);
	fesetenv(&env);
}

static void print_table(const struct hv_stats *s, FILE *out)
{
	uint64_t exits = 0, exit_ns = 0, irqs = 0;

	fprintf(out, "%-12s %12s %10s %10s %10s %10s %14s\n", "exit", "count",
		"min(us)", "avg(us)", "max(us)", "stddev", "total(us)");
	for (unsigned k = 0; k < HV_EXIT__COUNT; k++) {
		const struct hv_exit_stat *e = &s->exit[k];
		long double avg, var;

		if (!e->count)
			continue;
		avg = (long double)e->sum_ns / e->count;
		var = (long double)e->sum_sq_ns / e->count - avg * avg;
		if (var < 0)
			var = 0;
		fprintf(out, "%-12s %12llu %10.3f %10.3f %10.3f %10.3f %14.1f\n", exit_names[k],
			(unsigned long long)e->count, e->min_ns / 1e3, (double)(avg / 1e3),
			e->max_ns / 1e3, sqrt((double)var) / 1e3, e->sum_ns / 1e3);
		if (k != HV_EXIT_TIMEINGUEST) {
			exits += e->count;
			exit_ns += e->sum_ns;
		}
	}
	fprintf(out, "%-12s %12llu %43s %14.1f\n", "total exits", (unsigned long long)exits, "",
		exit_ns / 1e3);
	/* Where the vcpu thread's time went (the rest is host I/O polling and the run loop). */
	fprintf(out, "time: %.1f ms running guest code, %.1f ms handling exits, "
		"%.1f ms waiting (HALT)\n",
		s->exit[HV_EXIT_TIMEINGUEST].sum_ns / 1e6,
		(exit_ns - s->exit[HV_EXIT_HALT].sum_ns) / 1e6, s->exit[HV_EXIT_HALT].sum_ns / 1e6);
	fprintf(out, "shadow TLB: %llu fills, %llu evictions", (unsigned long long)s->stlb_fills,
		(unsigned long long)s->stlb_evictions);
	if (s->core_insns)
		fprintf(out, ", %llu hits (of %llu fast-cache misses)",
			(unsigned long long)s->stlb_hits, (unsigned long long)s->core_fast_misses);
	fputc('\n', out);
	if (s->core_insns) {
		fprintf(out, "core: %llu instructions; %llu blocks decoded, %llu translated "
			"(%.1f MiB of code in the cache), %llu killed, %llu flushes\n",
			(unsigned long long)s->core_insns, (unsigned long long)s->core_blocks,
			(unsigned long long)s->core_translated, s->core_code_bytes / 1048576.0,
			(unsigned long long)s->core_kills, (unsigned long long)s->core_flushes);
	}
	fprintf(out, "interrupts delivered:");
	for (unsigned i = 0; i < 16; i++) {
		if (!s->irq_delivered[i])
			continue;
		fprintf(out, " %s(%u)=%llu", ivor_names[i], i,
			(unsigned long long)s->irq_delivered[i]);
		irqs += s->irq_delivered[i];
	}
	fprintf(out, " total=%llu\n", (unsigned long long)irqs);
}

/*
 * One line: {"exits":{"KIND":{"count":N,"min_ns":N,"max_ns":N,"sum_ns":N,
 * "sumsq_ns":N},...},"shadow_tlb":{...},"interrupts":{"IVOR":N,...},"core":{...}}.
 * Every kind and IVOR is present (zeros included) so consumers need no defaults.
 */
/* An unsigned 128-bit integer in decimal. */
static void print_u128(unsigned __int128 v, FILE *out)
{
	char buf[40];
	int i = (int)sizeof(buf);

	buf[--i] = 0;
	do {
		buf[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	fputs(buf + i, out);
}

void hv_stats_print_json(const struct hv_stats *s, FILE *out)
{
	fputs("{\"exits\":{", out);
	for (unsigned k = 0; k < HV_EXIT__COUNT; k++) {
		const struct hv_exit_stat *e = &s->exit[k];

		fprintf(out, "%s\"%s\":{\"count\":%llu,\"min_ns\":%llu,\"max_ns\":%llu,"
			"\"sum_ns\":%llu,\"sumsq_ns\":", k ? "," : "", exit_names[k],
			(unsigned long long)e->count, (unsigned long long)e->min_ns,
			(unsigned long long)e->max_ns, (unsigned long long)e->sum_ns);
		print_u128(e->sum_sq_ns, out);
		fputc('}', out);
	}
	fprintf(out, "},\"shadow_tlb\":{\"fills\":%llu,\"evictions\":%llu,\"hits\":%llu,"
		"\"fast_misses\":%llu},\"interrupts\":{", (unsigned long long)s->stlb_fills,
		(unsigned long long)s->stlb_evictions, (unsigned long long)s->stlb_hits,
		(unsigned long long)s->core_fast_misses);
	for (unsigned i = 0; i < 16; i++)
		fprintf(out, "%s\"%u\":%llu", i ? "," : "", i,
			(unsigned long long)s->irq_delivered[i]);
	fprintf(out, "},\"core\":{\"instructions\":%llu,\"blocks\":%llu,\"translated\":%llu,"
		"\"code_bytes\":%llu,\"killed\":%llu,\"flushes\":%llu}}\n",
		(unsigned long long)s->core_insns, (unsigned long long)s->core_blocks,
		(unsigned long long)s->core_translated, (unsigned long long)s->core_code_bytes,
		(unsigned long long)s->core_kills, (unsigned long long)s->core_flushes);
}
