package dev.stingray.common.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** {@code --address=HOST:PORT} parsing. */
class HostAndPortTest {

    @Test
    void parsesHostAndPort() {
        HostAndPort hp = HostAndPort.parse(" 127.0.0.1:6379 ");

        assertThat(hp.host()).isEqualTo("127.0.0.1");
        assertThat(hp.port()).isEqualTo(6379);
        assertThat(hp).hasToString("127.0.0.1:6379");
        assertThat(HostAndPort.parse("head-node.example:1")).isEqualTo(new HostAndPort("head-node.example", 1));
    }

    @Test
    void missingPortNamesTheValueAndTheExpectedForm() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostAndPort.parse("localhost"))
                .withMessageContaining("'localhost'")
                .withMessageContaining("HOST:PORT");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostAndPort.parse("localhost:"))
                .withMessageContaining("'localhost:'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostAndPort.parse(":6379"))
                .withMessageContaining("':6379'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostAndPort.parse(null))
                .withMessageContaining("HOST:PORT");
    }

    @Test
    void nonNumericPortNamesTheValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostAndPort.parse("localhost:http"))
                .withMessageContaining("'localhost:http'")
                .withMessageContaining("not a number");
    }

    @Test
    void portOutOfRangeNamesThePort() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostAndPort.parse("localhost:70000"))
                .withMessageContaining("'localhost:70000'")
                .withMessageContaining("70000 is outside 1-65535");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> HostAndPort.parse("localhost:0"))
                .withMessageContaining("0 is outside 1-65535");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new HostAndPort("localhost", -1))
                .withMessageContaining("-1");
    }

    @Test
    void ipv6InBracketsIsUnwrappedAndPrintedBackInBrackets() {
        HostAndPort hp = HostAndPort.parse("[::1]:6379");

        assertThat(hp.host()).isEqualTo("::1");
        assertThat(hp.port()).isEqualTo(6379);
        assertThat(hp).hasToString("[::1]:6379");
        assertThat(HostAndPort.parse(hp.toString())).isEqualTo(hp);
    }
}
