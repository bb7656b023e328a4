package dev.finch.soci.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContainerdExceptionTest {
  private static final Path SOCK = Path.of("/run/x/containerd.sock");

  /**
   * The exception made from what grpc-java raises when the channel's socket I/O fails during {@code
   * operation}: status UNAVAILABLE, description "io exception", the netty IOException (whose
   * message names the failure) as cause.
   */
  private static ContainerdException socketFailure(String ioMessage, String operation) {
    return ContainerdException.from(
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(new IOException(ioMessage))
            .asRuntimeException(),
        operation,
        SOCK);
  }

  @Test
  void mapsContainerdErrdefsCodes() {
    ContainerdException e =
        ContainerdException.from(
            Status.NOT_FOUND.withDescription("image \"x\": not found").asRuntimeException(),
            "get image \"x\"",
            SOCK);
    assertThat(e.kind()).isEqualTo(ContainerdException.Kind.NOT_FOUND);
    assertThat(e.getMessage()).isEqualTo("get image \"x\": image \"x\": not found");
    assertThat(ContainerdException.kindOf(Status.Code.ALREADY_EXISTS))
        .isEqualTo(ContainerdException.Kind.ALREADY_EXISTS);
    assertThat(ContainerdException.kindOf(Status.Code.FAILED_PRECONDITION))
        .isEqualTo(ContainerdException.Kind.FAILED_PRECONDITION);
    assertThat(ContainerdException.kindOf(Status.Code.UNAUTHENTICATED))
        .isEqualTo(ContainerdException.Kind.PERMISSION_DENIED);
    assertThat(ContainerdException.kindOf(Status.Code.INTERNAL))
        .isEqualTo(ContainerdException.Kind.UNKNOWN);
  }

  @Test
  void unreachableSocketNamesPathAndRemedy() {
    ContainerdException e =
        socketFailure(
            "connect(..) failed: Connection refused: /run/x/containerd.sock", "containerd version");
    assertThat(e.kind()).isEqualTo(ContainerdException.Kind.UNAVAILABLE);
    assertThat(e.getMessage())
        .isEqualTo(
            "cannot connect to containerd at /run/x/containerd.sock: Connection refused (is containerd running? set --address)");
  }

  @Test
  void aConnectionResetMidCallSaysContainerdWentAway() {
    ContainerdException e =
        socketFailure("readAddress(..) failed: Connection reset by peer", "read blob sha256:ab");
    assertThat(e.kind()).isEqualTo(ContainerdException.Kind.UNAVAILABLE);
    assertThat(e.getMessage())
        .isEqualTo(
            "lost the connection to containerd at /run/x/containerd.sock during read blob"
                + " sha256:ab: Connection reset by peer (did containerd stop or crash? see its log)");
  }

  @Test
  void aTransportClosedMidCallSaysContainerdWentAway() {
    ContainerdException e =
        ContainerdException.from(
            Status.UNAVAILABLE
                .withDescription("Network closed for unknown reason")
                .asRuntimeException(),
            "read sha256:ab",
            SOCK);
    assertThat(e.getMessage())
        .isEqualTo(
            "lost the connection to containerd at /run/x/containerd.sock during read"
                + " sha256:ab: Network closed for unknown reason (did containerd stop or crash? see its log)");
  }

  @Test
  void versionsOlderThan16AreRefused() {
    assertThat(new ContainerdVersion("1.6.20~ds1", "").supported()).isTrue();
    assertThat(new ContainerdVersion("v1.7.24", "x").supported()).isTrue();
    assertThat(new ContainerdVersion("2.1.9+unknown", "").supported()).isTrue();
    assertThat(new ContainerdVersion("v1.5.18", "").supported()).isFalse();
    assertThat(new ContainerdVersion("1.4.13~ds1", "").supported()).isFalse();
    assertThat(new ContainerdVersion("devel", "").supported())
        .as("an unparseable development build")
        .isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ContainerdVersion("v1.5.18", "").requireSupported(SOCK))
        .isInstanceOf(ContainerdException.class)
        .hasMessage(
            "containerd v1.5.18 at /run/x/containerd.sock is too old: containerd 1.6 or newer is needed");
  }

  @Test
  void lockedIngestIsUnavailableButNotAConnectFailure() {
    ContainerdException e =
        ContainerdException.from(
            Status.UNAVAILABLE
                .withDescription("ref x locked for 1s: unavailable")
                .asRuntimeException(),
            "write content",
            SOCK);
    assertThat(e.kind()).isEqualTo(ContainerdException.Kind.UNAVAILABLE);
    assertThat(e.getMessage()).isEqualTo("write content: ref x locked for 1s: unavailable");
  }

  @Test
  void messagesAreOneLine() {
    ContainerdException e = new ContainerdException(ContainerdException.Kind.UNKNOWN, "a\nb\r\nc");
    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
  }
}
