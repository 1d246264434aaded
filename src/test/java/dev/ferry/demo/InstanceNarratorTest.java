package dev.ferry.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo tells what an instance does from its log: one short line per switch, fence, hold and stop. */
class InstanceNarratorTest {

    @Test
    void aSwitchIsToldWithoutItsReason() {
        assertThat(InstanceNarrator.tell("2026-12-01 10:00:00.000 WARN  [redis] master 127.0.0.1:11302 -> 127.0.0.1:11301 after 13 ms:"
                + " Sentinels name 127.0.0.1:11302 (config epoch 0) but it replicates from 127.0.0.1:11301"))
                .isEqualTo("master 127.0.0.1:11302 -> 127.0.0.1:11301 after 13 ms");
    }

    @Test
    void aFenceIsToldWithItsNode() {
        assertThat(InstanceNarrator.tell("2026-12-01 10:00:00.000 WARN  [redis] fenced old master 127.0.0.1:11301: REPLICAOF 127.0.0.1:11303"
                + " (it was master at config epoch 3, Sentinels now at 4): OK")).isEqualTo("fenced old master 127.0.0.1:11301");
    }

    @Test
    void stoppingIsTold() {
        assertThat(InstanceNarrator.tell("2026-12-01 10:00:00.000 INFO  stopping: closing listeners and client sessions"))
                .isEqualTo("stopping: closing listeners and client sessions");
    }

    @Test
    void routineLinesAreNot() {
        assertThat(InstanceNarrator.tell("2026-12-01 10:00:00.000 INFO  [redis] node 127.0.0.1:11301 is up: replica of 127.0.0.1:11302")).isNull();
        assertThat(InstanceNarrator.tell("2026-12-01 10:00:00.000 INFO  [redis] Sentinel 127.0.0.1:31301: +sdown master mymaster")).isNull();
    }
}
