package dev.patchbay.launcher;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The daemon that starts itself, the CLI's side (the CNI shim's is {@code src/main/c/cni-autostart.c}, which says the
 * same): a command that finds no daemon for its namespace starts {@code bin/patchbay daemon --idle SECONDS} and waits
 * for its socket; concurrent callers (CLI or shim) take one fcntl lock, {@code net-INODE.lock} beside the socket, so
 * they start one. The daemon gets a session of its own ({@code setsid}, util-linux), stdin {@code /dev/null}, stdout
 * and stderr appended to {@code net-INODE.log} beside the socket, cwd {@code /}, no fd of ours and our environment
 * without {@code LISTEN_*}, {@code NOTIFY_SOCKET} and CNI's variables.
 */
final class DaemonAutostart {
    static final String ENV_AUTOSTART = "PATCHBAY_DAEMON_AUTOSTART";
    static final String ENV_IDLE = "PATCHBAY_DAEMON_IDLE";
    static final String DEFAULT_IDLE = "300";
    static final long START_WAIT_MS = 20_000;
    static final long LOCK_WAIT_MS = 25_000;

    private DaemonAutostart() {
    }

    /** Why a start did not happen, for one line on stderr; {@code skipped}: not ours to start, say nothing. */
    record Outcome(boolean serves, String why) {
        static final Outcome SERVES = new Outcome(true, null);
        static final Outcome SKIPPED = new Outcome(false, null);

        static Outcome failed(String why) {
            return new Outcome(false, why);
        }
    }

    /** Makes a daemon serve {@code sock} unless one does (or it is switched off, or we are not root). */
    static Outcome ensure(Path sock, Path home, Map<String, String> env) {
        String mode = env.get(ENV_AUTOSTART);
        if ("off".equals(mode)) {
            return Outcome.SKIPPED;
        }
        if (mode != null && !mode.isEmpty() && !mode.equals("on")) {
            return Outcome.failed(ENV_AUTOSTART + "=" + mode + ": on or off");
        }
        String idle = env.getOrDefault(ENV_IDLE, "");
        idle = idle.isEmpty() ? DEFAULT_IDLE : idle;
        if (!idle.matches("[0-9]{1,6}")) {
            return Outcome.failed(ENV_IDLE + "=" + idle + ": seconds, 0 to 999999 (0: never leave)");
        }
        if (!root()) {
            return Outcome.SKIPPED;
        }
        Path dir = sock.toAbsolutePath().getParent();
        String name = sock.getFileName().toString().replaceFirst("\\.sock$", "");
        Path lock = dir.resolve(name + ".lock");
        Path log = dir.resolve(name + ".log");
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Map<String, Object> st = Files.readAttributes(dir, "unix:uid,mode");
            if ((Integer) st.get("uid") != 0 || ((Integer) st.get("mode") & 022) != 0) {
                return Outcome.failed("the run folder " + dir + " is not a folder of root's alone");
            }
        } catch (IOException e) {
            return Outcome.failed("cannot make the run folder " + dir + ": " + e.getMessage());
        }
        try (FileChannel ch = FileChannel.open(lock, java.util.Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            long until = System.nanoTime() + LOCK_WAIT_MS * 1_000_000;
            while (true) {
                if (DaemonClient.alive(sock)) {
                    return Outcome.SERVES; // a concurrent call started it
                }
                FileLock held = ch.tryLock();
                if (held != null) {
                    try (held) {
                        return DaemonClient.alive(sock) ? Outcome.SERVES : start(sock, home, idle, log, env);
                    }
                }
                if (System.nanoTime() > until) {
                    return Outcome.failed("another call has been starting the daemon for " + LOCK_WAIT_MS / 1000 + " s (" + lock + ")");
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            return Outcome.failed("cannot lock " + lock + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted");
        }
    }

    private static Outcome start(Path sock, Path home, String idle, Path log, Map<String, String> env) throws InterruptedException {
        Path setsid = Files.isExecutable(Path.of("/usr/bin/setsid")) ? Path.of("/usr/bin/setsid") : Path.of("/bin/setsid");
        if (!Files.isExecutable(setsid)) {
            return Outcome.failed("no setsid (util-linux) in /usr/bin or /bin");
        }
        Path launcher = home.resolve("bin/patchbay");
        ProcessBuilder pb = new ProcessBuilder(setsid.toString(), launcher.toString(), "daemon", "--idle", idle)
                .directory(new File("/"))
                .redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        Map<String, String> childEnv = pb.environment();
        childEnv.clear();
        env.forEach((k, v) -> {
            if (!k.startsWith("CNI_") && !k.startsWith("LISTEN_") && !k.equals("NOTIFY_SOCKET") && !k.equals(CniRequest.ENV_TYPE)) {
                childEnv.put(k, v);
            }
        });
        Process daemon;
        try {
            if (!Files.exists(log)) {
                Files.createFile(log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            daemon = pb.start();
        } catch (IOException e) {
            return Outcome.failed("cannot run " + launcher + " daemon: " + e.getMessage());
        }
        long until = System.nanoTime() + START_WAIT_MS * 1_000_000;
        while (System.nanoTime() < until) {
            if (DaemonClient.alive(sock)) {
                return Outcome.SERVES;
            }
            if (!daemon.isAlive()) {
                return DaemonClient.alive(sock) ? Outcome.SERVES // another daemon won: ours left with exit 3
                        : Outcome.failed("the daemon it started left before serving (exit code " + daemon.exitValue() + "): see " + log);
            }
            Thread.sleep(10);
        }
        return Outcome.failed("the daemon it started (pid " + daemon.pid() + ") does not serve " + sock + " within "
                + START_WAIT_MS / 1000 + " s: see " + log);
    }

    /** Effective uid 0 (the daemon is root's: a user's command runs in-process, as before). */
    private static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return "0".equals(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
