package dev.finch.vm.lima;

import dev.finch.config.FinchConfig;
import dev.finch.config.GuestProvisioning;
import dev.finch.config.HostFacts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Lima YAML generated from finch.yaml. Key names follow Lima's documented template ({@code
 * templates/default.yaml} in lima-vm/lima); the split between files follows Finch: the instance
 * template and {@code default.yaml} carry what is fixed at init, {@code override.yaml} what is
 * re-applied on every start (Lima gives override.yaml precedence and appends its lists).
 */
public final class LimaYaml {
  /** Guest mount point of the data disk Lima attaches as {@code additionalDisks: [finch]}. */
  public static final String DATA_DIR = "/mnt/lima-finch";

  /** Guest mount point of the host's guest bundle directory. */
  public static final String GUEST_BUNDLE_MOUNT = "/mnt/finch-guest";

  /** Kernel command line of the guest image (its root filesystem is the whole first disk). */
  public static final String KERNEL_CMDLINE = "root=/dev/vda rw console=ttyS0";

  private LimaYaml() {}

  /**
   * The instance template passed to {@code limactl start --name=finch} on init. The image is the
   * one {@code make guest-image} builds from Debian packages (the same the QEMU backend boots): a
   * disk with the kernel and initrd beside it, no bootloader, so Lima is given all three (x86_64
   * only: an aarch64 image needs the same build on an arm64 Debian).
   */
  public static String template(
      FinchConfig config, HostFacts host, java.nio.file.Path guestImageDir) {
    Map<String, Object> y = new LinkedHashMap<>();
    y.put("minimumLimaVersion", "1.0.0");
    java.nio.file.Path img = guestImageDir;
    y.put(
        "images",
        List.of(
            map(
                "location",
                img.resolve("disk.raw").toString(),
                "arch",
                "x86_64",
                "kernel",
                map("location", img.resolve("vmlinuz").toString(), "cmdline", KERNEL_CMDLINE),
                "initrd",
                map("location", img.resolve("initrd.img").toString()))));
    // finch's provisioning installs containerd and nerdctl the same way on Lima and WSL2.
    y.put("containerd", map("system", false, "user", false));
    y.put(
        "mounts",
        List.of(
            map("location", "~", "writable", true),
            map("location", "/tmp/lima", "writable", true),
            map("location", "/private", "writable", true),
            map("location", "/var/folders", "writable", true)));
    y.put("ssh", map("localPort", 0, "loadDotSSHPubKeys", false, "forwardAgent", true));
    y.put(
        "hostResolver",
        map(
            "hosts",
            map(
                "host.finch.internal",
                "host.lima.internal",
                "host.docker.internal",
                "host.lima.internal")));
    y.put("env", map("CONTAINERD_NAMESPACE", "finch"));
    return header("instance template, written by finch vm init") + dump(y);
  }

  /** {@code _config/default.yaml}: the init-only keys (vmType, rosetta, mountInotify, vmnet). */
  public static String defaults(FinchConfig config) {
    String vmType = config.vmType().orElse("vz");
    Map<String, Object> y = new LinkedHashMap<>();
    y.put("vmType", vmType);
    boolean vz = vmType.equals("vz");
    y.put("mountType", vz ? "virtiofs" : "reverse-sshfs");
    if (vz) {
      y.put(
          "vmOpts",
          map("vz", map("rosetta", map("enabled", config.rosetta(), "binfmt", config.rosetta()))));
    }
    if (config.mountInotify()) {
      y.put("mountInotify", true);
    }
    if (config.vmnet() && vz) {
      y.put("networks", List.of(map("vzNAT", true)));
    }
    return header("init-only settings, written by finch vm init") + dump(y);
  }

  /** {@code _config/override.yaml}: rewritten on every init and start. */
  public static String override(FinchConfig config, java.nio.file.Path guestBundleDir) {
    Map<String, Object> y = new LinkedHashMap<>();
    y.put("cpus", config.cpus());
    y.put("memory", config.memory().toString());
    y.put("disk", config.bootdisk().toString());
    y.put("additionalDisks", List.of(map("name", "finch")));
    List<Object> mounts = new java.util.ArrayList<>();
    for (String dir : config.additionalDirectories()) {
      mounts.add(map("location", dir, "writable", true));
    }
    mounts.add(
        map(
            "location",
            guestBundleDir.toString(),
            "mountPoint",
            GUEST_BUNDLE_MOUNT,
            "writable",
            false));
    y.put("mounts", mounts);
    y.put("env", map("CONTAINERD_SNAPSHOTTER", config.defaultSnapshotter()));
    y.put(
        "provision",
        List.of(
            map(
                "mode",
                "system",
                "script",
                new GuestProvisioning(config, GUEST_BUNDLE_MOUNT, DATA_DIR).script())));
    return header("per-start settings, rewritten by finch vm init and finch vm start") + dump(y);
  }

  private static String header(String what) {
    return "# finch: Lima " + what + " from finch.yaml; edits here are overwritten.\n";
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static String dump(Map<String, Object> y) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setIndent(2);
    o.setIndicatorIndent(0);
    o.setWidth(200);
    return new Yaml(new LiteralStrings(o), o).dump(y);
  }

  /** Writes multi-line strings (provisioning scripts) as literal blocks, readable in the file. */
  private static final class LiteralStrings extends Representer {
    LiteralStrings(DumperOptions o) {
      super(o);
      this.representers.put(
          String.class,
          data -> {
            String s = (String) data;
            return representScalar(
                Tag.STR,
                s,
                s.contains("\n")
                    ? DumperOptions.ScalarStyle.LITERAL
                    : DumperOptions.ScalarStyle.PLAIN);
          });
    }
  }
}
