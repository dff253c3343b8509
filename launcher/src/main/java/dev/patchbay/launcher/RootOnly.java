package dev.patchbay.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Which commands a user without root may run, checked before anything else (no daemon is asked, no framework
 * started): help and version, {@code doctor} (it says what is missing), {@code plugins}, and the {@code ip}-style
 * commands, whose changes the kernel itself refuses without CAP_NET_ADMIN (as {@code ip} does) while their listings
 * work for anyone. Everything else changes the network or reads and writes the state directory, which is root's alone
 * (0700): a non-root user is told so in one line, exit 3, instead of whatever the first refused step would say.
 */
final class RootOnly {
    private static final Set<String> FOR_ANYONE = Set.of("help", "version", "man", "completion", "doctor", "plugins",
            "netns", "link", "addr", "address", "route", "rule", "neigh", "neighbour", "monitor");
    private static final int CAP_DAC_OVERRIDE = 1;
    private static final int CAP_NET_ADMIN = 12;

    private RootOnly() {
    }

    /** The refusal for {@code args} run by this process, or null when it may go on. */
    static String refusal(String[] args) {
        String word = Args.commandWord(args);
        if (word == null || FOR_ANYONE.contains(word) || Args.has(args, "-h", "--help", "-V", "--version") || privileged()) {
            return null;
        }
        return "patchbay: permission denied: \"" + word + "\" needs root: it works on the network and on Patchbay's state, which are root's alone (run as root)";
    }

    /**
     * Root: effective uid 0 (also root of a user namespace of one's own), or the two capabilities the commands use
     * (CAP_NET_ADMIN for the kernel, CAP_DAC_OVERRIDE for the root-only state). Unknown (no /proc): let the command try.
     */
    static boolean privileged() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            return true;
        }
        if ("0".equals(field(status, "Uid:", 1))) { // real, effective, saved, fs
            return true;
        }
        String eff = field(status, "CapEff:", 0);
        long caps = eff == null ? 0 : Long.parseUnsignedLong(eff, 16);
        return (caps >> CAP_NET_ADMIN & 1) == 1 && (caps >> CAP_DAC_OVERRIDE & 1) == 1;
    }

    /** The {@code n}th tab-separated value of a {@code /proc/self/status} line (plain loops: see {@link Args}). */
    private static String field(String status, String key, int n) {
        int at = status.startsWith(key) ? 0 : status.indexOf("\n" + key);
        if (at < 0) {
            return null;
        }
        int end = status.indexOf('\n', at + 1);
        String[] values = status.substring(status.indexOf(':', at) + 1, end < 0 ? status.length() : end).trim().split("\t");
        return n < values.length ? values[n].trim() : null;
    }
}
