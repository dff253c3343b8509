package dev.patchbay.dryrun;

import dev.patchbay.core.errors.AlreadyExistsException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.model.NetnsId;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetnsOps;
import dev.patchbay.core.spi.NetworkStack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * The network stack of a dry run: it reads the kernel through the real stack, but every change is recorded in
 * {@link #script} as the command that makes it and kept in an overlay (a {@link Layer} per namespace) that later reads
 * answer from, so a use case runs to its end as it would, and the kernel is as before. Namespaces the run makes exist
 * only in the overlay. {@link #close} closes the kernel's handles it opened.
 */
public final class OverlayStack implements NetworkStack, AutoCloseable {
    final ShellScript script;
    private final NetworkStack real;
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final Set<String> made = new TreeSet<>();
    private final Set<String> deleted = new TreeSet<>();

    public OverlayStack(NetworkStack real, ShellScript script) {
        this.real = real;
        this.script = script;
    }

    private static String key(NetnsRef ref) {
        return ref.path().toString();
    }

    /** The layer of {@code ref}'s namespace, read from the kernel when first asked; NotFoundException when there is none. */
    synchronized Layer layer(NetnsRef ref) {
        String key = key(ref);
        Layer l = layers.get(key);
        if (l != null) {
            return l;
        }
        if (deleted.contains(key)) {
            throw new NotFoundException(ref.describe() + " not found (deleted by this dry run)");
        }
        l = new Layer(ref, made.contains(key) ? null : real.open(ref));
        layers.put(key, l);
        return l;
    }

    @Override
    public NetnsHandle open(NetnsRef netns) {
        return new OverlayHandle(this, layer(netns));
    }

    @Override
    public NetnsOps namespaces() {
        return new NetnsOps() {
            @Override
            public NetnsRef.Named create(String name) {
                NetnsRef.Named ref = new NetnsRef.Named(name);
                if (exists(ref)) {
                    throw new AlreadyExistsException("namespace \"" + name + "\" already exists");
                }
                synchronized (OverlayStack.this) {
                    made.add(key(ref));
                    deleted.remove(key(ref));
                    layers.remove(key(ref));
                }
                script.plain(List.of("ip", "netns", "add", name));
                return ref;
            }

            @Override
            public void delete(String name) {
                NetnsRef.Named ref = new NetnsRef.Named(name);
                if (!exists(ref)) {
                    throw new NotFoundException("namespace \"" + name + "\" not found (no " + ref.path() + ")");
                }
                synchronized (OverlayStack.this) {
                    deleted.add(key(ref));
                    made.remove(key(ref));
                    layers.remove(key(ref));
                }
                script.plain(List.of("ip", "netns", "del", name));
            }

            @Override
            public NetnsRef.Named attach(String name, NetnsRef target) {
                NetnsRef.Named ref = new NetnsRef.Named(name);
                if (exists(ref)) {
                    throw new AlreadyExistsException("namespace \"" + name + "\" already exists");
                }
                synchronized (OverlayStack.this) {
                    made.remove(key(ref));
                    deleted.remove(key(ref));
                }
                if (target instanceof NetnsRef.OfPid p) {
                    script.plain(List.of("ip", "netns", "attach", name, Long.toString(p.pid())));
                } else {
                    script.plain(List.of("touch", ref.path().toString()));
                    script.plain(List.of("mount", "--bind", target.path().toString(), ref.path().toString()));
                }
                return ref;
            }

            @Override
            public List<String> list() {
                Set<String> all = new TreeSet<>(real.namespaces().list());
                synchronized (OverlayStack.this) {
                    made.forEach(k -> all.add(java.nio.file.Path.of(k).getFileName().toString()));
                    deleted.forEach(k -> all.remove(java.nio.file.Path.of(k).getFileName().toString()));
                }
                return new ArrayList<>(all);
            }

            @Override
            public boolean exists(NetnsRef netns) {
                synchronized (OverlayStack.this) {
                    if (made.contains(key(netns))) {
                        return true;
                    }
                    if (deleted.contains(key(netns))) {
                        return false;
                    }
                }
                return real.namespaces().exists(netns);
            }
        };
    }

    @Override
    public <T> T callIn(NetnsRef netns, Callable<T> task) {
        return real.callIn(netns, task);
    }

    /** The kernel's identity; a namespace the run made has one of its own, {@code dry-run:N}, unlike any other. */
    @Override
    public NetnsId identity(NetnsRef netns) {
        synchronized (this) {
            if (made.contains(key(netns))) {
                int n = new ArrayList<>(made).indexOf(key(netns)) + 1;
                return new NetnsId("dry-run", n, 0, n);
            }
        }
        return real.identity(netns);
    }

    @Override
    public synchronized void close() {
        for (Layer l : layers.values()) {
            if (l.real != null) {
                l.real.close();
            }
        }
        layers.clear();
    }
}
