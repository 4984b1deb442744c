package dev.stingray.logmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.stingray.common.id.NodeId;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.LogBatch;
import dev.stingray.proto.PubMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LogMonitorIT {

    private static final TestingGcsServer GCS = new TestingGcsServer().start();
    private static final String WORKER_ID = "c3".repeat(28);

    @TempDir
    static Path session;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("stingray.cluster.gcs-address", GCS::address);
        registry.add("stingray.cluster.session-dir", () -> session.toString());
        registry.add("stingray.cluster.node-id", () -> NodeId.random().hex());
        registry.add("stingray.cluster.node-ip-address", () -> "127.0.0.1");
        // The outage test stops the fake GCS; the daemon must not exit meanwhile.
        registry.add("stingray.cluster.gcs-reconnect-timeout", () -> "10m");
    }

    @AfterAll
    static void stopGcs() {
        GCS.close();
    }

    @Autowired
    LogPublisher publisher;

    @Autowired
    LogMonitorLoop loop;

    @LocalServerPort
    int httpPort;

    @Test
    void publishesWorkerLinesOnTheLogChannel() throws Exception {
        append("worker-" + WORKER_ID + "-01000000-4242.out", "hello from the worker\n");

        PubMessage message = await().atMost(Duration.ofSeconds(20))
                .until(() -> findLine("hello from the worker"), m -> m != null);

        LogBatch batch = message.getLogBatchMessage();
        assertThat(message.getChannelType()).isEqualTo(ChannelType.RAY_LOG_CHANNEL);
        assertThat(message.getKeyId()).isEqualTo(ByteString.copyFromUtf8("01000000"));
        assertThat(batch.getPid()).isEqualTo("4242");
        assertThat(batch.getJobId()).isEqualTo("01000000");
        assertThat(batch.getIp()).isEqualTo("127.0.0.1");
        assertThat(batch.getIsError()).isFalse();
        assertThat(batch.getLinesList()).containsExactly("hello from the worker");

        // Ready once the (fake) GCS answers and the daemon registered itself.
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/actuator/health/readiness")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body()).contains("\"status\":\"UP\"");
        });
    }

    @Test
    void keepsRunningWhileTheGcsIsDownAndDeliversBufferedLinesAfterwards() throws Exception {
        String file = "worker-" + WORKER_ID + "-02000000-77.err";
        append(file, "before the outage\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> findLine("before the outage") != null);

        GCS.stop();
        List<String> during = IntStream.range(0, 20).mapToObj(i -> "during the outage " + i).toList();
        append(file, String.join("\n", during) + "\n");

        // The lines were read and are waiting, and the loop goes on passing.
        await().atMost(Duration.ofSeconds(20)).until(() -> publisher.bufferedLines() == during.size());
        long passes = loop.passes();
        await().atMost(Duration.ofSeconds(20)).until(() -> loop.passes() > passes + 3);
        assertThat(loop.isRunning()).isTrue();
        assertThat(findLine("during the outage 0")).isNull();

        GCS.start();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(GCS.published().stream()
                        .filter(m -> m.getLogBatchMessage().getJobId().equals("02000000"))
                        .flatMap(m -> m.getLogBatchMessage().getLinesList().stream())
                        .filter(l -> l.startsWith("during the outage"))
                        .toList())
                        .containsExactlyElementsOf(during));
        PubMessage delivered = findLine("during the outage 0");
        assertThat(delivered.getLogBatchMessage().getIsError()).isTrue();
        assertThat(delivered.getLogBatchMessage().getPid()).isEqualTo("77");
        assertThat(publisher.bufferedLines()).isZero();
    }

    private static PubMessage findLine(String line) {
        return GCS.published().stream()
                .filter(m -> m.getLogBatchMessage().getLinesList().contains(line))
                .findFirst().orElse(null);
    }

    private static void append(String name, String text) throws IOException {
        Path logs = session.resolve("logs");
        Files.createDirectories(logs);
        Files.writeString(logs.resolve(name), text, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
