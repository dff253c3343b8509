package dev.patchbay.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One way of running a Patchbay command and timing it. {@link InProcess} does exactly what the daemon
 * does per request, in this JVM: {@code requests.run(args, out, err)} on the daemon's {@code Requests}.
 */
interface Patchbay extends AutoCloseable {

    /** Runs {@code args} (the state directory is added), fails unless it exits 0; returns the wall time in ms. */
    double call(String... args);

    @Override
    void close();

    static String[] withStateDir(Path stateDir, String... args) {
        List<String> all = new ArrayList<>(List.of("--state-dir", stateDir.toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /**
     * Felix with the distribution's bundles, booted in the benchmark's JVM. The launcher classes are loaded from
     * the distribution's {@code lib/} in a class loader of their own (parent: the platform loader), as
     * {@code bin/patchbay} has them: this JVM's test class path holds the core's classes, and a system bundle
     * that sees another copy of {@code PatchbayCommand} is handed no command services by the framework.
     */
    final class InProcess implements Patchbay {
        private final URLClassLoader loader;
        private final AutoCloseable boot;
        private final Object context;
        private final Object requests;
        private final Method run;
        private final Path stateDir;

        InProcess(Path dist, Path stateDir) throws Exception {
            Path lib = dist.resolve("lib");
            URL[] urls = {lib.resolve("launcher.jar").toUri().toURL(), lib.resolve("org.apache.felix.framework.jar").toUri().toURL(),
                lib.resolve("picocli.jar").toUri().toURL(), lib.resolve("host-api.jar").toUri().toURL()}; // the packages the system bundle exports
            this.loader = new URLClassLoader("patchbay-dist", urls, ClassLoader.getPlatformClassLoader());
            Class<?> felixBoot = loader.loadClass("dev.patchbay.launcher.FelixBoot");
            Class<?> requestsClass = loader.loadClass("dev.patchbay.launcher.Requests");
            Class<?> bundleContext = loader.loadClass("org.osgi.framework.BundleContext");
            StringWriter log = new StringWriter();
            this.boot = (AutoCloseable) felixBoot.getMethod("start", Path.class, PrintWriter.class, boolean.class)
                    .invoke(null, dist.resolve("bundles"), new PrintWriter(log, true), false);
            this.context = felixBoot.getMethod("context").invoke(boot);
            this.requests = requestsClass.getConstructor(bundleContext).newInstance(context);
            this.run = requestsClass.getMethod("run", String[].class, PrintWriter.class, PrintWriter.class);
            this.stateDir = stateDir;
            Object problems = felixBoot.getMethod("problems").invoke(boot);
            if (!((java.util.List<?>) problems).isEmpty()) {
                close();
                throw new IllegalStateException("the bundles did not all start: " + problems + " " + log);
            }
            awaitCommands(bundleContext, "network", "attach", "detach", "firewall");
        }

        /** Declarative Services registers the commands after the bundles start: wait for the ones the benchmark uses. */
        private void awaitCommands(Class<?> bundleContext, String... names) throws Exception {
            Method refs = bundleContext.getMethod("getServiceReferences", String.class, String.class);
            long deadline = System.nanoTime() + 30_000_000_000L;
            for (String name : names) {
                while (refs.invoke(context, null, "(patchbay.command.name=" + name + ")") == null) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new IllegalStateException("no \"" + name + "\" command was registered within 30 s");
                    }
                    Thread.sleep(10);
                }
            }
        }

        @Override
        public double call(String... args) {
            String[] full = withStateDir(stateDir, args);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            PrintWriter o = new PrintWriter(out, true);
            PrintWriter e = new PrintWriter(err, true);
            int code;
            long t0 = System.nanoTime();
            try {
                code = (Integer) run.invoke(requests, full, o, e);
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException("cannot run patchbay " + String.join(" ", args) + ": " + ex, ex);
            }
            long t1 = System.nanoTime();
            if (code != 0) {
                throw new IllegalStateException("patchbay " + String.join(" ", args) + " exited " + code + ": " + err + out);
            }
            return (t1 - t0) / 1e6;
        }

        @Override
        public void close() {
            try {
                ((AutoCloseable) requests).close();
                boot.close();
                loader.close();
            } catch (Exception e) {
                System.err.println("bench: stopping the framework: " + e);
            }
        }
    }
}
