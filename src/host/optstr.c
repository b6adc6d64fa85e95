/* SPDX-License-Identifier: MIT */
/* optstr.c - comma-separated option strings with QEMU's ",," escape for a comma in a value. */
#include "host/optstr.h"

char *optstr_next(char **s)
{
	char *item = *s, *r, *w;

	if (!item)
		return NULL;
	for (r = w = item; *r; r++, w++) {
		if (*r == ',') {
			if (r[1] != ',')
				break;
			r++;        /* ",," is one literal comma */
		}
		*w = *r;
	}
	*s = *r ? r + 1 : NULL;
	*w = '\0';
	return item;
}

int optstr_escape(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; *src; src++) {
		if (i + (*src == ',' ? 2 : 1) >= n)
			return -1;
		if (*src == ',')
			dst[i++] = ',';
		dst[i++] = *src;
	}
	if (i >= n)
		return -1;
	dst[i] = '\0';
	return 0;
}
