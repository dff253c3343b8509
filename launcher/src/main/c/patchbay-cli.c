/*
 * patchbay: the command (bin/patchbay). A JVM needs 200 ms and more before it has forwarded a command line to the
 * namespace's daemon, whose own work is a few ms; this small program forwards it instead, as the JVM's
 * dev.patchbay.launcher.DaemonClient does, and says the same (stdout, stderr and exit code, byte for byte):
 *   - the command line goes to the daemon of the caller's network namespace over its root-only socket (daemon-wire.c:
 *     the one the shim uses, the same trust checks), with --state-dir=$PATCHBAY_STATE_DIR added (cli-args.c), as a
 *     version 4 request: the reply is read whole, then its stdout, stderr and exit code are ours; a streaming command's
 *     output (patchbay events) is copied as it comes, until we are interrupted;
 *   - a command that finds no daemon starts one (cni-autostart.c, the lock the JVM and the shim take), unless it is
 *     help, a version, completion or man;
 *   - everything else runs the JVM path: bin/patchbay-jvm next to this program's real path, exec'd with our argv
 *     (never a shell command line) and environment: PATCHBAY_DAEMON=off, not root (the JVM says what a user may run),
 *     PATCHBAY_TIMING, a CNI call (no arguments, CNI_COMMAND set), `daemon` itself, no daemon and none started,
 *     or anything the JVM would answer in its own words (a socket it cannot inspect; settings other than the run and
 *     state folders and the autostart's variables, or a configuration file that sets anything: cli-settings.c).
 *     When a daemon start failed, or the daemon did not get the request, the JVM gets PATCHBAY_DAEMON=off: it works
 *     in-process, as DaemonClient does then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-args.h"
#include "cli-settings.h"
#include "cni-autostart.h"
#include "daemon-wire.h"

static char self[PATH_MAX]; /* <home>/bin/patchbay, symlinks resolved */
static char jvm[PATH_MAX + 16]; /* <home>/bin/patchbay-jvm */

/* The JVM path, with our arguments; in_process: it works without a daemon (PATCHBAY_DAEMON=off). */
static int exec_jvm(char **argv, int in_process) {
    if (!jvm[0]) {
        fprintf(stderr, "patchbay: cannot find bin/patchbay-jvm: /proc/self/exe: %s\n", strerror(errno));
        return 3;
    }
    if (in_process && setenv("PATCHBAY_DAEMON", "off", 1) != 0) {
        fprintf(stderr, "patchbay: %s\n", strerror(errno));
        return 3;
    }
    argv[0] = jvm;
    signal(SIGPIPE, SIG_DFL); /* ignored while we decided: not for the JVM and what it runs */
    execv(jvm, argv);
    fprintf(stderr, "patchbay: cannot run %s: %s\n", jvm, strerror(errno));
    return 3;
}

static void find_jvm(void) {
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) snprintf(jvm, sizeof jvm, "%.*s/patchbay-jvm", (int) (slash - self), self);
}

/* The arguments as DaemonClient names them in a message: joined by spaces. */
static char *joined(int n, char *const *args) {
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(args[i]) + 1;
    char *s = calloc(len, 1);
    for (int i = 0; s && i < n; i++) {
        if (i) strcat(s, " ");
        strcat(s, args[i]);
    }
    return s ? s : "";
}

/* Prints a reply of DaemonClient's own (stderr only) and returns its exit code. */
static int say(int code, const char *line) {
    fputs(line, stderr);
    return code;
}

static int silent(const char *sock, int heard, int n, char *const *args) {
    char *msg;
    int w = heard
        ? asprintf(&msg, "patchbay: the daemon on %s stopped answering while running \"%s\" (nothing for %d s: stopped or hung?);"
                   " it may do part of it yet: once it answers again, run patchbay gc, then check with patchbay ls\n",
                   sock, joined(n, args), WIRE_SILENCE_S)
        : asprintf(&msg, "patchbay: the daemon on %s does not answer (nothing for %d s: stopped or hung?); nothing was run,"
                   " and it will not run this once it wakes: see to the daemon, or run with PATCHBAY_DAEMON=off\n", sock, WIRE_SILENCE_S);
    return w < 0 ? 1 : say(1, msg);
}

static int died(int n, char *const *args) {
    char *msg;
    int w = asprintf(&msg, "patchbay: the daemon died while running \"%s\" (it may have done part of it); nothing was run again:"
                     " run patchbay gc, which finishes or undoes what it left in flight, then check with patchbay ls\n", joined(n, args));
    return w < 0 ? 1 : say(1, msg);
}

/* A socket not to talk to: the message of DaemonSocket.UntrustedSocket (the peer named by user, as Java does). */
static int untrusted(int kind, const char *sock, const struct peer *peer, const char *why, const char *hint) {
    char name[64];
    if (kind == UNTRUSTED_PEER) {
        struct passwd *pw = getpwuid(peer->uid);
        if (pw) snprintf(name, sizeof name, "%s", pw->pw_name);
        else snprintf(name, sizeof name, "%u", (unsigned) peer->uid);
        fprintf(stderr, "patchbay: refusing %s: the process serving it is not root's (user %s)%s\n", sock, name, hint);
    } else {
        fprintf(stderr, "patchbay: %s%s\n", why, hint);
    }
    return 3;
}

/* Sends the command line, reads the reply whole, prints it: DaemonClient.forward once it has a connection. */
static int forward(int fd, const char *sock, const char *netns, int n, char **args, int named_n, char **named, char **argv) {
    int sent_n;
    char **sent = with_state_dir(n, args, getenv("PATCHBAY_STATE_DIR"), &sent_n);
    struct frame f = {0};
    if (!sent) return exec_jvm(argv, 0);
    frame_int(&f, WIRE_V4); /* a streaming command's output comes as it is written (patchbay events) */
    frame_string(&f, "cli");
    frame_string(&f, netns);
    frame_int(&f, sent_n);
    for (int i = 0; i < sent_n; i++) frame_string(&f, sent[i]);
    if (f.oom) return exec_jvm(argv, 0);
    if (send_frame(fd, &f) != 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return silent(sock, 0, named_n, named);
        return exec_jvm(argv, 1); /* not all of the request went out: the daemon cannot have run it */
    }
    int heard;
    switch (await_reply(fd, &heard, 1)) {
    case AWAIT_SILENT:
        return silent(sock, heard, named_n, named);
    case AWAIT_CLOSED: {
        char *msg;
        return asprintf(&msg, "patchbay: the daemon on %s closed the connection without reading the request (too many clients"
                        " at once, or an older daemon: restart it); nothing was run\n", sock) < 0 ? 1 : say(1, msg);
    }
    case AWAIT_BROKEN:
        return died(named_n, named);
    }
    int32_t code;
    char *out, *err;
    size_t out_len, err_len;
    if (read_int(fd, &code) != 0 || read_string(fd, &out, &out_len) != 0 || read_string(fd, &err, &err_len) != 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? silent(sock, heard, named_n, named) : died(named_n, named);
    write_all(1, out, out_len); /* SIGPIPE ignored: as for the JVM, a reader that went away does not change the exit code */
    write_all(2, err, err_len);
    return code & 0xff;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN); /* as the JVM: a closed stdout or stderr does not kill us (exec_jvm restores it) */
    find_jvm();
    int n = argc > 0 ? argc - 1 : 0;
    char **args = argv + (argc > 0);
    const char *daemon = getenv("PATCHBAY_DAEMON");
    if ((n == 0 && getenv("CNI_COMMAND")) || geteuid() != 0 || getenv("PATCHBAY_TIMING") || (daemon && !strcmp(daemon, "off"))
        || runs_daemon(n, args) || !plain_settings())
        return exec_jvm(argv, 0);
    /* the arguments the JVM names in its messages: with the state folder Main adds (to a command line that has any) */
    int named_n = n;
    char **named = n > 0 ? with_state_dir(n, args, getenv("PATCHBAY_STATE_DIR"), &named_n) : args;
    if (!named) return exec_jvm(argv, 0);

    char sock[PATH_MAX], netns[64], why[PATH_MAX + 256];
    if (daemon_socket_path(sock, sizeof sock, netns, sizeof netns) != 0) return exec_jvm(argv, 0);
    int fd;
    struct peer peer;
    int hint = 1; /* the first refusal names PATCHBAY_RUN_DIR, one after a start does not (as DaemonClient) */
    int connected = connect_daemon(sock, &fd, &peer, why, sizeof why);
    if (connected == NO_DAEMON) {
        if (!autostarts(n, args)) return exec_jvm(argv, 0);
        char started_why[PATH_MAX + 256];
        switch (autostart(sock, self, started_why, sizeof started_why)) {
        case AUTOSTART_SKIPPED:
            return exec_jvm(argv, 0);
        case AUTOSTART_FAILED:
            fprintf(stderr, "patchbay: no daemon started (%s); running this command without one\n", started_why);
            return exec_jvm(argv, 1);
        }
        hint = 0;
        connected = connect_daemon(sock, &fd, &peer, why, sizeof why);
        if (connected == NO_DAEMON || connected == FAILED) return exec_jvm(argv, 1);
    }
    switch (connected) {
    case UNTRUSTED:
    case UNTRUSTED_PEER:
        return untrusted(connected, sock, &peer, why,
                         hint ? "; PATCHBAY_RUN_DIR must be a folder only root can write (or run with PATCHBAY_DAEMON=off)" : "");
    case FAILED:
        return exec_jvm(argv, 0);
    case SILENT:
        return silent(sock, 0, named_n, named);
    }
    return forward(fd, sock, netns, n, args, named_n, named, argv);
}
