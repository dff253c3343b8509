package dev.patchbay.firewall.nftables;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.sys.Nftables;

/**
 * One libnftables context. Its netlink socket belongs to the namespace of the thread that created it,
 * so create it inside the host namespace; afterwards it works from any thread. Calls are serialised.
 */
final class NftContext implements AutoCloseable {
    private final long ctx;
    /** Freed: a later run fails, a later close does nothing (the handle is native memory). */
    private boolean closed;
    /** What the table holds, as far as this context knows; null when it must be read again. */
    NftState state;
    /** The nf_tables netlink channel for map elements, in the same namespace; null: elements go through libnftables. */
    NftDirect direct;
    /** Whether {@link #state} can be trusted without reading the table (see {@link #unchanged}). */
    final Generations gens = new Generations();
    /** Transactions this context's runs committed (every run but a listing). */
    private long commits;

    private NftContext(long ctx) {
        this.ctx = ctx;
    }

    /** Creates a context on the calling thread, so in its namespace. */
    static NftContext create() {
        String why = Nftables.unavailable();
        if (why != null) {
            throw new UnavailableException("failed to load library \"libnftables\": " + why);
        }
        long p = Nftables.newContext();
        if (p == 0) {
            throw new BackendException("failed to create nftables context: nft_ctx_new returned NULL");
        }
        return new NftContext(p);
    }

    /** Output of a successful run. */
    record Result(String output) {
    }

    /**
     * Runs {@code commands} as one transaction. {@code flags}: output flags for this run (JSON to list,
     * ECHO|HANDLE to learn new handles).
     */
    synchronized Result run(String commands, int flags) {
        if (closed) {
            throw new IllegalStateException("nftables context is closed");
        }
        Nftables.Run r = Nftables.run(ctx, flags, commands);
        if (r.rc() != 0) {
            throw new BackendException("nft: " + (r.error().isBlank() ? "rc=" + r.rc() : r.error().strip()));
        }
        if (!commands.startsWith("list ")) {
            commits++;
        }
        return new Result(r.output());
    }

    /** This context's committed transactions so far, libnftables' and the netlink channel's. */
    synchronized long commits() {
        return commits + (direct == null ? 0 : direct.commits());
    }

    /** The namespace's nf_tables generation; -1 when it cannot be read (no netlink channel). */
    long generation() {
        try {
            return direct == null ? -1 : direct.generation();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * One GETGEN round trip: whether {@link #state} was found whole and nothing but this context's own commits
     * changed the ruleset since (see {@link Generations}).
     */
    boolean unchanged() {
        long g = generation();
        return g >= 0 && gens.unchanged(g, commits());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (direct != null) {
            direct.close();
        }
        Nftables.free(ctx);
    }
}
