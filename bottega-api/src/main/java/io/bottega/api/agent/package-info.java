/**
 * Wire types of the controller ↔ agent protocol: plain records, serialised as JSON objects whose field
 * names are the record component names.
 *
 * <h2>Routes</h2>
 * Every request carries {@code Authorization: Bearer <cluster key>} and a JSON body
 * ({@code Content-Type: application/json}); the controller answers {@code 200} with a JSON body,
 * {@code 401} for a missing or wrong key.
 * <ul>
 *   <li>{@code POST /api/v1/agent/register}: {@link io.bottega.api.agent.NodeResources} →
 *       {@link io.bottega.api.agent.Registered}. Sent at agent start and whenever the controller asks
 *       for it ({@link io.bottega.api.agent.AgentCommands#reregister()}).</li>
 *   <li>{@code POST /api/v1/agent/sync}: {@link io.bottega.api.agent.AgentSync} →
 *       {@link io.bottega.api.agent.AgentCommands}. A long poll: the controller answers at once when it
 *       has something to say (launch, cancel, ack, re-register), otherwise after holding the request for
 *       up to its wait. A sync doubles as the heartbeat.</li>
 * </ul>
 *
 * <h2>Idempotence</h2>
 * The agent may abandon a sync that is being held (to send a fresh result at once), so the controller
 * must not rely on an answer having been read:
 * <ul>
 *   <li>a launch is repeated in every answer until a sync lists the job in {@code running} or
 *       {@code results}; the agent ignores a launch of a job it already knows (running, or with a result
 *       not yet acknowledged), and of a run whose result was acknowledged: a run is the job id with the
 *       {@code SLURM_RESTART_COUNT} of its environment, so a requeued job (same id, as in Slurm) must come
 *       back with a higher restart count, after its previous result was acknowledged;</li>
 *   <li>a cancel is repeated until the job appears in {@code results}; a cancel of a job the agent does
 *       not know, or of a finished one, is a no-op;</li>
 *   <li>a result is re-sent with every sync until its job id comes back in {@code ackResults}; the
 *       controller must accept the same result more than once;</li>
 *   <li>a job the controller believes runs on the node, but which is in neither {@code running} nor
 *       {@code results} of a sync (after the launch was confirmed), is lost.</li>
 * </ul>
 *
 * <h2>Job steps</h2>
 * {@code srun} inside an allocation: the controller places a step in the job's allocation and sends each of its
 * nodes a {@link io.bottega.api.agent.StepLaunch} in {@link io.bottega.api.agent.AgentCommands#stepLaunch()}.
 * The same rules hold, keyed by {@code JOBID.STEPID}:
 * <ul>
 *   <li>a step launch is repeated until a sync lists the step in {@link io.bottega.api.agent.AgentSync#steps()}
 *       or reports its {@link io.bottega.api.agent.StepOutcome}; the agent ignores a launch of a step it knows
 *       or whose outcome was acknowledged;</li>
 *   <li>a {@link io.bottega.api.agent.StepSignal} (a step, or every step of a job) is repeated while the node
 *       lists a step it covers; for a step the agent does not know it is a no-op;</li>
 *   <li>an outcome is re-sent with every sync until its key comes back in
 *       {@link io.bottega.api.agent.AgentCommands#stepAcks()};</li>
 *   <li>a step the node lists but the controller does not know as running there is stopped; a step the node
 *       stopped listing without an outcome is lost (NODE_FAIL).</li>
 * </ul>
 * The tasks' stdio does not go through the controller: the agent connects to the {@code srun} that asked for
 * the step and exchanges {@link io.bottega.api.agent.StepIo} frames with it. Steps do not survive their agent.
 */
package io.bottega.api.agent;
