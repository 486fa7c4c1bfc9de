/* sentry/kernel/errno_name.c: errno and signal names (see errno_name.h).
 * The numbers are the Linux x86-64 ones, written out here rather than
 * taken from the host's headers: they describe the guest ABI. */
#include "sentry/kernel/errno_name.h"
#include "sentry/kernel/errno_restart.h"

#include <stddef.h>

struct errno_entry {
	const char *name;
	const char *desc;
};

#define E(n, name, desc) [n] = { #name, desc }

static const struct errno_entry errnos[] = {
	E(1, EPERM, "Operation not permitted"),
	E(2, ENOENT, "No such file or directory"),
	E(3, ESRCH, "No such process"),
	E(4, EINTR, "Interrupted system call"),
	E(5, EIO, "Input/output error"),
	E(6, ENXIO, "No such device or address"),
	E(7, E2BIG, "Argument list too long"),
	E(8, ENOEXEC, "Exec format error"),
	E(9, EBADF, "Bad file descriptor"),
	E(10, ECHILD, "No child processes"),
	E(11, EAGAIN, "Resource temporarily unavailable"),
	E(12, ENOMEM, "Cannot allocate memory"),
	E(13, EACCES, "Permission denied"),
	E(14, EFAULT, "Bad address"),
	E(15, ENOTBLK, "Block device required"),
	E(16, EBUSY, "Device or resource busy"),
	E(17, EEXIST, "File exists"),
	E(18, EXDEV, "Invalid cross-device link"),
	E(19, ENODEV, "No such device"),
	E(20, ENOTDIR, "Not a directory"),
	E(21, EISDIR, "Is a directory"),
	E(22, EINVAL, "Invalid argument"),
	E(23, ENFILE, "Too many open files in system"),
	E(24, EMFILE, "Too many open files"),
	E(25, ENOTTY, "Inappropriate ioctl for device"),
	E(26, ETXTBSY, "Text file busy"),
	E(27, EFBIG, "File too large"),
	E(28, ENOSPC, "No space left on device"),
	E(29, ESPIPE, "Illegal seek"),
	E(30, EROFS, "Read-only file system"),
	E(31, EMLINK, "Too many links"),
	E(32, EPIPE, "Broken pipe"),
	E(33, EDOM, "Numerical argument out of domain"),
	E(34, ERANGE, "Numerical result out of range"),
	E(35, EDEADLK, "Resource deadlock avoided"),
	E(36, ENAMETOOLONG, "File name too long"),
	E(37, ENOLCK, "No locks available"),
	E(38, ENOSYS, "Function not implemented"),
	E(39, ENOTEMPTY, "Directory not empty"),
	E(40, ELOOP, "Too many levels of symbolic links"),
	/* 41: EWOULDBLOCK is EAGAIN */
	E(42, ENOMSG, "No message of desired type"),
	E(43, EIDRM, "Identifier removed"),
	E(44, ECHRNG, "Channel number out of range"),
	E(45, EL2NSYNC, "Level 2 not synchronized"),
	E(46, EL3HLT, "Level 3 halted"),
	E(47, EL3RST, "Level 3 reset"),
	E(48, ELNRNG, "Link number out of range"),
	E(49, EUNATCH, "Protocol driver not attached"),
	E(50, ENOCSI, "No CSI structure available"),
	E(51, EL2HLT, "Level 2 halted"),
	E(52, EBADE, "Invalid exchange"),
	E(53, EBADR, "Invalid request descriptor"),
	E(54, EXFULL, "Exchange full"),
	E(55, ENOANO, "No anode"),
	E(56, EBADRQC, "Invalid request code"),
	E(57, EBADSLT, "Invalid slot"),
	/* 58: EDEADLOCK is EDEADLK */
	E(59, EBFONT, "Bad font file format"),
	E(60, ENOSTR, "Device not a stream"),
	E(61, ENODATA, "No data available"),
	E(62, ETIME, "Timer expired"),
	E(63, ENOSR, "Out of streams resources"),
	E(64, ENONET, "Machine is not on the network"),
	E(65, ENOPKG, "Package not installed"),
	E(66, EREMOTE, "Object is remote"),
	E(67, ENOLINK, "Link has been severed"),
	E(68, EADV, "Advertise error"),
	E(69, ESRMNT, "Srmount error"),
	E(70, ECOMM, "Communication error on send"),
	E(71, EPROTO, "Protocol error"),
	E(72, EMULTIHOP, "Multihop attempted"),
	E(73, EDOTDOT, "RFS specific error"),
	E(74, EBADMSG, "Bad message"),
	E(75, EOVERFLOW, "Value too large for defined data type"),
	E(76, ENOTUNIQ, "Name not unique on network"),
	E(77, EBADFD, "File descriptor in bad state"),
	E(78, EREMCHG, "Remote address changed"),
	E(79, ELIBACC, "Can not access a needed shared library"),
	E(80, ELIBBAD, "Accessing a corrupted shared library"),
	E(81, ELIBSCN, ".lib section in a.out corrupted"),
	E(82, ELIBMAX, "Attempting to link in too many shared libraries"),
	E(83, ELIBEXEC, "Cannot exec a shared library directly"),
	E(84, EILSEQ, "Invalid or incomplete multibyte or wide character"),
	E(85, ERESTART, "Interrupted system call should be restarted"),
	E(86, ESTRPIPE, "Streams pipe error"),
	E(87, EUSERS, "Too many users"),
	E(88, ENOTSOCK, "Socket operation on non-socket"),
	E(89, EDESTADDRREQ, "Destination address required"),
	E(90, EMSGSIZE, "Message too long"),
	E(91, EPROTOTYPE, "Protocol wrong type for socket"),
	E(92, ENOPROTOOPT, "Protocol not available"),
	E(93, EPROTONOSUPPORT, "Protocol not supported"),
	E(94, ESOCKTNOSUPPORT, "Socket type not supported"),
	E(95, EOPNOTSUPP, "Operation not supported"),
	E(96, EPFNOSUPPORT, "Protocol family not supported"),
	E(97, EAFNOSUPPORT, "Address family not supported by protocol"),
	E(98, EADDRINUSE, "Address already in use"),
	E(99, EADDRNOTAVAIL, "Cannot assign requested address"),
	E(100, ENETDOWN, "Network is down"),
	E(101, ENETUNREACH, "Network is unreachable"),
	E(102, ENETRESET, "Network dropped connection on reset"),
	E(103, ECONNABORTED, "Software caused connection abort"),
	E(104, ECONNRESET, "Connection reset by peer"),
	E(105, ENOBUFS, "No buffer space available"),
	E(106, EISCONN, "Transport endpoint is already connected"),
	E(107, ENOTCONN, "Transport endpoint is not connected"),
	E(108, ESHUTDOWN, "Cannot send after transport endpoint shutdown"),
	E(109, ETOOMANYREFS, "Too many references: cannot splice"),
	E(110, ETIMEDOUT, "Connection timed out"),
	E(111, ECONNREFUSED, "Connection refused"),
	E(112, EHOSTDOWN, "Host is down"),
	E(113, EHOSTUNREACH, "No route to host"),
	E(114, EALREADY, "Operation already in progress"),
	E(115, EINPROGRESS, "Operation now in progress"),
	E(116, ESTALE, "Stale file handle"),
	E(117, EUCLEAN, "Structure needs cleaning"),
	E(118, ENOTNAM, "Not a XENIX named type file"),
	E(119, ENAVAIL, "No XENIX semaphores available"),
	E(120, EISNAM, "Is a named type file"),
	E(121, EREMOTEIO, "Remote I/O error"),
	E(122, EDQUOT, "Disk quota exceeded"),
	E(123, ENOMEDIUM, "No medium found"),
	E(124, EMEDIUMTYPE, "Wrong medium type"),
	E(125, ECANCELED, "Operation canceled"),
	E(126, ENOKEY, "Required key not available"),
	E(127, EKEYEXPIRED, "Key has expired"),
	E(128, EKEYREVOKED, "Key has been revoked"),
	E(129, EKEYREJECTED, "Key was rejected by service"),
	E(130, EOWNERDEAD, "Owner died"),
	E(131, ENOTRECOVERABLE, "State not recoverable"),
	E(132, ERFKILL, "Operation not possible due to RF-kill"),
	E(133, EHWPOISON, "Memory page has hardware error"),
};

/* The restart codes, in strace's words. */
static const struct errno_entry restarts[] = {
	E(ERESTARTSYS - 512, ERESTARTSYS, "To be restarted if SA_RESTART is set"),
	E(ERESTARTNOINTR - 512, ERESTARTNOINTR, "To be restarted"),
	E(ERESTARTNOHAND - 512, ERESTARTNOHAND, "To be restarted if no handler"),
	E(ERESTART_RESTARTBLOCK - 512, ERESTART_RESTARTBLOCK, "Interrupted by signal"),
};

#undef E

static const struct errno_entry *errno_lookup(int err)
{
	if (err > 0 && (size_t)err < sizeof(errnos) / sizeof(errnos[0]))
		return &errnos[err];
	if (err >= 512 && (size_t)(err - 512) < sizeof(restarts) / sizeof(restarts[0]))
		return &restarts[err - 512];
	return NULL;
}

const char *errno_name(int err)
{
	const struct errno_entry *e = errno_lookup(err);
	return e ? e->name : NULL;
}

const char *errno_desc(int err)
{
	const struct errno_entry *e = errno_lookup(err);
	return e ? e->desc : NULL;
}

#define RT(n) [32 + n] = "SIGRTMIN+" #n

static const char *const signals[] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL",
	[5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
	[9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2",
	[13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM", [16] = "SIGSTKFLT",
	[17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU",
	[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
	[29] = "SIGIO", [30] = "SIGPWR", [31] = "SIGSYS", [32] = "SIGRTMIN",
	RT(1), RT(2), RT(3), RT(4), RT(5), RT(6), RT(7), RT(8),
	RT(9), RT(10), RT(11), RT(12), RT(13), RT(14), RT(15), RT(16),
	RT(17), RT(18), RT(19), RT(20), RT(21), RT(22), RT(23), RT(24),
	RT(25), RT(26), RT(27), RT(28), RT(29), RT(30), RT(31), RT(32),
};

#undef RT

const char *signal_name(int sig)
{
	if (sig > 0 && (size_t)sig < sizeof(signals) / sizeof(signals[0]))
		return signals[sig];
	return NULL;
}
