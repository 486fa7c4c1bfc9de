/* tests/fuzz/fuzz_task.c: the one task the fuzzing targets run syscalls
 * as (see fuzz_task.h). */
#include "fuzz_task.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/rlimit.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/fs_context.h"

#include <stdlib.h>

struct task *fuzz_task(uint64_t max_addr)
{
	static struct task *t;
	if (t)
		return t;
	if (memfile_init(256ULL << 20) < 0)
		abort();
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	static struct sandbox_config cfg = { .platform = "none", .cwd = "/", .hostname = "fuzz",
					     .memory_limit = 256ULL << 20 };
	kernel.cfg = &cfg;
	t->k = &kernel;
	pthread_cond_init(&t->wake, NULL);
	t->tid = t->tgid = kernel.next_tid++;
	t->sighand = sighand_new(NULL);
	t->tg = tgroup_new(t);
	t->sigactions = t->sighand->action;
	t->altstack_flags = 2;
	rlimit_init_defaults(t->rlim);
	t->files = fdtable_new();
	t->fs = fs_context_new("/");	/* the VFS starts on a tmpfs: no gofer yet */
	t->mm = mm_new(NULL, max_addr);
	t->pgid = t->sid = t->tgid;
	if (!t->sighand || !t->tg || !t->files || !t->fs || !t->mm)
		abort();
	kernel.tasks = t;
	kernel.ntasks = 1;
	current = t;
	return t;
}
