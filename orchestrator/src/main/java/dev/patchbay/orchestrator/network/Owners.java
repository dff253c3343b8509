package dev.patchbay.orchestrator.network;

import dev.patchbay.core.firewall.RulesetOwner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Who owns a ruleset: a network ({@code net:NAME}) or one of its attachments ({@code att:NAME/ID}). */
public final class Owners {
    private Owners() {
    }

    public static RulesetOwner network(String network) {
        return RulesetOwner.of("net:" + network);
    }

    public static RulesetOwner attachment(String network, String containerId) {
        String id = "att:" + network + "/" + containerId;
        if (id.length() > 100) { // owners are at most 100 characters: keep the network, digest the container id
            id = "att:" + network + "/" + sha256(containerId).substring(0, 24);
        }
        return RulesetOwner.of(id);
    }

    /** Whether {@code owner} is one of {@code network}'s attachments. */
    static boolean isAttachmentOf(RulesetOwner owner, String network) {
        return owner.id().startsWith("att:" + network + "/");
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
