/* SPDX-License-Identifier: MIT */
/* snapshot.h - the whole machine's state as one file: save (control socket) and --restore. */
#ifndef HV440_SNAPSHOT_SNAPSHOT_H
#define HV440_SNAPSHOT_SNAPSHOT_H

#include <stddef.h>
#include <stdio.h>

#include "board/board.h"

/*
 * The file (docs/snapshot.md): a header (magic, version, board, RAM size),
 * then sections, each with its name, length and CRC32: the machine's
 * configuration, the vcpu, RAM (touched pages, zstd), every device in
 * the board's order, and an end marker.
 *
 * snapshot_save() runs on the vcpu thread while the vcpu is not inside
 * core_run() (between run chunks: the board's poll, a stopped guest). It
 * drains in-flight disk requests, writes path (through a temporary file
 * renamed into place) or, when fd >= 0, the file open on fd (truncated
 * first; path names it in messages), and holds guest time over the write.
 * 0, or -1 with one line in err.
 */
int snapshot_save(struct board *b, const char *path, int fd, char *err, size_t errlen);

/*
 * --restore FILE: check the whole file (every refusal is one line on
 * stderr, before anything is built), fill cfg from the recorded machine
 * (host-side options already in cfg are kept and checked against it),
 * build the board and load the state. 0, or -1 after one line; *out is
 * then whatever board was built (for board_destroy), or NULL.
 */
int snapshot_restore(struct board **out, struct board_config *cfg, const char *path);

/* The control socket's hook (tools/control.h): opaque is the board. */
int snapshot_save_hook(void *opaque, const char *path, int fd, char *err, size_t errlen);

/*
 * Live migration (snapshot/migrate.c): the file's parts without the file.
 * snapshot_machine_write() puts the machine section's payload into w;
 * snapshot_machine_read() takes one into cfg as --restore does (options
 * given are checked against it; a refusal is one line on stderr naming
 * what), handing back the strings cfg now points at (the board's to free:
 * board.strings). snapshot_state_write() writes the vcpu, device and end
 * sections to f (the vcpu not running; disks drained); snapshot_state_read()
 * loads such a stream into b. 0, or -1 (with one line in err).
 */
struct state_writer;
int snapshot_machine_write(struct board *b, struct state_writer *w, char *err, size_t errlen);
int snapshot_machine_read(const char *what, const char *board, uint64_t ram_size, const void *data,
			  size_t len, struct board_config *cfg, char **strs, unsigned *n_strs);
int snapshot_state_write(struct board *b, FILE *f, char *err, size_t errlen);
int snapshot_state_read(struct board *b, const uint8_t *data, size_t len, char *err, size_t errlen);

#endif
