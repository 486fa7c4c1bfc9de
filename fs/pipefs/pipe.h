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
#include <stdint.h>

struct file;
struct file_ops;

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
