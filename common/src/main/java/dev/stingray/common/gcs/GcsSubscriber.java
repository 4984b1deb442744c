package dev.stingray.common.gcs;

import com.google.protobuf.ByteString;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.Command;
import dev.stingray.proto.GcsSubscriberCommandBatchRequest;
import dev.stingray.proto.GcsSubscriberPollReply;
import dev.stingray.proto.GcsSubscriberPollRequest;
import dev.stingray.proto.PubMessage;
import dev.stingray.proto.SubMessage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes to GCS channels and long-polls them on one daemon thread (Ray: {@code
 * src/ray/pubsub/subscriber.cc}). Acknowledges what it processed with {@code
 * max_processed_sequence_id}; when the publisher id changes (the GCS restarted) it subscribes
 * again and starts from the new publisher's sequence.
 *
 * <p>The handler runs on the subscriber thread, in sequence order; it must not block for long.
 */
public final class GcsSubscriber implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GcsSubscriber.class);
    /** How long one poll may stay open at the GCS before it answers empty. */
    static final Duration POLL_DEADLINE = Duration.ofSeconds(60);

    private final GcsClient gcs;
    private final List<ChannelType> channels;
    private final java.util.Set<ByteString> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Consumer<PubMessage> handler;
    private final ByteString subscriberId =
            ByteString.copyFromUtf8(UUID.randomUUID().toString().replace("-", ""));
    private final Thread thread;
    private volatile boolean running = true;

    private ByteString publisherId = ByteString.EMPTY;
    private long maxProcessed;

    /**
     * @param key the first key to subscribe to on every channel, empty for all keys; {@link #subscribe(ByteString)} adds more
     */
    public GcsSubscriber(GcsClient gcs, List<ChannelType> channels, ByteString key, Consumer<PubMessage> handler) {
        this.gcs = gcs;
        this.channels = List.copyOf(channels);
        this.keys.add(key);
        this.handler = handler;
        this.thread = new Thread(this::run, "gcs-subscriber-" + channels);
        this.thread.setDaemon(true);
    }

    public GcsSubscriber start() {
        thread.start();
        return this;
    }

    private void run() {
        boolean subscribed = false;
        long backoffMs = 100;
        while (running) {
            try {
                if (!subscribed) {
                    subscribe();
                    subscribed = true;
                }
                GcsSubscriberPollReply reply = gcs.pubsub()
                        .withDeadlineAfter(POLL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                        .gcsSubscriberPoll(GcsSubscriberPollRequest.newBuilder()
                                .setSubscriberId(subscriberId)
                                .setMaxProcessedSequenceId(maxProcessed)
                                .setPublisherId(publisherId)
                                .build());
                backoffMs = 100;
                if (!reply.getPublisherId().equals(publisherId)) {
                    boolean restarted = !publisherId.isEmpty();
                    publisherId = reply.getPublisherId();
                    maxProcessed = 0;
                    if (restarted) {
                        // A new GCS process knows nothing of this subscriber: subscribe again.
                        log.info("GCS publisher changed; subscribing to {} again", channels);
                        subscribed = false;
                        continue;
                    }
                }
                for (PubMessage message : reply.getPubMessagesList()) {
                    if (message.getSequenceId() <= maxProcessed) {
                        continue;
                    }
                    maxProcessed = message.getSequenceId();
                    try {
                        handler.accept(message);
                    } catch (RuntimeException e) {
                        log.warn("Subscriber handler failed on a {} message", message.getChannelType(), e);
                    }
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.debug("GCS poll failed ({}); retrying in {} ms", e.getMessage(), backoffMs);
                subscribed = false;
                sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 2000);
            }
        }
    }

    /**
     * Subscribes to one more key on every channel of this subscriber (Ray: one subscription per actor
     * a process talks to). A failure to send is repaired when the poll loop subscribes again.
     */
    public void subscribe(ByteString key) {
        if (!keys.add(key)) {
            return;
        }
        try {
            send(List.of(key));
        } catch (RuntimeException e) {
            log.debug("Subscribing to key failed ({}); the poll loop subscribes again", e.getMessage());
        }
    }

    private void subscribe() {
        send(List.copyOf(keys));
    }

    private void send(List<ByteString> toSubscribe) {
        GcsSubscriberCommandBatchRequest.Builder req = GcsSubscriberCommandBatchRequest.newBuilder()
                .setSubscriberId(subscriberId)
                .setSenderId(subscriberId);
        for (ByteString key : toSubscribe) {
            for (ChannelType channel : channels) {
                req.addCommands(Command.newBuilder()
                        .setChannelType(channel)
                        .setKeyId(key)
                        .setSubscribeMessage(SubMessage.getDefaultInstance()));
            }
        }
        gcs.pubsub().withDeadlineAfter(5, TimeUnit.SECONDS).gcsSubscriberCommandBatch(req.build());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
