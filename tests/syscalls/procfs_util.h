/* procfs_util.h: helpers of the procfs tests (procfs_*.c, sysfs_cpu.c):
 * reading a whole file (with small reads, so offsets are exercised), a
 * field of /proc/PID/status, and whether a directory lists a name. */
#ifndef CVISOR_TESTS_SYSCALLS_PROCFS_UTIL_H
#define CVISOR_TESTS_SYSCALLS_PROCFS_UTIL_H

#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

/* The whole file into buf (NUL-terminated), read chunk bytes at a time. */
static inline __attribute__((unused)) ssize_t read_file_chunked(const char *path, char *buf,
								 size_t len, size_t chunk)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t used = 0;
	for (;;) {
		size_t want = len - 1 - used < chunk ? len - 1 - used : chunk;
		if (want == 0)
			break;
		ssize_t n = read(fd, buf + used, want);
		CHECK(n >= 0, "read %s", path);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = 0;
	close(fd);
	return (ssize_t)used;
}

static inline __attribute__((unused)) ssize_t read_file(const char *path, char *buf, size_t len)
{
	return read_file_chunked(path, buf, len, 65536);
}

/* The value of "Key:\t..." in a status-like text, into out. */
static inline __attribute__((unused)) bool status_field(const char *text, const char *key,
							char *out, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *v = p + kl + 1;
			while (*v == '\t' || *v == ' ')
				v++;
			size_t n = strcspn(v, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(out, v, n);
			out[n] = 0;
			return true;
		}
	}
	return false;
}

static inline __attribute__((unused)) long status_long(const char *path, const char *key)
{
	static char text[16384];
	char v[256];
	CHECK(read_file(path, text, sizeof(text)) > 0, "read %s", path);
	CHECK(status_field(text, key, v, sizeof(v)), "%s has no %s", path, key);
	return strtol(v, NULL, 10);
}

static inline __attribute__((unused)) bool dir_has(const char *path, const char *name)
{
	DIR *d = opendir(path);
	CHECK(d != NULL, "opendir %s", path);
	bool found = false;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, name) == 0)
			found = true;
	closedir(d);
	return found;
}

#endif
