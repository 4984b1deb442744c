package dev.stingray.agent;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;

/**
 * Micrometer's Prometheus naming, except that meters already named the Ray way ({@code ray_...}, valid
 * Prometheus names) keep their name verbatim. Micrometer's convention strips a {@code _total} suffix
 * from every name, which would expose Ray's gauge {@code ray_node_mem_total} as {@code ray_node_mem};
 * Ray's dashboards and alerts query the Ray names.
 */
public final class RayPrometheusNamingConvention implements NamingConvention {

    private final NamingConvention delegate = new PrometheusNamingConvention();

    @Override
    public String name(String name, Meter.Type type, String baseUnit) {
        if (name.startsWith("ray_") && baseUnit == null && PrometheusNaming.isValidLegacyMetricName(name)) {
            return name;
        }
        return delegate.name(name, type, baseUnit);
    }

    @Override
    public String tagKey(String key) {
        return delegate.tagKey(key);
    }

    @Override
    public String tagValue(String value) {
        return delegate.tagValue(value);
    }
}
