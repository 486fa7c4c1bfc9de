/* sentry/kernel/futex.c: futexes. A futex is keyed by what the address
 * means: (mm, address) for private futexes and private memory, (shared
 * object, offset) for MAP_SHARED memory, so processes sharing a mapping
 * share its futexes. Waiters queue on one list under kernel.lock and
 * sleep with task_block(), so signals interrupt them. Reads and atomic
 * updates of the futex word go straight to the memory file. */
#include "sentry/kernel/futex.h"
#include "sentry/kernel/errno_restart.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <linux/futex.h>
#include <string.h>

struct futex_key {
	const void *obj;
	uint64_t off;
};

struct futex_waiter {
	struct futex_key key;
	uint32_t bitset;
	struct task *t;
	bool woken;
	bool pi;		/* waits in FUTEX_LOCK_PI (or requeued onto a PI futex) */
	bool handed;		/* pi: FUTEX_UNLOCK_PI or CMP_REQUEUE_PI made us the owner */
	bool requeue_pi;	/* waits in FUTEX_WAIT_REQUEUE_PI, not requeued yet */
	struct futex_key target;	/* requeue_pi: the PI futex it may move to */
	struct futex_waiter *next;
};

/* Under kernel.lock. */
static struct futex_waiter *waiters;

static int futex_key(struct task *t, uint64_t uaddr, bool private, struct futex_key *k)
{
	if (uaddr & 3)
		return -EINVAL;
	struct mm *mm = t->mm;
	k->obj = mm;
	k->off = uaddr;
	if (private)
		return 0;
	pthread_mutex_lock(&mm->lock);
	struct vma *v = mm_find_vma(mm, uaddr);
	int r = 0;
	if (!v)
		r = -EFAULT;
	else if (v->flags & VMA_SHARED) {
		k->obj = v->obj;
		k->off = v->obj_off + (uaddr - v->start);
	}
	pthread_mutex_unlock(&mm->lock);
	return r;
}

/* The keys of the two words of a requeue or WAKE_OP. */
static int futex_keys(struct task *t, uint64_t uaddr, uint64_t uaddr2, bool private,
		      struct futex_key *k1, struct futex_key *k2)
{
	int r = futex_key(t, uaddr, private, k1);
	return r < 0 ? r : futex_key(t, uaddr2, private, k2);
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->obj == b->obj && a->off == b->off;
}

static void enqueue(struct futex_waiter *w)
{
	w->next = NULL;
	struct futex_waiter **p = &waiters;
	while (*p)
		p = &(*p)->next;	/* FIFO, like Linux's plist at equal priority */
	*p = w;
}

static void dequeue(struct futex_waiter *w)
{
	for (struct futex_waiter **p = &waiters; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			return;
		}
	}
}

/* Wakes up to n waiters of k; -EINVAL at a FUTEX_WAIT_REQUEUE_PI waiter,
 * which only FUTEX_CMP_REQUEUE_PI may wake (as Linux). */
static int wake_locked(const struct futex_key *k, int n, uint32_t bitset)
{
	int woken = 0;
	for (struct futex_waiter **p = &waiters; *p && woken < n;) {
		struct futex_waiter *w = *p;
		if (key_eq(&w->key, k) && w->requeue_pi)
			return -EINVAL;
		if (key_eq(&w->key, k) && (w->bitset & bitset)) {
			*p = w->next;
			w->woken = true;
			pthread_cond_broadcast(&w->t->wake);
			woken++;
		} else {
			p = &w->next;
		}
	}
	return woken;
}

/* The futex word at uaddr in the memory file (a page reference the caller
 * drops with memfile_unref): 0, -EINVAL (misaligned) or -EFAULT. */
static int futex_word(struct task *t, uint64_t uaddr, bool write, uint32_t **p, uint64_t *page)
{
	int r = user_u32_ptr(t->mm, uaddr, write, p, page);
	return r < 0 ? (r == -EINVAL ? -EINVAL : -EFAULT) : 0;
}

static int read_word(struct task *t, uint64_t uaddr, uint32_t *val)
{
	uint32_t *p;
	uint64_t page;
	int r = futex_word(t, uaddr, false, &p, &page);
	if (r < 0)
		return r;
	*val = __atomic_load_n(p, __ATOMIC_SEQ_CST);
	memfile_unref(page);
	return 0;
}

/* Under kernel.lock: 0 if the word at uaddr holds val, else -EAGAIN
 * (or -EFAULT/-EINVAL). */
static int word_is(struct task *t, uint64_t uaddr, uint32_t val)
{
	uint32_t cur;
	int r = read_word(t, uaddr, &cur);
	return r < 0 ? r : cur == val ? 0 : -EAGAIN;
}

/* Queue w if the word at uaddr still holds val: 0 with kernel.lock held,
 * or the error with it released. */
static int enqueue_if(struct task *t, uint64_t uaddr, uint32_t val, struct futex_waiter *w)
{
	pthread_mutex_lock(&kernel.lock);
	int r = word_is(t, uaddr, val);
	if (r < 0) {
		pthread_mutex_unlock(&kernel.lock);
		return r;
	}
	enqueue(w);
	return 0;
}

static int futex_wait(struct task *t, uint64_t uaddr, bool private, uint32_t val,
		      const struct timespec *deadline, uint32_t bitset)
{
	if (!bitset)
		return -EINVAL;
	struct futex_waiter w = { .bitset = bitset, .t = t };
	int r = futex_key(t, uaddr, private, &w.key);
	if (r < 0)
		return r;
	r = enqueue_if(t, uaddr, val, &w);
	if (r < 0)
		return r;
	for (;;) {
		int b = task_block(t, deadline);
		if (w.woken) {
			r = 0;
			break;
		}
		if (b == -ERESTARTSYS || b == -ETIMEDOUT) {
			dequeue(&w);
			r = b;
			break;
		}
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

/* --- priority-inheritance futexes -------------------------------------------
 * The word holds the owner's tid, FUTEX_WAITERS while someone waits in
 * the kernel, FUTEX_OWNER_DIED after a robust owner died. LOCK_PI takes a
 * free word or queues (FIFO); UNLOCK_PI hands the lock to the first
 * waiter, writing its tid. No priority boosting: every task has the same
 * priority in the sandbox. */

static bool pi_waiters_locked(const struct futex_key *k, const struct futex_waiter *except)
{
	for (struct futex_waiter *w = waiters; w; w = w->next)
		if (w != except && w->pi && key_eq(&w->key, k))
			return true;
	return false;
}

static int futex_lock_pi(struct task *t, uint64_t uaddr, bool private,
			 const struct timespec *deadline, bool trylock)
{
	struct futex_waiter w = { .bitset = FUTEX_BITSET_MATCH_ANY, .t = t, .pi = true };
	int r = futex_key(t, uaddr, private, &w.key);
	if (r < 0)
		return r;
	pthread_mutex_lock(&kernel.lock);
	for (;;) {
		uint32_t *p;
		uint64_t page;
		r = futex_word(t, uaddr, true, &p, &page);
		if (r < 0)
			break;
		uint32_t cur = __atomic_load_n(p, __ATOMIC_SEQ_CST);
		uint32_t owner = cur & FUTEX_TID_MASK;
		if (owner == 0) {
			/* Free (perhaps after its owner died): ours. */
			uint32_t nv = (uint32_t)t->tid | (cur & FUTEX_OWNER_DIED) |
				      (pi_waiters_locked(&w.key, NULL) ? FUTEX_WAITERS : 0);
			bool ok = __atomic_compare_exchange_n(p, &cur, nv, false, __ATOMIC_SEQ_CST,
							      __ATOMIC_SEQ_CST);
			memfile_unref(page);
			if (ok) {
				r = 0;
				break;
			}
			continue;
		}
		if (owner == (uint32_t)t->tid) {
			memfile_unref(page);
			r = -EDEADLK;
			break;
		}
		struct task *o = task_lookup((int)owner);
		if (!o || o->zombie || o->thread_dead) {
			memfile_unref(page);
			r = -ESRCH;	/* an owner that does not exist */
			break;
		}
		if (trylock) {
			memfile_unref(page);
			r = -EAGAIN;
			break;
		}
		if (!(cur & FUTEX_WAITERS) &&
		    !__atomic_compare_exchange_n(p, &cur, cur | FUTEX_WAITERS, false,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			memfile_unref(page);
			continue;	/* the word changed: look again */
		}
		memfile_unref(page);
		w.woken = w.handed = false;
		enqueue(&w);
		int b = 0;
		while (!w.woken && !w.handed && b != -ERESTARTSYS && b != -ETIMEDOUT)
			b = task_block(t, deadline);
		if (w.handed) {
			r = 0;
			break;
		}
		if (!w.woken)
			dequeue(&w);
		if (b == -ETIMEDOUT) {
			r = -ETIMEDOUT;
			break;
		}
		if (b == -ERESTARTSYS) {
			r = -ERESTARTNOINTR;
			break;
		}
		/* A plain wake (the owner died, robust): look again. */
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

static int futex_unlock_pi(struct task *t, uint64_t uaddr, bool private)
{
	struct futex_key k;
	int r = futex_key(t, uaddr, private, &k);
	if (r < 0)
		return r;
	pthread_mutex_lock(&kernel.lock);
	for (;;) {
		uint32_t *p;
		uint64_t page;
		r = futex_word(t, uaddr, true, &p, &page);
		if (r < 0)
			break;
		uint32_t cur = __atomic_load_n(p, __ATOMIC_SEQ_CST);
		if ((cur & FUTEX_TID_MASK) != (uint32_t)t->tid) {
			memfile_unref(page);
			r = -EPERM;
			break;
		}
		struct futex_waiter *next = NULL;
		for (struct futex_waiter *w = waiters; w && !next; w = w->next)
			if (w->pi && key_eq(&w->key, &k))
				next = w;
		uint32_t nv = next ? ((uint32_t)next->t->tid | FUTEX_WAITERS) : 0;
		bool ok = __atomic_compare_exchange_n(p, &cur, nv, false, __ATOMIC_SEQ_CST,
						      __ATOMIC_SEQ_CST);
		memfile_unref(page);
		if (!ok)
			continue;
		if (next) {
			dequeue(next);
			next->handed = true;
			pthread_cond_broadcast(&next->t->wake);
		}
		r = 0;
		break;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

/* --- requeue-PI ---------------------------------------------------------------
 * A condition variable over a PI mutex: FUTEX_WAIT_REQUEUE_PI waits on
 * the condition's word; FUTEX_CMP_REQUEUE_PI takes the mutex for the
 * first waiter when it is free (waking it as the owner) and moves the
 * others onto the mutex as PI waiters, where FUTEX_UNLOCK_PI hands it on.
 * Only CMP_REQUEUE_PI may wake such a waiter: FUTEX_WAKE and the plain
 * requeues give EINVAL when they meet one (Linux's rules). */

/* Under kernel.lock: take the PI futex at uaddr2 for w's task if it is
 * free. 1 taken, 0 held by a live owner (FUTEX_WAITERS set on it), or an
 * error. */
static int requeue_pi_trylock(struct task *t, uint64_t uaddr2, struct futex_waiter *w)
{
	for (;;) {
		uint32_t *p;
		uint64_t page;
		int r = futex_word(t, uaddr2, true, &p, &page);
		if (r < 0)
			return r;
		uint32_t cur = __atomic_load_n(p, __ATOMIC_SEQ_CST);
		uint32_t owner = cur & FUTEX_TID_MASK, nv;
		if (owner == 0) {
			nv = (uint32_t)w->t->tid | (cur & FUTEX_OWNER_DIED) | FUTEX_WAITERS;
		} else if (owner == (uint32_t)w->t->tid) {
			memfile_unref(page);
			return -EDEADLK;
		} else {
			struct task *o = task_lookup((int)owner);
			if (!o || o->zombie || o->thread_dead) {
				memfile_unref(page);
				return -ESRCH;
			}
			nv = cur | FUTEX_WAITERS;
		}
		bool ok = cur == nv || __atomic_compare_exchange_n(p, &cur, nv, false, __ATOMIC_SEQ_CST,
								    __ATOMIC_SEQ_CST);
		memfile_unref(page);
		if (ok)
			return owner == 0;
	}
}

static int64_t futex_cmp_requeue_pi(struct task *t, uint64_t uaddr, bool private, int nwake,
				    int nrequeue, uint64_t uaddr2, uint32_t cmpval)
{
	struct futex_key k1, k2;
	int r = futex_keys(t, uaddr, uaddr2, private, &k1, &k2);
	if (r < 0)
		return r;
	if (nwake != 1 || nrequeue < 0 || key_eq(&k1, &k2))
		return -EINVAL;
	pthread_mutex_lock(&kernel.lock);
	r = word_is(t, uaddr, cmpval);
	int done = 0;
	for (struct futex_waiter *w = waiters, *next; r == 0 && w; w = next) {
		next = w->next;
		if (!key_eq(&w->key, &k1))
			continue;
		if (!w->requeue_pi || !key_eq(&w->target, &k2)) {
			r = -EINVAL;
			break;
		}
		if (done - 1 >= nrequeue)
			break;
		int got = requeue_pi_trylock(t, uaddr2, w);
		if (got < 0) {
			r = got;
			break;
		}
		w->requeue_pi = false;
		w->pi = true;
		if (got) {
			dequeue(w);
			w->handed = true;
			pthread_cond_broadcast(&w->t->wake);
		} else {
			w->key = k2;	/* stays in place: FIFO among the waiters */
		}
		done++;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r < 0 ? r : done;
}

static int futex_wait_requeue_pi(struct task *t, uint64_t uaddr, bool private, uint32_t val,
				 const struct timespec *deadline, uint64_t uaddr2)
{
	struct futex_waiter w = { .bitset = FUTEX_BITSET_MATCH_ANY, .t = t, .requeue_pi = true };
	int r = futex_keys(t, uaddr, uaddr2, private, &w.key, &w.target);
	if (r < 0)
		return r;
	if (key_eq(&w.key, &w.target))
		return -EINVAL;
	r = enqueue_if(t, uaddr, val, &w);
	if (r < 0)
		return r;
	bool relock = false;
	for (;;) {
		int b = task_block(t, deadline);
		if (w.handed) {
			r = 0;
			break;
		}
		if (w.woken) {
			/* Requeued, then a plain wake: the owner died (robust).
			 * Contend for the mutex like FUTEX_LOCK_PI. */
			relock = true;
			break;
		}
		if (b == -ETIMEDOUT || b == -ERESTARTSYS) {
			bool requeued = w.pi;
			dequeue(&w);
			/* Before the requeue a signal restarts the wait; after
			 * it the condition has moved on (Linux: EWOULDBLOCK). */
			r = b == -ETIMEDOUT ? -ETIMEDOUT : requeued ? -EAGAIN : -ERESTARTNOINTR;
			break;
		}
	}
	pthread_mutex_unlock(&kernel.lock);
	if (relock) {
		r = futex_lock_pi(t, uaddr2, private, deadline, false);
		if (r == -ERESTARTNOINTR)
			r = -EAGAIN;
	}
	return r;
}

/* FUTEX_WAKE_OP's operation on the word at uaddr2; returns the old value
 * in *old. */
static int wake_op_update(struct task *t, uint64_t uaddr2, uint32_t encoded, uint32_t *old)
{
	int op = (encoded >> 28) & 7;
	uint32_t oparg = (encoded >> 12) & 0xfff;
	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28))
		oparg = oparg >= 32 ? 0 : 1U << oparg;
	uint32_t *p;
	uint64_t page;
	int r = futex_word(t, uaddr2, true, &p, &page);
	if (r < 0)
		return r;
	switch (op) {
	case FUTEX_OP_SET: *old = __atomic_exchange_n(p, oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_ADD: *old = __atomic_fetch_add(p, oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_OR: *old = __atomic_fetch_or(p, oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_ANDN: *old = __atomic_fetch_and(p, ~oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_XOR: *old = __atomic_fetch_xor(p, oparg, __ATOMIC_SEQ_CST); break;
	default: r = -ENOSYS;
	}
	memfile_unref(page);
	return r;
}

static int wake_op_cmp(uint32_t encoded, uint32_t old)
{
	int cmp = (encoded >> 24) & 15;
	int32_t arg = (int32_t)(encoded << 20) >> 20;	/* sign-extended 12 bits */
	int32_t o = (int32_t)old;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: return o == arg;
	case FUTEX_OP_CMP_NE: return o != arg;
	case FUTEX_OP_CMP_LT: return o < arg;
	case FUTEX_OP_CMP_LE: return o <= arg;
	case FUTEX_OP_CMP_GT: return o > arg;
	case FUTEX_OP_CMP_GE: return o >= arg;
	default: return -ENOSYS;
	}
}

static int64_t futex_requeue(struct task *t, uint64_t uaddr, bool private, int nwake,
			     int nrequeue, uint64_t uaddr2, const uint32_t *cmpval)
{
	struct futex_key k1, k2;
	int r = futex_keys(t, uaddr, uaddr2, private, &k1, &k2);
	if (r < 0)
		return r;
	if (nwake < 0 || nrequeue < 0)
		return -EINVAL;
	pthread_mutex_lock(&kernel.lock);
	if (cmpval && (r = word_is(t, uaddr, *cmpval)) < 0) {
		pthread_mutex_unlock(&kernel.lock);
		return r;
	}
	int done = wake_locked(&k1, nwake, FUTEX_BITSET_MATCH_ANY);
	if (done < 0) {
		pthread_mutex_unlock(&kernel.lock);
		return done;
	}
	for (struct futex_waiter *w = waiters; w && nrequeue > 0; w = w->next) {
		if (key_eq(&w->key, &k1) && w->requeue_pi) {
			pthread_mutex_unlock(&kernel.lock);
			return -EINVAL;
		}
		if (key_eq(&w->key, &k1)) {
			w->key = k2;
			nrequeue--;
			done++;
		}
	}
	pthread_mutex_unlock(&kernel.lock);
	return done;
}

/* A CLOCK_MONOTONIC deadline from the syscall's timeout. */
static void to_deadline(const struct timespec *ts, bool absolute, bool realtime,
			struct timespec *out)
{
	struct timespec now;
	if (absolute && !realtime) {
		*out = *ts;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, out);
	int64_t sec = ts->tv_sec, nsec = ts->tv_nsec;
	if (absolute) {
		clock_gettime(CLOCK_REALTIME, &now);
		sec -= now.tv_sec;
		nsec -= now.tv_nsec;
	}
	out->tv_sec += sec;
	out->tv_nsec += nsec;
	while (out->tv_nsec < 0) {
		out->tv_nsec += 1000000000;
		out->tv_sec--;
	}
	while (out->tv_nsec >= 1000000000) {
		out->tv_nsec -= 1000000000;
		out->tv_sec++;
	}
}

int64_t futex_op(struct task *t, uint64_t uaddr, int op, uint32_t val,
		 const struct timespec *timeout, uint64_t val2, uint64_t uaddr2, uint32_t val3)
{
	bool private = op & FUTEX_PRIVATE_FLAG;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	int cmd = op & FUTEX_CMD_MASK;
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_LOCK_PI2 && cmd != FUTEX_WAIT_REQUEUE_PI)
		return -ENOSYS;
	struct timespec deadline, *dl = NULL;
	if (timeout && (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET ||
			cmd == FUTEX_WAIT_REQUEUE_PI)) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000)
			return -EINVAL;
		to_deadline(timeout, cmd != FUTEX_WAIT, realtime, &deadline);
		dl = &deadline;
	}
	/* LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on
	 * CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME. */
	if (timeout && (cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2)) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000)
			return -EINVAL;
		to_deadline(timeout, true, cmd == FUTEX_LOCK_PI || realtime, &deadline);
		dl = &deadline;
	}
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(t, uaddr, private, val, dl, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, uaddr, private, val, dl, val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
		if (!bitset)
			return -EINVAL;
		struct futex_key k;
		int r = futex_key(t, uaddr, private, &k);
		if (r < 0)
			return r;
		pthread_mutex_lock(&kernel.lock);
		r = wake_locked(&k, (int)val, bitset);
		pthread_mutex_unlock(&kernel.lock);
		return r;
	}
	case FUTEX_REQUEUE:
		return futex_requeue(t, uaddr, private, (int)val, (int)val2, uaddr2, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, uaddr, private, (int)val, (int)val2, uaddr2, &val3);
	case FUTEX_WAKE_OP: {
		struct futex_key k1, k2;
		int r = futex_keys(t, uaddr, uaddr2, private, &k1, &k2);
		if (r < 0)
			return r;
		pthread_mutex_lock(&kernel.lock);
		uint32_t old;
		r = wake_op_update(t, uaddr2, val3, &old);
		if (r == 0) {
			int cmp = wake_op_cmp(val3, old);
			if (cmp < 0) {
				r = cmp;
			} else {
				r = wake_locked(&k1, (int)val, FUTEX_BITSET_MATCH_ANY);
				if (r >= 0 && cmp) {
					int r2 = wake_locked(&k2, (int)val2, FUTEX_BITSET_MATCH_ANY);
					r = r2 < 0 ? r2 : r + r2;
				}
			}
		}
		pthread_mutex_unlock(&kernel.lock);
		return r;
	}
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return futex_lock_pi(t, uaddr, private, dl, false);
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(t, uaddr, private, NULL, true);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(t, uaddr, private);
	case FUTEX_WAIT_REQUEUE_PI:
		return futex_wait_requeue_pi(t, uaddr, private, val, dl, uaddr2);
	case FUTEX_CMP_REQUEUE_PI:
		return futex_cmp_requeue_pi(t, uaddr, private, (int)val, (int)val2, uaddr2, val3);
	default:
		return -ENOSYS;
	}
}

int futex_wake_addr(struct task *t, uint64_t uaddr, int n)
{
	struct futex_key k;
	int r = futex_key(t, uaddr, false, &k);
	if (r < 0)
		return r;
	pthread_mutex_lock(&kernel.lock);
	r = wake_locked(&k, n, FUTEX_BITSET_MATCH_ANY);
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

#define ROBUST_LIST_LIMIT 2048

/* Mark a robust futex owned by the dying thread as owner-died. */
static void robust_release(struct task *t, uint64_t uaddr)
{
	uint32_t *p;
	uint64_t page;
	if (user_u32_ptr(t->mm, uaddr, true, &p, &page) < 0)
		return;
	uint32_t old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
	bool wake = false;
	while ((old & FUTEX_TID_MASK) == (uint32_t)t->tid) {
		uint32_t nv = (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (__atomic_compare_exchange_n(p, &old, nv, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST)) {
			wake = old & FUTEX_WAITERS;
			break;
		}
	}
	memfile_unref(page);
	if (wake)
		futex_wake_addr(t, uaddr, 1);
}

void futex_exit(struct task *t)
{
	if (!t->mm)
		return;
	if (t->robust_list) {
		struct robust_list_head head;
		if (copy_in(t->mm, &head, t->robust_list, sizeof(head)) == 0) {
			/* Bit 0 of an entry pointer marks a PI futex
			 * (Linux's fetch_robust_entry); the address is the rest. */
			uint64_t pending = (uint64_t)head.list_op_pending & ~1ULL;
			uint64_t entry = (uint64_t)head.list.next & ~1ULL;
			for (int i = 0; i < ROBUST_LIST_LIMIT && entry && entry != t->robust_list; i++) {
				uint64_t next;
				if (copy_in(t->mm, &next, entry, sizeof(next)) < 0)
					break;
				if (entry != pending)
					robust_release(t, entry + (uint64_t)head.futex_offset);
				entry = next & ~1ULL;
			}
			if (pending)
				robust_release(t, pending + (uint64_t)head.futex_offset);
		}
	}
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (copy_out(t->mm, t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake_addr(t, t->clear_child_tid, 1);
	}
}
