package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetworkStack;

/**
 * Which namespace a reference names right now, as records keep it: the stack's {@link NetnsId} in its
 * written form ({@code BOOTID/COOKIE}; records of earlier releases hold {@code DEV:INO}, still matched).
 */
final class NetnsIdentity {
    private NetnsIdentity() {
    }

    static String of(NetworkStack stack, NetnsRef ref) {
        return stack.identity(ref).toString();
    }

    /** True when the namespace {@code recorded} names is the one {@code ref} names; false if {@code ref} is gone. */
    static boolean same(NetworkStack stack, String recorded, NetnsRef ref) {
        try {
            return same(recorded, stack.identity(ref));
        } catch (NotFoundException e) {
            return false;
        }
    }

    static boolean same(String recorded, NetnsId current) {
        return recorded.equals(current.toString()) || NetnsId.parse(recorded).sameAs(current);
    }
}
