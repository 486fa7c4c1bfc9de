/* fs/procfs/sbuf.c: the generated-text buffer (see sbuf.h). */
#include "fs/procfs/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sbuf_init(struct sbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void sbuf_free(struct sbuf *sb)
{
	free(sb->buf);
	sbuf_init(sb);
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	sb->overflow = false;
}

/* Room for n more bytes (plus a NUL); false if over the bound or ENOMEM. */
static bool sbuf_reserve(struct sbuf *sb, size_t n)
{
	if (sb->overflow)
		return false;
	if (n > SBUF_MAX - sb->len) {
		sb->overflow = true;
		return false;
	}
	size_t need = sb->len + n + 1;
	if (need <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 256;
	while (cap < need)
		cap *= 2;
	char *b = realloc(sb->buf, cap);
	if (!b) {
		sb->overflow = true;
		return false;
	}
	sb->buf = b;
	sb->cap = cap;
	return true;
}

void sbuf_put(struct sbuf *sb, const void *data, size_t len)
{
	if (!sbuf_reserve(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = 0;
}

void sbuf_puts(struct sbuf *sb, const char *s)
{
	sbuf_put(sb, s, strlen(s));
}

void sbuf_putc(struct sbuf *sb, char c)
{
	sbuf_put(sb, &c, 1);
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		sbuf_put(sb, small, (size_t)n);
		return;
	}
	if (!sbuf_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sbuf_put_escaped(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\\')
			sbuf_printf(sb, "\\%03o", c);
		else
			sbuf_putc(sb, (char)c);
	}
}
