using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Serilog;
using LogEventLevel = Serilog.Events.LogEventLevel;
using LogEvent = Akka.Event.LogEvent;

namespace SweepGrid.Cluster.Logging;

/// <summary>
/// Routes Akka's log events into Serilog (Akka.Logger.Serilog is not in our package registry). Akka
/// 1.5 keeps a message's template and arguments, so "trial {TrialId}" arrives in Serilog as a real
/// TrialId property, not just text. Configured in hocon/sweepgrid.conf (akka.loggers); sinks and
/// levels are the host's (Serilog's static Log.Logger).
/// </summary>
public sealed class SerilogLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public SerilogLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Write);
    }

    internal static void Write(LogEvent e)
    {
        var logger = Log.Logger.ForContext("SourceContext", e.LogSource);
        var (template, values) = e.Message is LogMessage message
            ? (message.Format, message.Parameters().ToArray())
            : ("{Message:l}", new[] { e.Message });
        logger.Write(Level(e.LogLevel()), e.Cause, template, values);
    }

    private static LogEventLevel Level(Akka.Event.LogLevel level) => level switch
    {
        Akka.Event.LogLevel.DebugLevel => LogEventLevel.Debug,
        Akka.Event.LogLevel.InfoLevel => LogEventLevel.Information,
        Akka.Event.LogLevel.WarningLevel => LogEventLevel.Warning,
        _ => LogEventLevel.Error,
    };
}

/// <summary>
/// Akka's "standard out" logger, which it uses before its loggers start and after they stop (while an
/// actor system shuts down: "Remoting shut down"), sent to Serilog as well, so that those events too
/// reach the console only at the console's level and otherwise go to the log file
/// (akka.stdout-logger-class in hocon/sweepgrid.conf). Akka's own StandardOutLogger printed them
/// after a command's result, whatever akka.stdout-loglevel said.
/// </summary>
public sealed class SerilogStdoutLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is LogEvent e) SerilogLogger.Write(e);
    }
}
