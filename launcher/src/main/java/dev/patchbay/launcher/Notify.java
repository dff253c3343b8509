package dev.patchbay.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tells systemd how the daemon is doing ({@code Type=notify}): {@code READY=1} once it serves, {@code STOPPING=1} when
 * it stops. The protocol is a datagram on the unix socket {@code NOTIFY_SOCKET} names, which Java cannot send (it has no
 * unix datagram sockets), so {@code systemd-notify} sends it, with the daemon's pid as the sender
 * ({@code --pid}: systemd-notify, run as root, puts that pid in the message's credentials), so {@code NotifyAccess=main}
 * suffices and the message is not lost when systemd-notify exits before systemd looks it up. Nothing happens without
 * {@code NOTIFY_SOCKET}; a notification that fails is logged, never fatal: the daemon serves either way.
 */
final class Notify {
    static final String ENV_SOCKET = "NOTIFY_SOCKET";

    private Notify() {
    }

    static void ready(PrintWriter log) {
        send(log, "--ready", "STATUS=serving " + DaemonSocket.currentNetns());
    }

    static void stopping(PrintWriter log) {
        send(log, "STOPPING=1", "STATUS=stopping: finishing the requests in flight");
    }

    /** The argv that sends {@code states} for process {@code pid}. */
    static List<String> argv(long pid, String... states) {
        List<String> argv = new ArrayList<>(List.of("systemd-notify", "--pid=" + pid));
        argv.addAll(List.of(states));
        return argv;
    }

    private static void send(PrintWriter log, String... states) {
        String socket = System.getenv(ENV_SOCKET);
        if (socket == null || socket.isEmpty()) {
            return;
        }
        List<String> argv = argv(ProcessHandle.current().pid(), states);
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] said = p.getInputStream().readAllBytes(); // systemd-notify says little; it exits once sent
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.println("patchbay: daemon: " + String.join(" ", argv) + " did not finish within 10 s");
            } else if (p.exitValue() != 0) {
                log.println("patchbay: daemon: " + String.join(" ", argv) + " failed (exit " + p.exitValue() + "): " + new String(said).trim());
            }
        } catch (IOException e) {
            log.println("patchbay: daemon: cannot tell systemd " + String.join(" ", states) + " through " + socket + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.flush();
    }
}
