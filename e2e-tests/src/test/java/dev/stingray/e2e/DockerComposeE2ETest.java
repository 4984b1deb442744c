package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.client.ClusterInfoRequest;
import dev.stingray.proto.client.ClusterInfoType;
import dev.stingray.proto.client.KVGetRequest;
import dev.stingray.proto.client.KVPutRequest;
import dev.stingray.proto.client.RayletDriverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The top-level {@code docker-compose.yml} with a real Docker engine: the image is built from
 * {@code docker/Dockerfile} on a base image made with debootstrap (no image can be pulled here), then a
 * cluster with two scaled {@code node} containers comes up healthy, answers through the Ray Client port
 * (nodes ALIVE, a KV round trip, a Ray Java job whose tasks run on both nodes), sees a killed node DEAD, and
 * is taken down. With the {@code ft} profile (Redis with a password), a restarted {@code gcs} container
 * recovers the cluster and its KV. Prints the figures: image size, time to healthy, time to DEAD.
 */
class DockerComposeE2ETest {

    static final String BASE_IMAGE = "stingray-base:bookworm-jre17";
    static final String TAG = "e2e";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Path root;

    @BeforeAll
    static void buildImages() {
        root = ExternalCommand.repositoryRoot();
        CliRun info = ExternalCommand.run(root, Map.of(), Duration.ofSeconds(30), List.of("docker", "info", "--format", "{{.ServerVersion}}"));
        if (info.exitCode() != 0) {
            throw new IllegalStateException("These tests need a running Docker engine and docker-compose (.ci/run installs Debian's docker.io"
                    + " and docker-compose and starts dockerd): " + info.all().strip());
        }
        ExternalCommand.ok(root, Map.of(), Duration.ofMinutes(10), List.of("docker/build-base-image.sh", BASE_IMAGE));
        long start = System.nanoTime();
        ExternalCommand.ok(root, Map.of(), Duration.ofMinutes(10), List.of("docker", "build", "-q", "-f", "docker/Dockerfile",
                "--build-arg", "BASE_IMAGE=" + BASE_IMAGE, "-t", "stingray:" + TAG, "."));
        String size = ExternalCommand.ok(root, Map.of(), Duration.ofSeconds(30),
                List.of("docker", "image", "inspect", "-f", "{{.Size}}", "stingray:" + TAG)).stdout().strip();
        System.out.printf("COMPOSE FIGURE: image stingray:%s is %d MiB, built in %.0f s%n", TAG, Long.parseLong(size) >> 20,
                (System.nanoTime() - start) / 1e9);
    }

    @Test
    void aScaledClusterRunsAJobOnBothNodesAndSeesAKilledNodeDead() throws Exception {
        try (Compose compose = new Compose("stingray-e2e-" + UUID.randomUUID().toString().substring(0, 8), Map.of())) {
            long start = System.nanoTime();
            compose.up("--scale", "node=2");
            List<String> containers = compose.awaitHealthy(4);
            System.out.printf("COMPOSE FIGURE: docker-compose up to 4 healthy containers in %.1f s%n", (System.nanoTime() - start) / 1e9);

            try (ClientPort client = new ClientPort(compose.clientPort)) {
                assertThat(client.aliveNodes()).hasSize(3);
                client.kvPut("compose-check", "round trip");
                assertThat(client.kvGet("compose-check")).isEqualTo("round trip");

                // A program compiled now (the image has no user code), its classes shipped through ray:// with no
                // code search path given; two-CPU tasks on two-CPU nodes: the scheduler has to use both nodes.
                CliRun spread = UserProject.writeAndCompile().run(List.of("-Dray.address=ray://127.0.0.1:" + compose.clientPort), "spread", "6");
                assertThat(spread.exitCode()).as(spread.all()).isZero();
                assertThat(spread.stderr()).contains("Ray Client: shipped the job's code");
                Set<String> nodes = spread.stdout().lines().filter(l -> l.startsWith("node ")).map(l -> l.split(" ")[1]).collect(Collectors.toSet());
                assertThat(nodes).as(spread.all()).hasSize(2).isSubsetOf(client.aliveNodes());
                // Four one-CPU actors on two two-CPU nodes (the client-proxy node has none): both nodes host some.
                Set<String> actorNodes = spread.stdout().lines().filter(l -> l.startsWith("actor node ")).map(l -> l.split(" ")[2])
                        .collect(Collectors.toSet());
                assertThat(actorNodes).as(spread.all()).isEqualTo(nodes);

                String victim = compose.ps("node").get(0);
                long killed = System.nanoTime();
                ExternalCommand.ok(root, Map.of(), Duration.ofSeconds(60), List.of("docker", "kill", victim));
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> client.deadNodes().size() == 1);
                System.out.printf("COMPOSE FIGURE: killed node container seen DEAD after %.1f s%n", (System.nanoTime() - killed) / 1e9);
                assertThat(client.aliveNodes()).hasSize(2);
            }
            assertThat(containers).hasSize(4);
        }
    }

    @Test
    void withRedisARestartedGcsContainerRecoversTheCluster() throws Exception {
        Map<String, String> ft = Map.of("STINGRAY_REDIS_ADDRESS", "redis:6379", "REDIS_PASSWORD", "e2e-secret", "REDIS_IMAGE", BASE_IMAGE);
        try (Compose compose = new Compose("stingray-e2e-ft-" + UUID.randomUUID().toString().substring(0, 8), ft)) {
            compose.up("--scale", "node=1");
            compose.awaitHealthy(3);
            Set<String> before;
            try (ClientPort client = new ClientPort(compose.clientPort)) {
                before = client.aliveNodes();
                assertThat(before).hasSize(2);
                client.kvPut("survives", "the gcs restart");
            }
            compose.run("restart", "gcs");
            compose.awaitHealthy(3);
            try (ClientPort client = new ClientPort(compose.clientPort)) {
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                    assertThat(client.kvGet("survives")).isEqualTo("the gcs restart");
                    assertThat(client.aliveNodes()).isEqualTo(before);
                });
            }
        }
    }

    /** One compose project on the repository's docker-compose.yml, taken down (with volumes) when closed. */
    private static final class Compose implements AutoCloseable {
        final String project;
        final int clientPort = freePort();
        final Map<String, String> env = new HashMap<>();

        Compose(String project, Map<String, String> extraEnv) {
            this.project = project;
            env.put("STINGRAY_TAG", TAG);
            env.put("CLIENT_HOST_PORT", Integer.toString(clientPort));
            env.put("GCS_HOST_PORT", Integer.toString(freePort()));
            env.putAll(extraEnv);
        }

        CliRun run(String... args) {
            List<String> cmd = new ArrayList<>(List.of("docker-compose", "-p", project, "-f", "docker-compose.yml"));
            if (env.containsKey("STINGRAY_REDIS_ADDRESS")) {
                cmd.addAll(List.of("--profile", "ft"));
            }
            cmd.addAll(List.of(args));
            return ExternalCommand.ok(root, env, Duration.ofMinutes(5), cmd);
        }

        void up(String... extra) {
            List<String> args = new ArrayList<>(List.of("up", "-d"));
            args.addAll(List.of(extra));
            run(args.toArray(String[]::new));
        }

        List<String> ps(String service) {
            return run("ps", "-q", service).stdout().lines().filter(l -> !l.isBlank()).toList();
        }

        /** Waits until {@code expected} Stingray containers (all but Redis) report healthy; returns their ids. */
        List<String> awaitHealthy(int expected) {
            List<String> ids = new ArrayList<>();
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                ids.clear();
                for (String service : List.of("gcs", "client-proxy", "node")) {
                    ids.addAll(ps(service));
                }
                if (ids.size() != expected) {
                    return false;
                }
                List<String> cmd = new ArrayList<>(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}"));
                cmd.addAll(ids);
                return ExternalCommand.ok(root, Map.of(), Duration.ofSeconds(30), cmd).stdout().lines().allMatch("healthy"::equals);
            });
            return List.copyOf(ids);
        }

        @Override
        public void close() {
            CliRun logs = ExternalCommand.run(root, env, Duration.ofMinutes(1), List.of("docker-compose", "-p", project, "logs", "--tail=40"));
            System.out.println("compose logs of " + project + " (tail):\n" + logs.stdout());
            run("down", "-v", "--timeout", "20");
        }
    }

    /** The Ray Client server's RayletDriver service on a host port (Ray Client's KV* and ClusterInfo calls). */
    private static final class ClientPort implements AutoCloseable {
        private final ManagedChannel channel;
        private final RayletDriverGrpc.RayletDriverBlockingStub driver;

        ClientPort(int port) {
            channel = GrpcChannels.forAddress("127.0.0.1:" + port);
            Metadata metadata = new Metadata();
            metadata.put(Metadata.Key.of("client_id", Metadata.ASCII_STRING_MARSHALLER), "compose-e2e");
            driver = RayletDriverGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
        }

        private List<JsonNode> nodes() {
            String json = driver.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                    .clusterInfo(ClusterInfoRequest.newBuilder().setType(ClusterInfoType.TypeEnum.NODES).build()).getJson();
            return StreamSupport.stream(JSON.readTree(json).spliterator(), false).toList();
        }

        Set<String> aliveNodes() {
            return nodes().stream().filter(n -> n.get("Alive").asBoolean()).map(n -> n.get("NodeID").asString()).collect(Collectors.toSet());
        }

        Set<String> deadNodes() {
            return nodes().stream().filter(n -> !n.get("Alive").asBoolean()).map(n -> n.get("NodeID").asString()).collect(Collectors.toSet());
        }

        void kvPut(String key, String value) {
            driver.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS).kVPut(KVPutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).setOverwrite(true).build());
        }

        String kvGet(String key) {
            return driver.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                    .kVGet(KVGetRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build()).getValue().toStringUtf8();
        }

        @Override
        public void close() {
            GrpcChannels.close(channel);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free port: " + e.getMessage(), e);
        }
    }
}
