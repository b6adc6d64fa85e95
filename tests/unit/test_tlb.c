/* SPDX-License-Identifier: MIT */
/* test_tlb.c - not written yet: fails until it is. */
#include <stdio.h>
int main(void)
{
	fprintf(stderr, "test_tlb: not written yet\n");
	return 1;
}
