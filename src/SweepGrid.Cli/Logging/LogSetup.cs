using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace SweepGrid.Cli.Logging;

/// <summary>
/// Where a run's log goes: INFO and above, Akka's events included (SerilogLogger), to
/// &lt;store&gt;/logs/sweepgrid-&lt;date&gt;.log as compact JSON, one event per line with its properties
/// (TrialId, SweepId, ...) and any exception's stack; WARNING and above also to the console as one
/// short line without a stack trace.
/// </summary>
internal static class LogSetup
{
    public const string Folder = "logs";

    public static void ToStore(string storeDirectory)
    {
        var previous = Log.Logger;
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.FromLogContext()
            .WriteTo.Console(LogEventLevel.Warning, "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture, standardErrorFromLevel: LogEventLevel.Warning)
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(storeDirectory, Folder, "sweepgrid-.log"), rollingInterval: RollingInterval.Day)
            .CreateLogger();
        (previous as IDisposable)?.Dispose();
    }
}
