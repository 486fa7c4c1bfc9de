/* sentry/mm/usercopy.h: the only way the sentry touches guest memory.
 *
 * Every guest pointer is checked against the VMAs and their protections;
 * missing pages are populated; copy-on-write pages are broken on write.
 * A bad pointer gives -EFAULT, never a sentry crash. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mm;

int copy_in(struct mm *mm, void *dst, uint64_t src, size_t len);
int copy_out(struct mm *mm, uint64_t dst, const void *src, size_t len);
/* Zero len bytes of guest memory. */
int clear_user(struct mm *mm, uint64_t dst, size_t len);
/* Copy a NUL-terminated string of at most max-1 bytes into buf (always
 * terminated). Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL
 * is found within max bytes (like Linux's getname with PATH_MAX). */
ssize_t copy_string_in(struct mm *mm, char *buf, uint64_t src, size_t max);

/* A guest iovec array, copied in and checked: at most IOV_MAX entries,
 * total length clamped to MAX_RW_COUNT like Linux. */
struct uiovec {
	uint64_t base;
	uint64_t len;
};
#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000L
/* Returns the total length or -EFAULT/-EINVAL. */
ssize_t iovec_import(struct mm *mm, uint64_t uiov, uint64_t iovcnt,
		     struct uiovec *out);

/* A pointer to the aligned 32-bit guest word at uaddr in the memory file,
 * for atomic operations (futexes). The page is held: release it with
 * memfile_unref(*page). 0, -EINVAL (unaligned) or -EFAULT. */
int user_u32_ptr(struct mm *mm, uint64_t uaddr, bool write, uint32_t **p, uint64_t *page);
