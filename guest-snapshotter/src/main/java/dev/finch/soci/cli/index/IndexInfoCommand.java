package dev.finch.soci.cli.index;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finch.soci.cli.GlobalOptions;
import dev.finch.soci.cli.SociContext;
import dev.finch.soci.index.SociIndex;
import dev.finch.soci.oci.Digest;
import dev.finch.soci.oci.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code soci index info DIGEST}: the index manifest, pretty-printed. */
@Command(name = "info", description = "Show a SOCI index manifest", mixinStandardHelpOptions = true)
final class IndexInfoCommand implements Callable<Integer> {
  GlobalOptions global;

  @Parameters(paramLabel = "DIGEST", description = "digest of the SOCI index")
  String digest;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    global = GlobalOptions.of(spec);
    Digest d = SociContext.parseDigest(digest);
    try (SociContext ctx = new SociContext(global)) {
      byte[] bytes =
          ctx.readAll(
              d,
              "SOCI index " + d + " not found in the " + global.contentStore() + " content store");
      SociIndex.parse(bytes);
      JsonNode tree = Json.MAPPER.readTree(bytes);
      spec.commandLine().getOut().println(Json.pretty(tree));
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
