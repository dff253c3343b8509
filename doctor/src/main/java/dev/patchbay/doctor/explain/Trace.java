package dev.patchbay.doctor.explain;

import dev.patchbay.core.model.Family;
import dev.patchbay.core.model.IpAddresses;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.model.Protocol;
import dev.patchbay.core.spi.NetworkStack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The kernel's packet tracing for one probe: a table of its own in the host namespace ({@value #TABLE}) marks the
 * probe's packets ({@code meta nftrace set 1}) before any other chain sees them and watches them leave or arrive in
 * late chains; {@code nft monitor trace} reports every rule of every table (Patchbay's, iptables-nft's, another
 * tool's) that took a decision on them. The table is removed when the trace ends, whatever happened (and made afresh
 * by the next trace, should a killed process have left it).
 */
final class Trace {
    static final String TABLE = "patchbay-explain";
    private static final long DEADLINE_MS = 3000;

    /** The probe's packets: from {@code source} (null: any) to {@code destination}, of a protocol and port or ICMP. */
    record Match(InetAddress source, InetAddress destination, Protocol protocol, Integer port) {
        String nft() {
            String ip = Family.of(destination) == Family.INET ? "ip" : "ip6";
            StringBuilder sb = new StringBuilder();
            if (source != null) {
                sb.append(ip).append(" saddr ").append(IpAddresses.format(source)).append(' ');
            }
            sb.append(ip).append(" daddr ").append(IpAddresses.format(destination));
            if (protocol != null && port != null) {
                sb.append(' ').append(protocol.label()).append(" dport ").append(port);
            } else {
                sb.append(" meta l4proto ").append(Family.of(destination) == Family.INET ? "icmp" : "ipv6-icmp");
            }
            return sb.toString();
        }
    }

    private final NetworkStack stack;
    private final NetnsRef host;

    Trace(NetworkStack stack, NetnsRef host) {
        this.stack = stack;
        this.host = host;
    }

    /** Whether {@code nft} runs here (the trace needs its monitor). */
    boolean available() {
        try {
            Process p = new ProcessBuilder("nft", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String script(Match m) {
        String t = "inet " + TABLE;
        String mark = m.nft() + " meta nftrace set 1";
        return "add table " + t + "\ndelete table " + t + "\nadd table " + t + "\n"
                + "add chain " + t + " pre { type filter hook prerouting priority -400; }\n"
                + "add chain " + t + " out { type filter hook output priority -400; }\n"
                + "add chain " + t + " post { type filter hook postrouting priority 1000; }\n"
                + "add chain " + t + " in { type filter hook input priority 1000; }\n"
                + "add rule " + t + " pre " + mark + "\n"
                + "add rule " + t + " out " + mark + "\n"
                + "add rule " + t + " post counter\n"
                + "add rule " + t + " in counter\n";
    }

    /**
     * Marks {@code match}, sends {@code probe} (again every 700 ms until the trace shows a packet, at most 3 s) and
     * returns the trace's lines, without waiting for the answer of a probe a rule dropped. {@code probe} says how the destination answered (null: it did not).
     */
    Result run(Match match, Supplier<String> probe) {
        synchronized (Trace.class) { // one trace at a time in a process (the daemon): the monitor sees every marked packet
            return traced(match, probe);
        }
    }

    private Result traced(Match match, Supplier<String> probe) {
        nft(script(match));
        Process monitor = null;
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        String answer = null;
        try {
            monitor = stack.callIn(host, () -> new ProcessBuilder("nft", "monitor", "trace").redirectErrorStream(true).start());
            Process m = monitor;
            Thread reader = new Thread(() -> read(m, lines), "explain-trace");
            reader.setDaemon(true);
            reader.start();
            Thread.sleep(150); // the monitor subscribes; a probe before that is sent again below
            long end = System.currentTimeMillis() + DEADLINE_MS;
            while (System.currentTimeMillis() < end) {
                CompletableFuture<String> sent = CompletableFuture.supplyAsync(probe, Trace::thread);
                long wait = System.currentTimeMillis() + 700;
                while (System.currentTimeMillis() < wait && !done(lines)) {
                    Thread.sleep(20);
                }
                if (done(lines)) {
                    Thread.sleep(100); // the rest of its events
                    answer = answer != null || dropped(lines) ? answer : answer(sent, 1500); // a dropped probe gets no answer
                    break;
                }
                answer = answer != null ? answer : sent.getNow(null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (monitor != null) {
                monitor.destroy();
            }
            nft("delete table inet " + TABLE + "\n");
        }
        synchronized (lines) {
            return new Result(List.copyOf(lines), answer);
        }
    }

    private static void thread(Runnable r) {
        Thread t = new Thread(r, "explain-probe");
        t.setDaemon(true);
        t.start();
    }

    private static String answer(CompletableFuture<String> sent, long ms) throws InterruptedException {
        try {
            return sent.get(ms, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private static boolean dropped(List<String> lines) {
        synchronized (lines) {
            List<TraceEvents.Event> first = TraceEvents.firstPacket(TraceEvents.parse(lines));
            return !first.isEmpty() && first.get(first.size() - 1).verdict() != null && first.get(first.size() - 1).verdict().startsWith("drop");
        }
    }

    record Result(List<String> lines, String answer) {
    }

    private static boolean done(List<String> lines) {
        synchronized (lines) {
            List<TraceEvents.Event> all = TraceEvents.parse(lines);
            List<TraceEvents.Event> first = TraceEvents.firstPacket(all);
            return !first.isEmpty() && (first.size() < all.size() || TraceEvents.terminal(first.get(first.size() - 1)));
        }
    }

    private static void read(Process p, List<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException gone) {
            // the monitor was stopped
        }
    }

    private void nft(String script) {
        String err = stack.callIn(host, () -> {
            Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(script.getBytes(StandardCharsets.UTF_8));
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : said;
        });
        if (err != null) {
            throw new IllegalStateException("nft could not " + (script.startsWith("delete") ? "remove" : "add") + " the trace table inet " + TABLE + ": " + err);
        }
    }
}
