package dev.finch.config;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The root shell script that turns a fresh Linux guest (Lima VM, QEMU VM or WSL distro) into a
 * finch guest, from what the guest image and the guest bundle carry; nothing is downloaded:
 *
 * <ol>
 *   <li>containerd, runc, nerdctl and BuildKit from a nerdctl-full archive placed in the bundle
 *       directory ({@code nerdctl-full-*-linux-ARCH.tar.gz}), otherwise the guest's own containerd
 *       and runc packages (finch then drives ctr and soci, as on a Linux host without nerdctl);
 *   <li>our guest bundle ({@code finch-guest.tar.gz}: soci, the daemon and their Java runtime),
 *       re-extracted when the host's copy changes;
 *   <li>state directories bind-mounted from the persistent data disk;
 *   <li>with {@code soci} in {@code snapshotters}: the daemon's systemd unit, config and containerd
 *       proxy-plugin block, all three copied from the bundle's {@code share/finch-guest/} (their
 *       one source is {@code installers/guest/}); the config only when there is none, since it is
 *       the user's to edit (registry mirrors, plain-http hosts);
 *   <li>containerd (re)started.
 * </ol>
 *
 * <p>Lima runs provisioning scripts on every boot, our QEMU seed does the same, and WSL has none of
 * its own, so every step checks before it acts and the script is safe to run on every boot: a
 * second run changes no file. Each step prints {@code finch-provision: STEP}; a failing command
 * names the step and the command to rerun.
 *
 * @param config the effective finch.yaml
 * @param guestBundleDir guest path where the host's guest bundle directory is visible
 * @param dataDir guest mount point of the persistent data disk
 */
public record GuestProvisioning(FinchConfig config, String guestBundleDir, String dataDir) {
  /** First line of the script's own header; Lima shows it in its logs. */
  public static final String HEADER = "# finch guest provisioning";

  /**
   * What each step's progress line starts with; the QEMU backend reads these lines to show
   * progress.
   */
  public static final String STEP_PREFIX = "finch-provision: ";

  /**
   * Where the bundle is extracted in the guest (its bin/ is linked into /usr/local/bin); the Linux
   * .deb installs the same tree at the same path, so the bundle's AOT caches (valid only at the
   * path they were trained at) serve both.
   */
  public static final String BUNDLE_HOME = "/usr/lib/finch-guest";

  /** The bundle's copy of installers/guest/. */
  public static final String BUNDLE_SHARE = BUNDLE_HOME + "/share/finch-guest";

  /** Directories under the data disk bind-mounted over the guest's state directories. */
  static final List<String[]> BIND_MOUNTS =
      List.of(
          new String[] {"containerd", "/var/lib/containerd"},
          new String[] {"nerdctl", "/var/lib/nerdctl"},
          new String[] {"buildkit", "/var/lib/buildkit"},
          new String[] {"soci-snapshotter-grpc", GuestFiles.SOCI_ROOT});

  /**
   * The names of the steps {@code script} (one of these scripts, with or without a backend's
   * prelude) announces on its {@link #STEP_PREFIX} lines, in order, so a backend that reads those
   * lines can show how far provisioning is.
   */
  public static List<String> steps(String script) {
    Pattern announce =
        Pattern.compile(
            "^\\s*(?:step |echo \"" + Pattern.quote(STEP_PREFIX) + ")\"?([^\"$]+)\"\\s*$");
    return script
        .lines()
        .map(announce::matcher)
        .filter(Matcher::matches)
        .map(m -> m.group(1))
        .toList();
  }

  /** The script with {@code prelude} (a backend's own mounts) run right after the header. */
  public String scriptWithPrelude(String prelude) {
    String s = script();
    int afterHeader = s.indexOf('\n', s.indexOf(HEADER)) + 1;
    return s.substring(0, afterHeader) + prelude + s.substring(afterHeader);
  }

  /** The complete script. */
  public String script() {
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/bash\n").append(HEADER).append('\n');
    s.append(
        """
        set -eu -o pipefail
        step() { current_step=$1; echo "%4$s$1"; }
        trap 'rc=$?; echo "finch-provision: step \\"${current_step:-start}\\" failed (exit $rc) at: $BASH_COMMAND; rerun: sudo bash $0" >&2' ERR
        restart_containerd=0
        has_systemd() { [ -d /run/systemd/system ]; }
        # install_file SRC DEST: copies only when the content differs; prints "changed" if it did
        install_file() {
          if ! cmp -s "$1" "$2"; then mkdir -p "$(dirname "$2")"; install -m 0644 "$1" "$2"; echo changed; fi
        }
        case "$(uname -m)" in aarch64|arm64) goarch=arm64 ;; *) goarch=amd64 ;; esac
        bundle_dir=%1$s

        step "containerd, runc, nerdctl"
        full="$(ls "$bundle_dir"/nerdctl-full-*-linux-"$goarch".tar.gz 2>/dev/null | tail -n 1 || true)"
        if [ -n "$full" ] && ! [ -x /usr/local/bin/nerdctl ]; then
          tar -C /usr/local -xzf "$full"
        fi
        if ! command -v containerd >/dev/null || ! command -v runc >/dev/null; then
          echo "finch-provision: no containerd/runc in the guest image and no nerdctl-full archive in $bundle_dir;" \\
            "installing Debian's packages" >&2
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd runc
        fi
        if command -v nerdctl >/dev/null; then
          mkdir -p /etc/nerdctl
          grep -qs '^namespace' /etc/nerdctl/nerdctl.toml || echo '%2$s' >> /etc/nerdctl/nerdctl.toml
        fi
        mkdir -p /etc/containerd

        step "guest bundle"
        bundle="$bundle_dir/finch-guest.tar.gz"
        if [ -f "$bundle" ]; then
          sum="$(sha256sum "$bundle" | cut -d' ' -f1)"
          if [ "$(cat %3$s/.sha256 2>/dev/null || true)" != "$sum" ]; then
            rm -rf %3$s && mkdir -p %3$s
            tar -C %3$s --strip-components=1 -xzf "$bundle"
            echo "$sum" > %3$s/.sha256
          fi
          for b in %3$s/bin/*; do
            [ "$(readlink /usr/local/bin/"$(basename "$b")" 2>/dev/null || true)" = "$b" ] || ln -sfn "$b" /usr/local/bin/
          done
        else
          echo "finch-provision: no guest bundle at $bundle" >&2
        fi

        step "data disk"
        """
            .formatted(guestBundleDir, GuestFiles.nerdctlToml().strip(), BUNDLE_HOME, STEP_PREFIX));
    for (String[] m : BIND_MOUNTS) {
      String from = dataDir + "/" + m[0];
      s.append("if mountpoint -q '")
          .append(dataDir)
          .append("' && ! mountpoint -q '")
          .append(m[1])
          .append("'; then\n  mkdir -p '")
          .append(from)
          .append("' '")
          .append(m[1])
          .append("'\n")
          .append("  if has_systemd; then systemctl stop containerd 2>/dev/null || true; fi\n")
          .append("  mount --bind '")
          .append(from)
          .append("' '")
          .append(m[1])
          .append("'\n")
          .append("  restart_containerd=1\nfi\n");
    }
    if (config.sociEnabled()) {
      s.append(sociSection());
    }
    s.append(
        """

        step "containerd"
        if has_systemd; then
          if [ "$restart_containerd" = 1 ]; then systemctl daemon-reload; fi
          # started here on every boot, after the data disk's bind mounts: left enabled, systemd would
          # first start it (and the daemon) on the root disk at boot, only for this step to restart both
          if systemctl is-enabled containerd >/dev/null 2>&1; then systemctl disable containerd >/dev/null 2>&1 || true; fi
          if [ "$restart_containerd" = 1 ]; then systemctl restart containerd; else systemctl start containerd; fi
          if systemctl list-unit-files buildkit.service >/dev/null 2>&1; then systemctl start buildkit || true; fi
        else
          if [ "$restart_containerd" = 1 ]; then pkill -x containerd || true; sleep 1; fi
          pgrep -x containerd >/dev/null || (nohup containerd >/var/log/containerd.log 2>&1 &)
          if command -v buildkitd >/dev/null; then pgrep -x buildkitd >/dev/null || (nohup buildkitd >/var/log/buildkitd.log 2>&1 &); fi
        fi
        step "done"
        """);
    return s.toString();
  }

  private static String sociSection() {
    return """

        step "soci snapshotter"
        share=%1$s
        if ! [ -x %2$s ] || ! [ -d "$share" ]; then
          echo "finch-provision: soci is listed in snapshotters, but the guest bundle provides no %2$s" >&2
          exit 1
        fi
        # the daemon's config is the user's once written (registries, mirrors): never overwritten
        if ! [ -e %3$s ]; then install_file "$share/config.toml" %3$s >/dev/null; restart_soci=1; fi
        [ -z "$(install_file "$share/soci-snapshotter.service" %4$s)" ] || { restart_soci=1; restart_containerd=1; }
        if ! grep -qs 'proxy_plugins.soci' %5$s; then
          { echo; cat "$share/containerd-soci.toml"; } >> %5$s
          restart_containerd=1
        fi
        if has_systemd; then
          if [ "${restart_soci:-0}" = 1 ]; then systemctl daemon-reload; fi
          if systemctl is-enabled soci-snapshotter >/dev/null 2>&1; then systemctl disable soci-snapshotter >/dev/null 2>&1 || true; fi
          if [ "${restart_soci:-0}" = 1 ]; then systemctl restart soci-snapshotter; else systemctl start soci-snapshotter; fi
        elif ! [ -S %6$s ]; then
          (nohup %2$s --address %6$s --config %3$s --root %7$s >/var/log/soci-snapshotter.log 2>&1 &)
        fi
        """
        .formatted(
            BUNDLE_SHARE,
            GuestFiles.SOCI_DAEMON,
            GuestFiles.SOCI_CONFIG,
            GuestFiles.SOCI_UNIT,
            GuestFiles.CONTAINERD_CONFIG,
            GuestFiles.SOCI_SOCKET,
            GuestFiles.SOCI_ROOT);
  }
}
