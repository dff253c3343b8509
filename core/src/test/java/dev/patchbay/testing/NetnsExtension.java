package dev.patchbay.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** Guards kernel tests and hands each one a {@link Sandbox}; see {@link NetnsTest}. */
public final class NetnsExtension implements BeforeAllCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NetnsExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String problem = sandboxProblem();
        if (problem == null) {
            return;
        }
        boolean must = "true".equals(System.getenv("CI")) || Boolean.getBoolean("patchbay.sandbox.expected");
        if (must) {
            throw new IllegalStateException("kernel tests cannot run: " + problem);
        }
        Assumptions.abort("kernel tests skipped: " + problem);
    }

    /** Null when this JVM runs in a network namespace of its own, as root; else why not. */
    static String sandboxProblem() throws Exception {
        if (!"1".equals(System.getProperty("patchbay.sandbox"))) {
            return "the JVM is not in a sandbox namespace (run through .ci/sandbox-java as root; patchbay.sandbox="
                    + System.getProperty("patchbay.sandbox") + ")";
        }
        Path mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
        String parent = System.getProperty("patchbay.sandbox.parent", "");
        if (parent.isEmpty() || mine.toString().equals(parent)) {
            return "the JVM runs in the namespace it was started from (" + mine + "), not a sandbox of its own";
        }
        return null;
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == Sandbox.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        return ec.getStore(NS).getOrComputeIfAbsent("sandbox", k -> Sandbox.open(), Sandbox.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Sandbox sandbox = context.getStore(NS).remove("sandbox", Sandbox.class);
        if (sandbox != null) {
            sandbox.close(); // throws if the test leaked namespaces or links
        }
    }
}
