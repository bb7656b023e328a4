package dev.finch.soci.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finch.soci.snapshot.SnapshotException;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class StatusMappingTest {
  @Test
  void everyErrorKindHasItsCode() {
    assertThat(
            StatusMapping.toStatus(SnapshotException.notFound("snapshot does not exist"))
                .getStatus())
        .satisfies(
            s -> {
              assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(s.getDescription()).isEqualTo("snapshot does not exist: not found");
            });
    assertThat(
            StatusMapping.toStatus(SnapshotException.alreadyExists("target snapshot \"x\""))
                .getStatus()
                .getCode())
        .isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(
            StatusMapping.toStatus(SnapshotException.failedPrecondition("p")).getStatus().getCode())
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(StatusMapping.toStatus(SnapshotException.invalidArgument("i")).getStatus().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void ioFailuresAreInternalWithTheirMessage() {
    assertThat(StatusMapping.toStatus(new IOException("disk full")).getStatus())
        .satisfies(
            s -> {
              assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(s.getDescription()).isEqualTo("disk full");
            });
    assertThat(
            StatusMapping.toStatus(new UncheckedIOException(new IOException("no space")))
                .getStatus())
        .satisfies(
            s -> {
              assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(s.getDescription()).isEqualTo("no space");
            });
    assertThat(StatusMapping.toStatus(new IllegalStateException()).getStatus().getCode())
        .isEqualTo(Status.Code.UNKNOWN);
  }
}
