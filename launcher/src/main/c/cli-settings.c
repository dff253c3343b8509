/*
 * The settings as the C client may read them (patchbay-cli.c): the JVM reads the configuration file and every setting's
 * variable before it forwards a command, refusing a bad one (exit 2, naming the file, line, key and value). The client
 * reads them only where that reading is trivially the same: no setting in the file, and only the four variables that
 * decide where and how it forwards; for anything else the JVM path reads them. Setting.java lists the variables.
 */
#define _GNU_SOURCE
#include "cli-settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_FILE "/etc/patchbay/patchbay.conf" /* Settings.DEFAULT_FILE */
#define MAX_FILE (64 << 10)                        /* past it: the JVM reads it */

/* The variables of Setting that the client does not read: set, they make the JVM path read the settings. */
static const char *const OTHERS[] = {"PATCHBAY_CACHE_DIR", "PATCHBAY_BUNDLES_DIR", "PATCHBAY_HOT_DEPLOY", "PATCHBAY_FW",
                                     "PATCHBAY_PLUGIN_TIMEOUT", "PATCHBAY_REPAIR_SECONDS", "PATCHBAY_LOG_LEVEL",
                                     "PATCHBAY_CNI_LOG", "PATCHBAY_METRICS", NULL};

static int set(const char *name) {
    const char *v = getenv(name);
    return v && *v;
}

static int absolute_or_unset(const char *name) {
    const char *v = getenv(name);
    return !v || !*v || v[0] == '/';
}

/* Whether the file sets nothing: blank lines and comment lines, ASCII only. -1: the JVM reads it. */
static int sets_nothing(const char *file, int named) {
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT && !named ? 1 : -1; /* a missing default file is an empty one */
    static char text[MAX_FILE + 1];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, text + len, sizeof text - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            close(fd);
            return -1;
        }
        if (r == 0) break;
        len += (size_t) r;
        if (len == sizeof text) {
            close(fd);
            return -1;
        }
    }
    close(fd);
    for (size_t i = 0; i < len; i++) { /* blanks, then a comment to the line's end, or nothing */
        unsigned char c = (unsigned char) text[i];
        if (c >= 0x80 || c == 0) return -1; /* UTF-8 or NUL: the JVM decides */
        if (c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') continue;
        if (c == '#') {
            for (; i + 1 < len && text[i + 1] != '\n'; i++)
                if ((unsigned char) text[i + 1] >= 0x80 || text[i + 1] == 0) return -1;
        } else return 0;
    }
    return 1;
}

int plain_settings(void) {
    for (const char *const *o = OTHERS; *o; o++)
        if (set(*o)) return 0;
    if (!absolute_or_unset("PATCHBAY_RUN_DIR") || !absolute_or_unset("PATCHBAY_STATE_DIR")) return 0;
    const char *mode = getenv("PATCHBAY_DAEMON_AUTOSTART");
    if (mode && *mode && strcmp(mode, "on") != 0 && strcmp(mode, "off") != 0) return 0;
    const char *idle = getenv("PATCHBAY_DAEMON_IDLE");
    if (idle && *idle) {
        size_t digits = strspn(idle, "0123456789");
        if (digits == 0 || digits > 6 || idle[digits] != '\0') return 0;
    }
    const char *named = getenv("PATCHBAY_CONFIG");
    return sets_nothing(named && *named ? named : DEFAULT_FILE, named && *named) == 1;
}
