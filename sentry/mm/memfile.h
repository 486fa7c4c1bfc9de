/* sentry/mm/memfile.h: the memory file, guest "physical" memory.
 *
 * One memfd per sandbox, mapped once into the sentry so that reading and
 * writing guest memory is a memcpy. Pages are handed out by a refcounting
 * allocator (copy-on-write after fork shares them). Offsets are byte
 * offsets into the memfd, always page aligned. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* <sys/user.h> defines the same three with the same values. */
#ifndef PAGE_SIZE
#define PAGE_SIZE 4096UL
#endif
#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12
#endif
#ifndef PAGE_MASK
#define PAGE_MASK (~(PAGE_SIZE - 1))
#endif
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGN_DOWN(x) ((x) & PAGE_MASK)

/* Create the memory file with room for limit bytes of guest memory. */
int memfile_init(uint64_t limit);
int memfile_fd(void);
/* The sentry's view of the page at offset off. */
void *memfile_ptr(uint64_t off);

/* Allocate up to want zeroed pages, contiguous in the file; at least 1.
 * Returns the offset and sets *got, or -ENOMEM. */
int64_t memfile_alloc(size_t want, size_t *got);
/* About to write all of the n pages at off from the sentry (a fill): have
 * the host allocate them in one call rather than a fault each. */
void memfile_prepare(uint64_t off, size_t n);
/* Fill len bytes of the memory file at off from fd at pos, in the kernel
 * (sendfile: no first-touch faults of the sentry's view, about 2 us a
 * page here instead of 9 for pread into it). The bytes copied (short at
 * the end of the file), or -errno (the caller falls back to pread). */
int64_t memfile_fill_from(int fd, uint64_t pos, uint64_t off, size_t len);
/* Write len bytes from buf at off through the file, not the sentry's view:
 * a page the sentry will not read itself costs it no fault. 0 or -errno. */
int memfile_pwrite(uint64_t off, const void *buf, size_t len);
/* Refcounts of single pages. unref frees the page at zero. */
void memfile_ref(uint64_t off);
void memfile_unref(uint64_t off);
uint32_t memfile_refcount(uint64_t off);

/* Whether the host holds the page in memory (it was touched). */
bool memfile_resident(uint64_t off);

/* Accounting, in pages. */
uint64_t memfile_used_pages(void);
uint64_t memfile_limit_pages(void);
