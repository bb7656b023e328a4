package dev.finch.config;

import java.util.List;

/**
 * The root shell script that turns a fresh Linux guest (Lima VM or WSL distro) into a finch
 * guest: containerd, runc and nerdctl (from nerdctl-full), a JRE and our guest bundle, data
 * directories bind-mounted from the persistent data disk, and, when {@code soci} is listed in
 * {@code snapshotters}, our snapshotter daemon registered as a containerd proxy plugin.
 *
 * <p>Lima runs provisioning scripts on every boot and WSL has no provisioning of its own, so the
 * script is idempotent: each step checks before it acts, and containerd is restarted only when
 * its config or mounts changed.
 *
 * @param config the effective finch.yaml
 * @param guestBundleDir guest path where the host's guest bundle directory is visible
 * @param dataDir guest mount point of the persistent data disk
 */
public record GuestProvisioning(FinchConfig config, String guestBundleDir, String dataDir) {
  /** nerdctl-full release installed in the guest; Finch 1.18 ships the same nerdctl. */
  public static final String NERDCTL_VERSION = "2.2.2";
  /** Java feature release of the JRE the guest bundle runs on. */
  public static final int JRE_FEATURE = 25;
  /** First line of the script's own header; Lima shows it in its logs. */
  public static final String HEADER = "# finch guest provisioning";

  /** Directories under the data disk bind-mounted over the guest's state directories. */
  static final List<String[]> BIND_MOUNTS = List.of(
      new String[] {"containerd", "/var/lib/containerd"},
      new String[] {"nerdctl", "/var/lib/nerdctl"},
      new String[] {"buildkit", "/var/lib/buildkit"},
      new String[] {"soci-snapshotter-grpc", GuestFiles.SOCI_ROOT});

  /** The complete script. */
  public String script() {
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/bash\n").append(HEADER).append('\n');
    s.append("""
        set -eu -o pipefail
        restart_containerd=0
        has_systemd() { [ -d /run/systemd/system ]; }
        case "$(uname -m)" in aarch64|arm64) goarch=arm64; jarch=aarch64 ;; *) goarch=amd64; jarch=x64 ;; esac

        # containerd, runc, nerdctl, BuildKit and CNI plugins from the nerdctl-full archive
        if ! [ -x /usr/local/bin/nerdctl ]; then
          url="https://github.com/containerd/nerdctl/releases/download/v%1$s/nerdctl-full-%1$s-linux-${goarch}.tar.gz"
          curl -fsSL --retry 5 "$url" -o /tmp/nerdctl-full.tgz
          tar -C /usr/local -xzf /tmp/nerdctl-full.tgz
          rm -f /tmp/nerdctl-full.tgz
        fi
        mkdir -p /etc/nerdctl /etc/containerd
        grep -qs '^namespace' /etc/nerdctl/nerdctl.toml || echo '%2$s' >> /etc/nerdctl/nerdctl.toml

        # a JRE for the guest bundle (soci, soci-snapshotter-grpc)
        if ! [ -x /opt/finch/jre/bin/java ]; then
          mkdir -p /opt/finch/jre
          curl -fsSL --retry 5 "https://api.adoptium.net/v3/binary/latest/%3$d/ga/linux/${jarch}/jre/hotspot/normal/eclipse" -o /tmp/jre.tgz
          tar -C /opt/finch/jre --strip-components=1 -xzf /tmp/jre.tgz
          rm -f /tmp/jre.tgz
        fi
        command -v java >/dev/null || ln -sf /opt/finch/jre/bin/java /usr/local/bin/java

        """.formatted(NERDCTL_VERSION, GuestFiles.nerdctlToml().strip(), JRE_FEATURE));
    s.append("""
        # our guest bundle, re-extracted whenever the host's copy changes
        bundle="%1$s/finch-guest.tar.gz"
        if [ -f "$bundle" ]; then
          sum="$(sha256sum "$bundle" | cut -d' ' -f1)"
          if [ "$(cat /usr/local/lib/finch-guest/.sha256 2>/dev/null || true)" != "$sum" ]; then
            rm -rf /usr/local/lib/finch-guest && mkdir -p /usr/local/lib/finch-guest
            tar -C /usr/local/lib/finch-guest -xzf "$bundle"
            echo "$sum" > /usr/local/lib/finch-guest/.sha256
            for b in /usr/local/lib/finch-guest/bin/*; do ln -sf "$b" /usr/local/bin/; done
          fi
        fi

        # state on the persistent data disk, so images survive `finch vm remove`
        """.formatted(guestBundleDir));
    for (String[] m : BIND_MOUNTS) {
      String from = dataDir + "/" + m[0];
      s.append("if mountpoint -q '").append(dataDir).append("' && ! mountpoint -q '").append(m[1])
          .append("'; then\n  mkdir -p '").append(from).append("' '").append(m[1]).append("'\n")
          .append("  if has_systemd; then systemctl stop containerd 2>/dev/null || true; fi\n")
          .append("  mount --bind '").append(from).append("' '").append(m[1]).append("'\n")
          .append("  restart_containerd=1\nfi\n");
    }
    if (config.sociEnabled()) {
      s.append(sociSection());
    }
    s.append("""

        # start (or restart) containerd and BuildKit
        if has_systemd; then
          systemctl daemon-reload
          systemctl enable containerd buildkit >/dev/null 2>&1 || true
          if [ "$restart_containerd" = 1 ]; then systemctl restart containerd; else systemctl start containerd; fi
          systemctl start buildkit || true
        else
          if [ "$restart_containerd" = 1 ]; then pkill -x containerd || true; sleep 1; fi
          pgrep -x containerd >/dev/null || (nohup /usr/local/bin/containerd >/var/log/containerd.log 2>&1 &)
          pgrep -x buildkitd >/dev/null || (nohup /usr/local/bin/buildkitd >/var/log/buildkitd.log 2>&1 &)
        fi
        """);
    return s.toString();
  }

  private static String sociSection() {
    return """

        # SOCI snapshotter: our daemon as a containerd proxy plugin
        mkdir -p "$(dirname %1$s)" "$(dirname %2$s)"
        cat > %1$s <<'FINCH_EOF'
        %3$sFINCH_EOF
        cat > %2$s <<'FINCH_EOF'
        %4$sFINCH_EOF
        if ! grep -qs 'proxy_plugins.soci' %5$s; then
          cat >> %5$s <<'FINCH_EOF'
        %6$sFINCH_EOF
          restart_containerd=1
        fi
        if ! [ -x %8$s ]; then
          echo "finch: soci is listed in snapshotters, but the guest bundle has no %8$s" >&2
        elif has_systemd; then
          systemctl daemon-reload
          systemctl enable --now soci-snapshotter.service
        elif ! [ -S %7$s ]; then
          (nohup %8$s --address %7$s --config %1$s --root %9$s >/var/log/soci-snapshotter.log 2>&1 &)
        fi
        """.formatted(GuestFiles.SOCI_CONFIG, GuestFiles.SOCI_UNIT, GuestFiles.sociConfig(),
            GuestFiles.sociSystemdUnit(), GuestFiles.CONTAINERD_CONFIG,
            GuestFiles.containerdProxyPlugin(), GuestFiles.SOCI_SOCKET, GuestFiles.SOCI_DAEMON,
            GuestFiles.SOCI_ROOT);
  }
}
