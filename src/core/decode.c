/* SPDX-License-Identifier: MIT */
/* decode.c - not written yet. */
