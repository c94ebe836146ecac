package io.bottega.cli.slurm;

import java.util.Arrays;

/**
 * {@code java -cp ... io.bottega.cli.slurm.ClientMain squeue ...}: what {@code io.bottega.app.Main} does for a
 * client command, without the rest of the application on the class path; for measuring start-up (not a test).
 */
public final class ClientMain {
    private ClientMain() {}

    public static void main(String[] args) {
        System.exit(SlurmClients.run(args[0], Arrays.copyOfRange(args, 1, args.length)));
    }
}
