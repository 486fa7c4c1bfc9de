/* platform/systrap/systrap.h: what the files of the systrap platform share.
 *
 * stub.c starts stub processes and serves their map requests; filter.c
 * writes their seccomp programs; systrap.c is the platform (ops table,
 * ctx_switch). Layout of the shared pages: sysmsg.h. */
#pragma once
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

/* Guest addresses stay below this; stub regions sit above. */
#define SYSTRAP_GUEST_MAX 0x7ff000000000UL
#define SYSTRAP_USER_TOP  0x7ffffffff000UL
/* The signal ctx_interrupt() sends to a running guest thread. */
#define SYSTRAP_SIG_INTERRUPT SIGURG

/* The stub region's base, the same in the sentry and every stub. */
extern uint64_t systrap_base;

struct as {
	pthread_mutex_t lock;	/* map requests, start-up */
	pid_t pid;		/* stub process (= its guest thread); 0 until started */
	uint32_t seq;		/* last map batch sent */
	uint64_t ctl_off, rsp_off, msg_off;	/* memory-file pages; 0 = none */
	volatile uint8_t *ctl, *rsp, *msg;	/* the sentry's views */
};

/* Reserve the stub region in the sentry and copy the code page there. */
int systrap_stub_init(void);
/* Allocate the shared pages and start the stub; waits for the guest
 * thread's first report. Called with as->lock held. */
int systrap_stub_start(struct as *as);
/* Kill and reap the stub, free the shared pages. */
void systrap_stub_release(struct as *as);
/* Run host syscalls in the stub's map thread: n (<= CTL_MAXREQ) requests
 * of {nr, a1..a6}; results in ret. */
int systrap_stub_call(struct as *as, const uint64_t (*req)[7], unsigned n, int64_t *ret);

/* Wait until the u32 at word reads want: spin, then sleep on the futex
 * (setting *sleeping meanwhile, if not NULL). Checks every so often that
 * the stub is alive; -ESRCH when it died. */
int systrap_wait(pid_t pid, volatile uint32_t *word, uint32_t want,
		 volatile uint32_t *sleeping);
/* FUTEX_WAKE (shared) one waiter of word. */
void systrap_wake(volatile uint32_t *word);

/* Write the guest thread's and the map thread's seccomp programs into the
 * control page (sentry view ctl); msg_addr is the guest thread's message
 * page in the stub. */
int systrap_filters_write(volatile uint8_t *ctl, uint64_t base, uint64_t msg_addr);
