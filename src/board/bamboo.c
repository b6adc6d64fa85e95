/* SPDX-License-Identifier: MIT */
/* bamboo.c - not written yet. */
