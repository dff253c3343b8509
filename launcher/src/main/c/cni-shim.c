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
 *   - with no daemon (no socket, or nobody listening on it) it starts one (cni-autostart.c) and forwards to it; when
 *     that is switched off or fails, it execs the launcher, ../bin/patchbay next to this
 *     program's real path, with the same stdin (a memfd holding what was read) and environment plus
 *     PATCHBAY_CNI_TYPE=<type>.
 * stdin is read whole before anything else, at most MAX_CONFIG bytes (CniRequest.MAX_CONFIG: past it the answer is
 * code 7 naming the limit, as the launcher answers): a runtime whose stdin never closes holds no daemon connection.
 * The daemon side of the frame is dev.patchbay.launcher.DaemonSocket (wire version 3, request kind "cni"); the socket,
 * its trust, the frame and the progress bytes are daemon-wire.c (shared with the CLI, patchbay-cli.c): the shim waits
 * at most WIRE_SILENCE_S seconds for the daemon's next byte (connecting, sending, or waiting), so a stopped daemon is
 * answered with code 11 in bounded time, a long call is not.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cni-autostart.h"
#include "cni-version.h"
#include "daemon-wire.h"

extern char **environ;

#define SUPPORTED_VERSIONS "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"
#define DEFAULT_VERSION "1.0.0"
#define ERR_INVALID_ENV 4      /* CNI: invalid necessary environment variables */
#define ERR_INVALID_CONFIG 7   /* CNI: invalid network configuration */
#define ERR_IO 5               /* CNI: I/O failure */
#define ERR_TRY_AGAIN 11       /* CNI: try again later */
#define ERR_UNTRUSTED 103      /* Patchbay: 100 + exit code 3 (environment) */
#define MAX_CONFIG (1u << 20)  /* CniRequest.MAX_CONFIG: the longest configuration on stdin */

static char version[33] = DEFAULT_VERSION; /* the request's cniVersion once stdin was read */

/* ---- output ---- */

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

/* ---- input: stdin (its cniVersion: cni-version.h) ---- */

/* Reads fd to its end, or to MAX_CONFIG + 1 bytes: 1 when there is more than MAX_CONFIG, 0 when read whole, -1 on error. */
static int read_all(int fd, char **buf, size_t *len) {
    size_t cap = 8192;
    *len = 0;
    *buf = malloc(cap);
    if (!*buf) return -1;
    for (;;) {
        if (*len > MAX_CONFIG) return 1;
        if (*len == cap) {
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

/* The answer to a configuration past MAX_CONFIG: CniRequest.tooLarge says the same, with or without the daemon. */
static int too_large(void) {
    char msg[160];
    snprintf(msg, sizeof msg, "the network configuration on stdin is larger than Patchbay's limit of %u bytes (1 MiB)", MAX_CONFIG);
    fprintf(stderr, "patchbay: %s\n", msg);
    return cni_error(2, ERR_INVALID_CONFIG, msg, "");
}

/* ---- the daemon ---- */

static int silent(int heard, const char *path) {
    char msg[256];
    snprintf(msg, sizeof msg, heard
             ? "the Patchbay daemon stopped answering while running the call (nothing for %d s: stopped or hung?); it may do part of it yet"
             : "the Patchbay daemon does not answer (nothing for %d s: stopped or hung?); nothing was run", WIRE_SILENCE_S);
    fprintf(stderr, "patchbay: %s\n", msg);
    return cni_error(3, ERR_TRY_AGAIN, msg, path);
}

/*
 * Sends the call, copies the reply (code, stdout, stderr: DaemonSocket.Reply) back; returns our exit code. A call past
 * the daemon's limits (an environment past 256 KiB) is refused from its length: the daemon answers and closes without
 * reading the rest, so the send fails (EPIPE) with the refusal waiting to be read: it is read, as any reply.
 */
static int forward(int fd, const char *path, const char *netns, const char *type, const char *in, size_t in_len) {
    struct frame f = {0};
    size_t envc = 0;
    for (char **e = environ; *e; e++) envc++;
    frame_int(&f, WIRE_V3);
    frame_string(&f, "cni");
    frame_string(&f, netns);
    frame_string(&f, type);
    frame_int(&f, (int32_t) envc);
    for (char **e = environ; *e; e++) frame_string(&f, *e);
    frame_bytes(&f, in, in_len);
    if (f.oom) return cni_error(1, ERR_IO, "out of memory", NULL);
    int cut = 0; /* the send failed with this errno: the daemon closed before it read the whole call */
    if (send_frame(fd, &f) != 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return silent(0, path);
        if (errno != EPIPE && errno != ECONNRESET) return cni_error(3, ERR_TRY_AGAIN, "the Patchbay daemon went away", strerror(errno));
        cut = errno; /* a call past the daemon's limits is refused from its length: the refusal came before the close */
    }
    int heard;
    int awaited = await_reply(fd, &heard, 0);
    if (cut && awaited != AWAIT_REPLY) return cni_error(3, ERR_TRY_AGAIN, "the Patchbay daemon went away", strerror(cut));
    switch (awaited) {
    case AWAIT_SILENT:
        return silent(heard, path);
    case AWAIT_CLOSED:
        return cni_error(3, ERR_TRY_AGAIN, "the Patchbay daemon closed the connection without reading the call; nothing was run",
                         "too many clients at once, or an older daemon (restart it)");
    case AWAIT_BROKEN:
        return cni_error(3, ERR_TRY_AGAIN, "the Patchbay daemon went away while running the call; it may have done part of it",
                         "run patchbay gc, which finishes or undoes what it left in flight");
    }
    int32_t code;
    if (read_int(fd, &code) != 0 || copy_string(fd, 1) != 0 || copy_string(fd, 2) != 0)
        return cni_error(3, ERR_TRY_AGAIN, "the Patchbay daemon went away while answering", "its answer was cut short");
    return code & 0xff;
}

/* ---- no daemon: the launcher ---- */

/* <home>/bin/patchbay, <home> being two levels above this program's real path (<home>/cni/patchbay); -1 if none. */
static int launcher_path(char *launcher, size_t size) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1); /* symlinks resolved: <home>/cni/patchbay */
    if (n <= 0) return -1;
    self[n] = '\0';
    for (int up = 0; up < 2; up++) { /* <home>/cni/patchbay -> <home> */
        char *slash = strrchr(self, '/');
        if (!slash || slash == self) return -1;
        *slash = '\0';
    }
    int w = snprintf(launcher, size, "%s/bin/patchbay", self);
    return w > 0 && (size_t) w < size ? 0 : -1;
}

static int exec_launcher(const char *type, const char *in, size_t in_len) {
    char launcher[PATH_MAX + 16], why[PATH_MAX + 128];
    /* stdin was read: the launcher gets what was read, from a memfd in its place */
    int mem = memfd_create("patchbay-cni-stdin", 0);
    if (mem < 0 || write_all(mem, in, in_len) != 0 || lseek(mem, 0, SEEK_SET) != 0 || dup2(mem, 0) != 0)
        return cni_error(1, ERR_IO, "cannot hand the configuration to the launcher", strerror(errno));
    close(mem);
    if (launcher_path(launcher, sizeof launcher) != 0)
        return cni_error(3, ERR_TRY_AGAIN, "no Patchbay daemon, and cannot find the launcher", strerror(errno));

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
    char *argv[] = {launcher, NULL}; /* no arguments: Main hands the call to the CNI handler when CNI_COMMAND is set */
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
    static const char *const verbs[] = {"VERSION", "ADD", "DEL", "CHECK", "GC", "STATUS"};
    int known = 0;
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++) known |= strcmp(verb, verbs[i]) == 0;
    if (!known) {
        char msg[128];
        snprintf(msg, sizeof msg, "unknown CNI_COMMAND: %.64s", verb);
        return cni_error(2, ERR_INVALID_ENV, msg, "CNI_COMMAND is one of ADD, DEL, CHECK, GC, STATUS, VERSION");
    }
    /* stdin first, whole: no daemon connection is held while a runtime's stdin stays open */
    char *in;
    size_t len;
    int r = read_all(0, &in, &len);
    if (r < 0) return cni_error(1, ERR_IO, "cannot read the configuration on stdin", strerror(errno));
    find_version(in, in + len, version); /* a prefix, when too large: its cniVersion if it comes early */
    if (r > 0) return too_large();
    if (strcmp(verb, "VERSION") == 0) {
        printf("{\"cniVersion\":");
        json_string(stdout, version);
        printf(",\"supportedVersions\":" SUPPORTED_VERSIONS "}\n");
        return 0;
    }

    const char *off = getenv("PATCHBAY_DAEMON"); /* as for the CLI: off = never the daemon */
    if (off && strcmp(off, "off") == 0) return exec_launcher(type, in, len);
    char path[PATH_MAX], netns[64], why[PATH_MAX + 256];
    if (daemon_socket_path(path, sizeof path, netns, sizeof netns) != 0)
        return cni_error(3, ERR_TRY_AGAIN, "cannot name the Patchbay daemon's socket", "/proc/self/ns/net or PATCHBAY_RUN_DIR");
    int fd;
    struct peer peer;
    switch (connect_daemon(path, &fd, &peer, why, sizeof why)) {
    case NO_DAEMON: {
        /* none yet: start one (cni-autostart.c) and forward to it; the call never fails for want of one: it runs cold */
        char launcher[PATH_MAX + 16];
        int started = launcher_path(launcher, sizeof launcher) == 0 ? autostart(path, launcher, why, sizeof why) : AUTOSTART_SKIPPED;
        if (started == AUTOSTART_FAILED) fprintf(stderr, "patchbay: no daemon started (%s); running this call without one\n", why);
        if (started != AUTOSTART_SERVES || connect_daemon(path, &fd, &peer, why, sizeof why) != CONNECTED) return exec_launcher(type, in, len);
        break;
    }
    case UNTRUSTED:
    case UNTRUSTED_PEER:
        return cni_error(3, ERR_UNTRUSTED, "refusing the Patchbay daemon's socket", why);
    case FAILED:
        return cni_error(3, ERR_TRY_AGAIN, "cannot reach the Patchbay daemon", why);
    case SILENT:
        return silent(0, why);
    }
    return forward(fd, path, netns, type, in, len);
}
