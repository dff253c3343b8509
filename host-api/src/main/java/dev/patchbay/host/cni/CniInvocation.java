package dev.patchbay.host.cni;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One CNI plugin call as the runtime made it: the name it ran ({@code cni/<name>}: {@code bridge}, {@code portmap},
 * ..., or {@code patchbay}), the process environment it gave the plugin ({@code CNI_COMMAND}, {@code CNI_NETNS},
 * {@code CNI_PATH}, {@code PATH}, ...; never the daemon's own) and the network configuration it wrote to the plugin's
 * stdin, as sent. The launcher answers a configuration past {@value #MAX_STDIN} bytes itself: a handler never sees one.
 *
 * <p>A value: the environment is an unmodifiable copy, and {@link #stdin()} returns a copy of the bytes each time.
 */
public record CniInvocation(String name, Map<String, String> env, byte[] stdin) {
    /** The longest network configuration a call may bring on stdin (1 MiB; the shim's limit too). */
    public static final int MAX_STDIN = 1 << 20;

    public CniInvocation {
        Objects.requireNonNull(name, "name");
        env = Map.copyOf(env);
        stdin = stdin.clone();
    }

    /** The configuration's bytes (a copy). */
    @Override
    public byte[] stdin() {
        return stdin.clone();
    }

    /** The environment's value of {@code key}, or null. */
    public String env(String key) {
        return env.get(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CniInvocation c && name.equals(c.name) && env.equals(c.env) && Arrays.equals(stdin, c.stdin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, env, Arrays.hashCode(stdin));
    }

    /** The name, the verb and the size of the configuration: no environment (it may hold secrets) and no bytes. */
    @Override
    public String toString() {
        return "CniInvocation[" + name + " " + env.get("CNI_COMMAND") + ", " + stdin.length + " bytes on stdin]";
    }
}
