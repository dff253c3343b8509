/*
 * cli-args-probe STATE_DIR ARG...: what the C client (cli-args.c) makes of a command line, one line each: its command
 * word, whether it is the daemon itself, whether it starts a daemon, then the arguments the daemon gets with
 * --state-dir=STATE_DIR ("-": none). CliArgsTest compares them with the JVM's Args and DaemonClient.
 */
#include <stdio.h>
#include <string.h>

#include "../../main/c/cli-args.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: cli-args-probe STATE_DIR|- ARG...\n");
        return 2;
    }
    int n = argc - 2;
    char **args = argv + 2;
    const char *word = command_word(n, args);
    printf("word %s\n", word ? word : "(none)");
    printf("daemon %d\n", runs_daemon(n, args));
    printf("autostarts %d\n", autostarts(n, args));
    int sent_n;
    char **sent = with_state_dir(n, args, strcmp(argv[1], "-") == 0 ? NULL : argv[1], &sent_n);
    if (!sent) return 1;
    for (int i = 0; i < sent_n; i++) printf("arg %s\n", sent[i]);
    return 0;
}
