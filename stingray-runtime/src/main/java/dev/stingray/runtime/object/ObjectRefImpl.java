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
 * directory). {@link #get()} goes through the runtime of the current process.
 */
public final class ObjectRefImpl<T> implements ObjectRef<T> {

    private final ByteString id;
    private final Address owner;

    public ObjectRefImpl(ByteString id, Address owner) {
        this.id = id;
        this.owner = owner;
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
