package dev.finch.soci.cli.index;

import dev.finch.soci.cli.GlobalOptions;
import dev.finch.soci.cli.SociContext;
import dev.finch.soci.cli.SociException;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.store.ArtifactEntry;
import dev.finch.soci.store.ArtifactType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code soci index rm DIGEST...}: forget indexes and delete their manifests from the content
 * store.
 */
@Command(
    name = "remove",
    aliases = "rm",
    description = "Remove SOCI indexes (by digest, or all indexes of --ref)",
    mixinStandardHelpOptions = true)
final class IndexRemoveCommand implements Callable<Integer> {
  GlobalOptions global;

  @Option(names = "--ref", description = "remove every index created for this image reference")
  String ref;

  @Parameters(paramLabel = "DIGEST", arity = "0..*", description = "index digests")
  List<String> digests = new ArrayList<>();

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    if (digests.isEmpty() && ref == null) {
      throw new SociException("soci index rm: give one or more index digests, or --ref IMAGE");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (SociContext ctx = new SociContext(global)) {
      List<Digest> targets = new ArrayList<>();
      for (String s : digests) {
        targets.add(SociContext.parseDigest(s));
      }
      if (ref != null) {
        for (ArtifactEntry e :
            ctx.db()
                .find(
                    x ->
                        x.type() == ArtifactType.SOCI_INDEX
                            && IndexListCommand.matchesRef(ref, x.imageRef()))) {
          targets.add(e.digest());
        }
      }
      int missing = 0;
      for (Digest d : targets) {
        int n = ctx.db().remove(e -> e.type() == ArtifactType.SOCI_INDEX && e.digest().equals(d));
        if (n == 0) {
          spec.commandLine().getErr().println("soci: index " + d + " not found");
          missing++;
          continue;
        }
        ctx.store().delete(d);
        out.println(d);
      }
      out.flush();
      return missing == 0 ? 0 : 1;
    }
  }
}
