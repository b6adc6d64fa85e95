/* SPDX-License-Identifier: MIT */
/* test_core.c - not written yet: fails until it is. */
#include <stdio.h>
int main(void)
{
	fprintf(stderr, "test_core: not written yet\n");
	return 1;
}
