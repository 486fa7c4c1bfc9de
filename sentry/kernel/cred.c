/* sentry/kernel/cred.c: credentials (see cred.h): the set*id family with
 * Linux's permission rules (kernel/sys.c) and capability fix-ups
 * (security/commoncap.c: cap_emulate_setxuid, the fsuid rule), capset's
 * rules, the bounding and ambient sets, securebits, exec's capability
 * recomputation, and the file permission check (generic_permission). */
#include "sentry/kernel/cred.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ID_NONE ((uint32_t)-1)

/* The capabilities an fsuid change to or from root turns off or on
 * (CAP_FS_MASK). */
#define CAP_FS_SET (CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | \
		    CAP_BIT(CAP_DAC_READ_SEARCH) | CAP_BIT(CAP_FOWNER) | \
		    CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_LINUX_IMMUTABLE) | \
		    CAP_BIT(CAP_MAC_OVERRIDE))

static const struct cred root_cred = {
	.cap_permitted = CAP_FULL_SET, .cap_effective = CAP_FULL_SET,
	.cap_bset = CAP_FULL_SET,
};

void cred_init_root(struct cred *c)
{
	*c = root_cred;
}

void cred_copy(struct cred *dst, const struct cred *src)
{
	*dst = *src;
	if (dst->groups)
		__atomic_add_fetch(&dst->groups->refs, 1, __ATOMIC_RELAXED);
}

static void groups_put(struct group_info *g)
{
	if (g && __atomic_sub_fetch(&g->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(g);
}

void cred_release(struct cred *c)
{
	groups_put(c->groups);
	c->groups = NULL;
}

const struct cred *cred_current(void)
{
	return current ? &current->cred : &root_cred;
}

bool cred_capable(const struct cred *c, int cap)
{
	return cap >= 0 && cap <= CAP_LAST && (c->cap_effective & CAP_BIT(cap));
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (gid == c->fsgid)
		return true;
	const struct group_info *g = c->groups;
	if (!g)
		return false;
	int lo = 0, hi = g->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (g->gid[mid] == gid)
			return true;
		if (g->gid[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int cred_permission(const struct cred *c, uint32_t mode, uint32_t uid, uint32_t gid, int mask)
{
	mask &= 7;
	uint32_t bits = mode;
	if (c->fsuid == uid)
		bits >>= 6;
	else if (cred_in_group(c, gid))
		bits >>= 3;
	if ((mask & ~bits & 7) == 0)
		return 0;
	bool dir = (mode & 0170000) == 0040000;
	if (dir) {
		if (!(mask & 2) && cred_capable(c, CAP_DAC_READ_SEARCH))
			return 0;
		return cred_capable(c, CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if (mask == 4 && cred_capable(c, CAP_DAC_READ_SEARCH))
		return 0;
	/* Exec needs some x bit even for CAP_DAC_OVERRIDE. */
	if ((!(mask & 1) || (mode & 0111)) && cred_capable(c, CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

bool cred_owner_or_capable(const struct cred *c, uint32_t uid)
{
	return c->fsuid == uid || cred_capable(c, CAP_FOWNER);
}

bool cred_may_chown(const struct cred *c, uint32_t uid, uint32_t gid, uint32_t nuid, uint32_t ngid)
{
	if (cred_capable(c, CAP_CHOWN))
		return true;
	if (nuid != ID_NONE && !(c->fsuid == uid && nuid == uid))
		return false;
	if (ngid != ID_NONE && !(c->fsuid == uid && (ngid == gid || cred_in_group(c, ngid))))
		return false;
	return true;
}

bool cred_may_signal(const struct cred *s, const struct cred *t)
{
	return s->euid == t->suid || s->euid == t->uid || s->uid == t->suid ||
	       s->uid == t->uid || cred_capable(s, CAP_KILL);
}

/* --- changing credentials ------------------------------------------------ */

/* Install new as t's credentials (kernel.lock held). As Linux's
 * commit_creds: a change of euid, egid, fsuid or fsgid, or a loss of
 * permitted capabilities, makes the process non-dumpable and clears the
 * parent-death signal. */
static void cred_commit_locked(struct task *t, struct cred *new)
{
	struct cred *old = &t->cred;
	if (old->euid != new->euid || old->egid != new->egid ||
	    old->fsuid != new->fsuid || old->fsgid != new->fsgid ||
	    (old->cap_permitted & ~new->cap_permitted)) {
		t->tg->undumpable = true;
		t->pdeath_signal = 0;
	}
	if (old->groups != new->groups)
		groups_put(old->groups);
	*old = *new;
}

/* commoncap's cap_task_fix_setuid for the r/e/s forms. */
static void fix_setxuid(const struct cred *old, struct cred *new)
{
	if (new->securebits & (1u << SECBIT_NO_SETUID_FIXUP_B))
		return;
	if ((old->uid == 0 || old->euid == 0 || old->suid == 0) &&
	    new->uid != 0 && new->euid != 0 && new->suid != 0) {
		if (!(new->securebits & (1u << SECBIT_KEEP_CAPS_B))) {
			new->cap_permitted = 0;
			new->cap_effective = 0;
		}
		new->cap_ambient = 0;
	}
	if (old->euid == 0 && new->euid != 0)
		new->cap_effective = 0;
	if (old->euid != 0 && new->euid == 0)
		new->cap_effective = new->cap_permitted;
}

static void fix_setfsuid(const struct cred *old, struct cred *new)
{
	if (new->securebits & (1u << SECBIT_NO_SETUID_FIXUP_B))
		return;
	if (old->fsuid == 0 && new->fsuid != 0)
		new->cap_effective &= ~CAP_FS_SET;
	if (old->fsuid != 0 && new->fsuid == 0)
		new->cap_effective |= new->cap_permitted & CAP_FS_SET;
}

/* Run change on a copy of t's cred under kernel.lock; commit it if it
 * returns 0. */
typedef int (*cred_change_fn)(struct cred *new, const uint32_t *arg);

static int cred_change(struct task *t, cred_change_fn change, const uint32_t *arg)
{
	pthread_mutex_lock(&kernel.lock);
	struct cred new = t->cred;	/* groups: same pointer, no new ref */
	int r = change(&new, arg);
	if (r == 0)
		cred_commit_locked(t, &new);
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

static int do_setuid(struct cred *new, const uint32_t *a)
{
	struct cred old = *new;
	uint32_t uid = a[0];
	if (uid == ID_NONE)
		return -EINVAL;
	if (cred_capable(&old, CAP_SETUID))
		new->uid = new->suid = uid;
	else if (uid != old.uid && uid != old.suid)
		return -EPERM;
	new->euid = new->fsuid = uid;
	fix_setxuid(&old, new);
	return 0;
}

static int do_setgid(struct cred *new, const uint32_t *a)
{
	struct cred old = *new;
	uint32_t gid = a[0];
	if (gid == ID_NONE)
		return -EINVAL;
	if (cred_capable(&old, CAP_SETGID))
		new->gid = new->sgid = gid;
	else if (gid != old.gid && gid != old.sgid)
		return -EPERM;
	new->egid = new->fsgid = gid;
	return 0;
}

static int do_setreuid(struct cred *new, const uint32_t *a)
{
	struct cred old = *new;
	uint32_t ruid = a[0], euid = a[1];
	bool cap = cred_capable(&old, CAP_SETUID);
	if (ruid != ID_NONE) {
		new->uid = ruid;
		if (ruid != old.uid && ruid != old.euid && !cap)
			return -EPERM;
	}
	if (euid != ID_NONE) {
		new->euid = euid;
		if (euid != old.uid && euid != old.euid && euid != old.suid && !cap)
			return -EPERM;
	}
	if (ruid != ID_NONE || (euid != ID_NONE && euid != old.uid))
		new->suid = new->euid;
	new->fsuid = new->euid;
	fix_setxuid(&old, new);
	return 0;
}

static int do_setregid(struct cred *new, const uint32_t *a)
{
	struct cred old = *new;
	uint32_t rgid = a[0], egid = a[1];
	bool cap = cred_capable(&old, CAP_SETGID);
	if (rgid != ID_NONE) {
		new->gid = rgid;
		if (rgid != old.gid && rgid != old.egid && !cap)
			return -EPERM;
	}
	if (egid != ID_NONE) {
		new->egid = egid;
		if (egid != old.gid && egid != old.egid && egid != old.sgid && !cap)
			return -EPERM;
	}
	if (rgid != ID_NONE || (egid != ID_NONE && egid != old.gid))
		new->sgid = new->egid;
	new->fsgid = new->egid;
	return 0;
}

static bool one_of3(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == ID_NONE || id == a || id == b || id == c;
}

static int do_setresuid(struct cred *new, const uint32_t *a)
{
	struct cred old = *new;
	if (!cred_capable(&old, CAP_SETUID) &&
	    (!one_of3(a[0], old.uid, old.euid, old.suid) ||
	     !one_of3(a[1], old.uid, old.euid, old.suid) ||
	     !one_of3(a[2], old.uid, old.euid, old.suid)))
		return -EPERM;
	if (a[0] != ID_NONE)
		new->uid = a[0];
	if (a[1] != ID_NONE)
		new->euid = a[1];
	if (a[2] != ID_NONE)
		new->suid = a[2];
	new->fsuid = new->euid;
	fix_setxuid(&old, new);
	return 0;
}

static int do_setresgid(struct cred *new, const uint32_t *a)
{
	struct cred old = *new;
	if (!cred_capable(&old, CAP_SETGID) &&
	    (!one_of3(a[0], old.gid, old.egid, old.sgid) ||
	     !one_of3(a[1], old.gid, old.egid, old.sgid) ||
	     !one_of3(a[2], old.gid, old.egid, old.sgid)))
		return -EPERM;
	if (a[0] != ID_NONE)
		new->gid = a[0];
	if (a[1] != ID_NONE)
		new->egid = a[1];
	if (a[2] != ID_NONE)
		new->sgid = a[2];
	new->fsgid = new->egid;
	return 0;
}

int cred_setuid(struct task *t, uint32_t uid)
{
	return cred_change(t, do_setuid, &uid);
}

int cred_setgid(struct task *t, uint32_t gid)
{
	return cred_change(t, do_setgid, &gid);
}

int cred_setreuid(struct task *t, uint32_t ruid, uint32_t euid)
{
	uint32_t a[2] = { ruid, euid };
	return cred_change(t, do_setreuid, a);
}

int cred_setregid(struct task *t, uint32_t rgid, uint32_t egid)
{
	uint32_t a[2] = { rgid, egid };
	return cred_change(t, do_setregid, a);
}

int cred_setresuid(struct task *t, uint32_t ruid, uint32_t euid, uint32_t suid)
{
	uint32_t a[3] = { ruid, euid, suid };
	return cred_change(t, do_setresuid, a);
}

int cred_setresgid(struct task *t, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	uint32_t a[3] = { rgid, egid, sgid };
	return cred_change(t, do_setresgid, a);
}

uint32_t cred_setfsuid(struct task *t, uint32_t uid)
{
	pthread_mutex_lock(&kernel.lock);
	struct cred old = t->cred, new = t->cred;
	if (uid != ID_NONE &&
	    (uid == old.uid || uid == old.euid || uid == old.suid || uid == old.fsuid ||
	     cred_capable(&old, CAP_SETUID)) && uid != old.fsuid) {
		new.fsuid = uid;
		fix_setfsuid(&old, &new);
		cred_commit_locked(t, &new);
	}
	pthread_mutex_unlock(&kernel.lock);
	return old.fsuid;
}

uint32_t cred_setfsgid(struct task *t, uint32_t gid)
{
	pthread_mutex_lock(&kernel.lock);
	struct cred old = t->cred, new = t->cred;
	if (gid != ID_NONE &&
	    (gid == old.gid || gid == old.egid || gid == old.sgid || gid == old.fsgid ||
	     cred_capable(&old, CAP_SETGID)) && gid != old.fsgid) {
		new.fsgid = gid;
		cred_commit_locked(t, &new);
	}
	pthread_mutex_unlock(&kernel.lock);
	return old.fsgid;
}

static int gid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int cred_setgroups(struct task *t, const uint32_t *gids, int n)
{
	if (!cred_capable(&t->cred, CAP_SETGID))
		return -EPERM;
	struct group_info *g = NULL;
	if (n > 0) {
		g = malloc(sizeof(*g) + (size_t)n * sizeof(uint32_t));
		if (!g)
			return -ENOMEM;
		g->refs = 1;
		g->n = n;
		memcpy(g->gid, gids, (size_t)n * sizeof(uint32_t));
		qsort(g->gid, (size_t)n, sizeof(uint32_t), gid_cmp);
	}
	pthread_mutex_lock(&kernel.lock);
	struct cred new = t->cred;
	new.groups = g;
	cred_commit_locked(t, &new);
	pthread_mutex_unlock(&kernel.lock);
	return 0;
}

/* --- capabilities --------------------------------------------------------- */

int cred_capset(struct task *t, uint64_t eff, uint64_t perm, uint64_t inh)
{
	int r = 0;
	eff &= CAP_FULL_SET;
	perm &= CAP_FULL_SET;
	inh &= CAP_FULL_SET;
	pthread_mutex_lock(&kernel.lock);
	struct cred new = t->cred;
	const struct cred *old = &t->cred;
	/* cap_capset(): inheritable only within inheritable|permitted unless
	 * CAP_SETPCAP, and never beyond the bounding set; permitted only
	 * shrinks; effective within the new permitted. */
	if ((!cred_capable(old, CAP_SETPCAP) &&
	     (inh & ~(old->cap_inheritable | old->cap_permitted))) ||
	    (inh & ~(old->cap_inheritable | old->cap_bset)) ||
	    (perm & ~old->cap_permitted) || (eff & ~perm)) {
		r = -EPERM;
	} else {
		new.cap_effective = eff;
		new.cap_permitted = perm;
		new.cap_inheritable = inh;
		new.cap_ambient &= perm & inh;
		cred_commit_locked(t, &new);
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int cred_capbset_drop(struct task *t, int cap)
{
	if (cap < 0 || cap > CAP_LAST)
		return -EINVAL;
	pthread_mutex_lock(&kernel.lock);
	int r = -EPERM;
	if (cred_capable(&t->cred, CAP_SETPCAP)) {
		t->cred.cap_bset &= ~CAP_BIT(cap);
		r = 0;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

#define AMB_IS_SET 1
#define AMB_RAISE 2
#define AMB_LOWER 3
#define AMB_CLEAR_ALL 4

int cred_ambient(struct task *t, int op, int cap)
{
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	struct cred *c = &t->cred;
	switch (op) {
	case AMB_CLEAR_ALL:
		c->cap_ambient = 0;
		break;
	case AMB_IS_SET:
		r = !!(c->cap_ambient & CAP_BIT(cap));
		break;
	case AMB_RAISE:
		if (!(c->cap_permitted & CAP_BIT(cap)) || !(c->cap_inheritable & CAP_BIT(cap)) ||
		    (c->securebits & (1u << SECBIT_NO_CAP_AMBIENT_RAISE_B)))
			r = -EPERM;
		else
			c->cap_ambient |= CAP_BIT(cap);
		break;
	case AMB_LOWER:
		c->cap_ambient &= ~CAP_BIT(cap);
		break;
	default:
		r = -EINVAL;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int cred_set_securebits(struct task *t, unsigned bits)
{
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	struct cred *c = &t->cred;
	unsigned old = c->securebits;
	if ((((old & SECBITS_LOCKS) >> 1) & (old ^ bits)) || (old & SECBITS_LOCKS & ~bits) ||
	    (bits & ~(SECBITS_LOCKS | SECBITS_ALL)) || !cred_capable(c, CAP_SETPCAP))
		r = -EPERM;
	else
		c->securebits = bits;
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

int cred_set_keepcaps(struct task *t, bool keep)
{
	int r = 0;
	pthread_mutex_lock(&kernel.lock);
	struct cred *c = &t->cred;
	if (c->securebits & (1u << (SECBIT_KEEP_CAPS_B + 1)))
		r = -EPERM;
	else if (keep)
		c->securebits |= 1u << SECBIT_KEEP_CAPS_B;
	else
		c->securebits &= ~(1u << SECBIT_KEEP_CAPS_B);
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

void cred_set_no_new_privs(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	t->cred.no_new_privs = true;
	pthread_mutex_unlock(&kernel.lock);
}

void cred_exec(struct task *t)
{
	pthread_mutex_lock(&kernel.lock);
	struct cred *c = &t->cred;
	c->securebits &= ~(1u << SECBIT_KEEP_CAPS_B);
	/* cap_bprm_creds_from_file() for a file without capabilities and
	 * with its set-id bits ignored: root gets pP' = bset | pI (and the
	 * effective set when euid is 0); everyone gets the ambient set. */
	uint64_t perm = 0;
	bool effective = false;
	if (!(c->securebits & (1u << SECBIT_NOROOT_B))) {
		if (c->euid == 0 || c->uid == 0)
			perm = c->cap_bset | c->cap_inheritable;
		if (c->euid == 0)
			effective = true;
	}
	perm |= c->cap_ambient;
	c->cap_permitted = perm;
	c->cap_effective = effective ? perm : c->cap_ambient;
	t->tg->undumpable = false;
	pthread_mutex_unlock(&kernel.lock);
}

void task_cred_get(struct task *t, struct cred *out)
{
	pthread_mutex_lock(&kernel.lock);
	cred_copy(out, &t->cred);
	pthread_mutex_unlock(&kernel.lock);
}
