package io.bottega.agent;

/**
 * {@link AgentJobsTest} with jobs started through the native launcher ({@code bottega-launch.c}, compiled with
 * the machine's C compiler: scripts/test installs gcc). An agent configured so refuses to start without it:
 * these tests fail, never skip, where it cannot be built.
 */
class NativeLauncherJobsTest extends AgentJobsTest {
    @Override
    String launcher() {
        return "native";
    }
}
