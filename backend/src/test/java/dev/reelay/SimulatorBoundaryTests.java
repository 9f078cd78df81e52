package dev.reelay;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The simulator can be left out of a build: no other class of the application refers to it. Providers reach it
 * over HTTP, through {@code provider.BuiltInSimulator} (an address and a key), which it implements.
 */
class SimulatorBoundaryTests {

	private final JavaClasses application = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.reelay");

	@Test
	void nothingOutsideTheSimulatorDependsOnIt() {
		noClasses().that()
			.resideOutsideOfPackage("dev.reelay.simulator..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.reelay.simulator..")
			.check(this.application);
	}

}
