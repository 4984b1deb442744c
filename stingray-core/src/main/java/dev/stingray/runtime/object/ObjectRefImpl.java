package dev.stingray.runtime.object;

import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import dev.stingray.proto.ObjectReference;
import dev.stingray.runtime.StingrayRuntime;
import io.ray.api.ObjectRef;
import io.ray.api.id.ObjectId;
import java.util.HexFormat;

/**
 * An {@link ObjectRef}: the object's id and the address of its owner (the worker that created it),
 * so any process holding the ref can fetch the value from the owner (Ray: ownership-based object
 * directory). {@link #get()} goes through the runtime of the current process. Every instance is
 * counted by {@link ReferenceCounter} until it is garbage collected.
 */
public final class ObjectRefImpl<T> implements ObjectRef<T> {

    private final ByteString id;
    private final Address owner;
    private final java.lang.ref.Cleaner.Cleanable counted;

    public ObjectRefImpl(ByteString id, Address owner) {
        this.id = id;
        this.owner = owner;
        this.counted = ReferenceCounter.track(this, id);
    }

    /**
     * Stops counting this instance now instead of when it is garbage collected: for holders that drop a
     * ref deterministically (a Ray Client session releasing a client's object). Idempotent.
     */
    public void dispose() {
        counted.clean();
    }

    public static <T> ObjectRefImpl<T> of(ObjectReference reference) {
        return new ObjectRefImpl<>(reference.getObjectId(), reference.getOwnerAddress());
    }

    public ByteString id() {
        return id;
    }

    public Address owner() {
        return owner;
    }

    public ObjectId objectId() {
        return new ObjectId(id.toByteArray());
    }

    public ObjectReference toReference() {
        return ObjectReference.newBuilder().setObjectId(id).setOwnerAddress(owner).build();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get() {
        return (T) StingrayRuntime.current().coreWorker().getValue(this);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get(long timeoutMs) {
        return (T) StingrayRuntime.current().coreWorker().getValue(this, timeoutMs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectRefImpl<?> other && other.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "ObjectRef(" + HexFormat.of().formatHex(id.toByteArray()) + ")";
    }
}
