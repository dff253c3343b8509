package dev.patchbay.firewall.iptables;

import dev.patchbay.core.errors.BackendException;
import dev.patchbay.core.errors.PatchbayException;
import dev.patchbay.core.errors.UnavailableException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;
import java.util.concurrent.Callable;

/** Runs firewall work in the host namespace: through {@link NetworkStack#callIn}; without a stack, the current one on this thread. */
final class NetnsCalls {
    private NetnsCalls() {
    }

    static <T> T call(NetworkStack stack, NetnsRef netns, Callable<T> task) {
        if (stack != null) {
            return stack.callIn(netns, task);
        }
        if (!(netns instanceof NetnsRef.Current)) {
            throw new UnavailableException("failed to enter " + netns.describe()
                    + ": no NetworkStack service is installed (the netlink backend bundle)");
        }
        try {
            return task.call();
        } catch (PatchbayException e) {
            throw e;
        } catch (Exception e) {
            throw new BackendException("failed to run firewall work in " + netns.describe() + ": " + e.getMessage(), e);
        }
    }
}
