package dev.patchbay.launcher;

/**
 * A scan of the command line that needs nothing else: the CLI forwards to a daemon before it loads picocli or
 * the framework, so this class (like {@link DaemonClient} and {@link DaemonSocket}) keeps to plain loops — no
 * lambdas, streams or regular expressions, each of which costs milliseconds the first time in a fresh JVM.
 */
final class Args {
    private Args() {
    }

    /** The command word of {@code args}: the first argument that is neither a global option nor its value. */
    static String commandWord(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-n") || a.equals("--namespace") || a.equals("-o") || a.equals("--output") || a.equals("--state-dir")) {
                i++;
            } else if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return null;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    /** Whether any argument is one of {@code options}, alone or as {@code OPTION=VALUE}. */
    static boolean has(String[] args, String... options) {
        for (String a : args) {
            for (String o : options) {
                if (a.equals(o) || a.startsWith(o) && a.length() > o.length() && a.charAt(o.length()) == '=') {
                    return true;
                }
            }
        }
        return false;
    }

    /** The value of {@code option} ({@code OPTION VALUE} or {@code OPTION=VALUE}; the last one given), or null. */
    static String value(String[] args, String option) {
        String value = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(option)) {
                value = i + 1 < args.length ? args[i + 1] : "";
            } else if (args[i].startsWith(option + "=")) {
                value = args[i].substring(option.length() + 1);
            }
        }
        return value;
    }
}
