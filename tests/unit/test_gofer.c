/* Unit tests of the gofer (gofer/) and its client (fs/goferfs/client.c)
 * over a real socketpair, the gofer running in a child process on a
 * scratch directory: walks, opens and fd donation, readlink, hostile
 * names ("..", ".", "a/b"), malformed messages, symlinks that must not be
 * followed, host fifos, read-only exports, a gofer that sends garbage and
 * one that dies (-EIO, never a crash); the attributes a change's reply
 * carries; clunks batched into the next request (CLUNKN); WALKN (chains, a cached prefix,
 * where it stops, the open it adds, the names it refuses). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/goferfs/goferfs.h"
#include "gofer/gofer.h"

static char dir[64];
static pid_t child;
static int sock;

static void make_tree(void)
{
	strcpy(dir, "/tmp/cvisor-gofer-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char p[128];
	snprintf(p, sizeof(p), "%s/f", dir);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs("hello", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/d", dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/l", dir);
	cr_assert_eq(symlink("../../etc/passwd", p), 0);
	snprintf(p, sizeof(p), "%s/p", dir);
	cr_assert_eq(mkfifo(p, 0644), 0);
}

static void start(const char *mode)
{
	make_tree();
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	child = fork();
	cr_assert_neq(child, -1);
	if (child == 0) {
		close(sv[0]);
		char fd[16], exp[128];
		snprintf(fd, sizeof(fd), "%d", sv[1]);
		snprintf(exp, sizeof(exp), "%s:%s", mode, dir);
		char *argv[] = { "gofer", fd, exp, NULL };
		_exit(gofer_main(3, argv));
	}
	close(sv[1]);
	sock = sv[0];
	gofer_client_set_fd(sock);
}

static void start_rw(void) { start("rw"); }
static void start_ro(void) { start("ro"); }

static void stop(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", dir);
}

static uint64_t attach(void)
{
	struct gofer_req req = { .op = GOFER_ATTACH, .arg = 0 };
	struct gofer_resp resp;
	cr_assert_eq(gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL), 0);
	cr_assert(S_ISDIR(resp.st.mode));
	return resp.fid;
}

static int walk(uint64_t fid, const char *name, struct gofer_resp *resp)
{
	struct gofer_req req = { .op = GOFER_WALK, .fid = fid };
	return gofer_call(&req, name, NULL, resp, NULL, 0, NULL);
}

static int open_fid(uint64_t fid, int flags, int *fd)
{
	struct gofer_req req = { .op = GOFER_OPEN, .fid = fid, .flags = (uint32_t)flags };
	struct gofer_resp resp;
	return gofer_call(&req, NULL, NULL, &resp, NULL, 0, fd);
}

Test(gofer, walk_open_read, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	cr_assert_eq(walk(root, "f", &resp), 0);
	cr_assert(S_ISREG(resp.st.mode));
	cr_assert_eq(resp.st.size, 5);
	int fd;
	cr_assert_eq(open_fid(resp.fid, O_RDONLY, &fd), 0);
	cr_assert_geq(fd, 0);
	char buf[8] = { 0 };
	cr_assert_eq(pread(fd, buf, sizeof(buf), 0), 5);
	cr_assert_str_eq(buf, "hello");
	close(fd);
	cr_assert_eq(walk(root, "missing", &resp), -ENOENT);
}

Test(gofer, hostile_names, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	cr_assert_eq(walk(root, "..", &resp), -EINVAL);
	cr_assert_eq(walk(root, ".", &resp), -EINVAL);
	cr_assert_eq(walk(root, "d/../..", &resp), -EINVAL);
	cr_assert_eq(walk(root, "/etc", &resp), -EINVAL);
	struct gofer_req req = { .op = GOFER_WALK, .fid = root };
	cr_assert_eq(gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL), -EINVAL);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	cr_assert_eq(walk(root, longname, &resp), -ENAMETOOLONG);
	/* The rename's second name is checked too; a bad fid is EBADF. */
	struct gofer_req rn = { .op = GOFER_RENAME, .fid = root, .fid2 = root };
	cr_assert_eq(gofer_call(&rn, "f", "../f", &resp, NULL, 0, NULL), -EINVAL);
	cr_assert_eq(walk(12345, "f", &resp), -EBADF);
	/* Still serving. */
	cr_assert_eq(walk(root, "f", &resp), 0);
}

Test(gofer, malformed_message, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	/* A name length beyond the message, then a message too short. */
	struct gofer_req req = { .op = GOFER_WALK, .fid = root, .namelen = 200 };
	char msg[sizeof(req) + 4];
	memcpy(msg, &req, sizeof(req));
	memcpy(msg + sizeof(req), "abc", 4);
	cr_assert_eq(send(sock, msg, sizeof(msg), 0), (ssize_t)sizeof(msg));
	struct gofer_resp resp;
	cr_assert_eq(recv(sock, &resp, sizeof(resp), 0), (ssize_t)sizeof(resp));
	cr_assert_eq(resp.err, -EINVAL);
	cr_assert_eq(send(sock, "xy", 2, 0), 2);
	cr_assert_eq(recv(sock, &resp, sizeof(resp), 0), (ssize_t)sizeof(resp));
	cr_assert_eq(resp.err, -EINVAL);
	/* A name with a NUL inside. */
	req.namelen = 3;
	memcpy(msg, &req, sizeof(req));
	memcpy(msg + sizeof(req), "a\0b", 4);
	cr_assert_eq(send(sock, msg, sizeof(req) + 4, 0), (ssize_t)(sizeof(req) + 4));
	cr_assert_eq(recv(sock, &resp, sizeof(resp), 0), (ssize_t)sizeof(resp));
	cr_assert_eq(resp.err, -EINVAL);
	cr_assert_eq(walk(root, "f", &resp), 0);
}

Test(gofer, symlinks_not_followed, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	cr_assert_eq(walk(root, "l", &resp), 0);
	cr_assert(S_ISLNK(resp.st.mode));
	uint64_t l = resp.fid;
	int fd;
	cr_assert_eq(open_fid(l, O_RDONLY, &fd), -ELOOP);
	cr_assert_eq(walk(l, "passwd", &resp), -ENOTDIR);
	char buf[PATH_MAX];
	struct gofer_req req = { .op = GOFER_READLINK, .fid = l };
	cr_assert_eq(gofer_call(&req, NULL, NULL, &resp, buf, sizeof(buf), NULL), 0);
	cr_assert_eq(resp.datalen, strlen("../../etc/passwd"));
	cr_assert_eq(memcmp(buf, "../../etc/passwd", resp.datalen), 0);
}

Test(gofer, no_host_fifos, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	cr_assert_eq(walk(root, "p", &resp), 0);
	int fd;
	cr_assert_eq(open_fid(resp.fid, O_RDONLY, &fd), -ENXIO);
}

Test(gofer, create_and_remove, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	struct gofer_req req = { .op = GOFER_CREATE, .fid = root, .flags = O_RDWR, .mode = 0600 };
	int fd;
	/* A change's reply carries the attributes afterwards of what it
	 * changed: here the directory. */
	struct gofer_stat after[3];
	struct stat st;
	cr_assert_eq(gofer_call(&req, "new", NULL, &resp, after, sizeof(after), &fd), 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(resp.datalen, sizeof(after[0]));
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(after[0].ino, st.st_ino);
	cr_assert_eq(after[0].mtime_sec, st.st_mtim.tv_sec);
	cr_assert_eq(after[0].mtime_nsec, st.st_mtim.tv_nsec);
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
	char p[128];
	snprintf(p, sizeof(p), "%s/new", dir);
	cr_assert_eq(access(p, F_OK), 0);
	cr_assert_eq(gofer_call(&req, "new", NULL, &resp, after, sizeof(after), &fd), -EEXIST);
	/* A second name: LINK reports the directory too. */
	cr_assert_eq(walk(root, "new", &resp), 0);
	uint64_t newfid = resp.fid;
	struct gofer_req ln = { .op = GOFER_LINK, .fid = root, .fid2 = newfid };
	cr_assert_eq(gofer_call(&ln, "new2", NULL, &resp, after, sizeof(after), NULL), 0);
	cr_assert_eq(resp.st.nlink, 2);
	cr_assert_eq(resp.datalen, sizeof(after[0]));
	/* UNLINK: the directory, then the removed file (one link left). */
	struct gofer_req un = { .op = GOFER_UNLINK, .fid = root };
	cr_assert_eq(gofer_call(&un, "new", NULL, &resp, after, sizeof(after), NULL), 0);
	cr_assert_eq(access(p, F_OK), -1);
	cr_assert_eq(resp.datalen, 2 * sizeof(after[0]));
	cr_assert_eq(after[0].ino, st.st_ino);
	cr_assert(S_ISREG(after[1].mode));
	cr_assert_eq(after[1].nlink, 1);
	/* RENAME over another file: both directories, then the replaced one. */
	snprintf(p, sizeof(p), "%s/victim", dir);
	FILE *v = fopen(p, "w");
	cr_assert_not_null(v);
	fclose(v);
	struct gofer_req rn = { .op = GOFER_RENAME, .fid = root, .fid2 = root };
	cr_assert_eq(gofer_call(&rn, "new2", "victim", &resp, after, sizeof(after), NULL), 0);
	cr_assert_eq(resp.datalen, 3 * sizeof(after[0]));
	cr_assert_eq(after[1].ino, st.st_ino);
	cr_assert_eq(after[2].nlink, 0);
	/* SETSTAT: the file itself. */
	struct gofer_req ss = { .op = GOFER_SETSTAT, .fid = newfid, .valid = GOFER_SET_MODE,
				.mode = 0640 };
	cr_assert_eq(gofer_call(&ss, NULL, NULL, &resp, after, sizeof(after), NULL), 0);
	cr_assert_eq(resp.datalen, sizeof(after[0]));
	cr_assert_eq(after[0].mode & 07777, 0640);
	/* A caller that takes no data: garbage to it, the connection dies. */
	cr_assert_eq(gofer_call(&ss, NULL, NULL, &resp, NULL, 0, NULL), -EIO);
}

Test(gofer, read_only_export, .init = start_ro, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	cr_assert_eq(walk(root, "f", &resp), 0);
	int fd;
	cr_assert_eq(open_fid(resp.fid, O_WRONLY, &fd), -EROFS);
	cr_assert_eq(open_fid(resp.fid, O_RDONLY | O_TRUNC, &fd), -EROFS);
	struct gofer_req req = { .op = GOFER_CREATE, .fid = root, .flags = O_RDWR, .mode = 0600 };
	cr_assert_eq(gofer_call(&req, "new", NULL, &resp, NULL, 0, &fd), -EROFS);
	struct gofer_req un = { .op = GOFER_UNLINK, .fid = root };
	cr_assert_eq(gofer_call(&un, "f", NULL, &resp, NULL, 0, NULL), -EROFS);
}

Test(gofer, dead_gofer_is_eio, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	child = 0;
	struct gofer_resp resp;
	cr_assert_eq(walk(root, "f", &resp), -EIO);
	cr_assert_eq(walk(root, "f", &resp), -EIO);
}

/* A fake gofer answering every request with bytes that are no reply. */
Test(gofer, garbage_is_eio)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char buf[GOFER_MSG_MAX];
		close(sv[0]);
		for (int i = 0; recv(sv[1], buf, sizeof(buf), 0) > 0; i++) {
			struct gofer_resp r = { .err = 0, .datalen = 1000 + i };
			if (i % 2)
				send(sv[1], "garbage", 7, 0);
			else
				send(sv[1], &r, sizeof(r), 0);
		}
		_exit(0);
	}
	close(sv[1]);
	gofer_client_set_fd(sv[0]);
	struct gofer_req req = { .op = GOFER_ATTACH };
	struct gofer_resp resp;
	cr_assert_eq(gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL), -EIO);
	cr_assert_eq(gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL), -EIO);
	gofer_client_set_fd(sv[0]);	/* a fresh start: the other garbage */
	struct gofer_req w = { .op = GOFER_WALK, .fid = 1 };
	cr_assert_eq(gofer_call(&w, "x", NULL, &resp, NULL, 0, NULL), -EIO);
	close(sv[0]);
	waitpid(pid, NULL, 0);
}

/* --- WALKN: several components in one round trip --- */

static int walkn(uint64_t fid, const char *path, int64_t first, uint32_t flags,
		 struct gofer_resp *resp, struct gofer_walk_ent *ent, int *fd)
{
	static char buf[GOFER_WALKN_MAX * sizeof(struct gofer_walk_ent) + PATH_MAX];
	struct gofer_req req = { .op = GOFER_WALKN, .fid = fid, .arg = first, .flags = flags };
	int r = gofer_call(&req, NULL, path, resp, buf, sizeof(buf), fd);
	if (r == 0)
		memcpy(ent, buf, resp->datalen);
	return r;
}

static void mkpath(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
}

Test(gofer, walkn_chain, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	mkpath("d/e");
	mkpath("d/e/g");
	struct gofer_resp resp;
	struct gofer_walk_ent e[GOFER_WALKN_MAX + 8];
	cr_assert_eq(walkn(root, "d/e/g", 0, 0, &resp, e, NULL), 0);
	cr_assert_eq(resp.arg, 3);
	cr_assert_eq(resp.datalen, 3 * sizeof(e[0]));
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(e[i].err, 0);
		cr_assert(S_ISDIR(e[i].st.mode));
		cr_assert_neq(e[i].fid, 0);
	}
	/* The last fid is g: walk on from it. */
	cr_assert_eq(walk(e[2].fid, "missing", &resp), -ENOENT);
	/* Attributes only below arg: a cached prefix. */
	cr_assert_eq(walkn(root, "d/e/g", 2, 0, &resp, e, NULL), 0);
	cr_assert_eq(resp.arg, 3);
	cr_assert_eq(e[0].fid, 0);
	cr_assert_eq(e[1].fid, 0);
	cr_assert_neq(e[2].fid, 0);
	cr_assert_eq(walkn(root, "d/e/g", 3, 0, &resp, e, NULL), 0);
	cr_assert_eq(e[2].fid, 0);
	cr_assert(S_ISDIR(e[2].st.mode));
}

Test(gofer, walkn_stops, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	mkpath("d/e");
	struct gofer_resp resp;
	struct gofer_walk_ent e[GOFER_WALKN_MAX + 8];
	/* ENOENT at each position: that entry is the last. */
	const char *miss[] = { "x/e/f", "d/x/f", "d/e/x" };
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(walkn(root, miss[i], 0, 0, &resp, e, NULL), 0);
		cr_assert_eq(resp.arg, i + 1, "%s", miss[i]);
		cr_assert_eq(e[i].err, -ENOENT);
		cr_assert_eq(e[i].fid, 0);
	}
	/* A regular file ends the walk (ENOTDIR is the sentry's to say). */
	cr_assert_eq(walkn(root, "f/x/y", 0, 0, &resp, e, NULL), 0);
	cr_assert_eq(resp.arg, 1);
	cr_assert(S_ISREG(e[0].st.mode));
	cr_assert_eq(resp.datalen, sizeof(e[0]));
	/* A symlink too, never followed, with its target after the entries. */
	cr_assert_eq(walkn(root, "l/passwd", 0, 0, &resp, e, NULL), 0);
	cr_assert_eq(resp.arg, 1);
	cr_assert(S_ISLNK(e[0].st.mode));
	size_t tl = strlen("../../etc/passwd");
	cr_assert_eq(resp.datalen, sizeof(e[0]) + tl);
	cr_assert_eq(memcmp((char *)&e[1], "../../etc/passwd", tl), 0);
	cr_assert_eq(walk(e[0].fid, "passwd", &resp), -ENOTDIR);
}

Test(gofer, walkn_open, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	struct gofer_walk_ent e[GOFER_WALKN_MAX + 8];
	int fd;
	cr_assert_eq(walkn(root, "f", 0, GOFER_WALK_OPEN, &resp, e, &fd), 0);
	cr_assert_geq(fd, 0);
	char buf[8] = { 0 };
	cr_assert_eq(pread(fd, buf, sizeof(buf), 0), 5);
	cr_assert_str_eq(buf, "hello");
	cr_assert_eq(write(fd, "x", 1), -1, "read-only");
	close(fd);
	/* Nothing to open: a directory, a fifo, a symlink, a missing name. */
	const char *none[] = { "d", "p", "l", "zz" };
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(walkn(root, none[i], 0, GOFER_WALK_OPEN, &resp, e, &fd), 0);
		cr_assert_eq(fd, -1, "%s", none[i]);
	}
}

Test(gofer, walkn_hostile, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	struct gofer_walk_ent e[GOFER_WALKN_MAX + 8];
	const char *bad[] = { "..", ".", "d/..", "d/./x", "/d", "d/", "d//x", "../f",
			      "d/../../etc" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(walkn(root, bad[i], 0, 0, &resp, e, NULL), -EINVAL, "%s", bad[i]);
	struct gofer_req req = { .op = GOFER_WALKN, .fid = root };
	cr_assert_eq(gofer_call(&req, NULL, NULL, &resp, NULL, 0, NULL), -EINVAL);
	cr_assert_eq(walkn(root, "d", 2, 0, &resp, e, NULL), -EINVAL);
	cr_assert_eq(walkn(root, "d", -1, 0, &resp, e, NULL), -EINVAL);
	cr_assert_eq(walkn(12345, "d", 0, 0, &resp, e, NULL), -EBADF);
	/* Names of 255 bytes pass, 256 do not; GOFER_WALKN_MAX names at most. */
	char p[PATH_MAX];
	memset(p, 'a', 255);
	p[255] = 0;
	cr_assert_eq(walkn(root, p, 0, 0, &resp, e, NULL), 0);
	cr_assert_eq(e[0].err, -ENOENT);
	memset(p, 'a', 256);
	p[256] = 0;
	cr_assert_eq(walkn(root, p, 0, 0, &resp, e, NULL), -EINVAL);
	size_t l = 0;
	for (int i = 0; i < GOFER_WALKN_MAX; i++)
		l += (size_t)snprintf(p + l, sizeof(p) - l, i ? "/x" : "x");
	cr_assert_eq(walkn(root, p, 0, 0, &resp, e, NULL), 0);
	cr_assert_eq(resp.arg, 1);
	snprintf(p + l, sizeof(p) - l, "/x");
	cr_assert_eq(walkn(root, p, 0, 0, &resp, e, NULL), -EINVAL);
	/* Still serving. */
	cr_assert_eq(walk(root, "f", &resp), 0);
}

Test(gofer, walkn_siblings, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	struct gofer_walk_ent e[GOFER_WALKN_MAX + 8];
	/* Each name from the directory itself; errors do not stop it. */
	cr_assert_eq(walkn(root, "d/zz/f/l", 0, GOFER_WALK_SIBLINGS, &resp, e, NULL), 0);
	cr_assert_eq(resp.arg, 4);
	cr_assert_eq(resp.datalen, 4 * sizeof(e[0]));
	cr_assert(S_ISDIR(e[0].st.mode) && e[0].fid);
	cr_assert_eq(e[1].err, -ENOENT);
	cr_assert_eq(e[1].fid, 0);
	cr_assert(S_ISREG(e[2].st.mode) && e[2].fid);
	cr_assert(S_ISLNK(e[3].st.mode) && e[3].fid);
	/* Never below one another: "d" then "f" is not d/f. */
	cr_assert_eq(walkn(root, "d/d", 0, GOFER_WALK_SIBLINGS, &resp, e, NULL), 0);
	cr_assert_eq(e[1].err, 0);
	cr_assert_eq(e[1].st.ino, e[0].st.ino);
	/* No open, no attributes-only prefix with it; the names checked. */
	cr_assert_eq(walkn(root, "f", 0, GOFER_WALK_SIBLINGS | GOFER_WALK_OPEN, &resp, e, NULL),
		     -EINVAL);
	cr_assert_eq(walkn(root, "d/f", 1, GOFER_WALK_SIBLINGS, &resp, e, NULL), -EINVAL);
	cr_assert_eq(walkn(root, "d/..", 0, GOFER_WALK_SIBLINGS, &resp, e, NULL), -EINVAL);
}

Test(gofer, clunks_wait_for_the_next_request, .init = start_rw, .fini = stop)
{
	uint64_t root = attach();
	struct gofer_resp resp;
	cr_assert_eq(walk(root, "f", &resp), 0);
	uint64_t f = resp.fid;
	cr_assert_eq(walk(root, "d", &resp), 0);
	uint64_t d = resp.fid;
	gofer_client_clunk(f);
	gofer_client_clunk(d);
	gofer_client_clunk(99999);	/* unknown: skipped */
	/* Sent with this request: both fids are gone by its turn. */
	struct gofer_req st = { .op = GOFER_STAT, .fid = f };
	cr_assert_eq(gofer_call(&st, NULL, NULL, &resp, NULL, 0, NULL), -EBADF);
	st.fid = d;
	cr_assert_eq(gofer_call(&st, NULL, NULL, &resp, NULL, 0, NULL), -EBADF);
	st.fid = root;
	cr_assert_eq(gofer_call(&st, NULL, NULL, &resp, NULL, 0, NULL), 0);
	/* A full batch goes at once. */
	uint64_t fids[GOFER_CLUNKN_MAX];
	for (int i = 0; i < GOFER_CLUNKN_MAX; i++) {
		cr_assert_eq(walk(root, "f", &resp), 0);
		fids[i] = resp.fid;
	}
	for (int i = 0; i < GOFER_CLUNKN_MAX; i++)
		gofer_client_clunk(fids[i]);
	cr_assert_eq(walk(root, "f", &resp), 0);
	cr_assert_eq(resp.fid, fids[0], "the lowest free fid again");
	/* Malformed lists. */
	const char *bad[] = { "", "x", "1/", "/1", "1//2", "-1", " 1", "1 ",
			      "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gofer_req c = { .op = GOFER_CLUNKN };
		cr_assert_eq(gofer_call(&c, NULL, bad[i][0] ? bad[i] : NULL, &resp, NULL, 0, NULL),
			     -EINVAL, "'%s'", bad[i]);
	}
	struct gofer_req c = { .op = GOFER_CLUNKN };
	cr_assert_eq(gofer_call(&c, NULL, "1", &resp, NULL, 0, NULL), 0);
	cr_assert_eq(walk(root, "f", &resp), -EBADF, "root (fid 1) is gone");
}
