/* sentry/syscalls/syscalls.h: the syscall table and handler prototypes.
 *
 * A handler decodes its arguments, copies user memory through
 * sentry/mm/usercopy.h, and calls the component that owns the object. It
 * returns the result or a negative errno.
 *
 * The table (table.c) names every x86-64 syscall and refers to a handler
 * sys_NAME for each. The declarations below are weak: a handler that no
 * file defines is NULL in the table, and the syscall returns ENOSYS and is
 * logged once. To implement a syscall, define sys_NAME in the sys_*.c file
 * of its family; nothing else needs to change. */
#pragma once
#include <stdint.h>

struct task;

typedef int64_t (*syscall_fn)(struct task *t, const uint64_t a[6]);

struct syscall_desc {
	const char *name;	/* NULL: no syscall with this number */
	syscall_fn fn;		/* NULL: ENOSYS */
	/* strace argument formats, one char per argument (see strace.c). */
	const char *args;
	char ret;		/* strace return format */
};

#define SYSCALL_MAX 512
extern const struct syscall_desc syscall_table[SYSCALL_MAX];

/* Run syscall nr for t; returns the raw result (may be -ERESTART*). */
int64_t syscall_dispatch(struct task *t, uint64_t nr, const uint64_t a[6]);

#define SYSCALL_DECLARE(name) \
	int64_t sys_##name(struct task *t, const uint64_t a[6]) __attribute__((weak))
#include "sentry/syscalls/syscall_list.h"
