package dev.patchbay.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The operator's log of CNI calls: with {@value #ENV} set in the call's environment, one line per call appended to that
 * file (time, verb, type, network, container, interface, exit code, milliseconds, the error), then the call's notes
 * indented. A log that cannot be written is skipped: it never fails a call.
 */
final class CniLog {
    static final String ENV = "PATCHBAY_CNI_LOG";

    private CniLog() {
    }

    static void append(Map<String, String> env, CniCall call, String ranType, int exit, CniError failure, List<String> notes, double ms) {
        String file = env.get(ENV);
        if (file == null || file.isEmpty()) {
            file = dev.patchbay.state.HostSetting.get(dev.patchbay.state.HostSetting.CNI_LOG);
        }
        if (file == null || file.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(Instant.now()).append(' ').append(env.getOrDefault("CNI_COMMAND", "?")).append(' ')
                .append(call == null ? ranType : call.type());
        if (call != null && GoKeys.member(call.config(), "name") != null) {
            sb.append(" network=").append(GoKeys.member(call.config(), "name"));
        }
        sb.append(" id=").append(env.getOrDefault("CNI_CONTAINERID", "")).append(" ifname=").append(env.getOrDefault("CNI_IFNAME", ""))
                .append(" exit=").append(exit).append(String.format(" %.1fms", ms));
        if (failure != null) {
            sb.append(" error ").append(failure.code()).append(": ").append(failure.getMessage());
        }
        sb.append('\n');
        notes.forEach(n -> sb.append("    ").append(n).append('\n'));
        try {
            Files.writeString(Path.of(file), sb.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            // the log is the operator's aid, never a reason to fail the runtime's call
        }
    }
}
