package dev.finch.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host side's rules (finch CLI, VM manager, nerdctl bridge, config, process seam), checked on
 * production classes. The guest snapshotter has its own, {@code dev.finch.soci.ArchitectureTest}.
 */
class HostArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.finch");
  }

  @Test
  void packagesHaveNoCycles() {
    slices()
        .matching("dev.finch.(**)")
        .should()
        .beFreeOfCycles()
        .because("each module's packages build on the ones below them, never back")
        .check(classes);
  }

  @Test
  void onlyTheProcessSeamStartsProcesses() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName("dev.finch.process.ProcessCommandRunner")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(ProcessBuilder.class.getName())
        .because("every child process goes through CommandRunner, so tests can check each argv")
        .check(classes);
  }

  @Test
  void theLowerModulesNeverImportTheCli() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.finch.vm..",
            "dev.finch.bridge..",
            "dev.finch.config..",
            "dev.finch.process..",
            "dev.finch.terminal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.finch.cli..")
        .because("the VM manager, the bridge and the config are libraries the CLI drives")
        .check(classes);
  }
}
