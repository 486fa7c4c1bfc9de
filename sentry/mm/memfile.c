/* sentry/mm/memfile.c: the memory file and its page allocator.
 *
 * The memfd is sized to the limit once and mapped once, MAP_NORESERVE, so
 * untouched pages cost nothing. Allocation hands out runs of contiguous
 * pages: first from a list of free extents (first fit), then from a bump
 * pointer over never-used pages. Freed pages are zeroed when reused; large
 * freed runs are given back to the host with FALLOC_FL_PUNCH_HOLE, which
 * also zeroes them. Per-page refcounts live in a lazily touched array. */
#include "sentry/mm/memfile.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

struct extent {
	uint64_t page, npages;
	bool clean;		/* known zero (never used, or punched) */
};

static struct {
	pthread_mutex_t lock;
	int fd;
	uint8_t *base;
	uint64_t limit_pages;
	uint64_t bump;		/* first never-used page */
	uint64_t used;		/* pages with refcount > 0 */
	uint32_t *refs;		/* per page */
	struct extent *free;	/* sorted by page, coalesced */
	size_t nfree, capfree;
} mf = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

/* Runs at least this long are punched back to the host when freed. */
#define PUNCH_MIN_PAGES 16

int memfile_init(uint64_t limit)
{
	mf.limit_pages = limit / PAGE_SIZE;
	mf.fd = memfd_create("cvisor-memory", MFD_CLOEXEC);
	if (mf.fd < 0)
		return -errno;
	if (ftruncate(mf.fd, (off_t)(mf.limit_pages * PAGE_SIZE)) < 0)
		return -errno;
	mf.base = mmap(NULL, mf.limit_pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_NORESERVE, mf.fd, 0);
	if (mf.base == MAP_FAILED)
		return -errno;
	mf.refs = mmap(NULL, mf.limit_pages * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mf.refs == MAP_FAILED)
		return -errno;
	return 0;
}

int memfile_fd(void) { return mf.fd; }

void *memfile_ptr(uint64_t off)
{
	return mf.base + off;
}

uint64_t memfile_used_pages(void) { return __atomic_load_n(&mf.used, __ATOMIC_RELAXED); }
uint64_t memfile_limit_pages(void) { return mf.limit_pages; }

static void free_remove(size_t i)
{
	memmove(&mf.free[i], &mf.free[i + 1], (mf.nfree - i - 1) * sizeof(*mf.free));
	mf.nfree--;
}

/* Take up to want pages from the first free extent, or from the bump. */
static int64_t take_pages(size_t want, size_t *got, bool *clean)
{
	if (mf.nfree > 0) {
		struct extent *e = &mf.free[0];
		/* Prefer an extent big enough for the whole request. */
		for (size_t i = 0; i < mf.nfree; i++) {
			if (mf.free[i].npages >= want) {
				e = &mf.free[i];
				break;
			}
		}
		uint64_t page = e->page;
		size_t n = e->npages < want ? e->npages : want;
		*clean = e->clean;
		e->page += n;
		e->npages -= n;
		if (e->npages == 0)
			free_remove((size_t)(e - mf.free));
		*got = n;
		return (int64_t)page;
	}
	if (mf.bump >= mf.limit_pages)
		return -ENOMEM;
	size_t n = mf.limit_pages - mf.bump < want ? mf.limit_pages - mf.bump : want;
	uint64_t page = mf.bump;
	mf.bump += n;
	*clean = true;
	*got = n;
	return (int64_t)page;
}

int64_t memfile_alloc(size_t want, size_t *got)
{
	bool clean;
	if (want == 0)
		want = 1;
	pthread_mutex_lock(&mf.lock);
	int64_t page = take_pages(want, got, &clean);
	if (page >= 0) {
		for (size_t i = 0; i < *got; i++)
			mf.refs[page + i] = 1;
		mf.used += *got;
	}
	pthread_mutex_unlock(&mf.lock);
	if (page < 0)
		return page;
	if (!clean)
		memset(mf.base + (uint64_t)page * PAGE_SIZE, 0, *got * PAGE_SIZE);
	return page * (int64_t)PAGE_SIZE;
}

/* A first touch of a page the host has not allocated costs a fault that
 * allocates and zeroes it (~13 us on a virtual machine, where faults are
 * dear); MADV_POPULATE_WRITE does a run in one call (~1 us a page). Only
 * for pages the sentry writes at once: a page the guest has not touched
 * must not look resident to its mincore. */
#define PREPARE_MIN 4

void memfile_prepare(uint64_t off, size_t n)
{
	if (n >= PREPARE_MIN)
		madvise(mf.base + off, n * PAGE_SIZE, MADV_POPULATE_WRITE);
}

/* sendfile writes at the memfd's file position: one filler at a time
 * (nothing else of the sentry's uses that position). A failure part way
 * is a failure: the caller fills the whole run again its own way. */
static pthread_mutex_t fill_lock = PTHREAD_MUTEX_INITIALIZER;

int64_t memfile_fill_from(int fd, uint64_t pos, uint64_t off, size_t len)
{
	size_t done = 0;
	int64_t r = 0;
	pthread_mutex_lock(&fill_lock);
	if (lseek(mf.fd, (off_t)off, SEEK_SET) < 0)
		r = -errno;
	while (r == 0 && done < len) {
		off_t in = (off_t)(pos + done);
		ssize_t k = sendfile(mf.fd, fd, &in, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			r = -errno;
		else if (k == 0)
			break;	/* the end of the file */
		else
			done += (size_t)k;
	}
	pthread_mutex_unlock(&fill_lock);
	return r < 0 ? r : (int64_t)done;
}

int memfile_pwrite(uint64_t off, const void *buf, size_t len)
{
	const char *b = buf;
	while (len > 0) {
		ssize_t k = pwrite(mf.fd, b, len, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		b += k;
		off += (uint64_t)k;
		len -= (size_t)k;
	}
	return 0;
}

/* Insert [page, page+1) into the sorted free list, coalescing. */
static void free_insert(uint64_t page)
{
	size_t lo = 0, hi = mf.nfree;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (mf.free[mid].page < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo: first extent starting after page */
	if (lo > 0) {
		struct extent *p = &mf.free[lo - 1];
		if (p->page + p->npages == page) {
			p->npages++;
			p->clean = false;
			if (lo < mf.nfree && mf.free[lo].page == page + 1) {
				p->npages += mf.free[lo].npages;
				free_remove(lo);
			}
			return;
		}
	}
	if (lo < mf.nfree && mf.free[lo].page == page + 1) {
		mf.free[lo].page--;
		mf.free[lo].npages++;
		mf.free[lo].clean = false;
		return;
	}
	if (mf.nfree == mf.capfree) {
		size_t cap = mf.capfree ? mf.capfree * 2 : 256;
		struct extent *n = realloc(mf.free, cap * sizeof(*n));
		if (!n)
			panic("memfile: out of sentry memory for the free list");
		mf.free = n;
		mf.capfree = cap;
	}
	memmove(&mf.free[lo + 1], &mf.free[lo], (mf.nfree - lo) * sizeof(*mf.free));
	mf.free[lo] = (struct extent){ page, 1, false };
	mf.nfree++;
}

/* Give big dirty extents back to the host; they become clean. */
static void punch_dirty(void)
{
	for (size_t i = 0; i < mf.nfree; i++) {
		struct extent *e = &mf.free[i];
		if (e->clean || e->npages < PUNCH_MIN_PAGES)
			continue;
		if (fallocate(mf.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)(e->page * PAGE_SIZE),
			      (off_t)(e->npages * PAGE_SIZE)) == 0)
			e->clean = true;
	}
}

void memfile_ref(uint64_t off)
{
	__atomic_add_fetch(&mf.refs[off / PAGE_SIZE], 1, __ATOMIC_RELAXED);
}

static uint64_t frees_since_punch;

void memfile_unref(uint64_t off)
{
	uint64_t page = off / PAGE_SIZE;
	if (__atomic_sub_fetch(&mf.refs[page], 1, __ATOMIC_ACQ_REL) != 0)
		return;
	pthread_mutex_lock(&mf.lock);
	mf.used--;
	free_insert(page);
	if (++frees_since_punch >= 4096) {
		frees_since_punch = 0;
		punch_dirty();
	}
	pthread_mutex_unlock(&mf.lock);
}

uint32_t memfile_refcount(uint64_t off)
{
	return __atomic_load_n(&mf.refs[off / PAGE_SIZE], __ATOMIC_RELAXED);
}

bool memfile_resident(uint64_t off)
{
	unsigned char v = 0;
	if (mincore(mf.base + off, PAGE_SIZE, &v) < 0)
		return true;
	return v & 1;
}
