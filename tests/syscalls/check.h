/*
 * check.h: the tiny assertion helpers shared by the syscall tests in
 * tests/syscalls/. Each test is a static guest program that exits 0 when
 * every check passes; the first failed check prints where and why (with
 * errno) on stderr and exits 1.
 *
 *   CHECK(cond, fmt, ...)          fail unless cond
 *   CHECK_OK(expr)                 expr must not be -1 (a libc call)
 *   CHECK_ERR(expr, err)           expr must be -1 with errno == err
 *   CHECK_EQ(a, b)                 integer equality, printing both values
 *   PASS()                         print "<test>: ok" and exit 0
 */
#ifndef CVISOR_TESTS_SYSCALLS_CHECK_H
#define CVISOR_TESTS_SYSCALLS_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __FILE_NAME__
#define CHECK_FILE __FILE_NAME__
#else
#define CHECK_FILE __FILE__
#endif

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			int check_errno_ = errno;                           \
			fprintf(stderr, "FAIL %s:%d: %s: ", CHECK_FILE,       \
				__LINE__, #cond);                           \
			fprintf(stderr, __VA_ARGS__);                       \
			fprintf(stderr, " (errno %d: %s)\n", check_errno_,  \
				strerror(check_errno_));                    \
			fflush(stderr);                                     \
			exit(1);                                            \
		}                                                           \
	} while (0)

#define CHECK_OK(expr)                                                      \
	do {                                                                \
		errno = 0;                                                  \
		long check_r_ = (long)(expr);                               \
		CHECK(check_r_ != -1, "%s returned -1", #expr);             \
	} while (0)

#define CHECK_ERR(expr, err)                                                \
	do {                                                                \
		errno = 0;                                                  \
		long check_r_ = (long)(expr);                               \
		int check_e_ = errno;                                       \
		CHECK(check_r_ == -1 && check_e_ == (err),                  \
		      "%s returned %ld errno %d (%s), want -1 errno %d (%s)", \
		      #expr, check_r_, check_e_, strerror(check_e_),       \
		      (int)(err), strerror(err));                           \
	} while (0)

#define CHECK_EQ(a, b)                                                      \
	do {                                                                \
		long long check_a_ = (long long)(a);                        \
		long long check_b_ = (long long)(b);                        \
		CHECK(check_a_ == check_b_, "%s = %lld (%#llx), want %lld (%#llx)", \
		      #a, check_a_, (unsigned long long)check_a_, check_b_, \
		      (unsigned long long)check_b_);                        \
	} while (0)

#define PASS()                                                              \
	do {                                                                \
		printf("%s: ok\n", CHECK_FILE);                               \
		fflush(stdout);                                             \
		exit(0);                                                    \
	} while (0)

#endif
