package dev.finch.bridge;

import dev.finch.process.CommandFailedException;
import dev.finch.process.CommandResult;
import dev.finch.process.CommandRunner;
import dev.finch.process.CommandSpec;
import dev.finch.process.Log;
import dev.finch.vm.GuestShell;
import dev.finch.vm.NativeGuest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The engine for a guest without nerdctl (a Linux host, or a QEMU guest built from Debian packages,
 * which have no nerdctl): pull, run, images, tag, rmi and push mapped onto containerd's {@code ctr}
 * and our {@code soci} (lazy pulls with {@code soci image rpull}, index build and push with {@code
 * soci create} / {@code soci push}). Anything else, or a flag these tools cannot honour, is refused
 * with one line naming what is missing, never approximated.
 *
 * @param runner the process seam
 * @param shell where the commands run: the host itself ({@link NativeGuest}) or a VM
 * @param bins where ctr and soci are found on a native host (a VM has them on its PATH)
 * @param hostCwd the user's working directory
 * @param log where warnings go
 */
public record CtrSociEngine(
    CommandRunner runner, GuestShell shell, BinaryLocator bins, Path hostCwd, Log log)
    implements GuestEngine {
  static final String SUPPORTED = "pull, run, images, tag, rmi, push";
  static final String RUN_FLAGS = "--rm, -d, -e, -i, -t, --name, -v";

  @Override
  public int execute(Translation translation, PrintWriter out, PrintWriter err)
      throws BridgeException {
    NerdctlCall call = translation.call();
    String cmd =
        switch (call.key()) {
          case "pull", "image pull" -> "pull";
          case "container run" -> "run";
          case "images", "image ls", "image list" -> "images";
          case "tag", "image tag" -> "tag";
          case "rmi", "image rm" -> "rmi";
          case "push", "image push" -> "push";
          default ->
              throw new BridgeException(
                  "finch "
                      + call.key()
                      + ": needs nerdctl, which is not installed; supported without it: "
                      + SUPPORTED);
        };
    if (translation instanceof Translation.Plain p && p.help()) {
      out.println(
          "finch "
              + cmd
              + " runs on containerd's ctr and soci here (nerdctl is not "
              + "installed); run flags supported: "
              + RUN_FLAGS);
      out.flush();
      return 0;
    }
    return switch (translation) {
      case Translation.SociPush p ->
          SociSteps.run(
              p,
              soci(),
              sociGlobals(call),
              ImageRefs.normalize(p.ref()),
              this::spec,
              () -> push(call, p.ref()),
              runner,
              out,
              err);
      case Translation.Plain p ->
          switch (cmd) {
            case "pull" -> pull(call, positional(call, "pull", 1).getFirst());
            case "run" -> run(call);
            case "images" -> images(call, out, err);
            case "tag" -> {
              List<String> refs = positional(call, "tag", 2);
              yield interactive(
                  ctr(
                      call,
                      "images",
                      "tag",
                      ImageRefs.normalize(refs.get(0)),
                      ImageRefs.normalize(refs.get(1))));
            }
            case "rmi" -> rmi(call, err);
            default -> push(call, positional(call, "push", 1).getFirst());
          };
    };
  }

  private String ctrPath() throws BridgeException {
    if (shell.isVm()) {
      return "ctr";
    }
    return bins.find("ctr")
        .map(Path::toString)
        .orElseThrow(
            () ->
                new BridgeException(
                    "finch needs nerdctl or containerd's ctr, and neither is installed"));
  }

  private String soci() throws BridgeException {
    if (shell.isVm()) {
      return "soci";
    }
    return bins.find("soci")
        .map(Path::toString)
        .orElseThrow(
            () ->
                new BridgeException(
                    "the soci snapshotter needs soci, which was not found on PATH or next to"
                        + " finch"));
  }

  private List<String> ctr(NerdctlCall call, String... args) throws BridgeException {
    List<String> a = new ArrayList<>(List.of(ctrPath()));
    call.global("--address").ifPresent(addr -> a.addAll(List.of("--address", addr)));
    a.addAll(List.of("--namespace", SociSteps.NAMESPACE));
    a.addAll(List.of(args));
    return a;
  }

  private static List<String> sociGlobals(NerdctlCall call) {
    return call.global("--address").map(a -> List.of("--address", a)).orElse(List.of());
  }

  private boolean insecure(NerdctlCall call) {
    return call.hasGlobal("--insecure-registry") || call.args().contains("--insecure-registry");
  }

  private String snapshotter(NerdctlCall call) {
    String s = ArgTranslator.snapshotterOf(call);
    return s.isEmpty() ? "overlayfs" : s;
  }

  /** Positional arguments of a command with no flags beyond the ones the engine honours. */
  private static List<String> positional(NerdctlCall call, String cmd, int count)
      throws BridgeException {
    List<String> refs = new ArrayList<>();
    List<String> a = call.args();
    for (int i = 0; i < a.size(); i++) {
      String t = a.get(i);
      if (t.equals("--snapshotter") || t.equals("--platform")) {
        i++;
      } else if (t.startsWith("-")) {
        if (!t.startsWith("--snapshotter=")
            && !t.startsWith("--platform=")
            && !t.equals("--insecure-registry")
            && !t.equals("-q")
            && !t.equals("--quiet")
            && !t.equals("-f")
            && !t.equals("--force")) {
          throw missing(cmd + " " + t);
        }
      } else {
        refs.add(t);
      }
    }
    if (refs.size() != count) {
      throw new BridgeException(
          "\"finch "
              + cmd
              + "\" requires exactly "
              + count
              + (count == 1 ? " argument" : " arguments"));
    }
    return refs;
  }

  private static Optional<String> platform(NerdctlCall call) {
    List<String> a = call.args();
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).equals("--platform") && i + 1 < a.size()) {
        return Optional.of(a.get(i + 1));
      }
      if (a.get(i).startsWith("--platform=")) {
        return Optional.of(a.get(i).substring("--platform=".length()));
      }
    }
    return Optional.empty();
  }

  private static void reject(List<String> args, Set<String> allowed, String cmd)
      throws BridgeException {
    for (String t : args) {
      if (t.startsWith("-") && !allowed.contains(t)) {
        throw missing(cmd + " " + t);
      }
    }
  }

  private static BridgeException missing(String what) {
    return new BridgeException(
        "finch "
            + what
            + ": needs nerdctl, which is not installed; "
            + "supported without it: "
            + SUPPORTED
            + " (run flags: "
            + RUN_FLAGS
            + ")");
  }

  private int pull(NerdctlCall call, String ref) throws BridgeException {
    String full = ImageRefs.normalize(ref);
    Optional<String> platform = platform(call);
    List<String> a;
    if (snapshotter(call).equals("soci")) {
      a = new ArrayList<>(List.of(soci()));
      a.addAll(sociGlobals(call));
      a.addAll(List.of("--namespace", SociSteps.NAMESPACE, "image", "rpull"));
    } else {
      a = ctr(call, "images", "pull", "--snapshotter", snapshotter(call));
    }
    if (insecure(call)) {
      a.add("--plain-http");
    }
    platform.ifPresent(p -> a.addAll(List.of("--platform", p)));
    a.add(full);
    return interactive(a);
  }

  private int push(NerdctlCall call, String ref) throws BridgeException {
    List<String> a = ctr(call, "images", "push");
    if (insecure(call)) {
      a.add("--plain-http");
    }
    platform(call).ifPresent(p -> a.addAll(List.of("--platform", p)));
    a.add(ImageRefs.normalize(ref));
    return interactive(a);
  }

  private int run(NerdctlCall call) throws BridgeException {
    List<String> flags = new ArrayList<>();
    String name = null;
    boolean rm = false;
    boolean detach = false;
    List<String> a = call.args();
    int i = 0;
    for (; i < a.size() && a.get(i).startsWith("-"); i++) {
      String t = a.get(i);
      String next = i + 1 < a.size() ? a.get(i + 1) : "";
      switch (t) {
        case "--rm" -> rm = true;
        case "-d", "--detach" -> detach = true;
        case "-t", "--tty" -> flags.add("--tty");
        case "-i", "--interactive" -> {}
        case "-e", "--env" -> {
          flags.addAll(List.of("--env", next));
          i++;
        }
        case "--name" -> {
          name = next;
          i++;
        }
        case "--snapshotter" -> i++; // read by snapshotter(call)
        case "-v", "--volume" -> {
          flags.addAll(List.of("--mount", bindMount(next)));
          i++;
        }
        default -> {
          if (t.startsWith("--name=")) {
            name = t.substring("--name=".length());
          } else if (!t.startsWith("--snapshotter=")) {
            throw missing("run " + t);
          }
        }
      }
    }
    if (i >= a.size()) {
      throw new BridgeException("\"finch run\" requires at least 1 argument: the image to run");
    }
    if (rm && detach) {
      throw missing("run -d with --rm");
    }
    String image = ImageRefs.normalize(a.get(i));
    CommandResult present = capture(ctr(call, "images", "ls", "-q", "name==" + image));
    if (present.out().isBlank()) {
      int pulled = pull(call, a.get(i));
      if (pulled != 0) {
        return pulled;
      }
    }
    List<String> argv = ctr(call, "run", "--snapshotter", snapshotter(call));
    if (rm) {
      argv.add("--rm");
    }
    if (detach) {
      argv.add("--detach");
    }
    argv.addAll(flags);
    argv.add(image);
    argv.add(
        name != null
            ? name
            : "finch-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4));
    argv.addAll(a.subList(i + 1, a.size()));
    return interactive(argv);
  }

  /** {@code /host:/ctr[:ro]} as a ctr bind mount; named volumes need nerdctl. */
  private static String bindMount(String v) throws BridgeException {
    String[] p = v.split(":");
    if (p.length < 2 || p.length > 3 || !p[0].startsWith("/")) {
      throw missing("run -v " + v + " (only /host/path:/container/path[:ro] bind mounts)");
    }
    String mode = p.length == 3 && p[2].equals("ro") ? "ro" : "rw";
    return "type=bind,src=" + p[0] + ",dst=" + p[1] + ",options=rbind:" + mode;
  }

  /**
   * {@code rmi} as nerdctl answers it: each argument is an image name or an image ID (a digest
   * prefix); the images found are removed, and an argument that names none, or an ID prefix that
   * names several images, is an error (exit 1, {@code no such image: X}), after the others are
   * removed. With {@code -f} a missing image is only a warning. {@code ctr images rm} alone would
   * warn and exit 0 for a missing name, so finch looks the names up first.
   */
  private int rmi(NerdctlCall call, PrintWriter err) throws BridgeException {
    reject(call.args(), Set.of("-f", "--force"), "rmi");
    boolean force = call.args().contains("-f") || call.args().contains("--force");
    List<String> requests = call.args().stream().filter(t -> !t.startsWith("-")).toList();
    if (requests.isEmpty()) {
      throw new BridgeException("\"finch rmi\" requires at least 1 argument");
    }
    CommandResult listed = capture(ctr(call, "images", "ls"));
    if (!listed.ok()) {
      err.print(listed.err());
      err.flush();
      return listed.exit();
    }
    List<CtrImageTable.Image> images = CtrImageTable.images(listed.out());
    List<String> remove = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String req : requests) {
      List<CtrImageTable.Image> found = matching(images, req);
      long digests = found.stream().map(CtrImageTable.Image::digest).distinct().count();
      if (found.isEmpty()) {
        (force ? warnings : errors).add("no such image: " + req);
      } else if (found.size() > 1 && !(force && digests == 1)) {
        errors.add("multiple IDs found with provided prefix: " + req);
      } else {
        found.stream()
            .map(CtrImageTable.Image::ref)
            .filter(r -> !remove.contains(r))
            .forEach(remove::add);
      }
    }
    int rc = 0;
    if (!remove.isEmpty()) {
      List<String> argv = ctr(call, "images", "rm");
      argv.addAll(remove);
      rc = interactive(argv);
    }
    warnings.forEach(log::warn);
    if (!errors.isEmpty()) {
      throw new BridgeException(String.join("; ", errors));
    }
    return rc;
  }

  /**
   * The images {@code req} names, as nerdctl's image walker finds them: by name (as given or
   * normalised) or by a prefix of the digest, with or without {@code sha256:}.
   */
  private static List<CtrImageTable.Image> matching(List<CtrImageTable.Image> images, String req) {
    String name = ImageRefs.normalize(req);
    return images.stream()
        .filter(
            i ->
                i.ref().equals(req)
                    || i.ref().equals(name)
                    || i.digest().startsWith("sha256:" + req)
                    || i.digest().startsWith(req))
        .toList();
  }

  private int images(NerdctlCall call, PrintWriter out, PrintWriter err) throws BridgeException {
    reject(call.args(), Set.of("-q", "--quiet"), "images");
    boolean quiet = call.args().contains("-q") || call.args().contains("--quiet");
    CommandResult r = capture(quiet ? ctr(call, "images", "ls", "-q") : ctr(call, "images", "ls"));
    if (!r.ok()) {
      err.print(r.err());
      err.flush();
      return r.exit();
    }
    out.print(quiet ? r.out() : CtrImageTable.reformat(r.out()));
    out.flush();
    return 0;
  }

  /** The command as the shell runs it (on the host in the user's directory, or in the VM). */
  private CommandSpec spec(List<String> argv) {
    return shell.command(argv, Map.of(), hostCwd);
  }

  private int interactive(List<String> argv) throws BridgeException {
    try {
      return runner.run(spec(argv).interactive()).exit();
    } catch (CommandFailedException e) {
      throw new BridgeException(e.getMessage(), e);
    }
  }

  private CommandResult capture(List<String> argv) throws BridgeException {
    try {
      return runner.run(
          spec(argv).withStdin(new CommandSpec.Stdin.Closed()).withIo(CommandSpec.Io.CAPTURE));
    } catch (CommandFailedException e) {
      throw new BridgeException(e.getMessage(), e);
    }
  }

  @Override
  public GuestVersions versions() throws BridgeException {
    CommandResult r = capture(List.of(ctrPath(), "version"));
    List<Component> server = new ArrayList<>();
    server.add(CtrImageTable.containerdVersion(r.out()));
    Optional<java.nio.file.Path> soci = bins.find("soci");
    if (soci.isPresent()) {
      server.add(NerdctlEngine.sociVersion(capture(List.of(soci.get().toString(), "--version"))));
    }
    return new GuestVersions(Optional.empty(), List.of(), server);
  }
}
