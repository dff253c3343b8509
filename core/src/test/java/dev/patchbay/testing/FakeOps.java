package dev.patchbay.testing;

import dev.patchbay.core.model.NetnsRef;
import java.util.function.Supplier;

/** What an op group of {@link FakeNetworkStack} shares: its handle's namespace, recording and fault injection. */
abstract class FakeOps {
    final FakeNetworkStack.Handle handle;
    final FakeNetworkStack.Netns ns;

    FakeOps(FakeNetworkStack.Handle handle) {
        this.handle = handle;
        this.ns = handle.ns;
    }

    <T> T read(String op, Object target, Supplier<T> body) {
        return handle.read(op, target, body);
    }

    <T> T change(String op, Object target, Supplier<T> body) {
        return handle.change(op, target, body);
    }

    void change(String op, Object target, Runnable body) {
        handle.change(op, target, body);
    }

    String where() {
        return handle.where();
    }

    FakeNetworkStack.Netns existing(NetnsRef ref) {
        return handle.stackExisting(ref);
    }
}
