/* fs/procfs/proc_pid.c: /proc/PID and /proc/PID/task/TID: their tables,
 * task/ listing the threads, and the files about the task itself: stat,
 * statm, status, comm, oom_score_adj, limits, cgroup... (fs/proc/array.c
 * and base.c in Linux). Each read takes one snapshot of the task under
 * kernel.lock, then reads its memory map under the mm's own lock. */
#include "fs/procfs/procfs.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/fs_context.h"
#include "sentry/kernel/machine.h"
#include "sentry/kernel/cputime.h"
#include "sentry/kernel/cred.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>


/* What one read needs to know about a task, copied under kernel.lock. */
struct snap {
	char comm[16];
	char state;
	int tgid, tid, ppid, pgid, sid, tracer;
	int nthreads;
	int sigq;		/* queued real-time instances of its uid */
	uint64_t start_ns;
	struct cputime cpu, children;
	uint64_t sigpnd, shdpnd, blocked, ignored, caught;
	int exit_signal, exit_code, oom;
	struct rlimit rlim[RLIM_NLIMITS];
	struct cred cred;	/* a copy: cred_release() */
	struct mm *mm;		/* referenced, or NULL (zombie) */
	int fdsize;
};

static char task_state_locked(const struct task *t)
{
	if (t->zombie || t->thread_dead)
		return 'Z';
	if (__atomic_load_n(&t->stopped, __ATOMIC_RELAXED))
		return 'T';
	enum cpu_state s = __atomic_load_n(&t->clock.state, __ATOMIC_RELAXED);
	return s == CPU_IDLE ? 'S' : 'R';
}

/* Whole process (a /proc/PID file) or one thread (task/TID). */
static int snap_take(const struct proc_inode *pi, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&kernel.lock);
	struct task *t = task_lookup(pi->tid);
	if (!t || t->tgid != pi->tgid) {
		pthread_mutex_unlock(&kernel.lock);
		return -ESRCH;
	}
	struct task *leader = t->tg->leader;
	memcpy(s->comm, t->comm, sizeof(s->comm));
	s->comm[15] = 0;
	s->state = task_state_locked(t);
	s->tgid = t->tgid;
	s->tid = t->tid;
	s->ppid = leader->parent ? leader->parent->tgid : 0;
	s->pgid = t->pgid;
	s->sid = t->sid;
	s->start_ns = t->start_ns;
	s->sigpnd = t->sig_pending;
	s->shdpnd = t->tg->shared_pending;
	s->sigq = signal_queued_count_locked(t);
	s->blocked = t->sigmask;
	for (int i = 0; i < KSIG_MAX && t->sigactions; i++) {
		uint64_t h = t->sigactions[i].handler;
		if (h == (uint64_t)SIG_IGN)
			s->ignored |= 1ull << i;
		else if (h != (uint64_t)SIG_DFL)
			s->caught |= 1ull << i;
	}
	s->exit_signal = leader->exit_signal;
	s->exit_code = leader->zombie ? leader->exit_status : 0;
	s->oom = leader->oom_score_adj;
	memcpy(s->rlim, t->rlim, sizeof(s->rlim));
	cred_copy(&s->cred, &t->cred);
	for (struct task *q = kernel.tasks; q; q = q->next)
		if (q->tg == t->tg && !q->zombie && !q->thread_dead &&
		    !(q->exited && q != q->tg->leader))
			s->nthreads++;
	if (s->nthreads == 0)
		s->nthreads = 1;
	if (pi->thread) {
		task_cputime(t, &s->cpu);
	} else {
		tgroup_cputime_locked(t, &s->cpu);
		tgroup_children_cputime_locked(t, &s->children);
	}
	pthread_mutex_unlock(&kernel.lock);
	s->mm = proc_task_mm(pi);
	struct fdtable *ft = proc_task_files(pi);
	if (ft) {
		s->fdsize = fdtable_size(ft);
		fdtable_put(ft);
	}
	return 0;
}

static void snap_done(struct snap *s)
{
	cred_release(&s->cred);
	if (s->mm)
		mm_put(s->mm);
}

/* Memory figures of an mm, in pages, under its lock. */
struct mem_counts {
	uint64_t vm, rss, data, stack, exec, locked;
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
};

static void mem_counts(struct mm *mm, struct mem_counts *c)
{
	memset(c, 0, sizeof(*c));
	if (!mm)
		return;
	pthread_mutex_lock(&mm->lock);
	for (size_t i = 0; i < mm->nvmas; i++) {
		const struct vma *v = &mm->vmas[i];
		uint64_t n = (v->end - v->start) / PAGE_SIZE;
		c->vm += n;
		if (v->flags & (VMA_STACK | VMA_GROWSDOWN))
			c->stack += n;
		else if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED))
			c->data += n;
		else if (v->prot & PROT_EXEC)
			c->exec += n;
		if (v->flags & VMA_LOCKED)
			c->locked += n;
	}
	c->rss = mm->resident_pages;
	c->start_code = mm->start_code;
	c->end_code = mm->end_code;
	c->start_data = mm->start_data;
	c->end_data = mm->end_data;
	c->start_brk = mm->brk_start;
	c->brk = mm->brk;
	c->start_stack = mm->arg_start ? mm->arg_start : mm->stack_start;
	c->arg_start = mm->arg_start;
	c->arg_end = mm->arg_end;
	c->env_start = mm->env_start;
	c->env_end = mm->env_end;
	pthread_mutex_unlock(&mm->lock);
}

static uint64_t boot_offset_ns(void)
{
	return 0;	/* start_ns is CLOCK_BOOTTIME already */
}

int proc_pid_stat(const struct proc_inode *pi, struct sbuf *sb)
{
	struct snap s;
	int r = snap_take(pi, &s);
	if (r < 0)
		return r;
	struct mem_counts m;
	mem_counts(s.mm, &m);
	uint64_t rsslim = s.rlim[RLIMIT_RSS].rlim_cur;
	sbuf_printf(sb, "%d (%s) %c %d %d %d 0 -1 %u 0 0 0 0 ",
		    pi->thread ? s.tid : s.tgid, s.comm, s.state, s.ppid, s.pgid, s.sid,
		    s.state == 'Z' ? 0x4 : 0x400000u /* PF_EXITING : PF_FORKNOEXEC-ish */);
	sbuf_printf(sb, "%llu %llu %llu %llu 20 0 %d 0 %llu %llu %llu %llu ",
		    (unsigned long long)proc_ns_to_ticks(s.cpu.user_ns),
		    (unsigned long long)proc_ns_to_ticks(s.cpu.sys_ns),
		    (unsigned long long)proc_ns_to_ticks(s.children.user_ns),
		    (unsigned long long)proc_ns_to_ticks(s.children.sys_ns),
		    s.nthreads,
		    (unsigned long long)proc_ns_to_ticks(s.start_ns + boot_offset_ns()),
		    (unsigned long long)(m.vm * PAGE_SIZE), (unsigned long long)m.rss,
		    (unsigned long long)rsslim);
	sbuf_printf(sb, "%llu %llu %llu 0 0 %llu %llu %llu %llu 0 0 0 %d 0 0 0 0 0 0 ",
		    (unsigned long long)m.start_code, (unsigned long long)m.end_code,
		    (unsigned long long)m.start_stack,
		    (unsigned long long)((s.sigpnd | s.shdpnd) & 0x7fffffff),
		    (unsigned long long)(s.blocked & 0x7fffffff),
		    (unsigned long long)(s.ignored & 0x7fffffff),
		    (unsigned long long)(s.caught & 0x7fffffff), s.exit_signal);
	sbuf_printf(sb, "%llu %llu %llu %llu %llu %llu %llu %d\n",
		    (unsigned long long)m.start_data, (unsigned long long)m.end_data,
		    (unsigned long long)m.start_brk, (unsigned long long)m.arg_start,
		    (unsigned long long)m.arg_end, (unsigned long long)m.env_start,
		    (unsigned long long)m.env_end, s.exit_code);
	snap_done(&s);
	return 0;
}

int proc_pid_statm(const struct proc_inode *pi, struct sbuf *sb)
{
	struct mm *mm = proc_task_mm(pi);
	if (!mm && !proc_task_exists(pi->tgid, pi->tid))
		return -ESRCH;
	struct mem_counts m;
	mem_counts(mm, &m);
	uint64_t text = m.end_code > m.start_code ? (m.end_code - m.start_code) / PAGE_SIZE : 0;
	sbuf_printf(sb, "%llu %llu 0 %llu 0 %llu 0\n", (unsigned long long)m.vm,
		    (unsigned long long)m.rss, (unsigned long long)text,
		    (unsigned long long)(m.data + m.stack));
	if (mm)
		mm_put(mm);
	return 0;
}

static const char *state_name(char c)
{
	switch (c) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 't': return "t (tracing stop)";
	case 'Z': return "Z (zombie)";
	default: return "X (dead)";
	}
}

int proc_pid_status(const struct proc_inode *pi, struct sbuf *sb)
{
	struct snap s;
	int r = snap_take(pi, &s);
	if (r < 0)
		return r;
	mode_t umask = 022;
	struct fs_context *fs = proc_task_fs(pi);
	if (fs) {
		pthread_mutex_lock(&fs->lock);
		umask = fs->umask;
		pthread_mutex_unlock(&fs->lock);
		fs_context_put(fs);
	}
	sbuf_puts(sb, "Name:\t");
	for (const char *c = s.comm; *c; c++) {
		if (*c == '\n')
			sbuf_puts(sb, "\\n");
		else if (*c == '\\')
			sbuf_puts(sb, "\\\\");
		else
			sbuf_putc(sb, *c);
	}
	int id = pi->thread ? s.tid : s.tgid;
	sbuf_printf(sb, "\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		    "TracerPid:\t0\n", umask, state_name(s.state), s.tgid, id, s.ppid);
	const struct cred *c = &s.cred;
	sbuf_printf(sb, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", c->uid, c->euid,
		    c->suid, c->fsuid, c->gid, c->egid, c->sgid, c->fsgid);
	sbuf_printf(sb, "FDSize:\t%d\nGroups:\t", s.fdsize);
	for (int i = 0; c->groups && i < c->groups->n; i++)
		sbuf_printf(sb, "%u ", c->groups->gid[i]);
	sbuf_printf(sb, "\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		    s.tgid, id, s.pgid, s.sid);
	if (s.mm) {
		struct mem_counts m;
		mem_counts(s.mm, &m);
		unsigned long long k = PAGE_SIZE / 1024;
		sbuf_printf(sb, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8llu kB\n"
			    "VmPin:\t%8llu kB\nVmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n"
			    "RssAnon:\t%8llu kB\nRssFile:\t%8llu kB\nRssShmem:\t%8llu kB\n",
			    (unsigned long long)m.vm * k, (unsigned long long)m.vm * k,
			    (unsigned long long)m.locked * k, 0ull, (unsigned long long)m.rss * k,
			    (unsigned long long)m.rss * k, (unsigned long long)m.rss * k, 0ull, 0ull);
		sbuf_printf(sb, "VmData:\t%8llu kB\nVmStk:\t%8llu kB\nVmExe:\t%8llu kB\n"
			    "VmLib:\t%8llu kB\nVmPTE:\t%8llu kB\nVmSwap:\t%8llu kB\n",
			    (unsigned long long)m.data * k, (unsigned long long)m.stack * k,
			    (unsigned long long)((m.end_code - m.start_code) / 1024),
			    (unsigned long long)((m.exec * PAGE_SIZE > m.end_code - m.start_code ?
						  m.exec * PAGE_SIZE - (m.end_code - m.start_code) : 0) / 1024),
			    (unsigned long long)((m.vm / 512 + 1) * 4), 0ull);
	}
	sbuf_printf(sb, "Threads:\t%d\nSigQ:\t%d/%llu\n", s.nthreads,
		    s.sigq,
		    (unsigned long long)s.rlim[RLIMIT_SIGPENDING].rlim_cur);
	sbuf_printf(sb, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
		    "SigCgt:\t%016llx\n", (unsigned long long)s.sigpnd,
		    (unsigned long long)s.shdpnd, (unsigned long long)s.blocked,
		    (unsigned long long)s.ignored, (unsigned long long)s.caught);
	sbuf_printf(sb, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
		    "CapAmb:\t%016llx\nNoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n",
		    (unsigned long long)c->cap_inheritable, (unsigned long long)c->cap_permitted,
		    (unsigned long long)c->cap_effective, (unsigned long long)c->cap_bset,
		    (unsigned long long)c->cap_ambient, c->no_new_privs ? 1 : 0);
	sbuf_puts(sb, "Speculation_Store_Bypass:\tthread vulnerable\n");
	sbuf_printf(sb, "Cpus_allowed_list:\t0-%d\nMems_allowed_list:\t0\n",
		    machine_cpu_count() - 1);
	sbuf_puts(sb, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	snap_done(&s);
	return 0;
}

/* --- comm, oom_score_adj, limits and small files --------------------------- */

static int comm_show(const struct proc_inode *pi, struct sbuf *sb)
{
	char comm[16];
	pthread_mutex_lock(&kernel.lock);
	struct task *t = task_lookup(pi->tid);
	bool ok = t && t->tgid == pi->tgid;
	if (ok)
		memcpy(comm, t->comm, sizeof(comm));
	pthread_mutex_unlock(&kernel.lock);
	if (!ok)
		return -ESRCH;
	comm[15] = 0;
	sbuf_printf(sb, "%s\n", comm);
	return 0;
}

/* Linux lets a thread rename itself and the threads of its own process. */
static ssize_t comm_write(const struct proc_inode *pi, const char *buf, size_t len)
{
	char comm[16] = { 0 };
	size_t n = len < 15 ? len : 15;
	memcpy(comm, buf, n);
	char *nl = memchr(comm, '\n', n);
	if (nl)
		*nl = 0;
	int r = (int)len;
	pthread_mutex_lock(&kernel.lock);
	struct task *t = task_lookup(pi->tid);
	if (!t || t->tgid != pi->tgid)
		r = -ESRCH;
	else if (!current || current->tgid != t->tgid)
		r = -EINVAL;
	else
		memcpy(t->comm, comm, sizeof(comm));
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

static int oom_show(const struct proc_inode *pi, struct sbuf *sb)
{
	pthread_mutex_lock(&kernel.lock);
	struct task *t = task_lookup(pi->tid);
	bool ok = t && t->tgid == pi->tgid;
	int v = ok ? t->tg->leader->oom_score_adj : 0;
	pthread_mutex_unlock(&kernel.lock);
	if (!ok)
		return -ESRCH;
	sbuf_printf(sb, "%d\n", v);
	return 0;
}

static ssize_t oom_write(const struct proc_inode *pi, const char *buf, size_t len)
{
	char tmp[24];
	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = 0;
	char *end;
	long v = strtol(tmp, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t')
		end++;
	if (end == tmp || *end || v < -1000 || v > 1000)
		return -EINVAL;
	int r = (int)len;
	pthread_mutex_lock(&kernel.lock);
	struct task *t = task_lookup(pi->tid);
	if (!t || t->tgid != pi->tgid) {
		r = -ESRCH;
	} else {
		for (struct task *q = kernel.tasks; q; q = q->next)
			if (q->tg == t->tg)
				q->oom_score_adj = (int)v;
	}
	pthread_mutex_unlock(&kernel.lock);
	return r;
}

static int oom_score_show(const struct proc_inode *pi, struct sbuf *sb)
{
	if (!proc_task_exists(pi->tgid, pi->tid))
		return -ESRCH;
	sbuf_puts(sb, "0\n");
	return 0;
}

static const struct {
	const char *name, *unit;
} limit_names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { "Max cpu time", "seconds" },
	[RLIMIT_FSIZE] = { "Max file size", "bytes" },
	[RLIMIT_DATA] = { "Max data size", "bytes" },
	[RLIMIT_STACK] = { "Max stack size", "bytes" },
	[RLIMIT_CORE] = { "Max core file size", "bytes" },
	[RLIMIT_RSS] = { "Max resident set", "bytes" },
	[RLIMIT_NPROC] = { "Max processes", "processes" },
	[RLIMIT_NOFILE] = { "Max open files", "files" },
	[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
	[RLIMIT_AS] = { "Max address space", "bytes" },
	[RLIMIT_LOCKS] = { "Max file locks", "locks" },
	[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
	[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
	[RLIMIT_NICE] = { "Max nice priority", "" },
	[RLIMIT_RTPRIO] = { "Max realtime priority", "" },
	[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
};

static void limit_value(struct sbuf *sb, rlim_t v)
{
	if (v == RLIM_INFINITY)
		sbuf_printf(sb, "%-20s ", "unlimited");
	else
		sbuf_printf(sb, "%-20llu ", (unsigned long long)v);
}

static int limits_show(const struct proc_inode *pi, struct sbuf *sb)
{
	struct rlimit rl[RLIM_NLIMITS];
	pthread_mutex_lock(&kernel.lock);
	struct task *t = task_lookup(pi->tid);
	bool ok = t && t->tgid == pi->tgid;
	if (ok)
		memcpy(rl, t->rlim, sizeof(rl));
	pthread_mutex_unlock(&kernel.lock);
	if (!ok)
		return -ESRCH;
	sbuf_printf(sb, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		sbuf_printf(sb, "%-25s ", limit_names[i].name);
		limit_value(sb, rl[i].rlim_cur);
		limit_value(sb, rl[i].rlim_max);
		sbuf_printf(sb, "%-10s\n", limit_names[i].unit);
	}
	return 0;
}

static int cgroup_show(const struct proc_inode *pi, struct sbuf *sb)
{
	if (!proc_task_exists(pi->tgid, pi->tid))
		return -ESRCH;
	sbuf_puts(sb, "0::/\n");
	return 0;
}

/* --- task/ ------------------------------------------------------------------ */

static int tid_lookup(const struct proc_inode *dir, const char *name, size_t len,
		      struct proc_inode *child)
{
	char buf[16];
	if (len == 0 || len >= sizeof(buf) || name[0] == '0')
		return -ENOENT;
	memcpy(buf, name, len);
	buf[len] = 0;
	char *end;
	long tid = strtol(buf, &end, 10);
	if (*end || tid <= 0 || tid > 0x3fffffff)
		return -ENOENT;
	if (!proc_task_exists(dir->tgid, (int)tid))
		return -ENOENT;
	*child = (struct proc_inode){ &proc_tid_entry, dir->tgid, (int)tid, -1, true };
	return 0;
}

static bool tid_next(const struct proc_inode *dir, int64_t *key, struct proc_inode *child,
		     char *name)
{
	int best = -1;
	pthread_mutex_lock(&kernel.lock);
	for (struct task *t = kernel.tasks; t; t = t->next)
		if (t->tgid == dir->tgid && !t->zombie && !t->thread_dead &&
		    !(t->exited && t != t->tg->leader) && t->tid >= *key && (best < 0 || t->tid < best))
			best = t->tid;
	pthread_mutex_unlock(&kernel.lock);
	if (best < 0)
		return false;
	*key = best;
	*child = (struct proc_inode){ &proc_tid_entry, dir->tgid, best, -1, true };
	snprintf(name, 32, "%d", best);
	return true;
}

static const struct proc_dyn tid_dyn = { tid_lookup, tid_next };

#define FD_DIR	    { .name = "fd", .mode = S_IFDIR | 0500, .dyn = &proc_fd_dyn }
#define FDINFO_DIR  { .name = "fdinfo", .mode = S_IFDIR | 0500, .dyn = &proc_fdinfo_dyn }
#define NET_DIR	    { .name = "net", .mode = S_IFDIR | 0555, .children = proc_net_children, \
		      .nchildren = PROC_NET_N }
#define MAGIC(n, r, g) { .name = n, .mode = S_IFLNK | 0777, .readlink = r, .get_link = g }

#define PID_COMMON_ENTRIES							\
	{ .name = "auxv", .mode = S_IFREG | 0400, .show = proc_pid_auxv },	\
	PROC_REG("cgroup", cgroup_show),					\
	PROC_REG("cmdline", proc_pid_cmdline),					\
	{ .name = "comm", .mode = S_IFREG | 0644, .show = comm_show, .write = comm_write }, \
	MAGIC("cwd", proc_cwd_readlink, proc_cwd_get_link),			\
	{ .name = "environ", .mode = S_IFREG | 0400, .show = proc_pid_environ },	\
	MAGIC("exe", proc_exe_readlink, proc_exe_get_link),			\
	FD_DIR,									\
	FDINFO_DIR,								\
	{ .name = "io", .mode = S_IFREG | 0400, .show = proc_pid_io },		\
	PROC_REG("limits", limits_show),					\
	PROC_REG("loginuid", proc_pid_loginuid),				\
	PROC_REG("maps", proc_pid_maps),					\
	PROC_REG("mountinfo", proc_pid_mountinfo),				\
	PROC_REG("mounts", proc_pid_mounts),					\
	{ .name = "mountstats", .mode = S_IFREG | 0400, .show = proc_pid_mountstats }, \
	NET_DIR,								\
	{ .name = "ns", .mode = S_IFDIR | 0511, .children = proc_ns_children,	\
	  .nchildren = PROC_NS_N },						\
	PROC_REG("oom_score", oom_score_show),					\
	PROC_RW("oom_score_adj", oom_show, oom_write),				\
	{ .name = "personality", .mode = S_IFREG | 0400, .show = proc_pid_personality }, \
	MAGIC("root", proc_root_readlink, proc_root_get_link),			\
	PROC_REG("schedstat", proc_pid_schedstat),				\
	PROC_REG("sessionid", proc_pid_loginuid),				\
	PROC_REG("smaps", proc_pid_smaps),					\
	PROC_REG("stat", proc_pid_stat),					\
	PROC_REG("statm", proc_pid_statm),					\
	PROC_REG("status", proc_pid_status),					\
	PROC_REG("wchan", proc_pid_wchan)


static const struct proc_entry tid_children[] = {
	PID_COMMON_ENTRIES,
};

const struct proc_entry proc_tid_entry = {
	.name = "tid", .mode = S_IFDIR | 0555,
	.children = tid_children, .nchildren = PROC_NENT(tid_children),
};


static const struct proc_entry tgid_children[] = {
	PID_COMMON_ENTRIES,
	{ .name = "task", .mode = S_IFDIR | 0555, .dyn = &tid_dyn },
};

const struct proc_entry proc_tgid_entry = {
	.name = "pid", .mode = S_IFDIR | 0555,
	.children = tgid_children, .nchildren = PROC_NENT(tgid_children),
};
