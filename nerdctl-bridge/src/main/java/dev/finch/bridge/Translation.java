package dev.finch.bridge;

import java.util.List;

/** What a finch pass-through command becomes in the guest. */
public sealed interface Translation {
  /** The nerdctl call (for a SOCI push, the plain image push). */
  NerdctlCall call();

  /**
   * One nerdctl call.
   *
   * @param help whether it asks for help, whose output is rewritten to say {@code finch}
   */
  record Plain(NerdctlCall call, boolean help) implements Translation {}

  /**
   * {@code push} with the soci snapshotter: push the image while our {@code soci} builds its SOCI
   * index and uploads its zTOCs, then push the index manifest ({@link SociSteps}).
   *
   * @param call the image push (pinned to overlayfs so nerdctl does not index a second time)
   * @param ref the image reference
   * @param createFlags flags for {@code soci create} (platforms, span and min-layer sizes)
   * @param pushFlags the registry's flags for {@code soci create --push} (plain http, no TLS
   *     verification)
   */
  record SociPush(NerdctlCall call, String ref, List<String> createFlags, List<String> pushFlags)
      implements Translation {
    public SociPush {
      createFlags = List.copyOf(createFlags);
      pushFlags = List.copyOf(pushFlags);
    }
  }
}
