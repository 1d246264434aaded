package dev.ferry.demo.group;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo's Ferry JVMs get the launcher's native heap trimming only from a JDK that knows the flag. */
class FerryProcessFlagsTest {
    private static java.util.List<String> trim(String version) {
        return FerryProcess.trimFlags(Runtime.Version.parse(version));
    }

    @Test
    void trimmingWhereTheJdkHasItUnlockedWhereItWasExperimental() {
        assertThat(trim("17.0.8")).isEmpty();
        assertThat(trim("17")).isEmpty();
        assertThat(trim("17.0.9")).containsExactly("-XX:+UnlockExperimentalVMOptions", FerryProcess.TRIM);
        assertThat(trim("17.0.15+6")).containsExactly("-XX:+UnlockExperimentalVMOptions", FerryProcess.TRIM);
        assertThat(trim("18.0.2")).isEmpty();
        assertThat(trim("21")).isEmpty();
        assertThat(trim("21.0.1")).containsExactly("-XX:+UnlockExperimentalVMOptions", FerryProcess.TRIM);
        assertThat(trim("25.0.3")).containsExactly(FerryProcess.TRIM);
    }

    @Test
    void theCommandRunsOnThisJdk() {
        assertThat(FerryProcess.commandOf(Object.class)).containsAll(FerryProcess.trimFlags(Runtime.version()));
    }
}
