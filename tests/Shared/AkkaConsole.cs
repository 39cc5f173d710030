using System.Text.RegularExpressions;

namespace SweepGrid.Tests.Shared;

/// <summary>
/// Akka's own log events in a command's console output, which belong in the log file: its
/// StandardOutLogger's lines ("[INFO][12/01/2026 15:22:17.861Z][Thread 0005][remoting (akka://sweepgrid)] Remoting shut down")
/// and routine events (debug or info) through our console sink ("15:22:17 INF ...").
/// </summary>
internal static partial class AkkaConsole
{
    public static IReadOnlyList<string> LogLines(IEnumerable<string> lines) =>
        lines.Where(l => StandardOut().IsMatch(l) || Routine().IsMatch(l)).ToList();

    public static IReadOnlyList<string> LogLines(string output) => LogLines(output.Split('\n'));

    [GeneratedRegex(@"\[(DEBUG|INFO|WARNING|ERROR)\]\[\d\d/\d\d/\d{4} ")]
    private static partial Regex StandardOut();

    [GeneratedRegex(@"^\d\d:\d\d:\d\d (VRB|DBG|INF) ")]
    private static partial Regex Routine();
}
