package io.bottega.cli.slurm;

import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options as GNU {@code getopt_long} reads them, which Slurm's clients use: short options may be
 * glued ({@code -hl}, {@code -o%i}), long ones take {@code --opt=value} or {@code --opt value}, an unambiguous
 * prefix of a long option is accepted ({@code --part}), options and operands may be mixed (unless
 * {@code stopAtOperand}), and {@code --} ends the options. Errors read as glibc prints them
 * ({@code squeue: unrecognized option '--foo'}). Options Slurm has and Bottega does not are declared
 * {@link #unsupported}: using one is an error that names it.
 */
final class Getopt {
    enum Arg { NONE, REQUIRED, OPTIONAL }

    /** A misuse of the command line; {@link #tryHelp} says whether to suggest {@code --help}. */
    static final class UsageError extends Exception {
        final String prog;
        final boolean tryHelp;

        UsageError(String prog, String message, boolean tryHelp) {
            super(message, null, false, false);
            this.prog = prog;
            this.tryHelp = tryHelp;
        }
    }

    /** A usage error of this command. */
    UsageError error(String message) {
        return new UsageError(prog, prog + ": error: " + message, true);
    }

    private record Opt(String name, char shortName, Arg arg, boolean supported) {}

    /** One option as given: its long name, and its value (null when none). */
    record Option(String name, String value) {}

    /** The options in order, and the operands. */
    record Result(List<Option> options, List<String> operands) {
        boolean has(String name) {
            for (Option o : options) if (o.name().equals(name)) return true;
            return false;
        }
    }

    private final String prog;
    private final List<Opt> opts = new ArrayList<>();

    Getopt(String prog) {
        this.prog = prog;
    }

    /** An option; {@code shortName} 0 for none. */
    Getopt opt(String name, char shortName, Arg arg) {
        opts.add(new Opt(name, shortName, arg, true));
        return this;
    }

    /** A long-only option. */
    Getopt opt(String name, Arg arg) {
        return opt(name, (char) 0, arg);
    }

    /** An option Slurm has and Bottega does not support yet. */
    Getopt unsupported(String name, char shortName, Arg arg) {
        opts.add(new Opt(name, shortName, arg, false));
        return this;
    }

    Getopt unsupported(String name, Arg arg) {
        return unsupported(name, (char) 0, arg);
    }

    Result parse(String[] argv, boolean stopAtOperand) throws UsageError {
        List<Option> options = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        int i = 0;
        while (i < argv.length) {
            String a = argv[i];
            if (a.equals("--")) {
                for (int k = i + 1; k < argv.length; k++) operands.add(argv[k]);
                break;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                String value = eq < 0 ? null : a.substring(eq + 1);
                Opt o = lookupLong(name, a);
                if (o.arg == Arg.NONE && value != null) {
                    throw new UsageError(prog, prog + ": option '--" + o.name + "' doesn't allow an argument", true);
                }
                if (o.arg == Arg.REQUIRED && value == null) {
                    if (i + 1 >= argv.length) throw new UsageError(prog, prog + ": option '--" + o.name + "' requires an argument", true);
                    value = argv[++i];
                }
                add(options, o, value);
                i++;
            } else if (a.startsWith("-") && a.length() > 1) {
                int k = 1;
                while (k < a.length()) {
                    char c = a.charAt(k);
                    Opt o = lookupShort(c);
                    if (o.arg == Arg.NONE) {
                        add(options, o, null);
                        k++;
                        continue;
                    }
                    String value = null;
                    if (k + 1 < a.length()) {
                        value = a.substring(k + 1);
                    } else if (o.arg == Arg.REQUIRED) {
                        if (i + 1 >= argv.length) throw new UsageError(prog, prog + ": option requires an argument -- '" + c + "'", true);
                        value = argv[++i];
                    }
                    add(options, o, value);
                    break;
                }
                i++;
            } else {
                if (stopAtOperand) {
                    for (int k = i; k < argv.length; k++) operands.add(argv[k]);
                    break;
                }
                operands.add(a);
                i++;
            }
        }
        return new Result(options, operands);
    }

    private void add(List<Option> options, Opt o, String value) throws UsageError {
        if (!o.supported) {
            String shown = o.shortName != 0 ? "-" + o.shortName + "/--" + o.name : "--" + o.name;
            throw new UsageError(prog, prog + ": error: " + shown + " is not supported by Bottega yet", false);
        }
        options.add(new Option(o.name, value));
    }

    private Opt lookupLong(String name, String given) throws UsageError {
        Opt prefixMatch = null;
        List<String> candidates = new ArrayList<>();
        for (Opt o : opts) {
            if (o.name.equals(name)) return o;
            if (!name.isEmpty() && o.name.startsWith(name)) {
                if (prefixMatch == null || !sameOption(prefixMatch, o)) candidates.add("'--" + o.name + "'");
                if (prefixMatch == null) prefixMatch = o;
            }
        }
        if (candidates.size() == 1) return prefixMatch;
        String shown = given.indexOf('=') < 0 ? given : given.substring(0, given.indexOf('='));
        if (candidates.isEmpty()) throw new UsageError(prog, prog + ": unrecognized option '" + shown + "'", true);
        throw new UsageError(prog, prog + ": option '" + shown + "' is ambiguous; possibilities: " + String.join(" ", candidates), true);
    }

    /** Two names for one option (--user and --users) are not an ambiguity. */
    private static boolean sameOption(Opt a, Opt b) {
        return a.shortName != 0 && a.shortName == b.shortName && a.arg == b.arg;
    }

    private Opt lookupShort(char c) throws UsageError {
        for (Opt o : opts) if (o.shortName == c) return o;
        throw new UsageError(prog, prog + ": invalid option -- '" + c + "'", true);
    }

    /** Prints a usage error as Slurm's clients do and returns the exit code 1. */
    static int report(Io io, UsageError e) {
        io.err.println(e.getMessage());
        if (e.tryHelp) io.err.println("Try \"" + e.prog + " --help\" for more information");
        return 1;
    }
}
