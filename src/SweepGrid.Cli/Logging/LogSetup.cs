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
    public const string Folder = SweepGrid.Store.StoreFiles.LogFolder;

    /// <param name="name">The file's name before the date: each process of a cluster sharing a store needs its own
    /// (several processes appending to one file interleave and lose lines).</param>
    public static void ToStore(string storeDirectory, LogLevels levels, string name = "sweepgrid") =>
        Replace(Console(new LoggerConfiguration(), levels)
            .MinimumLevel.Is((LogEventLevel)Math.Min((int)levels.File, (int)levels.Console))
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(storeDirectory, Folder, $"{name}-.log"), levels.File, rollingInterval: RollingInterval.Day));

    /// <summary>A process without a store (a `submit` client): the console sink only.</summary>
    public static void ConsoleOnly(LogLevels levels) =>
        Replace(Console(new LoggerConfiguration(), levels).MinimumLevel.Is(levels.Console));

    private static LoggerConfiguration Console(LoggerConfiguration configuration, LogLevels levels) =>
        configuration
            .Filter.ByExcluding(new TlsRefusals().Exclude)
            .Enrich.FromLogContext()
            .WriteTo.Console(levels.Console, "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture, standardErrorFromLevel: LogEventLevel.Warning);

    private static void Replace(LoggerConfiguration configuration)
    {
        var previous = Log.Logger;
        Log.Logger = configuration.CreateLogger();
        (previous as IDisposable)?.Dispose();
    }
}
