/*
 * The client side of the daemon's socket, shared by the CNI shim (cni-shim.c) and the CLI (patchbay-cli.c): where the
 * namespace's daemon listens, whether to trust it, the version 3 frame (dev.patchbay.launcher.DaemonSocket) and the
 * progress bytes that come before a reply. Every connect, send and read waits at most WIRE_SILENCE_S for the daemon,
 * which sends a progress byte as soon as it has a request and every 2 s until the reply: only a daemon that does not
 * read (stopped, hung) runs into the deadline, a long request does not.
 */
#define _GNU_SOURCE
#include "daemon-wire.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

/* `path` as Java's Path.of writes it: no repeated slash, none at the end (but "/" itself). */
static void normalize(char *path) {
    char *w = path;
    for (const char *r = path; *r; r++)
        if (!(*r == '/' && w > path && w[-1] == '/')) *w++ = *r;
    if (w > path + 1 && w[-1] == '/') w--;
    *w = '\0';
}

int daemon_socket_path(char *path, size_t size, char *netns, size_t netns_size) {
    ssize_t n = readlink("/proc/self/ns/net", netns, netns_size - 1);
    if (n <= 0) return -1;
    netns[n] = '\0'; /* "net:[4026531840]" */
    char digits[32];
    size_t d = 0;
    for (ssize_t i = 0; i < n && d < sizeof digits - 1; i++)
        if (netns[i] >= '0' && netns[i] <= '9') digits[d++] = netns[i];
    digits[d] = '\0';
    const char *dir = getenv("PATCHBAY_RUN_DIR");
    if (!dir || !*dir) dir = "/run/patchbay";
    int w = snprintf(path, size, "%s/net-%s.sock", dir, digits);
    if (w <= 0 || (size_t) w >= size) return -1;
    normalize(path);
    return 0;
}

/* The folder holding `path`, absolute (Java's sock.toAbsolutePath().getParent()). */
static int folder_of(const char *path, char *dir, size_t size) {
    char cwd[PATH_MAX] = "";
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd)) return -1;
    const char *slash = strrchr(path, '/');
    size_t keep = !slash ? 0 : slash == path ? 1 : (size_t) (slash - path);
    const char *sep = cwd[0] && !(cwd[0] == '/' && !cwd[1]) && keep ? "/" : "";
    int w = snprintf(dir, size, "%s%s%.*s", cwd, sep, (int) keep, path);
    return w > 0 && (size_t) w < size ? 0 : -1;
}

/*
 * Trusts the daemon only when the socket is root's, in a folder only root can write (so nobody else can have put it
 * there or swap it), and the process listening is root's (SO_PEERCRED). A symbolic link is not a socket.
 */
int connect_daemon(const char *path, int *fd, struct peer *peer, char *why, size_t why_size) {
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == EACCES) return NO_DAEMON; /* EACCES: not root, see below */
        snprintf(why, why_size, "cannot inspect %s: %s", path, strerror(errno));
        return FAILED;
    }
    if (!S_ISSOCK(st.st_mode) || st.st_uid != 0) {
        snprintf(why, why_size, "refusing %s: not a socket owned by root (uid %u)", path, (unsigned) st.st_uid);
        return UNTRUSTED;
    }
    char dir[PATH_MAX];
    if (folder_of(path, dir, sizeof dir) != 0) {
        snprintf(why, why_size, "cannot name the folder of %s", path);
        return FAILED;
    }
    if (stat(dir, &st) != 0) {
        snprintf(why, why_size, "cannot inspect %s: %s", dir, strerror(errno));
        return FAILED;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0) {
        snprintf(why, why_size, "refusing %s: its folder %s is not root's alone (owner uid %u, mode %03o)", path, dir,
                 (unsigned) st.st_uid, (unsigned) (st.st_mode & 0777));
        return UNTRUSTED;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        snprintf(why, why_size, "socket path too long: %s", path);
        return FAILED;
    }
    strcpy(addr.sun_path, path);
    *fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*fd < 0) {
        snprintf(why, why_size, "socket: %s", strerror(errno));
        return FAILED;
    }
    /* every connect, send and read waits at most WIRE_SILENCE_S (a full backlog: connect waits for the send timeout) */
    struct timeval silence = {.tv_sec = WIRE_SILENCE_S};
    if (setsockopt(*fd, SOL_SOCKET, SO_SNDTIMEO, &silence, sizeof silence) != 0
        || setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &silence, sizeof silence) != 0) {
        snprintf(why, why_size, "setsockopt: %s", strerror(errno));
        close(*fd);
        return FAILED;
    }
    if (connect(*fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        int e = errno;
        close(*fd);
        if (e == EAGAIN || e == EWOULDBLOCK || e == EINPROGRESS) {
            snprintf(why, why_size, "%s", path);
            return SILENT;
        }
        /* stale socket of a dead daemon; EACCES: we are not root, the daemon is not ours to use */
        if (e == ECONNREFUSED || e == ENOENT || e == EACCES) return NO_DAEMON;
        snprintf(why, why_size, "cannot connect to %s: %s", path, strerror(e));
        return FAILED;
    }
    struct ucred cred = {.pid = 0, .uid = (uid_t) -1, .gid = (gid_t) -1};
    socklen_t len = sizeof cred;
    if (getsockopt(*fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != 0) {
        peer->pid = cred.pid;
        peer->uid = cred.uid;
        snprintf(why, why_size, "refusing %s: the process serving it (pid %d) is not root's (uid %u)", path,
                 (int) cred.pid, (unsigned) cred.uid);
        close(*fd);
        return UNTRUSTED_PEER;
    }
    return CONNECTED;
}

static void put(struct frame *f, const void *data, size_t n) {
    if (f->len + n > f->cap) {
        size_t cap = f->cap ? f->cap : 65536;
        while (cap < f->len + n) cap *= 2;
        char *more = realloc(f->p, cap);
        if (!more) { f->oom = 1; return; }
        f->p = more;
        f->cap = cap;
    }
    memcpy(f->p + f->len, data, n);
    f->len += n;
}

void frame_int(struct frame *f, int32_t v) {
    uint32_t u = (uint32_t) v;
    unsigned char b[4] = {(unsigned char) (u >> 24), (unsigned char) (u >> 16), (unsigned char) (u >> 8), (unsigned char) u};
    put(f, b, 4);
}

void frame_bytes(struct frame *f, const char *s, size_t n) {
    frame_int(f, (int32_t) n);
    put(f, s, n);
}

void frame_string(struct frame *f, const char *s) {
    frame_bytes(f, s, strlen(s));
}

int send_frame(int fd, const struct frame *f) {
    size_t off = 0;
    while (off < f->len) {
        ssize_t w = send(fd, f->p + off, f->len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EPIPE;
            return -1;
        }
        off += (size_t) w;
    }
    return 0;
}

int await_reply(int fd, int *heard, int output) {
    *heard = 0;
    for (;;) {
        unsigned char b;
        ssize_t r = read(fd, &b, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return AWAIT_SILENT;
        if (r == 0 && !*heard) return AWAIT_CLOSED;
        if (r > 0 && b == WIRE_OUTPUT && output) {
            int32_t stream;
            if (read_int(fd, &stream) != 0) return errno == EAGAIN || errno == EWOULDBLOCK ? AWAIT_SILENT : AWAIT_BROKEN;
            if (copy_string(fd, stream == 2 ? 2 : 1) != 0) return errno == EAGAIN || errno == EWOULDBLOCK ? AWAIT_SILENT : AWAIT_BROKEN;
            *heard = 1;
            continue;
        }
        if (r <= 0 || b > WIRE_REPLY) return AWAIT_BROKEN;
        if (b == WIRE_REPLY) return AWAIT_REPLY;
        *heard = 1;
    }
}

static int read_exact(int fd, void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r == 0) errno = ECONNRESET;
            return -1;
        }
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

int read_int(int fd, int32_t *v) {
    unsigned char b[4];
    if (read_exact(fd, b, 4) != 0) return -1;
    *v = (int32_t) ((uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3]);
    return 0;
}

static int string_length(int fd, int32_t *n) {
    if (read_int(fd, n) != 0) return -1;
    if (*n < 0 || (uint32_t) *n > WIRE_MAX_STRING) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

int copy_string(int fd, int out_fd) {
    int32_t n;
    if (string_length(fd, &n) != 0) return -1;
    char buf[65536];
    while (n > 0) {
        size_t chunk = (size_t) n < sizeof buf ? (size_t) n : sizeof buf;
        if (read_exact(fd, buf, chunk) != 0) return -1;
        write_all(out_fd, buf, chunk); /* a closed stdout must not stop us from reading the exit code */
        n -= (int32_t) chunk;
    }
    return 0;
}

int read_string(int fd, char **s, size_t *n) {
    int32_t len;
    if (string_length(fd, &len) != 0) return -1;
    *s = malloc((size_t) len + 1);
    if (!*s) return -1;
    *n = (size_t) len;
    if (read_exact(fd, *s, *n) != 0) {
        free(*s);
        *s = NULL;
        return -1;
    }
    return 0;
}
