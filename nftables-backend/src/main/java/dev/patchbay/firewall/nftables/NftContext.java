package dev.patchbay.firewall.nftables;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.UnavailableException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/**
 * One libnftables context. Its netlink socket belongs to the namespace of the thread that created it,
 * so create it inside the host namespace; afterwards it works from any thread. Calls are serialised.
 */
final class NftContext implements AutoCloseable {
    private static volatile LibNftables lib;
    private static volatile Throwable loadFailure;

    private final Pointer ctx;
    /** What the table holds, as far as this context knows; null when it must be read again. */
    NftState state;
    /** The nf_tables netlink channel for map elements, in the same namespace; null: elements go through libnftables. */
    NftDirect direct;

    private NftContext(Pointer ctx) {
        this.ctx = ctx;
    }

    static synchronized LibNftables lib() {
        if (lib == null && loadFailure == null) {
            try {
                lib = LibraryLoader.create(LibNftables.class).failImmediately().load("nftables");
            } catch (Throwable t) {
                loadFailure = t;
            }
        }
        if (lib == null) {
            throw new UnavailableException("failed to load library \"libnftables\": " + loadFailure.getMessage(), loadFailure);
        }
        return lib;
    }

    /**
     * Loads libnftables through jnr-ffi on a daemon thread of its own (40-60 ms of a cold run), so that the first
     * context finds it ready; {@link #lib} waits for it, and a failure is kept for the callers as before.
     */
    static void warmUp() {
        if (lib != null || loadFailure != null) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                lib();
            } catch (RuntimeException ignored) {
                // kept in loadFailure: the first caller gets it
            }
        }, "patchbay-nftables-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Creates a context on the calling thread, so in its namespace. */
    static NftContext create() {
        LibNftables l = lib();
        Pointer p = l.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
        if (p == null) {
            throw new BackendException("failed to create nftables context: nft_ctx_new returned NULL");
        }
        l.nft_ctx_buffer_output(p);
        l.nft_ctx_buffer_error(p);
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
        LibNftables l = lib();
        l.nft_ctx_output_set_flags(ctx, flags);
        int rc = l.nft_run_cmd_from_buffer(ctx, commands);
        String out = l.nft_ctx_get_output_buffer(ctx);
        String err = l.nft_ctx_get_error_buffer(ctx);
        if (rc != 0) {
            throw new BackendException("nft: " + (err == null || err.isBlank() ? "rc=" + rc : err.strip()));
        }
        return new Result(out == null ? "" : out);
    }

    @Override
    public synchronized void close() {
        if (direct != null) {
            direct.close();
        }
        lib().nft_ctx_free(ctx);
    }
}
