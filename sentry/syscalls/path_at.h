/* sentry/syscalls/path_at.h: the *at() conventions shared by the file
 * syscalls: copy a path in (PATH_MAX, EFAULT, ENAMETOOLONG, ENOENT for
 * "" unless AT_EMPTY_PATH), resolve dirfd (AT_FDCWD, EBADF, ENOTDIR for
 * relative paths) and the task's root into a walk_start. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "fs/vfs/vfs.h"

struct task;
struct file;

struct at_path {
	struct walk_start ws;
	char *name;		/* sentry copy of the path */
	bool empty;		/* "" with AT_EMPTY_PATH: the dirfd itself */
	struct file *dirf;	/* the dirfd's file, referenced, or NULL */
};

/* 0 or -errno; at_end() in every case. */
int at_begin(struct task *t, int dirfd, uint64_t upath, bool empty_ok, struct at_path *ap);
void at_end(struct at_path *ap);
/* at_begin, resolving dirfd for absolute paths too when always is set
 * (openat2's RESOLVE_BENEATH and RESOLVE_IN_ROOT walk from it). */
int at_begin_dirfd(struct task *t, int dirfd, uint64_t upath, bool empty_ok, bool always,
		   struct at_path *ap);
/* at_begin + the lookup of the whole path: at_flags may hold
 * AT_SYMLINK_NOFOLLOW (else follow) and AT_EMPTY_PATH. */
int at_lookup(struct task *t, int dirfd, uint64_t upath, int at_flags, unsigned lookup_flags,
	      struct path *out);
/* The task's fs context (made on first use for a task created without
 * one). */
struct fs_context *task_fs(struct task *t);
/* The task's root and cwd as a walk start (for paths without dirfd). */
void at_cwd_start(struct task *t, struct walk_start *ws);
/* The open file at fd, or NULL; with O_PATH files refused (for I/O). */
struct file *fd_file(struct task *t, int fd, bool allow_path);
/* The RLIMIT_NOFILE bound for new fds. */
int fd_limit(struct task *t);
