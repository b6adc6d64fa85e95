/* SPDX-License-Identifier: MIT */
/* disk.h - raw disk image backends: open, lock, positioned I/O and flush. */
#ifndef HV440_HOST_DISK_H
#define HV440_HOST_DISK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

enum disk_cache {
	DISK_CACHE_WRITEBACK,    /* host page cache; the guest's FLUSH runs fdatasync (default) */
	DISK_CACHE_WRITETHROUGH, /* O_DSYNC: every write is stable when it completes */
	DISK_CACHE_UNSAFE,       /* FLUSH is a no-op: fast, loses data if the host crashes */
};

struct disk {
	int fd;
	char *path;
	bool readonly;
	enum disk_cache cache;
	uint64_t size;           /* bytes */
	bool snapshot;           /* snapshot=on: writes go to a private overlay, never the image */
	int overlay_fd;          /* snapshot: the unlinked temporary file holding written sectors */
	uint64_t *dirty;         /* snapshot: one bit per sector, set when the overlay holds it */
	bool unflushed;          /* written since the last flush (fdatasync at exit) */
};

#define DISK_SECTOR 512
#define DISK_MAX_IOV 1024

/*
 * Parse "FILE[,readonly=on|off][,cache=writeback|writethrough|unsafe]
 * [,snapshot=on|off][,format=raw]" (",," is a comma inside FILE, as in
 * QEMU) and open the image; refuses images in another format (qcow2, VMDK,
 * VDI, ...: known by their magic) unless format=raw says otherwise; takes an OFD lock (write lock, or read lock when
 * read-only) so another hv440 cannot write it meanwhile. NULL after one
 * clear error line on stderr.
 */
struct disk *disk_open(const char *spec);
/* With cache=writeback, what the guest wrote and never flushed is made stable first. */
void disk_close(struct disk *d);
/* 0 or -errno; short transfers past the end of the image are errors. */
int disk_preadv(struct disk *d, const struct iovec *iov, unsigned n, uint64_t offset);
int disk_pwritev(struct disk *d, const struct iovec *iov, unsigned n, uint64_t offset);
int disk_flush(struct disk *d);

/*
 * Which file a disk is, for snapshots (docs/snapshot.md): its inode, size
 * and last modification (ns). A copy of the image is another inode; an
 * image written since is another mtime. 0, or -errno.
 */
struct disk_identity {
	uint64_t ino, size;
	int64_t mtime_ns;
};
int disk_identity(const struct disk *d, struct disk_identity *id);

#endif
