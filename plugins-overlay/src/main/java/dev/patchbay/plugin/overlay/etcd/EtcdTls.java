package dev.patchbay.plugin.overlay.etcd;

import dev.patchbay.core.errors.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to etcd from PEM files, as etcd's own tools take them: {@code ca} the certificates the server's must chain to (null:
 * the JDK's), {@code cert} and {@code key} this client's certificate (chain) and its PKCS#8 private key (both or neither).
 * {@code option} names the options they came from, for the errors.
 */
public record EtcdTls(Path ca, Path cert, Path key, String caOption, String certOption, String keyOption) {

    public EtcdTls {
        if ((cert == null) != (key == null)) {
            throw new InvalidInputException("opt " + (cert == null ? certOption : keyOption), null,
                    "is required with --opt " + (cert == null ? keyOption : certOption) + ": a client certificate and its key go together");
        }
    }

    /** The context the HTTP client connects with. */
    public SSLContext context() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (ca == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(ca, caOption)) {
                    trust.setCertificateEntry("ca" + i++, c);
                }
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (cert != null) {
                KeyStore mine = KeyStore.getInstance("PKCS12");
                mine.load(null, null);
                char[] none = new char[0];
                mine.setKeyEntry("client", privateKey(), none, certificates(cert, certOption).toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(mine, none);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidInputException("opt " + (cert != null ? certOption : caOption), String.valueOf(cert != null ? cert : ca),
                    "cannot be used for TLS: " + e.getMessage());
        }
    }

    private static Collection<? extends Certificate> certificates(Path file, String option) {
        try {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)));
            if (all.isEmpty()) {
                throw new InvalidInputException("opt " + option, file.toString(), "holds no PEM certificate");
            }
            return all;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidInputException("opt " + option, file.toString(), "is no readable PEM certificate file: " + e.getMessage());
        }
    }

    /** The key of {@code key}: PEM {@code PRIVATE KEY} (PKCS#8), RSA or EC. */
    private PrivateKey privateKey() {
        String pem;
        try {
            pem = Files.readString(key, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InvalidInputException("opt " + keyOption, key.toString(), "cannot be read: " + e.getMessage());
        }
        int start = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new InvalidInputException("opt " + keyOption, key.toString(),
                    "holds no PEM \"PRIVATE KEY\" (PKCS#8; from another form: openssl pkcs8 -topk8 -nocrypt -in KEY)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + 27, end));
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // another algorithm's
            }
        }
        throw new InvalidInputException("opt " + keyOption, key.toString(), "is no RSA, EC or Ed25519 private key");
    }
}
