package dev.patchbay.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.patchbay.harness.Holder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A TCP transfer through a tbf whose burst is too big to wait out, measured after the bucket is spent. containerd's CRI
 * sends a burst of 2^32-1 bits (536,870,911 bytes) with a pod's bandwidth annotations, and the kernel's tbf keeps it
 * whole, uncapped: {@code tc -j qdisc} shows a burst of 536,870,910 at 20 Mbit/s, and 193,273,526 at 10 Mbit/s only
 * because the time it stores (429 s) does not fit the 32 bits of 64 ns ticks it dumps; at 10 Mbit/s as at 20, a fresh
 * pod's first ~515 MB of TCP payload (the burst less 66 bytes of headers per 1,514) pass at the veth's speed, in under a
 * second, and a short transfer is never shaped. So the sender sends without end; the receiver finds the end of the burst
 * (a whole second bringing less than 16 MB, far below a veth's speed and far above the rates shaped; more than 16 MB after
 * it was a stall of the machine, not the end, and the search goes on), then counts for {@value #WINDOW_S} s: the bucket is
 * empty then, and the payload arrives at the tbf's rate (less those headers, 4.4%).
 */
final class ShapedTransfer {
    static final double WINDOW_S = 2.5;
    private static final String RECEIVE = String.join("\n", "import socket, sys, time",
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', int(sys.argv[1]))); s.listen(1)",
            "print('ready', flush=True)", "c, _ = s.accept(); c.settimeout(20); n = 0; t0 = time.monotonic(); seen = [(t0, 0)]; knee = None",
            "while True:", "    b = c.recv(1 << 20)", "    if not b: break", "    now = time.monotonic(); n += len(b)",
            "    if knee is not None and n - knee[1] > (16 << 20): knee = None; seen = [(now, n)]  # a stall, not the end",
            "    if knee is None:", "        seen.append((now, n))", "        while len(seen) > 1 and seen[1][0] <= now - 1: seen.pop(0)",
            "        if now - seen[0][0] >= 1 and n - seen[0][1] < (16 << 20): knee = (now, n)",
            "    elif now - knee[0] >= " + WINDOW_S + ":", "        print(knee[1], n - knee[1], now - knee[0], knee[0] - t0, flush=True); break",
            "c.close()");
    private static final String SEND = "import socket, sys\ns = socket.create_connection((sys.argv[1], int(sys.argv[2])))\n"
            + "b = bytes(1 << 20)\ntry:\n    for i in range(2048):\n        s.sendall(b)\nexcept OSError:\n    pass\n";

    /** {@code burst}: payload bytes before the end of the burst; {@code mbit}: Mbit/s of payload after it, over {@code seconds}. */
    record Result(long burst, double mbit, double seconds, double burstSeconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.2f Mbit/s over %.1f s after a burst of %,d bytes (its end seen at %.1f s)", mbit, seconds, burst, burstSeconds);
        }
    }

    /**
     * Receives on {@code port} in the namespace {@code receiver} enters (it wraps an argv), while {@code sender} sends to
     * {@code ip}; both with the python3 of the holder.
     */
    static Result measure(Function<List<String>, List<String>> receiver, Function<List<String>, List<String>> sender, String ip, int port)
            throws Exception {
        Process r = new ProcessBuilder(receiver.apply(List.of("/usr/bin/python3", "-c", RECEIVE, Integer.toString(port))))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(r.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine(), "the receiver listens");
            Holder.Result sent = Holder.exec(sender.apply(List.of("/usr/bin/python3", "-c", SEND, ip, Integer.toString(port))), null, 60);
            assertTrue(r.waitFor(30, TimeUnit.SECONDS), "the receiver ended");
            String line = out.readLine();
            assertTrue(line != null, "the burst ended and the rate was measured (sender: exit " + sent.code() + ", " + sent.err() + ")");
            String[] w = line.trim().split(" ");
            double seconds = Double.parseDouble(w[2]);
            return new Result(Long.parseLong(w[0]), Long.parseLong(w[1]) * 8 / seconds / 1e6, seconds, Double.parseDouble(w[3]));
        } finally {
            r.destroyForcibly();
        }
    }

    /** To the pod {@code pid} at {@code ip}, then from it to {@code gateway} (port 5001, 5002): the pod's {@code in} and {@code out}. */
    static Result[] bothWays(dev.patchbay.harness.Cri cri, long pid, String ip, String gateway) throws Exception {
        var inPod = in(cri.holder().nsenter(List.of("nsenter", "-t", Long.toString(pid), "-n", "--")));
        var inHost = in(cri.holder().nsenter(List.of()));
        return new Result[] {measure(inPod, inHost, ip, 5001), measure(inHost, inPod, gateway, 5002)};
    }

    /** {@code argv} prefixed by {@code prefix}. */
    static Function<List<String>, List<String>> in(List<String> prefix) {
        return argv -> {
            List<String> all = new ArrayList<>(prefix);
            all.addAll(argv);
            return all;
        };
    }
}
