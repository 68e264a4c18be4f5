/*
 * netwatch.so: an LD_PRELOAD shim that writes a line to $NETWATCH_LOG for
 * every connect() to an IPv4 or IPv6 address, then connects as asked. The
 * security tests run a program that must never touch the network (e.g.
 * stage-vouchers on a hostile XSD) under it and check the log is empty:
 * unlike a listener, it sees an attempt that never completes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*real)(int, const struct sockaddr *, socklen_t);
	const char *path = getenv("NETWATCH_LOG");
	int saved = errno;
	if (!real)
		real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
	if (path && addr && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) {
		int log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (log >= 0) {
			dprintf(log, "%s: connect, address family %d\n",
				program_invocation_short_name, addr->sa_family);
			close(log);
		}
	}
	errno = saved;
	return real(fd, addr, len);
}
