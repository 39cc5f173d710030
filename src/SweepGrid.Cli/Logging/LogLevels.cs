using Akka.Configuration;
using Serilog.Events;
using SweepGrid.Cluster.Hosting;

namespace SweepGrid.Cli.Logging;

/// <summary>
/// The log levels of a run: `sweepgrid.logging` in hocon/sweepgrid.conf, overridden per run by the
/// environment (SWEEPGRID_LOG_LEVEL, SWEEPGRID_CONSOLE_LOG_LEVEL). Values use Akka's level names so
/// one word means the same thing in both places.
/// </summary>
internal sealed record LogLevels(LogEventLevel File, LogEventLevel Console)
{
    public const string FileVariable = "SWEEPGRID_LOG_LEVEL";
    public const string ConsoleVariable = "SWEEPGRID_CONSOLE_LOG_LEVEL";

    private static readonly Dictionary<string, LogEventLevel> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DEBUG"] = LogEventLevel.Debug, ["INFO"] = LogEventLevel.Information,
        ["WARNING"] = LogEventLevel.Warning, ["ERROR"] = LogEventLevel.Error,
    };

    /// <summary>Akka's name for a level (akka.loglevel).</summary>
    public string AkkaFileLevel => Names.First(n => n.Value == File).Key;

    public static LogLevels FromConfig() => From(HoconFiles.Parse("sweepgrid.conf"), Environment.GetEnvironmentVariable);

    public static LogLevels From(Config config, Func<string, string?> environment) => new(
        Level(environment(FileVariable), FileVariable, config.GetString("sweepgrid.logging.file-level"), "sweepgrid.logging.file-level"),
        Level(environment(ConsoleVariable), ConsoleVariable, config.GetString("sweepgrid.logging.console-level"), "sweepgrid.logging.console-level"));

    private static LogEventLevel Level(string? overriding, string variable, string? configured, string key)
    {
        var (value, source) = string.IsNullOrEmpty(overriding) ? (configured, key) : (overriding, $"environment variable {variable}");
        return value is not null && Names.TryGetValue(value, out var level)
            ? level
            : throw new UserError($"{source}: must be one of {string.Join(" | ", Names.Keys)}, got \"{value}\"");
    }
}
