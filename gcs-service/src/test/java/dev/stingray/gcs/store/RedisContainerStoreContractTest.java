package dev.stingray.gcs.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The store contract against a password-protected Redis in a container that Testcontainers starts on the local
 * Docker engine. The image is the locally built base image ({@code docker/build-base-image.sh}, which includes
 * {@code redis-server}): nothing is pulled. {@link RedisStoreContractTest} covers the same contract with a plain
 * {@code redis-server} process for machines without Docker.
 */
class RedisContainerStoreContractTest extends AbstractStoreContractTest {

    static final String IMAGE = "stingray-base:bookworm-jre17";
    private static final String PASSWORD = "container-secret";
    private static GenericContainer<?> redis;
    private static int namespaceCounter;

    @BeforeAll
    static void startRedisContainer() throws Exception {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("RedisContainerStoreContractTest needs a running Docker engine (.ci/run installs Debian's"
                    + " docker.io and starts dockerd)");
        }
        buildImageIfMissing();
        redis = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withCommand("redis-server", "--requirepass", PASSWORD, "--protected-mode", "no", "--save", "")
                .withExposedPorts(6379)
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
        redis.start();
    }

    /** The base image is built once per machine (about a minute); the deployment checks use it too. */
    private static void buildImageIfMissing() throws IOException, InterruptedException {
        Path script = Path.of("..", "docker", "build-base-image.sh").toAbsolutePath().normalize();
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("Cannot find " + script + " to build the Redis image " + IMAGE);
        }
        Process build = new ProcessBuilder(script.toString(), IMAGE).inheritIO().start();
        if (!build.waitFor(10, TimeUnit.MINUTES) || build.exitValue() != 0) {
            build.destroyForcibly();
            throw new IllegalStateException(script + " failed to build " + IMAGE);
        }
    }

    @AfterAll
    static void stopRedisContainer() {
        if (redis != null) {
            redis.stop();
        }
    }

    static RedisStoreClient connect(String namespace) {
        RedisStandaloneConfiguration config = new RedisStandaloneConfiguration(redis.getHost(), redis.getMappedPort(6379));
        config.setPassword(PASSWORD);
        LettuceConnectionFactory factory = new LettuceConnectionFactory(config);
        factory.afterPropertiesSet();
        factory.start();
        return new RedisStoreClient(factory, namespace, redis.getHost() + ":" + redis.getMappedPort(6379));
    }

    @Override
    protected StoreClient createStore() {
        return connect("container" + (++namespaceCounter));
    }

    @Test
    void tablesSurviveAReconnectToTheContainer() {
        String ns = "reconnect" + (++namespaceCounter);
        try (RedisStoreClient first = connect(ns)) {
            first.put("JOB", ByteString.copyFromUtf8("j1"), ByteString.copyFromUtf8("running"), true);
        }
        try (RedisStoreClient second = connect(ns)) {
            assertThat(second.get("JOB", ByteString.copyFromUtf8("j1"))).contains(ByteString.copyFromUtf8("running"));
        }
    }
}
