package dev.patchbay.launcher;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceListener;

/**
 * Runs CLI requests in a long-lived framework (the daemon). Building a command line per request (service lookup
 * with a filter, a new prototype instance of the command service, picocli's model of the root and the command)
 * costs 1-3 ms, as much as the IPAM and netlink work of an attach; so each command word keeps the command lines
 * it built and reuses them.
 *
 * <p>A picocli {@code CommandLine} is not thread-safe, so a ready command line serves one request at a time: a
 * request takes an idle one of its word or builds a new one when all are busy (so there are at most as many per
 * word as requests run at once), and puts it back afterwards. picocli resets every option and parameter to its
 * initial value before each parse, so nothing of one request is seen by the next. Any change to the command
 * or network plugin services (a bundle stopped, updated or started, a component re-activated with other references) drops every
 * idle command line and the ones in use when they come back: a request never runs a command whose service was
 * unregistered or outranked meanwhile.
 */
public final class Requests implements AutoCloseable {
    private final BundleContext ctx;
    private final Map<String, ConcurrentLinkedDeque<Ready>> idle = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    /** {@link #streams} by word, until the command services change (a filter over every service, per request, before). */
    private final Map<String, Streams> streaming = new ConcurrentHashMap<>();

    /** Whether a word's command streams, as looked up while the command services were at {@code generation}. */
    private record Streams(boolean streams, long generation) {
    }
    private final ServiceListener onChange = event -> invalidate();

    /** A command line for one word, built while the command services were at {@code generation}. */
    private record Ready(PatchbayCli cli, long generation) {
    }

    public Requests(BundleContext ctx) {
        this.ctx = ctx;
        try {
            // a network plugin too: network create's flags are the installed plugins' (a plugin dropped in shows its own)
            ctx.addServiceListener(onChange, "(|(" + PatchbayCli.COMMAND_PROPERTY + "=*)(" + PluginReport.NETWORK_PLUGIN + "=*))");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one command line, {@code args}, writing to {@code out} and {@code err}; returns its exit code. */
    public int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, true).code();
    }

    /**
     * How a command line ended: its exit code and the command it ran as the command tree names it ({@code network
     * create}; null when none of the tree's commands ran: help, an unknown word). For the daemon's metrics.
     */
    public record Ran(int code, String command) {
    }

    /** Like {@link #run}, saying which command ran. */
    public Ran runNamed(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, true);
    }

    /**
     * Like {@link #run}, for a caller that is a program (a CNI runtime): a command no started bundle provides is
     * answered with exit code 3 and why it is missing, instead of mounting every command for picocli's suggestions.
     */
    public int runCommand(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, false).code();
    }

    private Ran run(String[] args, PrintWriter out, PrintWriter err, boolean suggest) {
        String word = Args.commandWord(args);
        if (word == null || word.equals("daemon")) { // help, version or no command: rare, built afresh
            return new Ran(PatchbayCli.create(ctx, out, err, null).execute(args), word);
        }
        Ready ready = take(word);
        if (ready == null) {
            long built = generation.get();
            PatchbayCli cli = PatchbayCli.create(ctx, out, err, word);
            Stamps.mark("cli");
            if (!cli.mounts(word)) {
                cli.release();
                if (!suggest) {
                    err.println("patchbay: no command '" + word + "': no started bundle provides it");
                    MissingCommands.explain(ctx, args, err);
                    return new Ran(3, null);
                }
                // unknown word: every command mounted, for picocli's suggestions
                return new Ran(PatchbayCli.create(ctx, out, err, null).execute(args), null);
            }
            ready = new Ready(cli, built);
        }
        try {
            int code = ready.cli().executeAgain(out, err, args);
            return new Ran(code, code == 2 ? word : ready.cli().matched()); // a usage error: the parse may not have got far
        } finally {
            giveBack(word, ready);
        }
    }

    private Ready take(String word) {
        ConcurrentLinkedDeque<Ready> queue = idle.get(word);
        Ready ready = queue == null ? null : queue.pollFirst();
        while (ready != null && ready.generation() != generation.get()) {
            ready.cli().release();
            ready = queue.pollFirst();
        }
        return ready;
    }

    private void giveBack(String word, Ready ready) {
        if (ready.generation() != generation.get()) {
            ready.cli().release();
            return;
        }
        idle.computeIfAbsent(word, w -> new ConcurrentLinkedDeque<>()).offerFirst(ready);
        if (ready.generation() != generation.get() && idle.get(word).remove(ready)) { // invalidated meanwhile
            ready.cli().release();
        }
    }

    /**
     * Whether the command {@code word} mounts streams its output ({@link DaemonStream#PROPERTY}{@code =true} on the
     * service that serves the word, by {@link dev.patchbay.host.plugins.Providers#ORDER}).
     */
    public boolean streams(String word) {
        if (word == null) {
            return false;
        }
        long now = generation.get();
        Streams known = streaming.get(word);
        if (known == null || known.generation() != now) {
            known = new Streams(lookUpStreams(word), now); // a change meanwhile moves the generation on: looked up again
            if (streaming.size() >= 256) {
                streaming.clear(); // words are whatever clients send: a bounded cache
            }
            streaming.put(word, known);
        }
        return known.streams();
    }

    private boolean lookUpStreams(String word) {
        try {
            org.osgi.framework.ServiceReference<?>[] refs = ctx.getServiceReferences((String) null,
                    "(" + PatchbayCli.COMMAND_PROPERTY + "=" + PatchbayCli.escape(word) + ")");
            return refs != null && java.util.Arrays.stream(refs).min(dev.patchbay.host.plugins.Providers.ORDER)
                    .map(r -> "true".equals(String.valueOf(r.getProperty(DaemonStream.PROPERTY)))).orElse(false);
        } catch (InvalidSyntaxException e) {
            return false;
        }
    }

    /** Drops every idle command line; the ones in use are dropped when they come back. */
    private void invalidate() {
        generation.incrementAndGet();
        for (ConcurrentLinkedDeque<Ready> queue : idle.values()) {
            for (Ready r = queue.pollFirst(); r != null; r = queue.pollFirst()) {
                r.cli().release();
            }
        }
    }

    @Override
    public void close() {
        try {
            ctx.removeServiceListener(onChange);
        } catch (RuntimeException ignored) {
            // the framework is already stopping
        }
        invalidate();
    }
}
