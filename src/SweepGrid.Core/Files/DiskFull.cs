namespace SweepGrid.Core.Files;

/// <summary>
/// Whether a failure is the store's disk being full (ENOSPC) or over its quota (EDQUOT): the store's
/// fault, never the trial's. .NET reports both as an IOException whose HResult is the errno, possibly
/// wrapped (a TorchSharp save, an aggregate).
/// </summary>
public static class DiskFull
{
    private const int ENOSPC = 28, EDQUOT = 122;

    public static bool Is(Exception? e) => e switch
    {
        null => false,
        IOException { HResult: ENOSPC or EDQUOT } => true,
        AggregateException a => a.InnerExceptions.Any(Is),
        _ => Is(e.InnerException),
    };
}
