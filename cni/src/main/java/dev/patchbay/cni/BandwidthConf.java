package dev.patchbay.cni;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.model.Qdisc;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference {@code bandwidth} plugin's limits, in bits: {@code ingressRate} (bits per second) and {@code ingressBurst}
 * (bits) for traffic to the container, {@code egressRate} and {@code egressBurst} for traffic from it; 0 or absent: that
 * direction is not shaped. From the {@code bandwidth} capability ({@code runtimeConfig.bandwidth}, which containerd sends
 * with Go's field names, {@code IngressRate}: {@link GoKeys}) when the runtime sent it, else from the configuration's own
 * keys. A rate needs a burst and a burst a rate; a burst is at most 4 GB (2^32-1 bytes) as the reference has it, and at
 * most 2^31-1 bytes here; a rate is at least 8 bits per second (one byte).
 */
record BandwidthConf(long ingressRate, long ingressBurst, long egressRate, long egressBurst) {
    /** The reference's queue at the rate: 25 ms of it, on top of the burst (its tbf's limit). */
    static final double LATENCY_S = 0.025;
    private static final BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** From a plugin configuration: code 7 naming the key and the value when one is not a whole number of bits or the pairs disagree. */
    static BandwidthConf of(JsonObject config) {
        Conf root = Conf.root(config);
        Conf rc = root.object("runtimeConfig");
        Conf c = rc != null && rc.has("bandwidth") ? rc.object("bandwidth") : root;
        BandwidthConf b = new BandwidthConf(bits(c, "ingressRate"), bits(c, "ingressBurst"), bits(c, "egressRate"), bits(c, "egressBurst"));
        pair(c, "ingress", b.ingressRate, b.ingressBurst);
        pair(c, "egress", b.egressRate, b.egressBurst);
        return b;
    }

    /** The configuration's keys; as an attachment's or a network's options ({@link BandwidthChain}) they are {@link #option}'s. */
    static final List<String> KEYS = List.of("ingressRate", "ingressBurst", "egressRate", "egressBurst");

    /** A key as an option, in the lower case options take: {@code ingress-rate}, ... */
    static String option(String key) {
        return key.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    /** From options ({@link #option} keys, decimal bits; absent: 0): InvalidInputException naming the option that is wrong. */
    static BandwidthConf of(Map<String, String> options) {
        JsonObject o = new JsonObject();
        for (String k : KEYS) {
            String v = options.get(option(k));
            if (v != null) {
                try {
                    o.addProperty(k, new BigInteger(v));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException(option(k), v, "must be a whole number of " + (k.endsWith("Rate") ? "bits per second" : "bits"));
                }
            }
        }
        try {
            return of(o);
        } catch (CniError e) { // "KEY: ["VALUE" ]PROBLEM", in the options' names
            String msg = e.getMessage();
            for (String k : KEYS) {
                msg = msg.replace(k, option(k));
            }
            String field = msg.substring(0, msg.indexOf(':'));
            String problem = msg.substring(msg.indexOf(':') + 2).replaceFirst("^\"[^\"]*\" ", "");
            throw new InvalidInputException(field, options.getOrDefault(field, ""), problem);
        }
    }

    /** As options ({@link #option} keys): the limits set (not 0). */
    Map<String, String> options() {
        Map<String, String> out = new TreeMap<>();
        long[] values = {ingressRate, ingressBurst, egressRate, egressBurst};
        for (int i = 0; i < KEYS.size(); i++) {
            if (values[i] > 0) {
                out.put(option(KEYS.get(i)), Long.toString(values[i]));
            }
        }
        return out;
    }

    boolean ingress() {
        return ingressRate > 0;
    }

    boolean egress() {
        return egressRate > 0;
    }

    Qdisc.TokenBucket ingressBucket() {
        return bucket(ingressRate, ingressBurst);
    }

    Qdisc.TokenBucket egressBucket() {
        return bucket(egressRate, egressBurst);
    }

    /** A tbf at {@code rate} bits per second with a burst of {@code burst} bits, limited to the burst and 25 ms at the rate. */
    static Qdisc.TokenBucket bucket(long rate, long burst) {
        long bytes = rate / 8;
        int b = (int) (burst / 8);
        return new Qdisc.TokenBucket(bytes, b, (int) Math.min(Integer.MAX_VALUE, b + (long) (bytes * LATENCY_S)));
    }

    /** A Go uint64: a whole number 0..2^64-1 (a float with no fraction, as Go's decoder takes "1e6", too); 0 when absent. */
    private static long bits(Conf c, String key) {
        JsonElement e = GoKeys.member(c.json(), key);
        if (e == null || e.isJsonNull()) {
            return 0;
        }
        BigInteger v = null;
        if (e instanceof JsonPrimitive p && p.isNumber()) {
            try {
                v = p.getAsBigDecimal().toBigIntegerExact();
            } catch (ArithmeticException fraction) {
                v = null;
            }
        }
        String sent = c.field(GoKeys.keyFor(c.json().keySet(), key)); // as the runtime spelt it
        if (v == null || v.signum() < 0 || v.compareTo(MAX) > 0) {
            throw CniError.config(sent, e, "must be a whole number of " + (key.endsWith("Rate") ? "bits per second" : "bits") + ", 0 or more");
        }
        if (v.bitLength() > 62) {
            throw CniError.config(sent, e, "is past what a tbf holds (2^62 bits)");
        }
        return v.longValue();
    }

    private static void pair(Conf c, String way, long rate, long burst) {
        if (rate > 0 && burst == 0) {
            throw CniError.config(c.field(way + "Burst"), null, "is required with " + way + "Rate " + rate + " (bits)");
        }
        if (burst > 0 && rate == 0) {
            throw CniError.config(c.field(way + "Rate"), null, "is required with " + way + "Burst " + burst + " (bits per second)");
        }
        if (rate > 0 && rate < 8) {
            throw CniError.config(c.field(way + "Rate"), rate, "must be at least 8 bits per second (a byte)");
        }
        if (burst / 8 > Integer.MAX_VALUE) {
            throw CniError.config(c.field(way + "Burst"), burst, "must be at most " + 8L * Integer.MAX_VALUE + " bits (2 GB)");
        }
        if (burst > 0 && burst < 8) {
            throw CniError.config(c.field(way + "Burst"), burst, "must be at least 8 bits (a byte)");
        }
    }
}
