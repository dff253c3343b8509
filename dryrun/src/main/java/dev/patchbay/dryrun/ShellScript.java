package dev.patchbay.dryrun;

import dev.patchbay.core.model.NetnsRef;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A dry run's commands in the seeds' language, in the order the change would make them: {@code ip netns}, {@code ip
 * link|addr|route|rule|neigh}, {@code sysctl -w}, and the firewall backend's own ({@code nft -f -}, {@code iptables}),
 * each in the namespace it acts in ({@code ip -n NAME}, {@code ip netns exec NAME}, {@code nsenter --net=FILE} for a
 * namespace known by file or pid). Every word is quoted for sh where it needs it: the script runs as it is printed.
 */
public final class ShellScript {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");
    private final List<String> lines = new ArrayList<>();

    /** An {@code ip} command in {@code netns}: {@code ip [-n NAME] WORDS...}. */
    public synchronized void ip(NetnsRef netns, List<String> words) {
        List<String> argv = new ArrayList<>();
        if (netns instanceof NetnsRef.Named n) {
            argv.addAll(List.of("ip", "-n", n.name()));
        } else {
            argv.addAll(enter(netns));
            argv.add("ip");
        }
        argv.addAll(words);
        lines.add(join(argv));
    }

    /** Any other command in {@code netns} ({@code sysctl -w ...}). */
    public synchronized void in(NetnsRef netns, List<String> words) {
        List<String> argv = new ArrayList<>(enter(netns));
        argv.addAll(words);
        lines.add(join(argv));
    }

    /** A command line made and quoted by its producer (a firewall backend's), run in {@code netns}. */
    public synchronized void line(NetnsRef netns, String line) {
        List<String> prefix = enter(netns);
        lines.add(prefix.isEmpty() ? line : join(prefix) + " " + line);
    }

    /** A command outside any namespace ({@code ip netns add NAME}). */
    public synchronized void plain(List<String> words) {
        lines.add(join(words));
    }

    /** A comment line: what the script cannot say as a command. */
    public synchronized void comment(String text) {
        lines.add("# " + text.replace('\n', ' '));
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The script: a shebang, {@code set -e}, then every command. */
    public synchronized String text() {
        StringBuilder sb = new StringBuilder("#!/bin/sh\nset -e\n");
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    private static List<String> enter(NetnsRef netns) {
        if (netns instanceof NetnsRef.Current) {
            return List.of();
        }
        if (netns instanceof NetnsRef.Named n) {
            return List.of("ip", "netns", "exec", n.name());
        }
        return List.of("nsenter", "--net=" + netns.path());
    }

    static String join(List<String> words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(quote(w));
        }
        return sb.toString();
    }

    /** One word for sh: as it is when it holds nothing sh reads specially, else in single quotes. */
    public static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
