/* sentry/mm/userpin.h: guest buffers resolved to memory-file pages, for
 * I/O straight into or out of guest memory (read/write of regular files
 * without a bounce buffer).
 *
 * user_pin checks a prefix of the range exactly as the user copies do
 * (VMAs, protections, reserved ranges; copy-on-write broken and pages
 * made present for a pin that the sentry will write) and takes a
 * memory-file reference on each page, so that a concurrent munmap cannot
 * free a page still being filled. The caller then does I/O on the
 * sentry's view of the pages (user_pin_ptr) with mm->lock not held.
 *
 * user_unpin drops the references. For a pin the sentry wrote into, it
 * first checks, under mm->lock, that each written page is still the one
 * the address maps to: another thread's copy-on-write fault (our
 * reference makes the page look shared) or a fork followed by a write
 * may have swapped the page while it was being filled, and the bytes
 * written are then copied into the page mapped now. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm;

#define USER_PIN_PAGES 256	/* at most 1 MiB per pin */

struct user_pin {
	uint64_t addr;		/* guest address of the first byte */
	size_t len;		/* bytes pinned from addr */
	size_t npages;
	bool write;		/* the sentry writes into the pages */
	uint64_t pages[USER_PIN_PAGES];	/* memory-file offsets */
};

/* Pin up to len bytes at uaddr (at most USER_PIN_PAGES pages): the longest
 * accessible prefix. 0 with p->len > 0, or -EFAULT/-ENOMEM when the first
 * page cannot be pinned (nothing held then). */
int user_pin(struct mm *mm, uint64_t uaddr, size_t len, bool write, struct user_pin *p);

/* The number of bytes from byte at (relative to p->addr) that are
 * contiguous in the sentry's view, and their address there. */
size_t user_pin_run(const struct user_pin *p, size_t at, char **ptr);

/* Release p; for a write pin, first carry the first done bytes over to
 * pages that replaced the pinned ones (see above). */
void user_unpin(struct mm *mm, struct user_pin *p, size_t done);
