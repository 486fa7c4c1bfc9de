/* fs/procfs/proc_misc.c: the small per-task files (auxv, io, wchan,
 * personality, loginuid, sessionid, schedstat) and a minimal net/
 * (loopback only, no sockets yet: headers of the socket tables), so that
 * programs probing them find Linux's shapes. */
#include "fs/procfs/procfs.h"
#include "sentry/mm/mm.h"

#include <errno.h>
#include <string.h>

static int need_task(const struct proc_inode *pi)
{
	return proc_task_exists(pi->tgid, pi->tid) ? 0 : -ESRCH;
}

int proc_pid_auxv(const struct proc_inode *pi, struct sbuf *sb)
{
	struct mm *mm = proc_task_mm(pi);
	if (!mm)
		return need_task(pi);
	pthread_mutex_lock(&mm->lock);
	size_t n = mm->auxv_len <= sizeof(mm->auxv) / sizeof(mm->auxv[0]) ? mm->auxv_len : 0;
	sbuf_put(sb, mm->auxv, n * sizeof(mm->auxv[0]));
	pthread_mutex_unlock(&mm->lock);
	mm_put(mm);
	return 0;
}

int proc_pid_io(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "rchar: 0\nwchar: 0\nsyscr: 0\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\n"
		      "cancelled_write_bytes: 0\n");
	return need_task(pi);
}

int proc_pid_wchan(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "0");
	return need_task(pi);
}

int proc_pid_personality(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "00000000\n");
	return need_task(pi);
}

int proc_pid_loginuid(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "4294967295");
	return need_task(pi);
}

int proc_pid_schedstat(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "0 0 0\n");
	return need_task(pi);
}

static int net_dev(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "Inter-|   Receive                                                |  Transmit\n"
		      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
		      "packets errs drop fifo colls carrier compressed\n"
		      "    lo:       0       0    0    0    0     0          0         0        0"
		      "       0    0    0    0     0       0          0\n");
	return need_task(pi);
}

static int net_tcp(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
		      "retrnsmt   uid  timeout inode\n");
	return need_task(pi);
}

static int net_tcp6(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "  sl  local_address                         remote_address                "
		      "        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	return need_task(pi);
}

static int net_udp(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
		      "retrnsmt   uid  timeout inode ref pointer drops\n");
	return need_task(pi);
}

static int net_udp6(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "  sl  local_address                         remote_address                "
		      "        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
		      "pointer drops\n");
	return need_task(pi);
}

static int net_unix(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	return need_task(pi);
}

static int net_route(const struct proc_inode *pi, struct sbuf *sb)
{
	sbuf_puts(sb, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
		      "\tWindow\tIRTT                                                       \n");
	return need_task(pi);
}

static int net_empty(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)sb;
	return need_task(pi);
}

const struct proc_entry proc_net_children[PROC_NET_N] = {
	PROC_REG("dev", net_dev),
	PROC_REG("if_inet6", net_empty),
	PROC_REG("route", net_route),
	PROC_REG("tcp", net_tcp),
	PROC_REG("tcp6", net_tcp6),
	PROC_REG("udp", net_udp),
	PROC_REG("udp6", net_udp6),
	PROC_REG("unix", net_unix),
};
