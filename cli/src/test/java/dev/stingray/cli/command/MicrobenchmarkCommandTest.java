package dev.stingray.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.cli.StingrayCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stingray microbenchmark} rejects bad options before it looks for a cluster or starts a driver. */
class MicrobenchmarkCommandTest {

    @TempDir
    Path temp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return StingrayCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void anUnknownMetricIsNamedWithTheKnownOnes() {
        int status = run("microbenchmark", "--temp-dir=" + temp, "--metrics=single_client_tasks_sync,single_client_teleport");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("Error: --metrics: unknown metric 'single_client_teleport'")
                .contains("single_client_wait_1k_refs").contains("gcs_kv_get_calls");
    }

    @Test
    void rayClientMetricsAreKnownAndNeedACluster() {
        int status = run("microbenchmark", "--temp-dir=" + temp, "--metrics=client__get_calls,client__tasks_and_get_batch");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).doesNotContain("unknown metric").contains("Error: No running cluster found");
    }

    @Test
    void nonPositiveTrialsAreRejectedWithTheValue() {
        assertThat(run("microbenchmark", "--temp-dir=" + temp, "--trials=0")).isEqualTo(1);
        assertThat(err.toString()).contains("--trials must be at least 1, got 0");
        assertThat(run("microbenchmark", "--temp-dir=" + temp, "--trial-seconds=-1")).isEqualTo(1);
        assertThat(err.toString()).contains("--trial-seconds must be positive, got -1.0");
    }

    @Test
    void validMetricsWithoutAClusterTellHowToStartOne() {
        int status = run("microbenchmark", "--temp-dir=" + temp, "--metrics=gcs_kv_put_calls");

        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("Error: No running cluster found");
    }
}
