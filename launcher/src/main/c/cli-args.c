/*
 * The CLI's reading of its command line before it forwards it: the rules of dev.patchbay.launcher.Args and of
 * DaemonClient (which commands start a daemon, the state directory the daemon is told), for the C client
 * (patchbay-cli.c). Pure: no I/O.
 */
#include "cli-args.h"

#include <stdlib.h>
#include <string.h>

static const char *const HELP[] = {"-h", "--help", NULL};
static const char *const HELP_OR_VERSION[] = {"-h", "--help", "-V", "--version", NULL};

const char *command_word(int n, char *const *args) {
    for (int i = 0; i < n; i++) {
        const char *a = args[i];
        if (!strcmp(a, "-n") || !strcmp(a, "--namespace") || !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--state-dir"))
            i++;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-V") || !strcmp(a, "--version"))
            return NULL;
        else if (a[0] != '-')
            return a;
    }
    return NULL;
}

int has_option(int n, char *const *args, const char *const *options) {
    for (int i = 0; i < n; i++)
        for (const char *const *o = options; *o; o++) {
            size_t len = strlen(*o);
            if (strncmp(args[i], *o, len) == 0 && (args[i][len] == '\0' || args[i][len] == '=')) return 1;
        }
    return 0;
}

int runs_daemon(int n, char *const *args) {
    const char *word = command_word(n, args);
    return word && !strcmp(word, "daemon") && !has_option(n, args, HELP);
}

int autostarts(int n, char *const *args) {
    const char *word = command_word(n, args);
    return word && !has_option(n, args, HELP_OR_VERSION) && strcmp(word, "help") && strcmp(word, "version")
           && strcmp(word, "completion") && strcmp(word, "man");
}

char **with_state_dir(int n, char *const *args, const char *state_dir, int *out_n) {
    static const char *const STATE_DIR[] = {"--state-dir", NULL};
    int add = state_dir && *state_dir && !has_option(n, args, STATE_DIR);
    char **all = calloc((size_t) n + 2, sizeof *all);
    if (!all) return NULL;
    int at = n;
    for (int i = 0; i < n; i++)
        if (!strcmp(args[i], "--")) {
            at = i;
            break;
        }
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (add && i == at) all[k++] = NULL; /* filled below */
        all[k++] = args[i];
    }
    if (add && at == n) all[k++] = NULL;
    if (add) {
        char *opt = malloc(strlen(state_dir) + sizeof "--state-dir=");
        if (!opt) {
            free(all);
            return NULL;
        }
        strcpy(opt, "--state-dir=");
        strcat(opt, state_dir);
        all[at] = opt;
    }
    *out_n = k;
    all[k] = NULL;
    return all;
}
