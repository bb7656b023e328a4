package dev.finch.soci;

import dev.finch.soci.daemon.DaemonFuzzTargets;
import dev.finch.soci.index.IndexFuzzTargets;
import dev.finch.soci.lazy.mount.MountFuzzTargets;
import dev.finch.soci.registry.RegistryFuzzTargets;
import dev.finch.soci.registry.auth.AuthFuzzTargets;
import dev.finch.soci.ztoc.ZtocFuzzTargets;
import dev.finch.testkit.fuzz.FuzzTarget;
import dev.finch.testkit.fuzz.Fuzzer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every parser of untrusted input in the guest, fuzzed for {@code -Dfuzz.seconds} each (a smoke by
 * default, longer in {@code make fuzz}): each must give a value or its typed error (see {@link
 * Fuzzer}). The targets live next to their parsers' tests.
 */
class ParserFuzzTest {
  @TempDir Path scratch;

  @TestFactory
  Stream<DynamicTest> everyParserGivesAValueOrItsTypedError() {
    List<FuzzTarget> targets = new ArrayList<>();
    targets.addAll(MountFuzzTargets.all());
    targets.addAll(ZtocFuzzTargets.all());
    targets.addAll(IndexFuzzTargets.all());
    targets.addAll(RegistryFuzzTargets.all());
    targets.addAll(AuthFuzzTargets.all(scratch));
    targets.addAll(DaemonFuzzTargets.all());
    return targets.stream()
        .map(t -> DynamicTest.dynamicTest(t.name(), () -> Fuzzer.assertNoFindings(Fuzzer.run(t))));
  }
}
