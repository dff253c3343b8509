package dev.patchbay.orchestrator.network;

import dev.patchbay.core.errors.PatchbayException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Adds to {@code network create} the flags the installed plugins declare ({@code NetworkPlugin.FLAGS}) when the
 * command line is built, so that {@code --help}, completion and the manual page show them and a flag whose plugin is
 * not installed is an unknown option; and makes the installed default driver {@code --driver}'s default. The orchestrator
 * names no flag of its own: {@code --KEY VALUE} is {@code --opt KEY=VALUE}, {@code --KEY} alone {@code --opt KEY=true}.
 */
final class PluginFlags implements IModelTransformer {

    @Override
    public CommandSpec transform(CommandSpec network) {
        NetworkCommand command = (NetworkCommand) network.userObject();
        CommandSpec create = network.subcommands().get("create").getCommandSpec();
        for (NetworkManager.Flag f : command.manager.flags()) {
            if (create.findOption("--" + f.key()) == null) { // never one of create's own
                create.addOption(OptionSpec.builder("--" + f.key()).arity(f.label() == null ? "0" : "1")
                        .type(f.label() == null ? boolean.class : String.class).paramLabel(f.label() == null ? "" : f.label())
                        .description(describe(f)).build());
                command.flags.add(f);
            }
        }
        create.defaultValueProvider(arg -> arg instanceof OptionSpec o && o.longestName().equals("--driver") ? defaultDriver(command) : null);
        picocli.CommandLine connect = network.subcommands().get("connect");
        if (connect != null) {
            Attach.add(connect.getCommandSpec(), command.manager);
        }
        return network;
    }

    /**
     * The flags of {@code attach} (and {@code network connect}): each per-attachment option of an installed plugin as
     * {@code --KEY VALUE}, the same as {@code --opt KEY=VALUE}; never one of the command's own.
     */
    static final class Attach implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec attach) {
            AttachCommand command = (AttachCommand) attach.userObject();
            return command.manager == null ? attach : add(attach, command.manager); // network connect: its parent adds them
        }

        static CommandSpec add(CommandSpec attach, NetworkManager manager) {
            AttachCommand command = (AttachCommand) attach.userObject();
            for (NetworkManager.Flag f : manager.attachFlags()) {
                if (attach.findOption("--" + f.key()) == null) {
                    attach.addOption(OptionSpec.builder("--" + f.key()).arity("1").type(String.class).paramLabel(f.label())
                            .description(describe(f)).build());
                    command.flags.add(f);
                }
            }
            return attach;
        }
    }

    private static String defaultDriver(NetworkCommand command) {
        try {
            return command.manager.defaultDriver();
        } catch (PatchbayException none) {
            return null; // create says why when it needs one
        }
    }

    private static String describe(NetworkManager.Flag f) {
        String help = f.help() == null ? "" : f.help().replaceFirst("^true: ", "").replace("%", "%%") + ". "; // picocli formats it
        return (help.isEmpty() ? "" : Character.toUpperCase(help.charAt(0)) + help.substring(1)) + "Same as --opt " + f.key() + "="
                + (f.label() == null ? "true" : f.label()) + " (" + f.type() + ").";
    }

    /** The options the flags of {@code create} set in this run, by key. */
    static Map<String, String> given(CommandSpec create, List<NetworkManager.Flag> flags) {
        Map<String, String> out = new LinkedHashMap<>();
        for (NetworkManager.Flag f : flags) {
            OptionSpec o = create.findOption("--" + f.key());
            Object v = o == null ? null : o.getValue();
            if (f.label() == null ? Boolean.TRUE.equals(v) : v != null) {
                out.put(f.key(), String.valueOf(v));
            }
        }
        return out;
    }
}
