package dev.stingray.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class RayConfigTest {

    @Test
    void aSearchPathKeepsPackageUrisWhole() {
        assertThat(RayConfig.splitSearchPath("/opt/a.jar:gcs://_stingray_pkg_ab.zip;/opt/classes:gcs://_stingray_pkg_cd.zip"))
                .containsExactly("/opt/a.jar", "gcs://_stingray_pkg_ab.zip", "/opt/classes", "gcs://_stingray_pkg_cd.zip");
    }

    @Test
    void theDefaultCodeSearchPathIsTheClassPathAndIsNotMarkedGiven() {
        Properties props = new Properties();
        props.setProperty("java.class.path", "/a.jar:/b");
        RayConfig byDefault = RayConfig.from(props, Map.of());
        assertThat(byDefault.codeSearchPath()).containsExactly("/a.jar", "/b");
        assertThat(byDefault.codeSearchPathGiven()).isFalse();

        props.setProperty("ray.job.code-search-path", "/opt/job.jar");
        RayConfig given = RayConfig.from(props, Map.of());
        assertThat(given.codeSearchPath()).containsExactly("/opt/job.jar");
        assertThat(given.codeSearchPathGiven()).isTrue();
    }
}
