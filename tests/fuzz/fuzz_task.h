/* tests/fuzz/fuzz_task.h: the one task the fuzzing targets run syscalls
 * as (fuzz_task.c). */
#ifndef CVISOR_TESTS_FUZZ_FUZZ_TASK_H
#define CVISOR_TESTS_FUZZ_FUZZ_TASK_H

#include <stdint.h>

struct task;

/* Made at the first call: the memory file, a task with its own mm of
 * max_addr (no platform: nothing runs guest code), fresh signal state,
 * rlimits, an empty fd table and a tmpfs root; the kernel's only task,
 * and current. */
struct task *fuzz_task(uint64_t max_addr);

#endif
