/*
 * The daemon that starts itself (where no systemd starts it): the first call that finds no daemon for its namespace
 * starts one, `<home>/bin/patchbay daemon --idle SECONDS`, and waits for its socket; later calls use it. The Java
 * CLI does the same (dev.patchbay.launcher.DaemonAutostart): both take the same lock, so concurrent callers start one.
 *   - the lock: an fcntl write lock (what Java's FileChannel.tryLock takes; flock locks would not exclude it) on
 *     <run dir>/net-INODE.lock; who gets it checks the socket again before starting; who waits keeps looking for
 *     the socket and goes as soon as it serves;
 *   - the daemon: a new session (a runtime that kills the plugin's process group does not kill it), stdin /dev/null,
 *     stdout and stderr appended to <run dir>/net-INODE.log, cwd /, no fd of ours, and our environment without the
 *     call's CNI_* variables, PATCHBAY_CNI_TYPE, LISTEN_* and NOTIFY_SOCKET; argv, never a shell command line;
 *   - bounded: START_WAIT_S for its socket, LOCK_WAIT_S for a concurrent starter; past them the call runs cold.
 * PATCHBAY_DAEMON_AUTOSTART=off turns it off; PATCHBAY_DAEMON_IDLE (seconds, 0 = never) is how long the daemon serves
 * nobody before it leaves; without it the daemon takes daemon-idle of the configuration file (default 300).
 */
#define _GNU_SOURCE
#include "cni-autostart.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define START_WAIT_S 20    /* DaemonAutostart.START_WAIT_MS: the longest wait for the daemon we started */
#define LOCK_WAIT_S 25     /* DaemonAutostart.LOCK_WAIT_MS: the longest wait for a concurrent starter */
#define CONFIGURED_IDLE "configured" /* DaemonIdle.CONFIGURED: the daemon reads daemon-idle from the configuration */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pause_ms(long ms) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) { }
}

/* Whether something listens on `sock` (the shim checks who, after). */
static int serves(const char *sock) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(sock) >= sizeof addr.sun_path) return 0;
    strcpy(addr.sun_path, sock);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    int ok = connect(fd, (struct sockaddr *) &addr, sizeof addr) == 0;
    close(fd);
    return ok;
}

/* `sock` with its ".sock" replaced by `suffix`. */
static int sibling(const char *sock, const char *suffix, char *out, size_t size) {
    size_t n = strlen(sock);
    if (n < 5 || strcmp(sock + n - 5, ".sock") != 0) return -1;
    int w = snprintf(out, size, "%.*s%s", (int) (n - 5), sock, suffix);
    return w > 0 && (size_t) w < size ? 0 : -1;
}

static int dropped(const char *entry) {
    static const char *const prefixes[] = {"CNI_", "PATCHBAY_CNI_TYPE=", "LISTEN_PID=", "LISTEN_FDS=", "LISTEN_FDNAMES=", "NOTIFY_SOCKET="};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(entry, prefixes[i], strlen(prefixes[i])) == 0) return 1;
    return 0;
}

/* The child: a session of its own, then the daemon. Reports a failed exec's errno on `report`. */
static void child(const char *launcher, const char *idle, const char *log, int report) {
    setsid();
    int null = open("/dev/null", O_RDONLY);
    int out = open(log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0600);
    if (null < 0 || out < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 || chdir("/") != 0) {
        int e = errno;
        if (write(report, &e, sizeof e) < 0) { }
        _exit(127);
    }
    struct rlimit nofile;
    int max = getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < 65536 ? (int) nofile.rlim_cur : 65536;
    for (int fd = 3; fd < max; fd++)
        if (fd != report) close(fd);
    signal(SIGPIPE, SIG_DFL);
    size_t envc = 0;
    for (char **e = environ; *e; e++) envc++;
    char **env = calloc(envc + 1, sizeof *env);
    if (!env) _exit(127);
    size_t k = 0;
    for (char **e = environ; *e; e++)
        if (!dropped(*e)) env[k++] = *e;
    env[k] = NULL;
    char *argv[] = {(char *) launcher, "daemon", "--idle", (char *) idle, NULL};
    execve(launcher, argv, env);
    int e = errno;
    if (write(report, &e, sizeof e) < 0) { }
    _exit(127);
}

/* Starts the daemon and waits for its socket; we hold the lock. */
static int start(const char *sock, const char *launcher, const char *idle, const char *log, char *why, size_t why_size) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        snprintf(why, why_size, "pipe: %s", strerror(errno));
        return AUTOSTART_FAILED;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "fork: %s", strerror(errno));
        close(report[0]);
        close(report[1]);
        return AUTOSTART_FAILED;
    }
    if (pid == 0) child(launcher, idle, log, report[1]);
    close(report[1]);
    int e = 0;
    ssize_t r;
    while ((r = read(report[0], &e, sizeof e)) < 0 && errno == EINTR) { }
    close(report[0]);
    if (r == (ssize_t) sizeof e) {
        waitpid(pid, NULL, 0);
        snprintf(why, why_size, "cannot run %s daemon: %s", launcher, strerror(e));
        return AUTOSTART_FAILED;
    }
    for (double until = now() + START_WAIT_S; now() < until; pause_ms(10)) {
        if (serves(sock)) return AUTOSTART_SERVES;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            if (serves(sock)) return AUTOSTART_SERVES; /* another daemon won: ours left with exit 3 */
            snprintf(why, why_size, "the daemon it started left before serving (%s %d): see %s",
                     WIFEXITED(status) ? "exit code" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), log);
            return AUTOSTART_FAILED;
        }
    }
    snprintf(why, why_size, "the daemon it started (pid %d) does not serve %s within %d s: see %s", (int) pid, sock, START_WAIT_S, log);
    return AUTOSTART_FAILED;
}

int autostart(const char *sock, const char *launcher, char *why, size_t why_size) {
    const char *mode = getenv("PATCHBAY_DAEMON_AUTOSTART");
    if (mode && strcmp(mode, "off") == 0) return AUTOSTART_SKIPPED;
    if (mode && *mode && strcmp(mode, "on") != 0) {
        snprintf(why, why_size, "PATCHBAY_DAEMON_AUTOSTART=%.64s: on or off", mode);
        return AUTOSTART_FAILED;
    }
    const char *idle = getenv("PATCHBAY_DAEMON_IDLE");
    size_t digits = idle && *idle ? strspn(idle, "0123456789") : 0;
    if (!idle || !*idle) {
        idle = CONFIGURED_IDLE;
    } else if (digits == 0 || digits > 6 || idle[digits] != '\0') {
        snprintf(why, why_size, "PATCHBAY_DAEMON_IDLE=%.64s: seconds, 0 to 999999 (0: never leave)", idle);
        return AUTOSTART_FAILED;
    }
    if (geteuid() != 0) return AUTOSTART_SKIPPED; /* the daemon is root's: a user's call runs cold, as before */

    char dir[PATH_MAX], lock[PATH_MAX], log[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", sock);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir || sibling(sock, ".lock", lock, sizeof lock) != 0 || sibling(sock, ".log", log, sizeof log) != 0) {
        snprintf(why, why_size, "cannot name the start lock beside %s", sock);
        return AUTOSTART_FAILED;
    }
    *slash = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, why_size, "cannot make the run folder %s: %s", dir, strerror(errno));
        return AUTOSTART_FAILED;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0) {
        snprintf(why, why_size, "the run folder %s is not a folder of root's alone", dir);
        return AUTOSTART_FAILED;
    }
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(why, why_size, "cannot open the start lock %s: %s", lock, strerror(errno));
        return AUTOSTART_FAILED;
    }
    struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    int result = -1;
    for (double until = now() + LOCK_WAIT_S; result < 0; pause_ms(10)) {
        if (serves(sock)) result = AUTOSTART_SERVES; /* a concurrent call started it */
        else if (fcntl(fd, F_SETLK, &whole) == 0) result = serves(sock) ? AUTOSTART_SERVES : start(sock, launcher, idle, log, why, why_size);
        else if (errno != EAGAIN && errno != EACCES) {
            snprintf(why, why_size, "cannot lock %s: %s", lock, strerror(errno));
            result = AUTOSTART_FAILED;
        } else if (now() >= until) {
            snprintf(why, why_size, "another call has been starting the daemon for %d s (%s)", LOCK_WAIT_S, lock);
            result = AUTOSTART_FAILED;
        }
    }
    close(fd); /* releases the lock */
    return result;
}
