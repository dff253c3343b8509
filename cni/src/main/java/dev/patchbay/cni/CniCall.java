package dev.patchbay.cni;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.IfName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One plugin call as the runtime made it: the verb, the type it ran, its environment and the network configuration
 * (one plugin's object, {@code name} and {@code cniVersion} injected). Getters for the {@code CNI_*} variables fail
 * with code 4 naming what is missing or wrong.
 */
record CniCall(String verb, String type, Map<String, String> env, byte[] stdin, JsonObject config) {
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    /** Reads the call; a configuration that is not one JSON object is code 6. The type is the config's, else the one run. */
    static CniCall of(String ranType, Map<String, String> env, byte[] stdin) {
        String verb = env.getOrDefault("CNI_COMMAND", "");
        JsonObject config;
        try {
            JsonElement e = JsonParser.parseString(new String(stdin, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new CniError(CniError.DECODE, "the network configuration on stdin is not a JSON object", "got: " + abbreviate(e.toString()));
            }
            config = e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            if (verb.equals("VERSION")) {
                config = new JsonObject(); // VERSION answers whatever it is given
            } else {
                throw new CniError(CniError.DECODE, "the network configuration on stdin is not valid JSON", String.valueOf(e.getMessage()));
            }
        }
        String type = ranType == null || ranType.isEmpty() ? "patchbay" : ranType;
        JsonElement named = GoKeys.member(config, "type");
        if (named != null && named.isJsonPrimitive() && !named.getAsString().isEmpty()) {
            type = named.getAsString();
        }
        return new CniCall(verb, type, Map.copyOf(env), stdin, config);
    }

    /** The configuration's {@code cniVersion} as given, for error results whatever it is (1.0.0 when absent). */
    static String versionForErrors(byte[] stdin) {
        try {
            JsonElement v = GoKeys.member(JsonParser.parseString(new String(stdin, StandardCharsets.UTF_8)).getAsJsonObject(), "cniVersion");
            return v != null && v.isJsonPrimitive() && v.getAsString().matches("[0-9A-Za-z.+-]{1,32}") ? v.getAsString() : "1.0.0";
        } catch (RuntimeException e) {
            return "1.0.0";
        }
    }

    String version() {
        JsonElement v = GoKeys.member(config, "cniVersion");
        return v != null && v.isJsonPrimitive() ? v.getAsString() : null;
    }

    /** The network's name (the configuration's {@code name}); code 7 when missing or not a name Patchbay can keep. */
    String network() {
        String name = Conf.root(config).string("name");
        if (name == null || name.isEmpty()) {
            throw CniError.config("name", null, "is required");
        }
        try {
            return dev.patchbay.core.network.NetworkConfig.checkName(name);
        } catch (InvalidInputException e) {
            throw CniError.config("name", name, "must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    /** An environment variable, null when unset or empty. */
    String env(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** Code 4 naming every one of {@code names} that is unset or empty, as the reference plugins word it. */
    void require(String... names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (env(n) == null) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty()) {
            throw new CniError(CniError.INVALID_ENV, "required env variables [" + String.join(",", missing) + "] missing");
        }
    }

    String containerId() {
        require("CNI_CONTAINERID");
        String id = env("CNI_CONTAINERID");
        if (!CONTAINER_ID.matcher(id).matches()) {
            throw new CniError(CniError.INVALID_ENV, "CNI_CONTAINERID: \"" + abbreviate(id) + "\" must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return id;
    }

    IfName ifName() {
        require("CNI_IFNAME");
        try {
            return IfName.of(env("CNI_IFNAME"));
        } catch (InvalidInputException e) {
            throw new CniError(CniError.INVALID_ENV, "CNI_IFNAME: " + e.getMessage());
        }
    }

    /** CNI_NETNS, an absolute path; null when unset (DEL may come without it). */
    String netns() {
        String ns = env("CNI_NETNS");
        if (ns != null && !ns.startsWith("/")) {
            throw new CniError(CniError.INVALID_ENV, "CNI_NETNS: \"" + abbreviate(ns) + "\" must be an absolute path");
        }
        return ns;
    }

    /** CNI_ARGS as KEY=VALUE pairs in order; code 4 for a pair without '='. Unknown keys are kept (and ignored by callers). */
    Map<String, String> args() {
        Map<String, String> out = new LinkedHashMap<>();
        String a = env("CNI_ARGS");
        if (a == null) {
            return out;
        }
        for (String pair : a.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CniError(CniError.INVALID_ENV, "CNI_ARGS: \"" + abbreviate(pair) + "\" is not KEY=VALUE");
            }
            out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return out;
    }

    /** The folders of CNI_PATH, in order. */
    List<String> path() {
        List<String> out = new ArrayList<>();
        String p = env("CNI_PATH");
        if (p != null) {
            for (String dir : p.split(":")) {
                if (!dir.isEmpty()) {
                    out.add(dir);
                }
            }
        }
        return out;
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
