using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SweepGrid.Tests.Shared;
using static SweepGrid.Tests.Shared.TestMachine;

namespace SweepGrid.Deployment.Tests;

/// <summary>
/// The README's install path, as a user follows it: build/install.sh from a copy of the sources (its own
/// build folders, as in a fresh clone) into a temporary prefix, then `sweepgrid` found on the PATH and
/// run from an unrelated, empty working directory.
/// </summary>
public sealed class InstallTests : IClassFixture<InstallTests.Installed>
{
    private readonly Installed _installed;

    public InstallTests(Installed installed) => _installed = installed;

    /// <summary>One installation for the class: publishing a Release build takes a minute.</summary>
    public sealed class Installed : IDisposable
    {
        public Installed()
        {
            Root = Directory.CreateTempSubdirectory("sweepgrid-install-").FullName;
            var sources = Path.Combine(Root, "clone");
            foreach (var folder in new[] { "src", "build", "hocon", "data" }) CopyTree(Path.Combine(RepoRoot(), folder), Path.Combine(sources, folder));
            foreach (var file in Directory.GetFiles(RepoRoot(), "Directory.*")) File.Copy(file, Path.Combine(sources, Path.GetFileName(file)));
            Prefix = Path.Combine(Root, "prefix");
            Install = Shell(Root, $"{Path.Combine(sources, "build", "install.sh")} --prefix {Prefix}", TimeSpan.FromMinutes(10));
        }

        public string Root { get; }

        public string Prefix { get; }

        public Result Install { get; }

        public string App => Path.Combine(Prefix, "lib", "sweepgrid");

        /// <summary>A fresh, empty working directory far from the sources.</summary>
        public string Elsewhere(string name) => Directory.CreateDirectory(Path.Combine(Root, "work", name)).FullName;

        /// <summary>`sweepgrid ARGS` through the PATH, as a user types it, with only the installation's bin added.</summary>
        public Result Sweepgrid(string workingDirectory, string arguments) =>
            Shell(workingDirectory, $"sweepgrid {arguments}", TimeSpan.FromMinutes(3), ("PATH", $"{Path.Combine(Prefix, "bin")}:/usr/bin:/bin"));

        public void Dispose() => Directory.Delete(Root, recursive: true);

        private static void CopyTree(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            foreach (var dir in Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")))
            {
                CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
            }
        }
    }

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public IEnumerable<string> Lines => (Output + Error).Split('\n');
    }

    [Fact]
    public void The_script_installs_a_sweepgrid_command_that_reports_its_version()
    {
        Assert.True(_installed.Install.ExitCode == 0, _installed.Install.Output + _installed.Install.Error);
        var version = _installed.Sweepgrid(_installed.Elsewhere("version"), "--version");
        Assert.Equal(0, version.ExitCode);
        var expected = typeof(Cli.Cli).Assembly.GetName().Version!;
        Assert.StartsWith($"{expected.Major}.{expected.Minor}.{expected.Build}", version.Output.Trim());
        Assert.Contains($"installed {version.Output.Trim()} in {_installed.App}", _installed.Install.Output);
    }

    [Fact]
    public void The_installed_command_runs_a_sweep_from_an_empty_folder_on_the_bundled_data_and_prints_no_Akka_log_lines()
    {
        var work = _installed.Elsewhere("tiny");
        File.WriteAllText(Path.Combine(work, "tiny.hocon"), """
            sweep {
              name = tiny
              dataset { name = fashion-mnist, path = data/fashion-mnist, train-subset = 512 }
              model { name = mlp, hidden = [16] }
              base { batch-size = 128, learning-rate = 0.05, epochs = 1 }
              grid { batch-size = [128, 256] }
              metrics { flatness = [] }
            }
            """);
        Assert.False(Directory.Exists(Path.Combine(work, "data")));

        var run = _installed.Sweepgrid(work, "run tiny.hocon --slots 1");
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("sweep tiny: 2 completed, 0 diverged, 0 failed", run.Output);
        Assert.Empty(AkkaConsole.LogLines(run.Lines));

        var status = _installed.Sweepgrid(work, "status tiny");
        Assert.Equal(0, status.ExitCode);
        // Name, state, priority, share of the running trials (none run), then pending, running, completed, diverged, failed, cancelled.
        Assert.Contains(status.Output.Split('\n'), l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["tiny", "open", "1", "-", "0", "0", "2", "0", "0", "0", ..]);
        Assert.Empty(AkkaConsole.LogLines(status.Lines));

        // The store is the working directory's, and holds both trials.
        using var db = new SqliteConnection($"Data Source={Path.Combine(work, "sweepgrid-data", "results.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM trials WHERE sweep = 'tiny' AND status = 'completed'";
        Assert.Equal(2L, count.ExecuteScalar());
    }

    [Fact]
    public void A_sweep_file_that_is_not_there_is_bad_input_naming_the_bundled_sweeps()
    {
        var missing = _installed.Sweepgrid(_installed.Elsewhere("missing"), "run quick.hocon");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("quick.hocon: file: not found", missing.Error);
        Assert.Contains($"the bundled sweeps are in {Path.Combine(_installed.App, "sweeps")}: ", missing.Error);
        Assert.Contains("quick.hocon", missing.Error.Split('\n')[1]);
        Assert.True(File.Exists(Path.Combine(_installed.App, "sweeps", "quick.hocon")));
    }

    private static Result Shell(string workingDirectory, string command, TimeSpan timeout, params (string Key, string Value)[] environment)
    {
        var start = new ProcessStartInfo("/bin/bash", ["-c", command])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish within {timeout}");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
