package io.bottega.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bottega agent}: parses the command line, starts an {@link Agent} and runs until the process is
 * told to stop (SIGTERM / SIGINT). Jobs keep running when the agent stops.
 */
public final class AgentMain {
    static final String USAGE = """
            Usage: bottega agent --controller URL (--key KEY | --key-file FILE) [options]
              --controller URL     the controller, e.g. http://ctl:6820
              --key KEY            the cluster key (visible in ps: prefer --key-file or $BOTTEGA_CLUSTER_KEY)
              --key-file FILE      file holding the cluster key
              --name NODE          node name (default: the short host name)
              --spool DIR          spool directory (default: /var/spool/bottega/NODE as root,
                                   else ~/.bottega/spool/NODE)
              --cores N            declare N cores instead of detecting them
              --memory SIZE        declare memory: MB, or with a K/M/G/T suffix
              --gpus N             declare N GPUs instead of asking nvidia-smi (0: none)
              --gpu-type T         model of the declared GPUs (with --gpus)
              --features a,b       node features
              --group G            network group (Dragonfly+ cell or leaf switch)
              --address ADDR       where other nodes reach this node's jobs (MASTER_ADDR of a job step);
                                   default: the address the agent reaches the controller from
              --kill-grace S       seconds between SIGTERM and SIGKILL (default 30)
              --cgroup MODE        auto, v2, v1 or none (default auto)
              --launcher MODE      how jobs start: native (compiled with the machine's cc), shell, or
                                   auto (native when a C compiler builds it, else shell; the default)
              --tmp DIR            parent of the per-job TMPDIRs (default /tmp/bottega-NODE)
              --no-cpu-binding     do not pin jobs to their cores
              -h, --help           this help
            """;

    private AgentMain() {}

    /** Runs the agent until the JVM is asked to stop; returns the process exit code. */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        AgentConfig config;
        try {
            if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
                out.print(USAGE);
                return 0;
            }
            config = parse(args, System.getenv("BOTTEGA_CLUSTER_KEY"));
        } catch (UsageException | IllegalArgumentException e) {
            err.println("bottega agent: error: " + e.getMessage());
            err.println("Try 'bottega agent --help'.");
            return 2;
        }
        Agent agent = Agent.create(config);
        try {
            agent.start();
        } catch (IOException | RuntimeException e) {
            err.println("bottega agent: error: cannot start: " + e.getMessage());
            agent.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "bottega-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            agent.awaitClosed();
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agent.close();
        }
        return 0;
    }

    /** A command-line mistake, reported without a stack trace. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static AgentConfig parse(String[] args, String keyFromEnv) throws UsageException {
        String controller = null;
        String key = null;
        String keyFile = null;
        String name = null;
        String spool = null;
        String tmp = null;
        String cgroup = "auto";
        String launcher = "auto";
        String address = "";
        boolean cpuBinding = true;
        DeclaredResources d = DeclaredResources.DETECT;
        Duration grace = Duration.ofSeconds(30);
        List<String> a = new ArrayList<>(Arrays.asList(args));
        for (int i = 0; i < a.size(); i++) {
            String opt = a.get(i);
            String value = null;
            int eq = opt.indexOf('=');
            if (opt.startsWith("--") && eq > 0) {
                value = opt.substring(eq + 1);
                opt = opt.substring(0, eq);
            }
            if (opt.equals("--no-cpu-binding")) {
                if (value != null) throw new UsageException("--no-cpu-binding takes no value");
                cpuBinding = false;
                continue;
            }
            if (!opt.startsWith("--")) throw new UsageException("unexpected argument: " + opt);
            if (value == null) {
                if (i + 1 >= a.size()) throw new UsageException(opt + " needs a value");
                value = a.get(++i);
            }
            switch (opt) {
                case "--controller" -> controller = value;
                case "--key" -> key = value;
                case "--key-file" -> keyFile = value;
                case "--name" -> name = value;
                case "--spool" -> spool = value;
                case "--tmp" -> tmp = value;
                case "--cgroup" -> cgroup = value;
                case "--launcher" -> launcher = value;
                case "--cores" -> d = d.withCores(positiveInt(opt, value));
                case "--memory" -> d = d.withMemoryMb(memoryMb(opt, value));
                case "--gpus" -> d = d.withGpus(nonNegativeInt(opt, value), d.gpuType());
                case "--gpu-type" -> d = d.withGpus(d.gpus(), value);
                case "--features" -> d = d.withFeatures(Arrays.stream(value.split(",")).map(String::strip)
                        .filter(s -> !s.isEmpty()).toList());
                case "--group" -> d = d.withGroup(value);
                case "--address" -> address = value;
                case "--kill-grace" -> grace = Duration.ofSeconds(nonNegativeInt(opt, value));
                default -> throw new UsageException("unknown option: " + opt);
            }
        }
        if (controller == null || controller.isBlank()) throw new UsageException("--controller is required");
        if (key != null && keyFile != null) throw new UsageException("give --key or --key-file, not both");
        if (keyFile != null) {
            try {
                key = Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UsageException("cannot read --key-file " + keyFile + ": " + e.getMessage());
            }
            if (key.isEmpty()) throw new UsageException("--key-file " + keyFile + " is empty");
            try {
                var perms = Files.getPosixFilePermissions(Path.of(keyFile));
                if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                    System.err.println("bottega agent: warning: " + keyFile + " is readable by every user; chmod 600 it");
                }
            } catch (IOException | UnsupportedOperationException e) {
                // not a POSIX file system: nothing to check
            }
        }
        if (key == null) key = keyFromEnv;
        if (key == null || key.isBlank()) {
            throw new UsageException("a cluster key is required: --key, --key-file or $BOTTEGA_CLUSTER_KEY");
        }
        if (name == null) name = shortHostName();
        boolean root = Procfs.selfUid() == 0;
        Path spoolDir = spool != null ? Path.of(spool).toAbsolutePath()
                : root ? Path.of("/var/spool/bottega", name)
                : Path.of(System.getProperty("user.home"), ".bottega", "spool", name);
        AgentConfig c = AgentConfig.of(controller, key, name, spoolDir)
                .withDeclared(d).withKillGrace(grace).withCgroupMode(cgroup).withCpuBinding(cpuBinding).withAddress(address)
                .withLauncher(launcher);
        if (tmp != null) c = c.withTmpBase(Path.of(tmp).toAbsolutePath());
        new HttpControllerLink(controller, key, Duration.ofSeconds(1)).close();   // validates the URL
        return c;
    }

    private static int positiveInt(String opt, String v) throws UsageException {
        int n = nonNegativeInt(opt, v);
        if (n == 0) throw new UsageException(opt + " must be a positive integer: " + v);
        return n;
    }

    private static int nonNegativeInt(String opt, String v) throws UsageException {
        try {
            int n = Integer.parseInt(v.strip());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " must be a non-negative integer: " + v);
        }
    }

    /** MB, or a number with a K, M, G or T suffix (as Slurm's --mem). */
    static long memoryMb(String opt, String v) throws UsageException {
        String s = v.strip().toUpperCase(Locale.ROOT);
        if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        long mult = 1;
        long div = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> div = 1024;
                case 'M' -> mult = 1;
                case 'G' -> mult = 1024;
                case 'T' -> mult = 1024 * 1024;
                default -> { }
            }
            if (!Character.isDigit(s.charAt(s.length() - 1))) s = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(s);
            if (n <= 0) throw new NumberFormatException();
            long mb = Math.multiplyExact(n, mult) / div;
            if (mb <= 0) throw new NumberFormatException();
            return mb;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException(opt + " must be a positive size in MB (or with K/M/G/T): " + v);
        }
    }

    private static String shortHostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (IOException e) {
            return "localhost";
        }
    }
}
