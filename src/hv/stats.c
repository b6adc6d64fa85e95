/* SPDX-License-Identifier: MIT */
/* stats.c - not written yet. */
