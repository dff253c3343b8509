package dev.patchbay.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The daemon as systemd starts it, in the test JVM's namespace: {@code systemd-socket-activate} listens on
 * {@code RUN/patchbay.sock} and execs {@code bin/patchbay daemon} on the first connection with the socket as fd 3
 * ({@code LISTEN_FDS}); {@code bin/patchbay-socket-link} gives the socket the namespace's name, as
 * {@code patchbay.socket}'s ExecStartPost does; a test {@code NOTIFY_SOCKET} (a python3 receiver: Java has no unix
 * datagram sockets) writes each notification to a file, one line each: the sender's pid, then the message.
 */
final class ActivatedDaemon implements AutoCloseable {
    private static final String RECEIVER = String.join("\n",
            "import socket, struct, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)",
            "s.bind(sys.argv[1])",
            "out = open(sys.argv[2], 'a')",
            "while True:",
            "    msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(12))",
            "    pid = [struct.unpack('iII', d[:12])[0] for l, t, d in anc if t == socket.SCM_CREDENTIALS]",
            "    out.write(str(pid[0] if pid else -1) + ' ' + msg.decode().replace('\\n', ' ') + '\\n')",
            "    out.flush()");

    final Cli cli;
    final Path notifications;
    final Path log;
    final Process process;
    private final Process receiver;

    ActivatedDaemon() throws Exception {
        this(List.of());
    }

    /** With {@code wrapper} before systemd-socket-activate (e.g. setpriv with the unit's capability bounding set). */
    ActivatedDaemon(List<String> wrapper) throws Exception {
        cli = Cli.fresh();
        Path dir = Files.createTempDirectory("pb-notify");
        Path notifySocket = dir.resolve("notify.sock");
        notifications = dir.resolve("notifications.txt");
        Files.createFile(notifications);
        receiver = new ProcessBuilder("python3", "-c", RECEIVER, notifySocket.toString(), notifications.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("receiver.log").toFile()).start();
        await(() -> Files.exists(notifySocket), "the test NOTIFY_SOCKET is bound");
        log = Files.createTempFile("pb-activated", ".log");
        List<String> argv = new java.util.ArrayList<>(wrapper);
        argv.addAll(List.of("systemd-socket-activate", "-l", cli.runDir().resolve("patchbay.sock").toString(),
                "-E", "PATCHBAY_RUN_DIR", "-E", "PATCHBAY_STATE_DIR", "-E", "NOTIFY_SOCKET",
                Cli.DIST.resolve("bin/patchbay").toString(), "daemon"));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PATCHBAY_RUN_DIR", cli.runDir().toString());
        pb.environment().put("PATCHBAY_STATE_DIR", cli.stateDir().toString());
        pb.environment().put(Notify.ENV_SOCKET, notifySocket.toString());
        process = pb.start();
        await(() -> Files.exists(cli.runDir().resolve("patchbay.sock")), "systemd-socket-activate listens");
        ProcessBuilder linker = new ProcessBuilder(Cli.DIST.resolve("bin/patchbay-socket-link").toString(), "link").inheritIO();
        linker.environment().put("PATCHBAY_RUN_DIR", cli.runDir().toString());
        Process link = linker.start();
        if (!link.waitFor(30, TimeUnit.SECONDS) || link.exitValue() != 0) {
            throw new AssertionError("patchbay-socket-link link failed");
        }
    }

    /** The notifications received so far: "PID MESSAGE" lines. */
    List<String> notifications() throws IOException {
        return Files.readAllLines(notifications);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** A bounded wait (60 s: the machine may be busy) for something the daemon does in its own time. */
    static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        receiver.destroy();
        receiver.waitFor(30, TimeUnit.SECONDS);
    }
}
