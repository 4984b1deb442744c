package dev.stingray.runtime.client;

import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import dev.stingray.proto.ObjectReference;
import io.ray.api.ObjectRef;
import java.util.HexFormat;

/**
 * An {@link ObjectRef} held by a Ray Client (Ray: {@code python/ray/util/client/common.py::ClientObjectRef}):
 * the id of an object of the client's session on the Ray Client server, and the object's owner (the
 * session's driver, or the worker that created a nested ref), so that it serializes exactly like an
 * in-cluster ref when passed inside a task argument. {@link #get()} asks the client server. Instances are
 * counted by {@link dev.stingray.runtime.object.ReferenceCounter}: when the client holds none of an id
 * any more, {@link ClientRuntime} releases it from the session (Ray: {@code ClientObjectRef.__del__}).
 */
public final class ClientObjectRef<T> implements ObjectRef<T> {

    private final ByteString id;
    private final Address owner;

    public ClientObjectRef(ByteString id, Address owner) {
        this.id = id;
        this.owner = owner;
        dev.stingray.runtime.object.ReferenceCounter.track(this, id);
    }

    public ByteString id() {
        return id;
    }

    public Address owner() {
        return owner;
    }

    public ObjectReference toReference() {
        return ObjectReference.newBuilder().setObjectId(id).setOwnerAddress(owner).build();
    }

    @Override
    public T get() {
        return ClientRuntime.current().get(this);
    }

    @Override
    public T get(long timeoutMs) {
        return ClientRuntime.current().get(this, timeoutMs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientObjectRef<?> other && other.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "ClientObjectRef(" + HexFormat.of().formatHex(id.toByteArray()) + ")";
    }
}
