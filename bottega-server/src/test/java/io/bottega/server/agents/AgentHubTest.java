package io.bottega.server.agents;

import io.bottega.api.agent.AgentCommands;
import io.bottega.api.agent.AgentSync;
import io.bottega.api.agent.LaunchRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class AgentHubTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** Held polls wait a minute and launches are re-sent after a minute: anything sooner is the hub's own decision. */
    private final AgentHub hub = new AgentHub(timer, 60_000, 60_000);

    @AfterEach
    void stop() { timer.shutdownNow(); }

    private static LaunchRequest launch(long id) {
        return new LaunchRequest(id, "alice", 1000, 1000, "#!/bin/sh\n", "/home/alice", Map.of(), "", "", "", false,
                List.of(), 0, List.of(), 0, 0, "job", 0, 0, "n1", 0);
    }

    private static AgentSync sync(long seq, List<Long> running) {
        return new AgentSync("n1", "boot", seq, running, List.of());
    }

    @Test
    void aLaunchInAnAnswerTheAgentGaveUpIsSentAgainOnItsNextSync() throws Exception {
        CompletableFuture<AgentCommands> held = hub.poll("n1", sync(1, List.of()));
        assertThat(held).isNotDone();
        hub.launch("n1", launch(7));
        assertThat(held.get(1, TimeUnit.SECONDS).launch()).extracting(LaunchRequest::jobId).containsExactly(7L);

        // the agent stopped waiting for that answer (a result to report) and syncs again without job 7
        CompletableFuture<AgentCommands> next = hub.poll("n1", sync(2, List.of()));
        assertThat(next).isDone();
        assertThat(next.get().launch()).extracting(LaunchRequest::jobId).containsExactly(7L);
    }

    @Test
    void aLaunchTheAgentListsIsNotSentAgain() {
        hub.launch("n1", launch(7));
        CompletableFuture<AgentCommands> first = hub.poll("n1", sync(1, List.of()));
        assertThat(first.join().launch()).hasSize(1);

        CompletableFuture<AgentCommands> next = hub.poll("n1", sync(2, List.of(7L)));
        assertThat(next).isNotDone();   // held: nothing new to say
    }
}
