using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace SweepGrid.Cli.Logging;

/// <summary>
/// Where a run's log goes: Akka's events included (SerilogLogger), to &lt;store&gt;/logs/sweepgrid-&lt;date&gt;.log
/// as compact JSON, one event per line with its properties (TrialId, SweepId, ...) and any exception's
/// stack; the console gets one short line per event without a stack trace. Levels: <see cref="LogLevels"/>
/// (INFO to the file and WARNING to the console unless configured otherwise).
/// </summary>
internal static class LogSetup
{
    public const string Folder = "logs";

    public static void ToStore(string storeDirectory, LogLevels levels)
    {
        var previous = Log.Logger;
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is((LogEventLevel)Math.Min((int)levels.File, (int)levels.Console))
            .Enrich.FromLogContext()
            .WriteTo.Console(levels.Console, "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture, standardErrorFromLevel: LogEventLevel.Warning)
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(storeDirectory, Folder, "sweepgrid-.log"), levels.File, rollingInterval: RollingInterval.Day)
            .CreateLogger();
        (previous as IDisposable)?.Dispose();
    }
}
