package dev.patchbay.launcher;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks Prometheus' text format (0.0.4) line by line, as a scraper reads it (the client library writes it but has no
 * parser): every line a HELP, a TYPE or a sample; every sample of a family that has a TYPE, a histogram's samples
 * _bucket (with le), _count and _sum; no family's TYPE twice; label values quoted. Returns the samples by their name and
 * labels as written ({@code name{a="b"}}).
 */
final class PromText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
    private static final Pattern META = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");

    private PromText() {
    }

    static Map<String, Double> parse(String text) {
        Map<String, String> types = new HashMap<>();
        Map<String, Double> samples = new HashMap<>();
        if (!text.endsWith("\n")) {
            throw new AssertionError("the text format ends with a newline");
        }
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                throw new AssertionError("an empty line in the text format");
            }
            Matcher meta = META.matcher(line);
            if (meta.matches()) {
                if (meta.group(1).equals("TYPE")) {
                    if (!meta.group(3).matches("counter|gauge|histogram|summary|untyped")) {
                        throw new AssertionError("unknown type: " + line);
                    }
                    if (types.put(meta.group(2), meta.group(3)) != null) {
                        throw new AssertionError("TYPE twice: " + line);
                    }
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a sample line: " + line);
            }
            String name = m.group(1);
            String family = family(name, types);
            if (family == null) {
                throw new AssertionError("a sample of no TYPE'd family: " + line);
            }
            if (types.get(family).equals("histogram") && name.endsWith("_bucket") && (m.group(2) == null || !m.group(2).contains("le=\""))) {
                throw new AssertionError("a bucket without le: " + line);
            }
            String key = name + (m.group(2) == null ? "" : m.group(2));
            if (samples.put(key, Double.parseDouble(m.group(3).replace("+Inf", "Infinity").replace("-Inf", "-Infinity"))) != null) {
                throw new AssertionError("a sample twice: " + line);
            }
        }
        return samples;
    }

    private static String family(String name, Map<String, String> types) {
        if (!NAME.matcher(name).matches()) {
            return null;
        }
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : new String[] {"_total", "_bucket", "_count", "_sum", "_created"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
                if (types.containsKey(name)) {
                    return name;
                }
            }
        }
        return null;
    }
}
