package dev.patchbay.launcher;

import java.io.PrintStream;

/**
 * Where a cold run's time goes: with {@code PATCHBAY_TIMING} set, {@link #mark} notes the time of named steps and
 * {@link #report} prints them on stderr at exit, one line ({@code patchbay timing: start 41, main 52, ...}: ms since
 * the process started, as far as the kernel's clock ticks tell, then since main). Off, each mark is one field read.
 */
final class Stamps {
    private static final boolean ON = System.getenv("PATCHBAY_TIMING") != null;
    private static final long T0 = System.nanoTime();
    private static final StringBuilder LINE = ON ? new StringBuilder() : null;

    private Stamps() {
    }

    static void mark(String step) {
        if (ON) {
            synchronized (LINE) {
                LINE.append(", ").append(step).append(' ').append((System.nanoTime() - T0) / 1_000_000);
            }
        }
    }

    static void report(PrintStream err) {
        if (!ON) {
            return;
        }
        long sinceStart = ProcessHandle.current().info().startInstant()
                .map(i -> System.currentTimeMillis() - i.toEpochMilli()).orElse(-1L);
        long sinceMain = (System.nanoTime() - T0) / 1_000_000;
        err.println("patchbay timing: process " + sinceStart + " ms, main at " + (sinceStart - sinceMain) + LINE + ", exit " + sinceMain);
    }
}
