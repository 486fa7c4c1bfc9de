/* fs/vfs/dentry.c: the dentry cache (see dentry.h). */
#include "fs/vfs/dentry.h"
#include "fs/vfs/inode.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define HASH_BITS 12
#define HASH_SIZE (1u << HASH_BITS)

static pthread_mutex_t namespace_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dentry *hash_table[HASH_SIZE];

void vfs_lock(void) { pthread_mutex_lock(&namespace_lock); }
void vfs_unlock(void) { pthread_mutex_unlock(&namespace_lock); }

static unsigned d_hash(const struct dentry *parent, const char *name, size_t len)
{
	uint64_t h = (uint64_t)(uintptr_t)parent * 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 0x100000001b3ULL;
	return (unsigned)(h ^ (h >> 29)) & (HASH_SIZE - 1);
}

static struct dentry *d_new(const char *name, size_t len)
{
	struct dentry *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->name = malloc(len + 1);
	if (!d->name) {
		free(d);
		return NULL;
	}
	memcpy(d->name, name, len);
	d->name[len] = 0;
	d->namelen = len;
	d->refs = 1;
	d->next_cookie = 2;	/* 0 and 1 are "." and ".." */
	return d;
}

struct dentry *d_make_root(struct super_block *sb, struct inode *inode)
{
	struct dentry *d = d_new("/", 1);
	if (!d)
		return NULL;
	d->parent = d;
	d->sb = sb;
	d->inode = inode;
	return d;
}

struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = d_new(name, len);
	if (!d)
		return NULL;
	d->parent = dget(parent);
	d->sb = parent->sb;
	return d;
}

struct dentry *dget(struct dentry *d)
{
	if (d)
		__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
	return d;
}

void dput(struct dentry *d)
{
	while (d) {
		if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0)
			return;
		/* Hashed positive dentries stay cached (the tree holds them);
		 * only negative and dead ones are freed. Neither is reachable
		 * from the hash or a parent's list, so no lock is needed. */
		if (d->inode && !(d->flags & D_DEAD))
			return;
		struct dentry *parent = d->parent == d ? NULL : d->parent;
		iput(d->inode);
		free(d->name);
		free(d);
		d = parent;
	}
}

static bool d_name_eq(const struct dentry *d, const char *name, size_t len)
{
	return d->namelen == len && memcmp(d->name, name, len) == 0;
}

struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len)
{
	for (struct dentry *d = hash_table[d_hash(parent, name, len)]; d; d = d->hnext)
		if (d->parent == parent && d_name_eq(d, name, len))
			return dget(d);
	return NULL;
}

static void d_hash_add(struct dentry *d)
{
	unsigned h = d_hash(d->parent, d->name, d->namelen);
	d->hnext = hash_table[h];
	hash_table[h] = d;
}

static void d_hash_del(struct dentry *d)
{
	struct dentry **pp = &hash_table[d_hash(d->parent, d->name, d->namelen)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == d) {
			*pp = d->hnext;
			d->hnext = NULL;
			return;
		}
	}
}

static void d_list_add(struct dentry *d)
{
	struct dentry *p = d->parent;
	d->cookie = p->next_cookie++;
	d->sib_next = NULL;
	d->sib_prev = p->child_last;
	if (p->child_last)
		p->child_last->sib_next = d;
	else
		p->child_first = d;
	p->child_last = d;
}

static void d_list_del(struct dentry *d)
{
	struct dentry *p = d->parent;
	if (d->sib_prev)
		d->sib_prev->sib_next = d->sib_next;
	else
		p->child_first = d->sib_next;
	if (d->sib_next)
		d->sib_next->sib_prev = d->sib_prev;
	else
		p->child_last = d->sib_prev;
	d->sib_prev = d->sib_next = NULL;
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	d->inode = inode;
	d_hash_add(d);
	d_list_add(d);
}

void d_delete(struct dentry *d)
{
	if (d->flags & D_DEAD)
		return;
	d_hash_del(d);
	d_list_del(d);
	d->flags |= D_DEAD;
	if (d->flags & D_PINNED) {
		d->flags &= ~D_PINNED;
		dput(d);	/* the caller holds another reference */
	}
}

void d_invalidate(struct dentry *d)
{
	for (struct dentry *c = d->child_first, *next; c; c = next) {
		next = c->sib_next;
		d_invalidate(c);
	}
	if (d->flags & D_DEAD)
		return;
	d_delete(d);
	if (__atomic_load_n(&d->refs, __ATOMIC_ACQUIRE) == 0)
		dput(dget(d));	/* free it now: nobody holds it */
}

int d_move(struct dentry *d, struct dentry *newparent, const char *name, size_t len)
{
	char *n = malloc(len + 1);
	if (!n)
		return -ENOMEM;
	memcpy(n, name, len);
	n[len] = 0;
	d_hash_del(d);
	d_list_del(d);
	free(d->name);
	d->name = n;
	d->namelen = len;
	if (newparent != d->parent) {
		struct dentry *old = d->parent;
		d->parent = dget(newparent);
		dput(old);	/* d still references it until here: never the last */
	}
	d_hash_add(d);
	d_list_add(d);
	return 0;
}

void d_exchange(struct dentry *a, struct dentry *b)
{
	d_hash_del(a);
	d_hash_del(b);
	d_list_del(a);
	d_list_del(b);
	struct dentry *pa = a->parent;
	char *na = a->name;
	size_t la = a->namelen;
	a->parent = b->parent;
	a->name = b->name;
	a->namelen = b->namelen;
	b->parent = pa;
	b->name = na;
	b->namelen = la;
	d_hash_add(a);
	d_hash_add(b);
	d_list_add(a);
	d_list_add(b);
}

bool d_is_ancestor(struct dentry *d, struct dentry *e)
{
	for (;;) {
		if (e == d)
			return true;
		if (e->parent == e)
			return false;
		e = e->parent;
	}
}

bool d_has_children(struct dentry *d)
{
	return d->child_first != NULL;
}
