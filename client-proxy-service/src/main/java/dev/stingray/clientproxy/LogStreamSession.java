package dev.stingray.clientproxy;

import dev.stingray.proto.LogBatch;
import dev.stingray.proto.client.LogData;
import dev.stingray.proto.client.LogSettingsRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's {@code Logstream} call (Ray: {@code python/ray/util/client/server/logservicer.py}).
 * {@code LogSettingsRequest{enabled=true}} subscribes to the log channel, {@code enabled=false}
 * unsubscribes; the end of the client's stream, an error or a cancellation ends the subscription.
 *
 * <p>Flow control: lines wait in a bounded queue and are sent only while the client's transport is
 * ready; when the queue is full the oldest line is dropped, as the log channel is lossy in Ray too.
 * Threading: requests arrive on gRPC's executor, batches on the subscription's thread, readiness on
 * the transport; every method is synchronized on the session, so the response observer sees one
 * caller at a time.
 */
final class LogStreamSession implements StreamObserver<LogSettingsRequest> {

    private static final Logger log = LoggerFactory.getLogger(LogStreamSession.class);

    private final String clientId;
    private final ServerCallStreamObserver<LogData> out;
    private final LogChannel channel;
    private final int capacity;
    private final ArrayDeque<LogData> queue = new ArrayDeque<>();
    private LogChannel.Subscription subscription;
    private boolean closed;
    private long dropped;

    LogStreamSession(String clientId, ServerCallStreamObserver<LogData> out, LogChannel channel, int capacity) {
        this.clientId = clientId;
        this.out = out;
        this.channel = channel;
        this.capacity = capacity;
        out.setOnReadyHandler(this::drain);
        out.setOnCancelHandler(this::close);
    }

    /** Turns forwarding on or off. The log level only filters the server's own logger in Ray, which Stingray does not forward. */
    @Override
    public synchronized void onNext(LogSettingsRequest settings) {
        if (closed) {
            return;
        }
        if (settings.getEnabled() && subscription == null) {
            log.debug("Client {} enabled log streaming", clientId);
            subscription = channel.subscribe(this::publish);
        } else if (!settings.getEnabled() && subscription != null) {
            log.debug("Client {} disabled log streaming", clientId);
            unsubscribe();
            queue.clear();
        }
    }

    @Override
    public void onError(Throwable t) {
        log.debug("Log stream of client {} failed: {}", clientId, t.toString());
        close();
    }

    /** The client ended its stream: stop, send what is sendable, and end ours (Ray puts None on the queue). */
    @Override
    public synchronized void onCompleted() {
        if (closed) {
            return;
        }
        unsubscribe();
        drain();
        closed = true;
        queue.clear();
        out.onCompleted();
    }

    /** Queues the lines of one batch and sends what the transport accepts. */
    synchronized void publish(LogBatch batch) {
        if (closed || subscription == null) {
            return;
        }
        for (LogData line : WorkerLogFormat.toLogData(batch)) {
            if (queue.size() == capacity) {
                queue.pollFirst();
                dropped++;
            }
            queue.addLast(line);
        }
        drain();
    }

    private synchronized void drain() {
        while (!closed && !queue.isEmpty() && out.isReady()) {
            out.onNext(queue.pollFirst());
        }
    }

    private synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        unsubscribe();
        queue.clear();
    }

    private void unsubscribe() {
        if (subscription != null) {
            subscription.cancel();
            subscription = null;
        }
        if (dropped > 0) {
            log.info("Dropped {} log lines for client {}: it read them slower than the cluster wrote them", dropped, clientId);
            dropped = 0;
        }
    }

    /** Lines waiting for the client (for tests). */
    synchronized int queued() {
        return queue.size();
    }
}
