package dev.stingray.runtime.actor;

import com.google.protobuf.ByteString;
import dev.stingray.proto.TaskSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Orders the method calls an actor's worker receives (Ray: {@code ActorSchedulingQueue}). A plain actor
 * ({@code max_concurrency} 1) runs calls one at a time on the task thread, each caller's in the order of
 * its sequence numbers: a call that arrives early waits for the ones before it. A threaded actor
 * ({@code max_concurrency} &gt; 1) runs up to that many calls at once, in no particular order, as Ray does.
 *
 * <p>Thread-safe: guarded by this object's monitor.
 */
public final class ActorTaskReceiver {

    private static final class CallerQueue {
        long next;
        final TreeMap<Long, Runnable> early = new TreeMap<>();
    }

    private final ExecutorService taskThread;
    private final ClassLoader loader;
    private final Map<ByteString, CallerQueue> callers = new HashMap<>();
    private ExecutorService threads;

    public ActorTaskReceiver(ExecutorService taskThread, ClassLoader loader) {
        this.taskThread = taskThread;
        this.loader = loader;
    }

    /** The actor was created with this {@code max_concurrency}. */
    public synchronized void setMaxConcurrency(int maxConcurrency) {
        if (maxConcurrency > 1 && threads == null) {
            AtomicInteger n = new AtomicInteger();
            threads = Executors.newFixedThreadPool(maxConcurrency, r -> {
                Thread t = new Thread(r, "actor-method-" + n.incrementAndGet());
                t.setDaemon(true);
                t.setContextClassLoader(loader);
                return t;
            });
        }
    }

    /** Runs {@code call} (the execution of {@code spec}) when its turn comes. */
    public synchronized void submit(TaskSpec spec, Runnable call) {
        if (threads != null) {
            threads.execute(call);
            return;
        }
        CallerQueue queue = callers.computeIfAbsent(spec.getCallerAddress().getWorkerId(), k -> new CallerQueue());
        long number = spec.getActorTaskSpec().getSequenceNumber();
        if (number < queue.next) {
            // Sent again by a caller that did not see the reply: run it now rather than never.
            taskThread.execute(call);
            return;
        }
        queue.early.put(number, call);
        while (!queue.early.isEmpty() && queue.early.firstKey() == queue.next) {
            taskThread.execute(queue.early.pollFirstEntry().getValue());
            queue.next++;
        }
    }

    public synchronized void close() {
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}
