package dev.patchbay.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Patchbay's configuration: the file {@code /etc/patchbay/patchbay.conf} (another with {@code PATCHBAY_CONFIG}), one
 * {@code key = value} a line, {@code #} starting a comment line, the keys of {@link Setting}; each key's environment
 * variable, when set and not empty, wins over the file. Read once per process ({@link #init}), and again by the daemon on
 * SIGHUP ({@link Hangup}). A file that is not as documented is refused whole, naming the file, the line, the key and the
 * value; an unknown key is an error (with the key it was likely meant to be). A missing default file is an empty one.
 *
 * <p>Bundles read the settings that have a {@link Setting#property} through {@code BundleContext.getProperty}: the
 * launcher publishes them as Java system properties ({@link #publish}), which OSGi's {@code getProperty} looks up when the
 * framework's own properties lack the key; a reload publishes the live ones again.
 */
final class Settings {
    static final String ENV_FILE = "PATCHBAY_CONFIG";
    static final Path DEFAULT_FILE = Path.of("/etc/patchbay/patchbay.conf");

    /** Where a value came from. */
    enum Source { DEFAULT, FILE, ENVIRONMENT }

    private static volatile Settings current;

    private final Path file;
    private final Map<Setting, String> values = new EnumMap<>(Setting.class);
    private final Map<Setting, String> fromFile = new EnumMap<>(Setting.class);
    private final Map<Setting, Source> sources = new EnumMap<>(Setting.class);

    private Settings(Path file) {
        this.file = file;
    }

    /** The settings of this process: those {@link #init} read, else (a test, a helper) read from its environment now. */
    static Settings current() {
        Settings s = current;
        if (s == null) {
            s = load(System.getenv());
            current = s;
        }
        return s;
    }

    /** Reads the file and {@code env}, makes them this process's settings and publishes them; throws if refused. */
    static Settings init(Map<String, String> env) {
        Settings s = load(env);
        current = s;
        s.publish(true);
        return s;
    }

    /** Makes {@code s} this process's settings: publishes the live ones only (the others wait for a restart). */
    static void replace(Settings s) {
        current = s;
        s.publish(false);
    }

    /** The file {@code env} names, or the default. */
    static Path file(Map<String, String> env) {
        String named = env.get(ENV_FILE);
        return named == null || named.isEmpty() ? DEFAULT_FILE : Path.of(named);
    }

    /** Reads the file {@code env} names (a missing default file is an empty one) and merges {@code env} over it. */
    static Settings load(Map<String, String> env) {
        Path file = file(env);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            if (env.get(ENV_FILE) != null && !env.get(ENV_FILE).isEmpty()) {
                throw new SettingsException(file + " (" + ENV_FILE + "): no such file");
            }
            text = "";
        } catch (IOException | RuntimeException e) {
            throw new SettingsException(file + ": cannot read it: " + e.getMessage());
        }
        return parse(file, text, env);
    }

    /** {@code text}, the content of {@code file}, merged under {@code env}: pure, for tests. */
    static Settings parse(Path file, String text, Map<String, String> env) {
        Settings s = new Settings(file);
        Map<Setting, Integer> lineOf = new EnumMap<>(Setting.class);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new SettingsException(file + " line " + n + ": \"" + line + "\" is not key = value");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            Setting setting = Setting.byKey(key);
            if (setting == null) {
                String near = Setting.suggest(key);
                throw new SettingsException(file + " line " + n + ": unknown key \"" + key + "\" (value \"" + value + "\")"
                        + (near == null ? "" : "; did you mean " + near + "?"));
            }
            if (lineOf.containsKey(setting)) {
                throw new SettingsException(file + " line " + n + ": " + key + " = \"" + value + "\": " + key + " is already set on line "
                        + lineOf.get(setting));
            }
            String why = setting.kind.check(value);
            if (why != null) {
                throw new SettingsException(file + " line " + n + ": " + key + " = \"" + value + "\": " + why);
            }
            lineOf.put(setting, n);
            s.fromFile.put(setting, value);
        }
        for (Setting setting : Setting.values()) {
            String e = env.get(setting.env);
            if (e != null && !e.isEmpty()) {
                String why = setting.kind.check(e);
                if (why != null) {
                    throw new SettingsException(setting.env + "=\"" + e + "\" (the environment's " + setting.key + "): " + why);
                }
                s.values.put(setting, e);
                s.sources.put(setting, Source.ENVIRONMENT);
            } else if (s.fromFile.containsKey(setting)) {
                s.values.put(setting, s.fromFile.get(setting));
                s.sources.put(setting, Source.FILE);
            } else {
                s.values.put(setting, setting.fallback);
                s.sources.put(setting, Source.DEFAULT);
            }
        }
        return s;
    }

    Path file() {
        return file;
    }

    String get(Setting s) {
        return values.get(s);
    }

    long number(Setting s) {
        return Long.parseLong(values.get(s));
    }

    boolean on(Setting s) {
        return "on".equals(values.get(s));
    }

    Source source(Setting s) {
        return sources.get(s);
    }

    /** The value unless it is the default one: what a client passes on ({@code --state-dir}), or null. */
    String given(Setting s) {
        return sources.get(s) == Source.DEFAULT ? null : values.get(s);
    }

    /** The file's value, else the default: what the environment of the process may not decide (a CNI call's). */
    String fileOrDefault(Setting s) {
        return fromFile.getOrDefault(s, s.fallback);
    }

    /**
     * These settings with {@code had}'s values of those that are not live: what a daemon runs with after a reload. A
     * later reload compares with the file again, so it names a pending restart-only change again.
     */
    Settings withRestartOnlyOf(Settings had) {
        Settings s = new Settings(file);
        for (Setting k : Setting.values()) {
            Settings from = k.live ? this : had;
            s.values.put(k, from.values.get(k));
            s.sources.put(k, from.sources.get(k));
            if (from.fromFile.containsKey(k)) {
                s.fromFile.put(k, from.fromFile.get(k));
            }
        }
        return s;
    }

    /** The settings whose value differs in {@code next}, in the order of {@link Setting}. */
    List<Setting> changed(Settings next) {
        List<Setting> out = new ArrayList<>();
        for (Setting s : Setting.values()) {
            if (!values.get(s).equals(next.values.get(s)) || !fileOrDefault(s).equals(next.fileOrDefault(s))) {
                out.add(s);
            }
        }
        return out;
    }

    /** Sets the system properties bundles read ({@code all}: at start; else the live ones only). */
    private void publish(boolean all) {
        for (Setting s : Setting.values()) {
            if (s.property != null && (all || s.live)) {
                String v = values.get(s);
                if (v.isEmpty() || s == Setting.FIREWALL && v.equals("auto")) {
                    System.clearProperty(s.property);
                } else {
                    System.setProperty(s.property, v);
                }
            }
        }
        if (all) {
            System.setProperty(CNI_STATE_DIR, fileOrDefault(Setting.STATE_DIR));
        }
    }

    /** The state folder of a CNI call whose environment names none: the file's, never the daemon's environment. */
    static final String CNI_STATE_DIR = "patchbay.cni.state.dir";

    /** A configuration refused: the message names the file, the line, the key and the value (or the variable). */
    static final class SettingsException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SettingsException(String message) {
            super(message);
        }
    }
}
