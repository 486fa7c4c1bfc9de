/* gofer/ops.c: the gofer's request handlers. Every host file is reached
 * from an export's root fd one component at a time with
 * openat(O_PATH|O_NOFOLLOW); names are single components (no '/', not
 * "." or ".."; WALKN's several names are split and checked one by one
 * here), so nothing the sentry asks for leaves an export. O_PATH
 * fds are reopened for I/O through /proc/self/fd/N, which names exactly
 * the inode already walked to (no second path resolution). Only regular
 * files and directories are opened; exports marked read-only refuse every
 * change with EROFS (fallocate and O_TMPFILE files included); no host file is ever given a set-user-ID or
 * set-group-ID bit (MODE_MASK). */
#include "gofer/gofer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MODE_MASK 01777	/* no S_ISUID, S_ISGID on host files */

static struct gofer_fid *fid_get(struct gofer_state *g, uint64_t fid)
{
	if (fid == 0 || fid > g->nfids || g->fids[fid - 1].fd < 0)
		return NULL;
	return &g->fids[fid - 1];
}

/* A new fid for fd (taken), or 0 (fd closed) when out of memory. */
static uint64_t fid_new(struct gofer_state *g, int fd, bool ro)
{
	for (uint64_t i = 0; i < g->nfids; i++) {
		if (g->fids[i].fd < 0) {
			g->fids[i] = (struct gofer_fid){ fd, ro, -1 };
			return i + 1;
		}
	}
	uint64_t n = g->nfids ? g->nfids * 2 : 64;
	struct gofer_fid *f = realloc(g->fids, n * sizeof(*f));
	if (!f) {
		close(fd);
		return 0;
	}
	for (uint64_t i = g->nfids; i < n; i++)
		f[i].fd = -1;
	g->fids = f;
	uint64_t id = g->nfids + 1;
	g->nfids = n;
	g->fids[id - 1] = (struct gofer_fid){ fd, ro, -1 };
	return id;
}

static void fill_stat(struct gofer_stat *gs, const struct stat *st)
{
	gs->ino = st->st_ino;
	gs->dev = st->st_dev;
	gs->mode = st->st_mode;
	gs->nlink = (uint32_t)st->st_nlink;
	gs->uid = st->st_uid;
	gs->gid = st->st_gid;
	gs->rdev = st->st_rdev;
	gs->size = st->st_size;
	gs->blocks = st->st_blocks;
	gs->atime_sec = st->st_atim.tv_sec;
	gs->atime_nsec = st->st_atim.tv_nsec;
	gs->mtime_sec = st->st_mtim.tv_sec;
	gs->mtime_nsec = st->st_mtim.tv_nsec;
	gs->ctime_sec = st->st_ctim.tv_sec;
	gs->ctime_nsec = st->st_ctim.tv_nsec;
}

static int stat_fd(int fd, struct gofer_stat *gs)
{
	struct stat st;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	fill_stat(gs, &st);
	return 0;
}

/* Reopen the O_PATH fd of f with flags (through /proc/self/fd). */
static int reopen(struct gofer_state *g, int fd, int flags)
{
	char n[16];
	snprintf(n, sizeof(n), "%d", fd);
	int r = openat(g->procfd, n, flags | O_CLOEXEC | O_NOCTTY);
	return r < 0 ? -errno : r;
}

/* Walk name from dir: a new fid with its attributes in resp. */
/* Host kernel file systems are never served: a walk may reach their
 * mount points, not below them. */
static bool kernel_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return true;
	switch ((unsigned long)sf.f_type) {
	case 0x9fa0:		/* PROC_SUPER_MAGIC */
	case 0x62656572:	/* SYSFS_MAGIC */
	case 0x64626720:	/* DEBUGFS_MAGIC */
	case 0x74726163:	/* TRACEFS_MAGIC */
	case 0x27e0eb:		/* CGROUP_SUPER_MAGIC */
	case 0x63677270:	/* CGROUP2_SUPER_MAGIC */
	case 0x73636673:	/* SECURITYFS_MAGIC */
	case 0xcafe4a11:	/* BPF_FS_MAGIC */
		return true;
	}
	return false;
}

/* kernel_fs of a fid's file, asked once: a fid's file stays on its file
 * system. */
static bool fid_kernel_fs(struct gofer_fid *f)
{
	if (f->kernel < 0)
		f->kernel = kernel_fs(f->fd);
	return f->kernel;
}

static int walk_name(struct gofer_state *g, struct gofer_fid *dir, const char *name,
		     uint32_t flags, struct gofer_resp *resp)
{
	if (fid_kernel_fs(dir))
		return -EACCES;
	if (flags & GOFER_WALK_STAT_ONLY) {
		/* Attributes only: what the open and its fstat would see. */
		struct stat st;
		resp->fid = 0;
		if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		fill_stat(&resp->st, &st);
		return 0;
	}
	int fd = openat(dir->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = stat_fd(fd, &resp->st);
	if (r < 0) {
		close(fd);
		resp->fid = 0;
		return r;
	}
	bool ro = dir->ro;
	resp->fid = fid_new(g, fd, ro);
	return resp->fid ? 0 : -ENOMEM;
}

/* WALKN (gofer/protocol.h): the components of path, '/'-separated,
 * walked from dir one at a time exactly as walk_name walks one. Each
 * name is checked as the serving loop checks WALK's (one component, not
 * "." or ".."); the fds of attributes-only steps are closed as soon as
 * the next step is open. */
static bool component_ok(const char *s, size_t len)
{
	if (len == 0 || len > GOFER_NAME_MAX)
		return false;
	return !((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'));
}

static int do_walkn(struct gofer_state *g, struct gofer_fid *dir, const struct gofer_req *req,
		    const char *path, struct gofer_resp *resp, char *data, int *sendfd)
{
	if (!path)
		return -EINVAL;
	const char *comp[GOFER_WALKN_MAX];
	size_t len[GOFER_WALKN_MAX], n = 0;
	for (const char *p = path;;) {
		size_t l = strcspn(p, "/");
		if (n == GOFER_WALKN_MAX || !component_ok(p, l))
			return -EINVAL;
		comp[n] = p;
		len[n++] = l;
		if (!p[l])
			break;
		p += l + 1;
	}
	if (req->arg < 0 || (uint64_t)req->arg > n)
		return -EINVAL;
	bool sib = req->flags & GOFER_WALK_SIBLINGS;
	if (sib && (req->arg || (req->flags & GOFER_WALK_OPEN)))
		return -EINVAL;
	size_t first_fid = (size_t)req->arg;
	bool ro = dir->ro;	/* dir moves if fid_new grows the table */
	int cur = dir->fd, temp = -1;	/* temp: an attributes-only step's fd */
	int cur_kernel = fid_kernel_fs(dir);	/* -1: not asked yet */
	struct gofer_walk_ent *ent = (struct gofer_walk_ent *)data;
	size_t used = 0, extra = 0;
	for (size_t i = 0; i < n; i++) {
		struct gofer_walk_ent *e = &ent[used++];
		memset(e, 0, sizeof(*e));
		char name[GOFER_NAME_MAX + 1];
		memcpy(name, comp[i], len[i]);
		name[len[i]] = 0;
		if (cur_kernel < 0)
			cur_kernel = kernel_fs(cur);
		if (cur_kernel) {
			e->err = -EACCES;
			if (sib)
				continue;
			break;
		}
		int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			e->err = -errno;
			if (sib)
				continue;
			break;
		}
		if (temp >= 0)
			close(temp);
		temp = -1;
		int r = stat_fd(fd, &e->st);
		if (r < 0) {
			close(fd);
			e->err = r;
			if (sib)
				continue;
			break;
		}
		if (i >= first_fid) {
			e->fid = fid_new(g, fd, ro);
			if (!e->fid) {
				memset(e, 0, sizeof(*e));
				e->err = -ENOMEM;
				break;
			}
		} else {
			temp = fd;
		}
		if (sib)
			continue;	/* each from dir, nothing more */
		cur = fd;
		cur_kernel = -1;
		if (S_ISLNK(e->st.mode)) {
			ssize_t k = readlinkat(fd, "", data + n * sizeof(*ent), PATH_MAX - 1);
			if (k > 0 && !memchr(data + n * sizeof(*ent), 0, (size_t)k))
				extra = (size_t)k;
		} else if (S_ISREG(e->st.mode) && i + 1 == n && (req->flags & GOFER_WALK_OPEN)) {
			int o = reopen(g, fd, O_RDONLY);
			if (o >= 0)
				*sendfd = o;
		}
		if (!S_ISDIR(e->st.mode))
			break;
	}
	if (temp >= 0)
		close(temp);
	if (extra)
		memmove(data + used * sizeof(*ent), data + n * sizeof(*ent), extra);
	resp->arg = (int64_t)used;
	resp->datalen = (uint32_t)(used * sizeof(*ent) + extra);
	return 0;
}

static int do_open(struct gofer_state *g, struct gofer_fid *f, uint32_t flags, int *sendfd)
{
	struct stat st;
	if (fstatat(f->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return -ENXIO;		/* no host fifos, devices or sockets */
	int acc = (int)flags & O_ACCMODE;
	if (acc == O_ACCMODE)
		return -EINVAL;
	bool write = acc != O_RDONLY || (flags & O_TRUNC);
	if (write && f->ro)
		return -EROFS;
	if (write && S_ISDIR(st.st_mode))
		return -EISDIR;
	int fd = reopen(g, f->fd, acc | ((int)flags & (O_TRUNC | O_APPEND)) |
			(S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0)
		return fd;
	*sendfd = fd;
	return 0;
}

/* Records from offset off into data; the next offset or -1 at the end. */
static int do_getdents(struct gofer_state *g, struct gofer_fid *f, int64_t off,
		       struct gofer_resp *resp, char *data)
{
	int fd = reopen(g, f->fd, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	if (lseek(fd, off, SEEK_SET) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	static char raw[GOFER_DATA_MAX];
	long n = syscall(SYS_getdents64, fd, raw, sizeof(raw));
	int e = n < 0 ? -errno : 0;
	close(fd);
	if (e)
		return e;
	size_t used = 0;
	int64_t next = -1;
	for (long pos = 0; pos < n;) {
		struct dirent64 *de = (struct dirent64 *)(raw + pos);
		size_t len = strlen(de->d_name);
		size_t rec = (sizeof(struct gofer_dirent) + len + 1 + 7) & ~(size_t)7;
		if (used + rec > GOFER_DATA_MAX)
			break;
		struct gofer_dirent *gd = (struct gofer_dirent *)(data + used);
		memset(gd, 0, rec);
		gd->ino = de->d_ino;
		gd->reclen = (uint16_t)rec;
		gd->type = de->d_type;
		gd->namelen = (uint16_t)len;
		memcpy(gd + 1, de->d_name, len);
		used += rec;
		next = de->d_off;
		pos += de->d_reclen;
	}
	resp->datalen = (uint32_t)used;
	resp->arg = n == 0 ? -1 : next;
	return 0;
}

static int do_setstat(struct gofer_state *g, struct gofer_fid *f, const struct gofer_req *req)
{
	char n[16];
	snprintf(n, sizeof(n), "%d", f->fd);
	if (req->valid & GOFER_SET_SIZE) {
		if (req->arg < 0)
			return -EINVAL;
		int fd = reopen(g, f->fd, O_WRONLY);
		if (fd < 0)
			return fd;
		int r = ftruncate(fd, req->arg) < 0 ? -errno : 0;
		close(fd);
		if (r < 0)
			return r;
	}
	if ((req->valid & GOFER_SET_MODE) && fchmodat(g->procfd, n, req->mode & MODE_MASK, 0) < 0)
		return -errno;
	if (req->valid & (GOFER_SET_UID | GOFER_SET_GID)) {
		uid_t u = (req->valid & GOFER_SET_UID) ? req->uid : (uid_t)-1;
		gid_t gr = (req->valid & GOFER_SET_GID) ? req->gid : (gid_t)-1;
		if (fchownat(g->procfd, n, u, gr, 0) < 0)
			return -errno;
	}
	if (req->valid & (GOFER_SET_ATIME | GOFER_SET_MTIME)) {
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
		if (req->valid & GOFER_SET_ATIME)
			ts[0] = (struct timespec){ req->atime_sec, req->atime_nsec };
		if (req->valid & GOFER_SET_MTIME)
			ts[1] = (struct timespec){ req->mtime_sec, req->mtime_nsec };
		if (utimensat(g->procfd, n, ts, 0) < 0)
			return -errno;
	}
	return 0;
}

/* fallocate(2) on the regular file f (the sentry checked the mode and
 * that its guest fd is writable); the attributes afterwards in resp. */
static int do_fallocate(struct gofer_state *g, struct gofer_fid *f, const struct gofer_req *req,
			struct gofer_resp *resp)
{
	if (req->arg < 0 || req->arg2 <= 0)
		return -EINVAL;
	struct stat st;
	if (fstatat(f->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -ENODEV;
	int fd = reopen(g, f->fd, O_WRONLY);
	if (fd < 0)
		return fd;
	int r = fallocate(fd, (int)req->flags, req->arg, req->arg2) < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	return stat_fd(f->fd, &resp->st);
}

/* An unnamed regular file in directory f (the host's O_TMPFILE, linkable
 * later unless O_EXCL): a new fid for it, its attributes in resp. */
static int do_tmpfile(struct gofer_state *g, struct gofer_fid *f, const struct gofer_req *req,
		      struct gofer_resp *resp)
{
	int acc = (int)req->flags & O_ACCMODE;
	if (acc != O_WRONLY && acc != O_RDWR)
		return -EINVAL;
	if (fid_kernel_fs(f))
		return -EACCES;
	int fd = openat(f->fd, ".", O_TMPFILE | acc | O_CLOEXEC | O_NOCTTY |
			((int)req->flags & O_EXCL), req->mode & MODE_MASK);
	if (fd < 0)
		return -errno;
	int pfd = reopen(g, fd, O_PATH);
	close(fd);
	if (pfd < 0)
		return pfd;
	int r = stat_fd(pfd, &resp->st);
	if (r < 0) {
		close(pfd);
		return r;
	}
	resp->fid = fid_new(g, pfd, f->ro);
	return resp->fid ? 0 : -ENOMEM;
}

/* Append the attributes of fd to a change's reply data (nothing if it
 * cannot be stat'ed: the sentry then asks with STAT). */
static void append_stat(int fd, struct gofer_resp *resp, char *data)
{
	struct gofer_stat st;
	if (fd >= 0 && stat_fd(fd, &st) == 0) {
		memcpy(data + resp->datalen, &st, sizeof(st));
		resp->datalen += (uint32_t)sizeof(st);
	}
}

/* O_PATH fd of name in dir, if there is one (-1): a file a change is
 * about to unlink or replace, to report its attributes afterwards. */
static int peek(int dir, const char *name)
{
	return name ? openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC) : -1;
}

/* CLUNKN: forget the fids listed in decimal in s, '/'-separated. */
static int do_clunkn(struct gofer_state *g, const char *s)
{
	if (!s)
		return -EINVAL;
	for (int n = 0; n < GOFER_CLUNKN_MAX; n++) {
		char *end;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		errno = 0;
		unsigned long long v = strtoull(s, &end, 10);
		if (errno || (*end && *end != '/'))
			return -EINVAL;
		struct gofer_fid *f = fid_get(g, v);
		if (f) {
			close(f->fd);
			f->fd = -1;
		}
		if (!*end)
			return 0;
		s = end + 1;
	}
	return -EINVAL;
}

static int handle_op(struct gofer_state *g, const struct gofer_req *req, const char *name,
		     const char *name2, struct gofer_resp *resp, char *data, int *sendfd)
{
	if (req->op == GOFER_CLUNKN)
		return do_clunkn(g, name2);
	if (req->op == GOFER_ATTACH) {
		if (req->arg < 0 || req->arg >= g->nexports)
			return -ENOENT;
		int fd = fcntl(g->export_fds[req->arg], F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		int r = stat_fd(fd, &resp->st);
		if (r < 0) {
			close(fd);
			return r;
		}
		resp->fid = fid_new(g, fd, g->exports[req->arg].ro);
		return resp->fid ? 0 : -ENOMEM;
	}
	struct gofer_fid *f = fid_get(g, req->fid);
	if (!f)
		return -EBADF;
	bool needs_name = req->op == GOFER_WALK || req->op == GOFER_CREATE ||
			  req->op == GOFER_MKDIR || req->op == GOFER_SYMLINK ||
			  req->op == GOFER_MKNOD || req->op == GOFER_LINK ||
			  req->op == GOFER_UNLINK || req->op == GOFER_RENAME;
	if (needs_name && !name)
		return -EINVAL;
	bool change = (req->op >= GOFER_CREATE && req->op <= GOFER_SETSTAT) ||
		      req->op == GOFER_FALLOCATE || req->op == GOFER_TMPFILE;
	if (change && f->ro)
		return -EROFS;
	switch (req->op) {
	case GOFER_WALK:
		return walk_name(g, f, name, req->flags, resp);
	case GOFER_WALKN:
		return do_walkn(g, f, req, name2, resp, data, sendfd);
	case GOFER_STAT:
		return stat_fd(f->fd, &resp->st);
	case GOFER_OPEN:
		return do_open(g, f, req->flags, sendfd);
	case GOFER_GETDENTS:
		return do_getdents(g, f, req->arg, resp, data);
	case GOFER_READLINK: {
		ssize_t n = readlinkat(f->fd, "", data, PATH_MAX);
		if (n < 0)
			return -errno;
		resp->datalen = (uint32_t)n;
		return 0;
	}
	case GOFER_CLUNK:
		close(f->fd);
		f->fd = -1;
		return 0;
	case GOFER_CREATE: {
		int acc = (int)req->flags & O_ACCMODE;
		if (acc == O_ACCMODE)
			return -EINVAL;
		int fd = openat(f->fd, name, acc | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
				O_NOCTTY | ((int)req->flags & O_APPEND), req->mode & MODE_MASK);
		if (fd < 0)
			return -errno;
		int pfd = reopen(g, fd, O_PATH);
		int r = pfd < 0 ? pfd : stat_fd(pfd, &resp->st);
		if (r == 0 && !(resp->fid = fid_new(g, pfd, f->ro)))
			r = -ENOMEM;
		else if (r < 0 && pfd >= 0)
			close(pfd);
		if (r < 0) {
			close(fd);
			return r;
		}
		*sendfd = fd;
		return 0;
	}
	case GOFER_MKDIR:
		if (mkdirat(f->fd, name, req->mode & MODE_MASK) < 0)
			return -errno;
		return walk_name(g, f, name, 0, resp);
	case GOFER_SYMLINK:
		if (!name2 || !name2[0])
			return -ENOENT;
		if (symlinkat(name2, f->fd, name) < 0)
			return -errno;
		return walk_name(g, f, name, 0, resp);
	case GOFER_MKNOD: {
		mode_t type = req->mode & S_IFMT;
		if (type != S_IFIFO && type != S_IFREG && type != S_IFSOCK)
			return -EPERM;	/* no host devices */
		if (mknodat(f->fd, name, req->mode & (S_IFMT | MODE_MASK), 0) < 0)
			return -errno;
		return walk_name(g, f, name, 0, resp);
	}
	case GOFER_LINK: {
		struct gofer_fid *old = fid_get(g, req->fid2);
		if (!old)
			return -EBADF;
		if (old->ro)
			return -EROFS;
		char n[16];
		snprintf(n, sizeof(n), "%d", old->fd);
		if (linkat(g->procfd, n, f->fd, name, AT_SYMLINK_FOLLOW) < 0)
			return -errno;
		return walk_name(g, f, name, 0, resp);
	}
	case GOFER_UNLINK:
		if (unlinkat(f->fd, name, req->flags & AT_REMOVEDIR) < 0)
			return -errno;
		return 0;
	case GOFER_RENAME: {
		struct gofer_fid *nd = fid_get(g, req->fid2);
		if (!nd)
			return -EBADF;
		if (nd->ro)
			return -EROFS;
		if (!name2)
			return -EINVAL;
		unsigned fl = req->flags & (1 | 2);	/* RENAME_NOREPLACE, RENAME_EXCHANGE */
		if (syscall(SYS_renameat2, f->fd, name, nd->fd, name2, fl) < 0)
			return -errno;
		return 0;
	}
	case GOFER_SETSTAT:
		return do_setstat(g, f, req);
	case GOFER_STATFS: {
		struct statfs sf;
		if (fstatfs(f->fd, &sf) < 0)
			return -errno;
		resp->st.ino = (uint64_t)sf.f_type;
		resp->st.dev = (uint64_t)sf.f_bsize;
		resp->st.size = (int64_t)sf.f_blocks;
		resp->st.blocks = (int64_t)sf.f_bfree;
		resp->st.rdev = sf.f_bavail;
		resp->st.atime_sec = (int64_t)sf.f_files;
		resp->st.atime_nsec = (int64_t)sf.f_ffree;
		return 0;
	}
	case GOFER_FALLOCATE:
		return do_fallocate(g, f, req, resp);
	case GOFER_TMPFILE:
		return do_tmpfile(g, f, req, resp);
	default:
		return -EINVAL;
	}
}

/* handle_op, and for the changes the attributes afterwards of what they
 * changed, as data (gofer/protocol.h): no STAT round trips after them. */
static int handle(struct gofer_state *g, const struct gofer_req *req, const char *name,
		  const char *name2, struct gofer_resp *resp, char *data, int *sendfd)
{
	struct gofer_fid *f = req->op == GOFER_ATTACH || req->op == GOFER_CLUNKN ? NULL :
			      fid_get(g, req->fid);
	struct gofer_fid *f2 = req->op == GOFER_RENAME ? fid_get(g, req->fid2) : NULL;
	int dir = f ? f->fd : -1, dir2 = f2 ? f2->fd : -1;	/* fid_new may move f */
	int victim = -1;
	if (f && !f->ro && req->op == GOFER_UNLINK)
		victim = peek(dir, name);
	else if (f && f2 && !f2->ro && req->op == GOFER_RENAME)
		victim = peek(dir2, name2);
	int r = handle_op(g, req, name, name2, resp, data, sendfd);
	if (r == 0) {
		switch (req->op) {
		case GOFER_CREATE:
		case GOFER_MKDIR:
		case GOFER_SYMLINK:
		case GOFER_MKNOD:
		case GOFER_LINK:
			append_stat(dir, resp, data);
			break;
		case GOFER_UNLINK:
			append_stat(dir, resp, data);
			if (resp->datalen)
				append_stat(victim, resp, data);
			break;
		case GOFER_RENAME:
			append_stat(dir, resp, data);
			if (resp->datalen)
				append_stat(dir2, resp, data);
			if (resp->datalen == 2 * sizeof(struct gofer_stat))
				append_stat(victim, resp, data);
			break;
		case GOFER_SETSTAT:
			append_stat(dir, resp, data);
			break;
		}
	}
	if (victim >= 0)
		close(victim);
	return r;
}

void gofer_handle(struct gofer_state *g, const struct gofer_req *req,
		  const char *name, const char *name2,
		  struct gofer_resp *resp, char *data, int *sendfd)
{
	memset(resp, 0, sizeof(*resp));
	*sendfd = -1;
	resp->err = handle(g, req, name, name2, resp, data, sendfd);
	if (resp->err < 0) {
		resp->datalen = 0;
		if (*sendfd >= 0) {
			close(*sendfd);
			*sendfd = -1;
		}
	}
}
