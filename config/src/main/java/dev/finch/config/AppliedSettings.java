package dev.finch.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The finch.yaml values a VM was last configured with. Some keys only take effect on {@code vm
 * start} (they are rewritten into Lima's override.yaml) and some only on {@code vm init} (the VM
 * type cannot change under a disk image); remembering what was applied lets finch tell the user
 * which edits are still pending instead of silently ignoring them.
 *
 * @param values key to canonical value
 */
public record AppliedSettings(Map<String, String> values) {
  private static final List<String> RESTART_KEYS =
      List.of(
          "cpus",
          "memory",
          "additional_directories",
          "bootdisk",
          "datadisk",
          "snapshotters",
          "creds_helpers");
  private static final List<String> INIT_KEYS =
      List.of("vmType", "rosetta", "experimental.mountInotify", "vmnet");

  public AppliedSettings {
    values = Map.copyOf(values);
  }

  /** The VM-affecting values of {@code config}. */
  public static AppliedSettings of(FinchConfig c) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("cpus", Integer.toString(c.cpus()));
    v.put("memory", c.memory().toString());
    v.put("additional_directories", c.additionalDirectories().toString());
    v.put("bootdisk", c.bootdisk().toString());
    v.put("datadisk", c.datadisk().toString());
    v.put("snapshotters", c.snapshotters().toString());
    v.put("creds_helpers", c.credsHelpers().toString());
    v.put("vmType", c.vmType().orElse(""));
    v.put("rosetta", Boolean.toString(c.rosetta()));
    v.put("experimental.mountInotify", Boolean.toString(c.mountInotify()));
    v.put("vmnet", Boolean.toString(c.vmnet()));
    return new AppliedSettings(v);
  }

  /** Keeps the init-only values of {@code this} and takes the restart values of {@code c}. */
  public AppliedSettings restartedWith(FinchConfig c) {
    Map<String, String> v = new LinkedHashMap<>(of(c).values);
    for (String k : INIT_KEYS) {
      if (values.containsKey(k)) {
        v.put(k, values.get(k));
      }
    }
    return new AppliedSettings(v);
  }

  /** Keys whose value in {@code current} differs from the applied one, in a stable order. */
  public List<PendingChange> pending(FinchConfig current) {
    Map<String, String> now = of(current).values;
    List<PendingChange> out = new ArrayList<>();
    for (String k : RESTART_KEYS) {
      diff(k, now, PendingChange.Activation.RESTART, out);
    }
    for (String k : INIT_KEYS) {
      diff(k, now, PendingChange.Activation.REINIT, out);
    }
    return out;
  }

  private void diff(
      String k, Map<String, String> now, PendingChange.Activation a, List<PendingChange> out) {
    String was = values.get(k);
    if (was != null && !was.equals(now.get(k))) {
      out.add(new PendingChange(k, was, now.get(k), a));
    }
  }

  /** Reads settings saved by {@link #write}; empty when the VM never recorded any. */
  public static Optional<AppliedSettings> read(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Map<String, String> v = new LinkedHashMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("#")) {
        v.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return Optional.of(new AppliedSettings(v));
  }

  /** Saves the settings, one {@code key=value} a line. */
  public void write(Path file) throws IOException {
    StringBuilder b = new StringBuilder("# finch.yaml values the VM was last configured with\n");
    new java.util.TreeMap<>(values)
        .forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
  }
}
