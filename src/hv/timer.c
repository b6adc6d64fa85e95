/* SPDX-License-Identifier: MIT */
/* timer.c - not written yet. */
