/* fs/anon/pidfd.h: pidfds (pidfd_open(2), CLONE_PIDFD): a file that
 * refers to one process (thread group) for its whole life and after:
 * it holds a reference to the struct tgroup, so the process can be told
 * apart from any later one. Readable (POLLIN) once every thread of the
 * process has exited; POLLIN|POLLHUP once it has been reaped. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Linux's uapi values (newer than some installed headers). */
#define K_PIDFD_SIGNAL_THREAD		(1u << 0)
#define K_PIDFD_SIGNAL_THREAD_GROUP	(1u << 1)
#define K_PIDFD_SIGNAL_PROCESS_GROUP	(1u << 2)

struct file;
struct task;
struct tgroup;

/* A pidfd for the process whose leader is pid (ESRCH: none; ENOENT: pid
 * is a thread that leads no process). flags: O_NONBLOCK. */
int pidfd_open_pid(int pid, int flags, struct file **out);
/* A pidfd for tg (process id tgid), taking over a reference to tg. */
int pidfd_from_tgroup(struct tgroup *tg, int tgid, int flags, struct file **out);
bool file_is_pidfd(struct file *f);
/* The pid (tgid) the pidfd refers to. */
int pidfd_pid(struct file *f);

/* pidfd_send_signal: scope 0 (the process), or K_PIDFD_SIGNAL_THREAD /
 * _THREAD_GROUP / _PROCESS_GROUP; info is the siginfo to queue (its
 * checks done by the caller). sig 0 only checks. 0, -ESRCH once reaped. */
int pidfd_signal(struct file *f, struct task *sender, int sig, const siginfo_t *info,
		 unsigned scope);
/* pidfd_getfd: a new reference to the file at fd in the process's fd
 * table, or -ESRCH (exited), -EPERM (no ptrace access), -EBADF. */
int pidfd_get_file(struct file *f, struct task *t, int fd, struct file **out);

/* A process exited: wake pidfd pollers. kernel.lock held (process.c). */
void pidfd_notify_exit_locked(void);
