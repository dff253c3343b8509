package dev.patchbay.commands.ip;

import dev.patchbay.core.command.CliContext;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.NetnsRef;
import dev.patchbay.core.spi.NetnsHandle;
import dev.patchbay.core.spi.NetworkStack;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** What the ip-style commands share: the target namespace, and a cursor over {@code ip}-like keyword arguments. */
final class Cli {
    private Cli() {
    }

    /** The namespace of the global {@code -n}. */
    static NetnsRef netns(CommandSpec spec) {
        return CliContext.of(spec).netns();
    }

    static NetnsHandle open(NetworkStack stack, CommandSpec spec) {
        return stack.open(netns(spec));
    }

    /** A cursor over {@code ip}-style words: {@code v0 type veth peer name eth0 netns red}. */
    static final class Words {
        private final List<String> words;
        private final String command;
        private int i;

        Words(String command, List<String> words) {
            this.command = command;
            this.words = words == null ? List.of() : new ArrayList<>(words);
        }

        /** The command the words belong to, as messages name it: {@code link add}. */
        String command() {
            return command;
        }

        boolean more() {
            return i < words.size();
        }

        String peek() {
            return more() ? words.get(i) : null;
        }

        String next() {
            return words.get(i++);
        }

        /** The value after keyword {@code key}; fails naming the keyword if it is missing. */
        String value(String key) {
            if (!more()) {
                throw new InvalidInputException(command + " " + key, "", "a value must follow \"" + key + "\"");
            }
            return next();
        }

        int intValue(String key) {
            String v = value(key);
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(command + " " + key, v, "must be a whole number");
            }
        }

        boolean onOff(String key) {
            String v = value(key);
            if (v.equals("on")) {
                return true;
            }
            if (v.equals("off")) {
                return false;
            }
            throw new InvalidInputException(command + " " + key, v, "must be on or off");
        }

        RuntimeException unknown(String word) {
            return new InvalidInputException(command + " argument", word, "not understood here; see --help");
        }

        /** The object name: {@code NAME} or {@code dev NAME} / {@code name NAME}. */
        String name(String what) {
            if (!more()) {
                throw new InvalidInputException(command + " " + what, "", "is required");
            }
            String w = next();
            if ((w.equals("dev") || w.equals("name")) && more()) {
                return next();
            }
            return w;
        }
    }

    static int table(String command, String value) {
        switch (value) {
            case "main":
                return 254;
            case "local":
                return 255;
            case "default":
                return 253;
            default:
                try {
                    int t = Integer.parseInt(value);
                    if (t <= 0) {
                        throw new NumberFormatException();
                    }
                    return t;
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(command + " table", value, "must be main, local, default or a positive number");
                }
        }
    }

    static String tableName(Integer table) {
        if (table == null || table == 254) {
            return "main";
        }
        return table == 255 ? "local" : table == 253 ? "default" : String.valueOf(table);
    }
}
