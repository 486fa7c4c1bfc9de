/* fs/procfs/sbuf.h: a growable text buffer for generated files (Linux's
 * seq_file buffer): printf-style appends, bounded at SBUF_MAX bytes
 * (beyond it the text is cut and sb->overflow set, never an error). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define SBUF_MAX (16u << 20)

struct sbuf {
	char *buf;
	size_t len, cap;
	bool overflow;
};

void sbuf_init(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
void sbuf_put(struct sbuf *sb, const void *data, size_t len);
void sbuf_puts(struct sbuf *sb, const char *s);
void sbuf_putc(struct sbuf *sb, char c);
__attribute__((format(printf, 2, 3)))
void sbuf_printf(struct sbuf *sb, const char *fmt, ...);
/* Escape as Linux's mangle for /proc/mounts fields: space, tab, newline
 * and backslash become \ooo. */
void sbuf_put_escaped(struct sbuf *sb, const char *s);
