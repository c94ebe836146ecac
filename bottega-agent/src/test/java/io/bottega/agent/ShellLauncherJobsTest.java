package io.bottega.agent;

/**
 * {@link AgentJobsTest} with jobs started through the shell chain ({@code job-wrapper.sh}, {@code
 * job-loader.bash}): the agent's fallback where no C compiler builds the native launcher.
 */
class ShellLauncherJobsTest extends AgentJobsTest {
    @Override
    String launcher() {
        return "shell";
    }
}
