/* procfs_maps.c: /proc/self/maps and smaps follow the address space: a
 * new mapping appears with its permissions (private and shared), an
 * mprotect splits it, munmap removes it, [stack] holds a local variable
 * and [heap] the break; every line has Linux's fields; small reads give
 * the same text as one big read; smaps gives each mapping's Size and Rss. */
#include "check.h"
#include "procfs_util.h"

#include <stdint.h>
#include <sys/mman.h>

static char text[1 << 20], text2[1 << 20];

/* The line of maps that starts at start and ends at end, or NULL. */
static const char *find_line(const char *maps, uintptr_t start, uintptr_t end)
{
	char key[64];
	snprintf(key, sizeof(key), "%08lx-%08lx ", (unsigned long)start, (unsigned long)end);
	for (const char *p = maps; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, strlen(key)) == 0)
			return p;
	return NULL;
}

static const char *line_with(const char *maps, uintptr_t addr)
{
	for (const char *p = maps; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned long s, e;
		if (sscanf(p, "%lx-%lx", &s, &e) == 2 && s <= addr && addr < e)
			return p;
	}
	return NULL;
}

static void load(void)
{
	CHECK(read_file("/proc/self/maps", text, sizeof(text)) > 0, "read maps");
}

static bool perms_are(const char *line, const char *perms)
{
	return line && strncmp(strchr(line, ' ') + 1, perms, 4) == 0;
}

static bool named(const char *line, const char *name)
{
	size_t n = strcspn(line, "\n");
	size_t k = strlen(name);
	return n >= k && strncmp(line + n - k, name, k) == 0;
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "mmap");
	CHECK_OK(mprotect(m + pg, pg, PROT_READ | PROT_WRITE));
	m[pg] = 1;
	load();
	uintptr_t a = (uintptr_t)m;
	CHECK(perms_are(find_line(text, a + pg, a + 2 * pg), "rw-p"), "rw-p middle page");
	CHECK(perms_are(line_with(text, a), "---p"), "---p first page");
	CHECK(perms_are(line_with(text, a + 2 * pg), "---p"), "---p last page");
	char *s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(s != MAP_FAILED, "mmap shared");
	load();
	CHECK(perms_are(line_with(text, (uintptr_t)s), "rw-s"), "shared mapping");
	/* Every line: start-end perms offset major:minor inode [name]. */
	int lines = 0;
	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		unsigned long st, en, off, ino;
		unsigned ma, mi;
		char perms[5];
		CHECK(sscanf(p, "%lx-%lx %4s %lx %x:%x %lu", &st, &en, perms, &off, &ma, &mi,
			     &ino) == 7, "maps line %.80s", p);
		CHECK(st < en && st % pg == 0 && en % pg == 0, "line bounds %.80s", p);
		lines++;
		CHECK(strchr(p, '\n') != NULL, "lines end with a newline");
	}
	CHECK(lines >= 4, "%d lines", lines);
	int local = 0;
	const char *stack = line_with(text, (uintptr_t)&local);
	CHECK(stack && named(stack, "[stack]"), "stack line %.100s", stack ? stack : "none");
	CHECK(perms_are(stack, "rw-p"), "stack perms");
	char *brk_end = sbrk(0);
	CHECK(sbrk(2 * pg) != (void *)-1, "sbrk");
	brk_end[0] = 1;
	load();
	const char *heap = line_with(text, (uintptr_t)brk_end);
	CHECK(heap && named(heap, "[heap]"), "heap line %.100s", heap ? heap : "none");
	/* Small reads give the same text. */
	ssize_t n1 = read_file_chunked("/proc/self/maps", text, sizeof(text), 65536);
	ssize_t n2 = read_file_chunked("/proc/self/maps", text2, sizeof(text2), 17);
	CHECK(n1 == n2 && memcmp(text, text2, (size_t)n1) == 0, "chunked maps differ");
	/* smaps: the middle page. */
	CHECK(read_file("/proc/self/smaps", text, sizeof(text)) > 0, "smaps");
	const char *l = find_line(text, a + pg, a + 2 * pg);
	CHECK(l != NULL, "smaps has the mapping");
	char v[64];
	CHECK(status_field(l, "Size", v, sizeof(v)) && atol(v) == pg / 1024, "Size %s", v);
	CHECK(status_field(l, "Rss", v, sizeof(v)) && atol(v) == pg / 1024, "Rss %s", v);
	/* munmap */
	CHECK_OK(munmap(m, 3 * pg));
	load();
	CHECK(line_with(text, a + pg) == NULL, "unmapped range still listed");
	PASS();
}
