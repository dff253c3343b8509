package dev.patchbay.example.ratelimit;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Qdisc;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Rates and sizes written as {@code tc} writes them: {@code 10mbit}, {@code 500kbit}, {@code 2mbps}; {@code 32kb}, {@code 1mb}. */
final class Rates {
    static final String RATE = "rate";
    static final String BURST = "burst";
    /** How long a packet may wait for tokens before it is dropped (tc's {@code latency}). */
    static final Duration LATENCY = Duration.ofMillis(50);

    private static final Pattern AMOUNT = Pattern.compile("(\\d{1,12})([a-z]*)");
    private static final Map<String, Long> BITS_PER_SECOND = Map.of("", 1L, "bit", 1L, "kbit", 1_000L, "mbit", 1_000_000L,
            "gbit", 1_000_000_000L, "bps", 8L, "kbps", 8_000L, "mbps", 8_000_000L, "gbps", 8_000_000_000L);
    private static final Map<String, Long> BYTES = Map.of("", 1L, "b", 1L, "kb", 1024L, "mb", 1024L * 1024, "k", 1024L, "m", 1024L * 1024);

    private Rates() {
    }

    /** Bytes per second of {@code text}: a number of bits per second, or with a unit ({@code kbit} = 1000 bits/s; {@code kbps} = 1000 bytes/s). */
    static long rate(String text) {
        long bits = amount(RATE, text, BITS_PER_SECOND, "like 10mbit, 500kbit, 1gbit or 2mbps");
        if (bits < 8) {
            throw new InvalidInputException(RATE, text, "is below 1 byte a second");
        }
        return bits / 8;
    }

    /** Bytes of {@code text}: a number, or with {@code kb} or {@code mb} (1024-based, as tc's sizes). */
    static int size(String text) {
        long bytes = amount(BURST, text, BYTES, "like 32kb or 1mb");
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new InvalidInputException(BURST, text, "must be 1 byte to 2 GiB");
        }
        return (int) bytes;
    }

    private static long amount(String field, String text, Map<String, Long> units, String example) {
        Matcher m = AMOUNT.matcher(text == null ? "" : text.strip().toLowerCase(Locale.ROOT));
        Long unit = m.matches() ? units.get(m.group(2)) : null;
        if (unit == null) {
            throw new InvalidInputException(field, text, "must be a whole number with a unit, " + example);
        }
        return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    }

    /**
     * The bucket for {@code rate} and {@code burst} (null: 10 ms at the rate, at least 32 KiB); the queue holds
     * {@link #LATENCY} at the rate. Null without a rate.
     */
    static Qdisc.TokenBucket bucket(String rate, String burst) {
        if (rate == null) {
            return null;
        }
        long bytesPerSecond = rate(rate);
        int b = burst != null ? size(burst) : (int) Math.min(Integer.MAX_VALUE / 2, Math.max(32 * 1024, bytesPerSecond / 100));
        long limit = bytesPerSecond * LATENCY.toMillis() / 1000 + b; // what waits at most LATENCY, plus a burst (tc's latency)
        return new Qdisc.TokenBucket(bytesPerSecond, b, (int) Math.min(Integer.MAX_VALUE, limit));
    }
}
