/* The CLI's reading of its command line before it forwards it (as dev.patchbay.launcher.Args and DaemonClient): cli-args.c. */
#ifndef PATCHBAY_CLI_ARGS_H
#define PATCHBAY_CLI_ARGS_H

/* The command word: the first argument that is neither a global option nor its value; NULL before -h/--help/-V/--version. */
const char *command_word(int n, char *const *args);

/* Whether any argument is one of the NULL-terminated `options`, alone or as OPTION=VALUE. */
int has_option(int n, char *const *args, const char *const *options);

/* Whether this command line is the daemon itself (never forwarded): the word "daemon", no -h/--help. */
int runs_daemon(int n, char *const *args);

/* Whether a command that finds no daemon starts one: not for help, versions, completion or man pages. */
int autostarts(int n, char *const *args);

/*
 * The arguments the daemon gets: `args` plus --state-dir=STATE_DIR (the daemon has another environment) unless it is
 * empty or given already, put before a "--" that ends the options. *out_n is their number; NULL when out of memory.
 */
char **with_state_dir(int n, char *const *args, const char *state_dir, int *out_n);

#endif
