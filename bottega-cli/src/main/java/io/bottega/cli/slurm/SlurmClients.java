package io.bottega.cli.slurm;

import io.bottega.cli.http.ApiClient;
import io.bottega.cli.http.JsonIn;

/**
 * The Slurm-compatible clients ({@code sbatch squeue scancel sinfo sacct scontrol srun salloc}), {@code bottega rsh}, {@code bottega token} and
 * {@code whoami}: thin clients of the controller's REST API (see {@code docs/users.md}). A call is a fresh JVM,
 * often in a shell loop, so this path loads no HTTP library, no JSON library and no picocli.
 */
public final class SlurmClients {
    private SlurmClients() {}

    /** Runs {@code command} with the process's streams and environment; returns the exit code. */
    public static int run(String command, String[] args) {
        ApiClient.warmUp(System.getenv());
        Io io = Io.system();
        try {
            return run(io, command, args);
        } finally {
            io.flush();
        }
    }

    /** Runs {@code command} with {@code io}; returns the exit code. */
    public static int run(Io io, String command, String[] args) {
        try {
            return switch (command) {
                case "sbatch" -> Sbatch.run(io, args);
                case "squeue" -> Squeue.run(io, args);
                case "scancel" -> Scancel.run(io, args);
                case "sinfo" -> Sinfo.run(io, args);
                case "sacct" -> Sacct.run(io, args);
                case "scontrol" -> Scontrol.run(io, args);
                case "token" -> Token.run(io, args);
                case "whoami" -> Whoami.run(io, args);
                case "srun" -> Srun.run(io, args);
                case "salloc" -> Salloc.run(io, args);
                case "rsh", "bottega-rsh" -> Srun.rsh(io, args);
                case "sshare" -> Accounting.sshare(io, args);
                case "sprio" -> Accounting.sprio(io, args);
                case "budget", "saldo" -> Accounting.budget(io, args);
                default -> io.fail("bottega", "unknown client command '" + command + "'");
            };
        } catch (JsonIn.Malformed e) {
            return io.fail(command, "unexpected answer from the Bottega controller: " + e.getMessage());
        }
    }
}
