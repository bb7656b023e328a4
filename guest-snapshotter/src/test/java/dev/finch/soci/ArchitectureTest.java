package dev.finch.soci;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules the package-info files state, checked on the guest code's production classes so that a
 * change breaking one fails {@code ./mvnw verify}. Each rule's {@code because} says why it exists.
 */
class ArchitectureTest {
  private static final String ROOT = "dev.finch.soci";
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  private static void check(ArchRule rule) {
    rule.check(classes);
  }

  @Test
  void packagesHaveNoCycles() {
    check(
        slices()
            .matching(ROOT + ".(**)")
            .should()
            .beFreeOfCycles()
            .because("every package must be readable and testable without the ones that use it"));
  }

  @Test
  void onlyTheCliAndItsHostsImportTheCli() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackages(ROOT + ".cli..", ROOT + ".handoff..", ROOT + ".training..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + ".cli..")
            .because(
                "the snapshotter, the daemon and the libraries never depend on the soci command"
                    + " line; only the handoff (which runs handed-off rpulls inside the daemon) and"
                    + " the build-time training run it"));
  }

  @Test
  void onlySysBindsNativeCode() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage(ROOT + ".sys..")
            .should()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.lang.foreign.Linker")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.lang.foreign.SymbolLookup")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("java.lang.foreign.FunctionDescriptor")
            .because("every FFM binding (libc, libz, libcrypto, libfuse) lives in sys"));
  }

  @Test
  void onlyTheServiceBuildsGrpcStatus() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage(ROOT + ".service..")
            .should()
            .callCodeUnitWhere(createsGrpcStatus())
            .because(
                "the Snapshots service adapter is the one place error kinds become gRPC codes"));
  }

  @Test
  void generatedProtosStayAtTheGrpcEdges() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackages(
                ROOT + ".grpc.api..", ROOT + ".containerd..", ROOT + ".service..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + ".grpc.api..")
            .because(
                "the containerd client and the Snapshots service translate protobuf messages into"
                    + " domain records; nothing else sees them"));
  }

  @Test
  void flatBuffersStayInsideZtoc() {
    check(
        noClasses()
            .that()
            .resideOutsideOfPackage(ROOT + ".ztoc..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + ".ztoc.fbs..")
            .because("domain code sees zTOC records, never FlatBuffers accessors"));
  }

  @Test
  void theSnapshotApiDoesNotKnowItsImplementation() {
    check(
        noClasses()
            .that()
            .resideInAPackage(ROOT + ".snapshot")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + ".snapshot.overlay..")
            .because(
                "snapshot is the API that the overlay snapshotter and the gRPC service share"));
  }

  @Test
  void theLazyPluginDoesNotDependOnItsHost() {
    check(
        noClasses()
            .that()
            .resideInAPackage(ROOT + ".lazy..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + ".daemon..")
            .because("the plug-in sees the daemon only through the spi package"));
  }

  @Test
  void onlyTheDaemonWiringAssemblesTheComponents() {
    check(
        noClasses()
            .that()
            .doNotHaveFullyQualifiedName(ROOT + ".daemon.Wiring")
            .and()
            .doNotImplement(ROOT + ".spi.RemotePreparerFactory")
            .should()
            .callCodeUnitWhere(assemblesAComponent())
            .because(
                "daemon.Wiring is the one place the daemon's object graph is built (a plug-in's"
                    + " factory, which Wiring calls, builds the plug-in's own part)"));
  }

  @Test
  void theDaemonFindsItsPluginsWithoutNamingThem() {
    check(
        noClasses()
            .that()
            .resideInAPackage(ROOT + ".daemon..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                ROOT + ".lazy..", ROOT + ".cli..", ROOT + ".handoff..", ROOT + ".training..")
            .because(
                "the lazy loader and the rpull handoff plug in through ServiceLoader and spi"));
  }

  @Test
  void onlyTheProcessSeamStartsProcesses() {
    check(
        noClasses()
            .should()
            .dependOnClassesThat()
            .haveFullyQualifiedName(ProcessBuilder.class.getName())
            .because("every child process goes through dev.finch.process.CommandRunner"));
  }

  /** A call that builds one of the daemon's components from outside that component's own class. */
  private static DescribedPredicate<JavaCall<?>> assemblesAComponent() {
    List<String> components =
        List.of(
            ROOT + ".snapshot.Snapshotter",
            ROOT + ".snapshot.RemotePreparer",
            "io.grpc.BindableService",
            ROOT + ".daemon.MetricsServer",
            ROOT + ".daemon.UnixSocketServer",
            ROOT + ".daemon.DaemonMetrics");
    return DescribedPredicate.describe(
        "a constructor or static factory of a daemon component (" + components + ")",
        call -> {
          JavaCodeUnit target = call.getTarget().resolveMember().orElse(null);
          if (target == null) {
            return false;
          }
          JavaClass owner = target.getOwner();
          if (owner.isInterface() || call.getOriginOwner().isAssignableTo(owner.getName())) {
            return false; // an interface's null object, or a subclass calling its super constructor
          }
          boolean component = components.stream().anyMatch(owner::isAssignableTo);
          boolean builds =
              target.isConstructor()
                  || (target
                          .getModifiers()
                          .contains(com.tngtech.archunit.core.domain.JavaModifier.STATIC)
                      && target.getRawReturnType().equals(owner));
          return component && builds && !call.getOriginOwner().equals(owner);
        });
  }

  private static DescribedPredicate<JavaCall<?>> createsGrpcStatus() {
    return DescribedPredicate.describe(
        "a method that makes an io.grpc.Status from an error (a code and a description)",
        call ->
            call.getTargetOwner().isEquivalentTo(io.grpc.Status.class)
                && List.of("fromCode", "fromCodeValue", "withDescription", "augmentDescription")
                    .contains(call.getName()));
  }
}
