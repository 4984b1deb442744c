package dev.stingray.e2e.actors;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A threaded actor's probe: each call waits (up to 20 s) until {@code expected} calls run at once and
 * returns how many ran at once at most. A plain actor would never see more than one.
 */
public class ConcurrencyProbe {

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();

    public int meet(int expected) throws InterruptedException {
        int now = running.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
        long deadline = System.currentTimeMillis() + 20_000;
        synchronized (this) {
            notifyAll();
            while (most.get() < expected && System.currentTimeMillis() < deadline) {
                wait(100);
            }
        }
        running.decrementAndGet();
        return most.get();
    }
}
