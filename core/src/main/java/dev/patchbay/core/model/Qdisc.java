package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;

/**
 * A link's root queueing discipline as the kernel reports it: its {@code kind} ({@code tbf}, {@code fq_codel}, ...) and,
 * for a {@code tbf}, its token bucket (else null).
 *
 * @since 1.3
 */
public record Qdisc(String kind, TokenBucket tokenBucket) {

    /**
     * A token-bucket rate limit, the kernel's {@code tbf} ({@code tc qdisc replace dev LINK root tbf rate R burst B limit L}):
     * traffic leaves at most at {@code rate} bytes per second, in bursts of at most {@code burst} bytes; at most
     * {@code limit} bytes wait for tokens, more are dropped (tc's {@code latency L} is a limit of rate * L + burst). A
     * burst below the link's MTU lets no full frame through.
     */
    public record TokenBucket(long rate, int burst, int limit) {
        public TokenBucket {
            if (rate < 1) {
                throw new InvalidInputException("rate", rate, "must be at least 1 byte per second");
            }
            if (burst < 1 || limit < 1) {
                throw new InvalidInputException(burst < 1 ? "burst" : "limit", burst < 1 ? burst : limit, "must be at least 1 byte");
            }
        }
    }
}
