/* sentry/kernel/cred.h: task credentials: real/effective/saved/fs uid and
 * gid, supplementary groups, capability sets and securebits, with Linux's
 * rules for changing them (see cred.c).
 *
 * Each task has its own struct cred (a thread's setuid changes only that
 * thread, as on Linux; glibc and musl broadcast to the other threads).
 * A task changes only its own cred, under kernel.lock; other tasks read it
 * under kernel.lock; its owner may read it without. The group list is
 * shared copy-on-write (refcounted, never changed in place).
 *
 * The sandbox's first task is root with every capability, as root in a
 * user namespace (gVisor's model); capabilities act only inside the
 * sandbox. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct task;

/* The last capability the sandbox knows (CAP_CHECKPOINT_RESTORE). */
#define CAP_LAST 40
#define CAP_FULL_SET ((1ULL << (CAP_LAST + 1)) - 1)
#define CAP_BIT(c) (1ULL << (c))

#ifndef CAP_CHOWN
#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_FSETID 4
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_LINUX_IMMUTABLE 9
#define CAP_SYS_NICE 23
#define CAP_SYS_RESOURCE 24
#define CAP_MAC_OVERRIDE 32
#endif

/* Securebits (linux/securebits.h). */
#define SECBIT_NOROOT_B 0
#define SECBIT_NO_SETUID_FIXUP_B 2
#define SECBIT_KEEP_CAPS_B 4
#define SECBIT_NO_CAP_AMBIENT_RAISE_B 6
#define SECBITS_ALL 0x55u	/* the four bits above */
#define SECBITS_LOCKS 0xaau	/* each bit's lock, one above it */

struct group_info {
	int refs;
	int n;
	uint32_t gid[];		/* sorted ascending */
};

struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	struct group_info *groups;	/* NULL: no supplementary groups */
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
	unsigned securebits;
	bool no_new_privs;
};

/* Root with every capability (the first task). */
void cred_init_root(struct cred *c);
/* dst becomes a copy of src (sharing its group list). */
void cred_copy(struct cred *dst, const struct cred *src);
void cred_release(struct cred *c);
/* The credentials of the calling host thread's task (root with all
 * capabilities outside any task). Read by the owner, so no lock. */
const struct cred *cred_current(void);

bool cred_capable(const struct cred *c, int cap);
/* Is gid the fsgid or a supplementary group? */
bool cred_in_group(const struct cred *c, uint32_t gid);
/* Linux's generic_permission(): may c access a file with this mode and
 * owner for mask (MAY_READ 4, MAY_WRITE 2, MAY_EXEC 1)? 0 or -EACCES. */
int cred_permission(const struct cred *c, uint32_t mode, uint32_t uid, uint32_t gid, int mask);
/* Is c the owner of a file of uid, or has it CAP_FOWNER? */
bool cred_owner_or_capable(const struct cred *c, uint32_t uid);
/* chown's rule: may c change a file of (uid, gid) to (nuid, ngid), -1
 * meaning unchanged? */
bool cred_may_chown(const struct cred *c, uint32_t uid, uint32_t gid, uint32_t nuid, uint32_t ngid);
/* May sender send a signal to target (Linux's kill_ok_by_cred)?
 * kernel.lock held. */
bool cred_may_signal(const struct cred *sender, const struct cred *target);

/* The set*id family: 0 or -EPERM/-EINVAL, with Linux's capability
 * fix-ups. (uint32_t)-1 means "leave unchanged" where Linux allows it. */
int cred_setuid(struct task *t, uint32_t uid);
int cred_setgid(struct task *t, uint32_t gid);
int cred_setreuid(struct task *t, uint32_t ruid, uint32_t euid);
int cred_setregid(struct task *t, uint32_t rgid, uint32_t egid);
int cred_setresuid(struct task *t, uint32_t ruid, uint32_t euid, uint32_t suid);
int cred_setresgid(struct task *t, uint32_t rgid, uint32_t egid, uint32_t sgid);
/* setfsuid/setfsgid: the old fsuid/fsgid, whether or not it changed. */
uint32_t cred_setfsuid(struct task *t, uint32_t uid);
uint32_t cred_setfsgid(struct task *t, uint32_t gid);
/* gids: n entries (n <= 65536), any order. */
int cred_setgroups(struct task *t, const uint32_t *gids, int n);

/* capset: the new sets for t itself. 0 or -EPERM. */
int cred_capset(struct task *t, uint64_t effective, uint64_t permitted, uint64_t inheritable);
/* prctl: PR_CAPBSET_DROP, PR_CAP_AMBIENT raise/lower/clear, securebits,
 * keepcaps, no_new_privs. 0 or -errno. */
int cred_capbset_drop(struct task *t, int cap);
int cred_ambient(struct task *t, int op, int cap);
int cred_set_securebits(struct task *t, unsigned bits);
int cred_set_keepcaps(struct task *t, bool keep);
void cred_set_no_new_privs(struct task *t);
/* exec of a file (set-id bits ignored): Linux's capability recomputation
 * for a file without file capabilities; KEEP_CAPS cleared. */
void cred_exec(struct task *t);
/* A snapshot of t's credentials for another task (procfs, capget);
 * shares the group list: cred_release() it. Takes kernel.lock. */
void task_cred_get(struct task *t, struct cred *out);
