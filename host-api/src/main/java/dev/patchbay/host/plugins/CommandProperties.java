package dev.patchbay.host.plugins;

/**
 * Service properties of a {@code PatchbayCommand} that the launcher reads: one name for the bundle that registers
 * the command and the daemon that runs it.
 */
public final class CommandProperties {
    /**
     * {@code true} on a command whose output the daemon streams to the client as the command flushes it, until the
     * client goes away ({@code patchbay events}).
     */
    public static final String STREAMS = "patchbay.command.streams";

    private CommandProperties() {
    }
}
