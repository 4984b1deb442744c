package dev.stingray.clientproxy;

import dev.stingray.proto.LogBatch;
import java.util.function.Consumer;

/**
 * The cluster's log channel as the log streamer sees it: a source of {@link LogBatch}es that can be
 * subscribed to and unsubscribed from. In production this is the GCS's {@code RAY_LOG_CHANNEL}.
 */
@FunctionalInterface
interface LogChannel {

    /** Starts delivering batches to {@code handler} (on a thread of the channel) until the subscription is cancelled. */
    Subscription subscribe(Consumer<LogBatch> handler);

    /** A running subscription. */
    @FunctionalInterface
    interface Subscription {
        /** Stops delivery; idempotent. */
        void cancel();
    }
}
