/* SPDX-License-Identifier: MIT */
/* uic.c - not written yet. */
