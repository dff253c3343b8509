package dev.patchbay.orchestrator.network;

import java.nio.file.Path;

/**
 * The use cases of one state directory, each made once here with its collaborators by constructor; no use case makes
 * another. {@link NetworkManager} keeps one per state directory. Who calls whom (the graph is acyclic; read down):
 * <pre>
 * Recovery    → Networks, Placement, Reconcile, Rebuild, Unplug
 * Networks    → Placement, Reconcile, Rebuild, Unplug
 * Attachments → Placement, Reconcile, Unplug, CniGc
 * CniGc       → Placement, Unplug
 * Placement   → Reconcile        (a network's record where it lives; adopts one whose namespace was made again)
 * Reconcile   → Unplug
 * Rebuild, Unplug                 (the store and the manager only)
 * </pre>
 * {@link Evidence} is not among them: it is one run's snapshot of who holds which address, made per run.
 */
final class UseCases {
    final Networks networks;
    final Attachments attachments;
    final Recovery recovery;

    UseCases(NetworkManager m, Path stateDir) {
        NetworkStore store = new NetworkStore(stateDir);
        Unplug unplug = new Unplug(m, store);
        Rebuild rebuild = new Rebuild(m, store);
        Reconcile reconcile = new Reconcile(m, store, unplug);
        Placement placement = new Placement(m, store, reconcile);
        Steps steps = new Steps(placement, reconcile, rebuild, unplug);
        this.networks = new Networks(m, store, steps);
        this.attachments = new Attachments(m, store, steps, new CniGc(m, store, placement, unplug));
        this.recovery = new Recovery(m, store, networks, steps);
    }
}
