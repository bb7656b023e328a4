package dev.finch.soci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Builds the TLS contexts the client can use: default, default plus extra CAs, or trust-all. */
final class TlsContexts {
  private TlsContexts() {}

  /**
   * The JDK's trusted CAs plus the PEM certificates in {@code caFiles}; the JDK default when there are
   * none.
   */
  static SSLContext trusting(List<Path> caFiles) throws IOException, GeneralSecurityException {
    if (caFiles.isEmpty()) {
      return SSLContext.getDefault();
    }
    TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    defaults.init((KeyStore) null);
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    int i = 0;
    for (TrustManager tm : defaults.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        for (X509Certificate c : x.getAcceptedIssuers()) {
          ks.setCertificateEntry("jdk-" + i++, c);
        }
      }
    }
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    for (Path p : caFiles) {
      List<Certificate> certs;
      try (InputStream in = Files.newInputStream(p)) {
        certs = new ArrayList<>(cf.generateCertificates(in));
      }
      for (Certificate c : certs) {
        ks.setCertificateEntry("extra-" + i++, c);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * Accepts any certificate for any host name ({@code --skip-verify}). Being an
   * {@link X509ExtendedTrustManager}, it also replaces the JDK's host name check.
   */
  static SSLContext trustAll() throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new TrustAll()}, null);
    return ctx;
  }

  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
