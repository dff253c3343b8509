package dev.patchbay.orchestrator.network;

/**
 * The lower pieces the use cases share, made once per state directory by {@link UseCases}: where a network lives
 * ({@link Placement}), reconcile, rebuild from the kernel, unplugging one attachment. None of them calls a use case.
 */
record Steps(Placement placement, Reconcile reconcile, Rebuild rebuild, Unplug unplug) {
}
