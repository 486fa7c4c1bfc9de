/*
 * inotify: inotify_init/init1 flags; inotify_add_watch checks (mask bits,
 * EBADF, EINVAL on other files, ENOENT, ENOTDIR with IN_ONLYDIR, EEXIST
 * with IN_MASK_CREATE) and inotify_rm_watch (EINVAL, IN_IGNORED); events
 * from file operations in a tmpfs directory, in Linux's order and with
 * names on the directory's watch: IN_CREATE, IN_OPEN, IN_MODIFY (merged
 * when repeated), IN_ACCESS, IN_CLOSE_WRITE/NOWRITE, IN_ATTRIB (chmod,
 * utimes, link counts), IN_MODIFY from truncate and fallocate, IN_ISDIR, IN_MOVED_FROM
 * and IN_MOVED_TO with one cookie, IN_MOVE_SELF, IN_DELETE,
 * IN_DELETE_SELF then IN_IGNORED; IN_ONESHOT, IN_MASK_ADD,
 * IN_DONT_FOLLOW, IN_EXCL_UNLINK; FIONREAD, EINVAL for a buffer too small
 * for the next event, EAGAIN when empty and non-blocking, a blocking read
 * woken by another process, poll and epoll readiness, and IN_Q_OVERFLOW
 * when the queue is full.
 */
// timeout: 180
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "proc_util.h"
#include "tmpdir.h"

struct ev {
	int wd;
	uint32_t mask, cookie;
	char name[64];
};

static struct ev evs[64];

/* Read every queued event (the fd is non-blocking). */
static int drain(int fd)
{
	static char buf[65536] __attribute__((aligned(8)));
	int n = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0) {
			CHECK(errno == EAGAIN, "read events");
			return n;
		}
		for (ssize_t off = 0; off < r;) {
			struct inotify_event *e = (struct inotify_event *)(buf + off);
			CHECK(n < 64, "too many events");
			evs[n].wd = e->wd;
			evs[n].mask = e->mask;
			evs[n].cookie = e->cookie;
			CHECK(e->len % 16 == 0, "len %u not padded", e->len);
			snprintf(evs[n].name, sizeof(evs[n].name), "%s", e->len ? e->name : "");
			n++;
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
}

#define EXPECT(i, w, m, nm)                                                         \
	do {                                                                        \
		CHECK(evs[i].wd == (w) && evs[i].mask == (uint32_t)(m) &&           \
			      strcmp(evs[i].name, (nm)) == 0,                       \
		      "event %d: wd %d mask %#x name '%s', want wd %d mask %#x name '%s'", \
		      (i), evs[i].wd, evs[i].mask, evs[i].name, (w), (uint32_t)(m), (nm)); \
	} while (0)

static void touch(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	CHECK_OK(fd);
	close(fd);
}

static long max_queued(void)
{
	long v = 16384;
	FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 16384;
		fclose(f);
	}
	return v;
}

int main(void)
{
	tmpdir_make();

	/* Creation. */
	CHECK_ERR(inotify_init1(0x1), EINVAL);
	int fd0 = inotify_init();
	CHECK_OK(fd0);
	CHECK_EQ(fcntl(fd0, F_GETFD), 0);
	CHECK_EQ(fcntl(fd0, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
	close(fd0);
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK_OK(fd);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	char small[8];
	CHECK_ERR(read(fd, small, sizeof(small)), EAGAIN);

	/* add_watch / rm_watch checks. */
	touch("f");
	CHECK_ERR(inotify_add_watch(fd, ".", 0), EINVAL);
	CHECK_ERR(inotify_add_watch(fd, ".", IN_ACCESS | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	CHECK_ERR(inotify_add_watch(9999, ".", IN_ACCESS), EBADF);
	CHECK_ERR(inotify_add_watch(1, ".", IN_ACCESS), EINVAL);
	CHECK_ERR(inotify_add_watch(fd, "missing", IN_ACCESS), ENOENT);
	CHECK_ERR(inotify_add_watch(fd, "f", IN_ACCESS | IN_ONLYDIR), ENOTDIR);
	CHECK_ERR(inotify_rm_watch(fd, 12345), EINVAL);
	CHECK_ERR(inotify_rm_watch(1, 1), EINVAL);

	int wd = inotify_add_watch(fd, ".", IN_ALL_EVENTS | IN_ONLYDIR);
	CHECK(wd > 0, "wd %d", wd);
	CHECK_EQ(inotify_add_watch(fd, ".", IN_ALL_EVENTS), wd);
	CHECK_ERR(inotify_add_watch(fd, ".", IN_ALL_EVENTS | IN_MASK_CREATE), EEXIST);
	CHECK_EQ(drain(fd), 0);

	/* Create, write (twice: merged), close. */
	int w = open("g", O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK_OK(w);
	CHECK_EQ(write(w, "ab", 2), 2);
	CHECK_EQ(write(w, "cd", 2), 2);
	close(w);
	CHECK_EQ(drain(fd), 4);
	EXPECT(0, wd, IN_CREATE, "g");
	EXPECT(1, wd, IN_OPEN, "g");
	EXPECT(2, wd, IN_MODIFY, "g");
	EXPECT(3, wd, IN_CLOSE_WRITE, "g");

	/* A watch on the file too: the directory's event comes first. */
	int wf = inotify_add_watch(fd, "g", IN_ALL_EVENTS);
	CHECK(wf > 0 && wf != wd, "wf %d", wf);
	int r = open("g", O_RDONLY);
	CHECK_OK(r);
	CHECK_EQ(read(r, small, sizeof(small)), 4);
	close(r);
	CHECK_EQ(drain(fd), 6);
	EXPECT(0, wd, IN_OPEN, "g");
	EXPECT(1, wf, IN_OPEN, "");
	EXPECT(2, wd, IN_ACCESS, "g");
	EXPECT(3, wf, IN_ACCESS, "");
	EXPECT(4, wd, IN_CLOSE_NOWRITE, "g");
	EXPECT(5, wf, IN_CLOSE_NOWRITE, "");

	/* Attributes: chmod, utimes, truncate. */
	CHECK_OK(chmod("g", 0600));
	CHECK_OK(utimensat(AT_FDCWD, "g", NULL, 0));
	CHECK_OK(truncate("g", 1));
	CHECK_EQ(drain(fd), 6);
	EXPECT(0, wd, IN_ATTRIB, "g");
	EXPECT(1, wf, IN_ATTRIB, "");
	EXPECT(2, wd, IN_ATTRIB, "g");
	EXPECT(3, wf, IN_ATTRIB, "");
	EXPECT(4, wd, IN_MODIFY, "g");
	EXPECT(5, wf, IN_MODIFY, "");

	/* FIONREAD, and a buffer too small for the next event. */
	int avail = -1;
	touch("h");
	CHECK_OK(ioctl(fd, FIONREAD, &avail));
	CHECK_EQ(avail, 3 * 32);	/* CREATE, OPEN, CLOSE_WRITE with "h" */
	char hdr[sizeof(struct inotify_event) + 8];
	CHECK_ERR(read(fd, hdr, sizeof(hdr)), EINVAL);
	CHECK_EQ(drain(fd), 3);
	EXPECT(0, wd, IN_CREATE, "h");

	/* Directories: IN_ISDIR. */
	CHECK_OK(mkdir("d", 0755));
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	CHECK_OK(dfd);
	close(dfd);
	CHECK_OK(rmdir("d"));
	CHECK_EQ(drain(fd), 4);
	EXPECT(0, wd, IN_CREATE | IN_ISDIR, "d");
	EXPECT(1, wd, IN_OPEN | IN_ISDIR, "d");
	EXPECT(2, wd, IN_CLOSE_NOWRITE | IN_ISDIR, "d");
	EXPECT(3, wd, IN_DELETE | IN_ISDIR, "d");

	/* Rename: one cookie; the moved file's watch sees IN_MOVE_SELF. */
	CHECK_OK(rename("g", "g2"));
	CHECK_EQ(drain(fd), 3);
	EXPECT(0, wd, IN_MOVED_FROM, "g");
	EXPECT(1, wd, IN_MOVED_TO, "g2");
	EXPECT(2, wf, IN_MOVE_SELF, "");
	CHECK(evs[0].cookie != 0 && evs[0].cookie == evs[1].cookie, "cookies %u %u",
	      evs[0].cookie, evs[1].cookie);

	/* link: IN_ATTRIB on the file, IN_CREATE in the directory. */
	CHECK_OK(link("g2", "g3"));
	CHECK_EQ(drain(fd), 2);
	EXPECT(0, wf, IN_ATTRIB, "");
	EXPECT(1, wd, IN_CREATE, "g3");
	CHECK_OK(unlink("g3"));
	CHECK_EQ(drain(fd), 2);
	EXPECT(0, wf, IN_ATTRIB, "");
	EXPECT(1, wd, IN_DELETE, "g3");

	/* Unlink of the last name: IN_ATTRIB, IN_DELETE_SELF, IN_IGNORED,
	 * then IN_DELETE in the directory; the wd is gone. */
	CHECK_OK(unlink("g2"));
	CHECK_EQ(drain(fd), 4);
	EXPECT(0, wf, IN_ATTRIB, "");
	EXPECT(1, wf, IN_DELETE_SELF, "");
	EXPECT(2, wf, IN_IGNORED, "");
	EXPECT(3, wd, IN_DELETE, "g2");
	CHECK_ERR(inotify_rm_watch(fd, wf), EINVAL);

	/* IN_ONESHOT: one event, then IN_IGNORED. */
	int fd2 = inotify_init1(IN_NONBLOCK);
	CHECK_OK(fd2);
	int wo = inotify_add_watch(fd2, "h", IN_OPEN | IN_ONESHOT);
	CHECK_OK(wo);
	touch("h");
	touch("h");
	CHECK_EQ(drain(fd2), 2);
	EXPECT(0, wo, IN_OPEN, "");
	EXPECT(1, wo, IN_IGNORED, "");

	/* IN_MASK_ADD adds to the mask; without it the mask is replaced. */
	int wm = inotify_add_watch(fd2, "h", IN_ATTRIB);
	CHECK_OK(wm);
	CHECK_EQ(inotify_add_watch(fd2, "h", IN_OPEN | IN_MASK_ADD), wm);
	touch("h");
	CHECK_OK(chmod("h", 0644));
	CHECK_EQ(drain(fd2), 2);
	EXPECT(0, wm, IN_OPEN, "");
	EXPECT(1, wm, IN_ATTRIB, "");
	CHECK_EQ(inotify_add_watch(fd2, "h", IN_ATTRIB), wm);
	touch("h");
	CHECK_EQ(drain(fd2), 0);

	/* IN_DONT_FOLLOW watches the symlink itself. */
	CHECK_OK(symlink("h", "l"));
	CHECK_EQ(inotify_add_watch(fd2, "l", IN_ATTRIB), wm);
	int wl = inotify_add_watch(fd2, "l", IN_ATTRIB | IN_DONT_FOLLOW);
	CHECK(wl > 0 && wl != wm, "symlink wd %d", wl);

	/* rm_watch: IN_IGNORED. */
	CHECK_OK(inotify_rm_watch(fd2, wm));
	CHECK_OK(inotify_rm_watch(fd2, wl));
	CHECK_EQ(drain(fd2), 2);
	EXPECT(0, wm, IN_IGNORED, "");
	EXPECT(1, wl, IN_IGNORED, "");
	CHECK_ERR(inotify_rm_watch(fd2, wm), EINVAL);
	/* The directory's watch saw all that: h opened and closed four
	 * times, its chmod, and the symlink. */
	CHECK_EQ(drain(fd), 10);
	EXPECT(0, wd, IN_OPEN, "h");
	EXPECT(1, wd, IN_CLOSE_WRITE, "h");
	EXPECT(6, wd, IN_ATTRIB, "h");
	EXPECT(9, wd, IN_CREATE, "l");

	/* IN_EXCL_UNLINK: no events for a child once it is unlinked. */
	int we = inotify_add_watch(fd2, ".", IN_MODIFY | IN_EXCL_UNLINK);
	CHECK_OK(we);
	int x = open("x", O_WRONLY | O_CREAT, 0644);
	CHECK_OK(x);
	CHECK_EQ(write(x, "1", 1), 1);
	CHECK_OK(unlink("x"));
	CHECK_EQ(write(x, "2", 1), 1);
	close(x);
	CHECK_EQ(drain(fd2), 1);
	EXPECT(0, we, IN_MODIFY, "x");
	CHECK_OK(inotify_rm_watch(fd2, we));
	CHECK_EQ(drain(fd2), 1);

	/* fallocate: IN_MODIFY. */
	int fa = open("h", O_WRONLY);
	CHECK_OK(fa);
	drain(fd);
	CHECK_OK(fallocate(fa, 0, 0, 4096));
	CHECK_EQ(drain(fd), 1);
	EXPECT(0, wd, IN_MODIFY, "h");
	close(fa);
	drain(fd);

	/* Readiness: poll and epoll; a blocking read woken by a child. */
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_EQ(poll(&p, 1, 0), 0);
	int ep = epoll_create1(0);
	CHECK_OK(ep);
	struct epoll_event ee = { .events = EPOLLIN, .data.u32 = 5 };
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee));
	CHECK_EQ(epoll_wait(ep, &ee, 1, 0), 0);
	pid_t pid = xfork();
	if (pid == 0) {
		sleep_ms(20);
		touch("y");
		_exit(0);
	}
	CHECK_EQ(epoll_wait(ep, &ee, 1, -1), 1);
	CHECK_EQ(ee.data.u32, 5);
	CHECK_EQ(poll(&p, 1, -1), 1);
	CHECK_EQ(p.revents, POLLIN);
	expect_exit(pid, 0, "toucher");
	drain(fd);
	CHECK_EQ(poll(&p, 1, 0), 0);
	int bfd = inotify_init1(0);
	CHECK_OK(bfd);
	int wb = inotify_add_watch(bfd, ".", IN_CREATE);
	CHECK_OK(wb);
	pid = xfork();
	if (pid == 0) {
		sleep_ms(20);
		touch("z");
		_exit(0);
	}
	char big[256] __attribute__((aligned(8)));
	ssize_t n = read(bfd, big, sizeof(big));
	CHECK_EQ(n, (ssize_t)sizeof(struct inotify_event) + 16);
	struct inotify_event *ie = (struct inotify_event *)big;
	CHECK_EQ(ie->wd, wb);
	CHECK_EQ(ie->mask, IN_CREATE);
	CHECK(strcmp(ie->name, "z") == 0, "name %s", ie->name);
	expect_exit(pid, 0, "creator");
	close(bfd);

	/* A full queue: one IN_Q_OVERFLOW at its end. */
	close(fd);
	close(fd2);
	int qfd = inotify_init1(IN_NONBLOCK);
	CHECK_OK(qfd);
	int wq = inotify_add_watch(qfd, "h", IN_OPEN | IN_CLOSE_NOWRITE);
	CHECK_OK(wq);
	long max = max_queued();
	for (long i = 0; i < max / 2 + 8; i++) {
		int o = open("h", O_RDONLY);
		CHECK_OK(o);
		close(o);
	}
	long total = 0, overflows = 0;
	int last_wd = 0;
	uint32_t last_mask = 0;
	for (;;) {
		static char qbuf[65536] __attribute__((aligned(8)));
		ssize_t got = read(qfd, qbuf, sizeof(qbuf));
		if (got < 0) {
			CHECK(errno == EAGAIN, "overflow read");
			break;
		}
		for (ssize_t off = 0; off < got;) {
			struct inotify_event *e = (struct inotify_event *)(qbuf + off);
			total++;
			if (e->mask & IN_Q_OVERFLOW)
				overflows++;
			last_wd = e->wd;
			last_mask = e->mask;
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
	CHECK_EQ(total, max + 1);
	CHECK_EQ(overflows, 1);
	CHECK_EQ(last_wd, -1);
	CHECK_EQ(last_mask, IN_Q_OVERFLOW);
	close(qfd);
	close(ep);

	tmpdir_remove();
	PASS();
}
