package dev.stingray.runtime.object;

import com.google.protobuf.ByteString;
import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This process's local reference counts (Ray: the local part of {@code ReferenceCounter}, driven by the
 * Java garbage collector as in Ray's Java worker): how many {@link ObjectRefImpl} instances of each object
 * id are alive (and of a Ray Client's {@code ClientObjectRef}s). When the last one is collected or
 * {@linkplain ObjectRefImpl#dispose disposed}, the listeners are told the id is unreferenced here: core
 * workers drop their copy (an owner frees the object, in its node's store too), a Ray Client releases it
 * from its session.
 *
 * <p>An id that {@linkplain #markEscaped escaped} — was serialized into another value, so some other
 * process may hold it without this one knowing — is reported as such, and core workers keep it:
 * Stingray has no borrower protocol, so such objects live until {@code Ray.free} or the end of their
 * owner's job. Refs passed directly as task arguments do not escape; the submitter holds them until the
 * task finishes.
 *
 * <p>Thread-safe; listeners run on the cleaner thread and must not block.
 */
public final class ReferenceCounter {

    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "object-ref-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final Map<ByteString, Integer> LIVE = new ConcurrentHashMap<>();
    private static final Set<ByteString> ESCAPED = ConcurrentHashMap.newKeySet();
    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();

    /** Told when no ref instance of an id is alive in this process any more. */
    @FunctionalInterface
    public interface Listener {
        /** @param escaped whether the id was serialized into a value by this process */
        void unreferenced(ByteString id, boolean escaped);
    }

    private ReferenceCounter() {
    }

    /**
     * Counts a new ref instance of {@code id} until the garbage collector finds it unreachable, or until
     * the returned cleanable is run (at most once either way).
     */
    public static Cleaner.Cleanable track(Object ref, ByteString id) {
        LIVE.merge(id, 1, Integer::sum);
        return CLEANER.register(ref, () -> release(id));
    }

    private static void release(ByteString id) {
        if (LIVE.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1) != null) {
            return;
        }
        boolean escaped = ESCAPED.contains(id);
        for (Listener listener : LISTENERS) {
            listener.unreferenced(id, escaped);
        }
    }

    /** The id was serialized into a value: core workers keep it when this process drops it. */
    public static void markEscaped(ByteString id) {
        ESCAPED.add(id);
    }

    /** Forgets an id that was freed explicitly (Ray.free or job end). */
    public static void forget(ByteString id) {
        ESCAPED.remove(id);
    }

    /** Whether a ref instance of the id is alive in this process, or the id escaped. */
    public static boolean isReferenced(ByteString id) {
        return LIVE.containsKey(id) || ESCAPED.contains(id);
    }

    /** How many ref instances of the id are alive in this process. */
    public static int liveRefs(ByteString id) {
        return LIVE.getOrDefault(id, 0);
    }

    /** Registers a listener for ids that become unreferenced; the returned action unregisters it. */
    public static Runnable onUnreferenced(Listener listener) {
        LISTENERS.add(listener);
        return () -> LISTENERS.remove(listener);
    }
}
