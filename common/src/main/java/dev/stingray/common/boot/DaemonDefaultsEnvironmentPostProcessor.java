package dev.stingray.common.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertiesPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

/**
 * Adds {@code stingray-daemon-defaults.properties} as the lowest-precedence property source of every
 * daemon: actuator probes and exposure, graceful shutdown, gRPC message limits, and Ray's environment
 * variable names ({@code RAY_gcs_rpc_server_reconnect_timeout_s}, ...) mapped onto Stingray properties.
 * A daemon's own {@code application.properties}, its command line and its environment override them.
 */
public class DaemonDefaultsEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String RESOURCE = "stingray-daemon-defaults.properties";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        try {
            environment.getPropertySources().addLast(new PropertiesPropertySource(
                    "stingrayDaemonDefaults", PropertiesLoaderUtils.loadProperties(new ClassPathResource(RESOURCE))));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
    }
}
