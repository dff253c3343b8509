package dev.patchbay.launcher;

import java.io.PrintWriter;
import sun.misc.Signal;

/**
 * SIGHUP in the daemon: the JVM's default is to exit (as for SIGTERM), which {@code systemctl reload} and a terminal
 * closing would turn into an outage. The daemon reads no configuration file yet, so a reload logs that it was asked and
 * keeps serving; reading the configuration again belongs here.
 */
final class Hangup {
    private Hangup() {
    }

    static void handle(PrintWriter log) {
        Signal.handle(new Signal("HUP"), s -> {
            log.println("patchbay: daemon: SIGHUP: reload: no configuration file to read again yet; serving on");
            log.flush();
        });
    }
}
