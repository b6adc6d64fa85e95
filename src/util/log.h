/* SPDX-License-Identifier: MIT */
/* log.h - the one rate-limited logger for what a guest does wrong: at most LOG_LIMIT lines per source. */
#ifndef HV440_UTIL_LOG_H
#define HV440_UTIL_LOG_H

/*
 * STYLE.md, principle 8: a guest error is logged, rate-limited, and turned
 * into what the hardware would do. Each source (a vcpu, a virtio device)
 * keeps its own count, which survives a guest reset: a guest that reboots
 * after each burst of errors must not flood the log.
 */
#include <stdarg.h>
#include <stdio.h>

#define LOG_LIMIT 20

/* One line "hv440: WHO: message" on stderr unless the source's *count reached LOG_LIMIT. */
__attribute__((format(printf, 3, 0)))
static inline void log_limited(unsigned *count, const char *who, const char *fmt, va_list ap)
{
	if (*count >= LOG_LIMIT)
		return;
	++*count;
	fprintf(stderr, "hv440: %s: ", who);
	vfprintf(stderr, fmt, ap);
	if (*count == LOG_LIMIT)
		fputs(" (further messages not logged)", stderr);
	fputc('\n', stderr);
}

#endif
