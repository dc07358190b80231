package dev.ssmauditor;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape DESIGN.md asks for, enforced. Plain JUnit tests calling {@code check} rather than
 * {@code @ArchTest} fields, so that Surefire counts and reports each rule.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ssmauditor");

    @Test
    void policyKnowsNothingOfAwsOrJson() {
        noClasses().that().resideInAPackage("..policy..")
                .should().dependOnClassesThat().resideInAnyPackage("software.amazon..", "com.amazonaws..", "com.fasterxml..")
                .check(CLASSES);
    }

    @Test
    void policyDependsOnNoOtherPackageOfOurs() {
        noClasses().that().resideInAPackage("..policy..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.ssmauditor.audit..", "dev.ssmauditor.alert..",
                        "dev.ssmauditor.sessions..", "dev.ssmauditor.config..", "dev.ssmauditor.handler..",
                        "dev.ssmauditor.cli..", "dev.ssmauditor.aws..")
                .check(CLASSES);
    }

    @Test
    void auditSeesNoSdkTypes() {
        noClasses().that().resideInAPackage("..audit..")
                .should().dependOnClassesThat().resideInAPackage("software.amazon..")
                .check(CLASSES);
    }

    @Test
    void theEventPathNeverTouchesTheSsmClient() {
        // The event function must not pay at cold start for a client it does not use: the event says all there is to
        // judge. Only ending sessions needs SSM, and EventPathTerminators builds its clients on first use.
        noClasses().that().resideInAnyPackage("..events..").or().haveSimpleNameStartingWith("StartSession")
                .or().haveSimpleName("AlertDispatch").or().haveSimpleName("Priming")
                .should().dependOnClassesThat().resideInAnyPackage("software.amazon.awssdk.services.ssm..")
                .orShould().dependOnClassesThat().haveSimpleName("AuditHandler")
                .orShould().dependOnClassesThat().haveSimpleName("SsmSessionSource")
                .check(CLASSES);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.ssmauditor.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void noStaticMutableState() {
        fields().that().areStatic().should().beFinal().check(CLASSES);
    }
}
