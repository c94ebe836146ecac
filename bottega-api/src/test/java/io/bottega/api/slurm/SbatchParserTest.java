package io.bottega.api.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bottega.api.Dependency;
import io.bottega.api.JobSubmission;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SbatchParserTest {
    static final ZoneId ROME = ZoneId.of("Europe/Rome");
    static final long NOW = LocalDateTime.of(2026, 11, 27, 9, 15).atZone(ROME).toEpochSecond();
    static final Map<String, String> ENV = Map.of("HOME", "/home/alice", "PATH", "/usr/bin:/bin", "EDITOR", "vi",
            "SLURM_CONF", "/etc/slurm/slurm.conf");
    static final SbatchParser.Context CTX = SbatchParser.Context.of("/home/alice/work", ENV, NOW, ROME);
    static final String SHEBANG = "#!/bin/bash\n";

    static SbatchParser.Result parse(SbatchParser.Context ctx, String script, String... args) throws SlurmOptionException {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (a.stream().noneMatch(s -> s.startsWith("--wrap")) && a.stream().noneMatch(s -> s.endsWith(".sh"))) a.add("job.sh");
        return SbatchParser.parse(a, path -> script, ctx);
    }

    static JobSubmission job(String script, String... args) throws SlurmOptionException {
        return parse(CTX, script, args).job();
    }

    static String error(String script, String... args) {
        try {
            parse(CTX, script, args);
        } catch (SlurmOptionException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for " + Arrays.toString(args));
    }

    static String directives(String... lines) {
        return SHEBANG + String.join("\n", lines) + "\nsrun hostname\n";
    }

    static String resource(String name) {
        try (InputStream in = SbatchParserTest.class.getResourceAsStream("/sbatch/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JobSubmission submitFile(String name, String script) throws SlurmOptionException {
        return SbatchParser.parse(List.of(name), path -> {
            assertThat(path).isEqualTo(name);
            return script;
        }, CTX).job();
    }

    @Nested
    class PeerScripts {
        @Test
        void parse_gpuTrainingScript() throws Exception {
            JobSubmission j = submitFile("01-gpu-train.sbatch", resource("01-gpu-train.sbatch"));
            assertThat(j.jobName()).isEqualTo("llm-train");
            assertThat(j.partition()).isEqualTo("boost_usr_prod");
            assertThat(j.account()).isEqualTo("AIFAC_L01_028");
            assertThat(j.qos()).isEqualTo("boost_qos_dbg");
            assertThat(j.nodesMin()).isEqualTo(2);
            assertThat(j.nodesMax()).isZero();
            assertThat(j.ntasksPerNode()).isEqualTo(4);
            assertThat(j.cpusPerTask()).isEqualTo(8);
            assertThat(j.gpusPerNode()).isEqualTo(4);
            assertThat(j.gpuType()).isEmpty();
            assertThat(j.memPerNodeMb()).isEqualTo(480 * 1024);
            assertThat(j.timeLimit()).isEqualTo(2160 * 60); // Slurm: 2160 minutes
            assertThat(j.stdoutPath()).isEqualTo("slurm-%x-%j.out");
            assertThat(j.stderrPath()).isEqualTo("slurm-%x-%j.err");
            assertThat(j.exclusive()).isTrue();
            assertThat(j.scriptPath()).isEqualTo("01-gpu-train.sbatch");
            assertThat(j.script()).endsWith("srun python train.py\n");
            assertThat(j.workDir()).isEqualTo("/home/alice/work");
            assertThat(j.submitDir()).isEqualTo("/home/alice/work");
            assertThat(j.environment()).isEqualTo(ENV);
        }

        @Test
        void parse_mpiScript() throws Exception {
            JobSubmission j = submitFile("02-mpi-cpu.sbatch", resource("02-mpi-cpu.sbatch"));
            assertThat(j.jobName()).isEqualTo("cfd_run");
            assertThat(j.partition()).isEqualTo("dcgp_usr_prod");
            assertThat(j.account()).isEqualTo("AIFAC_L01_028");
            assertThat(j.nodesMin()).isEqualTo(3);
            assertThat(j.nodesMax()).isEqualTo(4);
            assertThat(j.ntasks()).isEqualTo(64);
            assertThat(j.memPerCpuMb()).isEqualTo(2000);
            assertThat(j.memPerNodeMb()).isZero();
            assertThat(j.timeLimit()).isEqualTo(90 * 60);
            assertThat(j.constraints()).containsExactly("a100");
            assertThat(j.beginTime()).isEqualTo(LocalDateTime.of(2030, 1, 1, 10, 0).atZone(ROME).toEpochSecond());
            assertThat(j.stdoutPath()).isEqualTo("logs/%x.%N.%j.out");
            assertThat(j.stderrPath()).isEqualTo("logs/%x.%N.%j.out");
            assertThat(j.workDir()).isEqualTo("/tmp");
            assertThat(j.mailType()).containsExactly("END", "FAIL");
            assertThat(j.mailUser()).isEqualTo("someone@example.org");
            assertThat(j.comment()).isEqualTo("cfd test");
        }

        @Test
        void parse_arrayWithDependencyScript() throws Exception {
            JobSubmission j = submitFile("03-array-dep.sbatch", resource("03-array-dep.sbatch.in").replace("@DEP@", "4242"));
            assertThat(j.jobName()).isEqualTo("sweep");
            assertThat(j.array()).isEqualTo("1-10%2");
            assertThat(j.arraySpec().taskIds()).containsExactlyElementsOf(IntStream.rangeClosed(1, 10).boxed().toList());
            assertThat(j.arraySpec().maxConcurrent()).isEqualTo(2);
            assertThat(j.dependencies()).containsExactly(new Dependency(Dependency.Type.AFTEROK, "4242", 0));
            assertThat(j.dependencyAnyOf()).isFalse();
            assertThat(j.ntasks()).isEqualTo(1);
            assertThat(j.cpusPerTask()).isEqualTo(4);
            assertThat(j.gpusPerTask()).isEqualTo(1);
            assertThat(j.memPerGpuMb()).isEqualTo(60 * 1024);
            assertThat(j.timeLimit()).isEqualTo(2880 * 60);
            assertThat(j.stdoutPath()).isEqualTo("slurm-%x-%j.out");
            assertThat(j.stderrPath()).isEqualTo("sweep-%A_%a.err");
        }

        @Test
        void parse_commandLineOverridesTheScriptsTime() throws Exception {
            String script = resource("01-gpu-train.sbatch");
            // what the peer's run-interpret-tests.sh measured, in minutes
            String[][] cases = {{"30", "30"}, {"90:00", "90"}, {"1:30:00", "90"}, {"2-0", "2880"}, {"2-06", "3240"},
                    {"1-12:00:00", "2160"}};
            for (String[] c : cases) {
                JobSubmission j = SbatchParser.parse(List.of("--time=" + c[0], "-p", "normal", "01-gpu-train.sbatch"),
                        p -> script, CTX).job();
                assertThat(j.timeLimit()).as(c[0]).isEqualTo(Long.parseLong(c[1]) * 60);
                assertThat(j.partition()).isEqualTo("normal");
            }
            JobSubmission unlimited = SbatchParser.parse(List.of("--time=UNLIMITED", "01-gpu-train.sbatch"), p -> script, CTX).job();
            assertThat(unlimited.timeLimit()).isEqualTo(SlurmTime.UNLIMITED);
        }
    }

    @Nested
    class Directives {
        @Test
        void parse_stopsAtTheFirstCommand() throws Exception {
            JobSubmission j = job(SHEBANG + "#SBATCH -J first\n\n# a comment\n#SBATCH -p gpu\necho hi\n#SBATCH -A late\n");
            assertThat(j.jobName()).isEqualTo("first");
            assertThat(j.partition()).isEqualTo("gpu");
            assertThat(j.account()).isEmpty();
        }

        @Test
        void parse_indentedDirective_isACommandAndStops() throws Exception {
            JobSubmission j = job(SHEBANG + "#SBATCH -J a\n  #SBATCH -p gpu\n#SBATCH -A late\n");
            assertThat(j.partition()).isEmpty();
            assertThat(j.account()).isEmpty();
        }

        @Test
        void parse_trailingCommentsAndQuotes() throws Exception {
            JobSubmission j = job(directives(
                    "#SBATCH --nodes=2   # two nodes",
                    "#SBATCH --comment='a # not a comment' # but this is",
                    "#SBATCH -J \"two words\"",
                    "#SBATCH --comment=x#y"));
            assertThat(j.nodesMin()).isEqualTo(2);
            assertThat(j.jobName()).isEqualTo("two words");
            assertThat(j.comment()).isEqualTo("x#y");
        }

        @Test
        void parse_severalOptionsOnOneLine() throws Exception {
            JobSubmission j = job(directives("#SBATCH -N 2 -n8 --time 10"));
            assertThat(j.nodesMin()).isEqualTo(2);
            assertThat(j.ntasks()).isEqualTo(8);
            assertThat(j.timeLimit()).isEqualTo(600);
        }

        @Test
        void parse_laterDirectiveWins() throws Exception {
            assertThat(job(directives("#SBATCH -t 10", "#SBATCH -t 20")).timeLimit()).isEqualTo(1200);
        }

        @Test
        void parse_commandLineOverridesDirectives() throws Exception {
            JobSubmission j = job(directives("#SBATCH -p small", "#SBATCH -J fromscript"), "-p", "big");
            assertThat(j.partition()).isEqualTo("big");
            assertThat(j.jobName()).isEqualTo("fromscript");
        }

        @Test
        void parse_badValueInDirective_namesTheLine() {
            assertThat(error(directives("#SBATCH -J x", "#SBATCH --time=1-25:00")))
                    .isEqualTo("script line 3: --time=1-25:00: hours must be 0-23");
        }

        @Test
        void parse_nonOptionInDirective_isInvalid() {
            assertThat(error(directives("#SBATCH -N 2 extra")))
                    .isEqualTo("script line 2: invalid directive found in batch script: extra");
        }

        @Test
        void parse_unterminatedQuote_isAnError() {
            assertThat(error(directives("#SBATCH --comment=\"open"))).isEqualTo("script line 2: unterminated \" quote");
        }

        @Test
        void parse_hetjob_isNotSupported() {
            assertThat(error(directives("#SBATCH -N1", "#SBATCH hetjob", "#SBATCH -N2")))
                    .isEqualTo("script line 3: heterogeneous jobs (#SBATCH hetjob) are not supported yet");
        }

        @Test
        void parse_wrapInDirective_isRefused() {
            assertThat(error(directives("#SBATCH --wrap=hostname")))
                    .isEqualTo("script line 2: --wrap is only allowed on the command line");
        }
    }

    @Nested
    class ScriptChecks {
        @Test
        void parse_noShebang_isRefusedWithSlurmsMessage() {
            assertThat(error("echo hello\n")).isEqualTo("This does not look like a batch script.  The first line must "
                    + "start with #! followed by the path to an interpreter.\nFor instance: #!/bin/sh");
        }

        @Test
        void parse_emptyOrBlankScript_isRefused() {
            assertThat(error("")).isEqualTo("Batch script is empty!");
            assertThat(error(" \n\t\n")).isEqualTo("Batch script contains only whitespace!");
        }

        @Test
        void parse_dosLineBreaks_areRefused() {
            assertThat(error("#!/bin/sh\r\nhostname\r\n"))
                    .isEqualTo("Batch script contains DOS line breaks (\\r\\n)\ninstead of expected UNIX line breaks (\\n).");
        }

        @Test
        void parse_nulCharacter_isRefused() {
            assertThat(error("#!/bin/sh\nhost\0name\n")).contains("NULL character");
        }

        @Test
        void parse_unreadableScript_namesTheFile() {
            assertThatThrownBy(() -> SbatchParser.parse(List.of("missing.sh"), p -> { throw new IOException("nope"); }, CTX))
                    .isInstanceOf(SlurmOptionException.class).hasMessage("Unable to open file missing.sh");
        }
    }

    @Nested
    class CommandLine {
        @Test
        void parse_wrap_makesAShellScript() throws Exception {
            SbatchParser.Result r = SbatchParser.parse(List.of("--wrap=srun hostname", "-N", "1"), p -> {
                throw new AssertionError("no script to load");
            }, CTX);
            assertThat(r.job().script()).isEqualTo("#!/bin/sh\nsrun hostname\n");
            assertThat(r.job().wrap()).isEqualTo("srun hostname");
            assertThat(r.job().jobName()).isEqualTo("wrap");
            assertThat(r.job().scriptPath()).isEmpty();
        }

        @Test
        void parse_wrapWithAScript_isRefused() {
            assertThatThrownBy(() -> SbatchParser.parse(List.of("--wrap", "true", "job.sh"), p -> SHEBANG, CTX))
                    .hasMessage("script argument not permitted with --wrap option");
        }

        @Test
        void parse_scriptArguments_areKeptAndNotParsed() throws Exception {
            JobSubmission j = SbatchParser.parse(List.of("-N2", "run.sh", "-n", "4", "--foo"), p -> SHEBANG, CTX).job();
            assertThat(j.nodesMin()).isEqualTo(2);
            assertThat(j.ntasks()).isZero();
            assertThat(j.scriptArgs()).containsExactly("-n", "4", "--foo");
            assertThat(j.jobName()).isEqualTo("run.sh");
        }

        @Test
        void parse_doubleDash_endsOptions() throws Exception {
            JobSubmission j = SbatchParser.parse(List.of("-N2", "--", "-weird.sh"), p -> SHEBANG, CTX).job();
            assertThat(j.scriptPath()).isEqualTo("-weird.sh");
        }

        @Test
        void parse_noScript_readsStandardInput() throws Exception {
            JobSubmission j = SbatchParser.parse(List.of("-N1"), p -> {
                assertThat(p).isEmpty();
                return SHEBANG + "#SBATCH -J fromstdin\nhostname\n";
            }, CTX).job();
            assertThat(j.jobName()).isEqualTo("fromstdin");
            assertThat(j.scriptPath()).isEmpty();
        }

        @Test
        void parse_stdinWithoutName_isNamedSbatch() throws Exception {
            assertThat(SbatchParser.parse(List.of(), p -> SHEBANG, CTX).job().jobName()).isEqualTo("sbatch");
        }

        @Test
        void parse_scriptInADirectory_isNamedByItsFileName() throws Exception {
            assertThat(SbatchParser.parse(List.of("jobs/train.sh"), p -> SHEBANG, CTX).job().jobName()).isEqualTo("train.sh");
        }

        @Test
        void parse_gluedAndCombinedShortOptions() throws Exception {
            SbatchParser.Result r = parse(CTX, SHEBANG, "-n4", "-N2", "-Hvv", "-c", "3", "-tUNLIMITED");
            assertThat(r.job().ntasks()).isEqualTo(4);
            assertThat(r.job().nodesMin()).isEqualTo(2);
            assertThat(r.job().hold()).isTrue();
            assertThat(r.verbose()).isEqualTo(2);
            assertThat(r.job().cpusPerTask()).isEqualTo(3);
            assertThat(r.job().timeLimit()).isEqualTo(SlurmTime.UNLIMITED);
        }

        @Test
        void parse_longOptionsWithSpaceOrEquals() throws Exception {
            JobSubmission j = job(SHEBANG, "--partition", "gpu", "--account=proj", "--qos", "normal");
            assertThat(j.partition()).isEqualTo("gpu");
            assertThat(j.account()).isEqualTo("proj");
            assertThat(j.qos()).isEqualTo("normal");
        }

        @Test
        void parse_uniquePrefixOfALongOption_isAccepted() throws Exception {
            assertThat(job(SHEBANG, "--part=gpu").partition()).isEqualTo("gpu");
        }

        @Test
        void parse_ambiguousPrefix_listsThePossibilities() {
            assertThat(error(SHEBANG, "--mem-per=4G"))
                    .isEqualTo("option '--mem-per' is ambiguous; possibilities: '--mem-per-cpu' '--mem-per-gpu'");
        }

        @Test
        void parse_unknownOptions_areRefusedAsGetoptDoes() {
            assertThat(error(SHEBANG, "--foo")).isEqualTo("unrecognized option '--foo'");
            assertThat(error(SHEBANG, "--foo=1")).isEqualTo("unrecognized option '--foo'");
            assertThat(error(SHEBANG, "-Z")).isEqualTo("invalid option -- 'Z'");
            assertThat(error(directives("#SBATCH --bar"))).isEqualTo("script line 2: unrecognized option '--bar'");
        }

        @Test
        void parse_missingOrExtraArguments_areRefused() {
            assertThatThrownBy(() -> SbatchParser.parse(List.of("--time"), p -> SHEBANG, CTX))
                    .hasMessage("option '--time' requires an argument");
            assertThatThrownBy(() -> SbatchParser.parse(List.of("-t"), p -> SHEBANG, CTX))
                    .hasMessage("option requires an argument -- 't'");
            assertThat(error(SHEBANG, "--hold=yes")).isEqualTo("option '--hold' doesn't allow an argument");
        }

        @Test
        void parse_knownButUnsupportedOptions_areNamed() {
            assertThat(error(SHEBANG, "--gpu-bind=closest")).isEqualTo("--gpu-bind is not supported yet");
            assertThat(error(SHEBANG, "-L", "matlab")).isEqualTo("--licenses is not supported yet");
            assertThat(error(directives("#SBATCH --wckey=x"))).isEqualTo("script line 2: --wckey is not supported yet");
            assertThat(error(SHEBANG, "--exclusive=user")).isEqualTo("--exclusive=user is not supported yet, only --exclusive");
        }

        @Test
        void parse_helpUsageVersion_needNoScript() throws Exception {
            SbatchParser.ScriptLoader none = p -> { throw new AssertionError("no script to load"); };
            assertThat(SbatchParser.parse(List.of("--help"), none, CTX).action()).isEqualTo(SbatchParser.Action.HELP);
            assertThat(SbatchParser.parse(List.of("-h"), none, CTX).action()).isEqualTo(SbatchParser.Action.HELP);
            assertThat(SbatchParser.parse(List.of("--usage"), none, CTX).action()).isEqualTo(SbatchParser.Action.USAGE);
            assertThat(SbatchParser.parse(List.of("-V"), none, CTX).action()).isEqualTo(SbatchParser.Action.VERSION);
            // values are not checked before --help, as sbatch's first pass does not check them
            assertThat(SbatchParser.parse(List.of("--time=bad", "--help"), none, CTX).job()).isEqualTo(JobSubmission.EMPTY);
        }

        @Test
        void parse_clientFlags() throws Exception {
            SbatchParser.Result r = parse(CTX, SHEBANG, "--parsable", "--test-only", "-W", "-Q");
            assertThat(r.parsable()).isTrue();
            assertThat(r.testOnly()).isTrue();
            assertThat(r.waitForEnd()).isTrue();
            assertThat(r.quiet()).isTrue();
            assertThat(r.action()).isEqualTo(SbatchParser.Action.SUBMIT);
        }

        @Test
        void parse_heterogeneousSeparator_isNotSupported() {
            assertThatThrownBy(() -> SbatchParser.parse(List.of("-N1", ":", "-N2", "job.sh"), p -> SHEBANG, CTX))
                    .hasMessage("heterogeneous jobs (':' between option sets) are not supported yet");
        }

        @Test
        void supportedOptions_coverTheBrief() {
            assertThat(SbatchParser.supportedOptions()).contains("job-name", "account", "partition", "qos", "time",
                    "time-min", "nodes", "ntasks", "ntasks-per-node", "cpus-per-task", "mem", "mem-per-cpu", "mem-per-gpu",
                    "gres", "gpus", "gpus-per-node", "gpus-per-task", "cpus-per-gpu", "constraint", "exclusive", "output",
                    "error", "input", "chdir", "export", "array", "dependency", "hold", "parsable", "test-only", "begin",
                    "mail-type", "mail-user", "requeue", "no-requeue", "nice", "comment", "reservation", "signal",
                    "open-mode", "nodelist", "exclude", "hint", "distribution", "kill-on-invalid-dep", "get-user-env",
                    "propagate", "wait", "uid", "gid", "deadline", "priority", "threads-per-core", "ntasks-per-gpu",
                    "switches", "verbose", "quiet", "version", "help", "usage", "wrap")
                    .doesNotContain("gpu-bind", "licenses");
            assertThat(SbatchParser.help()).contains("--gres=gpu[:type][:n]");
            assertThat(SbatchParser.usage()).startsWith("Usage: sbatch");
        }
    }

    @Nested
    class Values {
        @Test
        void time_badValues_nameTheOptionAndField() {
            assertThat(error(SHEBANG, "--time=1-25:00")).isEqualTo("--time=1-25:00: hours must be 0-23");
            assertThat(error(SHEBANG, "-t", "10:75")).isEqualTo("--time=10:75: seconds must be 0-59");
            assertThat(error(SHEBANG, "-t", "1:75:00")).isEqualTo("--time=1:75:00: minutes must be 0-59");
            assertThat(error(SHEBANG, "--time=abc")).startsWith("--time=abc: invalid time, expected minutes,");
            assertThat(error(SHEBANG, "--time-min=1-30")).isEqualTo("--time-min=1-30: hours must be 0-23");
        }

        @Test
        void time_roundsSecondsUpToAMinute_andZeroIsUnlimited() throws Exception {
            assertThat(job(SHEBANG, "-t", "1:30").timeLimit()).isEqualTo(120);
            assertThat(job(SHEBANG, "-t", "0").timeLimit()).isEqualTo(SlurmTime.UNLIMITED);
            assertThat(job(SHEBANG, "--time-min=30").timeMin()).isEqualTo(1800);
            assertThat(job(SHEBANG).timeLimit()).isZero();
        }

        @Test
        void nodes_minMaxAndErrors() throws Exception {
            JobSubmission j = job(SHEBANG, "-N", "2-8");
            assertThat(j.nodesMin()).isEqualTo(2);
            assertThat(j.nodesMax()).isEqualTo(8);
            assertThat(error(SHEBANG, "-N", "x")).isEqualTo("invalid --nodes value 'x'");
            assertThat(error(SHEBANG, "--nodes=4-2")).isEqualTo("invalid --nodes value '4-2': the maximum is below the minimum");
            assertThat(error(SHEBANG, "--nodes=0")).isEqualTo("invalid --nodes value '0': must be at least 1");
            assertThat(error(SHEBANG, "--nodes=2-")).isEqualTo("invalid --nodes value '2-'");
        }

        @Test
        void counts_badValues_nameTheOption() {
            assertThat(error(SHEBANG, "-n", "four")).isEqualTo("invalid --ntasks value 'four'");
            assertThat(error(SHEBANG, "-c0")).isEqualTo("invalid --cpus-per-task value '0': must be at least 1");
            assertThat(error(SHEBANG, "--ntasks-per-node=-1")).isEqualTo("invalid --ntasks-per-node value '-1'");
            assertThat(error(SHEBANG, "--threads-per-core=x")).isEqualTo("invalid --threads-per-core value 'x'");
        }

        @Test
        void memory_unitsAndAllOfTheNode() throws Exception {
            assertThat(job(SHEBANG, "--mem=4000").memPerNodeMb()).isEqualTo(4000);
            assertThat(job(SHEBANG, "--mem=16G").memPerNodeMb()).isEqualTo(16384);
            assertThat(job(SHEBANG, "--mem=0").memPerNodeMb()).isEqualTo(MemorySize.ALL);
            assertThat(job(SHEBANG, "--mem-per-cpu=2g").memPerCpuMb()).isEqualTo(2048);
            assertThat(error(SHEBANG, "--mem=16GB")).startsWith("--mem=16GB: invalid memory size");
        }

        @Test
        void memory_twoKindsAtOneLevel_areMutuallyExclusive() {
            assertThat(error(SHEBANG, "--mem=4G", "--mem-per-cpu=1G")).isEqualTo(
                    "--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive (--mem and --mem-per-cpu in the command line)");
            assertThat(error(directives("#SBATCH --mem=4G", "#SBATCH --mem-per-gpu=1G"))).contains("in the script's #SBATCH lines");
        }

        @Test
        void memory_commandLineKindReplacesTheScriptsKind() throws Exception {
            JobSubmission j = job(directives("#SBATCH --mem-per-cpu=2000"), "--mem=8G");
            assertThat(j.memPerNodeMb()).isEqualTo(8192);
            assertThat(j.memPerCpuMb()).isZero();
        }

        @Test
        void gres_gpuForms() throws Exception {
            assertThat(job(SHEBANG, "--gres=gpu:4").gpusPerNode()).isEqualTo(4);
            JobSubmission typed = job(SHEBANG, "--gres=gpu:a100:2");
            assertThat(typed.gpusPerNode()).isEqualTo(2);
            assertThat(typed.gpuType()).isEqualTo("a100");
            assertThat(job(SHEBANG, "--gres=gpu").gpusPerNode()).isEqualTo(1);
            assertThat(job(SHEBANG, "--gres=gres/gpu:2").gpusPerNode()).isEqualTo(2);
            JobSubmission typeOnly = job(SHEBANG, "--gres=gpu:h100");
            assertThat(typeOnly.gpusPerNode()).isEqualTo(1);
            assertThat(typeOnly.gpuType()).isEqualTo("h100");
            assertThat(job(directives("#SBATCH --gres=gpu:4"), "--gres=none").gpusPerNode()).isZero();
        }

        @Test
        void gres_otherResources_areNotSupported() {
            assertThat(error(SHEBANG, "--gres=mps:100"))
                    .isEqualTo("--gres=mps:100: generic resource 'mps' is not supported yet, only gpu[:type][:count]");
            assertThat(error(SHEBANG, "--gres=gpu:2,shard:1")).contains("generic resource 'shard' is not supported yet");
            assertThat(error(SHEBANG, "--gres=gpu:a100:x")).isEqualTo("--gres=gpu:a100:x: expected gpu[:type][:count]");
            assertThat(error(SHEBANG, "--gres=gpu:1,gpu:2")).isEqualTo("--gres=gpu:1,gpu:2: gpu is given more than once");
            assertThat(error(SHEBANG, "--gres=gpu:")).isEqualTo("--gres=gpu:: expected gpu[:type][:count]");
            assertThat(error(SHEBANG, "--gres=gpu::2")).isEqualTo("--gres=gpu::2: expected gpu[:type][:count]");
        }

        @Test
        void gpus_typedCountsAndConflicts() throws Exception {
            JobSubmission j = job(SHEBANG, "-G", "a100:8", "--gpus-per-task=a100:1", "--cpus-per-gpu=8", "--ntasks-per-gpu=1");
            assertThat(j.gpus()).isEqualTo(8);
            assertThat(j.gpusPerTask()).isEqualTo(1);
            assertThat(j.gpuType()).isEqualTo("a100");
            assertThat(j.cpusPerGpu()).isEqualTo(8);
            assertThat(j.ntasksPerGpu()).isEqualTo(1);
            assertThat(job(SHEBANG, "--gpus-per-node=4").gpusPerNode()).isEqualTo(4);
            assertThat(error(SHEBANG, "--gpus=a100:2", "--gpus-per-node=h100:2"))
                    .isEqualTo("GPU options ask for different GPU types: a100 and h100");
            assertThat(error(SHEBANG, "--gpus=many")).isEqualTo("--gpus=many: expected [type:]count");
            assertThat(error(SHEBANG, "--gpus=:2")).isEqualTo("--gpus=:2: expected [type:]count");
            assertThat(error(SHEBANG, "--gpus=a:b:2")).isEqualTo("--gpus=a:b:2: expected [type:]count");
            JobSubmission prefixed = job(SHEBANG, "--gpus=gpu:h100:2", "--gpus-per-task=gpu:1");
            assertThat(prefixed.gpuType()).isEqualTo("h100");
            assertThat(prefixed.gpus()).isEqualTo(2);
            assertThat(prefixed.gpusPerTask()).isEqualTo(1);
        }

        @Test
        void constraint_andListsAndRefusedForms() throws Exception {
            assertThat(job(SHEBANG, "-C", "a100&ib").constraints()).containsExactly("a100", "ib");
            assertThat(job(SHEBANG, "--constraint=gpu,a100").constraints()).containsExactly("gpu", "a100");
            assertThat(error(SHEBANG, "-C", "a100|h100"))
                    .isEqualTo("--constraint=a100|h100: OR-lists ('|') are not supported yet, only features joined with '&' or ','");
            assertThat(error(SHEBANG, "-C", "[rack1*2]")).startsWith("--constraint=[rack1*2]: '[' is not supported yet");
            assertThat(error(SHEBANG, "-C", "a&&b")).isEqualTo("--constraint=a&&b: empty feature name");
        }

        @Test
        void files_defaultsAndArrays() throws Exception {
            JobSubmission plain = job(SHEBANG);
            assertThat(plain.stdoutPath()).isEqualTo("slurm-%j.out");
            assertThat(plain.stderrPath()).isEqualTo("slurm-%j.out");
            assertThat(plain.stdinPath()).isEqualTo("/dev/null");
            JobSubmission array = job(SHEBANG, "--array=0-3");
            assertThat(array.stdoutPath()).isEqualTo("slurm-%A_%a.out");
            JobSubmission errOnly = job(SHEBANG, "-e", "err.txt");
            assertThat(errOnly.stdoutPath()).isEqualTo("slurm-%j.out");
            assertThat(errOnly.stderrPath()).isEqualTo("err.txt");
            JobSubmission j = job(SHEBANG, "-o", "o.txt", "-i", "in.txt", "--open-mode=append");
            assertThat(j.stdinPath()).isEqualTo("in.txt");
            assertThat(j.openMode()).isEqualTo("append");
            assertThat(error(SHEBANG, "--open-mode=later")).isEqualTo("--open-mode=later: expected append or truncate");
        }

        @Test
        void chdir_relativeIsResolvedAgainstTheSubmitDirectory() throws Exception {
            assertThat(job(SHEBANG, "-D", "runs/../out").workDir()).isEqualTo("/home/alice/work/out");
            assertThat(job(SHEBANG, "--chdir=/scratch").workDir()).isEqualTo("/scratch");
        }

        @Test
        void array_formsAndLimits() throws Exception {
            assertThat(job(SHEBANG, "-a", "1,3,5").arraySpec().taskIds()).containsExactly(1, 3, 5);
            assertThat(job(SHEBANG, "--array=0-15:4").arraySpec().taskIds()).containsExactly(0, 4, 8, 12);
            assertThat(error(SHEBANG, "--array=0-2000"))
                    .isEqualTo("--array=0-2000: task id 2000 exceeds the maximum 1000 (MaxArraySize=1001)");
            var big = new SbatchParser.Context("/w", Map.of(), NOW, () -> ROME, 4001);
            assertThat(parse(big, SHEBANG, "--array=0-2000").job().arraySpec().taskCount()).isEqualTo(2001);
            assertThat(error(SHEBANG, "--array=5-2")).isEqualTo("--array=5-2: range 5-2 is reversed");
        }

        @Test
        void dependency_formsAndErrors() throws Exception {
            JobSubmission and = job(SHEBANG, "-d", "afterok:1:2,afterany:3_4");
            assertThat(and.dependencies()).containsExactly(new Dependency(Dependency.Type.AFTEROK, "1", 0),
                    new Dependency(Dependency.Type.AFTEROK, "2", 0), new Dependency(Dependency.Type.AFTERANY, "3_4", 0));
            assertThat(and.dependencyAnyOf()).isFalse();
            assertThat(and.dependency()).isEqualTo("afterok:1:2,afterany:3_4");
            JobSubmission or = job(SHEBANG, "--dependency=afternotok:7?after:8+5");
            assertThat(or.dependencyAnyOf()).isTrue();
            assertThat(or.dependencies()).containsExactly(new Dependency(Dependency.Type.AFTERNOTOK, "7", 0),
                    new Dependency(Dependency.Type.AFTER, "8", 300));
            assertThat(job(SHEBANG, "-d", "singleton").dependencies()).containsExactly(new Dependency(Dependency.Type.SINGLETON, "", 0));
            assertThat(error(SHEBANG, "-d", "afterok:x")).isEqualTo("--dependency=afterok:x: invalid job id 'x'");
            assertThat(error(SHEBANG, "-d", "aftercorr:5")).isEqualTo("--dependency=aftercorr:5: dependency type 'aftercorr' is not supported yet");
            assertThat(job(SHEBANG, "--kill-on-invalid-dep=yes").killOnInvalidDep()).isEqualTo("yes");
        }

        @Test
        void begin_andDeadline_areRelativeToTheContextsNow() throws Exception {
            assertThat(job(SHEBANG, "--begin=now+1hour").beginTime()).isEqualTo(NOW + 3600);
            assertThat(job(SHEBANG, "-b", "now+60").beginTime()).isEqualTo(NOW + 60);
            assertThat(job(SHEBANG, "--deadline=2026-12-01").deadline())
                    .isEqualTo(LocalDateTime.of(2026, 12, 1, 0, 0).atZone(ROME).toEpochSecond());
            assertThat(error(SHEBANG, "--begin=soon")).startsWith("--begin=soon: invalid time 'soon', expected now");
        }

        @Test
        void begin_asksForTheZoneOnlyForDatesAndTimesOfDay() throws Exception {
            int[] asked = {0};
            var ctx = new SbatchParser.Context("/w", Map.of(), NOW, () -> {
                asked[0]++;
                return ROME;
            }, 1001);
            parse(ctx, SHEBANG, "--begin=now+10minutes", "-t", "10");
            assertThat(asked[0]).isZero();
            assertThat(parse(ctx, SHEBANG, "--begin=noon").job().beginTime())
                    .isEqualTo(LocalDateTime.of(2026, 11, 27, 12, 0).atZone(ROME).toEpochSecond());
            assertThat(asked[0]).isEqualTo(1);
        }

        @Test
        void everySupportedOption_hasAHandler() {
            for (String name : SbatchParser.supportedOptions()) {
                String arg = SbatchParser.argumentOf(name);
                List<String> args = arg.equals("none") ? List.of("--" + name, "job.sh") : List.of("--" + name + "=1", "job.sh");
                try {
                    SbatchParser.parse(args, p -> SHEBANG, CTX);
                } catch (SlurmOptionException userError) {
                    assertThat(userError.getMessage()).as(name).doesNotContain("no handler");
                }
            }
        }

        @Test
        void signal_forms() throws Exception {
            JobSubmission j = job(SHEBANG, "--signal=B:USR1@90");
            assertThat(j.signal()).isEqualTo(10);
            assertThat(j.signalSeconds()).isEqualTo(90);
            assertThat(j.signalFlags()).isEqualTo("B");
            JobSubmission d = job(SHEBANG, "--signal=SIGTERM");
            assertThat(d.signal()).isEqualTo(15);
            assertThat(d.signalSeconds()).isEqualTo(60);
            assertThat(job(SHEBANG, "--signal=2@10").signal()).isEqualTo(2);
            assertThat(job(SHEBANG).signalSeconds()).isZero();
            assertThat(error(SHEBANG, "--signal=FOO")).isEqualTo("--signal=FOO: unknown signal 'FOO'");
            assertThat(error(SHEBANG, "--signal=USR1@70000")).isEqualTo("--signal=USR1@70000: the time before the limit must be 0-65535 seconds");
        }

        @Test
        void recordedOptions() throws Exception {
            JobSubmission j = job(SHEBANG, "--hint=nomultithread", "-m", "cyclic:block", "--get-user-env", "--propagate",
                    "--uid=bob", "--gid=staff", "--priority=500", "--switches=2@10:00", "--nice", "--requeue",
                    "--reservation=maint", "-w", "lrdn[0001-0004]", "-x", "lrdn0002", "--mail-type=begin,all");
            assertThat(j.hint()).isEqualTo("nomultithread");
            assertThat(j.distribution()).isEqualTo("cyclic:block");
            assertThat(j.getUserEnv()).isTrue();
            assertThat(j.propagate()).isEqualTo("ALL");
            assertThat(j.uid()).isEqualTo("bob");
            assertThat(j.gid()).isEqualTo("staff");
            assertThat(j.priority()).isEqualTo(500);
            assertThat(j.switches()).isEqualTo(2);
            assertThat(j.switchesMaxWait()).isEqualTo(600);
            assertThat(j.nice()).isEqualTo(100);
            assertThat(j.requeue()).isEqualTo("yes");
            assertThat(j.reservation()).isEqualTo("maint");
            assertThat(j.nodeList()).isEqualTo("lrdn[0001-0004]");
            assertThat(j.excludeNodes()).isEqualTo("lrdn0002");
            assertThat(j.mailType()).containsExactly("BEGIN", "ALL");
            assertThat(job(SHEBANG, "--nice=-5", "--no-requeue", "--propagate=stack,core").nice()).isEqualTo(-5);
            assertThat(job(SHEBANG, "--no-requeue").requeue()).isEqualTo("no");
            assertThat(job(SHEBANG, "--propagate=stack,core").propagate()).isEqualTo("STACK,CORE");
        }

        @Test
        void recordedOptions_badValues() {
            assertThat(error(SHEBANG, "--hint=help")).isEqualTo("--hint=help: expected nomultithread, multithread, compute_bound, memory_bound");
            assertThat(error(SHEBANG, "-m", "diagonal")).startsWith("--distribution=diagonal: expected block, cyclic");
            assertThat(error(SHEBANG, "--mail-type=SOMETIMES")).startsWith("--mail-type=SOMETIMES: invalid mail type 'SOMETIMES'");
            assertThat(error(SHEBANG, "--priority=TOP")).isEqualTo("--priority=TOP: TOP is not supported yet");
            assertThat(error(SHEBANG, "--nice=x")).isEqualTo("--nice=x: expected a number");
            assertThat(error(SHEBANG, "--kill-on-invalid-dep=maybe")).isEqualTo("--kill-on-invalid-dep=maybe: expected yes, no");
            assertThat(error(SHEBANG, "--propagate=SPEED")).startsWith("--propagate=SPEED: invalid rlimit 'SPEED'");
            assertThat(error(SHEBANG, "--nodelist=/etc/hosts")).isEqualTo("--nodelist=/etc/hosts: reading node names from a file is not supported yet");
            assertThat(error(SHEBANG, "--switches=many")).isEqualTo("--switches=many: expected count[@max-time]");
            assertThat(error(SHEBANG, "-o", "")).isEqualTo("--output=: must not be empty");
        }
    }

    @Nested
    class Environment {
        @Test
        void export_defaultIsTheWholeEnvironment() throws Exception {
            assertThat(job(SHEBANG).environment()).isEqualTo(ENV);
            assertThat(job(SHEBANG).export()).isEmpty();
        }

        @Test
        void export_none_keepsOnlySlurmVariables() throws Exception {
            assertThat(job(SHEBANG, "--export=NONE").environment()).containsExactly(Map.entry("SLURM_CONF", "/etc/slurm/slurm.conf"));
        }

        @Test
        void export_list_keepsSlurmVariablesAndTheListed() throws Exception {
            assertThat(job(SHEBANG, "--export=EDITOR,ARG1=test,MISSING").environment()).containsOnly(
                    Map.entry("SLURM_CONF", "/etc/slurm/slurm.conf"), Map.entry("EDITOR", "vi"), Map.entry("ARG1", "test"));
        }

        @Test
        void export_allWithValues_userValuesTakePrecedence() throws Exception {
            Map<String, String> env = job(SHEBANG, "--export=ALL,EDITOR=/bin/emacs,NEW='a,b'").environment();
            assertThat(env).containsEntry("EDITOR", "vi").containsEntry("NEW", "a,b").containsEntry("HOME", "/home/alice");
        }

        @Test
        void export_badNames_areRefused() {
            assertThat(error(SHEBANG, "--export=ALL,1BAD=x")).isEqualTo("--export=ALL,1BAD=x: invalid variable name '1BAD'");
            assertThat(error(SHEBANG, "--export=ALL,,X")).isEqualTo("--export=ALL,,X: empty item");
        }

        @Test
        void inputVariables_overrideDirectives_andAreOverriddenByTheCommandLine() throws Exception {
            Map<String, String> env = new HashMap<>(ENV);
            env.put("SBATCH_PARTITION", "fromenv");
            env.put("SBATCH_TIMELIMIT", "45");
            env.put("SBATCH_EXCLUSIVE", "");
            var ctx = SbatchParser.Context.of("/w", env, NOW, ROME);
            JobSubmission j = parse(ctx, directives("#SBATCH -p fromscript", "#SBATCH -t 10"), "-t", "20").job();
            assertThat(j.partition()).isEqualTo("fromenv");
            assertThat(j.timeLimit()).isEqualTo(1200);
            assertThat(j.exclusive()).isTrue();
        }

        @Test
        void inputVariables_badValue_namesTheVariable() {
            var ctx = SbatchParser.Context.of("/w", Map.of("SBATCH_TIMELIMIT", "1-99"), NOW, ROME);
            assertThatThrownBy(() -> parse(ctx, SHEBANG))
                    .hasMessage("environment variable SBATCH_TIMELIMIT: --time=1-99: hours must be 0-23");
        }

        @Test
        void inputVariables_memoryKindFromTheEnvironmentReplacesTheScripts() throws Exception {
            var ctx = SbatchParser.Context.of("/w", Map.of("SBATCH_MEM_PER_CPU", "1G"), NOW, ROME);
            JobSubmission j = parse(ctx, directives("#SBATCH --mem=10G")).job();
            assertThat(j.memPerCpuMb()).isEqualTo(1024);
            assertThat(j.memPerNodeMb()).isZero();
        }
    }

    /** Each option may appear in the script, the command line, both or neither: the command line wins. */
    @net.jqwik.api.Property(seed = "20261127", tries = 200)
    void parse_commandLineWinsOverDirectives(@net.jqwik.api.ForAll long seed) throws Exception {
        java.util.Random r = new java.util.Random(seed);
        String[] longs = {"partition", "account", "job-name", "ntasks", "time", "qos"};
        StringBuilder script = new StringBuilder(SHEBANG);
        List<String> cli = new ArrayList<>();
        Map<String, String> expected = new HashMap<>();
        for (String o : longs) {
            String inScript = r.nextBoolean() ? Integer.toString(1 + r.nextInt(999)) : null;
            String onCli = r.nextBoolean() ? Integer.toString(1 + r.nextInt(999)) : null;
            if (inScript != null) script.append("#SBATCH --").append(o).append(r.nextBoolean() ? "=" : " ").append(inScript).append('\n');
            if (onCli != null) {
                cli.add("--" + o);
                cli.add(onCli);
            }
            expected.put(o, onCli != null ? onCli : inScript);
        }
        script.append("hostname\n");
        cli.add("job.sh");
        JobSubmission j = SbatchParser.parse(cli, p -> script.toString(), CTX).job();
        assertThat(j.partition()).isEqualTo(orEmpty(expected.get("partition")));
        assertThat(j.account()).isEqualTo(orEmpty(expected.get("account")));
        assertThat(j.qos()).isEqualTo(orEmpty(expected.get("qos")));
        assertThat(j.jobName()).isEqualTo(expected.get("job-name") == null ? "job.sh" : expected.get("job-name"));
        assertThat(j.ntasks()).isEqualTo(expected.get("ntasks") == null ? 0 : Integer.parseInt(expected.get("ntasks")));
        assertThat(j.timeLimit()).isEqualTo(expected.get("time") == null ? 0 : Long.parseLong(expected.get("time")) * 60);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-J name          | jobName   | name",
            "--job-name=x y   | jobName   | x y",
            "-A proj          | account   | proj",
            "-q high          | qos       | high",
            "--comment=hello  | comment   | hello",
            "--mail-user=a@b  | mailUser  | a@b",
    })
    void parse_stringOptions(String option, String field, String expected) throws Exception {
        String[] args = option.contains(" ") && option.startsWith("-") && !option.startsWith("--")
                ? option.split(" ", 2) : new String[] {option};
        JobSubmission j = job(SHEBANG, args);
        Object value = JobSubmission.class.getMethod(field).invoke(j);
        assertThat(value).isEqualTo(expected);
    }
}
