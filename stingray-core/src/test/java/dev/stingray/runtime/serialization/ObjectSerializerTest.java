package dev.stingray.runtime.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import dev.stingray.proto.RayObject;
import dev.stingray.runtime.object.ObjectRefImpl;
import io.ray.api.exception.RayTaskException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectSerializerTest {

    private final ObjectSerializer serializer = new ObjectSerializer(getClass().getClassLoader());

    record Point(int x, String label) {
    }

    @Test
    void bytesTravelRawAndObjectsWithKryo() {
        RayObject raw = serializer.serialize(new byte[] {1, 2, 3});
        assertThat(raw.getMetadata()).isEqualTo(ObjectSerializer.RAW);
        assertThat((byte[]) serializer.deserialize(raw)).containsExactly(1, 2, 3);

        Map<String, List<Integer>> map = new HashMap<>();
        map.put("k", new ArrayList<>(List.of(1, 2)));
        RayObject kryo = serializer.serialize(map);
        assertThat(kryo.getMetadata()).isEqualTo(ObjectSerializer.KRYO);
        assertThat(serializer.deserialize(kryo)).isEqualTo(map);
        assertThat(serializer.deserialize(serializer.serialize(new Point(3, "p")))).isEqualTo(new Point(3, "p"));
        assertThat(serializer.deserialize(serializer.serialize(List.of(1, 2, 3)))).isEqualTo(List.of(1, 2, 3));
        assertThat(serializer.deserialize(serializer.serialize(null))).isNull();
    }

    @Test
    void nestedObjectRefsAreRecorded() {
        Address owner = Address.newBuilder().setIpAddress("127.0.0.1").setPort(1234).build();
        ObjectRefImpl<Integer> ref = new ObjectRefImpl<>(ByteString.copyFromUtf8("0123456789012345678901234567"), owner);
        ObjectRefImpl<Integer> other = new ObjectRefImpl<>(ByteString.copyFromUtf8("abcdefghijabcdefghijabcdefgh"), owner);
        RayObject value = serializer.serialize(List.of(ref, other, ref));
        // Each distinct ref once: the repeated one is a back-reference.
        assertThat(value.getNestedRefsList()).hasSize(2).allSatisfy(r -> assertThat(r.getOwnerAddress()).isEqualTo(owner));
        @SuppressWarnings("unchecked")
        List<ObjectRefImpl<Integer>> back = (List<ObjectRefImpl<Integer>>) serializer.deserialize(value);
        assertThat(back.get(0)).isEqualTo(ref);
        assertThat(back.get(0).owner()).isEqualTo(owner);
    }

    @Test
    void errorsKeepTheirTypeMessageAndCause() {
        RayObject error = serializer.serializeError(new RayTaskException(7, "10.0.0.1", "boom", new IllegalStateException("root")));
        assertThat(ObjectSerializer.isError(error)).isTrue();
        Object back = serializer.deserialize(error);
        assertThat(back).isInstanceOf(RayTaskException.class);
        assertThat(((RayTaskException) back).getMessage()).contains("boom");
        assertThat(((RayTaskException) back).getCause()).isInstanceOf(IllegalStateException.class).hasMessage("root");
    }
}
