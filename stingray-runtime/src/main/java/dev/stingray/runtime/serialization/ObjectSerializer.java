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
import dev.stingray.runtime.object.ObjectRefImpl;
import java.util.ArrayList;
import java.util.List;
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
        this.kryo = ThreadLocal.withInitial(() -> newKryo(classLoader));
    }

    private static Kryo newKryo(ClassLoader classLoader) {
        Kryo k = new Kryo();
        k.setRegistrationRequired(false);
        k.setReferences(true);
        k.setClassLoader(classLoader);
        k.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        k.addDefaultSerializer(Throwable.class, new JavaSerializer());
        k.addDefaultSerializer(ObjectRefImpl.class, new ObjectRefSerializer());
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

    /** Writes an ObjectRef as id + owner address and records it as nested in the enclosing value. */
    static final class ObjectRefSerializer extends Serializer<ObjectRefImpl<?>> {
        @Override
        public void write(Kryo kryo, Output output, ObjectRefImpl<?> ref) {
            byte[] id = ref.id().toByteArray();
            byte[] owner = ref.owner().toByteArray();
            output.writeVarInt(id.length, true);
            output.writeBytes(id);
            output.writeVarInt(owner.length, true);
            output.writeBytes(owner);
            List<ObjectReference> nested = NESTED.get();
            if (nested != null) {
                nested.add(ref.toReference());
            }
        }

        @Override
        public ObjectRefImpl<?> read(Kryo kryo, Input input, Class<? extends ObjectRefImpl<?>> type) {
            byte[] id = input.readBytes(input.readVarInt(true));
            byte[] owner = input.readBytes(input.readVarInt(true));
            try {
                return new ObjectRefImpl<>(ByteString.copyFrom(id), Address.parseFrom(owner));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException("Corrupt ObjectRef in a serialized value", e);
            }
        }
    }
}
