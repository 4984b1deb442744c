package dev.stingray.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.stingray.common.boot.DaemonRegistration;
import dev.stingray.common.discovery.ServiceRegistry;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.gcs.KvNamespaces;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetNextJobIDRequest;
import dev.stingray.proto.InternalKVPutRequest;
import dev.stingray.proto.JobTableData;
import dev.stingray.proto.AddJobRequest;
import dev.stingray.proto.MarkJobFinishedRequest;
import dev.stingray.proto.NodeDeathInfo;
import dev.stingray.proto.RegisterNodeRequest;
import dev.stingray.proto.ReportResourceUsageRequest;
import dev.stingray.proto.ResourcesData;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The GCS daemon on real ports: gRPC services, bad input, actuator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "stingray.gcs.port=0",
        "stingray.gcs.kv-max-value-size=1KB",
        "stingray.gcs.session-name=session_it",
        "stingray.gcs.health-check-initial-delay=60s",
        "stingray.cluster.node-id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
class GcsServerIT {

    @Autowired
    DaemonRegistration registration;

    @LocalServerPort
    int httpPort;

    private GcsClient gcs;

    @BeforeEach
    void connect() {
        gcs = new GcsClient("127.0.0.1:" + registration.port("grpc"), Duration.ofSeconds(5));
    }

    @AfterEach
    void close() {
        gcs.close();
    }

    private static Status.Code codeOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        throw new AssertionError("expected the call to fail");
    }

    @Test
    void clusterIdSessionNameAndServiceRegistration() {
        var reply = gcs.getClusterId();
        assertThat(reply.getClusterId().size()).isEqualTo(28);
        assertThat(reply.getSessionName()).isEqualTo("session_it");
        assertThat(gcs.kvGetString(KvNamespaces.SESSION, KvNamespaces.SESSION_NAME_KEY)).contains("session_it");
        assertThat(new ServiceRegistry(gcs).list("gcs_server:")).singleElement()
                .satisfies(r -> assertThat(r.ports()).containsEntry("grpc", registration.port("grpc")));
    }

    @Test
    void kvRoundTripOverGrpc() {
        assertThat(gcs.kvPut("ns", "k", "v1", false)).isTrue();
        assertThat(gcs.kvPut("ns", "k", "v2", false)).isFalse();
        assertThat(gcs.kvGetString("ns", "k")).contains("v1");
        assertThat(gcs.kvKeys("ns", "")).containsExactly("k");
        assertThat(gcs.kvDel("ns", "k", false)).isEqualTo(1);
        assertThat(gcs.kvGet("ns", "k")).isEmpty();
    }

    @Test
    void badInputGetsClearErrorsAndTheGcsKeepsServing() {
        gcs.kvPut("ns", "safe", "kept", true);
        StatusRuntimeException reserved = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> gcs.kvPut("ns", "@namespace_x:y", "v", true));
        assertThat(reserved.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(reserved.getStatus().getDescription()).contains("@namespace_x:y").contains("reserved prefix");

        StatusRuntimeException oversize = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> gcs.kv().internalKVPut(InternalKVPutRequest.newBuilder().setNamespace(ByteString.copyFromUtf8("ns"))
                        .setKey(ByteString.copyFromUtf8("safe")).setValue(ByteString.copyFrom(new byte[4096])).setOverwrite(true).build()));
        assertThat(oversize.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(oversize.getStatus().getDescription()).contains("4096 bytes");

        NodeId unknown = NodeId.random();
        StatusRuntimeException notFound = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> gcs.unregisterNode(unknown, NodeDeathInfo.Reason.EXPECTED_TERMINATION, "bye"));
        assertThat(notFound.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(notFound.getStatus().getDescription()).contains(unknown.hex());

        assertThat(codeOf(() -> gcs.registerNode(GcsNodeInfo.newBuilder().setNodeId(ByteString.copyFromUtf8("short")).build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> gcs.resources().reportResourceUsage(ReportResourceUsageRequest.newBuilder()
                .setResources(ResourcesData.newBuilder().setNodeId(unknown.bytes())).build()))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(codeOf(() -> gcs.jobs().markJobFinished(MarkJobFinishedRequest.newBuilder()
                .setJobId(ByteString.copyFrom(new byte[] {9, 9, 9, 9})).build()))).isEqualTo(Status.Code.NOT_FOUND);

        assertThat(gcs.kvGetString("ns", "safe")).contains("kept");
        assertThat(gcs.checkAlive(List.of(), Duration.ofSeconds(1)).getGcsInstanceId().size()).isEqualTo(28);
    }

    @Test
    void nodeAndJobTables() {
        NodeId id = NodeId.random();
        gcs.nodeInfo().registerNode(RegisterNodeRequest.newBuilder().setNodeInfo(GcsNodeInfo.newBuilder().setNodeId(id.bytes())
                .setNodeManagerAddress("127.0.0.1").setNodeManagerPort(1).putResourcesTotal("CPU", 4)).build());
        assertThat(gcs.checkAlive(List.of(id), Duration.ofSeconds(1)).getRayletAliveList()).containsExactly(true);
        gcs.resources().reportResourceUsage(ReportResourceUsageRequest.newBuilder().setResources(ResourcesData.newBuilder()
                .setNodeId(id.bytes()).setVersion(1).putResourcesTotal("CPU", 4).putResourcesAvailable("CPU", 1)).build());
        assertThat(gcs.resources().getAllAvailableResources(dev.stingray.proto.GetAllAvailableResourcesRequest.getDefaultInstance())
                .getResourcesListList()).anySatisfy(r -> assertThat(r.getResourcesAvailableMap()).containsEntry("CPU", 1.0));

        int jobInt = gcs.jobs().getNextJobID(GetNextJobIDRequest.getDefaultInstance()).getJobId();
        ByteString jobId = dev.stingray.common.id.JobId.fromInt(jobInt).bytes();
        gcs.jobs().addJob(AddJobRequest.newBuilder().setData(JobTableData.newBuilder().setJobId(jobId).setDriverPid(42)).build());
        gcs.jobs().markJobFinished(MarkJobFinishedRequest.newBuilder().setJobId(jobId).build());
        assertThat(gcs.getAllJobInfo()).anySatisfy(j -> {
            assertThat(j.getJobId()).isEqualTo(jobId);
            assertThat(j.getIsDead()).isTrue();
        });
        gcs.unregisterNode(id, NodeDeathInfo.Reason.EXPECTED_TERMINATION, "stopped");
        assertThat(gcs.getAllNodeInfo()).filteredOn(n -> n.getNodeId().equals(id.bytes()))
                .singleElement().satisfies(n -> assertThat(n.getState()).isEqualTo(GcsNodeInfo.GcsNodeState.DEAD));
    }

    @Test
    void actuatorProbesAndPrometheus() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/actuator/health/liveness", "/actuator/health/readiness", "/actuator/prometheus", "/actuator/info")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
        }
        HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.body()).contains("storage");
    }
}
