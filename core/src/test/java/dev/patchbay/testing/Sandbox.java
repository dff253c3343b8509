package dev.patchbay.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The throwaway network of one test. The JVM's own namespace (itself a sandbox) plays "the host";
 * {@link #netns} makes further namespaces, named uniquely, that play containers or "outside".
 * {@link #close} deletes them all, then fails if the host has links, or the run directory has
 * namespaces, that were not there when the test began. Uses iproute2 for setup and cross-checks
 * only: the product never runs it.
 */
public final class Sandbox implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final String prefix;
    private final List<String> created = new ArrayList<>();
    private final Set<String> baselineLinks;
    private final Set<String> baselineNetns;

    private Sandbox(String prefix) {
        this.prefix = prefix;
        this.baselineLinks = hostLinks();
        this.baselineNetns = netnsList();
    }

    static Sandbox open() {
        return new Sandbox("t" + ProcessHandle.current().pid() % 10000 + "x" + SEQ.incrementAndGet() + "-");
    }

    /** A unique name with this test's prefix, for a namespace the code under test will create itself. */
    public String name(String role) {
        String n = prefix + role;
        created.add(n);
        return n;
    }

    /** Creates a namespace (with lo up) and returns its name; deleted by {@link #close}. */
    public String netns(String role) {
        String n = name(role);
        run("ip", "netns", "add", n);
        run("ip", "-n", n, "link", "set", "lo", "up");
        return n;
    }

    /** Runs a command in the host namespace; fails with its output unless it exits 0. */
    public String run(String... argv) {
        Result r = exec(argv);
        if (r.code() != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited " + r.code() + ": " + r.output());
        }
        return r.output();
    }

    /** Runs a command inside a named namespace ({@code ip netns exec}). */
    public Result execIn(String netns, String... argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(Arrays.asList(argv));
        return exec(full.toArray(String[]::new));
    }

    /** True when one ping from {@code netns} to {@code address} gets an answer within 2 s. */
    public boolean ping(String netns, String address) {
        return execIn(netns, "ping", "-c", "1", "-W", "2", address).code() == 0;
    }

    public static Result exec(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    /** Exit code and merged output of a command. */
    public record Result(int code, String output) {
    }

    static Set<String> hostLinks() {
        Set<String> names = new TreeSet<>();
        for (String line : exec("ip", "-o", "link", "show").output().split("\n")) {
            String[] parts = line.split(": ", 3);
            if (parts.length >= 2) {
                names.add(parts[1].replaceAll("@.*", ""));
            }
        }
        return names;
    }

    static Set<String> netnsList() {
        Set<String> names = new TreeSet<>();
        for (String line : exec("ip", "netns", "list").output().split("\n")) {
            if (!line.isBlank()) {
                names.add(line.split(" ")[0]);
            }
        }
        return names;
    }

    @Override
    public void close() {
        List<String> errors = new ArrayList<>();
        for (String n : created) {
            if (netnsList().contains(n)) {
                Result r = exec("ip", "netns", "del", n);
                if (r.code() != 0) {
                    errors.add("cannot delete namespace " + n + ": " + r.output());
                }
            }
        }
        Set<String> links = hostLinks();
        links.removeAll(baselineLinks);
        if (!links.isEmpty()) {
            exec("ip", "link", "del", links.iterator().next());
            errors.add("the test left links in the host namespace: " + links);
        }
        Set<String> ns = netnsList();
        ns.removeAll(baselineNetns);
        if (!ns.isEmpty()) {
            ns.forEach(n -> exec("ip", "netns", "del", n));
            errors.add("the test left namespaces: " + ns);
        }
        if (!errors.isEmpty()) {
            throw new AssertionError(String.join("; ", errors));
        }
    }
}
