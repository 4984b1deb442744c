package dev.stingray.common.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stingray.common.session.SessionDir;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeOptionsTest {

    @TempDir
    Path temp;

    @Test
    void laterFlagsOverrideEarlierOnesSoHeadArgsOverrideTheEmbeddedDefaults() {
        NodeOptions options = NodeOptions.parse(List.of("--head", "--port=0", "--include-ray-client-server=false", "--num-cpus=1",
                "--port=7000", "--num-cpus=3"));

        assertThat(options.port()).isEqualTo(7000);
        assertThat(options.includesRayClientServer()).isFalse();
        SessionDir session = new SessionDir(temp);
        assertThat(options.rayletArgs("ab", session, "127.0.0.1:7000", temp.resolve("worker")))
                .contains("--stingray.raylet.num-cpus=3.0", "--stingray.cluster.gcs-address=127.0.0.1:7000", "--stingray.raylet.head=true")
                .noneMatch(a -> a.contains("num-cpus=1"));
    }

    @Test
    void theHeadRunsARayClientServerByDefaultAndWorkerNodesOnlyWhenAsked() {
        assertThat(NodeOptions.parse(List.of("--head")).includesRayClientServer()).isTrue();
        assertThat(NodeOptions.parse(List.of("--address=10.0.0.1:6379")).includesRayClientServer()).isFalse();
        assertThat(NodeOptions.parse(List.of("--address=10.0.0.1:6379", "--include-ray-client-server")).includesRayClientServer()).isTrue();
    }

    @Test
    void badFlagsNameTheValueAndTheFix() {
        assertThatThrownBy(() -> NodeOptions.parse(List.of("--head", "--num-cpus=many")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("many").hasMessageContaining("stingray start --help");
        assertThatThrownBy(() -> NodeOptions.parse(List.of("--head", "--port=70000")).validate())
                .hasMessageContaining("--port 70000 is outside 0-65535");
        assertThatThrownBy(() -> NodeOptions.parse(List.of("--head", "--address=a:1")).validate())
                .hasMessageContaining("--head and --address exclude each other");
        assertThatThrownBy(() -> NodeOptions.parse(List.of()).validate()).hasMessageContaining("Pass --head");
    }

    @Test
    void theGcsGetsThePortPickedForItAndTheSessionName() {
        SessionDir session = new SessionDir(temp.resolve("session_x"));
        assertThat(NodeOptions.parse(List.of("--head", "--port=0", "--redis-address=127.0.0.1:6380")).gcsArgs("ab", session, 41234))
                .contains("--stingray.gcs.port=41234", "--stingray.gcs.session-name=session_x", "--stingray.gcs.redis-address=127.0.0.1:6380");
    }
}
