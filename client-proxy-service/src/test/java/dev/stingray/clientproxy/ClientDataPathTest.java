package dev.stingray.clientproxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.stingray.proto.Address;
import dev.stingray.proto.ObjectReference;
import dev.stingray.proto.RayObject;
import dev.stingray.proto.client.ClientObjects;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The zero-copy encodings of the data path are ordinary protobuf on the wire. */
class ClientDataPathTest {

    private static final RayObject WITH_REFS = RayObject.newBuilder().setData(ByteString.copyFromUtf8("payload"))
            .setMetadata(ByteString.copyFromUtf8("KRYO"))
            .addNestedRefs(ObjectReference.newBuilder().setObjectId(ByteString.copyFromUtf8("id"))
                    .setOwnerAddress(Address.newBuilder().setIpAddress("10.0.0.1").setPort(7)))
            .build();
    private static final RayObject EMPTY_RAW = RayObject.newBuilder().setMetadata(ByteString.copyFromUtf8("RAW")).build();

    @Test
    void sharedDataSerializationParsesAsClientObjects() throws Exception {
        ByteString bytes = ClientDataPath.serializeSharingData(List.of(WITH_REFS, EMPTY_RAW));
        assertThat(ClientObjects.parseFrom(bytes).getObjectsList()).containsExactly(WITH_REFS, EMPTY_RAW);
    }

    @Test
    void sharedDataParsingReadsAnyRayObjectLayout() throws Exception {
        ByteString chunked = ByteString.copyFrom(List.of(WITH_REFS.toByteString().substring(0, 5), WITH_REFS.toByteString().substring(5)));
        assertThat(ClientDataPath.parseSharingData(chunked)).isEqualTo(WITH_REFS);
        assertThat(ClientDataPath.parseSharingData(EMPTY_RAW.toByteString())).isEqualTo(EMPTY_RAW);
    }
}
