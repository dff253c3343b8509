package dev.patchbay.core.ipam;

import dev.patchbay.core.errors.InvalidInputException;
import java.util.List;

/** Ranges of one family an owner gets exactly one address from (host-local's inner {@code ranges} array). */
public record RangeSet(List<IpRange> ranges) {
    public RangeSet {
        if (ranges == null || ranges.isEmpty()) {
            throw new InvalidInputException("ranges", "[]", "a range set needs at least one range");
        }
        ranges = List.copyOf(ranges);
    }

    public static RangeSet of(IpRange... ranges) {
        return new RangeSet(List.of(ranges));
    }
}
