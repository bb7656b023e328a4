package dev.finch.soci.containerd;

import dev.finch.testkit.ContainerdProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** mount(8)/umount(8) of containerd mounts in tests (root only). */
final class Mounter {
  private Mounter() {}

  static void mount(List<ContainerdMount> mounts, Path target) {
    for (ContainerdMount m : mounts) {
      List<String> argv = new ArrayList<>(List.of("mount"));
      if (!m.type().equals("bind")) {
        argv.addAll(List.of("-t", m.type()));
      }
      if (!m.options().isEmpty()) {
        argv.addAll(List.of("-o", String.join(",", m.options())));
      }
      argv.addAll(List.of(m.source(), target.toString()));
      ContainerdProcess.run(argv, Duration.ofSeconds(30)).check();
    }
  }

  static void unmount(Path target) {
    ContainerdProcess.run(List.of("umount", target.toString()), Duration.ofSeconds(30)).check();
  }
}
