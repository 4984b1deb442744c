package dev.stingray.gcs.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.Command;
import dev.stingray.proto.GcsSubscriberPollReply;
import dev.stingray.proto.LogBatch;
import dev.stingray.proto.PubMessage;
import dev.stingray.proto.SubMessage;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcsPublisherTest {

    private static final ByteString SUB = ByteString.copyFromUtf8("sub-1");

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    private static final class Recorder implements StreamObserver<GcsSubscriberPollReply> {
        final List<GcsSubscriberPollReply> replies = new ArrayList<>();
        @Override public void onNext(GcsSubscriberPollReply value) { replies.add(value); }
        @Override public void onError(Throwable t) { throw new AssertionError(t); }
        @Override public void onCompleted() { }
    }

    private final MutableClock clock = new MutableClock();
    private final GcsPublisher publisher = new GcsPublisher(clock, Duration.ofSeconds(30), Duration.ofSeconds(300), 5000, 3);

    private static Command subscribe(ChannelType channel, String key) {
        return Command.newBuilder().setChannelType(channel).setKeyId(ByteString.copyFromUtf8(key))
                .setSubscribeMessage(SubMessage.getDefaultInstance()).build();
    }

    private static PubMessage.Builder log(String line) {
        return PubMessage.newBuilder().setLogBatchMessage(LogBatch.newBuilder().addLines(line));
    }

    private Recorder poll(long acked) {
        Recorder r = new Recorder();
        publisher.handlePoll(SUB, acked, publisher.publisherId(), r);
        return r;
    }

    @Test
    void deliversInOrderWithSequenceIdsAndDropsAcknowledged() {
        publisher.handleCommandBatch(SUB, List.of(subscribe(ChannelType.RAY_LOG_CHANNEL, "")));
        publisher.publish(ChannelType.RAY_LOG_CHANNEL, ByteString.copyFromUtf8("job1"), log("a"));
        publisher.publish(ChannelType.RAY_LOG_CHANNEL, ByteString.copyFromUtf8("job2"), log("b"));

        GcsSubscriberPollReply first = poll(0).replies.get(0);
        assertThat(first.getPubMessagesList()).extracting(m -> m.getLogBatchMessage().getLines(0)).containsExactly("a", "b");
        assertThat(first.getPubMessages(1).getSequenceId()).isGreaterThan(first.getPubMessages(0).getSequenceId());
        assertThat(first.getPublisherId()).isEqualTo(publisher.publisherId());

        Recorder second = poll(first.getPubMessages(1).getSequenceId());
        assertThat(second.replies).as("nothing new: the poll is parked").isEmpty();
        publisher.publish(ChannelType.RAY_LOG_CHANNEL, ByteString.EMPTY, log("c"));
        assertThat(second.replies).hasSize(1);
        assertThat(second.replies.get(0).getPubMessagesList()).extracting(m -> m.getLogBatchMessage().getLines(0)).containsExactly("c");
    }

    @Test
    void keyedSubscriptionsSeeOnlyTheirKeyAndOtherChannelsNothing() {
        publisher.handleCommandBatch(SUB, List.of(subscribe(ChannelType.GCS_JOB_CHANNEL, "job1")));
        publisher.publish(ChannelType.GCS_JOB_CHANNEL, ByteString.copyFromUtf8("job2"), log("x"));
        publisher.publish(ChannelType.RAY_LOG_CHANNEL, ByteString.copyFromUtf8("job1"), log("y"));
        publisher.publish(ChannelType.GCS_JOB_CHANNEL, ByteString.copyFromUtf8("job1"), log("z"));
        assertThat(poll(0).replies.get(0).getPubMessagesList()).extracting(m -> m.getLogBatchMessage().getLines(0)).containsExactly("z");
    }

    @Test
    void lossyChannelsKeepOnlyTheNewestMessagesButReliableOnesAreKept() {
        publisher.handleCommandBatch(SUB, List.of(subscribe(ChannelType.RAY_LOG_CHANNEL, ""), subscribe(ChannelType.GCS_JOB_CHANNEL, "")));
        publisher.publish(ChannelType.GCS_JOB_CHANNEL, ByteString.EMPTY, log("job"));
        for (int i = 0; i < 5; i++) {
            publisher.publish(ChannelType.RAY_LOG_CHANNEL, ByteString.EMPTY, log("log" + i));
        }
        assertThat(poll(0).replies.get(0).getPubMessagesList()).extracting(m -> m.getLogBatchMessage().getLines(0))
                .containsExactly("job", "log2", "log3", "log4");
    }

    @Test
    void unknownSubscriberOrStalePublisherIdIsToldTheCurrentPublisherAtOnce() {
        Recorder unknown = new Recorder();
        publisher.handlePoll(ByteString.copyFromUtf8("never-subscribed"), 0, ByteString.EMPTY, unknown);
        assertThat(unknown.replies).hasSize(1);
        assertThat(unknown.replies.get(0).getPublisherId()).isEqualTo(publisher.publisherId());

        publisher.handleCommandBatch(SUB, List.of(subscribe(ChannelType.RAY_LOG_CHANNEL, "")));
        Recorder stale = new Recorder();
        publisher.handlePoll(SUB, 0, ByteString.copyFromUtf8("old-gcs"), stale);
        assertThat(stale.replies).hasSize(1);
    }

    @Test
    void parkedPollsTimeOutAndSilentSubscribersAreDropped() {
        publisher.handleCommandBatch(SUB, List.of(subscribe(ChannelType.RAY_LOG_CHANNEL, "")));
        Recorder parked = poll(0);
        clock.now = clock.now.plusSeconds(31);
        publisher.expire();
        assertThat(parked.replies).hasSize(1);
        assertThat(parked.replies.get(0).getPubMessagesCount()).isZero();
        assertThat(publisher.subscriberCount()).isEqualTo(1);
        clock.now = clock.now.plusSeconds(301);
        publisher.expire();
        assertThat(publisher.subscriberCount()).isZero();
    }
}
