package dev.stingray.clientproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stingray.proto.LogBatch;
import dev.stingray.proto.client.LogData;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerLogFormatTest {

    @Test
    void workerLineCarriesPidAndIp() {
        LogBatch batch = LogBatch.newBuilder().setPid("4242").setIp("127.0.0.1").addLines("hello").build();

        assertThat(WorkerLogFormat.toLogData(batch))
                .containsExactly(LogData.newBuilder().setMsg("(pid=4242, ip=127.0.0.1) hello").setLevel(-1).build());
    }

    @Test
    void actorNameWinsOverTaskNameAndStderrIsLevelMinusTwo() {
        LogBatch batch = LogBatch.newBuilder().setPid("7").setIp("10.0.0.7").setIsError(true)
                .setActorName("Counter").setTaskName("Counter.incr").addLines("a").addLines("b").build();

        List<LogData> lines = WorkerLogFormat.toLogData(batch);

        assertThat(lines).extracting(LogData::getMsg)
                .containsExactly("(Counter pid=7, ip=10.0.0.7) a", "(Counter pid=7, ip=10.0.0.7) b");
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.getLevel()).isEqualTo(-2);
            assertThat(l.getName()).isEqualTo("Counter");
        });
    }

    @Test
    void taskNameIsUsedWithoutActor() {
        LogBatch batch = LogBatch.newBuilder().setPid("9").setIp("10.0.0.7").setTaskName("f").build();

        assertThat(WorkerLogFormat.format(batch, "x")).isEqualTo("(f pid=9, ip=10.0.0.7) x");
    }

    @Test
    void nodeDaemonsHaveNoPid() {
        for (String daemon : List.of("raylet", "gcs_server", "autoscaler")) {
            LogBatch batch = LogBatch.newBuilder().setPid(daemon).setIp("10.0.0.7").setTaskName("ignored").build();

            assertThat(WorkerLogFormat.format(batch, "up")).isEqualTo("(" + daemon + ", ip=10.0.0.7) up");
        }
    }

    @Test
    void infoMessageMarkerIsStripped() {
        LogBatch batch = LogBatch.newBuilder().setPid("1").setIp("h").build();

        assertThat(WorkerLogFormat.format(batch, ":info_message:Tip: use ray.get")).isEqualTo("(pid=1, ip=h) Tip: use ray.get");
    }
}
