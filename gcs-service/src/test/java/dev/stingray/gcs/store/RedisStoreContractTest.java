package dev.stingray.gcs.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.stingray.testing.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The store contract against a real {@code redis-server}; each test uses its own storage namespace. */
class RedisStoreContractTest extends AbstractStoreContractTest {

    private static RedisServerProcess redis;
    private static int namespaceCounter;

    @BeforeAll
    static void startRedis() {
        redis = new RedisServerProcess();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    static RedisStoreClient connect(String namespace) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
        factory.afterPropertiesSet();
        factory.start();
        return new RedisStoreClient(factory, namespace, redis.address());
    }

    @Override
    protected StoreClient createStore() {
        return connect("test" + (++namespaceCounter));
    }

    @Test
    void usesRaysHashLayoutAndSurvivesReconnecting() {
        String ns = "layout" + (++namespaceCounter);
        try (RedisStoreClient first = connect(ns)) {
            first.put("NODE", ByteString.copyFromUtf8("n1"), ByteString.copyFromUtf8("v"), true);
        }
        LettuceConnectionFactory raw = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
        raw.afterPropertiesSet();
        raw.start();
        try (var connection = raw.getConnection()) {
            byte[] hash = ("RAY" + ns + "@NODE").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(connection.hashCommands().hGet(hash, "n1".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo("v".getBytes());
        } finally {
            raw.destroy();
        }
        try (RedisStoreClient second = connect(ns)) {
            assertThat(second.get("NODE", ByteString.copyFromUtf8("n1"))).contains(ByteString.copyFromUtf8("v"));
        }
    }
}
