package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;
import java.nio.file.Path;

/**
 * Which network namespace an operation is addressed to: the one the caller runs in, a named one
 * under the standard run directory (what {@code ip netns} manages), a path to a namespace file,
 * or the namespace of a process.
 */
public sealed interface NetnsRef permits NetnsRef.Current, NetnsRef.Named, NetnsRef.AtPath, NetnsRef.OfPid {

    /** Where named namespaces are bind-mounted, as {@code ip netns} does. */
    Path RUN_DIR = Path.of("/run/netns");

    /** The namespace file to open for setns(2). */
    Path path();

    /** A short human description for messages: {@code namespace "red"}. */
    String describe();

    static NetnsRef current() {
        return Current.INSTANCE;
    }

    static NetnsRef named(String name) {
        return new Named(name);
    }

    static NetnsRef path(Path path) {
        return new AtPath(path);
    }

    static NetnsRef pid(long pid) {
        return new OfPid(pid);
    }

    /** Parses {@code -n}/{@code --netns}: an absolute path, {@code pid:N}, a name; empty or {@code -}: the current one. */
    static NetnsRef parse(String text) {
        if (text == null || text.isEmpty() || text.equals("-")) {
            return current();
        }
        if (text.startsWith("/")) {
            return path(Path.of(text));
        }
        if (text.startsWith("pid:")) {
            String n = text.substring(4);
            if (!n.matches("[1-9]\\d{0,9}")) {
                throw new InvalidInputException("namespace", text, "pid: must be followed by a process id");
            }
            return pid(Long.parseLong(n));
        }
        return named(text);
    }

    /** The namespace this process (its calling thread) is in. */
    enum Current implements NetnsRef {
        INSTANCE;

        @Override
        public Path path() {
            return Path.of("/proc/thread-self/ns/net");
        }

        @Override
        public String describe() {
            return "the current namespace";
        }

        @Override
        public String toString() {
            return "current";
        }
    }

    /** A namespace named like {@code ip netns add NAME} names it. */
    record Named(String name) implements NetnsRef {
        public Named {
            if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")
                    || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.chars().anyMatch(Character::isWhitespace)) {
                throw new InvalidInputException("namespace name", name, "must be 1-255 characters without '/', whitespace or NUL, and not '.' or '..'");
            }
        }

        @Override
        public Path path() {
            return RUN_DIR.resolve(name);
        }

        @Override
        public String describe() {
            return "namespace \"" + name + "\"";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A namespace file anywhere, e.g. a runtime's {@code /var/run/netns/cni-...} or a bind mount. */
    record AtPath(Path path) implements NetnsRef {
        public AtPath {
            if (path == null || !path.isAbsolute()) {
                throw new InvalidInputException("namespace path", path, "must be an absolute path");
            }
        }

        @Override
        public String describe() {
            return "namespace at " + path;
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** The namespace of a running process (seed 004 §7: a container adopted by pid). */
    record OfPid(long pid) implements NetnsRef {
        public OfPid {
            if (pid <= 0) {
                throw new InvalidInputException("pid", pid, "must be a positive process id");
            }
        }

        @Override
        public Path path() {
            return Path.of("/proc", Long.toString(pid), "ns", "net");
        }

        @Override
        public String describe() {
            return "namespace of pid " + pid;
        }

        @Override
        public String toString() {
            return "pid:" + pid;
        }
    }
}
