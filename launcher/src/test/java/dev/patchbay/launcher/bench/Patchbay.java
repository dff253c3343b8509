package dev.patchbay.launcher.bench;

import dev.patchbay.launcher.FelixBoot;
import dev.patchbay.launcher.PatchbayCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One way of running a Patchbay command and timing it. {@link InProcess} does exactly what the daemon
 * does per request, in this JVM: {@code PatchbayCli.create(ctx, out, err, word).execute(args)}.
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

    /** Felix with the distribution's bundles, booted in the benchmark's JVM. */
    final class InProcess implements Patchbay {
        private final FelixBoot boot;
        private final Path stateDir;

        InProcess(Path bundles, Path stateDir) {
            StringWriter log = new StringWriter();
            this.boot = FelixBoot.start(bundles, new PrintWriter(log, true), false);
            if (!boot.problems().isEmpty()) {
                boot.close();
                throw new IllegalStateException("the bundles did not all start: " + boot.problems() + " " + log);
            }
            this.stateDir = stateDir;
        }

        @Override
        public double call(String... args) {
            String[] full = withStateDir(stateDir, args);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            PrintWriter o = new PrintWriter(out, true);
            PrintWriter e = new PrintWriter(err, true);
            long t0 = System.nanoTime();
            int code = PatchbayCli.create(boot.context(), o, e, PatchbayCli.commandWord(full)).execute(full);
            long t1 = System.nanoTime();
            if (code != 0) {
                throw new IllegalStateException("patchbay " + String.join(" ", args) + " exited " + code + ": " + err + out);
            }
            return (t1 - t0) / 1e6;
        }

        @Override
        public void close() {
            boot.close();
        }
    }
}
