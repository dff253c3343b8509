package dev.patchbay.core.model;

import dev.patchbay.core.errors.InvalidInputException;

/** A link in one namespace, by name or by index. */
public sealed interface LinkRef permits LinkRef.ByName, LinkRef.ByIndex {

    static LinkRef name(String name) {
        return new ByName(new IfName(name));
    }

    static LinkRef name(IfName name) {
        return new ByName(name);
    }

    static LinkRef index(int index) {
        return new ByIndex(index);
    }

    record ByName(IfName name) implements LinkRef {
        @Override
        public String toString() {
            return name.value();
        }
    }

    record ByIndex(int index) implements LinkRef {
        public ByIndex {
            if (index <= 0) {
                throw new InvalidInputException("link index", index, "must be positive");
            }
        }

        @Override
        public String toString() {
            return "#" + index;
        }
    }
}
