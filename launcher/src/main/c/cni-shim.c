/*
 * patchbay-cni: the executable a container runtime runs for every CNI call (cni/<type> in the distribution).
 *
 * A JVM needs ~35 ms before it does anything, and a runtime calls each plugin of a network at least twice per
 * container just for VERSION, so this small program stands in front of the daemon:
 *   - VERSION is answered here, from constants, contacting nothing;
 *   - every other verb goes to the daemon of the caller's network namespace over its root-only socket (the one the
 *     CLI uses: $PATCHBAY_RUN_DIR or /run/patchbay, then net-<inode of /proc/self/ns/net>.sock), as one request
 *     carrying the type name we were called as, the whole environment and stdin; the reply's stdout, stderr and exit
 *     code are copied back;
 *   - with no daemon (no socket, or nobody listening on it) it execs the launcher, ../bin/patchbay next to this
 *     program's real path, with the same stdin and environment plus PATCHBAY_CNI_TYPE=<type>.
 * The daemon side of the frame is dev.patchbay.launcher.DaemonSocket (wire version 2, request kind "cni").
 *
 * CNI facts used (CNI SPEC.md): parameters come in CNI_* environment variables and the network configuration on
 * stdin; the verbs are ADD, DEL, CHECK, GC, STATUS and VERSION; VERSION's result is
 * {"cniVersion": <the cniVersion of the input>, "supportedVersions": [...]}; an error is
 * {"cniVersion","code","msg","details"} on stdout with a non-zero exit; code 4 = invalid necessary environment
 * variables (their names in the message), 5 = I/O failure, 11 = try again later, 100 and up are the plugin's own.
 * Patchbay's own codes are 100 + its exit code: 103 = environment (here: a daemon socket that is not root's).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

#define SUPPORTED_VERSIONS "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"
#define DEFAULT_VERSION "1.0.0"
#define ERR_INVALID_ENV 4      /* CNI: invalid necessary environment variables */
#define ERR_IO 5               /* CNI: I/O failure */
#define ERR_TRY_AGAIN 11       /* CNI: try again later */
#define ERR_UNTRUSTED 103      /* Patchbay: 100 + exit code 3 (environment) */
#define WIRE_V2 (-2)           /* DaemonSocket: a negative first int announces a versioned frame */
#define MAX_STRING (64u << 20) /* DaemonSocket: the longest string of a frame */

static char version[33] = DEFAULT_VERSION; /* the request's cniVersion once stdin was read */

/* ---- output ---- */

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

/* A JSON string: quotes, backslashes and control characters escaped; other bytes as they are (UTF-8). */
static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

/* Prints a CNI error result on stdout; returns the exit code to leave with. */
static int cni_error(int exit_code, int code, const char *msg, const char *details) {
    printf("{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":", version, code);
    json_string(stdout, msg);
    printf(",\"details\":");
    json_string(stdout, details ? details : "");
    printf("}\n");
    return exit_code;
}

/* ---- input: stdin, and the cniVersion of its top-level object ---- */

static int read_all(int fd, char **buf, size_t *len) {
    size_t cap = 8192;
    *len = 0;
    *buf = malloc(cap);
    if (!*buf) return -1;
    for (;;) {
        if (*len == cap) {
            if (cap >= MAX_STRING) return -1;
            char *more = realloc(*buf, cap *= 2);
            if (!more) return -1;
            *buf = more;
        }
        ssize_t r = read(fd, *buf + *len, cap - *len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return 0;
        *len += (size_t) r;
    }
}

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* p at an opening quote: returns just past the closing one, or NULL. */
static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        if (*p == '\\') p++;
        else if (*p == '"') return p + 1;
    }
    return NULL;
}

/* Skips one JSON value (no validation beyond what finding the next key needs); NULL when malformed. */
static const char *skip_value(const char *p, const char *end, int depth) {
    if (p >= end || depth > 64) return NULL;
    if (*p == '"') return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = skip_ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (close == '}') { /* "key": */
                if (p >= end || *p != '"' || !(p = skip_string(p, end))) return NULL;
                p = skip_ws(p, end);
                if (p >= end || *p++ != ':') return NULL;
                p = skip_ws(p, end);
            }
            if (!(p = skip_value(p, end, depth + 1))) return NULL;
            p = skip_ws(p, end);
            if (p < end && *p == ',') p = skip_ws(p + 1, end);
            else if (p < end && *p == close) return p + 1;
            else return NULL;
        }
    }
    const char *start = p; /* number, true, false, null */
    while (p < end && (strchr("+-.eE", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))) p++;
    return p > start ? p : NULL;
}

/* Sets `version` from the top-level "cniVersion" of stdin when it is a plain version string (digits, letters, . - +). */
static void find_version(const char *p, const char *end) {
    p = skip_ws(p, end);
    if (p >= end || *p++ != '{') return;
    for (;;) {
        p = skip_ws(p, end);
        if (p >= end || *p != '"') return;
        const char *key = p + 1, *after = skip_string(p, end);
        if (!after) return;
        size_t key_len = (size_t) (after - 1 - key);
        p = skip_ws(after, end);
        if (p >= end || *p++ != ':') return;
        p = skip_ws(p, end);
        if (key_len == 10 && memcmp(key, "cniVersion", 10) == 0 && p < end && *p == '"') {
            const char *v = p + 1, *q = v;
            while (q < end && q - v < 32 && (strchr(".-+", *q) || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))) q++;
            if (q < end && *q == '"' && q > v) {
                memcpy(version, v, (size_t) (q - v));
                version[q - v] = '\0';
            }
            return;
        }
        if (!(p = skip_value(p, end, 1))) return;
        p = skip_ws(p, end);
        if (p >= end || *p++ != ',') return;
    }
}

/* ---- the daemon ---- */

enum { CONNECTED, NO_DAEMON, UNTRUSTED, FAILED };

/* The daemon's socket of the namespace we run in: DaemonSocket.path() of the Java side. */
static int socket_path(char *path, size_t size, char *netns, size_t netns_size) {
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
    return w > 0 && (size_t) w < size ? 0 : -1;
}

/*
 * Connects to the daemon, trusting it only when the socket is root's, in a folder only root can write (so nobody
 * else can have put it there or swap it), and the process listening is root's (SO_PEERCRED).
 */
static int connect_daemon(const char *path, int *fd, char *why, size_t why_size) {
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
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) slash[1] = '\0';
    else if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
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
    if (connect(*fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        int e = errno;
        close(*fd);
        /* stale socket of a dead daemon; EACCES: we are not root, the daemon is not ours to use (as for the CLI) */
        if (e == ECONNREFUSED || e == ENOENT || e == EACCES) return NO_DAEMON;
        snprintf(why, why_size, "cannot connect to %s: %s", path, strerror(e));
        return FAILED;
    }
    struct ucred peer = {.pid = 0, .uid = (uid_t) -1, .gid = (gid_t) -1};
    socklen_t len = sizeof peer;
    if (getsockopt(*fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != 0) {
        snprintf(why, why_size, "refusing %s: the process serving it (pid %d) is not root's (uid %u)", path,
                 (int) peer.pid, (unsigned) peer.uid);
        close(*fd);
        return UNTRUSTED;
    }
    return CONNECTED;
}

/* The frame: big-endian ints and length-prefixed byte strings, as Java's DataOutputStream writes them. */
struct frame { char *p; size_t len, cap; int oom; };

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

static void put_int(struct frame *f, int32_t v) {
    uint32_t u = (uint32_t) v;
    unsigned char b[4] = {(unsigned char) (u >> 24), (unsigned char) (u >> 16), (unsigned char) (u >> 8), (unsigned char) u};
    put(f, b, 4);
}

static void put_bytes(struct frame *f, const char *s, size_t n) {
    put_int(f, (int32_t) n);
    put(f, s, n);
}

static int read_exact(int fd, void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

static int read_int(int fd, int32_t *v) {
    unsigned char b[4];
    if (read_exact(fd, b, 4) != 0) return -1;
    *v = (int32_t) ((uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3]);
    return 0;
}

/* Copies one length-prefixed string of the reply to `out_fd`. */
static int copy_string(int fd, int out_fd) {
    int32_t n;
    if (read_int(fd, &n) != 0 || n < 0 || (uint32_t) n > MAX_STRING) return -1;
    char buf[65536];
    while (n > 0) {
        size_t chunk = (size_t) n < sizeof buf ? (size_t) n : sizeof buf;
        if (read_exact(fd, buf, chunk) != 0) return -1;
        write_all(out_fd, buf, chunk); /* a closed stdout must not stop us from reading the exit code */
        n -= (int32_t) chunk;
    }
    return 0;
}

/* Sends the call, copies the reply (code, stdout, stderr: DaemonSocket.Reply) back; returns our exit code. */
static int forward(int fd, const char *netns, const char *type, const char *in, size_t in_len) {
    struct frame f = {0};
    size_t envc = 0;
    for (char **e = environ; *e; e++) envc++;
    put_int(&f, WIRE_V2);
    put_bytes(&f, "cni", 3);
    put_bytes(&f, netns, strlen(netns));
    put_bytes(&f, type, strlen(type));
    put_int(&f, (int32_t) envc);
    for (char **e = environ; *e; e++) put_bytes(&f, *e, strlen(*e));
    put_bytes(&f, in, in_len);
    if (f.oom) return cni_error(1, ERR_IO, "out of memory", NULL);
    size_t off = 0;
    while (off < f.len) {
        ssize_t w = send(fd, f.p + off, f.len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return cni_error(3, ERR_TRY_AGAIN, "the Patchbay daemon went away", strerror(errno));
        off += (size_t) w;
    }
    int32_t code;
    if (read_int(fd, &code) != 0 || copy_string(fd, 1) != 0 || copy_string(fd, 2) != 0)
        return cni_error(3, ERR_TRY_AGAIN, "the Patchbay daemon closed the connection without an answer",
                         "an older daemon (restart it) or one that is stopping");
    return code & 0xff;
}

/* ---- no daemon: the launcher ---- */

static int exec_launcher(const char *type) {
    char self[PATH_MAX], launcher[PATH_MAX + 16], why[PATH_MAX + 128];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1); /* symlinks resolved: <home>/cni/patchbay */
    if (n <= 0) return cni_error(3, ERR_TRY_AGAIN, "no Patchbay daemon, and cannot find the launcher", strerror(errno));
    self[n] = '\0';
    for (int up = 0; up < 2; up++) { /* <home>/cni/patchbay -> <home> */
        char *slash = strrchr(self, '/');
        if (!slash || slash == self) return cni_error(3, ERR_TRY_AGAIN, "no Patchbay daemon, and cannot find the launcher", self);
        *slash = '\0';
    }
    snprintf(launcher, sizeof launcher, "%s/bin/patchbay", self);

    size_t envc = 0;
    for (char **e = environ; *e; e++) envc++;
    char **env = calloc(envc + 2, sizeof *env);
    char *type_var = malloc(strlen(type) + sizeof "PATCHBAY_CNI_TYPE=");
    if (!env || !type_var) return cni_error(1, ERR_IO, "out of memory", NULL);
    size_t k = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "PATCHBAY_CNI_TYPE=", 18) != 0) env[k++] = *e;
    sprintf(type_var, "PATCHBAY_CNI_TYPE=%s", type); /* Main: the type the runtime called, as the daemon gets it */
    env[k++] = type_var;
    env[k] = NULL;
    char *argv[] = {launcher, NULL}; /* no arguments: Main runs the `cni` command when CNI_COMMAND is set */
    fflush(stdout);
    execve(launcher, argv, env);
    snprintf(why, sizeof why, "cannot run %s: %s", launcher, strerror(errno));
    return cni_error(3, ERR_TRY_AGAIN, "no Patchbay daemon, and the launcher does not start", why);
}

int main(int argc, char **argv) {
    const char *type = argc > 0 && argv[0] && *argv[0] ? argv[0] : "patchbay";
    const char *slash = strrchr(type, '/');
    if (slash && slash[1]) type = slash + 1; /* the runtime runs <dir>/<type of the config> */

    const char *verb = getenv("CNI_COMMAND");
    if (!verb || !*verb) return cni_error(2, ERR_INVALID_ENV, "required env variables [CNI_COMMAND] missing", NULL);
    if (strcmp(verb, "VERSION") == 0) {
        char *in;
        size_t len;
        if (read_all(0, &in, &len) != 0) return cni_error(1, ERR_IO, "cannot read the configuration on stdin", strerror(errno));
        find_version(in, in + len);
        printf("{\"cniVersion\":");
        json_string(stdout, version);
        printf(",\"supportedVersions\":" SUPPORTED_VERSIONS "}\n");
        return 0;
    }
    static const char *const verbs[] = {"ADD", "DEL", "CHECK", "GC", "STATUS"};
    int known = 0;
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++) known |= strcmp(verb, verbs[i]) == 0;
    if (!known) {
        char msg[128];
        snprintf(msg, sizeof msg, "unknown CNI_COMMAND: %.64s", verb);
        return cni_error(2, ERR_INVALID_ENV, msg, "CNI_COMMAND is one of ADD, DEL, CHECK, GC, STATUS, VERSION");
    }

    const char *off = getenv("PATCHBAY_DAEMON"); /* as for the CLI: off = never the daemon */
    if (off && strcmp(off, "off") == 0) return exec_launcher(type);
    char path[PATH_MAX], netns[64], why[PATH_MAX + 256];
    if (socket_path(path, sizeof path, netns, sizeof netns) != 0)
        return cni_error(3, ERR_TRY_AGAIN, "cannot name the Patchbay daemon's socket", "/proc/self/ns/net or PATCHBAY_RUN_DIR");
    int fd;
    switch (connect_daemon(path, &fd, why, sizeof why)) {
    case NO_DAEMON:
        return exec_launcher(type); /* stdin is still unread: the launcher gets it whole */
    case UNTRUSTED:
        return cni_error(3, ERR_UNTRUSTED, "refusing the Patchbay daemon's socket", why);
    case FAILED:
        return cni_error(3, ERR_TRY_AGAIN, "cannot reach the Patchbay daemon", why);
    }
    char *in;
    size_t len;
    if (read_all(0, &in, &len) != 0) return cni_error(1, ERR_IO, "cannot read the configuration on stdin", strerror(errno));
    find_version(in, in + len);
    return forward(fd, netns, type, in, len);
}
