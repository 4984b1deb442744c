package dev.stingray.runtime.actor;

import com.google.protobuf.ByteString;
import io.ray.api.ActorHandle;
import io.ray.api.id.ActorId;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Stingray's handle of a Java actor (Ray: {@code NativeActorHandle}). It is only the actor's id and the
 * number of times a failed call is retried ({@code max_task_retries}), so it can be passed to tasks and
 * other actors inside any value; the process that calls through it learns the actor's address from the GCS.
 *
 * @param <A> the actor's class
 */
public final class ActorHandleImpl<A> implements ActorHandle<A>, Serializable {

    private static final long serialVersionUID = 1L;

    private final byte[] actorId;
    private final int maxTaskRetries;

    public ActorHandleImpl(ByteString actorId, int maxTaskRetries) {
        this.actorId = actorId.toByteArray();
        this.maxTaskRetries = maxTaskRetries;
    }

    @Override
    public ActorId getId() {
        return ActorId.fromBytes(actorId);
    }

    public ByteString id() {
        return ByteString.copyFrom(actorId);
    }

    /** How often a call that fails because the actor died is retried (-1 = without limit). */
    public int maxTaskRetries() {
        return maxTaskRetries;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActorHandleImpl<?> other && Arrays.equals(actorId, other.actorId);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(actorId);
    }

    @Override
    public String toString() {
        return "ActorHandle(" + HexFormat.of().formatHex(actorId) + ")";
    }
}
