package dev.patchbay.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time of each benchmark operation goes, from a JFR recording of a benchmark run: every method
 * sample (Java and native) of the benchmark's thread is attributed to the {@link BenchOp} it fell in, and to
 * the step of the use case it was in (the method the attach/detach use case called, with its line). Prints,
 * per operation, the share of each step and an estimate in ms for the first and the last tenth of the
 * containers. Self-contained (JDK only), run it as a source file:
 * {@code java bench/src/test/java/dev/patchbay/bench/JfrBreakdown.java rec.jfr [rows]}.
 */
public final class JfrBreakdown {
    private JfrBreakdown() {
    }

    record Op(long start, long end, String name, int container) {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        List<Op> ops = new ArrayList<>();
        List<RecordedEvent> samples = new ArrayList<>();
        try (RecordingFile f = new RecordingFile(Path.of(args[0]))) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                String type = e.getEventType().getName();
                if (type.equals("dev.patchbay.bench.Op")) {
                    ops.add(new Op(nanos(e.getStartTime()), nanos(e.getEndTime()), e.getString("op"), e.getInt("container")));
                } else if ((type.equals("jdk.ExecutionSample") || type.equals("jdk.NativeMethodSample"))
                        && e.getThread("sampledThread") != null && "main".equals(e.getThread("sampledThread").getJavaName())) {
                    samples.add(e);
                }
            }
        }
        ops.sort((a, b) -> Long.compare(a.start(), b.start()));
        int n = ops.stream().mapToInt(Op::container).max().orElse(0);
        int tenth = Math.max(1, n / 10);
        // op name -> group (early/late) -> step -> samples
        Map<String, Map<String, Map<String, Integer>>> counts = new TreeMap<>();
        for (RecordedEvent s : samples) {
            Op op = find(ops, nanos(s.getStartTime()));
            if (op == null) {
                continue;
            }
            String group = op.container() <= tenth ? "early" : op.container() > n - tenth ? "late" : "middle";
            counts.computeIfAbsent(op.name(), k -> new HashMap<>()).computeIfAbsent(group, k -> new HashMap<>())
                    .merge(step(s), 1, Integer::sum);
        }
        System.out.printf(Locale.ROOT, "%d operations, %d samples of the benchmark thread; early = containers 1-%d, late = %d-%d%n",
                ops.size(), samples.size(), tenth, n - tenth + 1, n);
        for (var byOp : counts.entrySet()) {
            double earlyMs = medianMs(ops, byOp.getKey(), 1, tenth);
            double lateMs = medianMs(ops, byOp.getKey(), n - tenth + 1, n);
            Map<String, Integer> early = byOp.getValue().getOrDefault("early", Map.of());
            Map<String, Integer> late = byOp.getValue().getOrDefault("late", Map.of());
            int te = early.values().stream().mapToInt(Integer::intValue).sum();
            int tl = late.values().stream().mapToInt(Integer::intValue).sum();
            System.out.printf(Locale.ROOT, "%n== %s: median %.2f ms early, %.2f ms late (samples %d / %d)%n", byOp.getKey(), earlyMs, lateMs, te, tl);
            System.out.printf(Locale.ROOT, "%-92s %7s %7s %8s %8s%n", "step (method the use case called : line)", "early%", "late%", "early ms", "late ms");
            Map<String, Integer> all = new HashMap<>(early);
            late.forEach((k, v) -> all.merge(k, v, Integer::sum));
            all.entrySet().stream().sorted((a, b) -> Double.compare(share(late, tl, b.getKey()) + share(early, te, b.getKey()),
                    share(late, tl, a.getKey()) + share(early, te, a.getKey()))).limit(rows).forEach(x -> {
                        double pe = share(early, te, x.getKey());
                        double pl = share(late, tl, x.getKey());
                        System.out.printf(Locale.ROOT, "%-92s %6.1f%% %6.1f%% %8.2f %8.2f%n", x.getKey(), 100 * pe, 100 * pl, pe * earlyMs, pl * lateMs);
                    });
        }
    }

    private static double share(Map<String, Integer> m, int total, String key) {
        return total == 0 ? 0 : m.getOrDefault(key, 0) / (double) total;
    }

    private static long nanos(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static Op find(List<Op> ops, long t) {
        int lo = 0;
        int hi = ops.size() - 1;
        Op best = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ops.get(mid).start() <= t) {
                best = ops.get(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best != null && t <= best.end() ? best : null;
    }

    private static double medianMs(List<Op> ops, String name, int from, int to) {
        double[] v = ops.stream().filter(o -> o.name().equals(name) && o.container() >= from && o.container() <= to)
                .mapToDouble(o -> (o.end() - o.start()) / 1e6).sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * The method the use case called (stacks are innermost first: the first frame inside the use-case frame
     * that is not a lambda or a lock helper), and the innermost Patchbay frame of the sample, e.g.
     * {@code detachLocked -> BridgeDriver.detach:103 > NetlinkSocket.send [native]}.
     */
    static String step(RecordedEvent sample) {
        List<RecordedFrame> frames = sample.getStackTrace() == null ? List.of() : sample.getStackTrace().getFrames();
        String[] useCases = {"Attachments.lambda$attach$", "Attachments.detachLocked", "Attachments.attach", "Attachments.detach"};
        String inner = "";
        for (RecordedFrame f : frames) {
            String n = name(f);
            if (isProduct(f) && !n.startsWith("$$Lambda")) {
                inner = n;
                break;
            }
        }
        String kind = sample.getEventType().getName().equals("jdk.NativeMethodSample") ? " [native]" : "";
        for (String uc : useCases) {
            for (int i = 0; i < frames.size(); i++) {
                if (name(frames.get(i)).startsWith(uc)) {
                    for (int j = i - 1; j >= 0; j--) { // skip lambdas and helpers between the use case and its step
                        String callee = name(frames.get(j));
                        if (!callee.startsWith("$$Lambda") && !callee.startsWith("StateFiles.locked") && !callee.startsWith("NetworkStore.lockNetwork")
                                && !callee.startsWith("ErrorCollector.run") && !callee.startsWith("Attachments.lambda$")) {
                            String where = callee + ":" + frames.get(j).getLineNumber();
                            return uc.replace("Attachments.", "").replace("lambda$attach$", "attach") + " -> " + where
                                    + (inner.equals(callee) ? "" : " > " + inner) + kind;
                        }
                    }
                    return uc + " (itself)" + kind;
                }
            }
        }
        return "outside the use case (CLI parsing, command lookup, output)";
    }

    private static boolean isProduct(RecordedFrame f) {
        String cls = f.getMethod().getType().getName();
        return cls.startsWith("dev.patchbay") && !cls.startsWith("dev.patchbay.launcher") && !cls.startsWith("dev.patchbay.bench");
    }

    private static String name(RecordedFrame f) {
        String cls = f.getMethod().getType().getName();
        if (cls.contains("$$Lambda") || cls.contains("/")) {
            return "$$Lambda." + f.getMethod().getName();
        }
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }
}
