package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.common.id.JobId;
import dev.stingray.common.id.NodeId;
import dev.stingray.common.session.SessionDir;
import dev.stingray.proto.AddJobRequest;
import dev.stingray.proto.GcsNodeInfo;
import dev.stingray.proto.GetNextJobIDRequest;
import dev.stingray.proto.JobTableData;
import dev.stingray.testing.RedisServerProcess;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GCS fault tolerance with a real Redis: {@code kill -9} the GCS, start it again with the same command
 * line, and the cluster recovers by itself — raylets re-register, KV and the job table are intact, the
 * cluster id and session name are kept.
 */
class GcsFaultToleranceE2ETest {

    @Test
    void gcsRestartedOnTheSameRedisRecoversTheCluster() throws Exception {
        Map<String, String> env = new HashMap<>(StingrayCliDriver.FAST_HEALTH_CHECKS);
        try (RedisServerProcess redis = new RedisServerProcess("s3cret");
                StingrayCliDriver cli = new StingrayCliDriver(env)) {
            int gcsPort = RedisServerProcess.freePort();
            StingrayNode head = cli.startHead("--port=" + gcsPort, "--redis-address=" + redis.address(), "--redis-password=s3cret");
            String address = "127.0.0.1:" + gcsPort;
            StingrayNode worker = cli.startWorker(address);

            ByteString clusterId;
            String sessionName;
            ByteString jobId;
            try (GcsClient gcs = new GcsClient(address, Duration.ofSeconds(5))) {
                gcs.kvPut("ft", "survives", "yes", true);
                jobId = JobId.fromInt(gcs.jobs().getNextJobID(GetNextJobIDRequest.getDefaultInstance()).getJobId()).bytes();
                gcs.jobs().addJob(AddJobRequest.newBuilder().setData(JobTableData.newBuilder().setJobId(jobId).setDriverPid(4242)).build());
                clusterId = gcs.getClusterId().getClusterId();
                sessionName = gcs.getClusterId().getSessionName();
            }

            ProcessHandle gcsProcess = ProcessHandle.of(head.pid("gcs_server")).orElseThrow();
            List<String> commandLine = new ArrayList<>();
            commandLine.add(gcsProcess.info().command().orElseThrow());
            commandLine.addAll(List.of(gcsProcess.info().arguments().orElseThrow()));
            assertThat(new ProcessBuilder("kill", "-9", Long.toString(gcsProcess.pid())).start().waitFor()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> !gcsProcess.isAlive());

            Path logs = head.sessionDir().resolve("logs");
            ProcessBuilder restart = new ProcessBuilder(commandLine)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("gcs_server.out").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("gcs_server.err").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            restart.environment().putAll(env);
            Process restarted = restart.start();
            // Keep `stingray stop` able to find it.
            SessionDir.writeAtomically(head.sessionDir().resolve("gcs_server_" + head.nodeIdHex() + ".pid"), Long.toString(restarted.pid()));

            try (GcsClient gcs = new GcsClient(address, Duration.ofSeconds(5))) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                        assertThat(gcs.checkAlive(List.of(NodeId.fromHex(head.nodeIdHex()), NodeId.fromHex(worker.nodeIdHex())),
                                Duration.ofSeconds(2)).getRayletAliveList()).containsExactly(true, true));
                assertThat(gcs.getClusterId().getClusterId()).isEqualTo(clusterId);
                assertThat(gcs.getClusterId().getSessionName()).isEqualTo(sessionName);
                assertThat(gcs.kvGetString("ft", "survives")).contains("yes");
                assertThat(gcs.getAllJobInfo()).anySatisfy(j -> {
                    assertThat(j.getJobId()).isEqualTo(jobId);
                    assertThat(j.getDriverPid()).isEqualTo(4242);
                });
                // The raylets survived the outage (they were not restarted) and re-registered.
                assertThat(head.isRunning("raylet")).isTrue();
                assertThat(worker.isRunning("raylet")).isTrue();
                // Health checks resumed and kept both nodes alive past the detection budget.
                await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> gcs.getAllNodeInfo().stream()
                        .filter(n -> n.getState() == GcsNodeInfo.GcsNodeState.ALIVE).count() == 2);
                // Daemons announced themselves again in the registry.
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(gcs.kvKeys("services", ""))
                        .contains("raylet:" + worker.nodeIdHex(), "log_monitor:" + worker.nodeIdHex()));
            }
            String status = cli.ok("status", "--address=" + address).stdout();
            assertThat(status).contains(" 1 node_" + head.nodeIdHex()).contains(" 1 node_" + worker.nodeIdHex()).contains("(no failures)");
        }
    }
}
