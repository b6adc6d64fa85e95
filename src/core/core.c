/* SPDX-License-Identifier: MIT */
/* core.c - not written yet. */
