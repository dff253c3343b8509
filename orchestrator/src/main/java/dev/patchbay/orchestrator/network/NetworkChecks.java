package dev.patchbay.orchestrator.network;

import dev.patchbay.core.spi.NetworkStack;
import java.util.ArrayList;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a bundle keeps in the kernel for a network beside its plugin chain (the services bundle: its backends' hairpin
 * ports), checked and repaired like the network's own parts: {@code network inspect} and {@code ls} show what
 * {@link #check} finds missing as the network's health ({@code degraded}, in its words), and {@code gc} (the daemon's
 * full check too) calls {@link #repair}. A bundle registers one as a service; both are asked for every network checked.
 */
@ConsumerType
public interface NetworkChecks {
    /** What of this bundle's part of the network {@code shown} the kernel lacks, in words; changes nothing. */
    List<String> check(NetworkStack stack, NetworkFeatures.Shown shown);

    /** Makes what {@link #check} finds missing again (idempotent); what it did, in words. */
    List<String> repair(NetworkStack stack, NetworkFeatures.Shown shown);

    /** Every source's findings, in the order given; a source whose check fails is named as one. */
    static List<String> checkAll(List<NetworkChecks> sources, NetworkStack stack, NetworkFeatures.Shown shown) {
        List<String> out = new ArrayList<>();
        for (NetworkChecks s : sources == null ? List.<NetworkChecks>of() : sources) {
            try {
                out.addAll(s.check(stack, shown));
            } catch (RuntimeException e) {
                out.add("the check of " + s.getClass().getName() + " (it failed: " + e.getMessage() + ")");
            }
        }
        return out;
    }
}
