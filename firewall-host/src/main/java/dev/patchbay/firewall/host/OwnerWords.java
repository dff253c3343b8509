package dev.patchbay.firewall.host;

import dev.patchbay.core.errors.BackendException;

/** Firewall owners in the operator's words: {@code att:web/red} is {@code container "red" on network "web"}. */
final class OwnerWords {
    private OwnerWords() {
    }

    /** An owner as the operator knows it: {@code container "red" on network "web"}, {@code network "web"}. */
    static String words(String owner) {
        if (owner.startsWith("att:") && owner.indexOf('/') > 4) {
            int slash = owner.indexOf('/');
            return "container \"" + owner.substring(slash + 1) + "\" on network \"" + owner.substring(4, slash) + "\"";
        }
        return owner.startsWith("net:") ? "network \"" + owner.substring(4) + "\"" : "\"" + owner + "\"";
    }

    /** An owner id in a backend's message, put in words: {@code "att:web/red"} becomes {@code container "red" on network "web"}. */
    static RuntimeException worded(RuntimeException e) {
        String m = e.getMessage();
        if (!(e instanceof BackendException) || e.getClass() != BackendException.class || m == null) {
            return e;
        }
        java.util.regex.Matcher o = java.util.regex.Pattern.compile("(?:for |of )?(?:owner )?\"((?:att|net):[^\"]+)\"").matcher(m);
        StringBuilder sb = new StringBuilder();
        boolean any = false;
        while (o.find()) {
            any = true;
            o.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement("of " + words(o.group(1))));
        }
        if (!any) {
            return e;
        }
        o.appendTail(sb);
        return new BackendException(sb.toString(), e);
    }
}
