package dev.patchbay.orchestrator.network;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a bundle checks of a network beyond what its health reads, for {@code patchbay doctor NETWORK}: a driver whose
 * network lives partly elsewhere (the overlay's peers in etcd) compares the kernel with that source, read fresh. A bundle
 * registers one as a service; each is asked for every network doctor looks at. Reads only.
 */
@ConsumerType
public interface NetworkDiagnosis {
    /** This bundle's findings on the network {@code shown}; empty where it has nothing to say of it. */
    List<Finding> diagnose(NetworkFeatures.Shown shown);

    /** One finding: what was checked, {@code ok}, {@code warn} or {@code fail}, and in words (a failure says what repairs it). */
    record Finding(String check, String status, String detail) {
        public Finding {
            if (check == null || !List.of("ok", "warn", "fail").contains(status)) {
                throw new IllegalArgumentException("a finding needs a check and a status of ok, warn or fail: " + check + " " + status);
            }
        }
    }
}
