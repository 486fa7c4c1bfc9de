/* procfs_maps_file.c: /proc/self/maps names the files mapped: the line
 * holding this program's code names /proc/self/exe's target with the
 * device and inode stat gives, and its offset is right (the file's bytes
 * there are the code in memory); a file mapped at an offset shows it,
 * private and shared; splitting a mapping (munmap, mprotect in the
 * middle) keeps each piece's offset; mremap moves the name and offset; a
 * removed file is "(deleted)"; a fork's child sees the same; anonymous
 * memory has no name, device or inode. Every line ends its prefix with a
 * space, and names start at column 73 like Linux's. */
#include "check.h"
#include "procfs_util.h"
#include "tmpdir.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static char text[1 << 20];

struct line {
	unsigned long start, end, off, ino;
	unsigned ma, mi;
	char perms[5];
	char name[4096];
};

/* The line of maps holding addr, parsed; false if none. */
static bool line_at(uintptr_t addr, struct line *l)
{
	CHECK(read_file("/proc/self/maps", text, sizeof(text)) > 0, "read maps");
	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		int used = 0;
		CHECK(sscanf(p, "%lx-%lx %4s %lx %x:%x %lu%n", &l->start, &l->end, l->perms, &l->off,
			     &l->ma, &l->mi, &l->ino, &used) == 7, "maps line %.80s", p);
		size_t n = strcspn(p, "\n");
		CHECK(used > 0 && p[used] == ' ', "the prefix ends with a space: %.80s", p);
		used++;
		while ((size_t)used < n && used < 73 && p[used] == ' ')
			used++;
		l->name[0] = 0;
		if ((size_t)used < n) {
			CHECK(used == 73 || p[used - 1] == ' ', "name at column %d: %.100s", used, p);
			memcpy(l->name, p + used, n - used);
			l->name[n - used] = 0;
		}
		if (l->start <= addr && addr < l->end)
			return true;
	}
	return false;
}

/* The line at addr names path (same device and inode), and maps addr to
 * file offset off (the line gives the offset of its start). */
static void check_file_line(uintptr_t addr, const char *path, const char *perms,
			    unsigned long off)
{
	struct line l;
	CHECK(line_at(addr, &l), "a line at %#lx", (unsigned long)addr);
	struct stat st;
	CHECK_OK(stat(path, &st));
	CHECK(strcmp(l.name, path) == 0, "name \"%s\", want \"%s\"", l.name, path);
	CHECK(strcmp(l.perms, perms) == 0, "perms %s, want %s", l.perms, perms);
	CHECK_EQ(l.off + (addr - l.start), off);
	CHECK_EQ(l.ino, st.st_ino);
	CHECK_EQ(l.ma, major(st.st_dev));
	CHECK_EQ(l.mi, minor(st.st_dev));
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	/* This program's code: named, and the offset finds the same bytes
	 * in the file. */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink exe");
	exe[n] = 0;
	uintptr_t code = (uintptr_t)&line_at;
	struct line l;
	CHECK(line_at(code, &l), "the line of the code");
	CHECK(strcmp(l.name, exe) == 0, "code named \"%s\", want \"%s\"", l.name, exe);
	CHECK(l.perms[2] == 'x' && l.perms[3] == 'p', "code perms %s", l.perms);
	struct stat st;
	CHECK_OK(stat(exe, &st));
	CHECK_EQ(l.ino, st.st_ino);
	CHECK_EQ(l.ma, major(st.st_dev));
	CHECK_EQ(l.mi, minor(st.st_dev));
	int efd = open(exe, O_RDONLY);
	CHECK_OK(efd);
	unsigned char mem[64], file[64];
	memcpy(mem, (void *)code, sizeof(mem));
	CHECK_EQ(pread(efd, file, sizeof(file), (off_t)(l.off + (code - l.start))), sizeof(file));
	CHECK(memcmp(mem, file, sizeof(mem)) == 0, "the code at the offset the line gives");
	CHECK_OK(close(efd));

	/* Anonymous memory: no name, no device, no inode. */
	char *anon = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(anon != MAP_FAILED, "mmap anon");
	CHECK(line_at((uintptr_t)anon, &l), "anon line");
	CHECK(l.name[0] == 0 && l.ino == 0 && l.ma == 0 && l.mi == 0 && l.off == 0,
	      "anonymous: \"%s\" %lu %x:%x %lx", l.name, l.ino, l.ma, l.mi, l.off);

	/* A file of 8 pages, mapped from page 2 on. */
	tmpdir_make();
	char path[4096];
	CHECK(getcwd(path, sizeof(path) - 16) != NULL, "getcwd");
	strcat(path, "/data");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK(fd);
	CHECK_OK(ftruncate(fd, 8 * pg));
	char *p = mmap(NULL, 6 * pg, PROT_READ, MAP_PRIVATE, fd, 2 * pg);
	CHECK(p != MAP_FAILED, "mmap private");
	check_file_line((uintptr_t)p, path, "r--p", 2 * pg);
	char *s = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 5 * pg);
	CHECK(s != MAP_FAILED, "mmap shared");
	check_file_line((uintptr_t)s, path, "rw-s", 5 * pg);

	/* Pieces keep their offsets. */
	CHECK_OK(munmap(p + pg, pg));
	check_file_line((uintptr_t)p, path, "r--p", 2 * pg);
	check_file_line((uintptr_t)p + 2 * pg, path, "r--p", 4 * pg);
	CHECK(line_at((uintptr_t)p, &l) && l.end == (uintptr_t)p + pg, "first piece ends");
	CHECK_OK(mprotect(p + 3 * pg, pg, PROT_READ | PROT_WRITE));
	check_file_line((uintptr_t)p + 2 * pg, path, "r--p", 4 * pg);
	check_file_line((uintptr_t)p + 3 * pg, path, "rw-p", 5 * pg);
	check_file_line((uintptr_t)p + 4 * pg, path, "r--p", 6 * pg);
	CHECK_OK(mprotect(p + 3 * pg, pg, PROT_READ));
	check_file_line((uintptr_t)p + 3 * pg, path, "r--p", 5 * pg);
	check_file_line((uintptr_t)p + 4 * pg, path, "r--p", 6 * pg);

	/* mremap moves the name and the offset. */
	char *to = mmap(NULL, 4 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(to != MAP_FAILED, "mmap target");
	char *moved = mremap(p + 4 * pg, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, to + pg);
	CHECK(moved == to + pg, "mremap");
	check_file_line((uintptr_t)moved, path, "r--p", 6 * pg);
	CHECK(line_at((uintptr_t)to, &l) && l.name[0] == 0, "the rest of the target is anonymous");

	/* The child of a fork sees the same lines. */
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		check_file_line((uintptr_t)s, path, "rw-s", 5 * pg);
		check_file_line((uintptr_t)moved, path, "r--p", 6 * pg);
		_exit(0);
	}
	int ws;
	CHECK_EQ(waitpid(pid, &ws, 0), pid);
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "child status %#x", ws);

	/* A removed file is "(deleted)"; the mapping keeps working. */
	CHECK_OK(close(fd));
	CHECK_OK(unlink(path));
	s[0] = 'z';
	CHECK(line_at((uintptr_t)s, &l), "deleted line");
	char want[4200];
	snprintf(want, sizeof(want), "%s (deleted)", path);
	CHECK(strcmp(l.name, want) == 0, "name \"%s\", want \"%s\"", l.name, want);
	CHECK_EQ(s[0], 'z');

	/* Unmapped: gone. */
	CHECK_OK(munmap(s, 2 * pg));
	CHECK(!line_at((uintptr_t)s, &l) || strstr(l.name, "data") == NULL, "unmapped line gone");
	CHECK_OK(munmap(p, 4 * pg));
	CHECK_OK(munmap(to, 4 * pg));
	tmpdir_remove();
	PASS();
}
