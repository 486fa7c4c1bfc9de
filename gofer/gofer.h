/* gofer/gofer.h: inside the gofer process: its fid table and the request
 * handlers (gofer/ops.c) that the serving loop (gofer/gofer.c) calls. */
#pragma once
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "gofer/protocol.h"

struct gofer_export {
	const char *path;
	bool ro;
};

struct gofer_fid {
	int fd;		/* O_PATH|O_NOFOLLOW, -1: free */
	bool ro;	/* from a read-only export */
	int8_t kernel;	/* on a host kernel file system: 1, 0, -1 not known yet */
};

struct gofer_state {
	int sock;
	int procfd;	/* /proc/self/fd, to reopen O_PATH fds */
	int done;	/* the launcher's socket: "finished" when the sentry is gone, or -1 */
	struct gofer_export *exports;
	int nexports;
	int *export_fds;
	struct gofer_fid *fids;
	uint64_t nfids;
};

/* Handle one request (name/name2 checked, NUL-terminated or NULL): fill
 * resp (and data, up to GOFER_DATA_MAX bytes) and set *sendfd to an fd to
 * donate (the caller closes it), or leave it -1. */
void gofer_handle(struct gofer_state *g, const struct gofer_req *req,
		  const char *name, const char *name2,
		  struct gofer_resp *resp, char *data, int *sendfd);

/* The gofer role of the cvisor binary. */
int gofer_main(int argc, char **argv);
/* gofer/filter.c: install the gofer's seccomp whitelist (0 or -errno);
 * print it for `cvisor syscalls --host` (returns the syscall count). */
int gofer_filter_install(void);
/* Its lists (at most GOFER_FILTER_LISTS, into l) and default action. */
#define GOFER_FILTER_LISTS 2
#define GOFER_FILTER_ACTION SCMP_ACT_TRAP
struct host_list;
size_t gofer_filter_lists(struct host_list *l);
size_t gofer_filter_print(FILE *out);
