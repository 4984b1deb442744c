package dev.stingray.runtime.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import dev.stingray.proto.ObjectReference;
import dev.stingray.proto.RayObject;
import dev.stingray.runtime.client.ClientObjectRef;
import dev.stingray.runtime.object.ObjectRefImpl;
import io.ray.api.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Turns task arguments, returns and put values into {@link RayObject}s and back: {@code byte[]} as raw
 * bytes, everything else with Kryo 5, exceptions with Java serialization inside Kryo. ObjectRefs nested
 * in a value are recorded in {@code nested_refs}. Cluster-internal data is trusted, like Ray's pickle:
 * never deserialize data from an untrusted source.
 *
 * <p>Thread-safe: one Kryo instance per thread.
 */
public final class ObjectSerializer {

    public static final ByteString RAW = ByteString.copyFromUtf8("RAW");
    public static final ByteString KRYO = ByteString.copyFromUtf8("KRYO");
    public static final ByteString ERROR = ByteString.copyFromUtf8("ERROR");

    private static final ThreadLocal<List<ObjectReference>> NESTED = new ThreadLocal<>();

    private final ThreadLocal<Kryo> kryo;

    public ObjectSerializer(ClassLoader classLoader) {
        this(classLoader, ObjectRefImpl::new);
    }

    /**
     * A serializer whose deserialized ObjectRefs are made by {@code refs} (a Ray Client makes its own
     * client refs); in-cluster processes use {@link ObjectRefImpl}.
     */
    public ObjectSerializer(ClassLoader classLoader, BiFunction<ByteString, Address, ObjectRef<?>> refs) {
        this.kryo = ThreadLocal.withInitial(() -> newKryo(classLoader, refs));
    }

    private static Kryo newKryo(ClassLoader classLoader, BiFunction<ByteString, Address, ObjectRef<?>> refs) {
        Kryo k = new Kryo();
        k.setRegistrationRequired(false);
        k.setReferences(true);
        k.setClassLoader(classLoader);
        k.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        k.addDefaultSerializer(Throwable.class, new JavaSerializer());
        ObjectRefSerializer refSerializer = new ObjectRefSerializer(refs);
        k.addDefaultSerializer(ObjectRefImpl.class, refSerializer);
        k.addDefaultSerializer(ClientObjectRef.class, refSerializer);
        return k;
    }

    /** Serializes a value; ObjectRefs inside it are listed in {@code nested_refs}. */
    public RayObject serialize(Object value) {
        if (value instanceof byte[] bytes) {
            return RayObject.newBuilder().setData(ByteString.copyFrom(bytes)).setMetadata(RAW).build();
        }
        List<ObjectReference> nested = new ArrayList<>();
        NESTED.set(nested);
        try (Output out = new Output(256, -1)) {
            kryo.get().writeClassAndObject(out, value);
            return RayObject.newBuilder().setData(ByteString.copyFrom(out.getBuffer(), 0, out.position())).setMetadata(KRYO)
                    .addAllNestedRefs(nested).build();
        } finally {
            NESTED.remove();
        }
    }

    /** Serializes a task error; {@link #deserialize} of it returns the throwable. */
    public RayObject serializeError(Throwable error) {
        try (Output out = new Output(1024, -1)) {
            kryo.get().writeClassAndObject(out, error);
            return RayObject.newBuilder().setData(ByteString.copyFrom(out.getBuffer(), 0, out.position())).setMetadata(ERROR).build();
        }
    }

    public static boolean isError(RayObject object) {
        return object.getMetadata().equals(ERROR);
    }

    public Object deserialize(RayObject object) {
        if (object.getMetadata().equals(RAW)) {
            return object.getData().toByteArray();
        }
        try (Input in = new Input(object.getData().newInput())) {
            return kryo.get().readClassAndObject(in);
        }
    }

    /**
     * Writes an ObjectRef (in-cluster or a Ray Client's) as id + owner address and records it as nested
     * in the enclosing value; reads it back as the process's kind of ref, so a client's ref becomes an
     * in-cluster ref on a worker and the other way round.
     */
    static final class ObjectRefSerializer extends Serializer<ObjectRef<?>> {

        private final BiFunction<ByteString, Address, ObjectRef<?>> refs;

        ObjectRefSerializer(BiFunction<ByteString, Address, ObjectRef<?>> refs) {
            this.refs = refs;
        }

        @Override
        public void write(Kryo kryo, Output output, ObjectRef<?> value) {
            ObjectReference ref = value instanceof ClientObjectRef<?> client ? client.toReference() : ((ObjectRefImpl<?>) value).toReference();
            byte[] id = ref.getObjectId().toByteArray();
            byte[] owner = ref.getOwnerAddress().toByteArray();
            output.writeVarInt(id.length, true);
            output.writeBytes(id);
            output.writeVarInt(owner.length, true);
            output.writeBytes(owner);
            List<ObjectReference> nested = NESTED.get();
            // Another process may hold it from now on: it is no longer freed when this one drops it.
            dev.stingray.runtime.object.ReferenceCounter.markEscaped(ref.getObjectId());
            if (nested != null) {
                nested.add(ref);
            }
        }

        @Override
        public ObjectRef<?> read(Kryo kryo, Input input, Class<? extends ObjectRef<?>> type) {
            byte[] id = input.readBytes(input.readVarInt(true));
            byte[] owner = input.readBytes(input.readVarInt(true));
            try {
                return refs.apply(ByteString.copyFrom(id), Address.parseFrom(owner));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException("Corrupt ObjectRef in a serialized value", e);
            }
        }
    }
}
