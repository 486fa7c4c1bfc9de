/* fs/vfs/splice.h: moving data between two open files inside the sentry
 * (sendfile, splice, tee, copy_file_range). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct file;

#define SPLICE_COPY_ONE_CHUNK	0x1	/* stop after one chunk (splice) */
#define SPLICE_COPY_NONBLOCK	0x2	/* pipes never wait (SPLICE_F_NONBLOCK) */

/* Move up to len bytes from in at *ipos to out at *opos (positions of
 * files, or per-call counters of streams as fs/vfs/file.h says), through
 * a sentry buffer, 64 KiB at a time, until len, the end of in, or a short
 * write. Data read from a pipe is consumed only once written (peek, write,
 * then consume), from a file the position moves only by what was
 * written. The bytes moved, or -errno when none. */
ssize_t vfs_splice_copy(struct file *in, int64_t *ipos, struct file *out, int64_t *opos,
			size_t len, unsigned flags);
/* tee: copy up to len bytes of pipe in to pipe out, leaving them in in. */
ssize_t vfs_tee(struct file *in, struct file *out, size_t len, bool nonblock);
