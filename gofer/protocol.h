/* gofer/protocol.h: the wire protocol between the sentry (fs/goferfs) and
 * the gofer process (gofer/gofer.c).
 *
 * One SOCK_SEQPACKET socketpair; the sentry sends one request message and
 * reads one reply message, strictly in turn (the client serialises). A
 * request is struct gofer_req followed by up to two NUL-terminated names
 * (name, then name2 for rename/symlink targets); a reply is struct
 * gofer_resp followed by datalen bytes (a readlink target, or getdents
 * records). Replies of OPEN and CREATE carry the opened host fd as
 * SCM_RIGHTS. TMPFILE makes an unnamed file (the host's O_TMPFILE); its
 * fid is opened with OPEN and named with LINK like any other. Both sides treat anything malformed as fatal for the
 * message: the gofer answers EINVAL, the sentry gives the guest EIO.
 *
 * Files in the gofer are named by fids: small numbers standing for an
 * O_PATH|O_NOFOLLOW fd the gofer holds. ATTACH gives the root fid of
 * export N (0 is the root file system, then each -v mount in order). */
#pragma once
#include <stdint.h>

#define GOFER_MSG_MAX	(64 * 1024 + 256)	/* whole message, either way */
#define GOFER_DATA_MAX	(64 * 1024)		/* payload of a reply */
#define GOFER_NAME_MAX	255
/* A reply's err is 0 or -errno with errno below this (what host syscalls
 * return to a process; the kernel-internal ERESTARTSYS... are 512 up). */
#define GOFER_ERRNO_LIMIT 512

enum gofer_op {
	GOFER_ATTACH = 1,	/* arg = export index -> fid, stat */
	GOFER_WALK,		/* fid, name -> fid, stat (ENOENT...) */
	GOFER_STAT,		/* fid -> stat */
	GOFER_OPEN,		/* fid, flags (O_ACCMODE, O_TRUNC, O_APPEND) -> fd */
	GOFER_GETDENTS,		/* fid, arg = offset -> records, next offset */
	GOFER_READLINK,		/* fid -> target */
	GOFER_CLUNK,		/* fid -> forget it (no reply is needed: one is sent) */
	GOFER_CREATE,		/* fid, name, flags, mode -> fid, stat, fd */
	GOFER_MKDIR,		/* fid, name, mode -> fid, stat */
	GOFER_SYMLINK,		/* fid, name, name2 = target -> fid, stat */
	GOFER_MKNOD,		/* fid, name, mode, arg = rdev -> fid, stat */
	GOFER_LINK,		/* fid = dir, name, fid2 = file -> fid, stat */
	GOFER_UNLINK,		/* fid, name, flags = AT_REMOVEDIR or 0 */
	GOFER_RENAME,		/* fid, name, fid2, name2, flags = RENAME_* */
	GOFER_SETSTAT,		/* fid, valid (GOFER_SET_*), mode, size, times */
	GOFER_STATFS,		/* fid -> statfs in the stat fields (see below) */
	GOFER_FALLOCATE,	/* fid, flags = mode, arg = offset, arg2 = length
				 * -> stat afterwards */
	GOFER_TMPFILE,		/* fid = dir, flags = O_WRONLY/O_RDWR [| O_EXCL],
				 * mode -> fid of a new unnamed file, stat */
	GOFER_WALKN,		/* fid, name2 = names, arg = first fid index,
				 * flags GOFER_WALK_OPEN -> entries (below) */
	GOFER_CLUNKN,		/* name2 = fids in decimal, '/'-separated (at
				 * most GOFER_CLUNKN_MAX) -> forget each (fid
				 * is not looked at; unknown ones are skipped).
				 * The sentry sends it just before another
				 * request, both in one go (two replies). */
	GOFER_OP_MAX
};

/* WALK flags: only the attributes, no fid (revalidation of a cached
 * name: one round trip, nothing to clunk). */
#define GOFER_WALK_STAT_ONLY 0x1

/* WALKN: several components in one round trip (9P's Twalk). name2 holds
 * 1..GOFER_WALKN_MAX names joined by single '/' (each a component as
 * WALK checks it: not empty, ".", ".." or longer than GOFER_NAME_MAX;
 * no leading, trailing or doubled '/'). The gofer walks them from fid
 * one at a time with openat(O_PATH|O_NOFOLLOW), exactly as WALK, and
 * stops after the first error, after the first component that is not a
 * directory, or after the last name. The reply's arg is the number of
 * entries n (1..names), its data n struct gofer_walk_ent, in order: a
 * component at index below the request's arg gets attributes only (fid
 * 0: revalidation of cached names), the others a new fid each. Only the
 * last entry may carry an error (err < 0, fid 0, no attributes); every
 * entry before the last is a directory. When the last entry is a
 * symlink, its target follows the entries (the rest of the data, at
 * most PATH_MAX - 1 bytes, no NUL; none if it could not be read). With
 * GOFER_WALK_OPEN, when the last entry is the last name and a regular
 * file, it is also opened read-only and the fd donated (none if that
 * fails: the sentry opens it later and sees why). */
#define GOFER_WALKN_MAX 32
#define GOFER_CLUNKN_MAX 64
#define GOFER_WALK_OPEN 0x2
/* WALKN with GOFER_WALK_SIBLINGS: each name is looked up in fid itself
 * (not in the one before); an entry for every name, each with a fid or
 * its own error; arg must be 0, no GOFER_WALK_OPEN, no symlink targets. */
#define GOFER_WALK_SIBLINGS 0x4

/* A change's reply data: the attributes after it (struct gofer_stat
 * each) of the directory it changed (CREATE, MKDIR, SYMLINK, MKNOD,
 * LINK, UNLINK), then for UNLINK the removed file's; for RENAME the old
 * directory's, the new one's, then the replaced (or exchanged) file's;
 * for SETSTAT the file's. Any may be missing (from the end) when the
 * gofer could not stat it; the sentry then asks with STAT. */

#define GOFER_SET_MODE	0x01
#define GOFER_SET_UID	0x02
#define GOFER_SET_GID	0x04
#define GOFER_SET_SIZE	0x08
#define GOFER_SET_ATIME	0x10
#define GOFER_SET_MTIME	0x20

/* The attributes of a host file. */
struct gofer_stat {
	uint64_t ino;
	uint64_t dev;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t rdev;
	int64_t size;
	int64_t blocks;
	int64_t atime_sec, atime_nsec;
	int64_t mtime_sec, mtime_nsec;
	int64_t ctime_sec, ctime_nsec;
};

/* One component of a WALKN reply. */
struct gofer_walk_ent {
	int32_t err;		/* 0 or -errno */
	uint32_t pad;
	uint64_t fid;		/* 0 below the request's arg, or on error */
	struct gofer_stat st;
};

struct gofer_req {
	uint32_t op;
	uint32_t flags;
	uint64_t fid;
	uint64_t fid2;
	int64_t arg;		/* export index, offset, size, rdev */
	uint32_t mode;
	uint32_t valid;		/* SETSTAT */
	uint32_t uid, gid;
	int64_t atime_sec, atime_nsec;
	int64_t mtime_sec, mtime_nsec;
	uint16_t namelen;	/* without the NUL; 0: no name */
	uint16_t name2len;	/* up to PATH_MAX - 1 for a symlink target */
	uint32_t cpu;		/* the sender's host CPU + 1, or 0: a hint
				 * (the gofer serves on that CPU, gofer.c) */
	int64_t arg2;		/* FALLOCATE: the length */
	/* then name\0 name2\0 */
};

struct gofer_resp {
	int32_t err;		/* 0 or -errno */
	uint32_t datalen;
	uint64_t fid;
	int64_t arg;		/* GETDENTS: the next offset, or -1 at the end */
	struct gofer_stat st;	/* STATFS: f_type in ino, f_bsize in dev,
				 * blocks/bfree/bavail in size/blocks/rdev,
				 * files/ffree in atime_sec/atime_nsec */
	/* then datalen bytes */
};

/* A GETDENTS record, 8-byte aligned, followed by name (namelen bytes,
 * then a NUL), padded to reclen. */
struct gofer_dirent {
	uint64_t ino;
	uint16_t reclen;
	uint8_t type;		/* DT_* */
	uint8_t pad;
	uint16_t namelen;
	uint16_t pad2;
	/* then name\0 */
};
