package dev.patchbay.testing;

import dev.patchbay.core.errors.InvalidInputException;
import dev.patchbay.core.errors.NotFoundException;
import dev.patchbay.core.spi.SysctlOps;
import dev.patchbay.testing.FakeNetworkStack.Slot;
import java.util.Optional;

/** Sysctls of one fake namespace. */
final class FakeSysctlOps extends FakeOps implements SysctlOps {
    FakeSysctlOps(FakeNetworkStack.Handle handle) {
        super(handle);
    }

        @Override
        public Optional<String> get(String key) {
            return read("sysctl.get", key, () -> ns.slot(key).get());
        }

        @Override
        public void set(String key, String value) {
            change("sysctl.set", key + "=" + value, () -> put(key, value));
        }

        @Override
        public String ensure(String key, String value) {
            return change("sysctl.ensure", key + "=" + value, () -> put(key, value));
        }

        private String put(String key, String value) {
            if (value == null || value.isEmpty() || value.indexOf('\n') >= 0) {
                throw new InvalidInputException("sysctl value", value, "must be one line");
            }
            Slot s = ns.slot(key);
            String before = s.map().get(s.key());
            if (before == null) {
                throw new NotFoundException("sysctl \"" + key + "\" not found in " + where());
            }
            s.map().put(s.key(), value);
            return before;
        }
    
}
