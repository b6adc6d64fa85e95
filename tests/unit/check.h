/* SPDX-License-Identifier: MIT */
/* check.h - the unit tests' one assertion: count passes, report failures with file and line. */
#ifndef HV440_TEST_CHECK_H
#define HV440_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			passed++;                                            \
		} else {                                                     \
			failed++;                                            \
			fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__,       \
				__LINE__, #cond);                            \
		}                                                            \
	} while (0)

#endif
