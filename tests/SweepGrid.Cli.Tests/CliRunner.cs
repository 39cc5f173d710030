namespace SweepGrid.Cli.Tests;

/// <summary>Runs the real command tree in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await Cli.InvokeAsync(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SweepGrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("SweepGrid.sln not found above the test binaries");
    }
}
