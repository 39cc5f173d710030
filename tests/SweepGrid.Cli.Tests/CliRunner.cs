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
}
