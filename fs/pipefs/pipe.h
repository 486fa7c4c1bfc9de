/* fs/pipefs/pipe.h: pipes and FIFOs.
 *
 * A struct pipe is a ring buffer (64 KiB by default, F_SETPIPE_SZ up to
 * PIPE_MAX_SIZE) with counts of the open read and write ends and one
 * wait queue for both sides. Anonymous pipes (pipe2) get two files over a
 * new pipe; a FIFO inode (mknod S_IFIFO) gets its pipe at the first open
 * and loses it, with any unread data, when the last end closes, as Linux.
 *
 * Linux semantics: reads block while the pipe is empty and a writer
 * exists (EOF once none does); writes of at most PIPE_BUF bytes are
 * atomic; writes block while there is no room; a write without readers
 * raises SIGPIPE and fails with EPIPE; O_NONBLOCK gives EAGAIN. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct file;
struct file_ops;
struct pipe;

#define PIPE_DEF_SIZE	65536
#define PIPE_MAX_SIZE	(1 << 20)	/* /proc/sys/fs/pipe-max-size */
#define PIPE_BUF_ATOMIC	4096		/* PIPE_BUF */

/* A new anonymous pipe: files[0] reads, files[1] writes. flags:
 * O_NONBLOCK (and O_DIRECT, accepted and ignored). 0 or -ENOMEM. */
int pipe_create(int flags, struct file *files[2]);

/* The file ops of FIFO inodes: open blocks until the other end opens
 * (O_NONBLOCK: readers open at once, writers get ENXIO without a reader). */
extern const struct file_ops pipe_fifo_fops;

/* Is f a pipe or FIFO end? */
int pipe_is_pipe(struct file *f);
/* F_GETPIPE_SZ (arg unused) / F_SETPIPE_SZ: the capacity, or -errno
 * (-EBADF for files that are not pipes). */
int64_t pipe_fcntl(struct file *f, int cmd, uint64_t arg);

/* For splice, tee and vmsplice: the pipe of a pipe or FIFO end, or
 * NULL; one read or write of the end (blocking as read/write do, unless
 * nonblock: SPLICE_F_NONBLOCK); and tee's read that leaves the data in
 * the pipe. A count, 0 at EOF, or -errno. */
struct pipe *pipe_of(struct file *f);
ssize_t pipe_splice_read(struct file *f, void *buf, size_t len, bool nonblock);
ssize_t pipe_splice_write(struct file *f, const void *buf, size_t len, bool nonblock);
ssize_t pipe_peek(struct file *f, void *buf, size_t len, bool nonblock);
