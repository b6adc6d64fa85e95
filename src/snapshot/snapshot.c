/* SPDX-License-Identifier: MIT */
/* snapshot.c - the whole machine's state as one versioned, checksummed file (docs/snapshot.md). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "host/disk.h"
#include "hw/virtio_blk.h"
#include "snapshot/snapshot.h"
#include "util/byteorder.h"
#include "util/state.h"
#include "util/log.h"

/*
 * Layout (all integers big-endian):
 *   header   magic[8] "HV440SNP", u32 version, u32 header size (56),
 *            board[16] (NUL-padded), u64 RAM bytes, u32 sections,
 *            u32 flags (0), u32 CRC32 of the 48 bytes before it, u32 0
 *   section  name[32] (NUL-padded), u64 payload bytes, u32 CRC32 of the
 *            payload, u32 CRC32 of the 44 bytes before it; then the payload
 * Sections, in order: "machine", "ram", "vcpu", "dev.N.NAME" for each
 * device of the board's list, "end" (empty). Version 2: "ram" is the page
 * index, and the pages follow "end" from the next 4 KiB boundary to the end
 * of the file, uncompressed, to be mapped (docs/snapshot.md). Version 1
 * (still read): "ram" is one zstd frame of the pages. A reader that meets a
 * version above SNAP_VERSION refuses the file.
 */
#define SNAP_MAGIC        "HV440SNP"
#define SNAP_VERSION      2u
#define SNAP_RAM_TAG      "RAMI"
#define SNAP_HEADER_SIZE  56u
#define SNAP_SECTION_SIZE 48u
#define SNAP_NAME_LEN     32u
#define SNAP_PAGE         4096u
#define SNAP_DEV_BUF      (1u << 20) /* room for one device's state */
#define SNAP_MACHINE_TAG  "MACH"

/* ---- writing ---- */

struct snap_out {
	FILE *f;
	uint32_t n_sections;
	bool failed;
};

static void put_section(struct snap_out *o, const char *name, const void *data, uint64_t len)
{
	uint8_t h[SNAP_SECTION_SIZE];

	memset(h, 0, sizeof(h));
	strncpy((char *)h, name, SNAP_NAME_LEN);
	st_be32(h + 32, (uint32_t)(len >> 32));
	st_be32(h + 36, (uint32_t)len);
	st_be32(h + 40, (uint32_t)crc32_z(0, data, (size_t)len));
	st_be32(h + 44, (uint32_t)crc32_z(0, h, 44));
	if (fwrite(h, sizeof(h), 1, o->f) != 1 || (len && fwrite(data, (size_t)len, 1, o->f) != 1))
		o->failed = true;
	o->n_sections++;
}

static void make_header(uint8_t h[SNAP_HEADER_SIZE], const char *board, uint64_t ram_size,
			uint32_t n_sections)
{
	memset(h, 0, SNAP_HEADER_SIZE);
	memcpy(h, SNAP_MAGIC, 8);
	st_be32(h + 8, SNAP_VERSION);
	st_be32(h + 12, SNAP_HEADER_SIZE);
	strncpy((char *)h + 16, board, 16); /* the machine class (-M NAME) */
	st_be32(h + 32, (uint32_t)(ram_size >> 32));
	st_be32(h + 36, (uint32_t)ram_size);
	st_be32(h + 40, n_sections);
	st_be32(h + 44, 0);
	st_be32(h + 48, (uint32_t)crc32_z(0, h, 48));
	st_be32(h + 52, 0); /* reserved */
}

static void put_str(struct state_writer *w, const char *s)
{
	if (!s) {
		state_put_u32(w, UINT32_MAX);
		return;
	}
	state_put_u32(w, (uint32_t)strlen(s));
	state_put_bytes(w, s, strlen(s));
}

/* What rebuilds the machine: the options that shape what the guest sees, and each disk's identity. */
static int machine_record(struct board *b, struct state_writer *w, char *err, size_t errlen)
{
	const struct board_config *cfg = b->cfg;

	state_put_header(w, SNAP_MACHINE_TAG, 1);
	put_str(w, cfg->kernel);
	state_put_u8(w, cfg->kernel_addr_set);
	state_put_u32(w, cfg->kernel_addr);
	put_str(w, cfg->initrd);
	put_str(w, cfg->append);
	put_str(w, cfg->dtb);
	state_put_u32(w, cfg->pvr);
	state_put_u8(w, cfg->no_paravirt);
	state_put_u8(w, cfg->rng);
	put_str(w, cfg->console);
	put_str(w, cfg->bytechan);
	state_put_u32(w, cfg->n_disks);
	for (unsigned i = 0; i < cfg->n_disks; i++) {
		struct disk *d = virtio_blk_disk(b->blk[i]);
		struct disk_identity id;

		if (d->snapshot) {
			snprintf(err, errlen, "disk %u (%s) has snapshot=on: its overlay is not saved",
				 i, d->path);
			return -1;
		}
		if (disk_identity(d, &id)) {
			snprintf(err, errlen, "disk %u (%s): %s", i, d->path, strerror(errno));
			return -1;
		}
		put_str(w, cfg->disk[i]);
		state_put_u64(w, id.ino);
		state_put_u64(w, id.size);
		state_put_u64(w, (uint64_t)id.mtime_ns);
	}
	state_put_u32(w, cfg->n_nets);
	for (unsigned i = 0; i < cfg->n_nets; i++)
		put_str(w, cfg->net[i]);
	if (!state_writer_ok(w)) {
		snprintf(err, errlen, "the machine's configuration is too long");
		return -1;
	}
	return 0;
}

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;
	uint64_t acc = 0;

	for (unsigned i = 0; i < SNAP_PAGE / 8; i++)
		acc |= q[i];
	return acc == 0;
}

/* A page the guest may hold something in: resident, or still mapped from a restored file. */
static bool page_held(const struct board *b, const unsigned char *vec, size_t i)
{
	return (vec[i] & 1) ||
	       (b->ram_file_pages && (b->ram_file_pages[i / 8] & (1u << (i % 8))));
}

/*
 * RAM, version 2: the index of the pages written after the "end" section,
 * as runs of consecutive pages (the section: tag RAMI version 1, u32 page
 * size, u32 runs, then u32 first page and u32 pages of each run,
 * ascending). Only pages that hold anything: never-touched pages are not
 * resident (mincore), and zero pages are skipped.
 */
struct ram_runs {
	uint32_t (*run)[2];
	uint32_t n;
	uint64_t pages;
};

static int ram_index(struct board *b, struct ram_runs *rr, struct state_writer *w, char *err,
		     size_t errlen)
{
	size_t pages = (size_t)(b->ram_size / SNAP_PAGE);
	unsigned char *vec = malloc(pages);
	int ret = -1;

	memset(rr, 0, sizeof(*rr));
	rr->run = malloc((pages / 2 + 1) * sizeof(*rr->run));
	if (!vec || !rr->run) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (mincore(b->ram, (size_t)b->ram_size, vec))
		memset(vec, 1, pages);
	for (size_t i = 0; i < pages; i++) {
		if (!page_held(b, vec, i) || page_is_zero(b->ram + i * SNAP_PAGE))
			continue;
		if (rr->n && rr->run[rr->n - 1][0] + rr->run[rr->n - 1][1] == i) {
			rr->run[rr->n - 1][1]++;
		} else {
			rr->run[rr->n][0] = (uint32_t)i;
			rr->run[rr->n++][1] = 1;
		}
		rr->pages++;
	}
	state_put_header(w, SNAP_RAM_TAG, 1);
	state_put_u32(w, SNAP_PAGE);
	state_put_u32(w, rr->n);
	for (uint32_t i = 0; i < rr->n; i++) {
		state_put_u32(w, rr->run[i][0]);
		state_put_u32(w, rr->run[i][1]);
	}
	if (!state_writer_ok(w)) {
		snprintf(err, errlen, "RAM's page index is too long (%u runs)", rr->n);
		goto out;
	}
	ret = 0;
out:
	free(vec);
	if (ret) {
		free(rr->run);
		rr->run = NULL;
	}
	return ret;
}

/* The pages of the index, from the next page boundary of the file on. */
static void put_ram_pages(struct snap_out *o, struct board *b, const struct ram_runs *rr)
{
	static const uint8_t zero[SNAP_PAGE];
	long pos = ftell(o->f);

	if (pos < 0 || (pos % SNAP_PAGE &&
			fwrite(zero, SNAP_PAGE - (size_t)pos % SNAP_PAGE, 1, o->f) != 1)) {
		o->failed = true;
		return;
	}
	for (uint32_t i = 0; i < rr->n && !o->failed; i++)
		if (fwrite(b->ram + (size_t)rr->run[i][0] * SNAP_PAGE,
			   (size_t)rr->run[i][1] * SNAP_PAGE, 1, o->f) != 1)
			o->failed = true;
}

/* The vcpu's section, then one per device in list order ("dev.N.NAME"); -1 after err is set. */
static int put_state(struct snap_out *o, struct board *b, uint8_t *buf, char *err, size_t errlen)
{
	struct state_writer w;
	unsigned i = 0;

	state_writer_init(&w, buf, SNAP_DEV_BUF);
	if (vcpu_state_save(&b->vcpu, &w)) {
		snprintf(err, errlen, "the vcpu's state does not fit");
		return -1;
	}
	put_section(o, "vcpu", buf, w.len);
	for (struct device *d = b->devices.head; d; d = d->next, i++) {
		char name[SNAP_NAME_LEN + 16];
		int r;

		if (!d->ops->save || !d->ops->load) {
			snprintf(err, errlen, "device %s cannot save its state", d->name);
			return -1;
		}
		state_writer_init(&w, buf, SNAP_DEV_BUF);
		r = d->ops->save(d, &w);
		if (r) {
			snprintf(err, errlen, "device %s: %s", d->name,
				 r == -EBUSY ? "a request is still in flight" : strerror(-r));
			return -1;
		}
		snprintf(name, sizeof(name), "dev.%u.%s", i, d->name);
		put_section(o, name, buf, w.len);
	}
	return 0;
}

static int write_file(struct board *b, const char *path, int fd, char *err, size_t errlen)
{
	struct state_writer w;
	/* the RAM index: at most one run for every other page */
	size_t ram_buf = 64 + (size_t)(b->ram_size / SNAP_PAGE / 2 + 1) * 8;
	uint8_t *buf = malloc(SNAP_DEV_BUF), *ram = malloc(ram_buf), h[SNAP_HEADER_SIZE];
	struct state_writer rw;
	struct ram_runs rr = { 0 };
	char *tmp = NULL;
	struct snap_out o = { 0 };
	int ret = -1;

	if (!buf || !ram || asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Everything is gathered before the file is created: a refusal leaves no file behind. */
	state_writer_init(&w, buf, SNAP_DEV_BUF);
	state_writer_init(&rw, ram, ram_buf);
	if (machine_record(b, &w, err, errlen) || ram_index(b, &rr, &rw, err, errlen))
		goto out;
	if (fd >= 0) {
		struct stat st;
		int copy = -1;

		/* Truncating the file this guest's RAM maps would take its pages away (SIGBUS). */
		if (b->ram_file_pages && !fstat(fd, &st) && (uint64_t)st.st_dev == b->ram_file_dev &&
		    (uint64_t)st.st_ino == b->ram_file_ino) {
			snprintf(err, errlen, "'%s' is the snapshot this guest was restored from, "
				 "whose pages its RAM maps: write another file", path);
			goto out;
		}

		/* The client's file (passed over the control socket): written in place. */
		if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) || (copy = dup(fd)) < 0 ||
		    !(o.f = fdopen(copy, "wb"))) {
			snprintf(err, errlen, "cannot write the file passed for '%s': %s", path,
				 strerror(errno));
			if (copy >= 0)
				close(copy);
			goto out;
		}
		free(tmp);
		tmp = NULL;
	} else if (!(o.f = fopen(tmp, "wbe"))) {
		snprintf(err, errlen, "cannot create '%s': %s%s", tmp, strerror(errno),
			 errno == EACCES ? " (under the sandbox, pass the file's descriptor with "
			 "the command: docs/snapshot.md)" : "");
		goto out;
	}
	make_header(h, b->mc ? b->mc->name : "bamboo", b->ram_size, 0);
	if (fwrite(h, sizeof(h), 1, o.f) != 1)
		o.failed = true;
	put_section(&o, "machine", buf, w.len);
	put_section(&o, "ram", ram, rw.len);
	if (put_state(&o, b, buf, err, errlen))
		goto out;
	put_section(&o, "end", NULL, 0);
	put_ram_pages(&o, b, &rr);
	make_header(h, b->mc ? b->mc->name : "bamboo", b->ram_size, o.n_sections);
	if (o.failed || fflush(o.f) || fseek(o.f, 0, SEEK_SET) || fwrite(h, sizeof(h), 1, o.f) != 1 ||
	    fflush(o.f) || fsync(fileno(o.f))) {
		snprintf(err, errlen, "cannot write '%s': %s", tmp ? tmp : path,
			 strerror(errno ? errno : EIO));
		goto out;
	}
	if (fclose(o.f)) {
		o.f = NULL;
		snprintf(err, errlen, "cannot write '%s': %s", tmp ? tmp : path, strerror(errno));
		goto out;
	}
	o.f = NULL;
	if (tmp && rename(tmp, path)) {
		snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (o.f)
		fclose(o.f);
	if (ret && tmp)
		unlink(tmp);
	free(rr.run);
	free(ram);
	free(tmp);
	free(buf);
	return ret;
}

int snapshot_save(struct board *b, const char *path, int fd, char *err, size_t errlen)
{
	uint64_t tb;
	int r;

	if (b->in_blk_check) {
		snprintf(err, errlen, "busy: a disk request is being served, try again");
		return -1;
	}
	for (unsigned i = 0; i < BOARD_MAX_DISKS; i++)
		if (b->blk[i])
			virtio_blk_drain(b->blk[i]);
	/* The guest is paused while the file is written: its time resumes where it stopped. */
	tb = core_tb_read(&b->vcpu.core);
	r = write_file(b, path, fd, err, errlen);
	vcpu_debug_resume_time(&b->vcpu, tb);
	return r;
}

int snapshot_save_hook(void *opaque, const char *path, int fd, char *err, size_t errlen)
{
	return snapshot_save(opaque, path, fd, err, errlen);
}

/* ---- reading ---- */

struct snap_section {
	char name[SNAP_NAME_LEN + 1];
	const uint8_t *data;
	uint64_t len;
};

#define SNAP_MAX_SECTIONS 64

struct snap_in {
	const char *path;
	int fd;                /* open until the restore ends: version 2 maps RAM from it */
	uint32_t version;
	uint8_t *map;
	size_t size;
	/* Version 2: the RAM pages at file offset pages_off; the index's runs, checked. */
	uint64_t pages_off;
	uint32_t n_runs;
	uint32_t (*run)[2];
	struct stat st;
	uint64_t ram_size;
	const struct machine_class *mc; /* the board named in the header */
	/* The recorded machine's strings (board_config points at them); the board owns them after. */
	char *strs[BOARD_STRINGS_MAX];
	unsigned n_strs;
	unsigned n;
	struct snap_section s[SNAP_MAX_SECTIONS];
};

static int refuse(const struct snap_in *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(const struct snap_in *in, const char *fmt, ...)
{
	va_list ap;

	log_err("--restore '%s': ", in->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Map the file and check every header and checksum: nothing is built before this passes. */
static int snap_open(struct snap_in *in)
{
	int fd = open(in->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	const uint8_t *h;
	uint8_t head[SNAP_HEADER_SIZE];
	char board[17];
	uint32_t version, hsize, n;
	size_t pos;

	if (fd < 0)
		return refuse(in, "%s", strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return refuse(in, "not a regular file");
	}
	in->size = (size_t)st.st_size;
	if (in->size < SNAP_HEADER_SIZE) {
		close(fd);
		return refuse(in, "truncated: %zu bytes, shorter than the header", in->size);
	}
	in->fd = fd;
	in->st = st;
	/* Version 1 is read whole; version 2's RAM pages are only mapped, and read as the guest runs. */
	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head))
		return refuse(in, "cannot read: %s", strerror(errno ? errno : EIO));
	in->map = mmap(NULL, in->size, PROT_READ,
		       MAP_PRIVATE | (ld_be32(head + 8) == 1 ? MAP_POPULATE : 0), fd, 0);
	if (in->map == MAP_FAILED) {
		in->map = NULL;
		return refuse(in, "cannot map: %s", strerror(errno));
	}
	h = in->map;
	if (memcmp(h, SNAP_MAGIC, 8))
		return refuse(in, "not an hv440 snapshot (bad magic)");
	version = ld_be32(h + 8);
	if (version > SNAP_VERSION)
		return refuse(in, "written by a newer hv440 (format version %u; this one reads "
			      "version %u)", version, SNAP_VERSION);
	if (crc32_z(0, h, 48) != ld_be32(h + 48))
		return refuse(in, "corrupted header (CRC mismatch)");
	hsize = ld_be32(h + 12);
	if (version == 0 || hsize != SNAP_HEADER_SIZE)
		return refuse(in, "corrupted header (version %u, header size %u)", version, hsize);
	in->version = version;
	memcpy(board, h + 16, 16);
	board[16] = 0;
	in->mc = machine_find(board);
	if (!in->mc)
		return refuse(in, "a snapshot of board '%s', which this hv440 does not have (-M help "
			      "lists its boards)", board);
	in->ram_size = (uint64_t)ld_be32(h + 32) << 32 | ld_be32(h + 36);
	n = ld_be32(h + 40);
	if (n > SNAP_MAX_SECTIONS || n < 4)
		return refuse(in, "corrupted header (%u sections)", n);
	pos = SNAP_HEADER_SIZE;
	for (in->n = 0; in->n < n; in->n++) {
		struct snap_section *s = &in->s[in->n];
		const uint8_t *sh = in->map + pos;

		if (in->size - pos < SNAP_SECTION_SIZE)
			return refuse(in, "truncated: ends in section %u of %u (%zu bytes)", in->n + 1,
				      n, in->size);
		if (crc32_z(0, sh, 44) != ld_be32(sh + 44))
			return refuse(in, "corrupted: section %u's header (CRC mismatch)", in->n + 1);
		memcpy(s->name, sh, SNAP_NAME_LEN);
		s->name[SNAP_NAME_LEN] = 0;
		s->len = (uint64_t)ld_be32(sh + 32) << 32 | ld_be32(sh + 36);
		pos += SNAP_SECTION_SIZE;
		if (s->len > in->size - pos)
			return refuse(in, "truncated: section '%s' needs %" PRIu64 " bytes, %zu left",
				      s->name, s->len, in->size - pos);
		s->data = in->map + pos;
		if (crc32_z(0, s->data, (size_t)s->len) != ld_be32(sh + 40))
			return refuse(in, "corrupted: section '%s' (CRC mismatch)", s->name);
		pos += (size_t)s->len;
	}
	if (strcmp(in->s[n - 1].name, "end"))
		return refuse(in, "corrupted: no end section");
	if (version >= 2) {
		/* The RAM pages: from the next page boundary to the end of the file (ram_index_load). */
		in->pages_off = (pos + SNAP_PAGE - 1) / SNAP_PAGE * SNAP_PAGE;
		if (in->pages_off > in->size)
			return refuse(in, "truncated: ends before the RAM pages");
	} else if (pos != in->size) {
		return refuse(in, "corrupted: %zu bytes after the end section", in->size - pos);
	}
	if (strcmp(in->s[0].name, "machine") || strcmp(in->s[1].name, "ram") ||
	    strcmp(in->s[2].name, "vcpu"))
		return refuse(in, "corrupted: sections out of order");
	return 0;
}

static char *get_str(struct snap_in *in, struct state_reader *r)
{
	uint32_t len = state_get_u32(r);
	const uint8_t *p;
	char *s;

	if (len == UINT32_MAX)
		return NULL;
	p = state_get_bytes_at(r, len);
	if (!p || memchr(p, 0, len)) {
		state_fail(r);
		return NULL;
	}
	s = in->n_strs < BOARD_STRINGS_MAX ? strndup((const char *)p, len) : NULL;
	if (!s)
		r->failed = true;
	else
		in->strs[in->n_strs++] = s;
	return s;
}

struct recorded_disk {
	struct disk_identity id;
};

/* The recorded machine into cfg; options given again are checked against it. */
static int machine_load(struct snap_in *in, struct board_config *cfg,
			struct recorded_disk disks[BOARD_MAX_DISKS])
{
	struct state_reader r;
	char *kernel, *initrd, *append, *dtb, *console, *bytechan;
	const char *disk[BOARD_MAX_DISKS], *net[BOARD_MAX_NICS];
	bool kaddr_set, no_pv, rng;
	uint32_t kaddr, pvr, n_disks, n_nets;

	state_reader_init(&r, in->s[0].data, (size_t)in->s[0].len);
	if (state_get_header(&r, SNAP_MACHINE_TAG) != 1)
		return refuse(in, "corrupted: the machine section");
	kernel = get_str(in, &r);
	kaddr_set = state_get_bool(&r);
	kaddr = state_get_u32(&r);
	initrd = get_str(in, &r);
	append = get_str(in, &r);
	dtb = get_str(in, &r);
	pvr = state_get_u32(&r);
	no_pv = state_get_bool(&r);
	rng = state_get_bool(&r);
	console = get_str(in, &r);
	bytechan = get_str(in, &r);
	n_disks = state_get_u32(&r);
	if (n_disks > BOARD_MAX_DISKS)
		state_fail(&r);
	for (unsigned i = 0; i < n_disks && state_reader_ok(&r); i++) {
		disk[i] = get_str(in, &r);
		disks[i].id.ino = state_get_u64(&r);
		disks[i].id.size = state_get_u64(&r);
		disks[i].id.mtime_ns = (int64_t)state_get_u64(&r);
		if (!disk[i])
			state_fail(&r);
	}
	n_nets = state_get_u32(&r);
	if (n_nets > BOARD_MAX_NICS)
		state_fail(&r);
	for (unsigned i = 0; i < n_nets && state_reader_ok(&r); i++)
		if (!(net[i] = get_str(in, &r)))
			state_fail(&r);
	if (!state_reader_ok(&r) || r.pos != r.size || !kernel)
		return refuse(in, "corrupted: the machine section");

	/* The machine comes from the file; what shapes the guest may not be given again. */
	if (cfg->machine && machine_find(cfg->machine) != in->mc)
		return refuse(in, "a snapshot of board '%s'; -M asks for '%s'", in->mc->name,
			      cfg->machine);
	cfg->machine = in->mc->name;
	if (cfg->kernel || cfg->initrd || cfg->append || cfg->dtb || cfg->kernel_addr_set)
		return refuse(in, "--kernel, --initrd, --append, --dtb and --kernel-addr come from "
			      "the snapshot; give none of them");
	if (cfg->ram_size_set && cfg->ram_size != in->ram_size)
		return refuse(in, "the snapshot's machine has %" PRIu64 " MiB of RAM, -m asks for "
			      "%" PRIu64 " MiB", in->ram_size >> 20, cfg->ram_size >> 20);
	if (in->ram_size < BOARD_MIN_RAM || in->ram_size > BOARD_MAX_RAM || in->ram_size % (1 << 20))
		return refuse(in, "corrupted: %" PRIu64 " bytes of RAM", in->ram_size);
	if (cfg->pvr && cfg->pvr != pvr)
		return refuse(in, "--cpu differs from the snapshot's processor (PVR 0x%08x)", pvr);
	if (cfg->no_paravirt && !no_pv)
		return refuse(in, "--no-paravirt: the snapshot's machine has paravirtualization");
	if (cfg->rng && !rng)
		return refuse(in, "--rng: the snapshot's machine has no virtio-rng");
	if (cfg->console && !console)
		return refuse(in, "--console: the snapshot's machine has no virtio console");
	if (cfg->bytechan && !bytechan)
		return refuse(in, "--bytechan: the snapshot's machine has no byte channel");
	if (cfg->n_disks && cfg->n_disks != n_disks)
		return refuse(in, "%u --disk given, the snapshot's machine has %u disks", cfg->n_disks,
			      n_disks);
	if (cfg->n_nets && cfg->n_nets != n_nets)
		return refuse(in, "%u --net given, the snapshot's machine has %u NICs", cfg->n_nets,
			      n_nets);
	cfg->kernel = kernel;
	cfg->kernel_addr_set = kaddr_set;
	cfg->kernel_addr = kaddr;
	cfg->initrd = initrd;
	cfg->append = append;
	cfg->dtb = dtb;
	cfg->ram_size = in->ram_size;
	cfg->ram_size_set = true;
	cfg->pvr = pvr;
	cfg->no_paravirt = no_pv;
	cfg->rng = rng;
	/* Host-side backends: as given again, else as recorded. */
	if (!cfg->console)
		cfg->console = console;
	if (!cfg->bytechan)
		cfg->bytechan = bytechan;
	/* As on a first start: a console on stdio takes it from UART0 (unless --serial said stdio). */
	if (((cfg->console && !strcmp(cfg->console, "stdio")) ||
	     (cfg->bytechan && !strcmp(cfg->bytechan, "stdio"))) && !strcmp(cfg->serial[0], "stdio"))
		cfg->serial[0] = "null";
	if (!cfg->n_disks)
		for (cfg->n_disks = n_disks; n_disks--;)
			cfg->disk[n_disks] = disk[n_disks];
	if (!cfg->n_nets)
		for (cfg->n_nets = n_nets; n_nets--;)
			cfg->net[n_nets] = net[n_nets];
	return 0;
}

/*
 * Version 2: the RAM index, checked against the RAM size and the file's
 * length before anything is built (the pages themselves carry no checksum:
 * docs/snapshot.md).
 */
static int ram_index_load(struct snap_in *in)
{
	const struct snap_section *s = &in->s[1];
	uint32_t pages = (uint32_t)(in->ram_size / SNAP_PAGE), n;
	uint64_t total = 0, have = in->size - in->pages_off;
	struct state_reader r;

	state_reader_init(&r, s->data, (size_t)s->len);
	if (state_get_header(&r, SNAP_RAM_TAG) != 1 || state_get_u32(&r) != SNAP_PAGE)
		return refuse(in, "corrupted: the RAM section");
	n = state_get_u32(&r);
	if (!state_reader_ok(&r) || n > pages / 2 + 1 || r.size - r.pos != (size_t)n * 8)
		return refuse(in, "corrupted: the RAM section's page index");
	in->run = malloc((size_t)n * sizeof(*in->run) + 1);
	if (!in->run)
		return refuse(in, "out of memory");
	for (uint32_t i = 0, next = 0; i < n; i++) {
		uint32_t first = state_get_u32(&r), count = state_get_u32(&r);

		/* ascending, apart (a gap between runs), inside RAM */
		if (count == 0 || first < next || first > pages || count > pages - first)
			return refuse(in, "corrupted: the RAM section's page index");
		in->run[i][0] = first;
		in->run[i][1] = count;
		next = first + count + 1;
		total += count;
	}
	in->n_runs = n;
	if (have != total * SNAP_PAGE)
		return refuse(in, "%s: the RAM pages need %" PRIu64 " bytes after the sections, "
			      "the file has %" PRIu64, have < total * SNAP_PAGE ? "truncated" :
			      "corrupted", total * SNAP_PAGE, have);
	return 0;
}

/* Above this many runs the pages are copied: each mapping is a kernel VMA (vm.max_map_count). */
#define SNAP_MAX_MAPPINGS 8192

/*
 * Version 2: each run of pages mapped from the file, private (a guest
 * write copies the page; the file never changes), as Firecracker restores
 * guest memory: only the pages the guest touches are ever read. The board's
 * RAM is fresh (board_create_restored()): what the file lacks is zero.
 */
static int ram_map(struct snap_in *in, struct board *b)
{
	size_t pages = (size_t)(b->ram_size / SNAP_PAGE);
	uint64_t off = in->pages_off;

	if (in->n_runs > SNAP_MAX_MAPPINGS) {
		for (uint32_t i = 0; i < in->n_runs; i++) {
			size_t len = (size_t)in->run[i][1] * SNAP_PAGE;

			memcpy(b->ram + (size_t)in->run[i][0] * SNAP_PAGE, in->map + off, len);
			off += len;
		}
		return 0;
	}
	b->ram_file_pages = calloc(pages / 8 + 1, 1);
	if (!b->ram_file_pages)
		return refuse(in, "out of memory");
	for (uint32_t i = 0; i < in->n_runs; i++) {
		size_t first = in->run[i][0], len = (size_t)in->run[i][1] * SNAP_PAGE;

		if (mmap(b->ram + first * SNAP_PAGE, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, in->fd, (off_t)off) == MAP_FAILED)
			return refuse(in, "cannot map RAM from the file: %s", strerror(errno));
		for (size_t p = first; p < first + in->run[i][1]; p++)
			b->ram_file_pages[p / 8] |= (uint8_t)(1u << (p % 8));
		off += len;
	}
	/* the new mappings are guest RAM too: out of core files (board_create()) */
	madvise(b->ram, (size_t)b->ram_size, MADV_DONTDUMP);
	b->ram_file_dev = (uint64_t)in->st.st_dev;
	b->ram_file_ino = (uint64_t)in->st.st_ino;
	return 0;
}

/* Inflate exactly len bytes of the frame into dst. */
static bool inflate_to(ZSTD_DCtx *z, ZSTD_inBuffer *ib, void *dst, size_t len)
{
	ZSTD_outBuffer ob = { dst, len, 0 };

	while (ob.pos < len) {
		size_t in_before = ib->pos, out_before = ob.pos;
		size_t r = ZSTD_decompressStream(z, &ob, ib);

		if (ZSTD_isError(r) || (ib->pos == in_before && ob.pos == out_before))
			return false;
	}
	return true;
}

static int ram_load(struct snap_in *in, struct board *b)
{
	const struct snap_section *s = &in->s[1];
	ZSTD_DCtx *z = ZSTD_createDCtx();
	ZSTD_inBuffer ib = { s->data, (size_t)s->len, 0 };
	uint8_t head[8];
	uint32_t *idx = NULL, n = 0, pages = (uint32_t)(b->ram_size / SNAP_PAGE);
	int ret = -1;

	if (!z)
		return refuse(in, "out of memory");
	if (!inflate_to(z, &ib, head, 8) || ld_be32(head) != SNAP_PAGE ||
	    (n = ld_be32(head + 4)) > pages) {
		refuse(in, "corrupted: the RAM section");
		goto out;
	}
	idx = malloc((size_t)n * 4 + 4);
	if (!idx || !inflate_to(z, &ib, idx, (size_t)n * 4)) {
		refuse(in, "corrupted: the RAM section's page list");
		goto out;
	}
	for (uint32_t i = 0, prev = 0; i < n; i++) {
		uint32_t p = be32toh(idx[i]);

		if (p >= pages || (i && p <= prev)) {
			refuse(in, "corrupted: the RAM section's page list");
			goto out;
		}
		idx[i] = p;
		prev = p;
	}
	/* The board's RAM is fresh (board_create_restored()): what the file lacks is zero. */
	for (uint32_t i = 0; i < n; i++) {
		if (!inflate_to(z, &ib, b->ram + (size_t)idx[i] * SNAP_PAGE, SNAP_PAGE)) {
			refuse(in, "corrupted: the RAM section's page %u", i);
			goto out;
		}
	}
	ret = 0;
out:
	free(idx);
	ZSTD_freeDCtx(z);
	return ret;
}

int snapshot_restore(struct board **out, struct board_config *cfg, const char *path)
{
	struct snap_in in = { .path = path, .fd = -1 };
	struct recorded_disk disks[BOARD_MAX_DISKS];
	struct state_reader r;
	struct board *b;
	unsigned i = 0, sec = 3;
	int ret = -1;

	*out = NULL;
	if (snap_open(&in))
		goto out;
	if (machine_load(&in, cfg, disks) || (in.version >= 2 && ram_index_load(&in)))
		goto out;
	if (board_create_restored(out, cfg))
		goto out;
	b = *out;
	for (unsigned d = 0; d < cfg->n_disks; d++) {
		struct disk *disk = virtio_blk_disk(b->blk[d]);
		struct disk_identity id;

		if (disk_identity(disk, &id) || id.size != disks[d].id.size) {
			refuse(&in, "disk %u (%s) has %" PRIu64 " bytes, the snapshot's had %" PRIu64,
			       d, disk->path, id.size, disks[d].id.size);
			goto out;
		}
		if (id.ino != disks[d].id.ino || id.mtime_ns != disks[d].id.mtime_ns) {
			refuse(&in, "disk %u (%s) is not the snapshot's image as it was (%s differs)",
			       d, disk->path, id.ino != disks[d].id.ino ? "inode" : "mtime");
			goto out;
		}
	}
	if (in.version >= 2 ? ram_map(&in, b) : ram_load(&in, b))
		goto out;
	state_reader_init(&r, in.s[2].data, (size_t)in.s[2].len);
	if (vcpu_state_load(&b->vcpu, &r) || r.pos != r.size) {
		refuse(&in, "the vcpu section does not fit this machine");
		goto out;
	}
	for (struct device *d = b->devices.head; d; d = d->next, i++, sec++) {
		char name[SNAP_NAME_LEN + 16];

		snprintf(name, sizeof(name), "dev.%u.%s", i, d->name);
		name[SNAP_NAME_LEN] = 0;
		if (sec >= in.n - 1 || strcmp(in.s[sec].name, name)) {
			refuse(&in, "the snapshot's devices differ from this machine's (no %s)", name);
			goto out;
		}
		state_reader_init(&r, in.s[sec].data, (size_t)in.s[sec].len);
		if (!d->ops->load || d->ops->load(d, &r) || r.pos != r.size) {
			refuse(&in, "the state of device %s does not fit this machine", d->name);
			goto out;
		}
	}
	if (sec != in.n - 1) {
		refuse(&in, "the snapshot has devices this machine lacks (%s)", in.s[sec].name);
		goto out;
	}
	ret = 0;
out:
	if (in.map)
		munmap(in.map, in.size);
	if (in.fd >= 0)
		close(in.fd); /* the RAM mappings keep the file */
	free(in.run);
	/* The strings the configuration points at live as long as the board. */
	if (*out) {
		memcpy((*out)->strings, in.strs, sizeof(in.strs));
		(*out)->n_strings = in.n_strs;
	} else {
		for (i = 0; i < in.n_strs; i++)
			free(in.strs[i]);
	}
	return ret;
}

/*
 * ---- live migration (snapshot/migrate.c) ----
 * The file's parts without the file: the machine section on its own, and
 * the vcpu and device sections (the same section headers and CRCs) as one
 * stream, so a migration carries exactly what a snapshot holds but RAM.
 */

int snapshot_machine_write(struct board *b, struct state_writer *w, char *err, size_t errlen)
{
	return machine_record(b, w, err, errlen);
}

int snapshot_machine_read(const char *what, const char *board, uint64_t ram_size, const void *data,
			  size_t len, struct board_config *cfg, char **strs, unsigned *n_strs)
{
	struct snap_in in = { .path = what, .ram_size = ram_size };
	struct recorded_disk disks[BOARD_MAX_DISKS];
	int r;

	in.mc = machine_find(board);
	if (!in.mc)
		return refuse(&in, "a machine of board '%s', which this hv440 does not have", board);
	in.n = 1;
	in.s[0].data = data;
	in.s[0].len = len;
	r = machine_load(&in, cfg, disks);
	if (r) {
		for (unsigned i = 0; i < in.n_strs; i++)
			free(in.strs[i]);
		return r;
	}
	memcpy(strs, in.strs, sizeof(in.strs));
	*n_strs = in.n_strs;
	return 0;
}

int snapshot_state_write(struct board *b, FILE *f, char *err, size_t errlen)
{
	struct snap_out o = { .f = f };
	uint8_t *buf = malloc(SNAP_DEV_BUF);
	int ret = -1;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (put_state(&o, b, buf, err, errlen))
		goto out;
	put_section(&o, "end", NULL, 0);
	if (o.failed || fflush(f)) {
		snprintf(err, errlen, "out of memory for the device state");
		goto out;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

int snapshot_state_read(struct board *b, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	struct device *d = b->devices.head;
	size_t pos = 0;
	unsigned i = 0;

	for (bool first = true;; first = false) {
		char name[SNAP_NAME_LEN + 1], want[SNAP_NAME_LEN + 16];
		struct state_reader r;
		uint64_t n;

		if (len - pos < SNAP_SECTION_SIZE || crc32_z(0, data + pos, 44) != ld_be32(data + pos + 44)) {
			snprintf(err, errlen, "corrupted device state (a section header)");
			return -1;
		}
		memcpy(name, data + pos, SNAP_NAME_LEN);
		name[SNAP_NAME_LEN] = 0;
		n = (uint64_t)ld_be32(data + pos + 32) << 32 | ld_be32(data + pos + 36);
		pos += SNAP_SECTION_SIZE;
		if (n > len - pos || crc32_z(0, data + pos, (size_t)n) != ld_be32(data + pos - 8)) {
			snprintf(err, errlen, "corrupted device state (section '%s')", name);
			return -1;
		}
		state_reader_init(&r, data + pos, (size_t)n);
		pos += (size_t)n;
		if (first) {
			if (strcmp(name, "vcpu") || vcpu_state_load(&b->vcpu, &r) || r.pos != r.size) {
				snprintf(err, errlen, "the vcpu section does not fit this machine");
				return -1;
			}
			continue;
		}
		if (!d)
			break;
		snprintf(want, sizeof(want), "dev.%u.%s", i, d->name);
		want[SNAP_NAME_LEN] = 0;
		if (strcmp(name, want)) {
			snprintf(err, errlen, "the devices differ from this machine's (no %s)", want);
			return -1;
		}
		if (!d->ops->load || d->ops->load(d, &r) || r.pos != r.size) {
			snprintf(err, errlen, "the state of device %s does not fit this machine", d->name);
			return -1;
		}
		d = d->next;
		i++;
		if (!d) {
			/* the end marker must follow */
			if (len - pos != SNAP_SECTION_SIZE || strncmp((const char *)data + pos, "end", 4)) {
				snprintf(err, errlen, "the state has devices this machine lacks");
				return -1;
			}
			return 0;
		}
	}
	snprintf(err, errlen, "the state has devices this machine lacks");
	return -1;
}
