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

static int parse_opts(struct disk *d, char *opts, const char *spec)
{
	char *save = NULL, *o;

	for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
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
		} else {
			fprintf(stderr, "hv440: --disk '%s': unknown option '%s' (readonly=on|off, "
				"cache=writeback|writethrough|unsafe)\n", spec, o);
			return -1;
		}
	}
	return 0;
}

struct disk *disk_open(const char *spec)
{
	struct disk *d = calloc(1, sizeof(*d));
	char *copy = strdup(spec), *comma;
	struct flock fl;
	struct stat st;
	int flags;

	if (!d || !copy) {
		fprintf(stderr, "hv440: out of memory\n");
		free(d);
		free(copy);
		return NULL;
	}
	d->fd = -1;
	comma = strchr(copy, ',');
	if (comma)
		*comma++ = '\0';
	if (!*copy) {
		fprintf(stderr, "hv440: --disk '%s': no image file named\n", spec);
		goto fail;
	}
	d->path = strdup(copy);
	if (!d->path || (comma && parse_opts(d, comma, spec)))
		goto fail;

	flags = (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	if (d->cache == DISK_CACHE_WRITETHROUGH)
		flags |= O_DSYNC;
	d->fd = open(d->path, flags);
	if (d->fd < 0) {
		fprintf(stderr, "hv440: cannot open disk image '%s'%s: %s\n", d->path,
			d->readonly ? " read-only" : "", strerror(errno));
		goto fail;
	}
	if (fstat(d->fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		fprintf(stderr, "hv440: disk image '%s' is not a regular file or block device\n",
			d->path);
		goto fail;
	}
	d->size = S_ISBLK(st.st_mode) ? (uint64_t)lseek(d->fd, 0, SEEK_END) : (uint64_t)st.st_size;
	if (d->size < 512) {
		fprintf(stderr, "hv440: disk image '%s' is smaller than one 512-byte sector\n",
			d->path);
		goto fail;
	}

	/*
	 * Open file description locks belong to this open file, not the
	 * process, so they also keep a second disk of the same hv440 off it.
	 */
	memset(&fl, 0, sizeof(fl));
	fl.l_type = d->readonly ? F_RDLCK : F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(d->fd, F_OFD_SETLK, &fl)) {
		if (errno == EAGAIN || errno == EACCES)
			fprintf(stderr, "hv440: disk image '%s' is in use by another process "
				"(it holds a %s lock)\n", d->path, d->readonly ? "write" : "conflicting");
		else
			fprintf(stderr, "hv440: cannot lock disk image '%s': %s\n", d->path,
				strerror(errno));
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
	if (d->fd >= 0 && d->dirty && d->cache == DISK_CACHE_WRITEBACK && fdatasync(d->fd))
		fprintf(stderr, "hv440: disk image '%s': cannot flush at exit: %s\n", d->path,
			strerror(errno));
	if (d->fd >= 0)
		close(d->fd);
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

static int rw(struct disk *d, const struct iovec *in, unsigned n, uint64_t offset, bool write)
{
	struct iovec iov[1024];
	size_t total = 0;
	unsigned i, first = 0;

	if (n > sizeof(iov) / sizeof(iov[0]))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		iov[i] = in[i];
		total += in[i].iov_len;
	}
	if (offset > d->size || total > d->size - offset)
		return -ERANGE;
	while (total) {
		ssize_t r = write ? pwritev(d->fd, iov + first, (int)(n - first), (off_t)offset)
				  : preadv(d->fd, iov + first, (int)(n - first), (off_t)offset);

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

int disk_preadv(struct disk *d, const struct iovec *iov, unsigned n, uint64_t offset)
{
	return rw(d, iov, n, offset, false);
}

int disk_pwritev(struct disk *d, const struct iovec *iov, unsigned n, uint64_t offset)
{
	if (d->readonly)
		return -EROFS;
	d->dirty = true;
	return rw(d, iov, n, offset, true);
}

int disk_flush(struct disk *d)
{
	if (d->readonly || d->cache == DISK_CACHE_UNSAFE)
		return 0;
	if (fdatasync(d->fd))
		return -errno;
	d->dirty = false;
	return 0;
}
