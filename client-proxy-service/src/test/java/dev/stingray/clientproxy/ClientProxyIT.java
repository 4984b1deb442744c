package dev.stingray.clientproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.boot.DaemonRegistration;
import dev.stingray.common.discovery.ServiceNames;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.AvailableResources;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.LogBatch;
import dev.stingray.proto.client.ClientListNamedActorsRequest;
import dev.stingray.proto.client.ClusterInfoRequest;
import dev.stingray.proto.client.ClusterInfoResponse;
import dev.stingray.proto.client.ClusterInfoType;
import dev.stingray.proto.client.KVDelRequest;
import dev.stingray.proto.client.KVExistsRequest;
import dev.stingray.proto.client.KVGetRequest;
import dev.stingray.proto.client.KVGetResponse;
import dev.stingray.proto.client.KVListRequest;
import dev.stingray.proto.client.KVPutRequest;
import dev.stingray.proto.client.LogData;
import dev.stingray.proto.client.LogSettingsRequest;
import dev.stingray.proto.client.RayletDriverGrpc;
import dev.stingray.proto.client.RayletLogStreamerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Ray Client server on a real port against a hand-written GCS, called with real stubs as a Ray client would. */
@SpringBootTest(properties = {"stingray.client-proxy.port=0", "stingray.client-proxy.namespace=test-ns"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientProxyIT {

    static final TestingGcsServer GCS = TestingGcsServer.started();
    static final NodeId HEAD = NodeId.random();
    static final NodeId WORKER = NodeId.random();
    static final NodeId DEAD = NodeId.random();
    static final JsonMapper JSON = JsonMapper.builder().build();

    static {
        GCS.addNode(node(HEAD, true, GcsNodeInfo.GcsNodeState.ALIVE, Map.of("CPU", 4.0, "memory", 1000.0)));
        GCS.addNode(node(WORKER, false, GcsNodeInfo.GcsNodeState.ALIVE, Map.of("CPU", 2.0, "GPU", 1.0)));
        GCS.addNode(node(DEAD, false, GcsNodeInfo.GcsNodeState.DEAD, Map.of("CPU", 8.0)));
        GCS.addAvailable(AvailableResources.newBuilder().setNodeId(HEAD.bytes())
                .putResourcesAvailable("CPU", 3.0).putResourcesAvailable("memory", 500.0).build());
        GCS.addAvailable(AvailableResources.newBuilder().setNodeId(WORKER.bytes())
                .putResourcesAvailable("CPU", 1.5).putResourcesAvailable("GPU", 1.0).build());
        GCS.put("session", "session_name", "session_2024-01-01_00-00-00_000000_1");
    }

    @DynamicPropertySource
    static void gcsAddress(DynamicPropertyRegistry registry) {
        registry.add("stingray.cluster.gcs-address", GCS::address);
    }

    @AfterAll
    static void stopGcs() throws InterruptedException {
        GCS.close();
    }

    @Autowired
    DaemonRegistration registration;

    ManagedChannel channel;
    RayletDriverGrpc.RayletDriverBlockingStub driver;
    RayletLogStreamerGrpc.RayletLogStreamerStub logs;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", registration.port(ServiceNames.GRPC_PORT)).usePlaintext().build();
        Metadata headers = new Metadata();
        headers.put(ClientIdInterceptor.CLIENT_ID_HEADER, UUID.randomUUID().toString().replace("-", ""));
        headers.put(ClientIdInterceptor.RECONNECTING_HEADER, "False");
        driver = RayletDriverGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        logs = RayletLogStreamerGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @AfterEach
    void disconnect() {
        channel.shutdownNow();
    }

    // ------------------------------------------------------------------ KV

    @Test
    void kvRoundTripKeepsNamespacesApart() {
        assertThat(driver.kVPut(put("greeting", "hello", true, null)).getAlreadyExists()).isFalse();
        assertThat(driver.kVPut(put("greeting", "bonjour", true, "fr")).getAlreadyExists()).isFalse();
        driver.kVPut(put("greeting2", "hi", true, null));

        assertThat(get("greeting", null).getValue().toStringUtf8()).isEqualTo("hello");
        assertThat(get("greeting", "fr").getValue().toStringUtf8()).isEqualTo("bonjour");
        assertThat(driver.kVExists(KVExistsRequest.newBuilder().setKey(utf8("greeting")).setNamespace(utf8("fr")).build())
                .getExists()).isTrue();
        assertThat(driver.kVList(KVListRequest.newBuilder().setPrefix(utf8("greet")).build()).getKeysList())
                .containsExactlyInAnyOrder(utf8("greeting"), utf8("greeting2"));
        assertThat(driver.kVList(KVListRequest.newBuilder().setPrefix(utf8("greet")).setNamespace(utf8("fr")).build())
                .getKeysList()).containsExactly(utf8("greeting"));

        assertThat(driver.kVDel(KVDelRequest.newBuilder().setKey(utf8("greet")).setDelByPrefix(true).build())
                .getDeletedNum()).isEqualTo(2);
        assertThat(get("greeting", null).hasValue()).isFalse();
        assertThat(get("greeting", "fr").getValue().toStringUtf8()).isEqualTo("bonjour");
        assertThat(driver.kVDel(KVDelRequest.newBuilder().setKey(utf8("greeting")).setNamespace(utf8("fr")).build())
                .getDeletedNum()).isEqualTo(1);
        assertThat(driver.kVExists(KVExistsRequest.newBuilder().setKey(utf8("greeting")).setNamespace(utf8("fr")).build())
                .getExists()).isFalse();
    }

    @Test
    void putWithoutOverwriteKeepsTheOldValueAndReportsAlreadyExists() {
        driver.kVPut(put("config", "old", false, "app"));

        assertThat(driver.kVPut(put("config", "new", false, "app")).getAlreadyExists()).isTrue();
        assertThat(get("config", "app").getValue().toStringUtf8()).isEqualTo("old");

        assertThat(driver.kVPut(put("config", "newer", true, "app")).getAlreadyExists()).isTrue();
        assertThat(get("config", "app").getValue().toStringUtf8()).isEqualTo("newer");
    }

    @Test
    void missingKeyIsAReplyWithoutValue() {
        KVGetResponse reply = get("no-such-key", "nowhere");

        assertThat(reply.hasValue()).isFalse();
    }

    @Test
    void reservedNamespacePrefixIsRejectedWithTheGcsMessage() {
        assertThatThrownBy(() -> driver.kVPut(put("@namespace_x:sneaky", "v", true, null)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("Key can't start with @namespace_");
                });
    }

    // ------------------------------------------------------------------ ClusterInfo

    @Test
    void nodesAreListedLikeRayNodes() {
        JsonNode nodes = JSON.readTree(clusterInfo(ClusterInfoType.TypeEnum.NODES).getJson());

        assertThat(nodes).hasSize(3);
        JsonNode head = find(nodes, HEAD);
        assertThat(head.get("Alive").asBoolean()).isTrue();
        assertThat(head.get("IsHeadNode").asBoolean()).isTrue();
        assertThat(head.get("state").asString()).isEqualTo("ALIVE");
        assertThat(head.get("NodeManagerAddress").asString()).isEqualTo("127.0.0.1");
        assertThat(head.get("NodeManagerPort").asInt()).isEqualTo(40000);
        assertThat(head.get("Resources").get("CPU").asDouble()).isEqualTo(4.0);
        assertThat(head.get("Labels").get("zone").asString()).isEqualTo("z1");
        JsonNode dead = find(nodes, DEAD);
        assertThat(dead.get("Alive").asBoolean()).isFalse();
        assertThat(dead.get("state").asString()).isEqualTo("DEAD");
    }

    @Test
    void clusterResourcesSumTheAliveNodes() {
        ClusterInfoResponse reply = clusterInfo(ClusterInfoType.TypeEnum.CLUSTER_RESOURCES);

        assertThat(reply.getResourceTable().getTableMap())
                .containsExactlyInAnyOrderEntriesOf(Map.of("CPU", 6.0, "GPU", 1.0, "memory", 1000.0));
    }

    @Test
    void availableResourcesSumTheResourceView() {
        ClusterInfoResponse reply = clusterInfo(ClusterInfoType.TypeEnum.AVAILABLE_RESOURCES);

        assertThat(reply.getResourceTable().getTableMap())
                .containsExactlyInAnyOrderEntriesOf(Map.of("CPU", 4.5, "GPU", 1.0, "memory", 500.0));
    }

    @Test
    void pingAndIsInitializedAnswerJson() {
        assertThat(clusterInfo(ClusterInfoType.TypeEnum.PING).getJson()).isEqualTo("{}");
        assertThat(clusterInfo(ClusterInfoType.TypeEnum.IS_INITIALIZED).getJson()).isEqualTo("true");
    }

    @Test
    void runtimeContextNamesHeadNodeSessionAndNamespace() {
        ClusterInfoResponse.RuntimeContext context = clusterInfo(ClusterInfoType.TypeEnum.RUNTIME_CONTEXT).getRuntimeContext();

        assertThat(context.getSessionName()).isEqualTo("session_2024-01-01_00-00-00_000000_1");
        assertThat(context.getNodeId()).isEqualTo(HEAD.bytes());
        assertThat(context.getNamespace()).isEqualTo("test-ns");
        assertThat(context.getGcsAddress()).isEqualTo(GCS.address());
    }

    @Test
    void dashboardUrlComesFromKv() {
        GCS.put("dashboard", "dashboard", "127.0.0.1:8265");

        JsonNode reply = JSON.readTree(clusterInfo(ClusterInfoType.TypeEnum.DASHBOARD_URL).getJson());

        assertThat(reply.get("dashboard_url").asString()).isEqualTo("127.0.0.1:8265");
    }

    @Test
    void timelineIsNotSupportedYet() {
        assertThatThrownBy(() -> clusterInfo(ClusterInfoType.TypeEnum.TIMELINE))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                    assertThat(e.getStatus().getDescription()).contains("TIMELINE is not supported yet");
                });
    }

    @Test
    void namedActorsAreListedFromTheGcsAsRaysJson() {
        GCS.addNamedActor("test-ns", "counter");
        GCS.addNamedActor("elsewhere", "cache");
        // Ray's list_named_actors(all_namespaces=True): objects with name and namespace.
        assertThat(driver.listNamedActors(ClientListNamedActorsRequest.newBuilder().setAllNamespaces(true).build()).getActorsJson())
                .isEqualTo("[{\"name\":\"counter\",\"namespace\":\"test-ns\"},{\"name\":\"cache\",\"namespace\":\"elsewhere\"}]");
        // Otherwise the names in the proxy's namespace only.
        assertThat(driver.listNamedActors(ClientListNamedActorsRequest.newBuilder().setAllNamespaces(false).build()).getActorsJson())
                .isEqualTo("[\"counter\"]");
    }

    // ------------------------------------------------------------------ Logstream and client_id

    @Test
    void logLinesFromTheGcsLogChannelReachTheClient() {
        List<LogData> received = new CopyOnWriteArrayList<>();
        AtomicBoolean completed = new AtomicBoolean();
        StreamObserver<LogSettingsRequest> settings = logs.logstream(collector(received, completed, new AtomicReference<>()));
        int subscriptionsBefore = GCS.logSubscriptions();

        settings.onNext(LogSettingsRequest.newBuilder().setEnabled(true).setLoglevel(20).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> GCS.logSubscriptions() > subscriptionsBefore);
        GCS.publishLog(LogBatch.newBuilder().setPid("4242").setIp("127.0.0.1").setJobId("01000000").addLines("hello").build());
        GCS.publishLog(LogBatch.newBuilder().setPid("77").setIp("10.0.0.7").setIsError(true).setActorName("Counter")
                .addLines("boom").addLines("bang").build());
        GCS.publishLog(LogBatch.newBuilder().setPid("raylet").setIp("10.0.0.7").addLines("worker started").build());

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 4);
        assertThat(received.get(0)).isEqualTo(LogData.newBuilder().setMsg("(pid=4242, ip=127.0.0.1) hello").setLevel(-1).build());
        assertThat(received.get(1)).isEqualTo(
                LogData.newBuilder().setMsg("(Counter pid=77, ip=10.0.0.7) boom").setLevel(-2).setName("Counter").build());
        assertThat(received.get(2).getMsg()).isEqualTo("(Counter pid=77, ip=10.0.0.7) bang");
        assertThat(received.get(3).getMsg()).isEqualTo("(raylet, ip=10.0.0.7) worker started");

        // Disabling stops the GCS subscription; ending the stream ends the server's side too.
        settings.onNext(LogSettingsRequest.newBuilder().setEnabled(false).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> GCS.openLogPolls() == 0);
        settings.onCompleted();
        await().atMost(Duration.ofSeconds(10)).untilTrue(completed);
    }

    @Test
    void logstreamWithoutClientIdIsRefusedButUnaryCallsAreNot() {
        AtomicReference<Throwable> error = new AtomicReference<>();
        RayletLogStreamerGrpc.RayletLogStreamerStub anonymous = RayletLogStreamerGrpc.newStub(channel);

        StreamObserver<LogSettingsRequest> settings = anonymous.logstream(collector(new CopyOnWriteArrayList<>(), new AtomicBoolean(), error));
        settings.onNext(LogSettingsRequest.newBuilder().setEnabled(true).build());

        await().atMost(Duration.ofSeconds(10)).until(() -> error.get() != null);
        Status status = Status.fromThrowable(error.get());
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription())
                .isEqualTo("client_id metadata is missing: Ray Client calls must carry the client_id header");
        assertThat(RayletDriverGrpc.newBlockingStub(channel)
                .clusterInfo(ClusterInfoRequest.newBuilder().setType(ClusterInfoType.TypeEnum.PING).build()).getJson())
                .isEqualTo("{}");
    }

    // ------------------------------------------------------------------ GCS failure (last: it stops the GCS)

    @Test
    @Order(Integer.MAX_VALUE)
    void unreachableGcsIsUnavailableAndTheProxyKeepsServing() throws InterruptedException {
        driver.kVPut(put("survivor", "yes", true, null));
        GCS.stop();
        try {
            assertThatThrownBy(() -> get("survivor", null))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("The GCS at " + GCS.address() + " is unreachable");
                    });
            assertThatThrownBy(() -> clusterInfo(ClusterInfoType.TypeEnum.NODES))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(clusterInfo(ClusterInfoType.TypeEnum.PING).getJson()).isEqualTo("{}");
        } finally {
            GCS.start();
        }
        // Once the GCS is back, the same proxy reaches it again.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> get("survivor", null).getValue().toStringUtf8().equals("yes"));
    }

    // ------------------------------------------------------------------ helpers

    private static GcsNodeInfo node(NodeId id, boolean head, GcsNodeInfo.GcsNodeState state, Map<String, Double> resources) {
        return GcsNodeInfo.newBuilder()
                .setNodeId(id.bytes())
                .setNodeManagerAddress("127.0.0.1")
                .setNodeManagerHostname("localhost")
                .setNodeManagerPort(40000)
                .setObjectManagerPort(40001)
                .putAllResourcesTotal(resources)
                .putLabels("zone", "z1")
                .setNodeName("127.0.0.1")
                .setIsHeadNode(head)
                .setState(state)
                .build();
    }

    private static JsonNode find(JsonNode nodes, NodeId id) {
        for (JsonNode node : nodes) {
            if (node.get("NodeID").asString().equals(id.hex())) {
                return node;
            }
        }
        throw new AssertionError("node " + id + " not listed in " + nodes);
    }

    private ClusterInfoResponse clusterInfo(ClusterInfoType.TypeEnum type) {
        return driver.clusterInfo(ClusterInfoRequest.newBuilder().setType(type).build());
    }

    private KVGetResponse get(String key, String namespace) {
        KVGetRequest.Builder req = KVGetRequest.newBuilder().setKey(utf8(key));
        if (namespace != null) {
            req.setNamespace(utf8(namespace));
        }
        return driver.kVGet(req.build());
    }

    private static KVPutRequest put(String key, String value, boolean overwrite, String namespace) {
        KVPutRequest.Builder req = KVPutRequest.newBuilder().setKey(utf8(key)).setValue(utf8(value)).setOverwrite(overwrite);
        if (namespace != null) {
            req.setNamespace(utf8(namespace));
        }
        return req.build();
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static StreamObserver<LogData> collector(List<LogData> received, AtomicBoolean completed, AtomicReference<Throwable> error) {
        return new StreamObserver<>() {
            @Override
            public void onNext(LogData value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                error.set(t);
            }

            @Override
            public void onCompleted() {
                completed.set(true);
            }
        };
    }
}
