package dev.finch.soci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.oci.Digest;
import dev.finch.testkit.RegistryFixture;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The testkit fixture itself: it starts, counts blob bytes served, and stops exactly its PID. */
class RegistryFixtureIT {
  @Test
  void countsBlobBytesAndStopsItsOwnProcess() throws Exception {
    long pid;
    try (RegistryFixture registry = RegistryFixture.builder().start()) {
      pid = registry.pid();
      assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
      assertThat(registry.url()).isEqualTo("http://" + registry.hostPort());
      RegistryClient c = RegistryClient.builder(registry.hostPort()).plainHttp(true).build();
      byte[] data = TestImages.random(70, 1000);
      Digest d = Digest.sha256(data);
      c.pushBlob("counted", d, data);
      assertThat(registry.blobBytesServed()).isZero();
      c.fetchBlobRange("counted", d, new ByteRange(0, 100));
      c.fetchBlob("counted", d, java.io.OutputStream.nullOutputStream());
      c.fetchBlobRanges("counted", d, List.of(new ByteRange(0, 10), new ByteRange(500, 510)));
      assertThat(c.blobExists("counted", d)).isTrue();
      long served = registry.blobBytesServed(d.hex());
      assertThat(served)
          .as("100 + 1000 + multipart body of 20 bytes plus framing")
          .isGreaterThan(1120)
          .isLessThan(1600);
      assertThat(Files.readString(registry.logFile())).contains("response completed");
    }
    ProcessHandle.of(pid)
        .ifPresent(p -> p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
  }

  @Test
  void basicAuthFixtureExposesItsCredentials() throws Exception {
    try (RegistryFixture registry = RegistryFixture.builder().basicAuth("u", "p").start()) {
      assertThat(registry.username()).isEqualTo("u");
      RegistryClient c =
          RegistryClient.builder(registry.hostPort())
              .plainHttp(true)
              .credentials(dev.finch.soci.registry.auth.CredentialRetriever.explicit("u:p"))
              .retryPolicy(new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
              .build();
      assertThat(c.listTags("none")).isEmpty();
    }
  }
}
