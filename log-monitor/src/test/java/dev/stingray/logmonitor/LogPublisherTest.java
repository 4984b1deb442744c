package dev.stingray.logmonitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.stingray.common.gcs.GcsClient;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.LogBatch;
import dev.stingray.proto.PubMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogPublisherTest {

    private TestingGcsServer gcsServer;
    private GcsClient gcs;

    @BeforeEach
    void setUp() {
        gcsServer = new TestingGcsServer().start();
        gcs = new GcsClient(gcsServer.address());
    }

    @AfterEach
    void tearDown() {
        gcs.close();
        gcsServer.close();
    }

    @Test
    void publishesOnTheLogChannelKeyedByJob() {
        LogPublisher publisher = new LogPublisher(gcs, Duration.ofSeconds(5), 100);

        assertThat(publisher.publish(List.of(batch("01000000", "hi"), batch("", "no job")))).isTrue();

        assertThat(gcsServer.published()).extracting(PubMessage::getChannelType).containsOnly(ChannelType.RAY_LOG_CHANNEL);
        assertThat(gcsServer.published()).extracting(PubMessage::getKeyId)
                .containsExactly(ByteString.copyFromUtf8("01000000"), ByteString.EMPTY);
        assertThat(gcsServer.published().get(0).getLogBatchMessage().getLinesList()).containsExactly("hi");
        assertThat(publisher.publishedLines()).isEqualTo(2);
        assertThat(publisher.bufferedLines()).isZero();
    }

    @Test
    void keepsUndeliveredBatchesInOrderAndRetries() {
        LogPublisher publisher = new LogPublisher(gcs, Duration.ofSeconds(5), 100);
        gcsServer.setUnavailable(true);

        assertThat(publisher.publish(List.of(batch("01000000", "first")))).isFalse();
        assertThat(publisher.publish(List.of(batch("01000000", "second")))).isFalse();
        assertThat(publisher.bufferedLines()).isEqualTo(2);

        gcsServer.setUnavailable(false);
        assertThat(publisher.publish(List.of())).isTrue();

        assertThat(gcsServer.published()).extracting(m -> m.getLogBatchMessage().getLines(0)).containsExactly("first", "second");
        assertThat(publisher.bufferedLines()).isZero();
    }

    @Test
    void dropsTheOldestLinesBeyondTheBufferLimit() {
        LogPublisher publisher = new LogPublisher(gcs, Duration.ofSeconds(5), 5);
        gcsServer.setUnavailable(true);

        publisher.publish(List.of(batch("01000000", "1", "2"), batch("01000000", "3", "4")));
        publisher.publish(List.of(batch("01000000", "5", "6")));

        assertThat(publisher.bufferedLines()).isEqualTo(4);
        assertThat(publisher.droppedLines()).isEqualTo(2);

        gcsServer.setUnavailable(false);
        assertThat(publisher.publish(List.of())).isTrue();
        assertThat(gcsServer.published()).flatExtracting(m -> m.getLogBatchMessage().getLinesList())
                .containsExactly("3", "4", "5", "6");
    }

    private static LogBatch batch(String job, String... lines) {
        return LogBatch.newBuilder().setIp("127.0.0.1").setPid("7").setJobId(job).addAllLines(List.of(lines)).build();
    }
}
