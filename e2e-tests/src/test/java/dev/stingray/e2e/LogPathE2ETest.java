package dev.stingray.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.client.LogData;
import dev.stingray.proto.client.LogSettingsRequest;
import dev.stingray.proto.client.RayletLogStreamerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A line written to a worker log file on a worker node travels log monitor → GCS pub/sub → Ray Client
 * server → a {@code Logstream} client, all real processes.
 */
class LogPathE2ETest {

    @Test
    void workerLogLineReachesALogstreamClient() throws Exception {
        try (StingrayCliDriver cli = new StingrayCliDriver(Map.of())) {
            StingrayNode head = cli.startHead();
            StingrayNode worker = cli.startWorker(StingrayCliDriver.gcsAddress(head));
            int clientPort = head.port("ray_client_server_port").orElseThrow();

            ManagedChannel channel = GrpcChannels.forAddress("127.0.0.1:" + clientPort);
            List<LogData> received = new CopyOnWriteArrayList<>();
            try {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("client_id", Metadata.ASCII_STRING_MARSHALLER), UUID.randomUUID().toString().replace("-", ""));
                StreamObserver<LogSettingsRequest> requests = RayletLogStreamerGrpc.newStub(channel)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                        .logstream(new StreamObserver<>() {
                            @Override public void onNext(LogData value) { received.add(value); }
                            @Override public void onError(Throwable t) { }
                            @Override public void onCompleted() { }
                        });
                requests.onNext(LogSettingsRequest.newBuilder().setEnabled(true).build());

                Path log = worker.sessionDir().resolve("logs").resolve("worker-" + "ab".repeat(28) + "-01000000-4242.out");
                String marker = "hello from a worker " + UUID.randomUUID();
                // The subscription is set up asynchronously; keep appending until a line arrives.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    Files.writeString(log, marker + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    return received.stream().anyMatch(d -> d.getMsg().contains(marker));
                });
                LogData line = received.stream().filter(d -> d.getMsg().contains(marker)).findFirst().orElseThrow();
                assertThat(line.getMsg()).isEqualTo("(pid=4242, ip=127.0.0.1) " + marker);
                assertThat(line.getLevel()).isEqualTo(-1);
                requests.onCompleted();
            } finally {
                GrpcChannels.close(channel);
            }
        }
    }
}
