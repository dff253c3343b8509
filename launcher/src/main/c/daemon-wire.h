/* The client side of the daemon's socket, shared by the CNI shim (cni-shim.c) and the CLI (patchbay-cli.c): see daemon-wire.c. */
#ifndef PATCHBAY_DAEMON_WIRE_H
#define PATCHBAY_DAEMON_WIRE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WIRE_V3 (-3)           /* DaemonSocket.WIRE_V3: a negative first int announces a versioned frame */
#define WIRE_V4 (-4)           /* DaemonSocket.WIRE_V4: version 3 whose reply may carry WIRE_OUTPUT frames (the CLI's) */
#define WIRE_PROGRESS 0        /* DaemonSocket.PROGRESS: the daemon has the request, or is still on it */
#define WIRE_REPLY 1           /* DaemonSocket.REPLY: the reply follows */
#define WIRE_OUTPUT 2          /* DaemonSocket.OUTPUT: a streaming command's output: an int stream (1, 2), a string */
#define WIRE_MAX_STRING (64u << 20) /* DaemonFrameReader.MAX_REPLY_STRING: the longest string of a reply */
#define WIRE_SILENCE_S 10      /* DaemonSocket.SILENCE_MS: the longest wait for the daemon's next byte */

int write_all(int fd, const char *p, size_t n);

/* The daemon's socket of the namespace we run in (DaemonSocket.path()) and the namespace's name ("net:[INODE]"). */
int daemon_socket_path(char *path, size_t size, char *netns, size_t netns_size);

enum { CONNECTED, NO_DAEMON, UNTRUSTED, UNTRUSTED_PEER, FAILED, SILENT };

/* Who serves a socket (SO_PEERCRED): set when connect_daemon returns UNTRUSTED_PEER. */
struct peer { pid_t pid; uid_t uid; };

/*
 * Connects to the daemon at `path` if it is to be trusted: CONNECTED with *fd, a socket whose every connect, send and
 * read waits at most WIRE_SILENCE_S; NO_DAEMON (none serves, or not ours to reach); UNTRUSTED or UNTRUSTED_PEER with
 * `why` (and `peer`); FAILED with `why`; SILENT (a full backlog for WIRE_SILENCE_S) with `why` = the path.
 */
int connect_daemon(const char *path, int *fd, struct peer *peer, char *why, size_t why_size);

/* A request: big-endian ints and length-prefixed byte strings, as Java's DataOutputStream writes them. */
struct frame { char *p; size_t len, cap; int oom; };
void frame_int(struct frame *f, int32_t v);
void frame_bytes(struct frame *f, const char *s, size_t n);
void frame_string(struct frame *f, const char *s);

/* Sends the frame whole: 0, or -1 with errno (EAGAIN: the daemon did not read for WIRE_SILENCE_S). */
int send_frame(int fd, const struct frame *f);

/* What came before the reply: the progress bytes, then REPLY. */
enum { AWAIT_REPLY, AWAIT_SILENT, AWAIT_CLOSED, AWAIT_BROKEN };

/*
 * Reads progress bytes up to REPLY: AWAIT_REPLY; AWAIT_SILENT when nothing came for WIRE_SILENCE_S; AWAIT_CLOSED when
 * the daemon closed the connection before its first byte; AWAIT_BROKEN for anything else (end of stream after a
 * progress byte, a read error, a byte that is neither). *heard: a progress byte came. With `output` (a version 4
 * request), WIRE_OUTPUT frames are copied to fd 1 or 2 as they come.
 */
int await_reply(int fd, int *heard, int output);

/* One int of the reply: 0, or -1 with errno (EAGAIN: silence; ECONNRESET: end of stream). */
int read_int(int fd, int32_t *v);

/* One string of the reply (at most WIRE_MAX_STRING): copied to out_fd as it comes (a failed write is ignored). */
int copy_string(int fd, int out_fd);

/* One string of the reply, whole, in a malloc'd buffer: 0, or -1 with errno as read_int. */
int read_string(int fd, char **s, size_t *n);

#endif
