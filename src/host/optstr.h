/* SPDX-License-Identifier: MIT */
/* optstr.h - comma-separated option strings with QEMU's ",," escape for a comma in a value. */
#ifndef HV440_HOST_OPTSTR_H
#define HV440_HOST_OPTSTR_H

#include <stddef.h>

/*
 * Split the next item off *s in place: items end at a single comma, and a
 * doubled comma ",," stands for one comma inside the item (QEMU's
 * QemuOpts escape, so "file=a,,b.img" names the file "a,b.img"). Returns
 * the item, NUL-terminated, and advances *s past it; NULL when *s is NULL
 * (after the last item).
 */
char *optstr_next(char **s);

/* Copy src to dst (size n, NUL-terminated) doubling every comma; -1 if it does not fit. */
int optstr_escape(char *dst, size_t n, const char *src);

#endif
