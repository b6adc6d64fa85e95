/* SPDX-License-Identifier: MIT */
/* loader.c - not written yet. */
