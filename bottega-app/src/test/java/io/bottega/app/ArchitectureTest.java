package io.bottega.app;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The module rules of DESIGN.md, checked on the production classes of every module: arrows point one way
 * (core ← sim ← cli; core ← server → api; agent → api; api → nothing), nobody but the app depends on the
 * server or the agent, and the core is pure — no I/O, no threads, no clock.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.bottega");
    }

    private static void check(ArchRule rule) { rule.check(classes); }

    @Test
    void core_dependsOnNoOtherModule() {
        check(noClasses().that().resideInAPackage("io.bottega.core..").should().dependOnClassesThat()
                .resideInAnyPackage("io.bottega.sim..", "io.bottega.api..", "io.bottega.server..", "io.bottega.agent..",
                        "io.bottega.cli..", "io.bottega.app.."));
    }

    @Test
    void core_isPure() {
        check(noClasses().that().resideInAPackage("io.bottega.core..").should().dependOnClassesThat()
                .resideInAnyPackage("java.io..", "java.nio.file..", "java.net..", "java.util.concurrent..", "java.sql..")
                .because("the scheduling core does no I/O and starts no thread"));
        check(noClasses().that().resideInAPackage("io.bottega.core..").should().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime").orShould().callMethod(Thread.class, "sleep", long.class)
                .because("the scheduling core never reads a clock: 'now' is an argument"));
        check(noClasses().that().resideInAPackage("io.bottega.core..").should().dependOnClassesThat()
                .haveFullyQualifiedName("java.time.Clock"));
    }

    @Test
    void sim_dependsOnCoreOnly() {
        check(noClasses().that().resideInAPackage("io.bottega.sim..").should().dependOnClassesThat()
                .resideInAnyPackage("io.bottega.api..", "io.bottega.server..", "io.bottega.agent..", "io.bottega.cli..",
                        "io.bottega.app.."));
    }

    @Test
    void api_dependsOnNothing() {
        check(noClasses().that().resideInAPackage("io.bottega.api..").should().dependOnClassesThat()
                .resideInAnyPackage("io.bottega.core..", "io.bottega.sim..", "io.bottega.server..", "io.bottega.agent..",
                        "io.bottega.cli..", "io.bottega.app.."));
    }

    @Test
    void server_dependsOnCoreAndApiOnly() {
        check(noClasses().that().resideInAPackage("io.bottega.server..").should().dependOnClassesThat()
                .resideInAnyPackage("io.bottega.sim..", "io.bottega.agent..", "io.bottega.cli..", "io.bottega.app.."));
    }

    @Test
    void agent_dependsOnApiOnly() {
        check(noClasses().that().resideInAPackage("io.bottega.agent..").should().dependOnClassesThat()
                .resideInAnyPackage("io.bottega.core..", "io.bottega.sim..", "io.bottega.server..", "io.bottega.cli..",
                        "io.bottega.app.."));
    }

    @Test
    void cli_dependsOnApiAndSimOnly() {
        check(noClasses().that().resideInAPackage("io.bottega.cli..").should().dependOnClassesThat()
                .resideInAnyPackage("io.bottega.server..", "io.bottega.agent..", "io.bottega.app.."));
    }
}
