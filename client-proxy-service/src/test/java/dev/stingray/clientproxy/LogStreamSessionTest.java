package dev.stingray.clientproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.proto.LogBatch;
import dev.stingray.proto.client.LogData;
import dev.stingray.proto.client.LogSettingsRequest;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LogStreamSessionTest {

    private final TestingResponseObserver out = new TestingResponseObserver();
    private final TestingLogChannel channel = new TestingLogChannel();
    private final LogStreamSession session = new LogStreamSession("c1", out, channel, 3);

    @Test
    void nothingIsForwardedBeforeEnabled() {
        session.publish(batch("early"));

        assertThat(channel.subscribed()).isFalse();
        assertThat(out.sent).isEmpty();
    }

    @Test
    void slowClientLosesTheOldestLinesOnly() {
        session.onNext(enabled(true));
        out.ready = false;

        channel.deliver(batch("1", "2", "3", "4", "5"));
        assertThat(out.sent).isEmpty();
        assertThat(session.queued()).isEqualTo(3);

        out.becomeReady();

        assertThat(out.sent).extracting(LogData::getMsg).containsExactly(
                "(pid=1, ip=h) 3", "(pid=1, ip=h) 4", "(pid=1, ip=h) 5");
    }

    @Test
    void disablingUnsubscribesAndEnablingAgainSubscribesAgain() {
        session.onNext(enabled(true));
        session.onNext(enabled(true));
        assertThat(channel.subscriptions).isEqualTo(1);

        session.onNext(enabled(false));
        assertThat(channel.subscribed()).isFalse();

        session.onNext(enabled(true));
        channel.deliver(batch("again"));
        assertThat(channel.subscriptions).isEqualTo(2);
        assertThat(out.sent).extracting(LogData::getMsg).containsExactly("(pid=1, ip=h) again");
    }

    @Test
    void clientEndingTheStreamUnsubscribesAndCompletes() {
        session.onNext(enabled(true));

        session.onCompleted();

        assertThat(channel.subscribed()).isFalse();
        assertThat(out.completed).isTrue();
    }

    @Test
    void cancellationUnsubscribesAndSendsNothingMore() {
        session.onNext(enabled(true));

        out.cancel();
        session.publish(batch("late"));

        assertThat(channel.subscribed()).isFalse();
        assertThat(out.sent).isEmpty();
        assertThat(out.completed).isFalse();
    }

    private static LogSettingsRequest enabled(boolean enabled) {
        return LogSettingsRequest.newBuilder().setEnabled(enabled).build();
    }

    private static LogBatch batch(String... lines) {
        return LogBatch.newBuilder().setPid("1").setIp("h").addAllLines(List.of(lines)).build();
    }

    /** A log channel the test feeds by hand. */
    private static final class TestingLogChannel implements LogChannel {
        Consumer<LogBatch> handler;
        int subscriptions;

        @Override
        public Subscription subscribe(Consumer<LogBatch> handler) {
            this.handler = handler;
            subscriptions++;
            return () -> this.handler = null;
        }

        boolean subscribed() {
            return handler != null;
        }

        void deliver(LogBatch batch) {
            handler.accept(batch);
        }
    }

    /** A response observer whose readiness the test controls. */
    private static final class TestingResponseObserver extends ServerCallStreamObserver<LogData> {
        final List<LogData> sent = new ArrayList<>();
        boolean ready = true;
        boolean completed;
        Runnable onReady;
        Runnable onCancel;

        void becomeReady() {
            ready = true;
            onReady.run();
        }

        void cancel() {
            onCancel.run();
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable onCancelHandler) {
            this.onCancel = onCancelHandler;
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable onReadyHandler) {
            this.onReady = onReadyHandler;
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void onNext(LogData value) {
            sent.add(value);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }
}
