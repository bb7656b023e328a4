package dev.finch.soci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Builds the TLS contexts the client can use: default, default plus extra CAs, or trust-all. */
final class TlsContexts {
  private TlsContexts() {}

  /**
   * The JDK's trusted CAs plus the PEM certificates in {@code caFiles}; the JDK default when there
   * are none.
   */
  static SSLContext trusting(List<Path> caFiles) throws IOException, GeneralSecurityException {
    if (caFiles.isEmpty()) {
      return SSLContext.getDefault();
    }
    TrustManagerFactory defaults =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
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
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * Accepts any certificate for any host name ({@code --skip-verify}). Being an {@link
   * X509ExtendedTrustManager}, it also replaces the JDK's host name check.
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

  /**
   * An SSLContext that builds {@code real} on first use. The JDK's HttpClient asks for a context
   * when it is created, and the default one parses the whole trust store (a quarter of a second on
   * a cold JVM); a client that only ever talks plain http to a local registry never needs it.
   */
  static SSLContext lazy(Callable<SSLContext> real) {
    return new LazyContext(new LazySpi(real));
  }

  private static final class LazyContext extends SSLContext {
    LazyContext(LazySpi spi) {
      super(spi, null, "TLS");
    }
  }

  private static final class LazySpi extends SSLContextSpi {
    private final Callable<SSLContext> factory;
    private volatile SSLContext real;

    LazySpi(Callable<SSLContext> factory) {
      this.factory = factory;
    }

    private SSLContext real() {
      SSLContext r = real;
      if (r == null) {
        synchronized (this) {
          r = real;
          if (r == null) {
            try {
              r = factory.call();
            } catch (Exception e) {
              throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
            }
            real = r;
          }
        }
      }
      return r;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
      throw new UnsupportedOperationException("a lazy TLS context is initialised by its factory");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return real().getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return real().getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return real().createSSLEngine();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return real().createSSLEngine(host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return real().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return real().getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return real().getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return real().getSupportedSSLParameters();
    }
  }
}
