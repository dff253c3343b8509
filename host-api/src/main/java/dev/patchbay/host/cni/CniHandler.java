package dev.patchbay.host.cni;

import java.io.PrintWriter;
import java.util.function.BooleanSupplier;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Serves CNI plugin calls: the service a bundle registers to be the CNI plugin Patchbay's {@code cni/} executables run.
 * The launcher calls it on one of its threads per call (the daemon: several at once), and turns what it wrote into the
 * plugin's stdout, stderr and exit code; a handler that throws is answered as an internal error (exit 4, CNI code 104).
 */
@ConsumerType
@FunctionalInterface
public interface CniHandler {
    /**
     * Serves one call. The result, or the CNI error result, goes alone on {@code out}; diagnostics on {@code err}.
     * {@code callerGone} turns true once nobody waits for the answer any more (the daemon's client closed its
     * connection: the runtime gave up on the call); whatever the call runs in turn (another plugin it falls through
     * to) should be stopped then. Returns the plugin's exit code: 0, or non-zero with the error result on {@code out}.
     */
    int serve(CniInvocation call, PrintWriter out, PrintWriter err, BooleanSupplier callerGone);
}
