package dev.finch.vm;

import java.nio.file.Path;

/**
 * Files below finch's install directory, laid out as Finch lays them out so a user who knows Finch
 * finds them: {@code lima/bin/limactl}, {@code LIMA_HOME=lima/data}, the instance template {@code
 * os/finch.yaml}. finch owns this {@code LIMA_HOME}; it never touches a user's own Lima.
 *
 * @param root the install directory
 */
public record InstallLayout(Path root) {
  /** The bundled limactl. */
  public Path limactl() {
    return root.resolve("lima").resolve("bin").resolve("limactl");
  }

  /** The directory prepended to PATH for limactl (it finds qemu-img etc. there). */
  public Path limaBin() {
    return root.resolve("lima").resolve("bin");
  }

  /** Lima's state directory for finch's instance. */
  public Path limaHome() {
    return root.resolve("lima").resolve("data");
  }

  /** The instance template passed to {@code limactl start} on init. */
  public Path limaTemplate() {
    return root.resolve("os").resolve("finch.yaml");
  }

  /** The WSL2 root filesystem imported on init: the guest image's tree as a tarball. */
  public Path wslRootfs() {
    return guestImageDir().resolve("rootfs.tar.gz");
  }

  /**
   * The guest image the QEMU backend boots ({@code disk.raw}, {@code vmlinuz}, {@code initrd.img}),
   * as {@code make guest-image} writes it; in a checkout, {@code build/os/guest-image} links there.
   */
  public Path guestImageDir() {
    return root.resolve("os").resolve("guest-image");
  }

  /** Directory holding {@code finch-guest.tar.gz} (our soci, daemon and launchers). */
  public Path guestBundleDir() {
    return root.resolve("guest");
  }

  /** Directory of the launchers, where a native Linux finch also finds {@code soci}. */
  public Path bin() {
    return root.resolve("bin");
  }
}
