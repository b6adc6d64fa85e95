// SPDX-License-Identifier: MIT
/* test_disk.c - disk images: ",," in paths, foreign formats refused, snapshot=on keeps the image unchanged. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "host/disk.h"
#include "host/optstr.h"

#define IMG_SIZE (64 * 1024 + 300)  /* a partial last sector too */

static uint8_t model[IMG_SIZE], orig[IMG_SIZE];

static void write_file(const char *path, const void *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0 && write(fd, buf, n) == (ssize_t)n);
	close(fd);
}

static void test_optstr(void)
{
	char s[] = "a,,b.img,readonly=on,,x,,,y", *p = s;
	char esc[16];

	CHECK(!strcmp(optstr_next(&p), "a,b.img"));
	CHECK(!strcmp(optstr_next(&p), "readonly=on,x,"));
	CHECK(!strcmp(optstr_next(&p), "y"));
	CHECK(optstr_next(&p) == NULL);
	CHECK(optstr_escape(esc, sizeof(esc), "a,b") == 0 && !strcmp(esc, "a,,b"));
	CHECK(optstr_escape(esc, 4, "a,b") == -1);
}

static void test_snapshot(const char *dir)
{
	char path[512], spec[1100], esc[1024];
	uint8_t buf[8192], back[8192];
	struct disk *d;
	unsigned i;

	/* A comma in the directory name: the spec doubles it. */
	snprintf(path, sizeof(path), "%s/a,b.img", dir);
	for (i = 0; i < IMG_SIZE; i++)
		orig[i] = (uint8_t)(i * 7 + i / 511);
	write_file(path, orig, IMG_SIZE);
	memcpy(model, orig, IMG_SIZE);
	CHECK(optstr_escape(esc, sizeof(esc), path) == 0);
	snprintf(spec, sizeof(spec), "%s,snapshot=on,format=raw", esc);
	d = disk_open(spec);
	CHECK(d != NULL);
	if (!d)
		return;
	srand(1);
	for (i = 0; i < 2000; i++) {
		uint64_t off = (uint64_t)rand() % IMG_SIZE;
		size_t len = 1 + (size_t)rand() % sizeof(buf);
		struct iovec v[3];

		if (len > IMG_SIZE - off)
			len = IMG_SIZE - off;
		/* Three pieces, so runs cross iovec boundaries. */
		size_t a = len / 3, b = len / 2;
		v[0] = (struct iovec){ buf, a };
		v[1] = (struct iovec){ buf + a, b - a };
		v[2] = (struct iovec){ buf + b, len - b };
		if (rand() & 1) {
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)rand();
			CHECK(disk_pwritev(d, v, 3, off) == 0);
			memcpy(model + off, buf, len);
		} else {
			CHECK(disk_preadv(d, v, 3, off) == 0);
			CHECK(!memcmp(buf, model + off, len));
		}
	}
	CHECK(disk_flush(d) == 0);
	disk_close(d);
	/* The image is unchanged. */
	{
		int fd = open(path, O_RDONLY);
		uint8_t *now = malloc(IMG_SIZE);

		CHECK(fd >= 0 && now && read(fd, now, IMG_SIZE) == IMG_SIZE);
		CHECK(!memcmp(now, orig, IMG_SIZE));
		free(now);
		close(fd);
	}
	(void)back;
	unlink(path);
}

static void test_formats(const char *dir)
{
	char path[512], spec[600];
	uint8_t img[4096] = "QFI\xfb\0\0\0\3";
	struct disk *d;

	snprintf(path, sizeof(path), "%s/q.img", dir);
	write_file(path, img, sizeof(img));
	CHECK(disk_open(path) == NULL);                  /* qcow2 refused... */
	snprintf(spec, sizeof(spec), "%s,format=raw", path);
	d = disk_open(spec);                             /* ...unless format=raw */
	CHECK(d != NULL);
	disk_close(d);
	snprintf(spec, sizeof(spec), "%s,format=qcow2", path);
	CHECK(disk_open(spec) == NULL);
	memset(img, 0, sizeof(img));
	memcpy(img + 64, "\x7f\x10\xda\xbe", 4);         /* VDI */
	write_file(path, img, sizeof(img));
	CHECK(disk_open(path) == NULL);
	unlink(path);
}

int main(void)
{
	char dir[] = "/tmp/hv440-test-disk-XXXXXX";

	if (!mkdtemp(dir))
		return 1;
	test_optstr();
	test_snapshot(dir);
	test_formats(dir);
	rmdir(dir);
	printf("disk: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
