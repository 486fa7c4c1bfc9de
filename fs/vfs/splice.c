/* fs/vfs/splice.c: data moved between open files by the sentry (see
 * splice.h). */
#include "fs/vfs/splice.h"
#include "fs/pipefs/pipe.h"
#include "fs/vfs/file.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#define SPLICE_CHUNK 65536

static bool readable_kind(struct file *f)
{
	return f->ops && f->ops->read && !(f->inode && S_ISDIR(f->inode->mode));
}

ssize_t vfs_splice_copy(struct file *in, int64_t *ipos, struct file *out, int64_t *opos,
			size_t len, unsigned flags)
{
	if (!readable_kind(in) || !out->ops || !out->ops->write ||
	    (out->inode && S_ISDIR(out->inode->mode)))
		return -EINVAL;
	bool inpipe = pipe_of(in) != NULL, outpipe = pipe_of(out) != NULL;
	bool nonblock = flags & SPLICE_COPY_NONBLOCK;
	size_t bufsz = len < SPLICE_CHUNK ? len : SPLICE_CHUNK;
	char *buf = bufsz ? malloc(bufsz) : NULL;
	if (bufsz && !buf)
		return -ENOMEM;
	ssize_t moved = 0, r = 0;
	while (len > 0) {
		size_t n = len < SPLICE_CHUNK ? len : SPLICE_CHUNK;
		int64_t rpos = *ipos;
		if (inpipe)	/* only the first chunk may wait */
			r = pipe_peek(in, buf, n, nonblock || moved > 0);
		else
			r = in->ops->read(in, buf, n, &rpos);
		if (r <= 0)
			break;
		ssize_t w = outpipe ? pipe_splice_write(out, buf, (size_t)r, nonblock)
				    : out->ops->write(out, buf, (size_t)r, opos);
		if (w <= 0) {
			r = w;
			break;
		}
		if (inpipe)
			pipe_splice_read(in, buf, (size_t)w, true);	/* consume */
		else
			*ipos += w;
		moved += w;
		len -= (size_t)w;
		if (w < r || (size_t)r < n || (flags & SPLICE_COPY_ONE_CHUNK))
			break;
	}
	free(buf);
	return moved ? moved : r;
}

ssize_t vfs_tee(struct file *in, struct file *out, size_t len, bool nonblock)
{
	size_t n = len < SPLICE_CHUNK ? len : SPLICE_CHUNK;
	if (!n)
		return 0;
	char *buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	ssize_t r = pipe_peek(in, buf, n, nonblock);
	if (r > 0)
		r = pipe_splice_write(out, buf, (size_t)r, nonblock);
	free(buf);
	return r;
}
