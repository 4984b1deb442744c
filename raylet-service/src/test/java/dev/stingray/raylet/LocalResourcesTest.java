package dev.stingray.raylet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The versioned resource view the raylet reports. */
class LocalResourcesTest {

    private final LocalResources resources = new LocalResources(Map.of("CPU", 4.0, "custom", 2.0));

    @Test
    void startsFullyAvailableAtVersionOne() {
        assertThat(resources.version()).isEqualTo(1);
        assertThat(resources.available()).isEqualTo(resources.total()).isEqualTo(Map.of("CPU", 4.0, "custom", 2.0));
    }

    @Test
    void versionBumpsOnlyWhenTheViewChanges() {
        resources.setAvailable(Map.of("CPU", 4.0, "custom", 2.0));
        assertThat(resources.version()).isEqualTo(1);

        resources.setAvailable(Map.of("CPU", 3.0, "custom", 2.0));
        assertThat(resources.version()).isEqualTo(2);
        assertThat(resources.available()).containsEntry("CPU", 3.0);

        resources.setAvailable(new HashMap<>(Map.of("CPU", 3.0, "custom", 2.0)));
        assertThat(resources.version()).isEqualTo(2);

        resources.setAvailable(Map.of("CPU", 4.0, "custom", 2.0));
        assertThat(resources.version()).isEqualTo(3);
        assertThat(resources.total()).isEqualTo(Map.of("CPU", 4.0, "custom", 2.0));
    }

    @Test
    void keepsItsOwnCopyOfTheMapsItIsGiven() {
        Map<String, Double> total = new HashMap<>(Map.of("CPU", 1.0));
        LocalResources copy = new LocalResources(total);
        Map<String, Double> available = new HashMap<>(Map.of("CPU", 0.0));
        copy.setAvailable(available);

        total.put("CPU", 9.0);
        available.put("CPU", 9.0);

        assertThat(copy.total()).containsEntry("CPU", 1.0);
        assertThat(copy.available()).containsEntry("CPU", 0.0);
        assertThat(copy.version()).isEqualTo(2);
    }
}
