package dev.stingray.common.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --resources} and {@code --labels} parsing as Ray's {@code ray start} accepts them. */
class NodeResourcesTest {

    @Test
    void parsesAJsonObjectOfQuantitiesInOrder() {
        Map<String, Double> resources = NodeResources.parseCustomResources("{\"accelerator\": 2, \"special\": 0.5, \"none\": 0}");

        assertThat(resources).containsExactly(
                Map.entry("accelerator", 2.0), Map.entry("special", 0.5), Map.entry("none", 0.0));
    }

    @Test
    void blankOrMissingResourcesAreEmpty() {
        assertThat(NodeResources.parseCustomResources(null)).isEmpty();
        assertThat(NodeResources.parseCustomResources("  ")).isEmpty();
        assertThat(NodeResources.parseCustomResources("{}")).isEmpty();
    }

    @Test
    void malformedJsonNamesTheValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseCustomResources("{accelerator: 2"))
                .withMessageContaining("Invalid --resources '{accelerator: 2'")
                .withMessageContaining("not valid JSON");
    }

    @Test
    void jsonThatIsNotAnObjectIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseCustomResources("[1, 2]"))
                .withMessageContaining("'[1, 2]'")
                .withMessageContaining("expected a JSON object");
    }

    @Test
    void cpuAndGpuPointAtTheirOwnFlags() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseCustomResources("{\"CPU\": 4}"))
                .withMessageContaining("'{\"CPU\": 4}'")
                .withMessageContaining("--num-cpus")
                .withMessageContaining("--num-gpus");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseCustomResources("{\"a\": 1, \"GPU\": 1}"))
                .withMessageContaining("--num-gpus");
    }

    @Test
    void negativeQuantitiesNameTheResourceAndValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseCustomResources("{\"accelerator\": -1}"))
                .withMessageContaining("'accelerator'")
                .withMessageContaining("-1")
                .withMessageContaining("non-negative");
    }

    @Test
    void nonNumericQuantitiesNameTheResourceAndValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseCustomResources("{\"accelerator\": \"two\"}"))
                .withMessageContaining("'accelerator'")
                .withMessageContaining("\"two\"");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseCustomResources("{\"accelerator\": null}"))
                .withMessageContaining("'accelerator'");
    }

    @Test
    void emptyResourceNameIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseCustomResources("{\"\": 1}"))
                .withMessageContaining("empty");
    }

    @Test
    void quantitiesAreRoundedToRaysFixedPointUnit() {
        assertThat(NodeResources.parseCustomResources("{\"a\": 0.123456}")).containsEntry("a", 0.1235);
        assertThat(NodeResources.roundToUnit(1.00004)).isEqualTo(1.0);
        assertThat(NodeResources.roundToUnit(0.00005)).isEqualTo(0.0001);
        assertThat(NodeResources.roundToUnit(2.5)).isEqualTo(2.5);
        assertThat(NodeResources.RESOURCE_UNIT_SCALING).isEqualTo(10_000);
    }

    @Test
    void parsesLabelsTrimmingSpacesAndKeepingOrder() {
        assertThat(NodeResources.parseLabels("zone=a, gpu-type = t4,empty="))
                .containsExactly(Map.entry("zone", "a"), Map.entry("gpu-type", "t4"), Map.entry("empty", ""));
        assertThat(NodeResources.parseLabels("k=v=w")).containsExactly(Map.entry("k", "v=w"));
        assertThat(NodeResources.parseLabels(null)).isEmpty();
        assertThat(NodeResources.parseLabels("")).isEmpty();
    }

    @Test
    void labelWithoutKeyValueNamesTheBadPair() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseLabels("zone=a,gpu"))
                .withMessageContaining("Invalid --labels 'zone=a,gpu'")
                .withMessageContaining("'gpu' is not key=value");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeResources.parseLabels("=a"))
                .withMessageContaining("'=a'");
    }
}
