/* The shim's autostart: see cni-autostart.c. */
#ifndef PATCHBAY_CNI_AUTOSTART_H
#define PATCHBAY_CNI_AUTOSTART_H
#include <stddef.h>

enum { AUTOSTART_SERVES, AUTOSTART_SKIPPED, AUTOSTART_FAILED };

/*
 * Makes a daemon serve `sock` (the namespace's socket) when none does: AUTOSTART_SERVES once one listens there (started
 * by this call or by a concurrent one), AUTOSTART_SKIPPED when it is not ours to start (switched off, not root),
 * AUTOSTART_FAILED with `why` set (the call then runs cold).
 */
int autostart(const char *sock, const char *launcher, char *why, size_t why_size);

#endif
