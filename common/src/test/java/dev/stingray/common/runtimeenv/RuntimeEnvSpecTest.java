package dev.stingray.common.runtimeenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeEnvSpecTest {

    @Test
    void theCanonicalJsonSortsKeysAndLeavesOutEmptyFields() {
        RuntimeEnvSpec spec = RuntimeEnvSpec.parse("{\"jvm_options\":[\"-Xmx1g\"],\"env_vars\":{\"B\":\"2\",\"A\":\"1\"},\"java_jars\":[]}");
        assertThat(spec.toJson()).isEqualTo("{\"env_vars\":{\"A\":\"1\",\"B\":\"2\"},\"jvm_options\":[\"-Xmx1g\"]}");
        assertThat(RuntimeEnvSpec.parse(spec.toJson())).isEqualTo(spec);
        assertThat(RuntimeEnvSpec.parse("{}").toJson()).isEmpty();
        assertThat(RuntimeEnvSpec.parse("").isEmpty()).isTrue();
    }

    @Test
    void aTasksFieldsReplaceTheJobsFieldByField() {
        RuntimeEnvSpec job = new RuntimeEnvSpec(Map.of("A", "job"), List.of("gcs://_stingray_pkg_1.zip"), List.of());
        RuntimeEnvSpec task = new RuntimeEnvSpec(Map.of("A", "task"), List.of(), List.of("-Dx=1"));
        RuntimeEnvSpec merged = task.over(job);
        assertThat(merged.envVars()).containsExactly(Map.entry("A", "task"));
        assertThat(merged.jars()).containsExactly("gcs://_stingray_pkg_1.zip");
        assertThat(merged.jvmOptions()).containsExactly("-Dx=1");
        assertThat(merged.packageUris()).containsExactly("gcs://_stingray_pkg_1.zip");
    }

    @Test
    void envVarsAreMergedKeyByKeyAsRayInheritsThem() {
        RuntimeEnvSpec job = new RuntimeEnvSpec(Map.of("A", "job", "B", "job"), List.of(), List.of());
        RuntimeEnvSpec task = new RuntimeEnvSpec(Map.of("A", "task"), List.of(), List.of());
        assertThat(task.over(job).envVars()).isEqualTo(Map.of("A", "task", "B", "job"));
    }

    @Test
    void badFieldsAreNamedInTheError() {
        assertThatThrownBy(() -> RuntimeEnvSpec.parse("{\"pip\":[\"requests\"]}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unsupported runtime_env field 'pip'").hasMessageContaining("env_vars, java_jars and jvm_options");
        assertThatThrownBy(() -> RuntimeEnvSpec.parse("{\"env_vars\":{\"A\":1}}")).hasMessageContaining("env_vars.A must be a string");
        assertThatThrownBy(() -> RuntimeEnvSpec.parse("{\"java_jars\":\"a.jar\"}")).hasMessageContaining("java_jars must be a list of strings");
        assertThatThrownBy(() -> RuntimeEnvSpec.parse("[1]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> RuntimeEnvSpec.parse("{oops")).hasMessageContaining("not valid JSON");
        assertThat(RuntimeEnvSpec.packageUrisOf("{oops")).isEmpty();
    }
}
