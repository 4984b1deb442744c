package dev.stingray.common.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.common.id.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session directory layout of Ray's {@code node.py}. */
class SessionDirTest {

    @TempDir
    Path temp;

    @Test
    void newSessionNameHasRaysFormat() {
        String name = SessionDir.newSessionName();

        assertThat(name).matches("session_\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}_\\d{6}_" + ProcessHandle.current().pid());
    }

    @Test
    void createMakesLogsDirAndPointsSessionLatestAtTheNewestSession() throws Exception {
        SessionDir first = SessionDir.create(temp, "session_2026-01-01_00-00-00_000001_1");

        assertThat(first.path()).isEqualTo(temp.resolve("session_2026-01-01_00-00-00_000001_1"));
        assertThat(first.name()).isEqualTo("session_2026-01-01_00-00-00_000001_1");
        assertThat(first.logsDir()).isDirectory().isEqualTo(first.path().resolve("logs"));
        Path latest = temp.resolve("session_latest");
        assertThat(Files.isSymbolicLink(latest)).isTrue();
        assertThat(latest.toRealPath()).isEqualTo(first.path().toRealPath());

        SessionDir second = SessionDir.create(temp, "session_2026-01-01_00-00-01_000002_2");

        assertThat(Files.isSymbolicLink(latest)).isTrue();
        assertThat(Files.readSymbolicLink(latest)).isEqualTo(Path.of("session_2026-01-01_00-00-01_000002_2"));
        assertThat(latest.toRealPath()).isEqualTo(second.path().toRealPath());
        assertThat(first.logsDir()).isDirectory();
        try (var entries = Files.list(temp)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("session_latest", first.name(), second.name());
        }
    }

    @Test
    void writesAndReadsPortFiles() {
        SessionDir session = SessionDir.create(temp, "session_2026-01-01_00-00-00_000000_1");
        String node = NodeId.random().hex();

        assertThat(session.readPort("node_manager_port", node)).isEmpty();

        session.writePort("node_manager_port", node, 45123);

        assertThat(session.portFile("node_manager_port", node)).hasFileName("node_manager_port_" + node).hasContent("45123");
        assertThat(session.readPort("node_manager_port", node)).contains(45123);
        session.writePort("node_manager_port", node, 45124);
        assertThat(session.readPort("node_manager_port", node)).contains(45124);
        assertThat(session.path().resolve("node_manager_port_" + node + ".tmp")).doesNotExist();
        assertThat(session.pidFile("raylet", node)).hasFileName("raylet_" + node + ".pid");
    }
}
