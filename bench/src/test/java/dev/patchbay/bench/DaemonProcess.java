package dev.patchbay.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code bin/patchbay daemon} process with a run directory and a state directory of its own.
 * {@link #call} speaks the daemon's socket protocol directly (what the CLI forwards: the client's
 * namespace and the arguments; the reply is the exit code, stdout and stderr); {@link #cli} runs the
 * real {@code bin/patchbay} as a fresh process, which finds the daemon and forwards to it.
 */
final class DaemonProcess implements Patchbay {
    private final Path dist;
    private final Path stateDir;
    private final Path runDir;
    private final Path log;
    private final Process process;
    private final Path socket;
    private final Thread stopper = new Thread(this::stop, "bench-daemon-stop");
    private Path felixCache;

    DaemonProcess(Path dist, Path stateDir, Path runDir) throws IOException, InterruptedException {
        this.dist = dist;
        this.stateDir = stateDir;
        this.runDir = runDir;
        this.log = Files.createTempFile("pb-bench-daemon", ".log");
        ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "daemon").redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("PATCHBAY_RUN_DIR", runDir.toString());
        pb.environment().put("PATCHBAY_STATE_DIR", stateDir.toString());
        String opts = System.getProperty("patchbay.bench.daemon.opts", "");
        if (!opts.isBlank()) { // e.g. -Xmx64m, to see what a heap cap does to the resident memory
            pb.environment().put("PATCHBAY_JAVA_OPTS", opts);
        }
        for (String kv : System.getProperty("patchbay.bench.daemon.env", "").split(",")) { // e.g. MALLOC_ARENA_MAX=2
            if (kv.contains("=")) {
                pb.environment().put(kv.substring(0, kv.indexOf('=')).strip(), kv.substring(kv.indexOf('=') + 1).strip());
            }
        }
        this.process = pb.start();
        Runtime.getRuntime().addShutdownHook(stopper); // the benchmark JVM killed mid-run: take the daemon along
        this.socket = awaitSocket();
        this.felixCache = felixCacheOf(process.pid());
    }

    private Path awaitSocket() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(runDir)) {
                try (var files = Files.list(runDir)) {
                    var sock = files.filter(f -> f.toString().endsWith(".sock")).findFirst();
                    if (sock.isPresent()) {
                        return sock.get();
                    }
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the daemon exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        close();
        throw new IllegalStateException("the daemon did not open its socket: " + Files.readString(log));
    }

    /**
     * The daemon's framework cache ({@code patchbay-felix-*} in the temp folder), found through the bundle jars it
     * holds open. The daemon's shutdown hook deletes it; if a daemon ever leaves it, the benchmark says so and deletes it.
     */
    private static Path felixCacheOf(long pid) {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    int i = target.indexOf("/patchbay-felix-");
                    if (i >= 0) {
                        int end = target.indexOf('/', i + 1);
                        return Path.of(end < 0 ? target : target.substring(0, end));
                    }
                } catch (IOException e) {
                    // a descriptor closed meanwhile
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public double call(String... args) {
        String[] full = Patchbay.withStateDir(stateDir, args);
        long t0 = System.nanoTime();
        int code;
        String out;
        String err;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream o = new DataOutputStream(Channels.newOutputStream(ch));
            writeString(o, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            o.writeInt(full.length);
            for (String a : full) {
                writeString(o, a);
            }
            o.flush();
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            code = in.readInt();
            out = readString(in);
            err = readString(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the daemon on " + socket + ": " + e.getMessage(), e);
        }
        long t1 = System.nanoTime();
        if (code != 0) {
            throw new IllegalStateException("daemon: patchbay " + String.join(" ", args) + " exited " + code + ": " + err + out);
        }
        return (t1 - t0) / 1e6;
    }

    /** The daemon's heap as {@code jcmd PID GC.heap_info} reports it (one line per space), or why not. */
    String heapInfo() {
        Procs.Timed t = Procs.timed(List.of("jcmd", Long.toString(pid()), "GC.heap_info"), Map.of(), null);
        return t.code() == 0 ? t.out().replaceAll("(?m)^\\d+:\\s*$", "").strip() : "jcmd failed: " + t.err() + t.out();
    }

    /** With {@code -XX:NativeMemoryTracking=summary} in the daemon's options: its committed memory by category. */
    String nativeMemory() {
        Procs.Timed t = Procs.timed(List.of("jcmd", Long.toString(pid()), "VM.native_memory", "summary"), Map.of(), null);
        StringBuilder s = new StringBuilder();
        for (String l : t.out().split("\n")) {
            if (l.contains("committed=") && (l.startsWith("Total") || l.startsWith("-"))) {
                s.append(l.replaceAll("\\s+", " ").replaceAll("reserved=\\d+KB, ", "").strip()).append('\n');
            }
        }
        return s.toString().strip();
    }

    /** Any {@code jcmd PID ...} (diagnosis knob {@code -Dpatchbay.bench.daemon.jcmd="VM.native_memory detail"}), raw output. */
    String jcmd(String command) {
        List<String> argv = new ArrayList<>(List.of("jcmd", Long.toString(pid())));
        argv.addAll(List.of(command.trim().split("\\s+")));
        Procs.Timed t = Procs.timed(argv, Map.of(), null);
        return t.out() + t.err();
    }

    /** {@code bin/patchbay ARGS} as a fresh process (it forwards to the daemon); the wall time in ms. */
    double cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(dist.resolve("bin/patchbay").toString()));
        argv.addAll(List.of(args));
        return Procs.timed(argv, Map.of("PATCHBAY_RUN_DIR", runDir.toString(), "PATCHBAY_STATE_DIR", stateDir.toString()), null)
                .ok("patchbay " + String.join(" ", args)).ms();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
    }

    /** Stops the daemon (SIGTERM: its shutdown hook removes the socket), then kills it if it lingers. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or removed by an earlier close
        }
        stop();
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Procs.deleteTree(runDir);
        if (felixCache != null && !process.isAlive() && Files.exists(felixCache)) {
            System.err.println("bench: the stopped daemon left its Felix cache " + felixCache + "; deleting it");
            Procs.deleteTree(felixCache);
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
