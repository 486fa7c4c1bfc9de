/* tools/cvisor/keeper.h: the sentry's memory keeper, a small process that
 * shares the sentry's address space (CLONE_VM) and outlives its threads,
 * so that the sentry's exit does not tear its memory down first.
 *
 * Why: a process's open files are closed only after its memory is
 * unmapped (do_exit: exit_mm before exit_files), and unmapping the
 * sentry's few thousand pages costs about a millisecond on a virtual
 * machine with shadow page tables. The launcher learns that the sandbox
 * is over when the sentry's files close (the report pipe reaches EOF):
 * with the keeper holding the memory, that happens as soon as the last
 * sentry thread is gone, and the keeper pays for the unmapping afterwards,
 * when its socket reaches EOF (the sentry's end closed) or when the pid
 * namespace dies with the sentry.
 *
 * The keeper runs nothing of the sentry's: it closes every fd but its end
 * of a socketpair, blocks every signal, makes itself SCHED_IDLE (the
 * teardown is nobody's wait: it must not take a CPU from the launcher or
 * the gofer), enters seccomp strict mode (read, write, exit), says so on
 * the socket, and reads it until EOF. The memory
 * it shares is the sentry's, so a compromised sentry could steer it, but
 * only to read and write that socket. */
#pragma once
#include <stdbool.h>

struct keeper {
	int fd;			/* the sentry's end of the socketpair, or -1 */
	int pid;		/* 0: none */
};

/* Start the keeper (before the sentry is confined: it needs clone with
 * CLONE_VM). 0 or -errno; on failure there is no keeper and the sentry
 * runs on without one. */
int keeper_start(struct keeper *k);
/* Before any guest code runs: wait until the keeper is in strict mode.
 * false if it is not (it died): it is gone, and k->fd is closed. */
bool keeper_confined(struct keeper *k);
