/* Whether the client may read the settings itself (else the JVM path reads and names them): cli-settings.c. */
#ifndef PATCHBAY_CLI_SETTINGS_H
#define PATCHBAY_CLI_SETTINGS_H

/*
 * 1 when the settings are ones the client reads as the JVM does (dev.patchbay.launcher.Settings): the configuration
 * file sets nothing (the default file missing, or only blank and comment lines of ASCII), and of the settings'
 * variables only PATCHBAY_RUN_DIR and PATCHBAY_STATE_DIR (absolute paths), PATCHBAY_DAEMON_AUTOSTART (on, off) and
 * PATCHBAY_DAEMON_IDLE (0 to 999999) are set. Anything else: 0, and the JVM path reads the settings (and refuses a
 * bad one in its own words).
 */
int plain_settings(void);

#endif
