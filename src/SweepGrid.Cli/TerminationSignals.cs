using System.Runtime.InteropServices;

namespace SweepGrid.Cli;

/// <summary>
/// SIGINT and SIGTERM cancel the running command's token: a node releases its trials and leaves the
/// cluster, a run stops. Handled here, not by System.CommandLine (2.0.0), whose handler cancelled a token
/// source it had already disposed and so ended a node that Kubernetes stopped with an unhandled
/// ObjectDisposedException (SIGABRT, exit 134; seen in CI). Here the source is cancelled and disposed
/// under one lock. A second signal, or <c>limit</c> after the first, ends the process at once with 128 +
/// the signal's number, as a shell reports it.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _command = new(), _patience = new();
    private readonly PosixSignalRegistration _interrupt, _terminate;
    private readonly TimeSpan _limit;
    private readonly Lock _gate = new();
    private bool _signalled, _disposed;

    public TerminationSignals(TimeSpan limit)
    {
        _limit = limit;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => _command.Token;

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true; // the command ends itself, releasing what it holds
        int code = 128 + (context.Signal == PosixSignal.SIGINT ? 2 : 15);
        lock (_gate)
        {
            if (_disposed) return;
            if (_signalled) Environment.Exit(code);
            _signalled = true;
            _ = Task.Delay(_limit, _patience.Token).ContinueWith(_ => Environment.Exit(code), TaskContinuationOptions.OnlyOnRanToCompletion);
        }

        try
        {
            // Outside the lock: cancelling runs the command's callbacks here, and the command may end and dispose this meanwhile.
            _command.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command had ended.
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _patience.Cancel();
        }

        _interrupt.Dispose();
        _terminate.Dispose();
        _command.Dispose();
        _patience.Dispose();
    }
}
