/* SPDX-License-Identifier: MIT */
/* fpu.c - not written yet. */
