/* fs/vfs/lock.h: advisory file locks, kept in the sentry per inode.
 *
 * Three kinds, as Linux:
 *  - POSIX record locks (fcntl F_SETLK/F_SETLKW/F_GETLK): byte ranges
 *    owned by an fd table (a process, or the threads sharing CLONE_FILES);
 *    an owner's ranges split and merge; they go when the owner closes any
 *    fd of the file, or the table goes (exit); a fork gets none.
 *  - OFD locks (F_OFD_*): the same ranges, owned by the open file
 *    description; they go with its last reference. They conflict with
 *    POSIX locks of other owners.
 *  - flock(2) locks: whole-file, owned by the open file description
 *    (shared by dup and fork), independent of the other two.
 *
 * Blocking requests (F_SETLKW, F_OFD_SETLKW, flock without LOCK_NB) sleep
 * on one wait queue, woken by every unlock, and recheck; a signal ends
 * the wait with -ERESTARTSYS (restarted under SA_RESTART, else EINTR).
 * F_SETLKW detects deadlocks between POSIX owners (EDEADLK). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct file;
struct fdtable;
struct inode;
struct task;

/* A POSIX/OFD request or answer, already made absolute (l_whence
 * resolved): [start, end] inclusive, end INT64_MAX for "to EOF and
 * beyond". type is F_RDLCK, F_WRLCK or F_UNLCK. */
struct lock_range {
	short type;
	int64_t start, end;
	int pid;		/* answers: the holder's pid, -1 for OFD locks */
};

/* Resolve a struct flock's whence/start/len against f (its position or
 * size): 0, -EINVAL or -EOVERFLOW. */
int lock_range_from_flock(struct file *f, int whence, int64_t start, int64_t len,
			  struct lock_range *out);

/* F_GETLK (ofd false, owner files) / F_OFD_GETLK: the first lock that
 * would conflict with req, or type F_UNLCK. 0 or -errno. */
int lock_posix_test(struct file *f, struct fdtable *files, bool ofd, struct lock_range *req);
/* F_SETLK(W) / F_OFD_SETLK(W) for task t (its tgid is the POSIX pid).
 * 0, -EAGAIN, -EDEADLK, -ERESTARTSYS, -ENOMEM. */
int lock_posix_set(struct task *t, struct file *f, struct fdtable *files, bool ofd,
		   const struct lock_range *req, bool wait);
/* flock(2): op LOCK_SH, LOCK_EX or LOCK_UN, nonblock for LOCK_NB.
 * 0, -EWOULDBLOCK, -ERESTARTSYS, -ENOMEM. */
int lock_flock(struct task *t, struct file *f, int op, bool nonblock);

/* Closing an fd of f in table files: drop files' POSIX locks on f's
 * inode. */
void lock_remove_posix(struct file *f, struct fdtable *files);
/* The last reference to f went: drop its OFD and flock locks. */
void lock_remove_file(struct file *f);
