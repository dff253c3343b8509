package dev.patchbay.launcher;

import picocli.CommandLine.IVersionProvider;

/** {@code patchbay --version}: the launcher's version, the JVM and the framework. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {
            "patchbay " + (v == null ? "dev" : v) + " (commit " + VersionCommand.commit() + ")",
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
        };
    }
}
