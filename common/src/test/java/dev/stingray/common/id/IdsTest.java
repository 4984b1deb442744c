package dev.stingray.common.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** {@link NodeId} and {@link JobId}: sizes, hex form and Ray's little-endian job counter. */
class IdsTest {

    @Test
    void nodeIdRoundTripsThroughHex() {
        NodeId id = NodeId.random();

        assertThat(id.hex()).hasSize(56).matches("[0-9a-f]{56}");
        assertThat(NodeId.fromHex(id.hex())).isEqualTo(id);
        assertThat(NodeId.fromBytes(id.bytes())).isEqualTo(id);
        assertThat(id).hasToString(id.hex());
        assertThat(NodeId.random()).isNotEqualTo(id);
        assertThat(NodeId.fromHex(id.hex().toUpperCase())).isEqualTo(id);
    }

    @Test
    void nodeIdOfWrongLengthNamesTheValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeId.fromHex("abcd"))
                .withMessageContaining("'abcd'")
                .withMessageContaining("56 hex characters");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeId.fromHex(null))
                .withMessageContaining("56 hex characters");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeId.fromBytes(ByteString.copyFrom(new byte[27])))
                .withMessageContaining("28 bytes")
                .withMessageContaining("got 27");
    }

    @Test
    void nodeIdThatIsNotHexNamesTheValue() {
        String bad = "zz" + "0".repeat(54);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NodeId.fromHex(bad))
                .withMessageContaining("'" + bad + "'")
                .withMessageContaining("not hexadecimal");
    }

    @Test
    void jobIdFromIntIsLittleEndianAsRay() {
        assertThat(JobId.fromInt(1).hex()).isEqualTo("01000000");
        assertThat(JobId.fromInt(0x01020304).hex()).isEqualTo("04030201");
        assertThat(JobId.fromInt(256).hex()).isEqualTo("00010000");
    }

    @Test
    void jobIdRoundTripsThroughHexAndInt() {
        JobId id = JobId.fromInt(12345);

        assertThat(JobId.fromHex(id.hex())).isEqualTo(id);
        assertThat(JobId.fromHex(id.hex()).toInt()).isEqualTo(12345);
        assertThat(id).hasToString(id.hex());
    }

    @Test
    void jobIdOfWrongLengthNamesTheValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobId.fromHex("010000"))
                .withMessageContaining("'010000'")
                .withMessageContaining("8 hex characters");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JobId(ByteString.copyFrom(new byte[5])))
                .withMessageContaining("4 bytes");
    }
}
