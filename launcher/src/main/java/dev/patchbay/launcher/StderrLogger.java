package dev.patchbay.launcher;

import java.io.PrintWriter;

/**
 * Felix's framework log, sent to stderr so that stdout carries only command output (JSON included).
 * Felix calls {@code doLog} reflectively on the object given as {@code felix.log.logger}.
 */
public final class StderrLogger extends org.apache.felix.framework.Logger {
    private final PrintWriter err;
    private final boolean verbose;

    StderrLogger(PrintWriter err, boolean verbose) {
        this.err = err;
        this.verbose = verbose;
        setLogLevel(verbose ? LOG_INFO : LOG_ERROR);
    }

    @Override
    protected void doLog(int level, String msg, Throwable throwable) {
        if (level > LOG_ERROR && !verbose) {
            return;
        }
        String tag = level == LOG_ERROR ? "error" : level == LOG_WARNING ? "warning" : "info";
        err.println("patchbay: framework " + tag + ": " + msg + (throwable == null ? "" : ": " + throwable));
        err.flush();
    }
}
