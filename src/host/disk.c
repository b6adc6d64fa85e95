/* SPDX-License-Identifier: MIT */
/* disk.c - raw disk images: option parsing, OFD locking, vectored I/O, fdatasync. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/disk.h"
#include "host/optstr.h"
#include "util/log.h"

/*
 * Image formats hv440 does not read, known by their first bytes (the magic
 * each format's specification puts at offset 0, or at 64 for VDI). Using
 * one of them as raw would show the guest the container, not the disk.
 */
static const struct {
	const char *name;
	unsigned offset;
	const char *magic;
	unsigned len;
} foreign_formats[] = {
	{ "qcow2 or qcow", 0, "QFI\xfb", 4 },
	{ "QED", 0, "QED\0", 4 },
	{ "VMDK", 0, "KDMV", 4 },
	{ "VMDK (descriptor)", 0, "# Disk DescriptorFile", 21 },
	{ "VDI", 64, "\x7f\x10\xda\xbe", 4 },
	{ "VHDX", 0, "vhdxfile", 8 },
	{ "VHD (vpc)", 0, "conectix", 8 },
	{ "LUKS", 0, "LUKS\xba\xbe", 6 },
	{ "Parallels", 0, "WithoutFreeSpace", 16 },
	{ "Parallels", 0, "WithouFreSpacExt", 16 },
	{ "Bochs", 0, "Bochs Virtual HD Image", 22 },
	{ "cloop", 0, "#!/bin/sh\n#V2.0 Format", 23 },
};

static const char *probe_format(int fd)
{
	uint8_t head[128];
	ssize_t n = pread(fd, head, sizeof(head), 0);
	unsigned i;

	for (i = 0; i < sizeof(foreign_formats) / sizeof(foreign_formats[0]); i++) {
		unsigned off = foreign_formats[i].offset, len = foreign_formats[i].len;

		if (n >= (ssize_t)(off + len) && !memcmp(head + off, foreign_formats[i].magic, len))
			return foreign_formats[i].name;
	}
	return NULL;
}

static int parse_opts(struct disk *d, char *opts, const char *spec, bool *format_raw)
{
	char *o;

	while ((o = optstr_next(&opts))) {
		if (!strcmp(o, "readonly=on") || !strcmp(o, "readonly") || !strcmp(o, "ro")) {
			d->readonly = true;
		} else if (!strcmp(o, "readonly=off")) {
			d->readonly = false;
		} else if (!strcmp(o, "cache=writeback")) {
			d->cache = DISK_CACHE_WRITEBACK;
		} else if (!strcmp(o, "cache=writethrough")) {
			d->cache = DISK_CACHE_WRITETHROUGH;
		} else if (!strcmp(o, "cache=unsafe")) {
			d->cache = DISK_CACHE_UNSAFE;
		} else if (!strcmp(o, "snapshot=on") || !strcmp(o, "snapshot")) {
			d->snapshot = true;
		} else if (!strcmp(o, "snapshot=off")) {
			d->snapshot = false;
		} else if (!strcmp(o, "format=raw")) {
			*format_raw = true;
		} else if (!strncmp(o, "format=", 7)) {
			log_err("--disk '%s': format '%s' is not supported (hv440 reads "
				"raw images only; convert with qemu-img convert -O raw)\n", spec, o + 7);
			return -1;
		} else {
			log_err("--disk '%s': unknown option '%s' (readonly=on|off, "
				"cache=writeback|writethrough|unsafe, snapshot=on|off, format=raw)\n",
				spec, o);
			return -1;
		}
	}
	return 0;
}

/*
 * snapshot=on: an unlinked temporary file the size of the image takes every
 * write; a bitmap says which 512-byte sectors it holds. It vanishes when
 * hv440 exits, so the image itself is never written (as QEMU's -snapshot).
 */
static int open_overlay(struct disk *d)
{
	const char *dirs[] = { getenv("TMPDIR"), "/var/tmp", "/tmp" };
	uint64_t sectors = (d->size + DISK_SECTOR - 1) / DISK_SECTOR;
	unsigned i;

	d->dirty = calloc((size_t)((sectors + 63) / 64), sizeof(uint64_t));
	if (!d->dirty)
		return -ENOMEM;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		d->overlay_fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (d->overlay_fd >= 0)
			break;
	}
	if (d->overlay_fd < 0)
		return -errno;
	if (ftruncate(d->overlay_fd, (off_t)d->size))
		return -errno;
	return 0;
}

struct disk *disk_open(const char *spec)
{
	struct disk *d = calloc(1, sizeof(*d));
	char *copy = strdup(spec), *rest, *path;
	bool format_raw = false;
	const char *foreign;
	struct flock fl;
	struct stat st;
	int flags, r;

	if (!d || !copy) {
		log_err("out of memory\n");
		free(d);
		free(copy);
		return NULL;
	}
	d->fd = -1;
	d->overlay_fd = -1;
	rest = copy;
	path = optstr_next(&rest);
	if (!*path) {
		log_err("--disk '%s': no image file named\n", spec);
		goto fail;
	}
	d->path = strdup(path);
	if (!d->path || parse_opts(d, rest, spec, &format_raw))
		goto fail;

	/* Under snapshot=on the image is only read: a read lock lets others read it too. */
	flags = (d->readonly || d->snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	if (d->cache == DISK_CACHE_WRITETHROUGH && !d->snapshot)
		flags |= O_DSYNC;
	d->fd = open(d->path, flags);
	if (d->fd < 0) {
		log_err("--disk: cannot open disk image '%s'%s: %s\n", d->path,
			flags & O_RDWR ? "" : " read-only", strerror(errno));
		goto fail;
	}
	if (fstat(d->fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		log_err("--disk: disk image '%s' is not a regular file or block "
			"device\n", d->path);
		goto fail;
	}
	d->size = S_ISBLK(st.st_mode) ? (uint64_t)lseek(d->fd, 0, SEEK_END) : (uint64_t)st.st_size;
	if (d->size < DISK_SECTOR) {
		log_err("--disk: disk image '%s' is smaller than one 512-byte sector\n",
			d->path);
		goto fail;
	}
	/* As QEMU: an explicit format=raw is taken at its word, otherwise the image is probed. */
	if (!format_raw && (foreign = probe_format(d->fd))) {
		log_err("--disk: '%s' is a %s image; hv440 reads raw images only "
			"(qemu-img convert -O raw makes one)\n", d->path, foreign);
		goto fail;
	}

	/*
	 * Open file description locks belong to this open file, not the
	 * process, so they also keep a second disk of the same hv440 off it.
	 */
	memset(&fl, 0, sizeof(fl));
	fl.l_type = flags & O_RDWR ? F_WRLCK : F_RDLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(d->fd, F_OFD_SETLK, &fl)) {
		if (errno == EAGAIN || errno == EACCES)
			log_err("--disk: disk image '%s' is in use by another process "
				"(it holds a %s lock)\n", d->path,
				fl.l_type == F_RDLCK ? "write" : "conflicting");
		else
			log_err("--disk: cannot lock disk image '%s': %s\n", d->path,
				strerror(errno));
		goto fail;
	}
	if (d->snapshot && !d->readonly && (r = open_overlay(d))) {
		log_err("--disk: cannot create the snapshot overlay for '%s': %s\n",
			d->path, strerror(-r));
		goto fail;
	}
	free(copy);
	return d;
fail:
	free(copy);
	disk_close(d);
	return NULL;
}

void disk_close(struct disk *d)
{
	if (!d)
		return;
	/*
	 * As QEMU does when it exits: writes the guest never flushed are in
	 * the host page cache only; a host crash after hv440 ended would lose
	 * them. writethrough is stable already; unsafe asked for no flushes.
	 */
	if (d->fd >= 0 && d->unflushed && d->cache == DISK_CACHE_WRITEBACK && fdatasync(d->fd))
		log_err("disk image '%s': cannot flush at exit: %s\n", d->path,
			strerror(errno));
	if (d->fd >= 0)
		close(d->fd);
	if (d->overlay_fd >= 0)
		close(d->overlay_fd);
	free(d->dirty);
	free(d->path);
	free(d);
}

/* Advance an iovec array by done bytes (in place). */
static unsigned iov_advance(struct iovec *iov, unsigned n, size_t done, unsigned *first)
{
	while (*first < n && done >= iov[*first].iov_len) {
		done -= iov[*first].iov_len;
		(*first)++;
	}
	if (*first < n && done) {
		iov[*first].iov_base = (uint8_t *)iov[*first].iov_base + done;
		iov[*first].iov_len -= done;
	}
	return n - *first;
}

/* Positioned vectored I/O on one fd until done; the caller checked the range. */
static int rw_fd(int fd, const struct iovec *in, unsigned n, uint64_t offset, bool write)
{
	struct iovec iov[DISK_MAX_IOV];
	size_t total = 0;
	unsigned i, first = 0;

	if (n > DISK_MAX_IOV)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		iov[i] = in[i];
		total += in[i].iov_len;
	}
	while (total) {
		ssize_t r = write ? pwritev(fd, iov + first, (int)(n - first), (off_t)offset)
				  : preadv(fd, iov + first, (int)(n - first), (off_t)offset);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;  /* the image shrank underneath us */
		total -= (size_t)r;
		offset += (uint64_t)r;
		iov_advance(iov, n, (size_t)r, &first);
	}
	return 0;
}

static size_t iov_total(const struct iovec *iov, unsigned n)
{
	size_t total = 0;

	for (unsigned i = 0; i < n; i++)
		total += iov[i].iov_len;
	return total;
}

/* The bytes [skip, skip+len) of an iovec array as another one (at most as many entries). */
static unsigned iov_slice(const struct iovec *in, unsigned n, size_t skip, size_t len,
			  struct iovec *out)
{
	unsigned i, m = 0;

	for (i = 0; i < n && len; i++) {
		size_t l = in[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		out[m].iov_base = (uint8_t *)in[i].iov_base + skip;
		out[m].iov_len = l - skip < len ? l - skip : len;
		len -= out[m].iov_len;
		skip = 0;
		m++;
	}
	return m;
}

static bool sector_dirty(const struct disk *d, uint64_t s)
{
	return d->dirty[s / 64] >> (s % 64) & 1;
}

/* Copy one sector of the image into the overlay, unless the overlay has it already. */
static int copy_up(struct disk *d, uint64_t s)
{
	uint8_t buf[DISK_SECTOR];
	struct iovec v = { buf, DISK_SECTOR };
	uint64_t off = s * DISK_SECTOR;
	int r;

	if (sector_dirty(d, s))
		return 0;
	if (off + DISK_SECTOR > d->size)  /* a partial last sector */
		v.iov_len = (size_t)(d->size - off);
	r = rw_fd(d->fd, &v, 1, off, false);
	if (!r)
		r = rw_fd(d->overlay_fd, &v, 1, off, true);
	if (!r)
		d->dirty[s / 64] |= 1ull << (s % 64);
	return r;
}

static int snapshot_rw(struct disk *d, const struct iovec *in, unsigned n, uint64_t offset,
		       size_t total, bool write)
{
	uint64_t first = offset / DISK_SECTOR, last = (offset + total - 1) / DISK_SECTOR, s;
	struct iovec part[DISK_MAX_IOV];
	int r;

	if (write) {
		/* Sectors the write covers only in part keep the rest of their old bytes. */
		if ((offset % DISK_SECTOR && (r = copy_up(d, first))) ||
		    ((offset + total) % DISK_SECTOR && (r = copy_up(d, last))))
			return r;
		r = rw_fd(d->overlay_fd, in, n, offset, true);
		if (r)
			return r;
		for (s = first; s <= last; s++)
			d->dirty[s / 64] |= 1ull << (s % 64);
		return 0;
	}
	/* Reads: each run of sectors from wherever it lives now. */
	for (s = first; s <= last;) {
		bool dirty = sector_dirty(d, s);
		uint64_t e = s, a, b;
		unsigned m;

		while (e + 1 <= last && sector_dirty(d, e + 1) == dirty)
			e++;
		a = s * DISK_SECTOR > offset ? s * DISK_SECTOR : offset;
		b = (e + 1) * DISK_SECTOR < offset + total ? (e + 1) * DISK_SECTOR : offset + total;
		m = iov_slice(in, n, (size_t)(a - offset), (size_t)(b - a), part);
		r = rw_fd(dirty ? d->overlay_fd : d->fd, part, m, a, false);
		if (r)
			return r;
		s = e + 1;
	}
	return 0;
}

static int rw(struct disk *d, const struct iovec *in, unsigned n, uint64_t offset, bool write)
{
	size_t total;

	if (n > DISK_MAX_IOV)
		return -EINVAL;
	total = iov_total(in, n);
	if (offset > d->size || total > d->size - offset)
		return -ERANGE;
	if (!total)
		return 0;
	if (d->overlay_fd >= 0)
		return snapshot_rw(d, in, n, offset, total, write);
	return rw_fd(d->fd, in, n, offset, write);
}

int disk_preadv(struct disk *d, const struct iovec *iov, unsigned n, uint64_t offset)
{
	return rw(d, iov, n, offset, false);
}

int disk_pwritev(struct disk *d, const struct iovec *iov, unsigned n, uint64_t offset)
{
	if (d->readonly)
		return -EROFS;
	d->unflushed = !d->snapshot; /* a snapshot's overlay is thrown away at exit */
	return rw(d, iov, n, offset, true);
}

int disk_flush(struct disk *d)
{
	/* The overlay is thrown away at exit: nothing to make stable. */
	if (d->readonly || d->snapshot || d->cache == DISK_CACHE_UNSAFE)
		return 0;
	if (fdatasync(d->fd))
		return -errno;
	d->unflushed = false;
	return 0;
}

int disk_identity(const struct disk *d, struct disk_identity *id)
{
	struct stat st;

	if (fstat(d->fd, &st))
		return -errno;
	id->ino = st.st_ino;
	id->size = d->size;
	id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 0;
}
