/* tests/fuzz/fuzz_gofer.c: a libFuzzer target that feeds random gofer
 * replies into the sentry's gofer client (fs/goferfs/client.c) and the
 * goferfs code that consumes them (attach, walk, revalidate, stat,
 * readdir, readlink, open with donated fds, read, write, the page cache,
 * clunks batched before the next request (CLUNKN, whose replies are
 * dropped but checked),
 * multi-component walks (WALKN: revalidation of cached prefixes, chains
 * of new dentries, ENOENT remembered, symlink targets, the walk's open),
 * create, mkdir, symlink, link, unlink, rename, setattr, statfs,
 * fallocate, O_TMPFILE and linkat of it), under
 * ASan and UBSan. A sentry crash, a sanitizer report or a hang is a bug:
 * garbage from the gofer must become EIO (or another errno) for the
 * guest, never more.
 *
 * Each input is two streams: ops, which a task runs as guest syscalls
 * (syscall_dispatch, like fuzz_syscalls) on a fresh goferfs mounted as
 * its root, and replies, which a fake gofer thread sends back, one per
 * request, on a fresh socketpair. The first two bytes say where the
 * replies start; the first op byte chooses the export (the root, cached,
 * or a -v one, writable and revalidated), whether ATTACH gets a random
 * reply too (else a valid directory, so that the rest goes deeper),
 * whether the root export is seen as the sandbox sees it, under an
 * overlay with a tmpfs upper (copy-ups, merged readdir), and whether a
 * prefetch of root names (the start-up's) comes first.
 *
 * A reply record is [ctl][len lo][len hi][len bytes]: the bytes are the
 * message (struct gofer_resp, then the payload), sent as they are or
 * with fix-ups that get it past the client's checks more often (ctl bit
 * 0: datalen = the payload's length; bit 1: err folded into 0..-1023;
 * bits 2-3: the file type of st.mode: as is, directory, regular file,
 * symlink; bit 7, for a GETDENTS: the payload made into well-formed
 * records with names of any bytes, for a WALKN: into entries that fit
 * the request more often than not, with a symlink target after them),
 * and ctl bits 4-6 choose an fd to
 * donate with it (none, a
 * memfd with content, /dev/null, a directory, an O_PATH fd, a pipe, a
 * socket, two memfds). When the records run out, the fake gofer hangs
 * up: every later call is EIO.
 *
 * An op is three bytes [code][x][y]; x and y pick names from a small set
 * (with subdirectories, "..", and names the client must refuse) and
 * open fds. The task's root goes back to the tmpfs root after each input
 * and the goferfs tree is dropped, so inputs stay independent. */
#include "fuzz_task.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/rlimit.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"
#include "fs/goferfs/goferfs.h"
#include "fs/overlay/overlay.h"
#include "fs/tmpfs/tmpfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/fs_context.h"
#include "fs/vfs/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define REGION 0x10000000UL
#define REGION_LEN 0x10000UL
#define MAX_ADDR (1ULL << 47)
#define MAX_OPS 64
#define MAX_FDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --- the fake gofer --- */

struct fake {
	int sock;
	const uint8_t *p, *end;
	int sent;
	bool good_attach;	/* answer the first request with a directory */
};

static int donated(unsigned kind, int *second)
{
	int fd = -1, sv[2];
	*second = -1;
	switch (kind) {
	case 1:
	case 7:
		fd = memfd_create("fuzz-file", MFD_CLOEXEC);
		if (fd >= 0) {
			static char buf[6000];
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = (char)('a' + i % 26);
			if (write(fd, buf, sizeof(buf)) < 0) {
				/* an empty file will do */
			}
		}
		if (kind == 7)
			*second = memfd_create("fuzz-file2", MFD_CLOEXEC);
		break;
	case 2: fd = open("/dev/null", O_RDWR | O_CLOEXEC); break;
	case 3: fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC); break;
	case 4: fd = open("/dev/null", O_PATH | O_CLOEXEC); break;
	case 5:
		if (pipe2(sv, O_CLOEXEC) == 0) {
			fd = sv[0];
			close(sv[1]);
		}
		break;
	case 6:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
			fd = sv[0];
			close(sv[1]);
		}
		break;
	default:
		break;
	}
	return fd;
}

/* GETDENTS records made of the bytes at p (n of them), in place: each
 * record takes [namelen][type][name...] from the bytes, with its ino the
 * record's index; the names may hold anything. The records' length. */
static size_t dirents(uint8_t *p, size_t n)
{
	static uint8_t src[GOFER_MSG_MAX];
	memcpy(src, p, n);
	size_t in = 0, out = 0;
	for (uint64_t i = 1; in + 2 <= n; i++) {
		size_t namelen = src[in] % 24;
		uint8_t type = src[in + 1];
		in += 2;
		if (namelen > n - in)
			namelen = n - in;
		size_t reclen = (sizeof(struct gofer_dirent) + namelen + 1 + 7) & ~(size_t)7;
		if (out + reclen > GOFER_DATA_MAX)
			break;
		struct gofer_dirent d = { .ino = i, .reclen = (uint16_t)reclen, .type = type,
					  .namelen = (uint16_t)namelen };
		memset(p + out, 0, reclen);
		memcpy(p + out, &d, sizeof(d));
		memcpy(p + out + sizeof(d), src + in, namelen);
		in += namelen;
		out += reclen;
	}
	return out;
}

/* A WALKN reply made of the bytes at p (n of them), in place, for a
 * request of names names with attributes only below first: [count]
 * [last's kind][ino...] give entries that are well formed more often
 * than not (directories, then a last one of any type, or an error; fids
 * where they belong), then a symlink target from what is left. The
 * entries' count goes to *arg; the payload's length is returned. */
static size_t walk_entries(uint8_t *p, size_t n, size_t names, int64_t first, int64_t *arg)
{
	static uint8_t src[GOFER_MSG_MAX];
	memcpy(src, p, n);
	if (n < 2 || names == 0)
		return 0;
	size_t m = 1 + src[0] % names, in = 2;
	uint8_t kind = src[1];
	static const uint32_t types[] = { S_IFDIR, S_IFREG, S_IFLNK, S_IFIFO };
	struct gofer_walk_ent *e = (struct gofer_walk_ent *)p;
	for (size_t j = 0; j < m; j++) {
		struct gofer_walk_ent x = { 0 };
		x.st.ino = in < n ? src[in++] : j;
		x.st.mode = (j + 1 < m ? S_IFDIR : types[kind & 3]) | 0755;
		x.fid = (int64_t)j >= first ? 100 + j : 0;
		if (j + 1 == m && (kind & 4)) {
			x.err = kind & 8 ? -ENOENT : -(int32_t)(kind >> 4);
			x.fid = 0;
			memset(&x.st, 0, sizeof(x.st));
		}
		memcpy(&e[j], &x, sizeof(x));
	}
	*arg = (int64_t)m;
	size_t out = m * sizeof(*e);
	size_t extra = in < n ? n - in : 0;
	if (extra > 100)
		extra = 100;
	memmove(p + out, src + in, extra);
	return out + extra;
}

/* The names of a WALKN request: '/'-separated in name2. */
static size_t walk_names(const char *msg, size_t len)
{
	const struct gofer_req *req = (const struct gofer_req *)msg;
	size_t off = sizeof(*req) + (req->namelen ? (size_t)req->namelen + 1 : 0);
	if (len < sizeof(*req) || off >= len)
		return 0;
	size_t names = 1;
	for (size_t i = off; i < len && msg[i]; i++)
		names += msg[i] == '/';
	return names;
}

static void reply(struct fake *f, const struct gofer_req *req, size_t names)
{
	static _Alignas(8) uint8_t msg[GOFER_MSG_MAX];
	if (f->sent == 0 && f->good_attach) {
		struct gofer_resp r = { .fid = 1, .st = { .ino = 2, .mode = S_IFDIR | 0755, .nlink = 2 } };
		if (send(f->sock, &r, sizeof(r), MSG_NOSIGNAL) < 0) {
			/* the client is gone */
		}
		f->sent++;
		return;
	}
	unsigned ctl = f->p < f->end ? *f->p++ : 0;
	size_t len = 0;
	if (f->end - f->p >= 2) {
		len = (size_t)f->p[0] | (size_t)f->p[1] << 8;
		f->p += 2;
	}
	if (len > (size_t)(f->end - f->p))
		len = (size_t)(f->end - f->p);
	if (len > sizeof(msg))
		len = sizeof(msg);
	memcpy(msg, f->p, len);
	f->p += len;
	if ((ctl & 0xf) && len < sizeof(struct gofer_resp)) {
		memset(msg + len, 0, sizeof(struct gofer_resp) - len);
		len = sizeof(struct gofer_resp);
	}
	struct gofer_resp *r = (struct gofer_resp *)msg;
	if ((ctl & 0x80) && req->op == GOFER_GETDENTS && len >= sizeof(*r))
		len = sizeof(*r) + dirents(msg + sizeof(*r), len - sizeof(*r));
	if ((ctl & 0x80) && req->op == GOFER_WALKN && len >= sizeof(*r)) {
		len = sizeof(*r) + walk_entries(msg + sizeof(*r), len - sizeof(*r), names,
						req->arg, &r->arg);
		r->err = 0;
	}
	if (ctl & 1)
		r->datalen = (uint32_t)(len - sizeof(*r));
	if (ctl & 2)
		r->err = -(int32_t)((uint32_t)r->err & 0x3ff);
	static const uint32_t types[] = { 0, S_IFDIR, S_IFREG, S_IFLNK };
	if ((ctl >> 2) & 3)
		r->st.mode = (r->st.mode & 07777) | types[(ctl >> 2) & 3];
	int second, fd = donated((ctl >> 4) & 7, &second);
	struct iovec iov = { msg, len };
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		int fds[2] = { fd, second };
		int n = second >= 0 ? 2 : 1;
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	}
	if (sendmsg(f->sock, &mh, MSG_NOSIGNAL) < 0) {
		/* the client is gone */
	}
	if (fd >= 0)
		close(fd);
	if (second >= 0)
		close(second);
	f->sent++;
}

static void *fake_gofer(void *arg)
{
	struct fake *f = arg;
	static _Alignas(8) char in[GOFER_MSG_MAX];
	for (;;) {
		ssize_t n = recv(f->sock, in, sizeof(in), 0);
		if (n <= 0 || (f->p >= f->end && !(f->sent == 0 && f->good_attach)))
			break;		/* the client hung up, or no replies left */
		struct gofer_req req;
		memset(&req, 0, sizeof(req));
		memcpy(&req, in, (size_t)n < sizeof(req) ? (size_t)n : sizeof(req));
		reply(f, &req, req.op == GOFER_WALKN ? walk_names(in, (size_t)n) : 0);
	}
	close(f->sock);
	return NULL;
}

/* --- the task --- */

/* fuzz_task's task, with the data region the syscalls point into. */
static struct task *gofer_task(void)
{
	static struct task *t;
	if (t)
		return t;
	t = fuzz_task(MAX_ADDR);
	if (mm_mmap(t->mm, REGION, REGION_LEN, PROT_READ | PROT_WRITE,
		    MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0) != (int64_t)REGION)
		abort();
	return t;
}

/* Names the ops use: in the root, in subdirectories, and ones the
 * client refuses before asking (too long, "/" inside is a walk). */
static const char *const names[] = {
	"a", "b", "dir", "lnk", "file", "dir/a", "dir/b/c", "a/..", "..", ".",
	"lnk/x", "dir/lnk", "/a", "/dir/file", "a/b/c/d/e", "x",
	"dir/b/c/d/e/f/g/h", "dir/b/../b/c", "a//b/c/", "dir/b/lnk/file",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* A guest string at a fixed place in the region. */
static uint64_t ustr(struct task *t, unsigned slot, const char *s)
{
	uint64_t at = REGION + (uint64_t)(slot % 8) * 512;
	copy_out(t->mm, at, s, strlen(s) + 1);
	return at;
}

static int64_t sys(struct task *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		   uint64_t a4, uint64_t a5)
{
	uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	int64_t r = syscall_dispatch(t, (uint64_t)nr, a);
	/* No signal ever comes here: a kernel-internal errno (ERESTARTSYS
	 * and the like, 512 and up) can only be the gofer's, passed on. */
	if (r <= -512 && r >= -4095)
		abort();
	return r;
}

struct run {
	struct task *t;
	int fds[MAX_FDS];
	unsigned nfds;
};

static void keep_fd(struct run *r, int64_t fd)
{
	if (fd < 0)
		return;
	if (r->nfds == MAX_FDS) {
		sys(r->t, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
		return;
	}
	r->fds[r->nfds++] = (int)fd;
}

static uint64_t pick_fd(struct run *r, uint8_t x)
{
	return r->nfds ? (uint64_t)r->fds[x % r->nfds] : (uint64_t)x;
}

static void op(struct run *r, uint8_t code, uint8_t x, uint8_t y)
{
	struct task *t = r->t;
	const uint64_t AT = (uint64_t)(int64_t)AT_FDCWD;
	uint64_t p1 = ustr(t, 0, names[x % NNAMES]);
	uint64_t p2 = ustr(t, 1, names[y % NNAMES]);
	uint64_t buf = REGION + 0x8000, buflen = 0x4000;
	switch (code % 34) {
	case 0: sys(t, SYS_newfstatat, AT, p1, buf, y & 1 ? AT_SYMLINK_NOFOLLOW : 0, 0, 0); break;
	case 1: keep_fd(r, sys(t, SYS_openat, AT, p1, O_RDONLY | O_DIRECTORY, 0, 0, 0)); break;
	case 2: sys(t, SYS_getdents64, pick_fd(r, x), buf, y & 1 ? 64 : buflen, 0, 0, 0); break;
	case 3: keep_fd(r, sys(t, SYS_openat, AT, p1, O_RDONLY, 0, 0, 0)); break;
	case 4: sys(t, SYS_read, pick_fd(r, x), buf, (uint64_t)y * 64 + 1, 0, 0, 0); break;
	case 5: sys(t, SYS_pread64, pick_fd(r, x), buf, 4096, (uint64_t)y * 1000, 0, 0); break;
	case 6: sys(t, SYS_readlinkat, AT, p1, buf, y & 1 ? 3 : 4096, 0, 0); break;
	case 7: keep_fd(r, sys(t, SYS_openat, AT, p1, y & 1 ? O_RDWR : O_WRONLY | O_APPEND, 0, 0, 0)); break;
	case 8: sys(t, SYS_write, pick_fd(r, x), buf, (uint64_t)y * 32 + 1, 0, 0, 0); break;
	case 9: sys(t, SYS_mkdirat, AT, p1, 0755, 0, 0, 0); break;
	case 10: sys(t, SYS_unlinkat, AT, p1, y & 1 ? AT_REMOVEDIR : 0, 0, 0, 0); break;
	case 11: sys(t, SYS_renameat2, AT, p1, AT, p2, y & 2 ? 1 /* RENAME_NOREPLACE */ : 0, 0); break;
	case 12: sys(t, SYS_symlinkat, p2, AT, p1, 0, 0, 0); break;
	case 13: sys(t, SYS_linkat, AT, p1, AT, p2, 0, 0); break;
	case 14: keep_fd(r, sys(t, SYS_openat, AT, p1, O_CREAT | O_RDWR | (y & 1 ? O_EXCL : O_TRUNC), 0644, 0, 0)); break;
	case 15: sys(t, SYS_truncate, p1, (uint64_t)y * 100, 0, 0, 0, 0); break;
	case 16: sys(t, SYS_fchmodat, AT, p1, 0600 | (uint64_t)y, 0, 0, 0); break;
	case 17: sys(t, SYS_utimensat, AT, p1, 0, 0, 0, 0); break;
	case 18: sys(t, SYS_statfs, p1, buf, 0, 0, 0, 0); break;
	case 19: sys(t, SYS_lseek, pick_fd(r, x), (uint64_t)y, y % 5, 0, 0, 0); break;
	case 20: {
		/* A private or shared mapping, touched: the page cache. */
		uint64_t at = 0x20000000UL;
		int64_t m = sys(t, SYS_mmap, at, 0x3000, PROT_READ | PROT_WRITE,
				(y & 1 ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED, pick_fd(r, x), 0);
		if (m == (int64_t)at) {
			char c[16];
			copy_in(t->mm, c, at + (uint64_t)(y % 3) * 4096, sizeof(c));
			copy_out(t->mm, at + 4096, "xyz", 3);
			sys(t, SYS_msync, at, 0x3000, MS_SYNC, 0, 0, 0);
			sys(t, SYS_munmap, at, 0x3000, 0, 0, 0, 0);
		}
		break;
	}
	case 21: sys(t, SYS_fstat, pick_fd(r, x), buf, 0, 0, 0, 0); break;
	case 22: sys(t, SYS_fsync, pick_fd(r, x), 0, 0, 0, 0, 0); break;
	case 23: {
		int64_t fd = sys(t, SYS_openat, AT, p1, O_RDONLY, 0, 0, 0);
		if (fd >= 0)
			sys(t, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
		break;
	}
	case 24: sys(t, SYS_sendfile, pick_fd(r, y), pick_fd(r, x), 0, 4096, 0, 0); break;
	case 25: sys(t, SYS_copy_file_range, pick_fd(r, x), 0, pick_fd(r, y), 0, 4096, 0); break;
	case 26: sys(t, SYS_fallocate, pick_fd(r, x), 0, 0, (uint64_t)y * 100 + 1, 0, 0); break;
	case 27:
		sys(t, SYS_chdir, p1, 0, 0, 0, 0, 0);
		sys(t, SYS_getcwd, buf, buflen, 0, 0, 0, 0);
		sys(t, SYS_chdir, ustr(t, 2, "/"), 0, 0, 0, 0, 0);
		break;
	case 28: sys(t, SYS_ftruncate, pick_fd(r, x), (uint64_t)y * 1000, 0, 0, 0, 0); break;
	case 29: sys(t, SYS_fchownat, AT, p1, y, y, 0, 0); break;
	case 30: keep_fd(r, sys(t, SYS_openat, AT, p1, O_PATH | O_NOFOLLOW, 0, 0, 0)); break;
	case 31: sys(t, SYS_faccessat, AT, p1, y & 7, 0, 0, 0); break;
	case 32: keep_fd(r, sys(t, SYS_openat, AT, p1, O_TMPFILE | O_RDWR | (y & 1 ? O_EXCL : 0), 0600, 0, 0)); break;
	case 33: sys(t, SYS_linkat, pick_fd(r, x), ustr(t, 2, ""), AT, p2, AT_EMPTY_PATH, 0); break;
	}
}

/* Forget (and free, when unreferenced) the cached tree under d: not for
 * a tmpfs, whose dentries d_invalidate may free under its feet (the VFS
 * uses it on revalidated file systems only). */
static void drop_children(struct dentry *d)
{
	for (struct dentry *c = d->child_first, *next; c; c = next) {
		next = c->sib_next;
		d_invalidate(c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct task *t = gofer_task();
	if (size < 3)
		return 0;
	size_t split = 2 + ((size_t)data[0] | (size_t)data[1] << 8) % (size - 1);
	if (split > size)
		split = size;
	const uint8_t *ops = data + 2, *ops_end = data + split;

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	/* The first op byte: the root export (read-only, cached) or a -v
	 * one (writable, revalidated); whether ATTACH gets a random reply
	 * too (else a good one: the rest gets further). */
	bool vol = ops < ops_end && (*ops & 1);
	struct fake f = { .sock = sv[1], .p = data + split, .end = data + size,
			  .good_attach = !(ops < ops_end && (*ops & 2)) };
	pthread_t th;
	if (pthread_create(&th, NULL, fake_gofer, &f) != 0)
		abort();
	gofer_client_testonly_reset(sv[0]);

	int err = 0;
	struct dentry *gofer_root = goferfs_mount(vol ? 1 : 0, !vol, &err);
	/* Bit 3: the start-up's prefetch of names in the root (WALKN of
	 * siblings). */
	static const char *const pre[] = { "a", "dir", "lnk", "file" };
	if (gofer_root && ops < ops_end && (*ops & 8))
		goferfs_prefetch(gofer_root, pre, sizeof(pre) / sizeof(pre[0]));
	/* The sandbox's root is an overlay of a tmpfs over the root export:
	 * its copy-ups read the gofer's files and its readdir merges the
	 * gofer's names (first op byte, bit 2). */
	bool overlay = gofer_root && !vol && (*ops & 4);
	struct dentry *upper = overlay ? tmpfs_mount(0755) : NULL;
	struct dentry *root = upper ? overlay_mount(gofer_root, upper) : gofer_root;
	if (root) {
		/* A mount of its own, outside the mount table (the VFS has no
		 * umount): freed after the input, so that ASan sees any
		 * reference left behind. */
		struct mount *m = calloc(1, sizeof(*m));
		if (!m)
			abort();
		*m = (struct mount){ .refs = 1, .sb = root->sb, .root = root };
		struct path p = { m, root };
		struct path old_root, old_cwd;
		fs_context_root(t->fs, &old_root);
		fs_context_cwd(t->fs, &old_cwd);
		fs_context_set_root(t->fs, &p);
		fs_context_set_cwd(t->fs, &p);
		struct run r = { .t = t };
		unsigned n = 0;
		for (const uint8_t *o = ops + 1; o + 3 <= ops_end && n < MAX_OPS; o += 3, n++)
			op(&r, o[0], o[1], o[2]);
		for (unsigned i = 0; i < r.nfds; i++)
			sys(t, SYS_close, (uint64_t)r.fds[i], 0, 0, 0, 0, 0);
		fs_context_set_root(t->fs, &old_root);
		fs_context_set_cwd(t->fs, &old_cwd);
		path_put(&old_root);
		path_put(&old_cwd);
		/* Drop the tree (its clunks go nowhere: EIO). */
		gofer_client_testonly_reset(-1);
		close(sv[0]);
		vfs_lock();
		drop_children(root);
		if (root != gofer_root)
			drop_children(gofer_root);
		vfs_unlock();
		if (root == gofer_root) {
			root->flags |= D_DEAD;
			dput(root);
		}	/* (an overlay's roots and its tmpfs stay: small) */
		free(m);
	} else {
		gofer_client_testonly_reset(-1);
		close(sv[0]);
	}
	pthread_join(th, NULL);
	return 0;
}
