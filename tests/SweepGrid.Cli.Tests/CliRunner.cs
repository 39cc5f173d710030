using System.Diagnostics;

namespace SweepGrid.Cli.Tests;

/// <summary>Runs the real command tree in-process and captures what it prints, or the real executable in a process of its own.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Exit code 0, or the failure says what the command printed (a set-up run that fails says why).</summary>
    public static void AssertRan(Result result) =>
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Error}\n{result.Output}");

    public static async Task<Result> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await Cli.InvokeAsync(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// The real executable (sweepgrid.dll beside the tests) in a process of its own, its output redirected:
    /// for what in-process runs cannot show (a process killed, its own log, a sweep beside a server).
    /// </summary>
    public static Process Start(params string[] args) =>
        Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sweepgrid.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
}
