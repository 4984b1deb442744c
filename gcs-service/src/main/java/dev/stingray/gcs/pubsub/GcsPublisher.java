package dev.stingray.gcs.pubsub;

import com.google.protobuf.ByteString;
import dev.stingray.proto.ChannelType;
import dev.stingray.proto.Command;
import dev.stingray.proto.GcsSubscriberPollReply;
import dev.stingray.proto.PubMessage;
import io.grpc.stub.StreamObserver;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The GCS side of publish/subscribe (Ray: {@code src/ray/pubsub/publisher.cc}). Each subscriber has a
 * mailbox; every published message gets the next sequence id and is queued for every subscriber of
 * its channel (all keys or that key). A poll answers at once with up to {@code maxBatch} queued
 * messages, or is parked until something arrives or the poll timeout passes. Acknowledged messages
 * ({@code max_processed_sequence_id}) are dropped. Lossy channels (log, error info, resource usage)
 * keep at most {@code lossyBufferPerSubscriber} messages per subscriber, dropping the oldest; the
 * others never drop. Subscribers that stop polling are removed after {@code subscriberTimeout}.
 *
 * <p>Thread-safe: all state is guarded by this object's monitor; replies are sent outside it.
 */
public final class GcsPublisher {

    static final Set<ChannelType> LOSSY = EnumSet.of(
            ChannelType.RAY_LOG_CHANNEL, ChannelType.RAY_ERROR_INFO_CHANNEL, ChannelType.RAY_NODE_RESOURCE_USAGE_CHANNEL);

    private static final class Subscriber {
        final Map<ChannelType, Set<ByteString>> subscriptions = new HashMap<>();
        final Deque<PubMessage> mailbox = new ArrayDeque<>();
        int lossyCount;
        StreamObserver<GcsSubscriberPollReply> parkedPoll;
        Instant parkedAt;
        Instant lastSeen;

        boolean wants(PubMessage m) {
            Set<ByteString> keys = subscriptions.get(m.getChannelType());
            return keys != null && (keys.contains(ByteString.EMPTY) || keys.contains(m.getKeyId()));
        }
    }

    private record Delivery(StreamObserver<GcsSubscriberPollReply> observer, GcsSubscriberPollReply reply) {
        void send() {
            try {
                observer.onNext(reply);
                observer.onCompleted();
            } catch (RuntimeException e) {
                // The poller went away (cancelled call); it will poll again or time out.
            }
        }
    }

    private final ByteString publisherId;
    private final Clock clock;
    private final Duration pollTimeout;
    private final Duration subscriberTimeout;
    private final int maxBatch;
    private final int lossyBufferPerSubscriber;
    private final Map<ByteString, Subscriber> subscribers = new HashMap<>();
    private long nextSequenceId = 1;

    public GcsPublisher(Clock clock, Duration pollTimeout, Duration subscriberTimeout, int maxBatch, int lossyBufferPerSubscriber) {
        byte[] id = new byte[28];
        new SecureRandom().nextBytes(id);
        this.publisherId = ByteString.copyFrom(id);
        this.clock = clock;
        this.pollTimeout = pollTimeout;
        this.subscriberTimeout = subscriberTimeout;
        this.maxBatch = maxBatch;
        this.lossyBufferPerSubscriber = lossyBufferPerSubscriber;
    }

    /** Random per GCS process: a subscriber that sees it change knows the GCS restarted. */
    public ByteString publisherId() {
        return publisherId;
    }

    /** Publishes one message to every interested subscriber; the sequence id is assigned here. */
    public void publish(ChannelType channel, ByteString key, PubMessage.Builder message) {
        Delivery delivery = null;
        java.util.List<Delivery> deliveries = new java.util.ArrayList<>();
        synchronized (this) {
            PubMessage m = message.setChannelType(channel).setKeyId(key).setSequenceId(nextSequenceId++).build();
            for (Subscriber s : subscribers.values()) {
                if (!s.wants(m)) {
                    continue;
                }
                enqueue(s, m);
                delivery = takeParked(s);
                if (delivery != null) {
                    deliveries.add(delivery);
                }
            }
        }
        deliveries.forEach(Delivery::send);
    }

    private void enqueue(Subscriber s, PubMessage m) {
        s.mailbox.addLast(m);
        if (LOSSY.contains(m.getChannelType())) {
            s.lossyCount++;
            if (s.lossyCount > lossyBufferPerSubscriber) {
                for (Iterator<PubMessage> it = s.mailbox.iterator(); it.hasNext(); ) {
                    if (LOSSY.contains(it.next().getChannelType())) {
                        it.remove();
                        s.lossyCount--;
                        break;
                    }
                }
            }
        }
    }

    /** Ray's {@code GcsSubscriberCommandBatch}: subscribe or unsubscribe channels (and keys). */
    public synchronized void handleCommandBatch(ByteString subscriberId, Iterable<Command> commands) {
        Subscriber s = subscribers.computeIfAbsent(subscriberId, id -> new Subscriber());
        s.lastSeen = clock.instant();
        for (Command c : commands) {
            if (c.hasUnsubscribeMessage()) {
                Set<ByteString> keys = s.subscriptions.get(c.getChannelType());
                if (keys != null) {
                    keys.remove(c.getKeyId());
                    if (keys.isEmpty()) {
                        s.subscriptions.remove(c.getChannelType());
                    }
                }
            } else {
                s.subscriptions.computeIfAbsent(c.getChannelType(), k -> new HashSet<>()).add(c.getKeyId());
            }
        }
    }

    /**
     * Ray's {@code GcsSubscriberPoll}. An unknown subscriber (e.g. after a GCS restart) or a stale
     * publisher id is answered at once with this publisher's id so the subscriber resubscribes.
     */
    public void handlePoll(ByteString subscriberId, long maxProcessedSequenceId, ByteString knownPublisherId,
            StreamObserver<GcsSubscriberPollReply> observer) {
        Delivery now;
        synchronized (this) {
            Subscriber s = subscribers.get(subscriberId);
            if (s == null || (!knownPublisherId.isEmpty() && !knownPublisherId.equals(publisherId))) {
                now = new Delivery(observer, GcsSubscriberPollReply.newBuilder().setPublisherId(publisherId).build());
            } else {
                s.lastSeen = clock.instant();
                while (!s.mailbox.isEmpty() && s.mailbox.peekFirst().getSequenceId() <= maxProcessedSequenceId) {
                    if (LOSSY.contains(s.mailbox.pollFirst().getChannelType())) {
                        s.lossyCount--;
                    }
                }
                Delivery previous = null;
                if (s.parkedPoll != null) {
                    // A newer poll replaces an older one; answer the old one empty.
                    previous = new Delivery(s.parkedPoll, GcsSubscriberPollReply.newBuilder().setPublisherId(publisherId).build());
                    s.parkedPoll = null;
                }
                if (previous != null) {
                    previous.send();
                }
                if (s.mailbox.isEmpty()) {
                    s.parkedPoll = observer;
                    s.parkedAt = clock.instant();
                    return;
                }
                now = new Delivery(observer, batch(s));
            }
        }
        now.send();
    }

    private GcsSubscriberPollReply batch(Subscriber s) {
        GcsSubscriberPollReply.Builder reply = GcsSubscriberPollReply.newBuilder().setPublisherId(publisherId);
        int n = 0;
        for (PubMessage m : s.mailbox) {
            if (n++ >= maxBatch) {
                break;
            }
            reply.addPubMessages(m);
        }
        return reply.build();
    }

    private Delivery takeParked(Subscriber s) {
        if (s.parkedPoll == null) {
            return null;
        }
        Delivery d = new Delivery(s.parkedPoll, batch(s));
        s.parkedPoll = null;
        return d;
    }

    /** Answers polls parked longer than the poll timeout and drops subscribers gone too long. */
    public void expire() {
        java.util.List<Delivery> deliveries = new java.util.ArrayList<>();
        synchronized (this) {
            Instant now = clock.instant();
            for (Iterator<Map.Entry<ByteString, Subscriber>> it = subscribers.entrySet().iterator(); it.hasNext(); ) {
                Subscriber s = it.next().getValue();
                if (s.parkedPoll != null && Duration.between(s.parkedAt, now).compareTo(pollTimeout) >= 0) {
                    deliveries.add(new Delivery(s.parkedPoll, GcsSubscriberPollReply.newBuilder().setPublisherId(publisherId).build()));
                    s.parkedPoll = null;
                    s.lastSeen = now;
                }
                if (s.parkedPoll == null && Duration.between(s.lastSeen, now).compareTo(subscriberTimeout) > 0) {
                    it.remove();
                }
            }
        }
        deliveries.forEach(Delivery::send);
    }

    public synchronized int subscriberCount() {
        return subscribers.size();
    }
}
