package dev.stingray.common.version;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StingrayVersionTest {

    @Test
    void theBuildFillsInTheVersion() {
        assertThat(StingrayVersion.current()).isNotBlank().doesNotContain("${").isNotEqualTo("unknown");
    }

    @Test
    void aMismatchNamesBothVersionsAndTheFix() {
        assertThat(StingrayVersion.mismatch("0.1.0", "0.2.0", "ray://head:10001")).hasValueSatisfying(m -> assertThat(m)
                .contains("0.1.0").contains("0.2.0").contains("ray://head:10001").contains("dev.stingray:stingray-runtime:0.2.0"));
        assertThat(StingrayVersion.mismatch("0.1.0", "0.1.0", "x")).isEmpty();
        assertThat(StingrayVersion.mismatch("", "0.1.0", "x")).isEmpty();
    }
}
