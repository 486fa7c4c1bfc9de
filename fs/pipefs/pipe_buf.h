/* fs/pipefs/pipe_buf.h: the pipe object shared by pipe.c (data, ops) and
 * fifo.c (FIFO opens). Internal to fs/pipefs. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "fs/vfs/waitq.h"

struct inode;

struct pipe {
	pthread_mutex_t lock;	/* everything below but wq */
	char *buf;		/* cap bytes, allocated at the first write */
	size_t cap, head, len;	/* ring: data at head..head+len (mod cap) */
	int readers, writers;	/* open ends (file descriptions) */
	unsigned r_counter, w_counter;	/* opens ever, for FIFO open waits */
	uint64_t ino;
	struct timespec ctime;
	struct inode *fifo;	/* the FIFO inode this pipe serves, or NULL */
	struct waitq wq;
};

/* An open end: which pipe, and the writer count seen at open (a FIFO
 * reader sees POLLHUP only once a writer has come and gone). */
struct pipe_file {
	struct pipe *p;
	unsigned w_seen;
};

/* Private wake bit: an end was opened or closed (FIFO open waits). */
#define PIPE_WAKE_OPEN 0x40000000u

struct pipe *pipe_alloc(void);
void pipe_free(struct pipe *p);
/* A file for one end; the caller has already counted the end. */
struct file *pipe_file_new(struct pipe *p, int flags, unsigned w_seen);
/* An end closes: count it and wake the other side; true when no end is
 * left (the caller frees the pipe). Takes p->lock. */
bool pipe_end_close(struct pipe *p, bool reader, bool writer);
extern const struct file_ops pipe_fops;
/* The ops that FIFO files share with anonymous pipes. */
struct file;
struct task;
struct poll_table;
ssize_t pipe_read(struct file *f, void *buf, size_t len, int64_t *pos);
ssize_t pipe_write(struct file *f, const void *buf, size_t len, int64_t *pos);
uint32_t pipe_poll(struct file *f, struct poll_table *pt);
int64_t pipe_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg);
