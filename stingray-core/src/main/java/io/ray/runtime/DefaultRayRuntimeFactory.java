package io.ray.runtime;

import dev.stingray.runtime.StingrayRuntime;
import dev.stingray.runtime.client.ClientRuntime;
import dev.stingray.runtime.config.RayConfig;
import io.ray.api.runtime.RayRuntime;
import io.ray.api.runtime.RayRuntimeFactory;

/**
 * The one class {@code io.ray.api.Ray#init()} loads by name. Builds Stingray's runtime from the
 * {@code ray.*} system properties and {@code RAY_*} environment variables: a {@link ClientRuntime} for a
 * {@code ray://} address, otherwise a driver or worker {@link StingrayRuntime}.
 */
public class DefaultRayRuntimeFactory implements RayRuntimeFactory {

    @Override
    public RayRuntime createRayRuntime() {
        RayConfig config = RayConfig.fromSystem();
        return config.isClientMode() ? ClientRuntime.connect(config) : StingrayRuntime.start(config);
    }
}
