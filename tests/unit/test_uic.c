/* SPDX-License-Identifier: MIT */
/* test_uic.c - not written yet: fails until it is. */
#include <stdio.h>
int main(void)
{
	fprintf(stderr, "test_uic: not written yet\n");
	return 1;
}
