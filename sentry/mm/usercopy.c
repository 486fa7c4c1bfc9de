/* sentry/mm/usercopy.c: copy_in/copy_out/strings/iovecs (see usercopy.h).
 *
 * Each page of the range is looked up in the VMAs, checked against their
 * protections (x86: any mapping but PROT_NONE is readable), made present
 * (copy-on-write broken for writes) and copied with memcpy through the
 * sentry's mapping of the memory file. */
#include "sentry/mm/usercopy.h"
#include "sentry/mm/fault.h"
#include "sentry/mm/mm.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

enum uc_op { UC_IN, UC_OUT, UC_CLEAR };

static int user_copy(struct mm *mm, uint64_t uaddr, void *buf, size_t len, enum uc_op op)
{
	if (len == 0)
		return 0;
	if (uaddr + len < uaddr || uaddr + len > mm->max_addr)
		return -EFAULT;
	int ret = 0;
	char *b = buf;
	struct vma *v = NULL;
	pthread_mutex_lock(&mm->lock);
	while (len > 0) {
		if (!v || uaddr >= v->end || uaddr < v->start) {
			v = mm_find_vma(mm, uaddr);
			if (!v || v->prot == PROT_NONE ||
			    (op != UC_IN && !(v->prot & PROT_WRITE))) {
				ret = -EFAULT;
				break;
			}
		}
		int64_t off = mm_page_get(mm, v, uaddr, op != UC_IN);
		if (off < 0) {
			ret = off == -ENOMEM ? -ENOMEM : -EFAULT;
			break;
		}
		size_t in = uaddr & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
		char *page = (char *)memfile_ptr((uint64_t)off) + in;
		if (op == UC_IN)
			memcpy(b, page, n);
		else if (op == UC_OUT)
			memcpy(page, b, n);
		else
			memset(page, 0, n);
		if (b)
			b += n;
		uaddr += n;
		len -= n;
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}

int copy_in(struct mm *mm, void *dst, uint64_t src, size_t len)
{
	return user_copy(mm, src, dst, len, UC_IN);
}

int copy_out(struct mm *mm, uint64_t dst, const void *src, size_t len)
{
	return user_copy(mm, dst, (void *)src, len, UC_OUT);
}

int clear_user(struct mm *mm, uint64_t dst, size_t len)
{
	return user_copy(mm, dst, NULL, len, UC_CLEAR);
}

ssize_t copy_string_in(struct mm *mm, char *buf, uint64_t src, size_t max)
{
	size_t done = 0;
	if (max == 0)
		return -ENAMETOOLONG;
	while (done < max) {
		/* Never cross a page in one copy: the next page may be unmapped. */
		size_t chunk = PAGE_SIZE - ((src + done) & (PAGE_SIZE - 1));
		if (chunk > max - done)
			chunk = max - done;
		int r = copy_in(mm, buf + done, src + done, chunk);
		if (r < 0)
			return r;
		char *nul = memchr(buf + done, 0, chunk);
		if (nul)
			return nul - buf;
		done += chunk;
	}
	buf[max - 1] = 0;
	return -ENAMETOOLONG;
}

ssize_t iovec_import(struct mm *mm, uint64_t uiov, uint64_t iovcnt, struct uiovec *out)
{
	if (iovcnt > UIO_MAXIOV)
		return -EINVAL;
	if (iovcnt == 0)
		return 0;
	int r = copy_in(mm, out, uiov, iovcnt * sizeof(*out));
	if (r < 0)
		return r;
	uint64_t total = 0;
	for (uint64_t i = 0; i < iovcnt; i++) {
		if ((int64_t)out[i].len < 0)
			return -EINVAL;
		if (out[i].len > (uint64_t)MAX_RW_COUNT - total)
			out[i].len = (uint64_t)MAX_RW_COUNT - total;
		total += out[i].len;
	}
	return (ssize_t)total;
}

int user_u32_ptr(struct mm *mm, uint64_t uaddr, bool write, uint32_t **p, uint64_t *page)
{
	if (uaddr & 3)
		return -EINVAL;
	if (uaddr + 4 > mm->max_addr)
		return -EFAULT;
	int ret = 0;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = mm_find_vma(mm, uaddr);
	if (!v || v->prot == PROT_NONE || (write && !(v->prot & PROT_WRITE))) {
		ret = -EFAULT;
	} else {
		int64_t off = mm_page_get(mm, v, uaddr, write);
		if (off < 0) {
			ret = -EFAULT;
		} else {
			memfile_ref((uint64_t)off);
			*page = (uint64_t)off;
			*p = (uint32_t *)((char *)memfile_ptr((uint64_t)off) + (uaddr & (PAGE_SIZE - 1)));
		}
	}
	pthread_mutex_unlock(&mm->lock);
	return ret;
}
