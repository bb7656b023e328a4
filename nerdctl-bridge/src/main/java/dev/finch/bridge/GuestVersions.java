package dev.finch.bridge;

import java.util.List;
import java.util.Optional;

/**
 * Versions of what runs in the guest, for {@code finch version}.
 *
 * @param nerdctl the nerdctl client, empty when the guest has none (ctr engine)
 * @param clientComponents nerdctl's client-side components (buildctl)
 * @param server containerd, runc and the snapshotters
 */
public record GuestVersions(
    Optional<Component> nerdctl, List<Component> clientComponents, List<Component> server) {
  public GuestVersions {
    clientComponents = List.copyOf(clientComponents);
    server = List.copyOf(server);
  }
}
