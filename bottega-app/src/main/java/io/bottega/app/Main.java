package io.bottega.app;

import java.util.Arrays;

/**
 * The {@code bottega} command. The Slurm-compatible clients ({@code sbatch}, {@code squeue}, ...) come first
 * and load nothing they do not need: a CLI call is a fresh JVM, and users call them in shell loops. The
 * name the launcher was called by ({@code BOTTEGA_ARGV0}, set by the {@code bottega} script when it is
 * invoked through a symlink such as {@code bin/sbatch}) selects the command too.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String argv0 = System.getenv("BOTTEGA_ARGV0");
        String command;
        String[] rest;
        if (argv0 != null && !argv0.isEmpty() && !argv0.equals("bottega")) {
            command = argv0;
            rest = args;
        } else if (args.length == 0) {
            command = "help";
            rest = args;
        } else {
            command = args[0];
            rest = Arrays.copyOfRange(args, 1, args.length);
        }
        System.exit(run(command, rest));
    }

    static int run(String command, String[] args) {
        return switch (command) {
            case "sbatch", "squeue", "scancel", "sinfo", "sacct", "scontrol", "token", "whoami", "srun", "salloc", "rsh", "bottega-rsh",
                 "sshare", "sprio", "budget", "saldo" ->
                    io.bottega.cli.slurm.SlurmClients.run(command, args);
            case "up" -> UpCommand.run(args);
            case "server" -> ServerCommand.run(args);
            case "agent" -> io.bottega.agent.AgentMain.run(args);
            case "sim" -> io.bottega.cli.sim.SimCommand.execute(System.out, System.err, args);
            case "bench" -> BenchCommand.run(args);
            case "aot-train" -> {
                try {
                    yield AotTraining.run();
                } catch (java.io.IOException | InterruptedException e) {
                    System.err.println("bottega aot-train: error: " + e.getMessage());
                    yield 1;
                }
            }
            case "aot-train-server" -> {
                try {
                    yield ServerAotTraining.run();
                } catch (java.io.IOException | InterruptedException e) {
                    System.err.println("bottega aot-train-server: error: " + e.getMessage());
                    yield 1;
                }
            }
            case "version", "--version", "-V" -> {
                System.out.println("bottega " + version());
                yield 0;
            }
            case "help", "--help", "-h" -> {
                System.out.print(USAGE);
                yield 0;
            }
            default -> {
                System.err.println("bottega: error: unknown command '" + command + "'");
                System.err.print(USAGE);
                yield 2;
            }
        };
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final String USAGE = """
            Usage: bottega COMMAND [OPTIONS]

            Run a cluster
              up         a local cluster: controller and emulated nodes in one process (try this first)
              server     the controller
              agent      a node agent

            Use it (Slurm-compatible; also as bin/sbatch, bin/squeue, ...)
              sbatch     submit a batch script
              srun       run a parallel job step (in a job, or in an allocation of its own)
              salloc     hold an allocation and run a shell (or a command) with it
              rsh        start a command on a node of the current job (Open MPI's plm_rsh_agent, as bin/bottega-rsh)
              squeue     show the queue
              scancel    cancel jobs
              sinfo      show partitions and nodes
              sacct      show accounting, finished jobs too
              scontrol   show and change jobs, nodes, partitions, reservations
              sshare     fair share of accounts and users (--explain: why, in words)
              sprio      pending jobs' priorities and their factors
              budget     each project's budget and use in the allocation period (also as bin/saldo)
              token      print a signed token for remote clients
              whoami     who the controller thinks you are

            Plan
              sim        replay a workload trace on a model of a machine
              bench      benchmark scenarios (replay, pass, submit, throughput)

              version    print the version
            Run 'bottega COMMAND --help' for a command's options.
            """;
}
