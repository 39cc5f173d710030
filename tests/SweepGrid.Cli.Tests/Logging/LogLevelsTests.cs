using Serilog.Events;
using SweepGrid.Cli.Logging;
using SweepGrid.Cluster.Hosting;

namespace SweepGrid.Cli.Tests.Logging;

public sealed class LogLevelsTests
{
    private static readonly Akka.Configuration.Config Shipped = HoconFiles.Parse("sweepgrid.conf");

    [Fact]
    public void The_shipped_defaults_are_info_to_the_file_and_warning_to_the_console()
    {
        var levels = LogLevels.From(Shipped, _ => null);

        Assert.Equal(new LogLevels(LogEventLevel.Information, LogEventLevel.Warning), levels);
        Assert.Equal("INFO", levels.AkkaFileLevel);
    }

    [Fact]
    public void The_environment_overrides_the_configuration()
    {
        var env = new Dictionary<string, string?> { [LogLevels.FileVariable] = "debug", [LogLevels.ConsoleVariable] = "ERROR" };

        var levels = LogLevels.From(Shipped, name => env.GetValueOrDefault(name));

        Assert.Equal(new LogLevels(LogEventLevel.Debug, LogEventLevel.Error), levels);
        Assert.Equal("DEBUG", levels.AkkaFileLevel);
    }

    [Fact]
    public void A_bad_level_names_where_it_came_from_and_what_is_allowed()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("sweepgrid.logging.console-level = LOUD").WithFallback(Shipped);

        var fromConfig = Assert.Throws<UserError>(() => LogLevels.From(config, _ => null));
        var fromEnv = Assert.Throws<UserError>(() => LogLevels.From(Shipped, n => n == LogLevels.FileVariable ? "verbose" : null));

        Assert.Equal("sweepgrid.logging.console-level: must be one of DEBUG | INFO | WARNING | ERROR, got \"LOUD\"", Assert.Single(fromConfig.Lines));
        Assert.Equal("environment variable SWEEPGRID_LOG_LEVEL: must be one of DEBUG | INFO | WARNING | ERROR, got \"verbose\"", Assert.Single(fromEnv.Lines));
    }
}
