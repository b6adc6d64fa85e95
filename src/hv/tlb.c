/* SPDX-License-Identifier: MIT */
/* tlb.c - not written yet. */
