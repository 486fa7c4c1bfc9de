/* fs/goferfs/walk.c: walking several components in one round trip
 * (WALKN, gofer/protocol.h): goferfs's walk_ahead op. When a walk misses
 * the dcache (or, on a -v export, would revalidate a cached name), the
 * rest of the path goes to the gofer at once: the cached prefix comes
 * back as attributes (revalidation: a name now another file is dropped
 * with everything below it), the uncached rest as new fids, instantiated
 * here as a chain of dentries, each marked confirmed for this walk. A
 * final symlink's target comes too, and a final regular file the caller
 * will read is opened in the same trip. An ENOENT is remembered for the
 * rest of the walk, so that the lookup that follows asks nobody.
 * goferfs_prefetch looks up several names of one directory at once
 * (the mount points at start-up).
 *
 * The reply is checked whole before anything is used; anything that is
 * not what was asked for is ignored (the walk then asks one component
 * at a time and sees the gofer's errors there). */
#include "fs/goferfs/goferfs.h"
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The last name a walk found absent, for the lookup that follows. */
static struct {
	pthread_mutex_t lock;
	struct inode *dir;	/* referenced */
	uint64_t seq;
	size_t len;
	char name[GOFER_NAME_MAX + 1];
} absent = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void absent_set(struct inode *dir, const char *name, size_t len)
{
	iget(dir);
	pthread_mutex_lock(&absent.lock);
	struct inode *old = absent.dir;
	absent.dir = dir;
	absent.seq = vfs_walk_seq();
	absent.len = len;
	memcpy(absent.name, name, len);
	pthread_mutex_unlock(&absent.lock);
	if (old)
		iput(old);
}

bool goferfs_walk_absent(struct inode *dir, const char *name, size_t len)
{
	pthread_mutex_lock(&absent.lock);
	bool r = absent.dir == dir && absent.seq == vfs_walk_seq() && absent.len == len &&
		 memcmp(absent.name, name, len) == 0;
	pthread_mutex_unlock(&absent.lock);
	return r;
}

struct comp {
	const char *s;
	size_t len;
};

static bool plain(const char *s, size_t len)
{
	return len > 0 && len <= GOFER_NAME_MAX && !(len == 1 && s[0] == '.') &&
	       !(len == 2 && s[0] == '.' && s[1] == '.');
}

/* Up to GOFER_WALKN_MAX plain components from the start of rest, and
 * whether the last of them ends the path (no trailing slash either). */
static size_t split(const char *rest, struct comp *c, bool *final)
{
	size_t n = 0;
	*final = false;
	for (const char *p = rest; n < GOFER_WALKN_MAX;) {
		size_t l = strcspn(p, "/");
		if (!plain(p, l))
			break;
		c[n++] = (struct comp){ p, l };
		const char *q = p + l;
		while (*q == '/')
			q++;
		if (!*q) {
			*final = !p[l];
			break;
		}
		p = q;
	}
	return n;
}

static uint64_t fid_of(struct inode *inode)
{
	return ((struct gofer_inode *)inode->priv)->fid;
}

/* Is the reply (m entries, extra bytes after them, fd) what a WALKN of
 * cnt names, attributes only below first, may answer? */
static bool reply_ok(const struct gofer_walk_ent *e, size_t m, size_t cnt, size_t first,
		     const char *extra, size_t nextra, bool open, int fd)
{
	if (m == 0 || m > cnt)
		return false;
	for (size_t j = 0; j < m; j++) {
		bool last = j + 1 == m;
		if (e[j].err > 0 || e[j].err <= -GOFER_ERRNO_LIMIT)
			return false;
		if (e[j].err < 0) {
			if (!last || e[j].fid)
				return false;
			continue;
		}
		if (!last && !S_ISDIR(e[j].st.mode))
			return false;
		if ((j < first) != (e[j].fid == 0))
			return false;
	}
	const struct gofer_walk_ent *l = &e[m - 1];
	/* The gofer stops early only at an error or a non-directory. */
	if (m < cnt && l->err == 0 && S_ISDIR(l->st.mode))
		return false;
	if (nextra && (l->err || !S_ISLNK(l->st.mode) || nextra >= PATH_MAX ||
		       memchr(extra, 0, nextra)))
		return false;
	if (fd >= 0 && (!open || m != cnt || l->err || !S_ISREG(l->st.mode)))
		return false;
	return true;
}

static void clunk_from(const struct gofer_walk_ent *e, size_t j, size_t m)
{
	for (; j < m; j++)
		if (e[j].fid)
			goferfs_clunk(e[j].fid);
}

void goferfs_walk_ahead(struct inode *dir, struct dentry *d, const char *rest, unsigned flags)
{
	struct comp c[GOFER_WALKN_MAX];
	bool final;
	size_t n = split(rest, c, &final);
	bool reval = goferfs_revalidates(dir->sb);
	/* The cached prefix: k dentries, held. A mount point ends what this
	 * file system can say; a cached non-directory ends the walk. */
	struct dentry *held[GOFER_WALKN_MAX];
	size_t k = 0;
	while (k < n) {
		struct dentry *x = d_lookup(k ? held[k - 1] : d, c[k].s, c[k].len);
		if (!x)
			break;
		if (x->mounted) {
			dput(x);
			n = k;
			final = false;
			break;
		}
		held[k++] = x;
		if (!S_ISDIR(x->inode->mode)) {
			if (k < n)
				final = false;
			n = k;
			break;
		}
	}
	/* Without revalidation the gofer walks on from the last cached
	 * directory; with it, from d, re-checking the cached names. */
	size_t start = reval ? 0 : k, cnt = n - start;
	struct dentry *base = start ? held[start - 1] : d;
	/* Names joined by '/', within one PATH_MAX. */
	char joined[PATH_MAX];
	size_t jl = 0, sent = 0;
	for (size_t i = start; i < n; i++, sent++) {
		if (jl + (sent ? 1 : 0) + c[i].len >= sizeof(joined))
			break;
		if (sent)
			joined[jl++] = '/';
		memcpy(joined + jl, c[i].s, c[i].len);
		jl += c[i].len;
	}
	joined[jl] = 0;
	if (sent < cnt)
		final = false;
	cnt = sent;
	size_t first = k > start ? k - start : 0;	/* attributes only below */
	if (first > cnt)
		first = cnt;
	/* Worth a round trip of its own: two or more names the walk would
	 * otherwise ask for one by one, or one and an open. */
	bool open = (flags & WALK_AHEAD_OPEN) && final && cnt;
	if (open && k == n && S_ISREG(held[k - 1]->inode->mode)) {
		struct inode *in = held[k - 1]->inode;	/* opened before? */
		pthread_mutex_lock(&in->lock);
		open = ((struct gofer_inode *)in->priv)->rofd < 0;
		pthread_mutex_unlock(&in->lock);
	}
	if (cnt == 0 || (cnt < 2 && !open)) {
		for (size_t i = 0; i < k; i++)
			dput(held[i]);
		return;
	}
	size_t max = GOFER_WALKN_MAX * sizeof(struct gofer_walk_ent) + PATH_MAX;
	char *data = malloc(max);
	if (!data) {
		for (size_t i = 0; i < k; i++)
			dput(held[i]);
		return;
	}
	struct gofer_req req = { .op = GOFER_WALKN, .fid = fid_of(base->inode),
				 .arg = (int64_t)first, .flags = open ? GOFER_WALK_OPEN : 0 };
	struct gofer_resp resp;
	int fd = -1;
	int r = gofer_call(&req, NULL, joined, &resp, data, max, &fd);
	const struct gofer_walk_ent *e = (const struct gofer_walk_ent *)data;
	size_t m = r == 0 && resp.arg >= 0 && resp.arg <= (int64_t)cnt ? (size_t)resp.arg : 0;
	size_t body = m * sizeof(*e);
	if (r < 0 || m == 0 || resp.datalen < body ||
	    !reply_ok(e, m, cnt, first, data + body, resp.datalen - body, open, fd)) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	/* The alignment of data (malloc's) suits the entries. */
	uint64_t seq = vfs_walk_seq();
	struct dentry *made[GOFER_WALKN_MAX];
	size_t nmade = 0;
	struct dentry *p = base;
	for (size_t j = 0; j < m; j++) {
		size_t i = start + j;
		if (e[j].err) {
			if (e[j].err == -ENOENT) {
				if (i < k)	/* a cached name gone */
					d_invalidate(held[i]);
				absent_set(p->inode, c[i].s, c[i].len);
			}
			break;
		}
		if (i < k) {
			struct inode *in = held[i]->inode;
			pthread_mutex_lock(&in->lock);
			bool same = in->ino == e[j].st.ino &&
				    (in->mode & S_IFMT) == (e[j].st.mode & S_IFMT);
			pthread_mutex_unlock(&in->lock);
			if (!same) {
				/* Another file now: the walk looks it up anew. */
				d_invalidate(held[i]);
				clunk_from(e, j + 1, m);
				break;
			}
			goferfs_set_attrs(in, &e[j].st);
			held[i]->walk_seq = seq;
			p = held[i];
			continue;
		}
		struct dentry *x = d_alloc(p, c[i].s, c[i].len);
		struct inode *in = x ? goferfs_inode(dir->sb, e[j].fid, &e[j].st) : NULL;
		if (!in) {
			if (x)
				dput(x);
			else
				goferfs_clunk(e[j].fid);
			clunk_from(e, j + 1, m);
			break;
		}
		struct gofer_inode *gi = in->priv;
		if (j + 1 == m && S_ISLNK(e[j].st.mode) && resp.datalen > body) {
			gi->link = strndup(data + body, resp.datalen - body);
			if (gi->link)
				in->size = (int64_t)(resp.datalen - body);
		}
		if (j + 1 == m && fd >= 0) {
			gi->rofd = fd;
			fd = -1;
		}
		d_instantiate(x, in);
		x->walk_seq = seq;
		made[nmade++] = x;
		p = x;
	}
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < nmade; i++)
		dput(made[i]);
out:
	free(data);
	for (size_t i = 0; i < k; i++)
		dput(held[i]);
}

void goferfs_prefetch(struct dentry *d, const char *const *names, size_t n)
{
	char joined[PATH_MAX];
	size_t jl = 0;
	if (n == 0 || n > GOFER_WALKN_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]);
		if (!plain(names[i], l) || memchr(names[i], '/', l) ||
		    jl + 1 + l >= sizeof(joined))
			return;
		if (i)
			joined[jl++] = '/';
		memcpy(joined + jl, names[i], l);
		jl += l;
	}
	joined[jl] = 0;
	struct gofer_walk_ent *e = malloc(GOFER_WALKN_MAX * sizeof(*e));
	if (!e)
		return;
	struct gofer_req req = { .op = GOFER_WALKN, .fid = fid_of(d->inode),
				 .flags = GOFER_WALK_SIBLINGS };
	struct gofer_resp resp;
	int r = gofer_call(&req, NULL, joined, &resp, e, GOFER_WALKN_MAX * sizeof(*e), NULL);
	bool ok = r == 0 && resp.arg == (int64_t)n && resp.datalen == n * sizeof(*e);
	for (size_t i = 0; ok && i < n; i++)
		ok = e[i].err <= 0 && e[i].err > -GOFER_ERRNO_LIMIT && (e[i].err < 0) == (e[i].fid == 0);
	if (!ok) {
		free(e);
		return;
	}
	vfs_lock();
	for (size_t i = 0; i < n; i++) {
		if (e[i].err)
			continue;
		struct dentry *x = d_lookup(d, names[i], strlen(names[i]));
		if (x) {	/* known already */
			dput(x);
			goferfs_clunk(e[i].fid);
			continue;
		}
		x = d_alloc(d, names[i], strlen(names[i]));
		struct inode *in = x ? goferfs_inode(d->sb, e[i].fid, &e[i].st) : NULL;
		if (!in) {
			if (x)
				dput(x);
			else
				goferfs_clunk(e[i].fid);
			continue;
		}
		d_instantiate(x, in);
		dput(x);
	}
	vfs_unlock();
	free(e);
}
