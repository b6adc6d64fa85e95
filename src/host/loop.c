/* SPDX-License-Identifier: MIT */
/* loop.c - not written yet. */
